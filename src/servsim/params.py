"""Parameters of a servsim run: one dataclass per config group.

The same names appear in the YAML files under ``configs/`` (Hydra stores these
dataclasses as the schema of each group), in :func:`servsim.simulate`, in the
dashboard's controls and in sensitivity-analysis problems.  Every default
here is the documented default calibration of ``docs/ODD.md``.

Vocabulary (after EMA Workbench): the *market* holds the uncertainties a firm
does not control (segments, network, competitors, expectation drift); the
*strategy*, *org* and *stage* groups are the levers a firm chooses;
*behaviour* holds the behavioural constants of customers and staff (also
uncertainties); *sim* holds run settings (size, horizon, seed).

Units: time in days (one step = one day unless stated); money in abstract
currency units (cu); quality, satisfaction, morale, skill, authority in [0, 1].

The parameter registry
----------------------
Every numeric field is declared with :func:`param`, whose dataclass field
metadata is the one place that holds, for that parameter, its *plausible*
range and distribution (what samplers, sliders and sensitivity analyses
use), its *allowed* range (what :func:`validate` accepts: capped to what the
engine's types hold), its unit, the source of its default (or "judgement")
and the ODD sections that document it.  :mod:`servsim.registry` turns this
metadata into :class:`servsim.registry.Parameter` records for a composed
market and writes the ODD's parameter tables from it.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
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
DROPOUT_TIMINGS = ("occasion", "after_purchase")
_MONEY = (0.0, MONEY_MAX)
_SLOPE = (0.0, SLOPE_MAX)
_DAYS = (1, DAYS_MAX)
_SHARE_OF_SEGMENTS = "market.segments.*.share sum to 1"
_INITIAL_SHARES = "market.focal_initial_share + market.competitors.*.initial_share <= 1"
_RECOVERY_WEIGHTS = "behaviour.recovery_weight_* sum to 1"
_THRESHOLDS = "repeat_threshold <= loyal_threshold <= advocate_threshold"


@dataclass
class SegmentParams:
    """A customer segment of a market (e.g. large state-owned buyers)."""

    share: float = param(1.0, 0.0, 1.0, bounds=_UNIT, constraint=_SHARE_OF_SEGMENTS,
                         source="scenario choice", odd=("5", "7.1"))
    """Share of the population in this segment; shares sum to 1."""
    value: float = param(100.0, 0.5, 2.0, bounds=_MONEY, relative=True, dist="loguniform",
                         unit="cu", source="calibration choice", odd=("7.11", "7.1"))
    """Spend per purchase at price index 1 (cu); each customer's is this times a
    LogNormal(-0.125, 0.5) multiplier of mean 1."""
    price_sensitivity: float = param(1.0, 0.3, 2.5, bounds=_SLOPE, symbol="β_s",
                                     source="calibration choice", odd=("7.9",))
    """Weight of price in the choice utility (>= 0)."""
    expectation: float = param(0.6, 0.4, 0.9, bounds=_UNIT, symbol="R_s", source=CALIBRATION,
                               odd=("7.1", "5"))
    """Initial expected service quality in [0, 1] (the segment's reference)."""
    need_rate: float = param(0.02, 0.004, 0.04, bounds=_UNIT, dist="loguniform",
                             unit="per customer-day",
                             source=CALIBRATION + "; sets utilization (7.16)", odd=("7.2",))
    """Service needs per customer-day (encounters with frontline staff)."""
    purchase_rate: float = param(0.033, 0.004, 0.05, bounds=_UNIT, dist="loguniform",
                                 unit="per customer-day", source=CALIBRATION, odd=("7.10",))
    """Purchase occasions per customer-day (times the customer's ``rate_multiplier``)."""
    rate_shape: float = param(0.0, 0.0, 5.0, bounds=(0.0, 1e6), symbol="r",
                              odd=("7.10",), source=_OFF_UNLESS_CALIBRATED)
    """Shape r of each customer's Gamma(r, 1/r) purchase-rate multiplier (mean 1; the
    BTYD models' r, α = r / purchase_rate); 0 = off (every multiplier exactly 1).  Small
    r > 0 is *strong* heterogeneity (CDNOW: r ≈ 0.25), so the range is not continuous at 0."""
    dropout_sd: float = param(0.0, 0.0, 2.0, bounds=(0.0, 100.0), symbol="σ_d", odd=("7.10",),
                              source=_OFF_UNLESS_CALIBRATED)
    """Sd of each customer's Normal(0, σ_d) offset on the defection logit; 0 = off."""
    dropout_concentration: float = param(0.0, 0.0, 20.0, bounds=(0.0, 1e6),
                                         symbol="κ", odd=("7.10",),
                                         source=_OFF_UNLESS_CALIBRATED)
    """Beta alternative (used when > 0, instead of σ_d): the offset is logit(B) − logit(c0)
    with B ~ Beta(κ c0, κ (1 − c0)), so that at neutral satisfaction and attitude P(defect)
    is the BG/NBD's beta-distributed p (a = κ c0, b = κ (1 − c0)); 0 = off."""
    complaint_propensity: float = param(
        0.04, 0.02, 0.6, bounds=_UNIT, symbol="p_c", odd=("7.6",),
        source="TARP 1979/1986: ~1 complaint per ~25 dissatisfied consumers; B2B higher "
               "(`company_a` 0.15–0.5)")
    """P(complaint | failure): TARP, ~1 complaint per ~25 silent dissatisfied (consumer)."""
    patience_days: int = param(14, 2, 30, bounds=_DAYS, unit="days", source=CALIBRATION,
                               odd=("7.3", "7.6"))
    """Days a customer waits before giving up: on an open complaint (unresolved: penalty)
    or on an unserved service request (counted as a failure)."""


@dataclass
class NetworkParams:
    """The customers' social network, over which word of mouth travels."""

    kind: str = label("small_world", choices=NETWORK_KINDS, odd=("7.13",),
                      source="Watts & Strogatz 1998; Rand & Rust 2011 (clustered networks for "
                             "marketing ABMs)")
    """One of small_world (Watts-Strogatz), random (Erdos-Renyi), scale_free
    (Barabasi-Albert), complete (fully mixed, no edge list)."""
    mean_degree: int = param(10, 4, 20, bounds=(1, 1000), symbol="k", source="calibration choice",
                             odd=("7.13",))
    """Mean number of ties per customer (ignored for complete)."""
    rewire_prob: float = param(0.1, 0.02, 0.3, bounds=_UNIT, odd=("7.13",),
                               source="Watts & Strogatz 1998 (small-world regime); value a "
                                      "calibration choice")
    """Watts-Strogatz rewiring probability (small_world only)."""


@dataclass
class StrategyParams:
    """What a firm decides about its service (seed 000 positioning and seed 001 principles)."""

    name: str = label("custom", meaning="the strategy preset's name (a label)", odd=("5",))
    service_level: float = param(0.65, 0.4, 0.95, bounds=_UNIT, symbol="sl", source=CALIBRATION,
                                 odd=("7.1",))
    """Designed service quality in [0, 1] for a segment of average value."""
    tiering: float = param(0.0, 0.0, 1.0, bounds=_UNIT, odd=("7.1",),
                           source="seed 000 (differentiated positioning); value a calibration "
                                  "choice")
    """Service-level differentiation by segment value in [0, 1]: 0 = same service for all,
    1 = service level scaled fully with the segment's relative value (seed 000,
    China Mobile's brands)."""
    price: float = param(1.0, 0.6, 1.6, bounds=(0.0, 100.0), open_low=True,
                         source="calibration choice", odd=("7.9", "7.11"))
    """Price index relative to the market's reference price (> 0)."""
    product_quality: float = param(
        0.65, 0.4, 0.95, bounds=_UNIT, symbol="pq", odd=("7.9",),
        source="seed 000 (Company A's products behind the foreign brand's, 产品不如人); "
               "value per preset a judgement")
    """Product quality in [0, 1], separate from the designed service level; enters choice
    utility (b_g pq)."""
    brand: float = param(0.0, -1.0, 1.0, bounds=(-SLOPE_MAX, SLOPE_MAX), symbol="br",
                         odd=("7.9",), source="judgement (brand equity as a utility shift, "
                                             "Keller 1993); 0 = no brand premium")
    """Brand strength in utility units, added to the firm's choice utility."""
    promise: float = param(1.0, 0.8, 1.3, bounds=(0.0, 3.0), open_low=True, odd=("7.1",),
                           source="seed 001 §8; Parasuraman, Zeithaml & Berry 1985 (gap 4); "
                                  "1 = no gap")
    """Promised quality / designed quality (seed 001 section 8): 1 = promise what is delivered."""
    advertising: float = param(0.5, 0.0, 1.0, bounds=_UNIT, symbol="adv", source=CALIBRATION,
                               odd=("7.1", "7.9"))
    """Advertising intensity in [0, 1]; scales the market's innovation coefficient."""
    advertising_cost: float = param(2.0, 0.5, 5.0, bounds=_MONEY, unit="cu",
                                    source="calibration choice", odd=("7.11",))
    """Advertising spend per day per 1,000 customers in the market, at intensity 1 (cu)."""
    service_level_target: float = param(
        0.8, 0.5, 0.95, bounds=(0.0, 0.999), unit="share answered at once", symbol="SL",
        source="Gans, Koole & Mandelbaum 2003 (the 80/20 convention of call centres; "
               "Erlang C staffing); see 7.16 (utilization)",
        odd=("7.12", "7.3"))
    """Service-level target: the share of service requests the firm staffs to answer without
    waiting; the frontline team is the smallest with Erlang-C P(wait) <= 1 - target (at
    least 1 person; 0 staffs the smallest stable team); the firm also staffs its proactive
    contract work (stage.proactive_rate)."""
    training: float = param(0.3, 0.0, 1.0, bounds=_UNIT, source="calibration choice",
                            odd=("7.12", "7.11"))
    """Training intensity in [0, 1]: share of the maximum training effort."""
    training_cost: float = param(40.0, 10.0, 80.0, bounds=_MONEY, unit="cu",
                                 source="calibration choice", odd=("7.11",))
    """Training cost per staff-day at intensity 1 (cu)."""
    wage: float = param(200.0, 150.0, 300.0, bounds=_MONEY, unit="cu per staff-day",
                        source="calibration choice (equal to the market wage)",
                        odd=("7.11", "7.12"))
    """Wage per staff-day (cu); its ratio to the market wage lifts morale."""
    compensation: float = param(0.2, 0.0, 0.6, bounds=(0.0, 2.0), symbol="c", odd=("7.7", "7.11"),
                                source="calibration choice; presets 0.05 (lowcost) to 0.5 "
                                       "(premium)")
    """Compensation offered on recovery, as a share of the customer's purchase value."""
    complaint_handling: float = param(1.0, 0.5, 1.0, bounds=_UNIT, source="seed 001 §2",
                                      odd=("7.6",))
    """Share of complaints the firm acts on; the rest are ignored (seed 001 section 2)."""
    loyalty_premium: float = param(0.05, 0.0, 0.15, bounds=_UNIT, odd=("7.11",),
                                   source="seed 002 (direction); value a calibration choice")
    """Extra price loyal and advocate customers accept (share of the purchase)."""
    cross_buy: float = param(0.15, 0.0, 0.3, bounds=(0.0, 2.0), odd=("7.11",),
                             source="seed 002 (direction); value a calibration choice")
    """Extra purchases (share of value) loyal and advocate customers make (seed 002)."""
    cost_per_encounter: float = param(20.0, 10.0, 40.0, bounds=_MONEY, unit="cu",
                                      source=CALIBRATION, odd=("7.4", "7.11"))
    """Material cost of one service encounter at service level 1 (cu), scaled by level**κ."""
    quality_cost_curvature: float = param(
        2.0, 1.0, 3.0, bounds=(1.0, 10.0), symbol="κ", odd=("7.11",),
        source="judgement: convex cost of quality (quadratic, as in the quality-choice models "
               "of Mussa & Rosen 1978 and Moorthy 1988; 1 = linear)")
    """Curvature of the cost of designed service quality: an encounter at level q costs
    cost_per_encounter * q**κ (κ >= 1; 1 = linear, 2 = quadratic)."""
    acquisition_cost: float = param(
        1.0, 0.25, 3.0, bounds=(0.0, 1000.0), unit="mean purchases per account",
        odd=("7.11",),
        source="seed 002 (cost of developing new customers); value judgement (Gupta, "
               "Lehmann & Stuart 2004: acquisition costs of the order of a few months' "
               "margin per customer)")
    """Cost of acquiring one account (prospect, lapsed or switcher won), in multiples of the
    market's mean purchase value (share-weighted segment value at price 1)."""


@dataclass
class OrgParams:
    """How the firm's people decide: pyramid or inverted pyramid (seed 003)."""

    name: str = label("pyramid", meaning="the organisation preset's name (a label)", odd=("5",))
    frontline_authority: float = param(
        0.2, 0.0, 1.0, bounds=_UNIT, odd=("7.6", "7.12"),
        source="seed 003 (inverted pyramid); pyramid preset 0.2, inverted 0.8")
    """Share of complaints a frontline employee may settle on the spot, in [0, 1]."""
    approval_levels: int = param(3, 1, 5, bounds=(1, 10), symbol="L", odd=("7.6",),
                                 source="seed 003 (pyramid: team lead → department → "
                                        "management)")
    """Levels of approval an escalated complaint climbs (>= 1)."""
    level_delay_days: int = param(1, 0, 5, bounds=(0, 60), symbol="d", unit="days",
                                  source=CALIBRATION, odd=("7.6",))
    """Minimum days each approval level adds (paperwork), >= 0."""
    manager_span: int = param(10, 5, 20, bounds=(1, 10_000), odd=("7.12",),
                              source="calibration choice (pyramid and inverted presets alike)")
    """Frontline staff per manager (>= 1)."""
    manager_capacity: float = param(12.0, 6.0, 20.0, bounds=(0.0, 1e6), open_low=True,
                                    unit="tasks per manager-day", source=CALIBRATION,
                                    odd=("7.6", "7.12"))
    """Tasks a manager handles per day (approvals + coaching sessions)."""
    control_share: float = param(0.7, 0.1, 0.9, bounds=_UNIT, odd=("7.6", "7.12"),
                                 source="seed 003 (control vs support); pyramid 0.7, inverted 0.2")
    """Share of manager capacity spent on approvals and control; the rest coaches."""


@dataclass
class StageParams:
    """Maturity of the service function (seed 004): reactive, standardized, productized."""

    name: str = label("reactive", meaning="the service stage preset's name (a label)", odd=("5",))
    standardization: float = param(
        0.0, 0.0, 0.6, bounds=(0.0, 0.95), odd=("7.4",),
        source="seed 004 / seed 003 (norms); `standardized` preset 0.30 (assumption)")
    """Relative reduction of failure probability by service norms, in [0, 1)."""
    followup_rate: float = param(0.0, 0.0, 0.5, bounds=_UNIT, odd=("7.6",),
                                 source="seed 003/004; `standardized` preset 0.30")
    """Share of encounters followed up by a call (each costs followup_cost); a followed-up
    silent failure is surfaced as a complaint.  In [0, 1]."""
    followup_cost: float = param(2.0, 1.0, 5.0, bounds=_MONEY, unit="cu",
                                 source="calibration choice (a short phone call)",
                                 odd=("7.6", "7.11"))
    """Cost per follow-up contact (cu)."""
    contract_uptake: float = param(0.0, 0.0, 0.1, bounds=_UNIT, odd=("7.10",),
                                   source="seed 004; `productized` preset 0.05")
    """P(a customer buys a service contract at a satisfied purchase), in [0, 1]."""
    contract_fee: float = param(0.0, 0.0, 2.0, bounds=_MONEY, unit="cu per contract-day",
                                source="seed 004; `productized` preset 1.0", odd=("7.11",))
    """Fee per contracted customer-day (cu)."""
    proactive_rate: float = param(
        0.0, 0.0, 0.03, bounds=_UNIT, unit="per contract-day", odd=("7.2",),
        source="seed 004 (productized stage); `productized` preset 0.011 (about one "
               "inspection a quarter)")
    """Proactive contacts per contracted customer-day."""
    proactive_prevention: float = param(0.0, 0.0, 0.8, bounds=_UNIT, odd=("7.4",),
                                        source="seed 004; `productized` preset 0.5")
    """Share of a contract holder's failures that proactive maintenance prevents, in [0, 1]
    (applies to every encounter of a contracted customer)."""
    proactive_cost: float = param(15.0, 5.0, 30.0, bounds=_MONEY, unit="cu",
                                  source="calibration choice", odd=("7.11",))
    """Cost of one proactive contact (cu)."""
    service_fee: float = param(0.0, 0.0, 10.0, bounds=_MONEY, unit="cu",
                               source="seed 004; `productized` preset 5.0", odd=("7.11",))
    """Fee billed per service encounter (cu); 0 = service given free as a cost."""


@dataclass
class FirmParams:
    """A competitor in a market: its name, strategy, organisation and service stage."""

    name: str = label("competitor", meaning="the competitor's name in outputs (a label)")
    initial_share: float = param(0.0, 0.0, 1.0, bounds=_UNIT, constraint=_INITIAL_SHARES,
                                 source="scenario choice", odd=("5",))
    """Share of the population that are this firm's customers at day 0."""
    strategy: StrategyParams = field(default_factory=StrategyParams)
    org: OrgParams = field(default_factory=OrgParams)
    stage: StageParams = field(default_factory=StageParams)
    overhead: float = param(0.0, 0.0, 5000.0, bounds=_MONEY, unit="cu per day per 1,000 "
                            "customers in the market", odd=("7.11",),
                            source="servsim.calibration.margins (the market's net margin)")
    """This competitor's fixed overhead: a daily cost independent of its own volume, per
    1,000 customers in the market (like advertising); set by the margins calibration."""


@dataclass
class MarketParams:
    """The market: segments, social network, competitors and expectation drift."""

    name: str = label("single_firm", meaning="the market preset's name (a label)", odd=("5",))
    segments: dict[str, SegmentParams] = field(
        default_factory=lambda: {"all": SegmentParams()}
    )
    network: NetworkParams = field(default_factory=NetworkParams)
    competitors: dict[str, FirmParams] = field(default_factory=dict)
    focal_initial_share: float = param(0.0, 0.0, 1.0, bounds=_UNIT, constraint=_INITIAL_SHARES,
                                       source="scenario choice (`company_a` 0.30)", odd=("5",))
    """Share of the population that are the focal firm's customers at day 0."""
    innovation: float = param(0.002, 0.0005, 0.005, bounds=_UNIT, dist="loguniform", symbol="p",
                              unit="per prospect-day", odd=("7.9",),
                              source="Bass 1969 (form); value per day a " + CALIBRATION)
    """Bass p: adoption hazard per prospect-day from advertising at intensity 1."""
    imitation: float = param(0.03, 0.01, 0.08, bounds=_UNIT, dist="loguniform", symbol="q",
                             unit="per prospect-day", odd=("7.9",),
                             source="Bass 1969 (form); value a " + CALIBRATION)
    """Bass q: adoption hazard per prospect-day when all of one's ties recommend."""
    expectation_drift: float = param(0.02, 0.0, 0.05, bounds=(-1.0, 1.0), symbol="drift",
                                     unit="per year", odd=("7.1",),
                                     source="seed 001 §6; value a calibration choice")
    """Upward drift of the market's expected quality per year (seed 001 section 6)."""
    norm_adaptation: float = param(0.002, 0.0005, 0.01, bounds=_UNIT, dist="loguniform",
                                   symbol="a", unit="per day", odd=("7.1",),
                                   source=CALIBRATION + " (half-life ≈ 347 days)")
    """Daily rate at which the market norm moves toward the share-weighted quality offered,
    and at which each customer's expectation is pulled toward the norm."""
    cost_of_goods: float = param(0.6, 0.3, 0.75, bounds=_UNIT, odd=("7.11",),
                                 source="calibration choice (gross margin 40% at the reference "
                                        "price)")
    """Cost of goods as a share of a purchase's value at price index 1."""
    market_wage: float = param(200.0, 150.0, 250.0, bounds=_MONEY, open_low=True,
                               unit="cu per staff-day", source="calibration choice",
                               odd=("7.12",))
    """Reference wage per staff-day (cu); a firm's wage relative to it lifts morale."""
    hiring_cost: float = param(2000.0, 1000.0, 5000.0, bounds=_MONEY, unit="cu",
                               source="calibration choice", odd=("7.11", "7.12"))
    """Cost of hiring and onboarding one employee (cu)."""
    # rivals' price response (mechanisms/rivals.py; off by default)
    reaction: str = label("none", choices=("none", "follow", "best_response"), odd=("7.18",),
                          source="judgement (off: the strategies' prices hold)")
    """Competitors' price response: none, follow (move toward the focal's price) or
    best_response (periodic myopic best response over a price grid)."""
    review_days: int = param(30, 7, 90, bounds=_DAYS, unit="days", odd=("7.18",),
                             source="judgement (monthly price reviews)")
    """Days between competitors' price reviews (at the start of days review_days, 2 x ...)."""
    reaction_speed: float = param(0.5, 0.1, 1.0, bounds=_UNIT, symbol="λ", odd=("7.18",),
                                  source="judgement (partial adjustment)")
    """Share of the gap to the target price a competitor closes at each review."""
    reaction_weight: float = param(0.5, 0.0, 1.0, bounds=_UNIT, symbol="w", odd=("7.18",),
                                   source="judgement")
    """follow: where the target lies between a rival's own starting price (0) and the
    focal's price (1)."""
    reaction_elasticity: float = param(-2.0, -3.0, -1.0, bounds=(-SLOPE_MAX, -0.01),
                                       symbol="ε", odd=("7.18",),
                                       source="Tellis 1988 (-1.76); Bijmolt, van Heerde & "
                                              "Pieters 2005 (-2.62)")
    """best_response: the own-price elasticity of customers a competitor believes it faces."""
    reaction_price_min: float = param(0.7, 0.5, 1.0, bounds=(0.01, 100.0), odd=("7.18",),
                                      source="judgement")
    """Lowest price index a reacting competitor sets (the grid's lower end)."""
    reaction_price_max: float = param(2.0, 1.4, 3.0, bounds=(0.01, 100.0), odd=("7.18",),
                                      source="judgement")
    """Highest price index a reacting competitor sets (the grid's upper end)."""
    overhead: float = param(0.0, 0.0, 5000.0, bounds=_MONEY, unit="cu per day per 1,000 "
                            "customers in the market", odd=("7.11",),
                            source="servsim.calibration.margins (the market's net margin)")
    """The focal firm's fixed overhead: a daily cost independent of its own volume, per
    1,000 customers in the market (like advertising); set by the margins calibration
    (competitors: market.competitors.NAME.overhead)."""


_AS_ABOVE_FAILURE = "Bitner, Booms & Tetreault 1990 (cause class); value a calibration choice"
_RECOVERY = ("Tax, Brown & Chandrashekaran 1998 (components); values a calibration choice, "
             "see docs/validation.md")
_PARADOX = ("McCollough et al. 2000; Smith & Bolton 1998 (conditionality); value a calibration "
            "choice")
_LIFECYCLE = "seed 002 (lifecycle); value a calibration choice"
_ISQ = "Heskett et al. 1994 (internal service quality); value a calibration choice"


@dataclass
class BehaviourParams:
    """Behavioural constants of customers and staff (default calibration, docs/ODD.md)."""

    # perception and satisfaction
    quality_noise: float = param(0.08, 0.03, 0.15, bounds=_UNIT, symbol="σ", source=CALIBRATION,
                                 odd=("7.4",))
    """Standard deviation of perceived quality around delivered quality."""
    skill_weight: float = param(0.3, 0.1, 0.5, bounds=(0.0, 10.0), symbol="w_k",
                                source=CALIBRATION, odd=("7.4",))
    """How much staff skill shifts delivered quality (at skill 0.5 the shift is 0)."""
    morale_weight: float = param(0.2, 0.05, 0.4, bounds=(0.0, 10.0), symbol="w_m", odd=("7.4",),
                                 source="Heskett et al. 1994 (direction); value a calibration "
                                        "choice")
    """How much staff morale shifts delivered quality (at morale 0.5 the shift is 0)."""
    wait_penalty: float = param(0.05, 0.01, 0.1, bounds=(0.0, 10.0), symbol="w_wait",
                                unit="per day", odd=("7.4",),
                                source="Taylor 1994 (direction); value a calibration choice")
    """Perceived-quality loss per day of waiting for service."""
    failure_severity: float = param(0.4, 0.2, 0.6, bounds=(0.0, 10.0), source=CALIBRATION,
                                    odd=("7.4",))
    """Perceived-quality loss of a service failure."""
    base_failure: float = param(0.05, 0.02, 0.1, bounds=_UNIT, open_low=True, dist="loguniform",
                                symbol="φ0", source=CALIBRATION, odd=("7.4",))
    """Failure probability at skill, morale and service level 0.5 and no overload."""
    failure_skill: float = param(2.0, 1.0, 3.0, bounds=_SLOPE, symbol="b_k",
                                 source=_AS_ABOVE_FAILURE, odd=("7.4",))
    failure_morale: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="b_m",
                                  source=_AS_ABOVE_FAILURE, odd=("7.4",))
    failure_level: float = param(1.5, 0.75, 2.25, bounds=_SLOPE, symbol="b_l",
                                 source=_AS_ABOVE_FAILURE, odd=("7.4",))
    failure_overload: float = param(
        2.0, 1.0, 3.0, bounds=_SLOPE, symbol="b_o", odd=("7.4",),
        source=_AS_ABOVE_FAILURE + "; the overload term drives the quality-erosion spiral "
                                   "(Oliva & Sterman 2001)")
    """Logit slopes of failure probability on skill, morale, level and overload."""
    satisfaction_gain: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="g", source=CALIBRATION,
                                     odd=("7.5",))
    """Slope of transaction satisfaction on (loss-weighted) disconfirmation."""
    loss_aversion: float = param(
        2.25, 1.5, 3.0, bounds=_SLOPE, symbol="λ", odd=("7.5",),
        source="Kahneman & Tversky 1979 (form); 2.25 is Tversky & Kahneman's (1992) estimate; "
               "Anderson & Sullivan 1993 (asymmetry in satisfaction)")
    """Weight of negative vs positive disconfirmation (prospect theory, Kahneman & Tversky
    1979; the 2.25 estimate is Tversky & Kahneman 1992; in satisfaction, Anderson &
    Sullivan 1993)."""
    tolerance: float = param(0.05, 0.0, 0.1, bounds=_UNIT, symbol="z", odd=("7.5",),
                             source="Zeithaml, Berry & Parasuraman 1993; value a calibration "
                                    "choice")
    """Zone of tolerance: shortfall below expectation felt as no loss (Zeithaml et al. 1993)."""
    value_curvature: float = param(
        0.88, 0.7, 1.0, bounds=(0.05, 1.0), symbol="β", odd=("7.5",),
        source="Kahneman & Tversky 1979 (form); 0.88 is Tversky & Kahneman's (1992) estimate")
    """Exponent of the value of disconfirmation, ``v = d^β`` for gains and ``-λ (-d)^β``
    for losses beyond tolerance: diminishing sensitivity (1 is linear)."""
    assimilation: float = param(
        0.1, 0.0, 0.2, bounds=_UNIT, symbol="α", odd=("7.4", "7.5"),
        source="Anderson 1973; Boulding, Kalra, Staelin & Zeithaml 1993 (direction: "
               "expectations raise perceived quality); value judgement")
    """How far expectations colour perceived quality: the experienced quality is
    ``q + α (E - q)`` (0: no assimilation)."""
    norm_weight: float = param(0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="h", odd=("7.5",),
                               source="Cadotte, Woodruff & Jenkins 1987; value a calibration "
                                      "choice")
    """Weight of quality relative to the market norm in satisfaction (Cadotte et al. 1987)."""
    satisfaction_memory: float = param(0.3, 0.15, 0.45, bounds=_UNIT, symbol="w",
                                       source=CALIBRATION, odd=("7.5",))
    """Weight of the latest encounter in cumulative satisfaction."""
    expectation_learning: float = param(
        0.3, 0.15, 0.45, bounds=_UNIT, symbol="η", odd=("7.5",),
        source="Boulding, Kalra, Staelin & Zeithaml 1993; value a calibration choice, see 7.16")
    """Weight of the latest perceived quality in the updated expectation."""
    promise_weight: float = param(
        0.5, 0.25, 0.75, bounds=_UNIT, symbol="w_P", odd=("7.1",),
        source="Zeithaml, Berry & Parasuraman 1993 (explicit promises and past market "
               "experience shape expectations); value a calibration choice")
    """Weight of a firm's promise (vs the market norm) in a prospect's expectation of it."""
    initial_satisfaction: float = param(0.6, 0.5, 0.7, bounds=_UNIT, source=CALIBRATION,
                                        odd=("7.5", "5"))
    """Satisfaction of a customer who has just adopted (no experience yet)."""
    advertising_pull: float = param(
        0.003, 0.001, 0.01, bounds=_UNIT, dist="loguniform", symbol="k_ad", unit="per day",
        odd=("7.1",),
        source="Boulding, Kalra, Staelin & Zeithaml 1993 (experience dominates for experienced "
               "customers); value a calibration choice, see 7.16")
    """Daily pull of a customer's expectation toward the firm's promise at advertising 1."""
    promise_fade_days: float = param(
        180.0, 90.0, 365.0, bounds=(0.0, 1e9), open_low=True, symbol="T_P", unit="days",
        odd=("7.1",),
        source="Boulding, Kalra, Staelin & Zeithaml 1993 (direction: experience dominates for "
               "experienced customers); value judgement")
    """Tenure at which the promise's pull on a customer's expectation has halved:
    ``k_ad T / (T + tenure)`` (a huge value: no fading)."""
    # word of mouth
    wom_neutral: float = param(0.5, 0.45, 0.55, bounds=_UNIT, open_low=True, symbol="s_n",
                               source="calibration choice (midpoint of the scale)",
                               odd=("7.5", "7.8", "7.10"))
    """Neutral satisfaction: expectations exactly met.  The customer has nothing to say
    (word of mouth), transaction satisfaction is centred on it, and defection is measured
    from it."""
    wom_base: float = param(0.01, 0.005, 0.02, bounds=_UNIT, dist="loguniform", symbol="t0",
                            unit="per day", source=CALIBRATION, odd=("7.8",))
    """Daily probability of talking at neutral satisfaction."""
    wom_positive: float = param(0.08, 0.04, 0.12, bounds=_UNIT, symbol="t₊", odd=("7.8",),
                                source="Anderson 1998 (U shape); value a calibration choice")
    wom_negative: float = param(0.25, 0.15, 0.35, bounds=_UNIT, symbol="t₋", odd=("7.8",),
                                source="Anderson 1998 (higher at the dissatisfied end); value a "
                                       "calibration choice")
    """Extra daily talk probability at full satisfaction / full dissatisfaction
    (Anderson 1998: U-shaped, higher at the dissatisfied end)."""
    wom_attitude: float = param(0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="g_a",
                                source=CALIBRATION, odd=("7.8",))
    """Attitude change from a day's fully positive (or negative) word of mouth."""
    attitude_decay: float = param(0.02, 0.01, 0.04, bounds=_UNIT, dist="loguniform", symbol="δ",
                                  unit="per day", odd=("7.8",),
                                  source="calibration choice (half-life ≈ 35 days)")
    """Daily decay of attitude toward 0; also the rate at which lapsed customers'
    satisfaction fades toward neutral."""
    # choice
    utility_quality: float = param(4.0, 2.0, 6.0, bounds=_SLOPE, symbol="b_q", source=CALIBRATION,
                                   odd=("7.9",))
    utility_price: float = param(
        6.0, 3.0, 9.0, bounds=_SLOPE, symbol="b_p", odd=("7.9",),
        source="calibrated so the focal firms' long-run sales elasticity sits near the "
               "meta-analytic means (Tellis 1988 -1.76; Bijmolt, van Heerde & Pieters 2005 "
               "-2.62), ODD 7.9")
    utility_attitude: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="b_a",
                                    source=CALIBRATION, odd=("7.9",))
    """Logit weights of expected quality, price and attitude in firm choice."""
    utility_product: float = param(
        4.0, 2.0, 6.0, bounds=_SLOPE, symbol="b_g", odd=("7.9",),
        source="judgement: product quality weighs as much as expected service quality (seed "
               "002: satisfaction from product, service, brand and trust)")
    """Logit weight of a firm's product quality in choice (utility per unit of quality)."""
    inertia: float = param(
        4.0, 3.0, 5.0, bounds=_SLOPE, symbol="b_i", odd=("7.9",),
        source="switching costs / state dependence (Klemperer 1995; Dube, Hitsch & Rossi "
               "2010); value calibrated to yearly customer losses of 20-30% (Reichheld & "
               "Sasser 1990: firms lose 10-30% of their customers a year), ODD 7.9")
    """Utility bonus of the customer's current firm at a purchase occasion (switching cost)."""
    price_sensitivity_spread: float = param(
        0.6, 0.0, 1.0, bounds=(0.0, 5.0), symbol="σ_p", odd=("7.9",),
        source="random-coefficient logit (Berry, Levinsohn & Pakes 1995); heterogeneity in "
               "price response yields asymmetric price competition (Kamakura & Russell 1989; "
               "Blattberg & Wisniewski 1989); value judgement")
    """Spread (sigma of the log) of each customer's price-sensitivity multiplier, lognormal
    with mean 1, drawn once at the start; 0 = every customer has its segment's."""
    outside_utility: float = param(
        4.0, 3.0, 5.0, bounds=(-10_000.0, SLOPE_MAX), symbol="U_0", odd=("7.9",),
        source="McFadden 1974 (outside option); value: a typical firm's utility (about 5) a "
               "little above not buying (ODD 7.9 calibration); very negative = pure Bass")
    """Utility of not buying (U_0) in the multinomial logit among the firms: an aware
    prospect may not buy, a customer at an occasion may skip it. Very negative values
    remove the outside option (the pure Bass model)."""
    churn_base: float = param(0.02, 0.01, 0.04, bounds=_UNIT, open_low=True, dist="loguniform",
                              symbol="c0", source=CALIBRATION, odd=("7.10",))
    """P(defect) at a purchase occasion at neutral satisfaction and attitude."""
    churn_satisfaction: float = param(8.0, 4.0, 12.0, bounds=_SLOPE, symbol="c_s",
                                      source=CALIBRATION, odd=("7.10",))
    churn_attitude: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="c_a", source=CALIBRATION,
                                  odd=("7.10",))
    """Logit slopes of defection on (neutral - satisfaction) and on -attitude."""
    dropout_timing: str = label(
        "occasion", choices=DROPOUT_TIMINGS, odd=("7.10",),
        source="judgement (occasion: the seed model; after_purchase: Fader, Hardie & Lee 2005)",
        meaning="when dropout can happen: at a purchase occasion, instead of the purchase "
                "(occasion), or right after a purchase, as the BG/NBD assumes (after_purchase)")
    repeat_threshold: float = param(0.45, 0.4, 0.5, bounds=_UNIT, symbol="s_repeat",
                                    constraint=_THRESHOLDS, source=_LIFECYCLE, odd=("7.10",))
    loyal_threshold: float = param(0.6, 0.55, 0.65, bounds=_UNIT, symbol="s_loyal",
                                   constraint=_THRESHOLDS, source=_LIFECYCLE, odd=("7.10",))
    advocate_threshold: float = param(0.75, 0.7, 0.8, bounds=_UNIT, symbol="s_advocate",
                                      constraint=_THRESHOLDS, source=_LIFECYCLE, odd=("7.10",))
    """Satisfaction needed for repeat, loyal and advocate stages."""
    loyal_tenure_days: int = param(180, 90, 365, bounds=(0, DAYS_MAX), symbol="T_loyal",
                                   unit="days", source=_LIFECYCLE, odd=("7.10",))
    """Tenure needed to become loyal."""
    # complaints and recovery
    recovery_speed_days: float = param(
        3.0, 1.5, 6.0, bounds=(0.0, float(DAYS_MAX)), open_low=True, symbol="τ", unit="days",
        odd=("7.7",),
        source="Tax, Brown & Chandrashekaran 1998 (speed matters); seed 003 (answer in 24 h, on "
               "site in 48 h); value a calibration choice")
    """Time constant of the speed component of recovery quality (days)."""
    recovery_weight_speed: float = param(0.5, 0.25, 0.75, bounds=_UNIT, symbol="w_s",
                                         constraint=_RECOVERY_WEIGHTS, source=_RECOVERY,
                                         odd=("7.7",))
    recovery_weight_compensation: float = param(0.3, 0.15, 0.45, bounds=_UNIT, symbol="w_c",
                                                constraint=_RECOVERY_WEIGHTS, source=_RECOVERY,
                                                odd=("7.7",))
    recovery_weight_skill: float = param(0.2, 0.1, 0.3, bounds=_UNIT, symbol="w_k",
                                         constraint=_RECOVERY_WEIGHTS, source=_RECOVERY,
                                         odd=("7.7",))
    """Weights of speed, compensation and skill in recovery quality (sum 1)."""
    compensation_scale: float = param(0.3, 0.15, 0.6, bounds=(0.0, 100.0), open_low=True,
                                      symbol="c_half", source=CALIBRATION, odd=("7.7",))
    """Compensation (share of purchase value) giving half the compensation effect."""
    paradox_threshold: float = param(0.7, 0.6, 0.8, bounds=_UNIT, symbol="ρ*", source=_PARADOX,
                                     odd=("7.7",))
    """Recovery quality above which a first failure can end above pre-failure satisfaction."""
    paradox_gain: float = param(0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="g_p",
                                source=_PARADOX, odd=("7.7",))
    """Satisfaction bonus per unit of recovery quality above the threshold (first failure)."""
    repeat_failure_cap: float = param(0.6, 0.4, 0.8, bounds=_UNIT, symbol="κ", source=_PARADOX,
                                      odd=("7.7",))
    """Share of the loss a recovery can restore after repeated failures."""
    unresolved_penalty: float = param(0.25, 0.1, 0.4, bounds=_UNIT, odd=("7.7",),
                                      source="seed 001 §2; value a calibration choice")
    """Satisfaction loss when a complaint closes unresolved: the customer gives up after
    patience_days, whether the firm ignored it or was too slow."""
    failure_memory_days: int = param(365, 180, 730, bounds=_DAYS, unit="days", source=CALIBRATION,
                                     odd=("7.4",))
    """A customer's failure count resets after this many days without failure."""
    # staff
    staff_capacity: float = param(
        8.0, 6.0, 10.0, bounds=(0.0, 1000.0), open_low=True, symbol="c",
        unit="encounters per person-day", odd=("7.3", "7.12"),
        source=CALIBRATION + "; sets utilization (7.16)")
    """Encounters one employee serves per day at full productivity."""
    productivity_morale: float = param(0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="k_m",
                                       odd=("7.3", "7.12"),
                                       source="Heskett et al. 1994 (direction); value a "
                                              "calibration choice")
    """Capacity gain per unit of morale above 0.5 (service-profit chain: satisfied staff
    are more productive); capacity = staff_capacity * (1 + productivity_morale*(morale-0.5))."""
    morale_adjustment: float = param(0.05, 0.02, 0.1, bounds=_UNIT, dist="loguniform", symbol="μ",
                                     unit="per day", source=CALIBRATION, odd=("7.12",))
    """Daily rate at which morale moves toward its internal-service-quality target."""
    morale_support: float = param(1.5, 0.75, 2.25, bounds=_SLOPE, symbol="w_s", source=_ISQ,
                                  odd=("7.12",))
    morale_training: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="w_t", source=_ISQ,
                                   odd=("7.12",))
    morale_authority: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="w_a",
                                    source=_ISQ + "; seed 003", odd=("7.12",))
    morale_wage: float = param(2.0, 1.0, 3.0, bounds=_SLOPE, symbol="w_w", source=_ISQ,
                               odd=("7.12",))
    morale_overload: float = param(
        2.0, 1.0, 3.0, bounds=_SLOPE, symbol="w_o", odd=("7.12",),
        source=_ISQ + "; Oliva & Sterman 2001 (overwork erodes the workforce)")
    """Logit weights of internal service quality in target morale: coaching received,
    training, frontline authority, relative wage and overload (Heskett et al. 1994)."""
    quit_base: float = param(0.0008, 0.0004, 0.0016, bounds=_UNIT, dist="loguniform",
                             symbol="q0", unit="per day", source=CALIBRATION, odd=("7.12",))
    """Daily quit probability at morale 0.5 (about 25% a year)."""
    quit_morale: float = param(4.0, 2.0, 6.0, bounds=_SLOPE, symbol="b_q", source=CALIBRATION,
                               odd=("7.12",))
    """Logit slope of quitting on (0.5 - morale)."""
    learning_rate: float = param(0.0002, 0.0001, 0.0004, bounds=_UNIT, dist="loguniform",
                                 symbol="l", source=CALIBRATION, odd=("7.12",))
    """Skill gained per encounter, times (1 - skill)."""
    training_rate: float = param(0.003, 0.0015, 0.006, bounds=_UNIT, dist="loguniform",
                                 symbol="r_t", source=CALIBRATION, odd=("7.12",))
    """Skill gained per day at training intensity 1, times (1 - skill)."""
    coaching_rate: float = param(0.002, 0.001, 0.004, bounds=_UNIT, dist="loguniform",
                                 symbol="r_c", source=CALIBRATION, odd=("7.12",))
    """Skill gained per coaching session, times (1 - skill); coaching lifts morale through
    ``morale_support`` in the morale target."""
    novice_skill: float = param(0.3, 0.2, 0.4, bounds=_UNIT, source="calibration choice",
                                odd=("7.12", "7.4"))
    """Skill of a new hire (and the skill used when no employee is available)."""
    initial_skill: float = param(0.6, 0.5, 0.7, bounds=_UNIT, source="calibration choice",
                                 odd=("7.12", "5"))
    """Skill of the staff present at day 0."""
    initial_morale: float = param(0.6, 0.5, 0.7, bounds=_UNIT, source="calibration choice",
                                  odd=("7.12", "5"))
    """Morale of the staff present at day 0 and of new hires."""
    hiring_lag_days: int = param(14, 7, 30, bounds=(0, 3650), unit="days",
                                 source="calibration choice", odd=("7.12",))
    """Days a vacancy stays open before the novice starts (a quit on day t is filled by a
    novice who first works on day t + hiring_lag_days + 2)."""
    morale_baseline_sd: float = param(0.5, 0.25, 1.0, bounds=(0.0, 5.0), symbol="sd_b",
                                      source="judgement; dispositional job satisfaction "
                                             "(Staw & Ross 1985)", odd=("7.12",))
    """Spread of employees' dispositions: ``b_i ~ N(0, sd_b)`` (logit units) added to the
    morale target, drawn at hire (0: everyone alike)."""
    morale_sensitivity_sd: float = param(0.3, 0.1, 0.5, bounds=(0.0, 2.0), symbol="sd_s",
                                         odd=("7.12",))
    """Log-spread of employees' sensitivity to internal service: ``s_i`` lognormal with
    mean 1, multiplying the internal-service index in the morale target, drawn at hire."""
    morale_shock: float = param(0.02, 0.01, 0.04, bounds=(0.0, 1.0), symbol="σ_m",
                                unit="per day", odd=("7.12",))
    """Standard deviation of the daily random shock to each employee's morale (events
    outside the firm's levers); about 0.06 of stationary spread at μ = 0.05."""
    survey_response: float = param(0.6, 0.3, 0.9, bounds=(0.0, 1.0), open_low=True,
                                   symbol="ρ", odd=("7.12",))
    """Share of active staff answering the daily internal-service survey."""
    survey_error: float = param(0.15, 0.05, 0.25, bounds=(0.0, 1.0), symbol="sd_e",
                                odd=("7.12",))
    """Measurement error (sd) of one survey rating of internal service (0-1 scale)."""


