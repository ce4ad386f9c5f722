"""Parameters of a servsim run: one dataclass per config group.

The same names appear in the YAML files under ``configs/`` (Hydra stores these
dataclasses as the schema of each group), in :func:`servsim.simulate`, in the
dashboard's controls and in sensitivity-analysis problems.  Every default
here is the documented default calibration of ``docs/ODD.md``.

Vocabulary (after EMA Workbench): the *market* holds the uncertainties a firm
does not control (segments, network, competitors, expectation drift); the
*strategy*, *org* and *stage* groups are the levers a firm chooses;
*behaviour* holds the behavioural constants of customers and staff;
*sim* holds run settings (size, horizon, seed).

Units: time in days (one step = one day unless stated); money in abstract
currency units (cu); quality, satisfaction, morale, skill, authority in [0, 1].
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

NETWORK_KINDS = ("small_world", "random", "scale_free", "complete")


class ParameterError(ValueError):
    """A parameter is outside its allowed range; the message names key, value and range."""


@dataclass
class SegmentParams:
    """A customer segment of a market (e.g. large state-owned buyers)."""

    share: float = 1.0
    """Share of the population in this segment; shares sum to 1."""
    value: float = 100.0
    """Spend per purchase at price index 1 (cu)."""
    price_sensitivity: float = 1.0
    """Weight of price in the choice utility (>= 0)."""
    expectation: float = 0.6
    """Initial expected service quality in [0, 1] (the segment's reference)."""
    need_rate: float = 0.02
    """Service needs per customer-day (encounters with frontline staff)."""
    purchase_rate: float = 0.033
    """Purchase occasions per customer-day."""
    complaint_propensity: float = 0.04
    """P(complaint | failure): TARP, ~1 complaint per ~25 silent dissatisfied (consumer)."""
    patience_days: int = 14
    """Days a customer waits before giving up: on an open complaint (unresolved: penalty)
    or on an unserved service request (counted as a failure)."""


@dataclass
class NetworkParams:
    """The customers' social network, over which word of mouth travels."""

    kind: str = "small_world"
    """One of small_world (Watts-Strogatz), random (Erdos-Renyi), scale_free
    (Barabasi-Albert), complete (fully mixed, no edge list)."""
    mean_degree: int = 10
    """Mean number of ties per customer (ignored for complete)."""
    rewire_prob: float = 0.1
    """Watts-Strogatz rewiring probability (small_world only)."""


@dataclass
class StrategyParams:
    """What a firm decides about its service (seed 000 positioning and seed 001 principles)."""

    name: str = "custom"
    service_level: float = 0.65
    """Designed service quality in [0, 1] for a segment of average value."""
    tiering: float = 0.0
    """Service-level differentiation by segment value in [0, 1]: 0 = same service for all,
    1 = service level scaled fully with the segment's relative value (seed 000,
    China Mobile's brands)."""
    price: float = 1.0
    """Price index relative to the market's reference price (> 0)."""
    promise: float = 1.0
    """Promised quality / designed quality (seed 001 section 8): 1 = promise what is delivered."""
    advertising: float = 0.5
    """Advertising intensity in [0, 1]; scales the market's innovation coefficient."""
    advertising_cost: float = 2.0
    """Advertising spend per day per 1,000 customers in the market, at intensity 1 (cu)."""
    staff_per_1000: float = 3.0
    """Frontline staff per 1,000 customers of the firm (a staffing ratio; minimum 1 person);
    the firm also staffs its proactive contract work (stage.proactive_rate)."""
    training: float = 0.3
    """Training intensity in [0, 1]: share of the maximum training effort."""
    training_cost: float = 40.0
    """Training cost per staff-day at intensity 1 (cu)."""
    wage: float = 200.0
    """Wage per staff-day (cu); its ratio to the market wage lifts morale."""
    compensation: float = 0.2
    """Compensation offered on recovery, as a share of the customer's purchase value."""
    complaint_handling: float = 1.0
    """Share of complaints the firm acts on; the rest are ignored (seed 001 section 2)."""
    loyalty_premium: float = 0.05
    """Extra price loyal and advocate customers accept (share of the purchase)."""
    cross_buy: float = 0.15
    """Extra purchases (share of value) loyal and advocate customers make (seed 002)."""
    cost_per_encounter: float = 20.0
    """Material cost of one service encounter at service level 1 (cu), scaled by level."""


@dataclass
class OrgParams:
    """How the firm's people decide: pyramid or inverted pyramid (seed 003)."""

    name: str = "pyramid"
    frontline_authority: float = 0.2
    """Share of complaints a frontline employee may settle on the spot, in [0, 1]."""
    approval_levels: int = 3
    """Levels of approval an escalated complaint climbs (>= 1)."""
    level_delay_days: int = 1
    """Minimum days each approval level adds (paperwork), >= 0."""
    manager_span: int = 10
    """Frontline staff per manager (>= 1)."""
    manager_capacity: float = 12.0
    """Tasks a manager handles per day (approvals + coaching sessions)."""
    control_share: float = 0.7
    """Share of manager capacity spent on approvals and control; the rest coaches."""


@dataclass
class StageParams:
    """Maturity of the service function (seed 004): reactive, standardized, productized."""

    name: str = "reactive"
    standardization: float = 0.0
    """Relative reduction of failure probability by service norms, in [0, 1)."""
    followup_rate: float = 0.0
    """Share of encounters followed up by a call (each costs followup_cost); a followed-up
    silent failure is surfaced as a complaint.  In [0, 1]."""
    followup_cost: float = 2.0
    """Cost per follow-up contact (cu)."""
    contract_uptake: float = 0.0
    """P(a customer buys a service contract at a satisfied purchase), in [0, 1]."""
    contract_fee: float = 0.0
    """Fee per contracted customer-day (cu)."""
    proactive_rate: float = 0.0
    """Proactive contacts per contracted customer-day."""
    proactive_prevention: float = 0.0
    """Share of a contract holder's failures that proactive maintenance prevents, in [0, 1]
    (applies to every encounter of a contracted customer)."""
    proactive_cost: float = 15.0
    """Cost of one proactive contact (cu)."""
    service_fee: float = 0.0
    """Fee billed per service encounter (cu); 0 = service given free as a cost."""


@dataclass
class FirmParams:
    """A competitor in a market: its name, strategy, organisation and service stage."""

    name: str = "competitor"
    initial_share: float = 0.0
    """Share of the population that are this firm's customers at day 0."""
    strategy: StrategyParams = field(default_factory=StrategyParams)
    org: OrgParams = field(default_factory=OrgParams)
    stage: StageParams = field(default_factory=StageParams)


@dataclass
class MarketParams:
    """The market: segments, social network, competitors and expectation drift."""

    name: str = "single_firm"
    segments: dict[str, SegmentParams] = field(
        default_factory=lambda: {"all": SegmentParams()}
    )
    network: NetworkParams = field(default_factory=NetworkParams)
    competitors: dict[str, FirmParams] = field(default_factory=dict)
    focal_initial_share: float = 0.0
    """Share of the population that are the focal firm's customers at day 0."""
    innovation: float = 0.002
    """Bass p: adoption hazard per prospect-day from advertising at intensity 1."""
    imitation: float = 0.03
    """Bass q: adoption hazard per prospect-day when all of one's ties recommend."""
    expectation_drift: float = 0.02
    """Upward drift of the market's expected quality per year (seed 001 section 6)."""
    norm_adaptation: float = 0.002
    """Daily rate at which the market norm moves toward the share-weighted quality offered,
    and at which each customer's expectation is pulled toward the norm."""
    cost_of_goods: float = 0.6
    """Cost of goods as a share of a purchase's value at price index 1."""
    market_wage: float = 200.0
    """Reference wage per staff-day (cu); a firm's wage relative to it lifts morale."""
    hiring_cost: float = 2000.0
    """Cost of hiring and onboarding one employee (cu)."""


@dataclass
class BehaviourParams:
    """Behavioural constants of customers and staff (default calibration, docs/ODD.md)."""

    # perception and satisfaction
    quality_noise: float = 0.08
    """Standard deviation of perceived quality around delivered quality."""
    skill_weight: float = 0.3
    """How much staff skill shifts delivered quality (at skill 0.5 the shift is 0)."""
    morale_weight: float = 0.2
    """How much staff morale shifts delivered quality (at morale 0.5 the shift is 0)."""
    wait_penalty: float = 0.05
    """Perceived-quality loss per day of waiting for service."""
    failure_severity: float = 0.4
    """Perceived-quality loss of a service failure."""
    base_failure: float = 0.05
    """Failure probability at skill, morale and service level 0.5 and no overload."""
    failure_skill: float = 2.0
    failure_morale: float = 1.0
    failure_level: float = 1.5
    failure_overload: float = 2.0
    """Logit slopes of failure probability on skill, morale, level and overload."""
    satisfaction_gain: float = 1.0
    """Slope of transaction satisfaction on (loss-weighted) disconfirmation."""
    loss_aversion: float = 2.25
    """Weight of negative vs positive disconfirmation (prospect theory, Kahneman & Tversky
    1979; the 2.25 estimate is Tversky & Kahneman 1992; in satisfaction, Anderson &
    Sullivan 1993)."""
    tolerance: float = 0.05
    """Zone of tolerance: shortfall below expectation felt as no loss (Zeithaml et al. 1993)."""
    norm_weight: float = 0.5
    """Weight of quality relative to the market norm in satisfaction (Cadotte et al. 1987)."""
    satisfaction_memory: float = 0.3
    """Weight of the latest encounter in cumulative satisfaction."""
    expectation_learning: float = 0.3
    """Weight of the latest perceived quality in the updated expectation."""
    promise_weight: float = 0.5
    """Weight of a firm's promise (vs the market norm) in a prospect's expectation of it."""
    initial_satisfaction: float = 0.6
    """Satisfaction of a customer who has just adopted (no experience yet)."""
    advertising_pull: float = 0.003
    """Daily pull of a customer's expectation toward the firm's promise at advertising 1."""
    # word of mouth
    wom_neutral: float = 0.5
    """Neutral satisfaction: expectations exactly met.  The customer has nothing to say
    (word of mouth), transaction satisfaction is centred on it, and defection is measured
    from it."""
    wom_base: float = 0.01
    """Daily probability of talking at neutral satisfaction."""
    wom_positive: float = 0.08
    wom_negative: float = 0.25
    """Extra daily talk probability at full satisfaction / full dissatisfaction
    (Anderson 1998: U-shaped, higher at the dissatisfied end)."""
    wom_attitude: float = 0.5
    """Attitude change from a day's fully positive (or negative) word of mouth."""
    attitude_decay: float = 0.02
    """Daily decay of attitude toward 0; also the rate at which lapsed customers'
    satisfaction fades toward neutral."""
    # choice
    utility_quality: float = 4.0
    utility_price: float = 3.0
    utility_attitude: float = 1.0
    """Logit weights of expected quality, price and attitude in firm choice."""
    outside_utility: float = -1.0
    """Utility of not buying (U_0): an aware prospect converts with logistic(U_f - U_0).
    Very negative values remove the outside option (the pure Bass model)."""
    churn_base: float = 0.02
    """P(defect) at a purchase occasion at neutral satisfaction and attitude."""
    churn_satisfaction: float = 8.0
    churn_attitude: float = 1.0
    """Logit slopes of defection on (neutral - satisfaction) and on -attitude."""
    churn_price: float = 1.0
    """Logit slope of defection on price_sensitivity * (price - 1)."""
    switch_share: float = 0.5
    """Share of defectors who switch to a competitor at once (if any); the rest lapse."""
    repeat_threshold: float = 0.45
    loyal_threshold: float = 0.6
    advocate_threshold: float = 0.75
    """Satisfaction needed for repeat, loyal and advocate stages."""
    loyal_tenure_days: int = 180
    """Tenure needed to become loyal."""
    # complaints and recovery
    recovery_speed_days: float = 3.0
    """Time constant of the speed component of recovery quality (days)."""
    recovery_weight_speed: float = 0.5
    recovery_weight_compensation: float = 0.3
    recovery_weight_skill: float = 0.2
    """Weights of speed, compensation and skill in recovery quality (sum 1)."""
    compensation_scale: float = 0.3
    """Compensation (share of purchase value) giving half the compensation effect."""
    paradox_threshold: float = 0.7
    """Recovery quality above which a first failure can end above pre-failure satisfaction."""
    paradox_gain: float = 0.5
    """Satisfaction bonus per unit of recovery quality above the threshold (first failure)."""
    repeat_failure_cap: float = 0.6
    """Share of the loss a recovery can restore after repeated failures."""
    unresolved_penalty: float = 0.25
    """Satisfaction loss when a complaint closes unresolved: the customer gives up after
    patience_days, whether the firm ignored it or was too slow."""
    failure_memory_days: int = 365
    """A customer's failure count resets after this many days without failure."""
    # staff
    staff_capacity: float = 8.0
    """Encounters one employee serves per day at full productivity."""
    productivity_morale: float = 0.5
    """Capacity gain per unit of morale above 0.5 (service-profit chain: satisfied staff
    are more productive); capacity = staff_capacity * (1 + productivity_morale*(morale-0.5))."""
    morale_adjustment: float = 0.05
    """Daily rate at which morale moves toward its internal-service-quality target."""
    morale_support: float = 1.5
    morale_training: float = 1.0
    morale_authority: float = 1.0
    morale_wage: float = 2.0
    morale_overload: float = 2.0
    """Logit weights of internal service quality in target morale: coaching received,
    training, frontline authority, relative wage and overload (Heskett et al. 1994)."""
    quit_base: float = 0.0008
    """Daily quit probability at morale 0.5 (about 25% a year)."""
    quit_morale: float = 4.0
    """Logit slope of quitting on (0.5 - morale)."""
    learning_rate: float = 0.0002
    """Skill gained per encounter, times (1 - skill)."""
    training_rate: float = 0.003
    """Skill gained per day at training intensity 1, times (1 - skill)."""
    coaching_rate: float = 0.002
    """Skill gained per coaching session, times (1 - skill); coaching lifts morale through
    ``morale_support`` in the morale target."""
    novice_skill: float = 0.3
    initial_skill: float = 0.6
    initial_morale: float = 0.6
    hiring_lag_days: int = 14
    """Days a vacancy stays open before the novice starts (a quit on day t is filled by a
    novice who first works on day t + hiring_lag_days + 2)."""


@dataclass
class SimParams:
    """Run settings."""

    n_customers: int = 10_000
    days: int = 365
    seed: int = 0
    discount_rate: float = 0.10
    """Annual discount rate for discounted profit and CLV."""
    customer_agents_max: int = 5_000
    """Customers get Mesa agent views only up to this population size."""


@dataclass
class Params:
    """Everything a run needs: the focal firm's levers, its market, behaviour and run settings."""

    focal_name: str = "focal"
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
        )
        return [focal, *self.market.competitors.values()]


