"""Run outputs on disk: the per-step table, the summary, the resolved config, a figure.

A run directory holds::

    steps.parquet   per (day, firm) table, servsim.results.STEP_COLUMNS
    events.parquet  the per-customer event log (only with sim.record_events=1;
                    servsim.events)
    config.yaml     the resolved parameters the run used (servsim.params.to_dict)
    figure.png      customers by stage, satisfaction, cumulative profit, complaints
    summary.json    status ("ok" or "error"), seed, package version, config hash,
                    the run summary (servsim.metrics), and the size and SHA-256 of
                    each file above ("files") -- written LAST

Every file is written atomically: to a temporary file in the same directory,
then :func:`os.replace` onto its name, so a reader never sees half a file.
``summary.json`` is the completion marker: a run is complete only if its
summary says ``"status": "ok"`` for the same config hash *and* every file it
records still has the recorded size and checksum (:func:`run_state`), so an
interrupted sweep resumed into the same directory redoes a run whose files were
truncated, emptied or lost, and ``servsim-collect`` reports it as ``damaged``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from servsim.atomic import atomic_path
from servsim.params import Params, to_dict

STEPS_FILE = "steps.parquet"
EVENTS_FILE = "events.parquet"
SUMMARY_FILE = "summary.json"
CONFIG_FILE = "config.yaml"
FIGURE_FILE = "figure.png"

STATUS_OK = "ok"
STATUS_ERROR = "error"
STATUS_DAMAGED = "damaged"
"""A summary says ok, but a file it records is missing, changed or unreadable."""
STATUS_MISSING = "missing"
"""No summary: the run never started or did not finish."""

RECORDED_FILES = (STEPS_FILE, EVENTS_FILE, CONFIG_FILE, FIGURE_FILE)
"""The files a finished run's summary records (size and SHA-256), when they were written."""

UNDEFINED_MEANS = ("satisfaction", "expectation", "recommend_score", "share", "wait_days",
                   "quality", "recovery_days", "staff_morale", "staff_skill", "internal_service")
"""Step columns that are means over a set that may be empty (no customers, no encounters,
no recoveries, no staff that day): NaN there means "undefined", not a fault.  Every other
value, and every infinity, must be finite (:func:`first_non_finite`)."""


# --------------------------------------------------------------------------- atomic files


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


def file_record(path: str | os.PathLike) -> dict[str, Any]:
    """Size in bytes and SHA-256 of a file, as a run's summary records them."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return {"size": size, "sha256": digest.hexdigest()}


def record_files(run_dir: str | os.PathLike, names: tuple[str, ...] = RECORDED_FILES
                 ) -> dict[str, dict[str, Any]]:
    """Records (:func:`file_record`) of those of ``names`` that exist in ``run_dir``."""
    run_dir = Path(run_dir)
    return {name: file_record(run_dir / name) for name in names if (run_dir / name).is_file()}


def files_problem(run_dir: str | os.PathLike, summary: Mapping[str, Any]) -> str | None:
    """What is wrong with the files a summary records, or None if each matches its record."""
    records = summary.get("files")
    if not isinstance(records, Mapping) or STEPS_FILE not in records:
        return f"{SUMMARY_FILE} records no checksum of {STEPS_FILE} (an older servsim wrote it)"
    for name, want in records.items():
        path = Path(run_dir) / str(name)
        try:
            got = file_record(path)
        except FileNotFoundError:
            return f"{name} is missing"
        except OSError as ex:
            return f"{name} cannot be read: {ex.strerror or ex}"
        if not isinstance(want, Mapping) or got["size"] != want.get("size"):
            return f"{name} has {got['size']} bytes, the summary recorded {want.get('size')}"
        if got["sha256"] != want.get("sha256"):
            return f"{name} differs from the checksum the summary recorded"
    return None


def run_state(run_dir: str | os.PathLike) -> tuple[str, str | None, dict[str, Any] | None]:
    """Status of a run directory as read from its files: (status, reason, summary).

    ``missing`` (no summary), ``damaged`` (an unreadable summary, or a summary
    that says ok but whose recorded files do not match it), ``error`` (the
    run failed; reason: its error) or ``ok``.
    """
    path = Path(run_dir) / SUMMARY_FILE
    if not path.exists():
        return STATUS_MISSING, f"no {SUMMARY_FILE}: the run did not finish", None
    summary = read_summary(run_dir)
    if summary is None:
        return STATUS_DAMAGED, f"{SUMMARY_FILE} is unreadable", None
    status = str(summary.get("status", "unknown"))
    if status != STATUS_OK:
        return status, summary.get("error"), summary
    problem = files_problem(run_dir, summary)
    if problem is not None:
        return STATUS_DAMAGED, problem, summary
    return STATUS_OK, None, summary


def is_complete(run_dir: str | os.PathLike, expected_hash: str | None = None) -> bool:
    """Tell whether ``run_dir`` holds a finished, successful, intact run (of ``expected_hash``)."""
    status, _, summary = run_state(run_dir)
    if status != STATUS_OK or summary is None:
        return False
    return expected_hash is None or summary.get("config_hash") == expected_hash


def first_non_finite(steps: pd.DataFrame, firm_column: str = "firm") -> str | None:
    """Describe the first non-finite value of a step table, or None if there is none.

    Infinities anywhere and NaN outside :data:`UNDEFINED_MEANS` are faults; the
    first is the earliest day's, then the leftmost column's.
    """
    import numpy as np

    numeric = steps.select_dtypes("number")
    values = numeric.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    allowed = np.array([c in UNDEFINED_MEANS for c in numeric.columns])
    bad &= ~(np.isnan(values) & allowed[None, :])
    if not bad.any():
        return None
    rows, cols = np.nonzero(bad)
    days = steps["day"].to_numpy()[rows] if "day" in steps.columns else rows
    first = int(np.lexsort((cols, days))[0])
    row, col = rows[first], cols[first]
    where = f"day {steps['day'].iloc[row]}" if "day" in steps.columns else f"row {row}"
    if firm_column in steps.columns:
        where += f", firm {steps[firm_column].iloc[row]}"
    return f"non-finite output: {numeric.columns[col]} = {values[row, col]} on {where}"


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
