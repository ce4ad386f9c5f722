"""What the three commands share: parameters, the evaluation of a design, errors, outputs.

A *design* is a table of points (one column per parameter key) evaluated under
one or more strategies and replications.  :func:`evaluate_design` builds one
task per (point, strategy, replication) — the same seeds ``seed + r`` for every
strategy and point (common random numbers) — skips those already in the
directory's :class:`~servsim.decide.store.EvaluationStore`, evaluates the rest on
a warm evaluator (:mod:`servsim.decide.evaluator`) with a progress bar, stores
each as it finishes, and returns the tidy table ``point, strategy, replication,
seed, <parameters>, <outcomes>``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from servsim.decide import model
from servsim.decide.evaluator import Evaluator, make_evaluator
from servsim.decide.store import EvaluationStore, run_id
from servsim.params import ParameterError

EXIT_USAGE = 2
"""Exit status for invalid input (as the ``servsim`` command)."""


def is_servsim(model_cfg: DictConfig | Mapping) -> bool:
    """Tell whether the design runs servsim's own model function."""
    return str(model_cfg["function"]) == model.MODEL_FUNCTION


def resolve_parameters(keys: Sequence[str], ranges: Mapping[str, Sequence[float]],
                       model_cfg: DictConfig | Mapping, kind: str | None) -> list[model.Parameter]:
    """Return the parameters of a design, with any ranges replaced, all checked.

    servsim's model takes registry keys (``kind`` of them when ``keys`` is
    empty); another model function takes any names, each with a range in
    ``ranges``.  Every bound of every range is then checked by building the
    model's parameters at it, before any run.

    Raises
    ------
    ParameterError
        One line: an unknown key, a range outside the registry's bounds, a
        range on a parameter not in the design, or a value the model refuses.
    """
    given, ranges = dict(ranges or {}), {}
    for key, bounds in given.items():
        try:
            low, high = (float(x) for x in bounds)
        except (TypeError, ValueError):
            raise ParameterError(f"ranges.{key}={bounds}: give [low, high], two numbers") from None
        ranges[str(key)] = [low, high]
    if is_servsim(model_cfg):
        market = str(model_cfg.get("market") or "company_a")
        chosen = model.parameters(market=market, kind=kind, keys=list(keys) or None)
    else:
        if not keys:
            keys = list(ranges)
        missing = [k for k in keys if k not in ranges]
        if missing or not keys:
            raise ParameterError(f"{(missing or ['parameters'])[0]}: a model function other "
                                 "than servsim's needs a range for every parameter "
                                 "(ranges.<name>=[low, high])")
        chosen = [model.Parameter(str(k), kind or "uncertainty", *ranges[str(k)],
                                  source="given range") for k in keys]
    by_key = {p.key: p for p in chosen}
    for key in ranges:
        if key not in by_key:
            raise ParameterError(f"ranges.{key}: not a parameter of this design; "
                                 f"its parameters: {', '.join(by_key)}")
    out = [p.with_range(*ranges[p.key]) if p.key in ranges else p.with_range(p.low, p.high)
           for p in chosen]
    if is_servsim(model_cfg):
        for p in out:
            for value in (p.low, p.high):
                model.build_params(**base_kwargs(model_cfg), **point_values([p], [value]))
    return out


def check_strategies(strategies: Sequence[str], model_cfg: DictConfig | Mapping) -> None:
    """Reject a strategy that is not an option of ``configs/strategy/`` (servsim's model)."""
    if not is_servsim(model_cfg):
        return
    from servsim import conf

    known = sorted(p.stem for p in (conf.CONFIG_DIR / "strategy").glob("*.yaml"))
    for strategy in strategies:
        if strategy not in known:
            raise ParameterError(f"strategy {strategy!r} is unknown; allowed: {', '.join(known)}")


def base_kwargs(model_cfg: DictConfig | Mapping) -> dict[str, Any]:
    """Return the keyword arguments every run shares (groups, sizes, overrides)."""
    cfg = OmegaConf.to_container(model_cfg, resolve=True) if isinstance(
        model_cfg, DictConfig) else dict(model_cfg)
    kwargs: dict[str, Any] = {}
    if is_servsim(cfg):
        for group in ("market", "org", "stage"):
            if cfg.get(group) is not None:
                kwargs[group] = cfg[group]
        if cfg.get("n_customers") is not None:
            kwargs["sim.n_customers"] = int(cfg["n_customers"])
        if cfg.get("days") is not None:
            kwargs["sim.days"] = int(cfg["days"])
    kwargs.update(cfg.get("overrides") or {})
    return kwargs


def point_values(params: Sequence[model.Parameter], row: np.ndarray) -> dict[str, float | int]:
    """Return a design row as keyword values (integer parameters rounded)."""
    return {p.key: (int(round(float(v))) if p.distribution == "integer" else float(v))
            for p, v in zip(params, row, strict=True)}


def outcome_names(model_cfg: DictConfig | Mapping) -> list[str]:
    """Return the outcome names of the model function (servsim's: :data:`model.OUTCOMES`)."""
    if is_servsim(model_cfg):
        return list(model.OUTCOMES)
    from servsim.decide.evaluator import resolve

    fn = resolve(str(model_cfg["function"]))
    return list(getattr(fn, "outcomes", ("y",)))


