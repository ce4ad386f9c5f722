"""The one place where the decision tools meet the model: parameters and the model function.

Two interfaces are being built beside this package (issue 17): the parameter
registry (``servsim.registry.parameters`` / ``problem``, item 1) and the
EMA-style model function ``servsim.evaluate(**kwargs) -> dict`` (item 2).  Until
they land this module supplies both from today's API, so switching to them is
an edit here and nowhere else:

- :func:`parameters` returns :class:`Parameter` records (key, kind, plausible
  range, distribution, default, hard bounds, unit, source, description) from
  ``servsim.registry`` when it exists, else from the short hand-written list
  :data:`FALLBACK_PARAMETERS` of Company A parameters;
- :func:`evaluate` composes the run exactly as the ``servsim`` command does
  (Hydra's compose API on the package's configs: ``market=company_a``,
  ``strategy=premium`` ...), applies dotted overrides, simulates and returns
  the focal firm's outcomes as a flat dict (:data:`OUTCOMES`).

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


def _p(key: str, kind: str, low: float, high: float, default: float, bounds: tuple[float, float],
       description: str, unit: str = "", distribution: str = "uniform",
       source: str = "judgement") -> Parameter:
    return Parameter(key, kind, low, high, distribution, default, bounds, unit, source,
                     description)


_SEG = "market.segments"
FALLBACK_PARAMETERS: tuple[Parameter, ...] = (
    # uncertainties: Company A's market and behaviour (plausible ranges: judgement,
    # around the documented defaults of configs/market/company_a.yaml and docs/ODD.md)
    _p(f"{_SEG}.small_private.price_sensitivity", "uncertainty", 1.0, 2.6, 1.8, (0, math.inf),
       "price sensitivity of small private buyers"),
    _p(f"{_SEG}.medium_private.price_sensitivity", "uncertainty", 0.7, 1.7, 1.2, (0, math.inf),
       "price sensitivity of medium private buyers"),
    _p(f"{_SEG}.large_state.price_sensitivity", "uncertainty", 0.3, 1.0, 0.6, (0, math.inf),
       "price sensitivity of large state-owned buyers"),
    _p(f"{_SEG}.small_private.expectation", "uncertainty", 0.35, 0.65, 0.5, (0, 1),
       "service expectation of small private buyers"),
    _p("market.cost_of_goods", "uncertainty", 0.55, 0.75, 0.65, (0, 1),
       "cost of goods (share of value)"),
    _p("market.imitation", "uncertainty", 0.01, 0.06, 0.03, (0, 1),
       "word-of-mouth adoption (Bass q)", "per prospect-day"),
    _p("market.expectation_drift", "uncertainty", 0.0, 0.05, 0.02, (-1, 1),
       "yearly drift of expected quality", "per year"),
    _p("behaviour.loss_aversion", "uncertainty", 1.5, 3.0, 2.25, (0, math.inf),
       "loss aversion in satisfaction", source="Tversky & Kahneman 1992 (2.25); range judgement"),
    _p("behaviour.churn_base", "uncertainty", 0.01, 0.04, 0.02, (0, 1),
       "defection probability at neutral satisfaction", "per purchase occasion", "loguniform"),
    _p("behaviour.utility_price", "uncertainty", 2.0, 4.0, 3.0, (0, math.inf),
       "weight of price in firm choice"),
    _p("behaviour.utility_quality", "uncertainty", 3.0, 5.0, 4.0, (0, math.inf),
       "weight of expected quality in firm choice"),
    _p("behaviour.wom_negative", "uncertainty", 0.1, 0.4, 0.25, (0, 1),
       "extra talk probability when dissatisfied", "per day", source="Anderson 1998 (U shape)"),
    # levers: the focal firm's strategy
    _p("strategy.price", "lever", 0.7, 1.6, 1.05, (0, math.inf), "price index", "x reference"),
    _p("strategy.service_level", "lever", 0.3, 1.0, 0.7, (0, 1), "designed service level"),
    _p("strategy.staff_per_1000", "lever", 1.0, 5.0, 2.4, (0, math.inf),
       "frontline staff per 1,000 customers"),
    _p("strategy.training", "lever", 0.0, 1.0, 0.4, (0, 1), "training intensity"),
    _p("strategy.compensation", "lever", 0.0, 1.0, 0.25, (0, 2),
       "recovery compensation (share of purchase)"),
    _p("strategy.advertising", "lever", 0.0, 1.0, 0.5, (0, 1), "advertising intensity"),
    _p("strategy.tiering", "lever", 0.0, 1.0, 0.6, (0, 1), "service tiering by segment value"),
    _p("strategy.wage", "lever", 150.0, 300.0, 210.0, (0, math.inf), "wage per staff-day", "cu"),
)
"""Company A parameters used until ``servsim.registry`` lands (ranges: judgement)."""


def _registry():
    try:
        from servsim import registry  # issue 17, item 1
    except ImportError:
        return None
    return registry


def parameters(market: str = "company_a", kind: str | None = None,
               keys: Iterable[str] | None = None) -> list[Parameter]:
    """Return the registry's parameters of ``market`` (one ``kind``, or these ``keys``).

    Raises
    ------
    ParameterError
        One line for an unknown key or kind, naming what is allowed.
    """
    registry = _registry()
    if registry is not None:
        return list(registry.parameters(market=market, kind=kind,
                                        keys=None if keys is None else list(keys)))
    if kind not in (None, "uncertainty", "lever"):
        raise ParameterError(f"kind={kind!r}: allowed uncertainty, lever")
    known = {p.key: p for p in FALLBACK_PARAMETERS if kind is None or p.kind == kind}
    if keys is None:
        return list(known.values())
    out = []
    for key in keys:
        if key not in known:
            raise ParameterError(f"{key}: unknown parameter"
                                 f"{'' if kind is None else ' (' + kind + ')'}; "
                                 f"allowed: {', '.join(known)}")
        out.append(known[key])
    return out


def problem(params: list[Parameter]) -> dict[str, Any]:
    """Return the SALib problem dict of these parameters (log-uniform as ``logunif``)."""
    registry = _registry()
    if registry is not None and hasattr(registry, "problem"):
        return registry.problem(params)
    dists = {"uniform": "unif", "loguniform": "logunif", "integer": "unif"}
    return {
        "num_vars": len(params),
        "names": [p.key for p in params],
        "bounds": [[p.low, p.high] for p in params],
        "dists": [dists[p.distribution] for p in params],
    }


# --------------------------------------------------------------------------- the model function

_composed: dict[tuple, dict] = {}


def _compose_base(groups: tuple[tuple[str, str], ...]) -> dict:
    """Compose ``servsim <group>=<option> ...``; return its task config as a dict (cached)."""
    if groups not in _composed:
        from hydra import compose, initialize_config_dir

        from servsim import conf
        from servsim.cli import task_container

        conf.register_configs()
        overrides = [f"{group}={option}" for group, option in groups]
        with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
            cfg = compose(conf.CONFIG_NAME, overrides=overrides)
        _composed[groups] = task_container(cfg)
    return _composed[groups]


GROUP_KEYS = ("market", "strategy", "org", "stage")
"""Keyword arguments of :func:`evaluate` that choose a config-group option."""


def build_params(**kwargs: Any):
    """Return the validated :class:`~servsim.params.Params` of :func:`evaluate`'s arguments."""
    from servsim.params import make_params

    groups = tuple((g, str(kwargs.pop(g))) for g in GROUP_KEYS if kwargs.get(g) is not None)
    for g in GROUP_KEYS:
        kwargs.pop(g, None)
    seed = kwargs.pop("seed", None)
    if seed is not None:
        kwargs["sim.seed"] = int(seed)
    base = _compose_base(groups)
    return make_params(base, **kwargs)


def evaluate(**kwargs: Any) -> dict[str, float]:
    """Run one replication and return the focal firm's outcomes as a flat dict.

    Parameters
    ----------
    **kwargs
        ``market``, ``strategy``, ``org``, ``stage``: config-group options (as on the
        ``servsim`` command line; omitted ones keep the command's defaults:
        company_a, differentiated, pyramid, reactive); ``seed``; and dotted
        overrides such as ``"strategy.price"`` or ``"sim.n_customers"``.

    Returns
    -------
    dict
        :data:`OUTCOMES` -> float (NaN where undefined, e.g. recovery days
        without complaints).
    """
    from servsim.simulate import simulate

    result = simulate(build_params(**kwargs))
    firm = result.summary["firms"][result.summary["focal"]]
    return {name: float(firm[source]) for name, (source, _) in OUTCOMES.items()}


def parameter_label(key: str, params: Mapping[str, Parameter] | None = None) -> str:
    """Return a plain-language name of a parameter key (its description, else the key)."""
    if params and key in params and params[key].description:
        return params[key].description
    return key
