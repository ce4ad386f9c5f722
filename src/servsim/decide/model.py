"""The one place where the decision tools meet the model: parameters and the model function.

The parameters come from the registry (:mod:`servsim.registry`: plausible
range, distribution, allowed bounds, unit and source of every parameter) and
the runs from :func:`servsim.evaluate`, which composes exactly what the
``servsim`` command composes:

- :func:`parameters` returns :class:`Parameter` records of the registry's
  parameters of a market (a uncertainty or lever kind, or chosen keys);
- :func:`evaluate` calls :func:`servsim.evaluate` and returns the focal firm's
  outcomes under the short names of :data:`OUTCOMES`.

A model function for the decision tools is any importable callable
``f(**kwargs) -> dict[str, float]`` named ``"module:function"``; the known-answer
models of :mod:`servsim.decide.testmodels` are such functions too.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import Any

from servsim.params import ParameterError

MODEL_FUNCTION = "servsim.decide.model:evaluate"
"""The servsim model function, as the evaluator names it."""

OUTCOMES: dict[str, tuple[str, str]] = {
    "profit": ("cumulative_profit", "cumulative profit over the run (cu)"),
    "discounted_profit": ("discounted_profit", "profit discounted at sim.discount_rate (cu)"),
    "revenue": ("revenue", "revenue over the run (cu)"),
    "share": ("final_share", "share of active customers at the end"),
    "customers": ("final_customers", "active customers at the end"),
    "retention": ("retention_rate", "annual retention rate"),
    "clv": ("clv", "customer lifetime value m r / (1 + d - r) (cu)"),
    "customer_equity": ("customer_equity", "customers at the end x their CLV (cu)"),
    "satisfaction": ("satisfaction", "mean satisfaction of customers, last 30 days"),
    "nps": ("recommend_score", "NPS-style recommend score in [-100, 100], last 30 days"),
    "complaints": ("complaints", "complaints lodged over the run"),
    "recovery_days": ("recovery_days", "mean days from complaint to resolution"),
    "turnover": ("staff_turnover", "staff quits per staff-year"),
}
"""Flat outcome names of the focal firm -> (key in today's run summary, description)."""


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A sampled parameter: its plausible range and distribution, and its hard bounds.

    Mirrors ``servsim.registry.Parameter`` (issue 17, item 1): ``kind`` is
    ``"uncertainty"`` (market, behaviour) or ``"lever"`` (strategy, org, stage);
    ``low``/``high`` the plausible range sampled; ``bounds`` the range the model
    accepts (:func:`servsim.params.validate`); ``distribution`` one of
    ``"uniform"``, ``"loguniform"``, ``"integer"``.
    """

    key: str
    kind: str
    low: float
    high: float
    distribution: str = "uniform"
    default: float | None = None
    bounds: tuple[float, float] = (-math.inf, math.inf)
    unit: str = ""
    source: str = "judgement"
    description: str = ""

    def with_range(self, low: float, high: float) -> Parameter:
        """Return a copy with another plausible range, checked against the bounds.

        Raises
        ------
        ParameterError
            One line naming the key, the range given and the range allowed.
        """
        lo, hi = self.bounds
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            raise ParameterError(f"{self.key}: range [{low:g}, {high:g}] is empty or not finite; "
                                 "give [low, high] with low < high")
        if low < lo or high > hi:
            raise ParameterError(f"{self.key}: range [{low:g}, {high:g}] is outside the allowed "
                                 f"[{lo:g}, {hi:g}]")
        if self.distribution == "loguniform" and low <= 0:
            raise ParameterError(f"{self.key}: a log-uniform range needs low > 0, got {low:g}")
        return dataclasses.replace(self, low=float(low), high=float(high))


def _record(p) -> Parameter:
    """Return a registry :class:`servsim.registry.Parameter` as this package's record."""
    distribution = "integer" if p.integer else p.distribution
    return Parameter(p.key, p.kind, float(p.low), float(p.high), distribution, p.default,
                     tuple(p.bounds), p.unit, p.source, p.description)


def parameters(market: str = "company_a", kind: str | None = None,
               keys: Iterable[str] | None = None) -> list[Parameter]:
    """Return the registry's parameters of ``market`` (one ``kind``, or these ``keys``).

    Raises
    ------
    ParameterError
        One line for an unknown key or kind, naming what is allowed.
    """
    from servsim import registry

    keys = None if keys is None else list(keys)
    chosen = registry.parameters(market=market, kind=kind, keys=keys)
    if keys is not None and kind is not None:  # the registry leaves out keys of another kind
        found = {p.key for p in chosen}
        for key in keys:
            if key not in found:
                other = registry.parameters(market=market, keys=[key])[0].kind
                raise ParameterError(f"{key}: unknown parameter ({kind}): it is a {other}")
    return [_record(p) for p in chosen]


def problem(params: list[Parameter]) -> dict[str, Any]:
    """Return the SALib problem dict of these parameters (log-uniform as ``logunif``)."""
    dists = {"uniform": "unif", "loguniform": "logunif", "integer": "unif"}
    return {
        "num_vars": len(params),
        "names": [p.key for p in params],
        "bounds": [[p.low, p.high] for p in params],
        "dists": [dists[p.distribution] for p in params],
    }


# --------------------------------------------------------------------------- the model function

GROUP_KEYS = ("market", "strategy", "org", "stage")
"""Keyword arguments of :func:`evaluate` that choose a config-group option."""


def build_params(**kwargs: Any):
    """Return the validated :class:`~servsim.params.Params` of :func:`evaluate`'s arguments."""
    from servsim.compose import compose_params

    choices = {g: kwargs.pop(g) for g in GROUP_KEYS if g in kwargs}
    seed = kwargs.pop("seed", None)
    if seed is not None:
        kwargs["sim.seed"] = int(seed)
    return compose_params(kwargs, **choices)


def evaluate(**kwargs: Any) -> dict[str, float]:
    """Run one replication (:func:`servsim.evaluate`); the focal firm's :data:`OUTCOMES`.

    Parameters
    ----------
    **kwargs
        ``market``, ``strategy``, ``org``, ``stage``: config-group options (omitted
        ones keep the command's defaults); ``seed``; dotted overrides such as
        ``"strategy.price"`` or ``"sim.n_customers"``.

    Returns
    -------
    dict
        :data:`OUTCOMES` -> float (NaN where undefined, e.g. recovery days
        without complaints).
    """
    from servsim import evaluate as run

    out = run(**kwargs)
    return {name: float(out[source]) for name, (source, _) in OUTCOMES.items()}


def parameter_label(key: str, params: Mapping[str, Parameter] | None = None) -> str:
    """Return a plain-language name of a parameter key (its description, else the key)."""
    if params and key in params and params[key].description:
        return params[key].description
    return key
