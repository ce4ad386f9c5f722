"""The canned experiments: run a preset's replications, analyse them, write ``results/<name>/``.

Each experiment answers one question of the seeds.  Its one name (an entry of
:data:`EXPERIMENTS`, the only list of them) is also the name of everything it has:

- ``experiments/<name>/README.md``: question, design, how to run, links to the rest;
- ``configs/experiment/<name>.yaml``: its design, the Hydra preset -- the same runs
  ``servsim -m +experiment=<name>`` launches;
- ``servsim.experiments.<name>``: its analysis, a module defining ``TITLE``,
  ``QUESTION``, optionally ``PROBE`` / ``EXTRAS`` (extra per-run tables, e.g. the
  per-complaint recovery log) and ``analyze(data, out) -> Findings``;
- ``results/<name>/``: the committed ``summary.md`` and figures.

:func:`run` composes the preset's jobs (:func:`servsim.replicate.experiment_jobs`),
runs them on ``n_jobs`` processes, saves the tidy tables (``runs.parquet``,
``steps.parquet``, extras; ``design.json``), draws the figures and writes
``summary.md``.  The summary ends with a provenance comment -- the design's
fingerprint, the analysis code's fingerprint and the exact values of one
run -- which ``tests/test_experiments.py`` uses to check that the committed
summary is what the current code and configs produce.

Command line (:mod:`servsim.experiments.__main__`; ``make experiments`` runs ``all``)::

    python -m servsim.experiments positioning                # 20 seeds, 2 processes
    python -m servsim.experiments all                        # every experiment, in order
    python -m servsim.experiments --list                     # the names, one a line
    python -m servsim.experiments positioning --seeds 5      # fewer replications
    python -m servsim.experiments positioning sim.n_customers=1000   # any override
    python -m servsim.experiments positioning --analyze-only # re-analyse saved tables
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import json
import re
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from servsim import outputs, replicate
from servsim.experiments.common import Findings, assumptions_box, ci_table, with_value

EXPERIMENTS = ("positioning", "recovery", "expectations", "inverted_pyramid",
               "service_profit_chain", "service_stage", "retention_economics")
"""The experiments, in the order ``make experiments`` runs them: the one list of their names.

A name is its preset's (``configs/experiment/<name>.yaml``), its analysis module's, its
folder's (``experiments/<name>/``) and its results directory's (``results/<name>/``).
"""

CODE_MODULES = ("servsim.replicate", "servsim.stats", "servsim.tables",
                "servsim.experiments", "servsim.experiments.common")
"""Modules whose code shapes every summary's text (plus the experiment's own module)."""

DESIGN_FILE = "design.json"
SUMMARY_FILE = "summary.md"
PROVENANCE = re.compile(r"<!-- provenance\n(.*?)\n-->", re.S)


def module(name: str) -> ModuleType:
    """Return the analysis module of experiment ``name``: ``servsim.experiments.<name>``."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}")
    return importlib.import_module(f"servsim.experiments.{name}")