def evaluate_design(points: pd.DataFrame, strategies: Sequence[str | None], replications: int,
                    seed: int, model_cfg: DictConfig | Mapping, run_cfg: DictConfig | Mapping,
                    desc: str = "runs", evaluator: Evaluator | None = None) -> pd.DataFrame:
    """Evaluate every (point, strategy, replication) not yet stored; return the tidy table.

    ``points`` has one row per design point (index = point number) and one
    column per keyword; a strategy of None sends no ``strategy`` keyword.  An
    ``evaluator`` already started is used as it is (and left running);
    otherwise one is made from ``run_cfg`` for this call, if anything is left to run.
    """
    function = str(model_cfg["function"])
    store = EvaluationStore(run_cfg["out"])
    shared = base_kwargs(model_cfg)
    rows: list[dict[str, Any]] = []
    todo: list[tuple[str, dict[str, Any]]] = []
    kwargs_of: dict[str, dict[str, Any]] = {}
    for point, values in zip(points.index, points.to_dict("records"), strict=True):
        for strategy in strategies:
            for rep in range(replications):
                kwargs = {**shared, **values, "seed": int(seed + rep)}
                if strategy is not None:
                    kwargs["strategy"] = strategy
                rid = run_id(function, kwargs)
                rows.append({"point": int(point), "strategy": strategy or "",
                             "replication": rep, "seed": int(seed + rep), **values, "_id": rid})
                if rid not in store and rid not in kwargs_of:
                    kwargs_of[rid] = kwargs
                    todo.append((rid, kwargs))
    if todo:
        own = evaluator is None
        if own:
            evaluator = make_evaluator_for(model_cfg, run_cfg)
        bar = _progress(len(rows), len(rows) - len(todo), desc, bool(run_cfg["progress"]))
        try:
            evaluator.start()
            for rid, outcomes in evaluator.imap(todo):
                store.add(rid, function, kwargs_of[rid], outcomes)
                bar.update(1)
        finally:
            bar.close()
            if own:
                evaluator.close()
    table = pd.DataFrame(rows)
    outcomes = pd.DataFrame.from_dict({rid: store.outcomes[rid] for rid in table["_id"]},
                                      orient="index")
    table = table.join(outcomes, on="_id").drop(columns="_id")
    return table


def make_evaluator_for(model_cfg: DictConfig | Mapping, run_cfg: DictConfig | Mapping
                       ) -> Evaluator:
    """Return the (not yet started) evaluator of a design's ``model`` and ``run`` settings."""
    return make_evaluator(str(model_cfg["function"]), int(run_cfg["workers"]),
                          str(run_cfg["backend"]), int(run_cfg["chunksize"]),
                          run_cfg.get("address"))


def _progress(total: int, done: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, desc=desc, unit="run", disable=not enabled,
                file=sys.stderr, dynamic_ncols=True)


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Write a tidy table (atomically: a temporary file renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a text file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def markdown_table(frame: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """Format a small frame as a pipe table (no tabulate dependency)."""
    def cell(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return "–" if not math.isfinite(float(v)) else format(float(v), floatfmt)
        return str(v)

    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def run_command(prog: str, command: str, argv: Sequence[str] | None,
                run: Callable[[DictConfig], dict[str, Any]]) -> int:
    """Parse ``[preset] key=value ...``, compose, ``run``; one line and exit 2 on bad input.

    ``run`` returns its results with ``summary`` (printed) and ``out`` (the directory).
    """
    import argparse

    from servsim.decide import config

    parser = argparse.ArgumentParser(
        prog=prog, description=f"{prog}: see docs/decisions.md. Presets: "
        f"{', '.join(presets(command))}.")
    parser.add_argument("preset", nargs="?", default=None,
                        help=f"a preset of configs/{command}/ "
                             f"(default {config.DEFAULT_PRESETS[command]})")
    parser.add_argument("overrides", nargs="*", help="key=value overrides (Hydra syntax)")
    parser.add_argument("--cfg", action="store_true", help="print the composed config and exit")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    overrides = list(args.overrides)
    preset = args.preset
    if preset is not None and "=" in preset:
        overrides.insert(0, preset)
        preset = None
    try:
        if preset is not None and preset not in presets(command):
            raise ParameterError(f"{command} preset {preset!r} is unknown; allowed: "
                                 f"{', '.join(presets(command))}")
        cfg = config.compose(command, preset, overrides)
        if args.cfg:
            print(OmegaConf.to_yaml(cfg), end="")
            return 0
        result = run(cfg)
        print(result["summary"])
        print(f"{prog}: wrote {result['out']}", file=sys.stderr)
        return 0
    except Exception as ex:  # bad input: one line; anything else keeps its traceback
        line = _input_error(ex)
        if line is None:
            raise
        print(f"{prog}: error: {line}", file=sys.stderr)
        return EXIT_USAGE


def _input_error(ex: BaseException) -> str | None:
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from servsim.compose import describe_error

    if isinstance(ex, ParameterError | HydraException | OmegaConfBaseException):
        return describe_error(ex)
    if isinstance(ex, ImportError) and "pip install" in str(ex):
        return str(ex)
    return None


def presets(command: str) -> list[str]:
    """List the presets shipped for a command (``configs/<command>/*.yaml``)."""
    from servsim import conf

    return sorted(p.stem for p in (conf.CONFIG_DIR / command).glob("*.yaml"))
