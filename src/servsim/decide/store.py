"""Resumable storage of evaluations: one JSON line per finished run.

Every run of a design is identified by what it computes: the model function
and its complete keyword arguments (parameter values, strategy, seed, sizes).
:class:`EvaluationStore` appends ``{"id", "function", "kwargs", "outcomes"}`` to
``evaluations.jsonl`` as soon as a run finishes (one ``write`` + flush per line),
so an interrupted design keeps every finished run, and a re-run — of the same
design, or a larger or overlapping one — evaluates only what is missing.  A line
cut short by an interruption is ignored when the file is read again.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value  # numpy scalars to Python


def run_id(function: str, kwargs: Mapping[str, Any]) -> str:
    """Return a stable digest of one run (model function and sorted keyword arguments)."""
    text = json.dumps({"function": function,
                       "kwargs": {k: _plain(v) for k, v in sorted(kwargs.items())}},
                      sort_keys=True, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _finite_or_none(outcomes: Mapping[str, float]) -> dict[str, float | None]:
    return {k: (float(v) if math.isfinite(float(v)) else None) for k, v in outcomes.items()}


class EvaluationStore:
    """Finished runs of a design directory, by :func:`run_id`."""

    FILE = "evaluations.jsonl"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / self.FILE
        self.outcomes: dict[str, dict[str, float]] = {}
        self._cut_short = False
        if self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, "rb") as f:
                f.seek(-1, 2)
                self._cut_short = f.read(1) != b"\n"
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                    self.outcomes[record["id"]] = {
                        k: (math.nan if v is None else float(v))
                        for k, v in record["outcomes"].items()}
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue  # a line cut short by an interruption

    def __contains__(self, rid: str) -> bool:
        return rid in self.outcomes

    def __len__(self) -> int:
        return len(self.outcomes)

    def add(self, rid: str, function: str, kwargs: Mapping[str, Any],
            outcomes: Mapping[str, float]) -> None:
        """Record one finished run (appended and flushed at once)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {"id": rid, "function": function,
                  "kwargs": {k: _plain(v) for k, v in kwargs.items()},
                  "outcomes": _finite_or_none(outcomes)}
        line = json.dumps(record, sort_keys=True) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            if self._cut_short:  # the last line was cut short: start on a fresh one
                f.write("\n")
                self._cut_short = False
            f.write(line)
            f.flush()
        self.outcomes[rid] = {k: float(v) for k, v in outcomes.items()}
