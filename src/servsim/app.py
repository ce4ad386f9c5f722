"""The classroom dashboard: a Mesa ``SolaraViz`` app on servsim's model, offline.

Run it with ``servsim-demo`` (or ``make demo``), which serves this file with
``solara run app.py --host 127.0.0.1 --port 8765 --production``.

What the page holds
-------------------
* **Scenario presets** from the seeds: Company A's three positioning options,
  a Shangri-La-style hotel against a budget chain, complaints ignored against
  complaints recovered.  A preset is a list of Hydra overrides composed with
  the same config directory and schema as the ``servsim`` command
  (:data:`PRESETS`); loading it moves every control to the composed values.
* **Levers** (:data:`LEVERS`): positioning, promise, organisation and frontline
  authority, approval levels and their delay, compensation and complaint
  handling, staffing and training, service stage, word-of-mouth strength,
  free Hydra overrides; and, in Mesa's *Model Parameters* card, number of
  customers (50-5,000), seed and horizon.  A changed control takes effect on
  **Reset**; an invalid combination shows the one-line
  :class:`~servsim.params.ParameterError` (or Hydra) message and keeps the
  current run.
* Mesa's **Reset / ▶ Play / Step**, with live charts of the focal firm:
  customers by relationship stage, satisfaction and NPS, complaints and
  recoveries, revenue / cost / profit, staff morale and turnover, and a
  drawing of a sample of customers and their ties coloured by satisfaction or
  stage.
* **A against B**: B is A with one change (:data:`COMPARISONS`), run on the
  same seed and stepped with A.

How ``SolaraViz`` is used
-------------------------
:func:`Page` returns ``mesa.visualization.SolaraViz(model, components=...,
model_params=...)``: Mesa's app bar, its *Controls* card (Reset, Play/Pause,
Step, play interval, render interval) driven by its ``ModelController``, its
*Model Parameters* card (``ModelCreator``/``UserInputs``), its *Information*
card (``Time``) and its ``ComponentsView`` grid holding :data:`COMPONENTS`.

* The model is :class:`Classroom` (a ``mesa.Model``).  Mesa's Reset calls
  ``Classroom(**model_parameters)``; the parameters are the browser
  session's :class:`Session` (a fixed parameter) and the Model Parameters
  inputs (class size, seed, horizon: :func:`model_params`).  ``__init__``
  builds :class:`Run` (A and, for the comparison, B on the same seed) from
  ``session.settings`` with :func:`build_params`.  It never raises: on
  invalid settings it keeps the session's current run (its day included;
  Mesa's clock is caught up to it) and exposes the one-line message as
  ``Classroom.error``, which the :func:`Overview` component shows.  This is
  how Mesa's unguarded ``type(model)(**kwargs)`` Reset handler and "keep the
  run" go together.
* One Mesa step is one day of A and B: ``model.time`` is the day, Mesa's
  *Render Interval (steps)* is the days per Step (:data:`RENDER_INTERVAL`, a
  week; that slider moves in steps of 2), and ``model.running`` turns off at
  the horizon, which disables Mesa's Play and Step.  (Mesa finishes the
  render interval it is in, so *Time* may pass the horizon by a few steps
  while A and B stay at the horizon.)
* Mesa's ``UserInputs`` have fixed initial values, so they hold only what a
  preset keeps (class size, seed, horizon).  The preset, group and lever
  controls, which a preset must move, are servsim's own cards
  (:func:`ScenarioControls`); the :func:`Overview` component opens them in
  SolaraViz's sidebar under Mesa's cards (a Solara ``Sidebar`` may be opened
  from any component).  Solara shows no slider value next to Mesa's
  *Customers* slider; the "A:" line of the Overview gives the class size.
* The charts are SolaraViz components, each a function of the model that
  redraws on Mesa's ``update_counter`` (bumped after every step).  Mesa's
  plot and space components need a Mesa ``DataCollector`` or a Mesa space
  and draw with Altair, which the columnar model does not use and which
  stays blank offline; the components here reuse the matplotlib ``fig_*``
  functions.  SolaraViz lays components out in its draggable grid (half
  width, fixed height), so each fits one grid cell.

Charts are matplotlib figures sent as PNG images.  Solara's Vega-Lite widget
(``FigureAltair``) asks for ``vega@5`` from Solara's asset server, which
solara-assets 1.58.2 ships only as ``vega@5.21.0``: offline the request fails
and the chart stays blank.

The page uses only the public model API: :class:`~servsim.model.ServiceMarket`
(``step``, ``day``, ``step_table``, ``params``, ``n``, ``n_firms``,
``firms.names``, the customer arrays ``c`` and ``network.neighbours``) and the
configs; the model knows nothing of the page.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import math
import shlex
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import matplotlib
import mesa
import networkx as nx
import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from servsim import conf
from servsim.compose import describe_error, task_container
from servsim.model import ServiceMarket
from servsim.params import ParameterError, Params, make_params
from servsim.results import STAGES

# --------------------------------------------------------------------------- vocabulary

_FIRST = {
    "market": ("single_firm", "company_a", "hotels", "telecom"),
    "strategy": ("differentiated", "premium", "lowcost"),
    "org": ("pyramid", "inverted"),
    "stage": ("reactive", "standardized", "productized"),
}


def _options(group: str) -> tuple[str, ...]:
    """The options of a config group: its YAML files, the usual ones first."""
    found = sorted(path.stem for path in (conf.CONFIG_DIR / group).glob("*.yaml"))
    return tuple([o for o in _FIRST[group] if o in found] +
                 [o for o in found if o not in _FIRST[group]])


GROUP_OPTIONS: dict[str, tuple[str, ...]] = {group: _options(group) for group in _FIRST}
"""Config groups the page chooses from, and their options (``configs/<group>/*.yaml``)."""


@dataclass(frozen=True)
class Lever:
    """A numeric control bound to one dotted parameter key."""

    key: str
    label: str
    lo: float
    hi: float
    step: float

    @property
    def group(self) -> str:
        """The parameter group the key belongs to (``strategy``, ``org``, ...)."""
        return self.key.split(".")[0]

    @property
    def integer(self) -> bool:
        """Whether the parameter is a whole number."""
        return isinstance(self.step, int)

    def clean(self, value: float) -> float | int:
        """Clip to the range and round to the step (sliders send 0.30000000000000004)."""
        value = min(max(float(value), self.lo), self.hi)
        if self.integer:
            return int(round(value))
        decimals = max(0, -math.floor(math.log10(self.step)) + 1)
        return round(round(value / self.step) * self.step, decimals)

    def text(self, value: float) -> str:
        """The value as shown next to the label."""
        return f"{int(value)}" if self.integer else f"{value:g}"


LEVERS: dict[str, Lever] = {
    lever.key: lever
    for lever in (
        Lever("strategy.service_level", "Service level (designed quality)", 0.2, 1.0, 0.05),
        Lever("strategy.price", "Price index (1 = market price)", 0.5, 2.0, 0.05),
        Lever("strategy.promise", "Promise (promised / delivered quality)", 0.6, 2.0, 0.05),
        Lever("org.frontline_authority", "Frontline authority (share fixed on the spot)",
              0.0, 1.0, 0.05),
        Lever("org.approval_levels", "Approval levels for escalated complaints", 1, 6, 1),
        Lever("org.level_delay_days", "Days each approval level adds", 0, 10, 1),
        Lever("strategy.compensation", "Compensation on recovery (share of purchase)",
              0.0, 1.0, 0.05),
        Lever("strategy.complaint_handling", "Complaints acted on (share)", 0.0, 1.0, 0.05),
        Lever("strategy.staff_per_1000", "Frontline staff per 1,000 customers", 0.5, 8.0, 0.1),
        Lever("strategy.training", "Training intensity", 0.0, 1.0, 0.05),
        Lever("market.imitation", "Word-of-mouth pull on prospects (Bass q)", 0.0, 0.1, 0.005),
        Lever("behaviour.wom_attitude", "Word-of-mouth effect on attitudes", 0.0, 1.5, 0.05),
    )
}
"""The page's numeric levers, by parameter key (the names of :mod:`servsim.params`)."""

LEVER_SECTIONS: dict[str, tuple[str, ...]] = {
    "Positioning and promise": ("strategy.service_level", "strategy.price", "strategy.promise"),
    "Organisation and recovery": ("org.frontline_authority", "org.approval_levels",
                                  "org.level_delay_days", "strategy.compensation",
                                  "strategy.complaint_handling"),
    "People": ("strategy.staff_per_1000", "strategy.training"),
    "Word of mouth": ("market.imitation", "behaviour.wom_attitude"),
}

CUSTOMERS_RANGE = (50, 5000, 50)
"""Number of customers: classroom sizes (a step takes a few milliseconds)."""
HORIZONS = {"1 year (365 days)": 365, "2 years (730 days)": 730, "3 years (1095 days)": 1095}
DEFAULT_HORIZON = 730
DEFAULT_CUSTOMERS = 2000


@dataclass(frozen=True)
class Preset:
    """A scenario of the seeds: Hydra overrides, the comparison it invites, and a note."""

    overrides: tuple[str, ...]
    compare: str
    note: str


PRESETS: dict[str, Preset] = {
    "One firm: the teaching baseline": Preset(
        ("market=single_firm", "strategy=differentiated", "org=pyramid", "stage=reactive"),
        "over-promise (promise 1.5)",
        "One firm, no competitor: it grows by advertising and word of mouth.",
    ),
    "Company A: premium (high quality, high cost)": Preset(
        ("market=company_a", "strategy=premium", "org=pyramid", "stage=reactive"),
        "positioning: differentiated",
        "Seed 000: Company A copies the foreign brand (Shangri-La, SAP).",
    ),
    "Company A: low cost (low quality, low price)": Preset(
        ("market=company_a", "strategy=lowcost", "org=pyramid", "stage=reactive"),
        "positioning: differentiated",
        "Seed 000: Company A fights the small firms on price (Spring Airlines).",
    ),
    "Company A: differentiated (the seed's advice)": Preset(
        ("market=company_a", "strategy=differentiated", "org=pyramid", "stage=reactive"),
        "positioning: premium",
        "Seed 000: service tiered by customer value (China Mobile's brands, ABB).",
    ),
    "Hotels: Shangri-La style (premium, inverted pyramid)": Preset(
        ("market=hotels", "strategy=premium", "org=inverted", "stage=standardized"),
        "budget hotel (low cost, pyramid)",
        "Seed 000: a five-star hotel against budget chains such as Home Inns.",
    ),
    "Hotels: budget chain (low cost, pyramid)": Preset(
        ("market=hotels", "strategy=lowcost", "org=pyramid", "stage=standardized"),
        "Shangri-La style (premium, inverted pyramid)",
        "Seed 000: basic rooms, thin staff, low price.",
    ),
    "Complaints ignored": Preset(
        ("market=single_firm", "strategy=differentiated", "org=pyramid", "stage=standardized",
         "strategy.complaint_handling=0"),
        "every complaint acted on (handling 1)",
        "Seed 001 section 2: the firm acts on no complaint.",
    ),
    "Complaints recovered": Preset(
        ("market=single_firm", "strategy=differentiated", "org=pyramid", "stage=standardized",
         "strategy.complaint_handling=1"),
        "complaints ignored (handling 0)",
        "Seed 001 section 2: every complaint is acted on, with compensation.",
    ),
}
"""Scenario presets: Hydra overrides of the ``servsim`` command's config."""

DEFAULT_PRESET = "One firm: the teaching baseline"

NO_COMPARISON = "none (run A only)"
COMPARISONS: dict[str, tuple[str, ...]] = {
    NO_COMPARISON: (),
    "positioning: premium": ("strategy=premium",),
    "positioning: low cost": ("strategy=lowcost",),
    "positioning: differentiated": ("strategy=differentiated",),
    "Shangri-La style (premium, inverted pyramid)": ("strategy=premium", "org=inverted"),
    "budget hotel (low cost, pyramid)": ("strategy=lowcost", "org=pyramid"),
    "premium service at the market price (price 1.0)": ("strategy=premium", "strategy.price=1.0"),
    "price premium without the service (price 1.4)": ("strategy.price=1.4",),
    "organisation: inverted pyramid": ("org=inverted",),
    "organisation: pyramid": ("org=pyramid",),
    "over-promise (promise 1.5)": ("strategy.promise=1.5",),
    "keep promises (promise 1.0)": ("strategy.promise=1.0",),
    "complaints ignored (handling 0)": ("strategy.complaint_handling=0",),
    "every complaint acted on (handling 1)": ("strategy.complaint_handling=1",),
    "service stage: reactive": ("stage=reactive",),
    "service stage: standardized": ("stage=standardized",),
    "service stage: productized": ("stage=productized",),
}
"""What B changes relative to A (Hydra overrides); B runs on A's seed."""


# --------------------------------------------------------------------------- settings -> params


class ScenarioError(ValueError):
    """The controls do not make a valid run; the message is one line."""


@dataclass(frozen=True)
class Settings:
    """Everything the controls say: config-group options, lever values and run settings."""

    market: str = "single_firm"
    strategy: str = "differentiated"
    org: str = "pyramid"
    stage: str = "reactive"
    levers: dict[str, float] = field(default_factory=dict)
    n_customers: int = DEFAULT_CUSTOMERS
    seed: int = 0
    days: int = DEFAULT_HORIZON
    extra: str = ""
    """Free Hydra overrides, space-separated (``strategy.price=1.2 market.network.kind=random``)."""
    compare: str = NO_COMPARISON

    def groups(self) -> dict[str, str]:
        """The config-group options as a dict."""
        return {g: getattr(self, g) for g in GROUP_OPTIONS}

    def describe(self) -> str:
        """A short line: market, positioning, organisation, stage."""
        return (f"market {self.market} · {self.strategy} · {self.org} pyramid · "
                f"{self.stage} service").replace("pyramid pyramid", "pyramid")


_compose_lock = threading.Lock()


@functools.lru_cache(maxsize=256)
def composed(overrides: tuple[str, ...]) -> dict[str, Any]:
    """Compose the ``servsim`` config with Hydra overrides; the task part as a plain dict.

    The same config directory, schema and composition as the ``servsim``
    command (:mod:`servsim.conf`, :func:`servsim.cli.task_container`).
    Raises :class:`ScenarioError` with one line on an unknown key or option.
    """
    from hydra import compose, initialize_config_dir

    with _compose_lock:
        try:
            conf.register_configs()
            with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
                cfg = compose(conf.CONFIG_NAME, overrides=list(overrides))
            return task_container(cfg)
        except Exception as ex:  # Hydra and OmegaConf errors: one line, as the command says
            raise ScenarioError(_one_line(describe_error(ex))) from None


def _one_line(text: str) -> str:
    lines = [x.strip() for x in str(text).splitlines() if x.strip()]
    return lines[0] if lines else "invalid settings"


def _lookup(tree: dict, dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        node = node[part]
    return node


def group_overrides(groups: dict[str, str]) -> tuple[str, ...]:
    """Hydra overrides choosing one option per config group."""
    return tuple(f"{g}={groups[g]}" for g in GROUP_OPTIONS)


def lever_values(groups: dict[str, str], keys: Iterable[str] = LEVERS) -> dict[str, float]:
    """Lever values in the config composed from ``groups`` (what the presets say)."""
    tree = composed(group_overrides(groups))
    return {k: LEVERS[k].clean(_lookup(tree, k)) for k in keys}


def choose(settings: Settings, **groups: str) -> Settings:
    """Switch config-group options; the levers of a switched group take its preset values."""
    changed = {g: o for g, o in groups.items() if getattr(settings, g) != o}
    if not changed:
        return settings
    new_groups = {**settings.groups(), **changed}
    keys = [k for k, lever in LEVERS.items() if lever.group in changed]
    levers = {**settings.levers, **lever_values(new_groups, keys)}
    return dataclasses.replace(settings, **changed, levers=levers)


def _parse(overrides: Sequence[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Split overrides into group choices and dotted ``key=value`` pairs."""
    groups: dict[str, str] = {}
    values: list[tuple[str, str]] = []
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise ScenarioError(f"{item!r}: expected key=value")
        key = key.strip()
        if key in GROUP_OPTIONS:
            groups[key] = value.strip()
        else:
            values.append((key, value.strip()))
    return groups, values


def apply_overrides(settings: Settings, overrides: Sequence[str]) -> Settings:
    """Apply Hydra-style overrides to the controls (group options first, then values)."""
    groups, values = _parse(overrides)
    for g, option in groups.items():
        if option not in GROUP_OPTIONS[g]:
            raise ScenarioError(f"{g}={option}: unknown option; allowed: "
                                f"{', '.join(GROUP_OPTIONS[g])}")
    settings = choose(settings, **groups)
    levers = dict(settings.levers)
    extra = shlex.split(settings.extra)
    for key, value in values:
        if key in LEVERS:
            levers[key] = LEVERS[key].clean(float(value))
        else:
            extra.append(f"{key}={value}")
    return dataclasses.replace(settings, levers=levers, extra=shlex.join(extra))


def preset_settings(name: str, keep: Settings | None = None) -> Settings:
    """The controls of a scenario preset (class size, seed and horizon kept from ``keep``)."""
    preset = PRESETS[name]
    keep = keep or Settings()
    groups, _ = _parse(preset.overrides)
    base = Settings(**{**Settings().groups(), **groups}, n_customers=keep.n_customers,
                    seed=keep.seed, days=keep.days, compare=preset.compare)
    base = dataclasses.replace(base, levers=lever_values(base.groups()))
    return apply_overrides(base, [o for o in preset.overrides if o.split("=")[0] not in groups])


def comparison_settings(settings: Settings) -> Settings:
    """B: A's controls with the comparison's change applied (same seed)."""
    return apply_overrides(dataclasses.replace(settings, compare=NO_COMPARISON),
                           COMPARISONS[settings.compare])


def build_params(settings: Settings) -> Params:
    """Validated parameters for the controls; raises :class:`ScenarioError` (one line).

    The config is composed by Hydra from the group options and the free
    overrides (cached), then the levers and run settings are applied as dotted
    overrides and :func:`servsim.params.make_params` validates the result.  A
    free override of a lever's key wins over the lever.
    """
    try:
        extra = tuple(shlex.split(settings.extra))
    except ValueError as ex:
        raise ScenarioError(f"advanced overrides: {ex}") from None
    for item in extra:
        if "=" not in item:
            raise ScenarioError(f"advanced overrides: {item!r}: expected key=value")
    named = {item.split("=", 1)[0].lstrip("+~").strip() for item in extra}
    groups = {g: o for g, o in settings.groups().items() if g not in named}
    tree = composed(tuple(f"{g}={o}" for g, o in groups.items()) + extra)
    levers = {k: v for k, v in settings.levers.items() if k not in named}
    run = {"sim.n_customers": int(settings.n_customers), "sim.days": int(settings.days),
           "sim.seed": int(settings.seed)}
    run = {k: v for k, v in run.items() if k not in named}
    try:
        return make_params(tree, **levers, **run)
    except ParameterError as ex:
        raise ScenarioError(_one_line(str(ex))) from None


# --------------------------------------------------------------------------- the runs


@dataclass
class NetworkSample:
    """A connected sample of customers, their ties among themselves, and a fixed layout."""

    nodes: np.ndarray
    edges: list[tuple[int, int]]
    xy: np.ndarray


def sample_network(model: ServiceMarket, size: int = 120, seed: int = 0) -> NetworkSample:
    """A ball of ``size`` customers around one of the focal firm's customers, with a layout.

    Breadth-first over ``model.network.neighbours``: the start customer's ties,
    then theirs, so that the sample keeps the network's local clustering.
    """
    rng = np.random.default_rng(seed)
    focal = np.flatnonzero(model.customers.firm == 0)
    start = int(rng.choice(focal)) if focal.size else int(rng.integers(model.n))
    order, seen, frontier = [start], {start}, [start]
    while frontier and len(order) < size:
        ring = []
        for i in frontier:
            for j in model.network.neighbours(i):
                j = int(j)
                if j not in seen:
                    seen.add(j)
                    ring.append(j)
        rng.shuffle(ring)
        ring = ring[: size - len(order)]
        order.extend(ring)
        frontier = ring
    nodes = np.array(order, dtype=np.int64)
    index = {int(c): k for k, c in enumerate(nodes)}
    edges = sorted({(min(k, index[int(j)]), max(k, index[int(j)]))
                    for c, k in index.items() for j in model.network.neighbours(c)
                    if int(j) in index and int(j) != c})
    graph = nx.Graph()
    graph.add_nodes_from(range(len(nodes)))
    graph.add_edges_from(edges)
    pos = nx.spring_layout(graph, seed=seed, iterations=100)
    xy = np.array([pos[k] for k in range(len(nodes))])
    return NetworkSample(nodes=nodes, edges=edges, xy=xy)


class Run:
    """The models on screen: A (the controls) and optionally B (A with one change).

    Both start from the same seed and are stepped together.  Building raises
    :class:`ScenarioError` when the controls are invalid.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.params = build_params(settings)
        self.compare = settings.compare if settings.compare in COMPARISONS else NO_COMPARISON
        self.settings_b = None
        self.b: ServiceMarket | None = None
        if self.compare != NO_COMPARISON:
            self.settings_b = comparison_settings(settings)
            params_b = build_params(self.settings_b)
        self.a = ServiceMarket(self.params)
        if self.settings_b is not None:
            self.b = ServiceMarket(params_b)
        self.horizon = self.params.sim.days
        self.network = sample_network(self.a, seed=self.params.sim.seed)
        self.lock = threading.Lock()

    @property
    def day(self) -> int:
        """Days simulated so far."""
        return self.a.day

    @property
    def done(self) -> bool:
        """Whether the horizon is reached."""
        return self.a.day >= self.horizon

    def step(self, days: int = 1) -> None:
        """Advance A (and B) by ``days`` days, stopping at the horizon."""
        with self.lock:
            for _ in range(max(1, int(days))):
                if self.done:
                    break
                self.a.step()
                if self.b is not None:
                    self.b.step()

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The focal firm's per-day rows of A and of B."""
        with self.lock:
            a = focal_rows(self.a)
            b = focal_rows(self.b) if self.b is not None else None
        return a, b


def focal_rows(model: ServiceMarket) -> pd.DataFrame:
    """The focal firm's rows of the step table (day, metrics)."""
    steps = model.step_table()
    return steps[steps["firm"] == model.params.focal_name].reset_index(drop=True)


def headline(model: ServiceMarket, rows: pd.DataFrame) -> dict[str, str]:
    """The numbers over the charts: day, customers, satisfaction, NPS, profit, morale."""
    c = model.customers
    customers = int(((c.firm == 0) & c.active).sum())
    if len(rows):
        last = rows.iloc[-1]
        sat, nps = f"{last['satisfaction']:.2f}", f"{round(last['recommend_score']):+d}"
        profit = f"{rows['profit'].sum():,.0f}"
        morale = f"{last['staff_morale']:.2f}"
    else:
        sat = nps = morale = "–"
        profit = "0"
    return {"Day": str(model.day), "Customers": f"{customers:,}", "Satisfaction": sat,
            "NPS": nps, "Cumulative profit": profit, "Staff morale": morale}


# --------------------------------------------------------------------------- charts

STAGE_COLOURS = {"prospect": "#d9d9d9", "new": "#c6dbef", "repeat": "#6baed6",
                 "loyal": "#2171b5", "advocate": "#31a354", "lapsed": "#de2d26"}
A_COLOUR, B_COLOUR = "#1f4e9c", "#e6550d"
FIG_SIZE = (4.6, 2.7)
DPI = 100


def _figure(size: tuple[float, float] = FIG_SIZE) -> tuple[Figure, Any]:
    fig = Figure(figsize=size, dpi=DPI)
    fig.subplots_adjust(left=0.14, right=0.86, bottom=0.17, top=0.9)
    return fig, fig.subplots()


def _empty(ax, what: str = "press Step or ▶ to start") -> None:
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xlabel("day")


def _weekly(series: pd.Series) -> pd.Series:
    return series.rolling(7, min_periods=1).sum()


def fig_stages(rows: pd.DataFrame) -> Figure:
    """Customers of the focal firm by relationship stage (stacked), and lapsed ones."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    day = rows["day"]
    names = ["new", "repeat", "loyal", "advocate"]
    ax.stackplot(day, *[rows[f"customers_{s}"] for s in names], labels=names,
                 colors=[STAGE_COLOURS[s] for s in names], alpha=0.95)
    ax.plot(day, rows["customers_lapsed"], color=STAGE_COLOURS["lapsed"], lw=1.6,
            label="lapsed (former)")
    ax.set_xlabel("day")
    ax.set_ylabel("customers")
    ax.legend(loc="upper left", fontsize=7.5, ncols=3, frameon=False)
    ax.set_ylim(0, max(1.0, float((rows["customers"]).max()), float(rows["customers_lapsed"].max()))
                * 1.25)
    return fig


def fig_satisfaction(rows: pd.DataFrame) -> Figure:
    """Mean satisfaction (left axis) and the NPS-style recommend score (right axis)."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    ax.plot(rows["day"], rows["satisfaction"], color=A_COLOUR, lw=1.8, label="satisfaction")
    ax.plot(rows["day"], rows["expectation"], color=A_COLOUR, lw=1, ls=":",
            label="expectation")
    ax.set_ylim(0, 1)
    ax.set_ylabel("satisfaction (0-1)")
    ax.set_xlabel("day")
    fig.subplots_adjust(right=0.83)
    right = ax.twinx()
    right.plot(rows["day"], rows["recommend_score"], color="#756bb1", lw=1.5, label="NPS")
    right.axhline(0, color="0.7", lw=0.8)
    right.set_ylim(-100, 100)
    right.set_ylabel("NPS")
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, ncols=3, frameon=False)
    return fig


def fig_complaints(rows: pd.DataFrame) -> Figure:
    """Complaints and their fate per week (7-day sums), and days to resolve."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    day = rows["day"]
    ax.plot(day, _weekly(rows["failures"]), color="0.55", lw=1, label="failures")
    ax.plot(day, _weekly(rows["complaints"]), color="#d95f0e", lw=1.8, label="complaints")
    ax.plot(day, _weekly(rows["recoveries"]), color="#31a354", lw=1.8, label="recovered")
    ax.plot(day, _weekly(rows["recoveries_on_spot"]), color="#31a354", lw=1, ls="--",
            label="on the spot")
    lost = rows["complaints_ignored"] + rows["complaints_abandoned"]
    ax.plot(day, _weekly(lost), color="#de2d26", lw=1.2, label="unresolved")
    ax.set_ylabel("per week")
    ax.set_xlabel("day")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=7.5, ncols=3, frameon=False)
    done = rows["recoveries"].sum()
    if done:
        mean_days = (rows["recovery_days"].fillna(0) * rows["recoveries"]).sum() / done
        ax.set_title(f"mean days to resolve: {mean_days:.1f}", fontsize=8, loc="right")
    return fig


def fig_money(rows: pd.DataFrame) -> Figure:
    """Cumulative revenue, cost and profit of the focal firm."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    day = rows["day"]
    ax.plot(day, rows["revenue"].cumsum(), color="#3182bd", lw=1.5, label="revenue")
    ax.plot(day, rows["cost"].cumsum(), color="#e6550d", lw=1.5, label="cost")
    ax.plot(day, rows["profit"].cumsum(), color="#31a354", lw=2.2, label="profit")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_ylabel("cumulative (cu)")
    ax.set_xlabel("day")
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    ax.legend(loc="upper left", fontsize=7.5, ncols=3, frameon=False)
    return fig


def fig_staff(rows: pd.DataFrame) -> Figure:
    """Staff morale and skill (left axis) and quits and hires so far (right axis)."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    day = rows["day"]
    ax.plot(day, rows["staff_morale"], color="#756bb1", lw=1.8, label="morale")
    ax.plot(day, rows["staff_skill"], color="#9e9ac8", lw=1.2, ls="--", label="skill")
    ax.set_ylim(0, 1)
    ax.set_ylabel("morale, skill (0-1)")
    ax.set_xlabel("day")
    fig.subplots_adjust(right=0.83)
    right = ax.twinx()
    right.step(day, rows["staff_quits"].cumsum(), color="#de2d26", lw=1.4, label="quits so far")
    right.step(day, rows["staff_hires"].cumsum(), color="#31a354", lw=1, ls=":",
               label="novices hired")
    right.set_ylabel("people")
    right.set_ylim(bottom=0, top=max(3.0, float(rows["staff_quits"].sum()) * 1.3,
                                      float(rows["staff_hires"].sum()) * 1.3))
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, ncols=2, frameon=False)
    staff = int(rows["staff"].iloc[-1])
    ax.set_title(f"frontline staff now: {staff}", fontsize=8, loc="right")
    return fig


def fig_network(model: ServiceMarket, sample: NetworkSample, colour_by: str) -> Figure:
    """The sampled customers and their ties, coloured by satisfaction or by stage.

    Circles are the focal firm's customers (and its lapsed ones), squares a
    competitor's; grey dots are prospects who never bought.
    """
    fig, ax = _figure((4.6, 3.4))
    ax.set_axis_off()
    xy = sample.xy
    if sample.edges:
        seg = np.array([[xy[i], xy[j]] for i, j in sample.edges])
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(seg, colors="0.8", linewidths=0.5, zorder=1))
    c = model.customers
    nodes = sample.nodes
    firm = c.firm[nodes]
    stage = c.stage[nodes]
    sat = c.satisfaction[nodes]
    prospect = firm < 0
    ax.scatter(*xy[prospect].T, s=10, color=STAGE_COLOURS["prospect"], zorder=2)
    cmap = matplotlib.colormaps["RdYlGn"]
    for mask, marker in ((~prospect & (firm == 0), "o"), (~prospect & (firm > 0), "s")):
        if not mask.any():
            continue
        if colour_by == "stage":
            colours = [STAGE_COLOURS[STAGES[int(s)]] for s in stage[mask]]
            ax.scatter(*xy[mask].T, s=38, c=colours, marker=marker, edgecolors="0.3",
                       linewidths=0.4, zorder=3)
        else:
            ax.scatter(*xy[mask].T, s=38, c=sat[mask], cmap=cmap, vmin=0.2, vmax=0.9,
                       marker=marker, edgecolors="0.3", linewidths=0.4, zorder=3)
    if colour_by == "stage":
        handles = [Line2D([], [], ls="", marker="o", color=STAGE_COLOURS[s], mec="0.3", label=s)
                   for s in STAGES]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.08),
                  ncols=3, fontsize=7.5, frameon=False)
    else:
        mappable = matplotlib.cm.ScalarMappable(matplotlib.colors.Normalize(0.2, 0.9), cmap)
        bar = fig.colorbar(mappable, ax=ax, shrink=0.7, pad=0.01)
        bar.set_label("satisfaction", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    shapes = [Line2D([], [], ls="", marker="o", color="0.5", label="focal firm"),
              Line2D([], [], ls="", marker=".", color=STAGE_COLOURS["prospect"],
                     label="prospect")]
    if model.n_firms > 1:
        shapes.insert(1, Line2D([], [], ls="", marker="s", color="0.5", label="competitors"))
    fig.legend(handles=shapes, loc="upper left", fontsize=7.5, frameon=False, ncols=3)
    return fig


COMPARE_PANELS = (
    ("profit", "cumulative profit (cu)", True),
    ("customers", "active customers", False),
    ("satisfaction", "satisfaction", False),
    ("recommend_score", "NPS", False),
)


def fig_compare(a: pd.DataFrame, b: pd.DataFrame, label_a: str, label_b: str) -> Figure:
    """A against B: cumulative profit, customers, satisfaction and NPS."""
    fig = Figure(figsize=(6.0, 4.0), dpi=DPI)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.19, top=0.93, hspace=0.35, wspace=0.25)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (col, title, cumulative) in zip(axes, COMPARE_PANELS, strict=True):
        for rows, colour, label in ((a, A_COLOUR, label_a), (b, B_COLOUR, label_b)):
            if len(rows):
                y = rows[col].cumsum() if cumulative else rows[col]
                ax.plot(rows["day"], y, color=colour, lw=1.8, label=label)
        ax.set_title(title, fontsize=10)
        ax.tick_params(labelsize=8)
        if cumulative:
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    if not len(a):
        _empty(axes[0])
    for ax in axes[2:]:
        ax.set_xlabel("day", fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncols=2, fontsize=9,
                   frameon=False)
    return fig


def compare_outcomes(a: pd.DataFrame, b: pd.DataFrame) -> list[tuple[str, str, str]]:
    """A's and B's outcomes so far, as (outcome, A, B) text rows."""
    names = ["cumulative profit", "customers now", "customers won", "customers lost",
             "loyal + advocate customers", "satisfaction", "expectation", "NPS",
             "complaints: on the spot / all", "days to resolve a complaint",
             "staff morale", "staff quits"]

    def outcomes(rows: pd.DataFrame) -> list[str]:
        if not len(rows):
            return ["–"] * len(names)
        done = rows["recoveries"].sum()
        days = (rows["recovery_days"].fillna(0) * rows["recoveries"]).sum() / done if done else 0
        last = rows.iloc[-1]
        return [f"{rows['profit'].sum():,.0f}", f"{int(last['customers']):,}",
                f"{int(rows['acquisitions'].sum()):,}", f"{int(rows['churn'].sum()):,}",
                f"{int(last['customers_loyal'] + last['customers_advocate']):,}",
                f"{last['satisfaction']:.2f}", f"{last['expectation']:.2f}",
                f"{round(last['recommend_score']):+d}",
                f"{int(rows['recoveries_on_spot'].sum())} / {int(rows['complaints'].sum())}",
                f"{days:.1f}" if done else "–",
                f"{last['staff_morale']:.2f}", f"{int(rows['staff_quits'].sum())}"]

    return list(zip(names, outcomes(a), outcomes(b), strict=True))


def _html_table(rows: list[tuple[str, str, str]]) -> str:
    head = "<tr><th>outcome</th><th>A</th><th>B</th></tr>"
    body = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(x)}</td>"
                   f"<td>{html.escape(y)}</td></tr>" for n, x, y in rows)
    return f"<table class='servsim-table'>{head}{body}</table>"


# --------------------------------------------------------------------------- the Mesa model

SEED_HELP = "a whole number >= 0"


def parse_seed(value: Any) -> int:
    """The seed typed in Mesa's Model Parameters card; raises :class:`ScenarioError`."""
    text = str(value).strip()
    try:
        seed = int(text)
    except ValueError:
        raise ScenarioError(f"seed {text!r}: expected {SEED_HELP}") from None
    if seed < 0:
        raise ScenarioError(f"seed {text!r}: expected {SEED_HELP}")
    return seed


@dataclass(eq=False)
class Session:
    """One browser session's scenario controls, read by :class:`Classroom` on Reset.

    ``settings`` is what the Scenario cards say (presets, levers, comparison,
    overrides); class size, seed and horizon come from Mesa's Model Parameters
    card as :class:`Classroom` arguments.  ``run`` is the last run built from
    valid settings: an invalid Reset keeps it.
    """

    settings: solara.Reactive
    preset: solara.Reactive
    error: solara.Reactive
    """The one-line message of the last refused control change, or None."""
    colour_by: solara.Reactive
    run: Run | None = None

    @classmethod
    def new(cls, settings: Settings | None = None, preset: str = DEFAULT_PRESET) -> Session:
        """A session with its own reactive variables (one per browser tab)."""
        return cls(settings=solara.reactive(settings or preset_settings(preset)),
                   preset=solara.reactive(preset),
                   error=solara.reactive(cast(str | None, None)),
                   colour_by=solara.reactive("satisfaction"))

    def update(self, change) -> None:
        """Apply ``change(settings) -> settings``; a refused change shows its message."""
        try:
            self.settings.value = change(self.settings.value)
            self.error.value = None
        except ScenarioError as ex:
            self.error.value = str(ex)


class Classroom(mesa.Model):
    """The Mesa model SolaraViz drives: run A (and B, A with one change) of the page's settings.

    SolaraViz's Reset calls ``Classroom(**model_parameters)``: the session
    (fixed) and the Model Parameters card's class size, seed and horizon.
    The scenario comes from ``session.settings`` (presets, levers,
    comparison).  Invalid settings never raise: the model keeps the session's
    current run (its day included) and exposes the one-line message as
    :attr:`error`.  One Mesa step is one simulated day of A and B, so
    ``time`` is the day and Mesa's *Render Interval* is the days per Step.
    """

    def __init__(self, session: Session | None = None, n_customers: int = DEFAULT_CUSTOMERS,
                 seed: str | int = "0", horizon: str = "", rng: Any = None):
        self.error: str | None = None
        settings = session.settings.value if session else preset_settings(DEFAULT_PRESET)
        run = None
        try:
            days = HORIZONS.get(horizon, settings.days) if horizon else settings.days
            settings = dataclasses.replace(settings, n_customers=int(n_customers),
                                           seed=parse_seed(seed), days=days)
            run = Run(settings)
        except ScenarioError as ex:
            self.error = str(ex)
        except Exception as ex:  # never leave the class with a dead page
            self.error = _one_line(f"{type(ex).__name__}: {ex}")
        kept = session.run if session is not None else None
        if run is None:
            run = kept if kept is not None else Run(preset_settings(DEFAULT_PRESET))
        super().__init__(rng=run.params.sim.seed if rng is None else rng)
        self.session = session
        self.run = run
        self._rows: tuple[int, tuple[pd.DataFrame, pd.DataFrame | None]] | None = None
        self._replaying = True
        if run.day:  # a kept run: Mesa's clock catches up with its day
            self.run_for(run.day)
        self._replaying = False
        self.running = not run.done
        if session is not None and self.error is None:
            session.run = run
            if session.settings.value != settings:
                session.settings.value = settings

    def step(self) -> None:
        """One day of A and B (nothing past the horizon)."""
        if self._replaying:
            return
        self.run.step(1)
        self.running = not self.run.done

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The focal firm's rows of A and B, computed once per day."""
        day = self.run.day
        cached = self._rows
        if cached is None or cached[0] != day:
            cached = (day, self.run.tables())
            self._rows = cached
        return cached[1]


# --------------------------------------------------------------------------- the page

TITLE = "servsim: which service strategy builds loyalty and profit?"

CSS = """
.servsim-kpi { min-width: 110px; }
.servsim-kpi-name { display: block; font-size: 0.8rem; color: #666; }
.servsim-kpi-value { display: block; font-size: 1.4rem; font-weight: 600; }
.servsim-chart img { max-width: 100%; max-height: 300px; width: auto; height: auto;
                     display: block; margin: 0 auto; }
.servsim-chart.chart-network img, .servsim-chart.chart-compare img { max-height: 270px; }
.servsim-compare-labels { font-size: 0.8rem; }
.servsim-chart .v-card__title { font-size: 1rem; padding: 8px 12px; }
.servsim-lever-label { font-size: 0.85rem; color: #444; }
.servsim-lever .v-input { margin-top: 0; padding-top: 0; }
.servsim-lever .v-messages { display: none; }
.servsim-note { font-size: 0.85rem; color: #555; }
.servsim-table { border-collapse: collapse; font-size: 0.8rem; }
.servsim-table th, .servsim-table td { padding: 1px 8px; border-bottom: 1px solid #ddd; }
.servsim-table td + td, .servsim-table th + th { text-align: right; }
.vue-grid-item { overflow: auto; }
"""


def _slider(label: str, css: str, value: float, lo: float, hi: float, step: float,
            on_value, integer: bool) -> None:
    """A slider with its label and current value on a line of their own above it."""
    with solara.Div(classes=["servsim-lever", css]):
        solara.Text(label, classes=["servsim-lever-label"])
        if integer:
            solara.SliderInt("", value=int(value), min=int(lo), max=int(hi), step=int(step),
                             on_value=on_value, thumb_label=False)
        else:
            solara.SliderFloat("", value=float(value), min=lo, max=hi, step=step,
                               on_value=on_value, thumb_label=False)


def _choice(label: str, css: str, values: Sequence[str], value: str, on_value) -> None:
    with solara.Div(classes=[css]):
        solara.Select(label, values=list(values), value=value, on_value=on_value)


@solara.component
def Chart(title: str | None, figure_fn, args: tuple, key: str, dependencies: list) -> None:
    """One matplotlib chart (in a card if titled), redrawn when ``dependencies`` change."""
    fig = solara.use_memo(lambda: figure_fn(*args), dependencies)
    if title is None:
        with solara.Div(classes=["servsim-chart", f"chart-{key}"]):
            solara.FigureMatplotlib(fig, format="png", dependencies=dependencies)
    else:
        with solara.Card(title, classes=["servsim-chart", f"chart-{key}"], margin=0):
            solara.FigureMatplotlib(fig, format="png", dependencies=dependencies)


@solara.component
def ScenarioControls(session: Session) -> None:
    """The scenario cards (in SolaraViz's sidebar, under Mesa's Controls and Model Parameters).

    Presets, positioning, organisation, people, stage and market, overrides
    and the comparison; a preset or a config-group option moves every
    control to its composed values.  Changes apply on Mesa's Reset.
    """
    s: Settings = session.settings.value

    def group_setter(group: str):
        return lambda option: session.update(lambda old: choose(old, **{group: option}))

    def field_setter(name: str, convert):
        return lambda v: session.update(
            lambda old: dataclasses.replace(old, **{name: convert(v)}))

    def lever_setter(lever: Lever):
        def on_value(v):
            session.update(lambda old: dataclasses.replace(
                old, levers={**old.levers, lever.key: lever.clean(v)}))
        return on_value

    def levers(section: str) -> None:
        for key in LEVER_SECTIONS[section]:
            lever = LEVERS[key]
            value = s.levers.get(key, lever.lo)
            _slider(f"{lever.label}: {lever.text(value)}", "lever-" + key.replace(".", "-"),
                    value, lever.lo, lever.hi, lever.step, lever_setter(lever), lever.integer)

    def load_preset(name: str) -> None:
        session.preset.value = name
        session.update(lambda old: preset_settings(name, old))

    with solara.Card("Scenario (applied on Reset)"):
        _choice("Preset (the seeds' cases)", "servsim-preset", PRESETS, session.preset.value,
                load_preset)
        solara.Text(PRESETS[session.preset.value].note, classes=["servsim-note"])
    with solara.Card("Positioning and promise"):
        _choice("Positioning (strategy preset)", "servsim-strategy", GROUP_OPTIONS["strategy"],
                s.strategy, group_setter("strategy"))
        levers("Positioning and promise")
    with solara.Card("Organisation and recovery"):
        _choice("Organisation", "servsim-org", GROUP_OPTIONS["org"], s.org, group_setter("org"))
        levers("Organisation and recovery")
    with solara.Card("People"):
        levers("People")
    with solara.Card("Service stage and market"):
        _choice("Service stage", "servsim-stage", GROUP_OPTIONS["stage"], s.stage,
                group_setter("stage"))
        _choice("Market", "servsim-market", GROUP_OPTIONS["market"], s.market,
                group_setter("market"))
        levers("Word of mouth")
    with solara.Card("Compare: B is A with one change"):
        _choice("B changes", "servsim-compare", COMPARISONS, s.compare,
                field_setter("compare", str))
        with solara.Div(classes=["servsim-extra"]):
            solara.InputText("Advanced: Hydra overrides (key=value ...)", value=s.extra,
                             continuous_update=False, on_value=field_setter("extra", str))


@solara.component
def Overview(model: Classroom) -> None:
    """SolaraViz component: what runs, the error or pending notice, and the headline numbers.

    It also puts :func:`ScenarioControls` in SolaraViz's sidebar (a Solara
    ``Sidebar`` may be opened from any component) and the page's style.
    """
    update_counter.get()
    session = model.session
    current = model.run
    rows_a, _ = model.tables()
    solara.Style(CSS)
    solara.Title("servsim classroom")
    if session is not None:
        with solara.Sidebar():
            ScenarioControls(session)
    error = model.error or (session.error.value if session is not None else None)
    with solara.Card(classes=["servsim-overview"], margin=0):
        solara.HTML(unsafe_innerHTML=(
            f"<b>A:</b> {html.escape(current.settings.describe())} · "
            f"{current.params.sim.n_customers:,} customers · seed {current.params.sim.seed} · "
            f"horizon {current.horizon} days"), classes=["servsim-running"])
        if error:
            solara.Error(f"Not applied: {error}", classes=["servsim-error"], dense=True)
        elif session is not None and session.settings.value != current.settings:
            solara.Info("Scenario changed: press Reset to apply it.",
                        classes=["servsim-pending"], dense=True)
        elif current.done:
            solara.Info(f"Horizon reached ({current.horizon} days): press Reset to run again.",
                        classes=["servsim-done"], dense=True)
        with solara.Row(classes=["servsim-kpis"], style={"flex-wrap": "wrap"}):
            for name, value in headline(current.a, rows_a).items():
                slug = name.lower().replace(" ", "-")
                with solara.Card(classes=["servsim-kpi", f"kpi-{slug}"], margin=0):
                    solara.Text(name, classes=["servsim-kpi-name"])
                    solara.Text(value, classes=["servsim-kpi-value"])


@solara.component
def ChartOfA(model: Classroom, key: str) -> None:
    """One of :data:`CHARTS_OF_A` for A's focal firm, redrawn each step."""
    update_counter.get()
    title, figure_fn = CHARTS_OF_A[key]
    rows_a, _ = model.tables()
    Chart(title, figure_fn, (rows_a,), key, [id(model.run), model.run.day])


CHARTS_OF_A = {
    "stages": ("Customers by relationship stage", fig_stages),
    "satisfaction": ("Satisfaction and NPS", fig_satisfaction),
    "complaints": ("Complaints and recoveries", fig_complaints),
    "money": ("Revenue, cost and profit", fig_money),
    "staff": ("Staff morale and turnover", fig_staff),
}


@solara.component
def StagesChart(model: Classroom) -> None:
    """SolaraViz component: A's customers by relationship stage."""
    ChartOfA(model, "stages")


@solara.component
def SatisfactionChart(model: Classroom) -> None:
    """SolaraViz component: A's satisfaction, expectation and NPS."""
    ChartOfA(model, "satisfaction")


@solara.component
def ComplaintsChart(model: Classroom) -> None:
    """SolaraViz component: A's complaints and recoveries."""
    ChartOfA(model, "complaints")


@solara.component
def MoneyChart(model: Classroom) -> None:
    """SolaraViz component: A's cumulative revenue, cost and profit."""
    ChartOfA(model, "money")


@solara.component
def StaffChart(model: Classroom) -> None:
    """SolaraViz component: A's staff morale and turnover."""
    ChartOfA(model, "staff")


@solara.component
def NetworkChart(model: Classroom) -> None:
    """SolaraViz component: a sample of A's customers and their ties, coloured by choice."""
    update_counter.get()
    local = solara.use_reactive("satisfaction")
    colour = model.session.colour_by if model.session is not None else local
    current = model.run
    with solara.Column(gap="0px"):
        Chart(f"Word of mouth: {len(current.network.nodes)} customers and their ties",
              fig_network, (current.a, current.network, colour.value), "network",
              [id(current), current.day, colour.value])
        with solara.Row(classes=["servsim-colour-by"], style={"align-items": "center"}):
            solara.Text("Colour by", classes=["servsim-note"])
            solara.ToggleButtonsSingle(value=colour, values=["satisfaction", "stage"],
                                       dense=True)


@solara.component
def CompareChart(model: Classroom) -> None:
    """SolaraViz component: A against B, four panels."""
    update_counter.get()
    current = model.run
    rows_a, rows_b = model.tables()
    with solara.Card("Compare A and B (same seed, stepped together)",
                     classes=["servsim-compare-card"], margin=0):
        if current.b is None or rows_b is None:
            solara.Text("Choose what B changes in the sidebar (Compare), then Reset.")
        else:
            solara.HTML(unsafe_innerHTML=(
                f"<b>A</b> = {html.escape(current.settings.describe())}<br>"
                f"<b>B</b> = A with <b>{html.escape(current.compare)}</b>"),
                classes=["servsim-compare-labels"])
            Chart(None, fig_compare, (rows_a, rows_b, "A", f"B: {current.compare}"),
                  "compare", [id(current), current.day])


@solara.component
def CompareTable(model: Classroom) -> None:
    """SolaraViz component: A's and B's outcomes so far."""
    update_counter.get()
    current = model.run
    rows_a, rows_b = model.tables()
    with solara.Card("A and B so far", classes=["servsim-compare-outcomes"], margin=0):
        if current.b is None or rows_b is None:
            solara.Text("No comparison: B is off.")
        else:
            solara.HTML(unsafe_innerHTML=_html_table(compare_outcomes(rows_a, rows_b)),
                        classes=["servsim-compare-table"])


COMPONENTS = [Overview, StagesChart, SatisfactionChart, ComplaintsChart, MoneyChart,
              StaffChart, NetworkChart, CompareChart, CompareTable]
"""SolaraViz's components, all on page 0 (two per row in its grid)."""

DEFAULT_HORIZON_LABEL = next(k for k, v in HORIZONS.items() if v == DEFAULT_HORIZON)
RENDER_INTERVAL = 7
"""Days per Step (Mesa's *Render Interval*): a week."""
PLAY_INTERVAL_MS = 50


def model_params(session: Session) -> dict[str, Any]:
    """SolaraViz's ``model_params``: the session (fixed) and Mesa's Model Parameters inputs.

    Class size, seed and horizon are kept when a preset loads, so Mesa's
    fixed-initial-value inputs suit them.
    """
    lo, hi, step = CUSTOMERS_RANGE
    return {
        "session": session,
        "n_customers": {"type": "SliderInt", "value": DEFAULT_CUSTOMERS, "min": lo, "max": hi,
                        "step": step, "label": "Customers (class size)"},
        "seed": {"type": "InputText", "value": "0", "label": "Seed (same seed, same run)"},
        "horizon": {"type": "Select", "value": DEFAULT_HORIZON_LABEL,
                    "values": list(HORIZONS), "label": "Horizon"},
    }


@solara.component
def Page():
    """The dashboard: Mesa's SolaraViz on a :class:`Classroom` model of this session."""
    session = solara.use_memo(Session.new, [])
    model = solara.use_reactive(solara.use_memo(lambda: Classroom(session), []))
    params = solara.use_memo(lambda: model_params(session), [])
    return SolaraViz(model, components=COMPONENTS, model_params=params, name=TITLE,
                     play_interval=PLAY_INTERVAL_MS, render_interval=RENDER_INTERVAL)
