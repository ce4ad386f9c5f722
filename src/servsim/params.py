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

from servsim.schema_fields import (  # noqa: F401 (re-exported: servsim.params is the API)
    CALIBRATION,
    CUSTOMERS_MAX,
    DAYS_MAX,
    DROPOUT_TIMINGS,
    HORIZON_MAX,
    JUDGEMENT,
    MAX_COMPETITORS,
    MAX_SEGMENTS,
    MONEY_MAX,
    NETWORK_KINDS,
    ParameterError,
    SEED_MAX,
    SLOPE_MAX,
    label,
    param,
)
from servsim.param_groups import (  # noqa: F401 (re-exported: servsim.params is the API)
    FirmParams,
    MarketParams,
    NetworkParams,
    OrgParams,
    SegmentParams,
    StageParams,
    StrategyParams,
)
from servsim.behaviour_params import (  # noqa: F401 (re-exported: servsim.params is the API)
    BehaviourParams,
)


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
    counter_draws: int = param(0, 0, 1, bounds=(0, 1), odd=("5", "7.10"),
                               source="run setting (on in the calibration configs: "
                                      "common random numbers, docs/calibration.md)")
    """1 = the choice step's draws (occasion, dropout, choice, contract, adoption) are
    counter-based uniforms U(seed, stream, customer, day), independent of all other
    draws (common random numbers for calibration); 0 = the model's sequential generator
    (default: runs as before, bit for bit)."""


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