@dataclass
class SimParams:
    """Run settings."""

    n_customers: int = param(10_000, 1_000, 100_000, bounds=(1, CUSTOMERS_MAX),
                             unit="customers", odd=("5",),
                             source="run setting (default scenario: 5,000)")
    """Population N (customers in the market); a population whose estimated peak memory
    (see estimated_peak_bytes) exceeds the machine's is refused."""
    days: int = param(365, 365, 3650, bounds=(1, HORIZON_MAX), unit="days", odd=("5",),
                      source="run setting")
    """Horizon in days (one step = one day)."""
    seed: int = param(0, 0, 999, bounds=(0, SEED_MAX), odd=("5",),
                      source="run setting (Hydra: top-level `seed` alias)")
    """Seed of the model's random generator (replication)."""
    burn_in_days: int = param(0, 0, 1095, bounds=(0, DAYS_MAX), unit="days", odd=("5",),
                              source="run setting (experiments: until shares are endogenous)")
    """Days before the run's summary starts measuring (profit, retention, CLV, customer
    equity count only days after it; the per-day table keeps every day)."""
    discount_rate: float = param(0.10, 0.03, 0.15, bounds=(0.0, 10.0), unit="per year",
                                 source="calibration choice", odd=("5", "7.11"))
    """Annual discount rate for discounted profit and CLV."""
    customer_agents_max: int = param(5_000, 0, 10_000, bounds=(0, CUSTOMERS_MAX),
                                     unit="customers", odd=("5",),
                                     source="performance choice (a view ≈ 225 bytes)")
    """Customers get Mesa agent views only up to this population size."""
    record_events: int = param(0, 0, 1, bounds=(0, 1), odd=("5",),
                               source="run setting (off for big runs)")
    """1 = keep the per-customer event log (events.parquet, RunResult.events) and a
    purchase-count column in the step table; 0 = off."""
    entry_days: int = param(0, 0, 90, bounds=(0, HORIZON_MAX), unit="days", odd=("5",),
                            source="run setting")
    """Cohort entry: if > 0, every customer not a customer at day 0 enters on a day drawn
    uniformly from 1 … entry_days and joins the focal firm with a first purchase that day
    (and does not adopt before); 0 = off.  simulate(entry_day=...) gives the days
    instead (e.g. a data set's first-purchase days)."""


