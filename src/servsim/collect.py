"""Gather a sweep into one tidy table: ``servsim-collect DIR [-o OUT]``.

Walks ``DIR`` (a ``servsim -m`` sweep directory, or any tree of run
directories) and reads, for each run, ``summary.json`` and Hydra's
``.hydra/overrides.yaml`` (and the config-group choices from
``.hydra/hydra.yaml``).  The result has one row per run x firm:

``run``, ``job``, ``status``, ``error``: ``ok`` only for a run whose
``summary.json`` says ok and whose files still match the sizes and checksums it
records; ``error`` (the run failed: ``error`` says why), ``damaged`` (its
summary is unreadable, or a file it records is missing or changed: ``error``
says which) or ``missing`` (no summary: a run that started but never finished,
or -- from the job list the sweep recorded when it started,
``.servsim/sweep.json`` -- a job that never started, with its overrides);
the config-group choices (``market``, ``strategy``, ``org``, ``stage``),
every command-line override as a column (``seed``, ``strategy.compensation``, a
competitor's preset ``strategy@market.competitors.foreign.strategy=lowcost`` as
``market.competitors.foreign.strategy``, ...),
``firm``, ``is_focal``, the firm's summary metrics (:mod:`servsim.metrics`),
then run-level fields (``seed``, ``days``, ``n_customers``, ``servsim_version``,
``elapsed_seconds``, ``config_hash``).

A run that failed has a single row with ``firm`` empty, so failures stay
visible next to the results::

    import pandas as pd
    runs = pd.read_parquet("results/sweeps/2025-01-01/12-00-00/collected.parquet")
    focal = runs[runs.is_focal & (runs.status == "ok")]
    focal.groupby("strategy")["cumulative_profit"].describe()
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from servsim import outputs

DEFAULT_OUTPUT = "collected.parquet"
GROUPS = ("market", "strategy", "org", "stage")
RUN_COLUMNS = ("run", "job", "status", "error")
_SKIP_SUMMARY_KEYS = {"firms", "overrides", "focal", "status", "error", "error_type", "resumed"}


def find_runs(sweep_dir: str | Path) -> list[Path]:
    """Run directories under ``sweep_dir``: those with ``summary.json`` or ``.hydra/``."""
    root = Path(sweep_dir)
    found: set[Path] = set()
    for path in root.rglob(outputs.SUMMARY_FILE):
        if not _hidden(path.relative_to(root).parts[:-1]):
            found.add(path.parent)
    for path in root.rglob("overrides.yaml"):
        if path.parent.name == ".hydra" and not _hidden(path.relative_to(root).parts[:-2]):
            found.add(path.parent.parent)
    return sorted(found, key=lambda p: _sort_key(p, root))


def _hidden(parts: Iterable[str]) -> bool:
    return any(part.startswith(".") for part in parts)


def _sort_key(path: Path, root: Path) -> tuple:
    rel = path.relative_to(root).parts
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in rel)


def parse_override(text: str) -> tuple[str, Any]:
    """``'+strategy.price=1.2'`` -> ``('strategy.price', 1.2)`` (value typed by YAML rules)."""
    key, _, raw = str(text).partition("=")
    key = key.lstrip("+~")
    try:
        value = yaml.safe_load(raw) if raw != "" else None
    except yaml.YAMLError:
        value = raw
    if isinstance(value, dict | list):
        value = raw
    return key, value


def column_name(key: str) -> str:
    """Return the table column of an override key.

    A group choice placed at a package is named by its package
    (``strategy@market.competitors.foreign.strategy`` ->
    ``market.competitors.foreign.strategy``, whose value is the preset name).
    """
    return key.split("@", 1)[1] if "@" in key else key


def _read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError):
        return None


def _run_rows(run_dir: Path, root: Path) -> list[dict[str, Any]]:
    rel = run_dir.relative_to(root).as_posix()
    base: dict[str, Any] = {
        "run": rel if rel != "." else run_dir.name,
        "job": int(run_dir.name) if run_dir.name.isdigit() else None,
    }
    status, reason, summary = outputs.run_state(run_dir)
    base["status"] = status
    base["error"] = reason

    hydra_cfg = _read_yaml(run_dir / ".hydra" / "hydra.yaml")
    choices = {}
    if isinstance(hydra_cfg, Mapping):
        found = (hydra_cfg.get("hydra") or {}).get("runtime", {}).get("choices", {}) or {}
        choices = {g: found.get(g) for g in GROUPS if g in found}
    base.update(choices)

    overrides = _read_yaml(run_dir / ".hydra" / "overrides.yaml")
    if not isinstance(overrides, list):
        overrides = (summary or {}).get("overrides") or []
    for item in overrides:
        key, value = parse_override(item)
        base[column_name(key)] = value

    run_level = {
        k: v for k, v in (summary or {}).items()
        if k not in _SKIP_SUMMARY_KEYS and not isinstance(v, dict | list)
    }
    firms = (summary or {}).get("firms")
    if base["status"] != outputs.STATUS_OK or not isinstance(firms, Mapping) or not firms:
        return [{**base, "firm": None, "is_focal": None, **run_level}]
    focal = (summary or {}).get("focal")
    rows = []
    for name, metrics in firms.items():
        row = {**base, "firm": str(name), "is_focal": name == focal}
        if isinstance(metrics, Mapping):
            row.update({k: v for k, v in metrics.items() if not isinstance(v, dict | list)})
        row.update(run_level)
        rows.append(row)
    return rows


def _harmonize(frame: pd.DataFrame) -> pd.DataFrame:
    """Make every column storable in parquet: mixed-type columns become strings."""
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        kinds = {type(v) for v in frame[column] if v is not None and not _isnan(v)}
        if kinds <= {int, float} and kinds:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        elif kinds <= {bool}:
            continue
        elif len(kinds) > 1:
            frame[column] = frame[column].map(lambda v: None if v is None or _isnan(v) else str(v))
    return frame


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def collect(sweep_dir: str | Path) -> pd.DataFrame:
    """One tidy table of a sweep: a row per run x firm (a single row for a failed run).

    Parameters
    ----------
    sweep_dir
        A sweep directory (``results/sweeps/<date>/<time>``), a single run
        directory, or any directory tree holding run directories.

    Returns
    -------
    pandas.DataFrame
        Columns as described in the module docstring; empty if no runs.
    """
    root = Path(sweep_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a directory")
    rows = [row for run_dir in find_runs(root) for row in _run_rows(run_dir, root)]
    rows += _never_started(root, {row["job"] for row in rows if row.get("job") is not None})
    rows.sort(key=lambda row: _sort_key(root / str(row["run"]), root))
    frame = pd.DataFrame.from_records(rows)
    if frame.empty:
        return frame
    first = [c for c in (*RUN_COLUMNS, *GROUPS) if c in frame.columns]
    overrides = [c for c in frame.columns if c not in first and c in _override_keys(rows)]
    middle = [c for c in ("firm", "is_focal") if c in frame.columns]
    rest = [c for c in frame.columns if c not in (*first, *overrides, *middle)]
    frame = frame[[*first, *overrides, *middle, *rest]]
    return _harmonize(frame.reset_index(drop=True))


def _never_started(root: Path, seen: set[int]) -> list[dict[str, Any]]:
    """A ``missing`` row for each job of the recorded job list that has no run directory."""
    from servsim.sweep import read_sweep

    jobs = read_sweep(root).get("jobs")
    if not isinstance(jobs, list):
        return []
    rows = []
    for number, overrides in enumerate(jobs):
        if number in seen or (root / str(number)).exists():
            continue
        row: dict[str, Any] = {"run": str(number), "job": number, "status": outputs.STATUS_MISSING,
                               "error": "never started (in the job list the sweep recorded)"}
        for item in overrides if isinstance(overrides, list) else []:
            key, value = parse_override(item)
            row[column_name(key)] = value
        rows.append({**row, "firm": None, "is_focal": None})
    return rows


def _override_keys(rows: list[dict[str, Any]]) -> set[str]:
    keys: set[str] = set()
    for row in rows:
        for key in row:
            if "." in key or key in ("seed", "focal_name"):
                keys.add(key)
    return keys


def collect_steps(sweep_dir: str | Path) -> pd.DataFrame:
    """The ``steps.parquet`` of every ``ok`` run stacked, with ``run``, ``job`` and the overrides.

    Runs that failed, are damaged or missing are left out (:func:`collect` lists them).
    """
    root = Path(sweep_dir)
    frames = []
    for run_dir in find_runs(root):
        info = _run_rows(run_dir, root)[0]
        if info["status"] != outputs.STATUS_OK:
            continue
        try:
            steps = pd.read_parquet(run_dir / outputs.STEPS_FILE)
        except Exception:  # checked a moment ago; changed since: leave it out
            continue
        keep = {k: v for k, v in info.items()
                if k in ("run", "job", "status", *GROUPS) or "." in k or k == "seed"}
        for key, value in reversed(list(keep.items())):
            steps.insert(0, key, value)
        frames.append(steps)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def main(argv: list[str] | None = None) -> int:
    """Console entry point ``servsim-collect``."""
    parser = argparse.ArgumentParser(
        prog="servsim-collect",
        description="Gather a servsim sweep into one tidy parquet table "
                    "(one row per run x firm, swept parameters as columns).",
    )
    parser.add_argument("sweep_dir", metavar="DIR", help="sweep directory (servsim -m output)")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help=f"output parquet file (default: DIR/{DEFAULT_OUTPUT})")
    parser.add_argument("--steps", metavar="STEPS_OUT",
                        help="also write every run's per-step table, stacked, to this parquet file")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 if any run failed, is damaged or is missing "
                             "(including jobs of the sweep that never started)")
    args = parser.parse_args(argv)

    root = Path(args.sweep_dir)
    if not root.is_dir():
        print(f"servsim-collect: error: {root}: not a directory", file=sys.stderr)
        return 2
    table = collect(root)
    if table.empty:
        print(f"servsim-collect: error: no runs found under {root}", file=sys.stderr)
        return 1
    out = Path(args.output) if args.output else root / DEFAULT_OUTPUT
    outputs.write_parquet(out, table)
    runs = table.drop_duplicates("run")
    counts = runs["status"].value_counts().to_dict()
    text = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"{out}: {len(runs)} runs ({text}), {len(table)} rows x {table.shape[1]} columns")
    if args.steps:
        steps = collect_steps(root)
        outputs.write_parquet(args.steps, steps)
        print(f"{args.steps}: {len(steps)} rows (per day x firm x run)")
    failed = int((runs["status"] != outputs.STATUS_OK).sum())
    if failed:
        print(f"servsim-collect: {failed} run(s) not ok; see the status and error columns",
              file=sys.stderr)
    return 1 if args.strict and failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