# --------------------------------------------------------------------------- building


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
        kwargs[key] = _convert(names[key].type, data[key], _join(path, key))
    return cls(**kwargs)


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


def _convert(type_name: str, value: Any, path: str) -> Any:
    type_name = str(type_name)
    if type_name in _NESTED:
        return _build(_NESTED[type_name], value, path)
    if type_name.startswith("dict[str, "):
        inner = type_name[len("dict[str, ") : -1]
        if not hasattr(value, "keys"):
            raise ParameterError(f"{path}: expected a mapping, got {value!r}")
        return {str(k): _convert(inner, value[k], _join(path, str(k))) for k in value.keys()}
    if type_name == "int":
        if isinstance(value, bool) or not float(value).is_integer():
            raise ParameterError(f"{path}={value!r}: expected a whole number")
        return int(value)
    if type_name == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{path}={value!r}: expected a number") from None
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
    """The parameters as a plain nested dict (JSON-ready)."""
    return dataclasses.asdict(params)


# --------------------------------------------------------------------------- validation

_UNIT = (0.0, 1.0)
_POS = (0.0, math.inf)


def _check(path: str, value: float, lo: float, hi: float, *, lo_open: bool = False) -> None:
    bad = not math.isfinite(value) if hi != math.inf or lo != -math.inf else math.isnan(value)
    bad = bad or value < lo or value > hi or (lo_open and value <= lo)
    if bad:
        lo_s = f"({lo:g}" if lo_open else f"[{lo:g}"
        hi_s = "inf)" if hi == math.inf else f"{hi:g}]"
        raise ParameterError(f"{path}={value!r} is out of range; allowed {lo_s}, {hi_s}")