def code_fingerprint(name: str) -> str:
    """SHA-256 of the analysis code's syntax trees (docstrings, comments, layout ignored)."""
    digest = hashlib.sha256()
    for mod_name in (*CODE_MODULES, module(name).__name__):
        tree = ast.parse(inspect.getsource(importlib.import_module(mod_name)))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                    and isinstance(getattr(body[0], "value", None), ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
        digest.update(ast.dump(tree).encode("utf-8"))
    return digest.hexdigest()


def design_jobs(name: str, overrides: list[str] | tuple[str, ...] = ()) -> list[replicate.Job]:
    """Every run of experiment ``name``: its preset's sweep, then each of its ``PARTS``.

    An analysis module may list ``PARTS``, further presets (``configs/experiment/<part>.yaml``,
    each a sweep of its own) whose runs belong to the same experiment; every run is labelled
    with its ``part`` (the experiment's own name for the main sweep) and the same
    ``overrides`` apply to every part.  Runs are numbered in that order.
    """
    jobs = []
    for part in (name, *getattr(module(name), "PARTS", ())):
        for job in replicate.experiment_jobs(part, overrides):
            job.run = len(jobs)
            job.labels = {"part": part, **job.labels}
            jobs.append(job)
    return jobs


def check_values(focal_row: dict[str, Any]) -> dict[str, float]:
    """The values of one run kept in the provenance to detect engine changes."""
    keys = ("cumulative_profit", "retention_rate", "satisfaction", "final_customers")
    return {k: float(focal_row[k]) for k in keys}


def run(name: str, overrides: list[str] | tuple[str, ...] = (), *, seeds: int | None = None,
        n_jobs: int = 2, out: str | Path | None = None, analyze_only: bool = False,
        progress: bool = True) -> Path:
    """Run (or, with ``analyze_only``, re-analyse) experiment ``name``; return summary.md's path.

    Parameters
    ----------
    name
        One of :data:`EXPERIMENTS`.
    overrides
        Hydra overrides added to the preset's (sweeps allowed:
        ``seed=range(5)``, ``sim.n_customers=1000``).
    seeds
        Replications (``seed=range(seeds)``); default the preset's (20).
    n_jobs
        Processes (1 = in this process).
    out
        Output directory (default ``results/<name>``).
    analyze_only
        Read the tables a previous run saved in ``out`` instead of simulating.
    """
    mod = module(name)
    out = Path(out) if out is not None else Path("results") / name
    out.mkdir(parents=True, exist_ok=True)
    if analyze_only:
        design = json.loads((out / DESIGN_FILE).read_text(encoding="utf-8"))
        data = replicate.Replications.load(out, getattr(mod, "EXTRAS", ()))
    else:
        overrides = list(overrides) + ([f"seed=range({seeds})"] if seeds is not None else [])
        started = time.perf_counter()
        jobs = design_jobs(name, overrides)
        data = replicate.run_jobs(jobs, n_jobs=n_jobs, probe=getattr(mod, "PROBE", None),
                                  firms=getattr(mod, "STEP_FIRMS", "focal"), progress=progress)
        focal0 = data.focal().iloc[0].to_dict()
        design = {
            "experiment": name,
            "overrides": overrides,
            "runs": len(jobs),
            "labels": list(dict.fromkeys(k for job in jobs for k in job.labels)),
            "design": replicate.design_fingerprint(jobs),
            "check": {"run": 0, "overrides": list(jobs[0].overrides),
                      "focal": check_values(focal0)},
            "servsim": outputs.package_version(),
            "n_jobs": n_jobs,
            "elapsed_seconds": round(time.perf_counter() - started, 1),
        }
        data.save(out)
        outputs.write_json(out / DESIGN_FILE, design)
    findings = mod.analyze(data, out)
    text = render(name, mod, data, design, findings)
    outputs.write_text(out / SUMMARY_FILE, text)
    return out / SUMMARY_FILE


def describe_design(data: replicate.Replications, labels: list[str]) -> str:
    """The design in one paragraph: factors and levels, fixed choices, size, replications."""
    focal = data.focal()
    factors = replicate.varying_columns(focal, labels)
    parts = []
    for col in factors:
        values = ", ".join(str(v) for v in dict.fromkeys(focal[col].dropna().tolist()))
        parts.append(f"`{col}` ∈ {{{values}}}")
    seeds = sorted(dict.fromkeys(focal["seed"].tolist()))
    fixed = [f"{g} `{focal[g].iloc[0]}`" for g in ("market", "strategy", "org", "stage")
             if g in focal.columns and g not in factors]
    size = "; ".join(_size(row) for row in focal.drop_duplicates(
        [c for c in ("n_customers", "days", "burn_in_days") if c in focal.columns]
    ).itertuples())
    seed_text = (f"seeds {seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
                 else "seeds " + ", ".join(map(str, seeds)))
    cells = len(focal) // max(len(seeds), 1)
    return (f"{len(focal)} runs = {cells} cells × {len(seeds)} replications ({seed_text}; "
            f"arms sharing a seed share customers, network and initial shares). "
            f"Factors: {' × '.join(parts) if parts else 'none'}. Fixed: "
            f"{', '.join(fixed)}; {size} per run. Intervals are 95% Student-t intervals "
            f"over replications; differences are paired by seed (paired t-test).")


def _size(row) -> str:
    """``2,000 customers, 1,095 days (the first 365 a burn-in, not measured)``."""
    burn = int(getattr(row, "burn_in_days", 0) or 0)
    text = f"{int(row.n_customers):,} customers, {int(row.days):,} days"
    return text + (f" (the first {burn:,} a burn-in, not measured)" if burn else "")


def long_run_table(data: replicate.Replications, labels: list[str]) -> str:
    """Per design cell: the focal firm's measured cumulative profit beside its customer equity.

    Customer equity (customers at the end x CLV, :func:`servsim.metrics.customer_equity`) is
    the terminal value of the base a run ends with; their sum is the long-run value.
    """
    focal = with_value(data.focal())
    factors = [c for c in replicate.varying_columns(focal, labels) if c != "part"]
    metrics = [m for m in ("cumulative_profit", "customer_equity", "long_run_value")
               if m in focal.columns]
    if not factors or not metrics:
        return ""
    return ("### Long-run outcomes\n\nThe focal firm's measured cumulative profit beside its "
            "terminal customer equity, mean [95% CI] over the seeds:\n\n"
            + ci_table(focal, factors, metrics))


def render(name: str, mod: ModuleType, data: replicate.Replications, design: dict[str, Any],
           findings: Findings) -> str:
    """The text of ``summary.md``."""
    lines = [f"# {mod.TITLE}", "", f"**Question.** {mod.QUESTION.strip()}", "",
             f"**Design.** {describe_design(data, design['labels'])}", "",
             "## Findings", "", findings.text.strip(), ""]
    if hasattr(mod, "ASSUMPTIONS") and not getattr(mod, "OWN_LONG_RUN_TABLES", False):
        lines += [long_run_table(data, design["labels"]), "",
                  assumptions_box(data.focal(), mod.ASSUMPTIONS), ""]
    if findings.figures:
        lines += ["## Figures", ""]
        for file, caption in findings.figures:
            lines += [f"![{caption}]({file})", "", f"*{caption}*", ""]
    command = f"python -m servsim.experiments {name}"
    provenance = {
        "experiment": name,
        "overrides": design["overrides"],
        "runs": design["runs"],
        "design": design["design"],
        "code": code_fingerprint(name),
        "check": design["check"],
    }
    lines += ["---", "",
              f"Made by `{command}`"
              + (f" with `{' '.join(design['overrides'])}`" if design["overrides"] else "")
              + f" (servsim {design.get('servsim', '?')}; `make experiments` runs all "
              f"{len(EXPERIMENTS)}). "
              f"Design {design['design'][:12]}, analysis code {provenance['code'][:12]}.",
              "", "<!-- provenance", json.dumps(provenance, indent=1), "-->", ""]
    return "\n".join(lines)


def read_provenance(summary: str | Path) -> dict[str, Any] | None:
    """The provenance dict at the end of a summary.md (None if absent)."""
    text = Path(summary).read_text(encoding="utf-8")
    found = PROVENANCE.search(text)
    return json.loads(found.group(1)) if found else None