@dataclass
class Params:
    """Everything a run needs: the focal firm's levers, its market, behaviour and run settings."""

    focal_name: str = label("focal", meaning="the focal firm's name in outputs (a label)",
                            odd=("5",))
    strategy: StrategyParams = field(default_factory=StrategyParams)
    org: OrgParams = field(default_factory=OrgParams)
    stage: StageParams = field(default_factory=StageParams)
    market: MarketParams = field(default_factory=MarketParams)
    behaviour: BehaviourParams = field(default_factory=BehaviourParams)
    sim: SimParams = field(default_factory=SimParams)

    @property
    def firms(self) -> list[FirmParams]:
        """Firms in market order: the focal firm first, then competitors by name order given."""
        focal = FirmParams(
            name=self.focal_name,
            initial_share=self.market.focal_initial_share,
            strategy=self.strategy,
            org=self.org,
            stage=self.stage,
            overhead=self.market.overhead,
        )
        return [focal, *self.market.competitors.values()]


# --------------------------------------------------------------------------- building


_NESTED = {
    "SegmentParams": SegmentParams,
    "NetworkParams": NetworkParams,
    "StrategyParams": StrategyParams,
    "OrgParams": OrgParams,
    "StageParams": StageParams,
    "FirmParams": FirmParams,
    "MarketParams": MarketParams,
    "BehaviourParams": BehaviourParams,
    "SimParams": SimParams,
}


