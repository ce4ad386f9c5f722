"""Shared set-ups for the validation checks (VALIDATION.md)."""

import numpy as np

from servsim import simulate

BASS_P, BASS_Q = 0.03, 0.38
"""Sultan, Farley & Lehmann (1990) meta-analysis means of Bass p and q, per period."""


def bass_overrides(n: int, days: int, kind: str = "complete", degree: int = 10) -> dict:
    """Only advertising and word of mouth: no service, no churn, every adopter recommends,
    no outside option."""
    return {
        "sim.n_customers": n,
        "sim.days": days,
        "market.network.kind": kind,
        "market.network.mean_degree": degree,
        "market.innovation": BASS_P,
        "market.imitation": BASS_Q,
        "strategy.advertising": 1.0,
        "market.segments": {"all": {"share": 1.0, "need_rate": 0.0, "purchase_rate": 0.0}},
        "behaviour.wom_base": 1.0,
        "behaviour.wom_positive": 0.0,
        "behaviour.wom_negative": 0.0,
        "behaviour.outside_utility": -1e3,  # no outside option: every aware prospect buys
    }


def adoption_curves(overrides: dict, seeds) -> np.ndarray:
    """Adopted fraction per period (rows: seeds)."""
    n = overrides["sim.n_customers"]
    return np.array([1.0 - simulate(**overrides, **{"sim.seed": s}).steps["prospects"].to_numpy() / n
                     for s in seeds])
