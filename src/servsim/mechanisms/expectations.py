"""Step 1 — promises, advertising and the market norm: how expectations form and drift.

Sources: Oliver (1980) expectation-disconfirmation; Parasuraman, Zeithaml &
Berry (1985) gap 4 (promises vs delivery); seed 001 section 8 (keep promises
modest) and section 6 (what all firms offer becomes the norm).
"""

from __future__ import annotations

import numpy as np


def segment_service_levels(
    service_level: float, tiering: float, relative_value: np.ndarray
) -> np.ndarray:
    """Service level a firm designs for each segment.

    ``sl_s = clip(sl * (1 + tiering * (v_s / v_mean - 1)), 0, 1)``, with
    ``relative_value = v_s / v_mean`` and ``v_mean`` the share-weighted mean
    segment value: a differentiated firm (tiering > 0) serves high-value
    segments better (seed 000: China Mobile, ABB).  With tiering 0 every
    segment gets ``sl``.
    """
    return np.clip(service_level * (1.0 + tiering * (relative_value - 1.0)), 0.0, 1.0)


def promised_quality(service_level: np.ndarray, promise: float) -> np.ndarray:
    """Quality a firm promises: ``P = clip(promise * sl, 0, 1)`` (promise 1 = no gap)."""
    return np.clip(np.asarray(service_level) * promise, 0.0, 1.0)


def prospect_expectation(promised: np.ndarray, norm: np.ndarray, promise_weight: float):
    """Expectation of a firm held by someone who has not tried it.

    ``E0 = w * P + (1 - w) * R``: a blend of the firm's promise and the
    market norm R (Zeithaml, Berry & Parasuraman 1993: explicit promises and
    past experience in the market shape expectations).
    """
    return promise_weight * promised + (1.0 - promise_weight) * norm


def update_norm(
    norm: np.ndarray, offered: np.ndarray, drift_per_day: float, adaptation: float
) -> np.ndarray:
    """Market norm (reference expectation) per segment, one day later.

    ``R' = clip(R + drift + a * (Qbar - R), 0, 1)`` with ``Qbar`` the
    share-weighted quality the firms offer: expectations follow what the
    market offers and drift upward over time (seed 001 section 6).
    """
    return np.clip(norm + drift_per_day + adaptation * (offered - norm), 0.0, 1.0)


def pull_expectation(
    expectation: np.ndarray,
    promised: np.ndarray,
    norm: np.ndarray,
    advertising: np.ndarray,
    advertising_pull: float,
    norm_adaptation: float,
) -> np.ndarray:
    """A customer's expectation after a day of advertising and market talk.

    ``E' = E + k_ad * adv * (P - E) + a * (R - E)``: the firm's repeated
    promise and the market norm pull the expectation toward themselves.
    """
    return (
        expectation
        + advertising_pull * advertising * (promised - expectation)
        + norm_adaptation * (norm - expectation)
    )