# (field, low, high, low_open) per dataclass; fields not listed must be >= 0.
_RANGES: dict[type, dict[str, tuple[float, float, bool]]] = {
    SegmentParams: {
        "share": (0, 1, False),
        "expectation": (0, 1, False),
        "need_rate": (0, 1, False),
        "purchase_rate": (0, 1, False),
        "complaint_propensity": (0, 1, False),
        "patience_days": (1, math.inf, False),
    },
    NetworkParams: {"rewire_prob": (0, 1, False), "mean_degree": (1, math.inf, False)},
    StrategyParams: {
        "service_level": (0, 1, False),
        "tiering": (0, 1, False),
        "price": (0, math.inf, True),
        "promise": (0, 3, True),
        "advertising": (0, 1, False),
        "training": (0, 1, False),
        "compensation": (0, 2, False),
        "complaint_handling": (0, 1, False),
        "loyalty_premium": (0, 1, False),
        "cross_buy": (0, 2, False),
    },
    OrgParams: {
        "frontline_authority": (0, 1, False),
        "approval_levels": (1, 10, False),
        "level_delay_days": (0, 60, False),
        "manager_span": (1, math.inf, False),
        "manager_capacity": (0, math.inf, True),
        "control_share": (0, 1, False),
    },
    StageParams: {
        "standardization": (0, 0.95, False),
        "followup_rate": (0, 1, False),
        "contract_uptake": (0, 1, False),
        "proactive_rate": (0, 1, False),
        "proactive_prevention": (0, 1, False),
    },
    FirmParams: {"initial_share": (0, 1, False)},
    MarketParams: {
        "focal_initial_share": (0, 1, False),
        "innovation": (0, 1, False),
        "imitation": (0, 1, False),
        "norm_adaptation": (0, 1, False),
        "cost_of_goods": (0, 1, False),
        "expectation_drift": (-1, 1, False),
    },
    BehaviourParams: {
        "quality_noise": (0, 1, False),
        "base_failure": (0, 1, True),
        "satisfaction_memory": (0, 1, False),
        "tolerance": (0, 1, False),
        "expectation_learning": (0, 1, False),
        "advertising_pull": (0, 1, False),
        "wom_neutral": (0, 1, True),
        "wom_base": (0, 1, False),
        "wom_positive": (0, 1, False),
        "wom_negative": (0, 1, False),
        "attitude_decay": (0, 1, False),
        "churn_base": (0, 1, True),
        "switch_share": (0, 1, False),
        "repeat_threshold": (0, 1, False),
        "loyal_threshold": (0, 1, False),
        "advocate_threshold": (0, 1, False),
        "paradox_threshold": (0, 1, False),
        "repeat_failure_cap": (0, 1, False),
        "unresolved_penalty": (0, 1, False),
        "recovery_speed_days": (0, math.inf, True),
        "compensation_scale": (0, math.inf, True),
        "promise_weight": (0, 1, False),
        "initial_satisfaction": (0, 1, False),
        "recovery_weight_speed": (0, 1, False),
        "recovery_weight_compensation": (0, 1, False),
        "recovery_weight_skill": (0, 1, False),
        "failure_memory_days": (1, math.inf, False),
        "staff_capacity": (0, math.inf, True),
        "morale_adjustment": (0, 1, False),
        "quit_base": (0, 1, False),
        "novice_skill": (0, 1, False),
        "initial_skill": (0, 1, False),
        "initial_morale": (0, 1, False),
    },
    SimParams: {
        "n_customers": (1, 1e9, False),
        "days": (1, 1e6, False),
        "seed": (0, 2**63 - 1, False),
        "discount_rate": (0, 10, False),
        "customer_agents_max": (0, math.inf, False),
    },
}

