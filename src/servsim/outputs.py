"""Run outputs on disk: the per-step table, the summary, the resolved config, a figure.

A run directory holds::

    steps.parquet   per (day, firm) table, servsim.results.STEP_COLUMNS
    config.yaml     the resolved parameters the run used (servsim.params.to_dict)
    figure.png      customers by stage, satisfaction, cumulative profit, complaints
    summary.json    status ("ok" or "error"), seed, package version, config hash,
                    the run summary (servsim.metrics) -- written LAST

Every file is written atomically: to a temporary file in the same directory,
then :func:`os.replace` onto its name, so a reader never sees half a file.
``summary.json`` is the completion marker: a directory whose summary says
``"status": "ok"`` for the same config hash is complete, and
:func:`is_complete` lets an interrupted sweep skip it when re-run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from servsim.params import Params, to_dict

STEPS_FILE = "steps.parquet"
SUMMARY_FILE = "summary.json"
CONFIG_FILE = "config.yaml"
FIGURE_FILE = "figure.png"

STATUS_OK = "ok"
STATUS_ERROR = "error"


# --------------------------------------------------------------------------- atomic files


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it onto ``path``.

    The temporary file lives in the same directory (so :func:`os.replace` is an
    atomic rename on POSIX) and is removed if the block raises.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a unique name, created by the writer itself (so the file gets the usual umask mode)
    tmp_path = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    return Path(path)


def write_parquet(path: str | os.PathLike, frame: pd.DataFrame) -> Path:
    """Write ``frame`` to ``path`` as parquet (no index) atomically."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return Path(path)


# --------------------------------------------------------------------------- JSON


def _json_default(value: Any) -> Any:
    """Numpy scalars and arrays, paths and other objects to JSON-ready values."""
    if hasattr(value, "item") and callable(value.item):
        try:
            return value.item()
        except (ValueError, TypeError):
            pass
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _finite(value: Any) -> Any:
    """Replace NaN and infinities by None so the JSON is standard."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def to_json(data: Mapping[str, Any]) -> str:
    """Serialise to standard JSON (NaN -> null), converting numpy values."""
    plain = json.loads(json.dumps(data, default=_json_default))
    return json.dumps(_finite(plain), indent=2, sort_keys=False, allow_nan=False) + "\n"


def write_json(path: str | os.PathLike, data: Mapping[str, Any]) -> Path:
    """Write ``data`` as JSON to ``path`` atomically."""
    return write_text(path, to_json(data))


# --------------------------------------------------------------------------- run metadata


def package_version() -> str:
    """Return the installed servsim version (``0+unknown`` from an uninstalled tree)."""
    try:
        from servsim import __version__  # type: ignore[attr-defined]

        return str(__version__)
    except ImportError:
        pass
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("servsim")
    except PackageNotFoundError:  # pragma: no cover - always installed in practice
        return "0+unknown"


def config_hash(params: Params) -> str:
    """Hash the resolved parameters (SHA-256): decides whether a run is already done."""
    text = json.dumps(to_dict(params), sort_keys=True, default=_json_default)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_summary(run_dir: str | os.PathLike) -> dict[str, Any] | None:
    """Read a run's ``summary.json`` as a dict; None if missing or unreadable."""
    path = Path(run_dir) / SUMMARY_FILE
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (FileNotFoundError, json.JSONDecodeError, OSError):
        return None
    return data if isinstance(data, dict) else None


def is_complete(run_dir: str | os.PathLike, expected_hash: str | None = None) -> bool:
    """Tell whether ``run_dir`` holds a finished, successful run (of ``expected_hash``)."""
    summary = read_summary(run_dir)
    if summary is None or summary.get("status") != STATUS_OK:
        return False
    if expected_hash is not None and summary.get("config_hash") != expected_hash:
        return False
    return (Path(run_dir) / STEPS_FILE).is_file()


# --------------------------------------------------------------------------- config and figure


def write_config(path: str | os.PathLike, params: Params) -> Path:
    """Write the resolved parameters as YAML atomically."""
    from omegaconf import OmegaConf

    return write_text(path, OmegaConf.to_yaml(OmegaConf.create(to_dict(params))))


def write_figure(path: str | os.PathLike, steps: pd.DataFrame, focal: str | None = None,
                 params: Params | None = None) -> Path:
    """Draw the run's figure (:func:`servsim.plots.run_figure`) and write it atomically as PNG.

    Titled with the run's market, strategy, organisation, seed and size when
    ``params`` is given.
    """
    from servsim import plots

    fig = plots.run_figure(steps, focal, plots.run_title(params) if params is not None else None)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return Path(path)
