"""What the page's controls say, and the validated parameters they make.

The vocabulary of the page (config groups and their options, the numeric
levers and their slider ranges, the scenario presets and the comparisons) and
the functions that turn the controls (:class:`Settings`) into validated
:class:`~servsim.params.Params` by the same Hydra composition as the
``servsim`` command.  Nothing here draws anything.

The two composition helpers (``describe_error``, ``task_container`` of
:mod:`servsim.compose`) are imported in this module only.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import shlex
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from servsim import conf
from servsim.compose import describe_error, task_container  # the one import of these
from servsim.params import ParameterError, Params, make_params

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


SLIDER_RANGES: dict[str, tuple[float, float, float]] = {
    "strategy.service_level": (0.2, 1.0, 0.05),
    "strategy.price": (0.5, 2.0, 0.05),
    "strategy.promise": (0.6, 2.0, 0.05),
    "org.frontline_authority": (0.0, 1.0, 0.05),
    "org.approval_levels": (1, 6, 1),
    "org.level_delay_days": (0, 10, 1),
    "strategy.compensation": (0.0, 1.0, 0.05),
    "strategy.complaint_handling": (0.0, 1.0, 0.05),
    "strategy.service_level_target": (0.0, 0.99, 0.01),
    "strategy.training": (0.0, 1.0, 0.05),
    "market.imitation": (0.0, 0.1, 0.005),
    "behaviour.wom_attitude": (0.0, 1.5, 0.05),
    "sim.n_customers": (50, 5000, 50),
    "play.days_per_second": (1, 60, 1),
    "play.days_per_step": (1, 90, 1),
}
"""Every slider's (lowest, highest, step), by key: the one table of slider ranges.

Parameter keys are :mod:`servsim.params`' dotted names; ranges are classroom
ranges (judgement), wider than the registry's *plausible* ranges where a lesson
shows an extreme (over-promising at 1.5-2.0, an approval chain of six levels), and
always inside the registry's *allowed* ranges (:func:`_within_registry` clips them
at import, so a slider can never offer a value validation refuses).  ``play.*``
are the page's own: the pace of Play in simulated days per second and the days
one Step advances.
"""


def _within_registry(ranges: dict[str, tuple[float, float, float]]
                     ) -> dict[str, tuple[float, float, float]]:
    """Clip each parameter slider to the registry's allowed range (:mod:`servsim.registry`)."""
    from servsim.params import field_of

    out = {}
    for key, (lo, hi, step) in ranges.items():
        f = None if key.startswith("play.") else field_of(key)
        bounds = f.metadata.get("bounds") if f is not None else None
        if bounds is not None:
            lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
        out[key] = (type(step)(lo), type(step)(hi), step)
    return out


SLIDER_RANGES = _within_registry(SLIDER_RANGES)


@dataclass(frozen=True)
class Lever:
    """A numeric control bound to one dotted parameter key, with its unit."""

    key: str
    label: str
    unit: str

    @property
    def lo(self) -> float:
        """The slider's lowest value (:data:`SLIDER_RANGES`)."""
        return SLIDER_RANGES[self.key][0]

    @property
    def hi(self) -> float:
        """The slider's highest value."""
        return SLIDER_RANGES[self.key][1]

    @property
    def step(self) -> float:
        """The slider's step (an int for whole-number parameters)."""
        return SLIDER_RANGES[self.key][2]

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
        """The value and its unit, as shown next to the label (``1.4 × market price``)."""
        if self.integer:
            number = f"{int(value):,}"
        else:
            decimals = max(0, -math.floor(math.log10(self.step)))
            number = f"{value:.{decimals}f}"
        return f"{number} {self.unit}".strip()


LEVERS: dict[str, Lever] = {
    lever.key: lever
    for lever in (
        Lever("strategy.service_level", "Service level (designed quality)", "(0–1)"),
        Lever("strategy.price", "Price index", "× market price"),
        Lever("strategy.promise", "Promise", "× delivered quality"),
        Lever("org.frontline_authority", "Frontline authority", "share fixed on the spot"),
        Lever("org.approval_levels", "Approval levels for escalated complaints", "levels"),
        Lever("org.level_delay_days", "Delay each approval level adds", "days"),
        Lever("strategy.compensation", "Compensation on recovery", "× the purchase"),
        Lever("strategy.complaint_handling", "Complaints acted on", "share (0–1)"),
        Lever("strategy.service_level_target", "Service-level target", "share answered at once"),
        Lever("strategy.training", "Training intensity", "(0–1)"),
        Lever("market.imitation", "Word-of-mouth pull on prospects (Bass q)",
              "per prospect-day"),
        Lever("behaviour.wom_attitude", "Word-of-mouth effect on attitudes",
              "attitude change per day"),
    )
}
"""The page's numeric levers, by parameter key (the names of :mod:`servsim.params`)."""

LEVER_SECTIONS: dict[str, tuple[str, ...]] = {
    "Positioning and promise": ("strategy.service_level", "strategy.price", "strategy.promise"),
    "Organisation and recovery": ("org.frontline_authority", "org.approval_levels",
                                  "org.level_delay_days", "strategy.compensation",
                                  "strategy.complaint_handling"),
    "People": ("strategy.service_level_target", "strategy.training"),
    "Word of mouth": ("market.imitation", "behaviour.wom_attitude"),
}

CUSTOMERS_RANGE = tuple(int(x) for x in SLIDER_RANGES["sim.n_customers"])
"""Number of customers: classroom sizes (a day takes a few milliseconds)."""
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
    refuse_resolvers(extra)
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


# --------------------------------------------------------------------------- input checks

def refuse_resolvers(overrides: Sequence[str]) -> None:
    """Refuse free-text overrides holding an interpolation or resolver (``${...}``).

    OmegaConf resolves ``${oc.env:HOME}`` and friends when the config is read,
    so a value typed into the page could read the server's environment.  The
    detection is :func:`servsim.conf.refuse_resolvers`'; the page refuses with
    one line of its own (no environment variable lets them through here).
    """
    try:
        conf.refuse_resolvers(list(overrides))
    except ParameterError:
        bad = next(o for o in overrides if "${" in o)
        key = bad.split("=", 1)[0].strip()
        raise ScenarioError(f"advanced overrides: {key}: '${{...}}' interpolations and "
                            "resolvers are not allowed in the dashboard; type a plain value"
                            ) from None


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



def changed_inputs(wanted: Settings, running: Settings) -> list[str]:
    """The names of the controls whose value differs from the run on screen.

    ``wanted`` is what the controls say now (Mesa's class size, seed and
    horizon included), ``running`` what the current run was built from.  The
    page shows these names in its "changed: press Reset" notice.
    """
    names = {"market": "Market", "strategy": "Positioning", "org": "Organisation",
             "stage": "Service stage", "n_customers": "Customers", "seed": "Seed",
             "days": "Horizon", "extra": "Advanced overrides", "compare": "B changes"}
    changed = [label for name, label in names.items()
               if getattr(wanted, name) != getattr(running, name)]
    for key, lever in LEVERS.items():
        if wanted.levers.get(key) != running.levers.get(key):
            changed.append(lever.label)
    return changed
