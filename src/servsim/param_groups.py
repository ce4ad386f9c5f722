"""The parameter groups a firm and its market are made of: segments, network,
strategy, organisation, stage, a competitor firm and the market (registry fields,
:mod:`servsim.schema_fields`; re-exported by :mod:`servsim.params`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from servsim.schema_fields import (
    CALIBRATION,
    NETWORK_KINDS,
    SLOPE_MAX,
    _DAYS,
    _INITIAL_SHARES,
    _MONEY,
    _OFF_UNLESS_CALIBRATED,
    _SHARE_OF_SEGMENTS,
    _SLOPE,
    _UNIT,
    label,
    param,
)


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
    price_response: float = param(
        1.0, 0.5, 2.0, bounds=(0.0, SLOPE_MAX), relative=True, dist="loguniform",
        symbol="k_p", odd=("7.9",),
        range_source="judgement: half to twice the market's calibrated level",
        source="servsim.calibration.elasticity: set per market so that the focal firm's "
               "long-run own-price sales elasticity is the market's documented target "
               "(VALIDATION.md 11; docs/validation.md check 11); 1 = the segments' own")
    """Market-wide scale of every segment's price sensitivity in choice (the effective
    ``β_s`` is ``k_p β_s``): the calibrated level of price response, the segments'
    ``price_sensitivity`` keeping their relative sizes."""
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
    """Cost of goods as a share of a purchase's value at price index 1, for the market's
    mainstream product (``reference_product_quality``)."""
    reference_product_quality: float = param(
        0.65, 0.5, 0.8, bounds=(0.01, 1.0), symbol="pq_ref", odd=("7.11",),
        source="calibration choice (the mainstream product: the default and differentiated "
               "presets' product quality)")
    """Product quality at which a unit of goods costs ``cost_of_goods``."""
    product_cost_curvature: float = param(
        1.0, 0.0, 2.0, bounds=(0.0, 10.0), symbol="κ_g", odd=("7.11",),
        source="judgement: unit cost proportional to product quality, between a cost "
               "independent of quality (0) and the convex q² of vertical-differentiation "
               "models (2: Mussa & Rosen 1978; Moorthy 1988)")
    """Elasticity of the unit cost of goods with respect to product quality:
    ``g_f = cost_of_goods (pq_f / pq_ref)^κ_g``."""
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
