"""How servsim declares a parameter: :func:`param` (a numeric dataclass field with its
registry metadata: plausible and allowed ranges, unit, source, ODD sections) and
:func:`label` (a string choice), the shared bounds and source strings, and
:class:`ParameterError`.  The parameter groups are in :mod:`servsim.param_groups`
(segments, network, strategy, org, stage, firms, market) and
:mod:`servsim.behaviour_params`; :mod:`servsim.params` composes and validates them.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

NETWORK_KINDS = ("small_world", "random", "scale_free", "complete")

JUDGEMENT = "judgement"
"""Source of a value chosen by the modellers' judgement (no published estimate)."""

CALIBRATION = "calibration choice, see docs/validation.md"
"""Source of a default set in the calibration (docs/validation.md shows its effect)."""

MONEY_MAX = 1e9
"""Largest money amount per unit (cu): per-customer values are float32 and are summed over
up to a billion customers a day, so larger amounts would overflow or lose all precision."""

DAYS_MAX = 36_500
"""Largest duration in days a parameter may take (a century; int32 day counters)."""

HORIZON_MAX = 100_000
"""Largest simulated horizon ``sim.days`` (the per-step table holds days x firms x metrics)."""

SLOPE_MAX = 100.0
"""Largest logit weight or slope: beyond it the logistic functions are 0 or 1 to float64."""

CUSTOMERS_MAX = 1_000_000_000
"""Largest population: customer indexes of the network and the queues are int32 (< 2^31)."""

MAX_SEGMENTS = 127
"""Most segments a market may have: the customers' segment index is int8."""

MAX_COMPETITORS = 30
"""Most competitors a market may have (the firm index is int8; attitude memory grows as N x F)."""

SEED_MAX = 2**63 - 1
"""Largest seed (numpy's generators take any non-negative integer; this is int64's maximum)."""


class ParameterError(ValueError):
    """A parameter is outside its allowed range; the message names key, value and range."""


def param(
    default: float,
    low: float,
    high: float,
    *,
    bounds: tuple[float, float],
    dist: str | None = None,
    unit: str = "",
    source: str = JUDGEMENT,
    range_source: str = JUDGEMENT,
    symbol: str = "",
    odd: tuple[str, ...] = (),
    open_low: bool = False,
    relative: bool = False,
    constraint: str = "",
) -> Any:
    """Declare a numeric dataclass field with its registry metadata.

    Parameters
    ----------
    default
        The schema's default (an ``int`` default makes an integer parameter).
    low, high
        Plausible range, for sampling and sliders; with ``relative`` these are
        factors of the composed value (e.g. 0.5 and 2 around a segment's value).
    bounds
        Allowed range, checked by :func:`validate` (closed unless ``open_low``).
    dist
        Sampling distribution: ``"uniform"``, ``"loguniform"`` or ``"integer"``
        (the default for an ``int`` field; ``"uniform"`` otherwise).
    unit, source, range_source, symbol
        Unit; source of the default (or "judgement"); source of the plausible
        range; the symbol the ODD's equations use.
    odd
        ODD sections whose parameter table lists it (the first one holds its source).
    open_low
        The lower bound is excluded (e.g. a price must be above 0).
    constraint
        A joint constraint with other parameters (e.g. "segment shares sum to 1"):
        such parameters cannot be varied alone and samplers leave them out.
    """
    integer = isinstance(default, int) and not isinstance(default, bool)
    dist = dist or ("integer" if integer else "uniform")
    if dist not in ("uniform", "loguniform", "integer"):
        raise ValueError(f"unknown distribution {dist!r}")
    lo, hi = bounds
    if integer:
        lo, hi = int(lo), int(hi)
    metadata = {
        "low": low, "high": high, "bounds": (lo, hi), "dist": dist, "unit": unit,
        "source": source, "range_source": range_source, "symbol": symbol, "odd": odd,
        "open_low": open_low, "relative": relative, "constraint": constraint,
        "integer": integer,
    }
    return field(default=default, metadata=metadata)


def label(default: str, *, choices: tuple[str, ...] = (), source: str = "—",
          odd: tuple[str, ...] = (), meaning: str = "") -> Any:
    """Declare a text field (a preset's name, or one of ``choices``) with its ODD metadata."""
    return field(default=default, metadata={"choices": choices, "source": source, "odd": odd,
                                            "meaning": meaning})


_UNIT = (0.0, 1.0)
_OFF_UNLESS_CALIBRATED = ("off unless calibrated: judgement (the `cdnow` calibration fits it, "
                          "docs/calibration.md)")
DROPOUT_TIMINGS = ("occasion", "after_purchase", "daily")
_MONEY = (0.0, MONEY_MAX)
_SLOPE = (0.0, SLOPE_MAX)
_DAYS = (1, DAYS_MAX)
_SHARE_OF_SEGMENTS = "market.segments.*.share sum to 1"
_INITIAL_SHARES = "market.focal_initial_share + market.competitors.*.initial_share <= 1"
_RECOVERY_WEIGHTS = "behaviour.recovery_weight_* sum to 1"
_THRESHOLDS = "repeat_threshold <= loyal_threshold <= advocate_threshold"
