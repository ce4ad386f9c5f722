"""Hydra schemas and composition of the design presets (``configs/<command>/``).

Each command composes one preset as its primary config with Hydra's compose
API, then applies the command line's ``key=value`` overrides::

    servsim sensitivity                         # configs/sensitivity/morris_company_a.yaml
    servsim sensitivity sobol_company_a samples=128 workers=2
    servsim explore scenarios=200
    servsim optimize trials=60 "constraints=['satisfaction >= 0.7']"

A preset starts with ``# @package _global_`` and the defaults list
``[base_<command>, _self_]``: the dataclass schema below (stored in Hydra's
ConfigStore as ``<command>/base_<command>``) type-checks every value and rejects
unknown keys at composition, before any run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from servsim.decide.model import MODEL_FUNCTION


@dataclass
class ModelConfig:
    """What one evaluation runs: the model function and its fixed settings."""

    function: str = MODEL_FUNCTION
    """The model function ``"module:function"`` (``f(**kwargs) -> dict``)."""
    market: str | None = "company_a"
    """Market config option (servsim's model only; null for other functions)."""
    org: str | None = None
    """Organisation option (null: the command's default, pyramid)."""
    stage: str | None = None
    """Service-stage option (null: the command's default, reactive)."""
    n_customers: int | None = 1000
    """Customers per run (servsim's model only)."""
    days: int | None = 365
    """Days per run (servsim's model only)."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """Fixed dotted overrides for every run, e.g. ``{"sim.discount_rate": 0.08}``."""


@dataclass
class RunConfig:
    """Where and how the evaluations run."""

    workers: int = 2
    """Warm worker processes (or Ray actors); 1 evaluates in this process."""
    backend: str = "process"
    """``process`` (one machine), ``ray`` (a Ray cluster) or ``serial``."""
    address: str | None = None
    """Ray cluster address (backend=ray); null starts a local Ray."""
    chunksize: int = 1
    """Runs sent to a worker at once (raise it for cheap model functions)."""
    out: str = MISSING
    """Output directory; re-running into it resumes (finished runs are kept)."""
    progress: bool = True
    """Show progress bars (tqdm)."""


@dataclass
class SensitivityConfig:
    """``servsim sensitivity``: Morris screening or Sobol indices (SALib)."""

    method: str = "morris"
    """``morris`` or ``sobol``."""
    parameters: list[str] = field(default_factory=list)
    """Registry keys to vary (empty: every uncertainty of the market)."""
    ranges: dict[str, Any] = field(default_factory=dict)
    """[low, high] per key to replace the registry's plausible range (within its bounds);
    required for every parameter of a model function other than servsim's."""
    outcomes: list[str] = field(default_factory=lambda: ["profit"])
    """Outcome expressions: ``profit``, ``profit[premium] - profit[differentiated]``,
    ``rank(profit)[premium]`` (see :mod:`servsim.decide.outcomes`)."""
    strategies: list[str] = field(default_factory=lambda: ["differentiated"])
    """Strategies evaluated at every design point with the same seeds (common random
    numbers); an outcome without ``[strategy]`` refers to the first."""
    samples: int = 16
    """Morris: trajectories; Sobol: base sample N (a power of 2)."""
    num_levels: int = 4
    """Morris grid levels."""
    second_order: bool = False
    """Sobol: also second-order indices (N (2D + 2) runs instead of N (D + 2))."""
    replications: int = 1
    """Seeds per design point and strategy; the outcome is their mean."""
    seed: int = 0
    """Seeds the design; replication r runs with seed ``seed + r``."""
    conf_level: float = 0.95
    """Confidence level of the bootstrap intervals."""
    num_resamples: int = 1000
    """Bootstrap resamples."""
    convergence_steps: int = 4
    """Sample-size prefixes analysed to show convergence (N/2^(k-1) ... N)."""
    model: ModelConfig = field(default_factory=ModelConfig)
    run: RunConfig = field(default_factory=RunConfig)


@dataclass
class PrimConfig:
    """PRIM settings (``ema_workbench.analysis.prim.Prim``)."""

    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    mass_min: float = 0.05
    """Smallest share of scenarios a box may hold."""
    min_coverage: float = 0.5
    """The box chosen on the peeling trajectory: the densest with at least this coverage."""
    max_boxes: int = 2
    """Boxes to look for, one after the other."""


@dataclass
class ExploreConfig:
    """``servsim explore``: robust comparison and scenario discovery (EMA Workbench)."""

    uncertainties: list[str] = field(default_factory=list)
    """Registry keys sampled (empty: every uncertainty of the market)."""
    ranges: dict[str, Any] = field(default_factory=dict)
    """[low, high] per key to replace the registry's range (within its bounds)."""
    strategies: list[str] = field(default_factory=lambda: ["premium", "differentiated",
                                                           "lowcost"])
    """Strategies compared in every scenario with the same seeds."""
    outcome: str = "profit"
    """The outcome compared (higher is better)."""
    flip: list[str] = field(default_factory=lambda: ["differentiated", "premium"])
    """The pair [A, B] whose ranking PRIM explains: where A beats B (or the reverse,
    whichever happens in fewer scenarios)."""
    scenarios: int = 64
    """Latin hypercube size."""
    replications: int = 1
    seed: int = 0
    prim: PrimConfig = field(default_factory=PrimConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    run: RunConfig = field(default_factory=RunConfig)


@dataclass
class OptimizeConfig:
    """``servsim optimize``: levers within registry bounds (Optuna)."""

    levers: list[str] = field(default_factory=lambda: ["strategy.price"])
    """Registry keys of levers searched."""
    ranges: dict[str, Any] = field(default_factory=dict)
    """[low, high] per lever to replace the registry's range (within its bounds)."""
    base_strategy: str = "differentiated"
    """The strategy preset the levers change (its other values stay as they are)."""
    objectives: list[str] = field(default_factory=lambda: ["profit"])
    """Outcomes optimised; several give a Pareto front (NSGA-II)."""
    directions: list[str] = field(default_factory=list)
    """``maximize``/``minimize`` per objective (empty: maximise all)."""
    constraints: list[str] = field(default_factory=list)
    """Constraints such as ``satisfaction >= 0.7`` (Optuna 5: Trial.set_constraint)."""
    trials: int = 40
    """Trials in the study (a re-run continues up to this number)."""
    population: int = 16
    """NSGA-II population size (multi-objective)."""
    batch: int = 2
    """Trials asked and evaluated at once (fixed, so the study does not depend on workers)."""
    replications: int = 2
    """Common-random-number seeds per trial; the objective is their mean."""
    seed: int = 0
    storage: str = "sqlite"
    """``sqlite`` (optuna.db) or ``journal`` (optuna.journal, for NFS and many workers)."""
    study: str = "servsim"
    """Study name in the storage."""
    bound_tolerance: float = 0.02
    """An optimum within this share of a lever's range from a bound is flagged."""
    model: ModelConfig = field(default_factory=ModelConfig)
    run: RunConfig = field(default_factory=RunConfig)


SCHEMAS = {"sensitivity": SensitivityConfig, "explore": ExploreConfig,
           "optimize": OptimizeConfig}
"""Command -> schema of its presets."""

DEFAULT_PRESETS = {"sensitivity": "morris_company_a", "explore": "company_a",
                   "optimize": "company_a"}
"""The preset a command composes when none is named."""


def register() -> None:
    """Store each command's schema as ``<command>/base_<command>`` (idempotent)."""
    cs = ConfigStore.instance()
    for command, schema in SCHEMAS.items():
        cs.store(group=command, name=f"base_{command}", node=schema, package="_global_")


DICT_KEYS = ("ranges", "model.overrides")
"""Settings keyed by dotted parameter names: ``ranges={market.cost_of_goods: [0.55, 0.7]}``."""


def merge_dict_override(override: str) -> str:
    """``ranges={...}`` -> ``++ranges={...}``: merge the given keys into the preset's dict.

    Hydra would refuse ``ranges={key: ...}`` for a key the preset does not hold,
    and a dotted ``ranges.market.x=...`` would nest; ``++`` merges the keys as given.
    """
    key = override.partition("=")[0]
    return f"++{override}" if key in DICT_KEYS else override


def compose(command: str, preset: str | None = None,
            overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """Compose ``configs/<command>/<preset>.yaml`` with the command-line overrides.

    Raises Hydra's and OmegaConf's own errors (unknown preset, unknown key,
    wrong type); :func:`servsim.compose.describe_error` turns them into one line.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from servsim import conf

    register()
    name = preset or DEFAULT_PRESETS[command]
    with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
        cfg = hydra_compose(f"{command}/{name}",
                            overrides=[merge_dict_override(o) for o in overrides])
    if OmegaConf.is_missing(cfg.run, "out"):
        cfg.run.out = f"results/decisions/{command}/{name}"
    return cfg