# Signed constants allowed below zero (slopes and shifts that may be turned off or reversed).
_SIGNED = {"expectation_drift", "seed", "outside_utility"}


def _validate_dataclass(obj: Any, path: str) -> None:
    ranges = _RANGES.get(type(obj), {})
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        where = _join(path, f.name)
        if dataclasses.is_dataclass(value):
            _validate_dataclass(value, where)
        elif isinstance(value, dict):
            for k, v in value.items():
                _validate_dataclass(v, _join(where, k))
        elif isinstance(value, bool) or isinstance(value, str):
            continue
        elif isinstance(value, int | float):
            if f.name in ranges:
                lo, hi, lo_open = ranges[f.name]
                _check(where, float(value), lo, hi, lo_open=lo_open)
            elif f.name not in _SIGNED:
                _check(where, float(value), 0.0, math.inf)


def validate(params: Params) -> None:
    """Raise :class:`ParameterError` with a one-line message on the first invalid value."""
    _validate_dataclass(params, "")
    segs = params.market.segments
    if not segs:
        raise ParameterError("market.segments: at least one segment is required")
    total = sum(s.share for s in segs.values())
    if abs(total - 1.0) > 1e-6:
        raise ParameterError(
            f"market.segments.*.share: shares sum to {total:.6g}; allowed: they must sum to 1"
        )
    kind = params.market.network.kind
    if kind not in NETWORK_KINDS:
        raise ParameterError(
            f"market.network.kind={kind!r} is unknown; allowed: {', '.join(NETWORK_KINDS)}"
        )
    initial = params.market.focal_initial_share + sum(
        c.initial_share for c in params.market.competitors.values()
    )
    if initial > 1.0 + 1e-9:
        raise ParameterError(
            f"market initial shares sum to {initial:.6g}; allowed: at most 1 "
            "(market.focal_initial_share + market.competitors.*.initial_share)"
        )
    if len(params.market.competitors) > 30:
        raise ParameterError("market.competitors: at most 30 competitors; allowed [0, 30]")
    b = params.behaviour
    weights = b.recovery_weight_speed + b.recovery_weight_compensation + b.recovery_weight_skill
    if abs(weights - 1.0) > 1e-6:
        raise ParameterError(
            f"behaviour.recovery_weight_*: weights sum to {weights:.6g}; allowed: they must sum to 1"
        )
    if not b.repeat_threshold <= b.loyal_threshold <= b.advocate_threshold:
        raise ParameterError(
            "behaviour thresholds: allowed repeat_threshold <= loyal_threshold <= advocate_threshold"
        )
    n = params.sim.n_customers
    deg = params.market.network.mean_degree
    if kind != "complete" and deg >= n:
        raise ParameterError(
            f"market.network.mean_degree={deg} is out of range; allowed [1, {n - 1}] "
            f"(below sim.n_customers={n})"
        )