def _build(cls: type, data: Any, path: str) -> Any:
    """Build dataclass ``cls`` from a mapping, recursing into nested dataclasses."""
    if isinstance(data, cls):
        return data
    if data is None:
        return cls()
    if not hasattr(data, "keys"):
        raise ParameterError(f"{path or 'params'}: expected a mapping, got {data!r}")
    names = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key in data.keys():
        if key not in names:
            allowed = ", ".join(sorted(names))
            raise ParameterError(f"{_join(path, key)}: unknown key (allowed: {allowed})")
        kwargs[key] = _convert(names[key], str(names[key].type), data[key], _join(path, key))
    return cls(**kwargs)


def _convert(f: dataclasses.Field, type_name: str, value: Any, path: str) -> Any:
    if type_name in _NESTED:
        return _build(_NESTED[type_name], value, path)
    if type_name.startswith("dict[str, "):
        inner = type_name[len("dict[str, ") : -1]
        if not hasattr(value, "keys"):
            raise ParameterError(f"{path}: expected a mapping, got {value!r}")
        return {str(k): _convert(f, inner, value[k], _join(path, str(k))) for k in value.keys()}
    if type_name == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ParameterError(f"{path}={value!r}: expected a whole number; {allowed_range(f)}")
    if type_name == "float":
        if isinstance(value, bool | str):
            raise ParameterError(f"{path}={value!r}: expected a number; {allowed_range(f)}")
        try:
            return float(value)
        except (TypeError, ValueError, OverflowError):
            raise ParameterError(
                f"{path}={value!r}: expected a number; {allowed_range(f)}") from None
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def make_params(data: Any = None, **overrides: Any) -> Params:
    """Build validated :class:`Params` from a nested mapping (dict or OmegaConf).

    ``overrides`` are dotted keys, e.g. ``make_params(**{"sim.days": 30})``, or
    ``make_params(sim={"days": 30})`` for whole groups.
    """
    if data is not None and not isinstance(data, Params) and not hasattr(data, "keys"):
        raise ParameterError(f"params: expected a mapping, got {type(data).__name__}")
    if isinstance(data, Params):
        base = dataclasses.asdict(data)
    else:
        base = _plain(data) if data is not None else {}
    for key, value in overrides.items():
        _set_dotted(base, key, _plain(value))
    params = _build(Params, base, "")
    validate(params)
    return params


