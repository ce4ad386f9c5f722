"""Step 1 — promises, advertising and the market norm: how expectations form and drift.

Sources: Oliver (1980) expectation-disconfirmation; Parasuraman, Zeithaml &
Berry (1985) gap 4 (promises vs delivery); seed 001 section 8 (keep promises
modest) and section 6 (what all firms offer becomes the norm).

All values here are float64 except a customer's expectation (float32).
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import formula


@formula
def segment_service_level(service_level: float, tiering: float, relative_value: float) -> float:
    """Service level a firm designs for a segment (float64).

    ``sl_s = clip(sl * (1 + tiering * (v_s / v_mean - 1)), 0, 1)``, with
    ``relative_value = v_s / v_mean`` and ``v_mean`` the share-weighted mean
    segment value: a differentiated firm (tiering > 0) serves high-value
    segments better (seed 000: China Mobile, ABB).  With tiering 0 every
    segment gets ``sl``.
    """
    return min(max(service_level * (1.0 + tiering * (relative_value - 1.0)), 0.0), 1.0)


@formula
def promised_quality(service_level: float, promise: float) -> float:
    """Quality a firm promises: ``P = clip(promise * sl, 0, 1)`` (promise 1 = no gap)."""
    return min(max(service_level * promise, 0.0), 1.0)


@formula
def prospect_expectation(promised: float, norm: float, promise_weight: float) -> float:
    """Expectation of a firm held by someone who has not tried it (float64).

    ``E0 = w * P + (1 - w) * R``: a blend of the firm's promise and the
    market norm R (Zeithaml, Berry & Parasuraman 1993: explicit promises and
    past experience in the market shape expectations).  A new customer's
    expectation is ``E0`` rounded to float32.
    """
    return promise_weight * promised + (1.0 - promise_weight) * norm


@formula
def offered_quality(level_sum_weighted: float, customers: int, level_sum: float,
                    n_firms: int) -> float:
    """Quality the market offers a segment, ``Qbar`` (float64).

    The customer-weighted mean of the firms' service levels for the segment,
    ``sum_f n_fs sl_fs / sum_f n_fs``; the plain mean over firms when the
    segment has no customers yet.
    """
    return level_sum_weighted / max(customers, 1) if customers > 0 else level_sum / n_firms


@formula
def update_norm(norm: float, offered: float, drift_per_day: float, adaptation: float) -> float:
    """Market norm (reference expectation) of a segment, one day later (float64).

    ``R' = clip(R + drift + a * (Qbar - R), 0, 1)`` with ``Qbar`` the quality
    the firms offer (:func:`offered_quality`): expectations follow what the
    market offers and drift upward over time (seed 001 section 6).
    """
    return min(max(norm + drift_per_day + adaptation * (offered - norm), 0.0), 1.0)


@formula
def pull_rate(advertising: float, advertising_pull: float, norm_adaptation: float) -> float:
    """Rate at which a day of advertising and market talk moves an expectation (float64).

    The pull ``E' = E + k_ad * w(t) * adv * (P - E) + a * (R - E)`` is linear in E
    (``w(t)``: :func:`promise_pull_weight`; pass ``k_ad * w`` as ``advertising_pull``):
    ``E' = E + rate * (target - E)`` with ``rate = k_ad * adv + a`` and
    ``target = (k_ad * adv * P + a * R) / rate`` (:func:`pull_target`): the
    firm's repeated promise and the market norm pull the expectation toward
    themselves.
    """
    return advertising_pull * advertising + norm_adaptation


@formula
def pull_target(advertising: float, promised: float, norm: float, advertising_pull: float,
                norm_adaptation: float) -> float:
    """Where advertising and the norm pull an expectation: ``(k_ad adv P + a R) / rate``
    (float64; ``rate`` of :func:`pull_rate`, taken as 1 when it is 0).
    """
    rate = pull_rate(advertising, advertising_pull, norm_adaptation)
    pulled = advertising_pull * advertising * promised + norm_adaptation * norm
    return pulled / (rate if rate > 0 else 1.0)


@formula
def pulled_expectation(expectation: np.float32, rate: np.float32,
                       target: np.float32) -> np.float32:
    """A customer's expectation after a day of advertising and market talk (float32).

    ``E' = clip(E + rate (target - E), 0, 1)``, computed in float32 as
    ``(target - E) * rate + E`` from the float32 ``rate`` and ``target`` of the
    customer's (firm, segment) (:func:`pull_rate`, :func:`pull_target`).
    """
    return min(max((target - expectation) * rate + expectation, np.float32(0.0)),
               np.float32(1.0))


@formula
def promise_pull_weight(tenure: int, fade_days: float) -> float:
    """How much of the promise's pull reaches a customer of ``tenure`` days with the firm:
    ``w(t) = T / (T + t)`` (1 for a prospect or a new customer, 1/2 after ``T =
    fade_days`` days): experience, not the firm's repeated promise, shapes an experienced
    customer's expectation (Boulding, Kalra, Staelin & Zeithaml 1993).
    """
    return fade_days / (fade_days + max(tenure, 0))
