"""The calibration config: schema of the ``calibration/`` config group and its loading.

A preset (``configs/calibration/cdnow.yaml``) or a user's YAML file is composed with
Hydra (so ``key=value`` overrides work as for ``servsim``) and merged into
:class:`CalibrationConfig`, whose types are checked at composition.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from servsim.calibration.smm import Parameter, SMMError

CONFIG_GROUP_DIR = Path(__file__).resolve().parent.parent / "configs" / "calibration"


@dataclasses.dataclass
class ColumnsConfig:
    """Column names in the log."""

    customer: str = "customer"
    date: str = "date"
    amount: str = "amount"


@dataclasses.dataclass
class DataConfig:
    """The transaction log: a file (or ``cdnow``) and how to read it."""

    file: str = "cdnow"
    format: str | None = None
    separator: str | None = None
    date_format: str | None = None
    columns: ColumnsConfig = dataclasses.field(default_factory=ColumnsConfig)


@dataclasses.dataclass
class WindowsConfig:
    """Calibration and holdout windows (inclusive dates)."""

    calibration_end: str = "???"
    holdout_end: str = "???"
    calibration_start: str | None = None
    cohort_end: str | None = None


@dataclasses.dataclass
class RangeConfig:
    """A fitted parameter's search range."""

    low: float = "???"  # type: ignore[assignment]
    high: float = "???"  # type: ignore[assignment]
    log: bool = False


@dataclasses.dataclass
class MomentsConfig:
    """The SMM moments and their weights."""

    max_count: int = 7
    recency_bin_weeks: int = 3
    split_week: int | None = 0
    """0 (default): no conditional block; else its early part is weeks 1..split_week, its
    late part the rest of the calibration window (None: half the window)."""
    bootstrap_resamples: int = 200
    weighting: str = "equal_blocks"
    """equal_blocks (default) or scale_free: see servsim.calibration.smm.MomentSpec."""


@dataclasses.dataclass
class SearchConfig:
    """The Optuna search."""

    sampler: str = "tpe"
    trials: int = 200
    seed: int = 0
    workers: int = 1
    storage: str | None = None
    study_name: str = "servsim-smm"
    polish: int = 0
    """Nelder-Mead evaluations from the best trial after the search (0: none)."""
    start: dict[str, float] = dataclasses.field(default_factory=dict)
    """A parameter set tried as the first trial (e.g. a previous estimate; {}: none)."""


@dataclasses.dataclass
class UncertaintyConfig:
    """The parametric bootstrap."""

    bootstrap: int = 10
    evaluations: int = 60


@dataclasses.dataclass
class CalibrationConfig:
    """A calibration run: the log, the simulator, what to fit and how."""

    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    windows: WindowsConfig = dataclasses.field(default_factory=WindowsConfig)
    simulator: str = "bgnbd"
    parameters: dict[str, RangeConfig] = dataclasses.field(default_factory=dict)
    fixed: dict[str, float] = dataclasses.field(default_factory=dict)
    engine: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Fixed servsim settings for ``simulator: servsim`` (dotted keys or nested, e.g.
    ``{sim.counter_draws: 1}``), passed to the engine as given, never fitted."""
    seeds: list[int] = dataclasses.field(default_factory=lambda: [0, 1, 2, 3])
    moments: MomentsConfig = dataclasses.field(default_factory=MomentsConfig)
    search: SearchConfig = dataclasses.field(default_factory=SearchConfig)
    uncertainty: UncertaintyConfig = dataclasses.field(default_factory=UncertaintyConfig)
    name: str = "calibration"
    output_dir: str = "results/calibration/run"


def presets() -> list[str]:
    """List the presets of the ``calibration/`` config group."""
    return sorted(p.stem for p in CONFIG_GROUP_DIR.glob("*.yaml"))


def load_config(preset: str | None = None, file: str | Path | None = None,
                overrides: list[str] | tuple[str, ...] = ()) -> CalibrationConfig:
    """Compose a preset (or a YAML file) with Hydra overrides into the checked schema.

    Raises
    ------
    SMMError
        One line: an unknown preset, a missing file, a key not in the schema, a value
        of the wrong type.
    """
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    if (preset is None) == (file is None):
        raise SMMError("give either a preset (--preset) or a config file (--config)")
    if file is not None:
        path = Path(file).resolve()
        if not path.is_file():
            raise SMMError(f"{file}: no such config file")
        directory, name = path.parent, path.stem
    else:
        if preset not in presets():
            raise SMMError(f"calibration preset {preset!r} unknown "
                           f"(allowed: {', '.join(presets())})")
        directory, name = CONFIG_GROUP_DIR, preset
    try:
        with initialize_config_dir(config_dir=str(directory), version_base="1.3"):
            composed = compose(config_name=name, overrides=list(overrides))
        schema = OmegaConf.structured(CalibrationConfig)
        merged = OmegaConf.merge(schema, composed)
        return OmegaConf.to_object(merged)
    except (HydraException, OmegaConfBaseException) as error:
        first = str(error).strip().splitlines()[0]
        raise SMMError(f"calibration config {name}: {first}") from error


def parameters_of(config: CalibrationConfig) -> list[Parameter]:
    """Return the fitted parameters with their ranges."""
    return [Parameter(name, float(r.low), float(r.high), bool(r.log))
            for name, r in config.parameters.items()]


def engine_settings(config: CalibrationConfig) -> dict[str, Any]:
    """The ``engine`` block as flat dotted servsim keys (``{sim: {counter_draws: 1}}`` and
    ``{sim.counter_draws: 1}`` both give ``{"sim.counter_draws": 1}``)."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        else:
            out[prefix] = value

    walk("", dict(config.engine))
    return out


def as_yaml(config: CalibrationConfig) -> str:
    """Render the config as YAML text."""
    return OmegaConf.to_yaml(OmegaConf.structured(config))


def to_dict(config: CalibrationConfig) -> dict[str, Any]:
    """Convert the config to plain containers."""
    return OmegaConf.to_container(OmegaConf.structured(config))