def _plain(value: Any) -> Any:
    """OmegaConf containers and dataclasses to plain Python."""
    try:
        from omegaconf import DictConfig, ListConfig, OmegaConf

        if isinstance(value, DictConfig | ListConfig):
            return OmegaConf.to_container(value, resolve=True)
    except ImportError:  # pragma: no cover
        pass
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "keys"):
        return {str(k): _plain(value[k]) for k in value.keys()}
    return value


def _set_dotted(tree: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    if isinstance(value, dict) and isinstance(node.get(parts[-1]), dict):
        _deep_update(node[parts[-1]], value)
    else:
        node[parts[-1]] = value


def _deep_update(base: dict, new: dict) -> None:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _deep_update(base[k], v)
        else:
            base[k] = v


def to_dict(params: Params) -> dict:
    """Return the parameters as a plain nested dict (JSON-ready)."""
    return dataclasses.asdict(params)


# --------------------------------------------------------------------------- validation


def _number(x: float) -> str:
    """Format a bound or value as a user types it: integers without a decimal point."""
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return f"{x:g}"


def allowed_range(f: dataclasses.Field) -> str:
    """Return the allowed range of a registry field as the messages print it.

    Examples: ``allowed [0, 1]``, ``allowed (0, 100]``, ``allowed whole numbers in [1, 36500]``.
    """
    meta = f.metadata
    if meta.get("choices"):
        return f"allowed: {', '.join(meta['choices'])}"
    if "bounds" not in meta:
        return "allowed: any text"
    lo, hi = meta["bounds"]
    interval = f"{'(' if meta['open_low'] else '['}{_number(lo)}, {_number(hi)}]"
    return f"allowed whole numbers in {interval}" if meta["integer"] else f"allowed {interval}"


def _in_bounds(f: dataclasses.Field, value: float) -> bool:
    lo, hi = f.metadata["bounds"]
    if isinstance(value, int) and f.metadata["integer"]:
        return lo <= value <= hi  # exact: ints are not rounded through float
    value = float(value)
    if not math.isfinite(value):
        return False
    return (lo < value if f.metadata["open_low"] else lo <= value) and value <= hi


def _validate_dataclass(obj: Any, path: str) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        where = _join(path, f.name)
        if dataclasses.is_dataclass(value):
            _validate_dataclass(value, where)
        elif isinstance(value, dict):
            for k, v in value.items():
                _validate_dataclass(v, _join(where, k))
        elif isinstance(value, bool | str):
            continue
        elif isinstance(value, int | float) and not _in_bounds(f, value):
            raise ParameterError(f"{where}={value!r} is out of range; {allowed_range(f)}")


def field_of(key: str) -> dataclasses.Field | None:
    """Return the schema field a dotted override key sets (None if it names no value).

    Dict keys (segment and competitor names) match any name, so
    ``market.segments.small_private.value`` gives :attr:`SegmentParams.value`; the
    root config's ``seed`` alias gives ``sim.seed``.
    """
    parts = key.split(".") if key != "seed" else ["sim", "seed"]
    cls: type = Params
    i = 0
    while i < len(parts):
        names = {f.name: f for f in dataclasses.fields(cls)}
        f = names.get(parts[i])
        if f is None:
            return None
        type_name = str(f.type)
        i += 1
        if type_name.startswith("dict[str, "):
            type_name = type_name[len("dict[str, ") : -1]
            i += 1  # the entry's name
        if type_name in _NESTED:
            if i >= len(parts):
                return None
            cls = _NESTED[type_name]
        else:
            return f if i == len(parts) else None
    return None


def allowed_for_key(key: str) -> str | None:
    """Return the allowed range of the value at a dotted key (for messages), or None."""
    f = field_of(key)
    return allowed_range(f) if f is not None and f.metadata else None


def physical_memory_bytes() -> int | None:
    """Return this machine's physical memory in bytes (None where the OS does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None


def estimated_peak_bytes(params: Params) -> int:
    """Return a low estimate of a run's peak memory in bytes.

    Measured with tracemalloc on ``company_a`` at N = 200,000 (peak over
    build and steps): about 200 bytes per customer at mean degree 8 and 466 at 40,
    i.e. ~130 + 8.3 per tie.  The estimate takes 100 + 8 per tie + 4 per firm
    (attitudes) per customer, plus ~225 bytes per customer agent view, so a run
    it refuses would not have fitted.
    """
    n = params.sim.n_customers
    ties = 0 if params.market.network.kind == "complete" else params.market.network.mean_degree
    per_customer = 100 + 8 * ties + 4 * (1 + len(params.market.competitors))
    views = 225 * n if n <= params.sim.customer_agents_max else 0
    return n * per_customer + views


def _check_memory(params: Params) -> None:
    have = physical_memory_bytes()
    need = estimated_peak_bytes(params)
    if have is None or need <= have:
        return
    n = params.sim.n_customers
    fit = max(1, int(n * have / need))
    raise ParameterError(
        f"sim.n_customers={n} needs about {need / 2**30:.1f} GiB of memory "
        f"(market.network.mean_degree={params.market.network.mean_degree}), more than this "
        f"machine's {have / 2**30:.1f} GiB; allowed whole numbers in [1, {fit}] here")


def validate(params: Params) -> None:
    """Raise :class:`ParameterError` with a one-line message on the first invalid value."""
    segs = params.market.segments
    if not segs:
        raise ParameterError(
            f"market.segments: at least one segment is required; allowed [1, {MAX_SEGMENTS}] "
            "segments")
    if len(segs) > MAX_SEGMENTS:
        raise ParameterError(
            f"market.segments: {len(segs)} segments; allowed [1, {MAX_SEGMENTS}] "
            "(the customers' segment index is int8)")
    if len(params.market.competitors) > MAX_COMPETITORS:
        raise ParameterError(
            f"market.competitors: {len(params.market.competitors)} competitors; "
            f"allowed [0, {MAX_COMPETITORS}]")
    _validate_dataclass(params, "")
    total = sum(s.share for s in segs.values())
    if abs(total - 1.0) > 1e-6:
        listed = ", ".join(f"{name}={s.share:g}" for name, s in list(segs.items())[:8])
        more = ", ..." if len(segs) > 8 else ""
        raise ParameterError(
            f"market.segments.*.share: shares sum to {total:.6g} ({listed}{more}); "
            "allowed: they must sum to 1"
        )
    kind = params.market.network.kind
    if kind not in NETWORK_KINDS:
        raise ParameterError(
            f"market.network.kind={kind!r} is unknown; allowed: {', '.join(NETWORK_KINDS)}"
        )
    if params.behaviour.dropout_timing not in DROPOUT_TIMINGS:
        raise ParameterError(f"behaviour.dropout_timing={params.behaviour.dropout_timing!r} is "
                             f"unknown; allowed: {', '.join(DROPOUT_TIMINGS)}")
    if params.sim.burn_in_days >= params.sim.days:
        raise ParameterError(
            f"sim.burn_in_days={params.sim.burn_in_days} >= sim.days={params.sim.days}; allowed: "
            "a burn-in shorter than the run")
    m = params.market
    if m.reaction not in ("none", "follow", "best_response"):
        raise ParameterError(f"market.reaction={m.reaction!r} is unknown; allowed: none, "
                             "follow, best_response")
    if m.reaction_price_min > m.reaction_price_max:
        raise ParameterError(
            f"market.reaction_price_min={m.reaction_price_min:g} > market.reaction_price_max="
            f"{m.reaction_price_max:g}; allowed: reaction_price_min <= reaction_price_max")
    initial = params.market.focal_initial_share + sum(
        c.initial_share for c in params.market.competitors.values()
    )
    if initial > 1.0 + 1e-9:
        listed = ", ".join([f"focal_initial_share={params.market.focal_initial_share:g}"] + [
            f"competitors.{name}.initial_share={c.initial_share:g}"
            for name, c in params.market.competitors.items()])
        raise ParameterError(
            f"market initial shares sum to {initial:.6g} (market.{listed}); allowed: at most 1 "
            "(market.focal_initial_share + market.competitors.*.initial_share)"
        )
    b = params.behaviour
    weights = b.recovery_weight_speed + b.recovery_weight_compensation + b.recovery_weight_skill
    if abs(weights - 1.0) > 1e-6:
        raise ParameterError(
            f"behaviour.recovery_weight_*: weights sum to {weights:.6g} "
            f"(behaviour.recovery_weight_speed={b.recovery_weight_speed:g}, "
            f"behaviour.recovery_weight_compensation={b.recovery_weight_compensation:g}, "
            f"behaviour.recovery_weight_skill={b.recovery_weight_skill:g}); "
            "allowed: they must sum to 1"
        )
    if not b.repeat_threshold <= b.loyal_threshold <= b.advocate_threshold:
        raise ParameterError(
            f"behaviour.repeat_threshold={b.repeat_threshold:g}, "
            f"behaviour.loyal_threshold={b.loyal_threshold:g}, "
            f"behaviour.advocate_threshold={b.advocate_threshold:g} are out of order; "
            "allowed repeat_threshold <= loyal_threshold <= advocate_threshold"
        )
    n = params.sim.n_customers
    deg = params.market.network.mean_degree
    if kind != "complete" and deg >= n:
        fewer = f" or market.network.mean_degree in [1, {n - 1}]" if n > 1 else ""
        raise ParameterError(
            f"market.network.mean_degree={deg} needs more customers than sim.n_customers={n}; "
            f"allowed sim.n_customers in [{deg + 1}, {CUSTOMERS_MAX}]{fewer}, "
            "or market.network.kind=complete"
        )
    _check_memory(params)
