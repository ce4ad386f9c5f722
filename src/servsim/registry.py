"""The parameter registry: every numeric parameter with its range, distribution and source.

The registry is read from one place, the field metadata of the schema in
:mod:`servsim.params` (each numeric field is declared with
:func:`servsim.params.param`).  This module turns it into
:class:`Parameter` records for the config of a named market, as the
``servsim`` command composes it, with per-segment and per-competitor keys
expanded (``market.segments.small_private.price_sensitivity``,
``market.competitors.foreign.strategy.price``).

Each parameter is an *uncertainty* (``market.*`` and ``behaviour.*``: what a
firm does not control, including its competitors' choices), a *lever*
(``strategy.*``, ``org.*``, ``stage.*``: what the focal firm chooses) or a
*setting* (``sim.*``: size, horizon, seed).  Its *plausible* range
(``low``, ``high``, ``distribution``) is what samplers, sliders and
sensitivity analyses use; its *allowed* range (``bounds``) is what
:func:`servsim.params.validate` accepts.

>>> from servsim.registry import parameters, problem
>>> [p.key for p in parameters(keys=["strategy.price"])]
['strategy.price']
>>> problem(parameters(keys=["strategy.price"]))["bounds"]
[[0.6, 1.6]]

``python -m servsim.registry --markdown`` rewrites the parameter tables of
``docs/ODD.md`` (between ``<!-- registry:begin SECTION -->`` and
``<!-- registry:end -->``); ``--check`` only tells whether they are current;
``--list`` prints the registry of a market.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import difflib
import functools
import inspect
import math
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servsim import params as schema
from servsim.params import JUDGEMENT, ParameterError, Params

KINDS = ("uncertainty", "lever", "setting")
"""The classes of parameters (EMA Workbench's vocabulary plus run settings)."""

DISTRIBUTIONS = ("uniform", "loguniform", "integer")
"""Sampling distributions over the plausible range."""

_KIND_OF_GROUP = {
    "strategy": "lever", "org": "lever", "stage": "lever",
    "market": "uncertainty", "behaviour": "uncertainty",
    "sim": "setting",
}


@dataclass(frozen=True)
class Parameter:
    """One numeric parameter of a composed market's config.

    ``low``/``high`` are the plausible range (widened, if need be, to include
    ``default``; relative ranges are already multiplied out), ``bounds`` the
    allowed one (``low_open``: the lower bound itself is not allowed).
    Parameters with a ``constraint`` (e.g. segment shares that must sum to 1)
    cannot be varied alone.
    """

    key: str
    kind: str
    low: float
    high: float
    distribution: str
    default: float
    bounds: tuple[float, float]
    unit: str
    source: str
    description: str
    low_open: bool = False
    integer: bool = False
    constraint: str = ""
    range_source: str = JUDGEMENT
    symbol: str = ""
    schema_key: str = ""
    """The key with segment and competitor names replaced by ``*``."""


# --------------------------------------------------------------------------- schema metadata


def _docstrings(cls: type) -> dict[str, str]:
    """Attribute docstrings of a dataclass; consecutive fields share the next docstring."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    pending: list[str] = []
    pending_params = True  # every pending field is a param(...): they may share a docstring
    for node in body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            value = node.value
            is_param = (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                        and value.func.id == "param")
            if not (is_param and pending_params):
                pending = []
            pending.append(node.target.id)
            pending_params = is_param
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
              and isinstance(node.value.value, str) and pending):
            text = " ".join(node.value.value.split())
            for name in pending:
                docs[name] = text
            pending = []
    return docs


@functools.cache
def _descriptions(cls: type) -> dict[str, str]:
    docs = _docstrings(cls)
    for f in dataclasses.fields(cls):
        if f.metadata.get("meaning"):
            docs.setdefault(f.name, f.metadata["meaning"])
    return docs


def _is_numeric(f: dataclasses.Field) -> bool:
    return "bounds" in f.metadata


def schema_fields() -> Iterator[tuple[str, type, dataclasses.Field]]:
    """Every leaf field of the schema as (schema key, dataclass, field), in ODD order.

    Schema keys use ``*`` for segment and competitor names; the competitors'
    strategy, org and stage fields are the focal firm's (listed once, under
    ``strategy.*`` etc.).  Text fields (labels, the network kind) are included.
    """
    order = [
        ("strategy", schema.StrategyParams), ("org", schema.OrgParams),
        ("stage", schema.StageParams), ("market", schema.MarketParams),
        ("market.segments.*", schema.SegmentParams), ("market.network", schema.NetworkParams),
        ("market.competitors.*", schema.FirmParams), ("behaviour", schema.BehaviourParams),
        ("sim", schema.SimParams), ("", Params),
    ]
    for prefix, cls in order:
        for f in dataclasses.fields(cls):
            if "bounds" in f.metadata or "choices" in f.metadata:
                yield (f"{prefix}.{f.name}" if prefix else f.name), cls, f


# --------------------------------------------------------------------------- composition


def composed_params(market: str = "company_a") -> Params:
    """Return the validated parameters of ``market=<market>`` as ``servsim`` composes them.

    The one place this module composes a config (Hydra's compose API on the
    package's configs, the command's defaults list); cached per market.
    """
    return _composed(market)


@functools.cache
def _composed(market: str) -> Params:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from servsim import conf

    conf.register_configs()
    overrides = [f"market={market}"]
    if GlobalHydra.instance().is_initialized():  # inside a Hydra app: use its search path
        cfg = compose(config_name=conf.CONFIG_NAME, overrides=overrides)
    else:
        with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
            cfg = compose(config_name=conf.CONFIG_NAME, overrides=overrides)
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    data.pop("hydra", None)
    data.pop("seed", None)  # alias, already interpolated into sim.seed
    return schema.make_params(data)


# --------------------------------------------------------------------------- the registry


def _leaves(obj: Any, key: str,
            schema_key: str) -> Iterator[tuple[str, str, dataclasses.Field, Any]]:
    """(key, schema key, field, value) of every numeric leaf under a dataclass instance."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        k, sk = f"{key}.{f.name}" if key else f.name, f"{schema_key}.{f.name}" if key else f.name
        if dataclasses.is_dataclass(value):
            yield from _leaves(value, k, sk)
        elif isinstance(value, dict):
            for name, entry in value.items():
                yield from _leaves(entry, f"{k}.{name}", f"{sk}.*")
        elif _is_numeric(f):
            yield k, sk, f, value


def _parameter(key: str, schema_key: str, f: dataclasses.Field, value: Any,
               cls_docs: dict[str, str]) -> Parameter:
    meta = f.metadata
    lo_b, hi_b = meta["bounds"]
    low, high = meta["low"], meta["high"]
    if meta["relative"]:
        low, high = value * low, value * high
    low, high = min(low, value), max(high, value)  # a market's own value is plausible
    low, high = max(low, lo_b), min(high, hi_b)
    if meta["integer"]:
        low, high = int(math.floor(low)), int(math.ceil(high))
    return Parameter(
        key=key, kind=_KIND_OF_GROUP[key.split(".")[0]], low=low, high=high,
        distribution=meta["dist"], default=value, bounds=(lo_b, hi_b), unit=meta["unit"],
        source=meta["source"], description=cls_docs.get(f.name, ""),
        low_open=meta["open_low"], integer=meta["integer"], constraint=meta["constraint"],
        range_source=meta["range_source"], symbol=meta["symbol"], schema_key=schema_key,
    )


@functools.cache
def _all(market: str) -> tuple[Parameter, ...]:
    return tuple(_parameter(key, sk, f, value, _descriptions(_owner_class(sk)))
                 for key, sk, f, value in _leaves(composed_params(market), "", ""))


def _owner_class(schema_key: str) -> type:
    """Return the dataclass that declares the field at a schema key."""
    parts = schema_key.split(".")
    cls: type = Params
    i = 0
    while i < len(parts) - 1:
        f = {f.name: f for f in dataclasses.fields(cls)}[parts[i]]
        t = str(f.type)
        i += 1
        if t.startswith("dict[str, "):
            t = t[len("dict[str, "):-1]
            i += 1
        cls = schema._NESTED[t]
    return cls


def parameters(market: str = "company_a", kind: str | None = None,
               keys: Sequence[str] | None = None, *, constrained: bool = False) -> list[Parameter]:
    """Return the registry's parameters for a named market's composed config.

    Parameters
    ----------
    market
        A ``market/`` config option (``company_a``, ``telecom``, ...); defaults
        are its composed values (with the command's default strategy, org and stage).
    kind
        ``"uncertainty"``, ``"lever"`` or ``"setting"``; None for all.
    keys
        Dotted keys, returned in this order; an unknown key raises
        :class:`~servsim.params.ParameterError` naming it and its close matches.
    constrained
        Also list parameters under a joint constraint (segment shares, initial
        shares, recovery weights), which cannot be varied alone; keys asked for
        by name are always returned.

    Returns
    -------
    list of Parameter
    """
    if kind is not None and kind not in KINDS:
        raise ParameterError(f"kind={kind!r} is unknown; allowed: {', '.join(KINDS)}")
    everything = _all(market)
    if keys is not None:
        by_key = {p.key: p for p in everything}
        out = []
        for key in keys:
            if key not in by_key:
                close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
                hint = f"; close matches: {', '.join(close)}" if close else ""
                raise ParameterError(
                    f"{key}: unknown parameter of market {market!r}{hint} "
                    "(python -m servsim.registry --list shows all)")
            out.append(by_key[key])
        return [p for p in out if kind is None or p.kind == kind]
    return [p for p in everything
            if (kind is None or p.kind == kind) and (constrained or not p.constraint)]


_SALIB_DIST = {"uniform": "unif", "integer": "unif", "loguniform": "logunif"}


def problem(params: Sequence[Parameter]) -> dict:
    """Return a SALib problem dict over the plausible ranges of ``params``.

    ``names`` are the dotted keys, ``bounds`` the plausible ranges, ``dists``
    SALib's names (``unif``; ``logunif`` for log-uniform parameters, which
    SALib samples log-uniformly between the bounds).  Integer parameters are
    sampled as uniform; round the samples (:func:`to_overrides` does).
    """
    return {
        "num_vars": len(params),
        "names": [p.key for p in params],
        "bounds": [[p.low, p.high] for p in params],
        "dists": [_SALIB_DIST[p.distribution] for p in params],
    }


def to_overrides(params: Sequence[Parameter], row: Sequence[float]) -> dict[str, float | int]:
    """One sample (a row of a SALib or EMA design) as dotted overrides, integers rounded."""
    return {p.key: (int(round(x)) if p.integer else float(x)) for p, x in zip(params, row,
                                                                                 strict=True)}


# --------------------------------------------------------------------------- overrides


def check_overrides(overrides: Sequence[str]) -> None:
    """Refuse command-line overrides that would be recorded but change nothing.

    ``market.segments={}`` (any ``key={}``) is merged key by key, so it
    changes no value while the run records it: refused with one line.
    Arguments that are not overrides (flags) are skipped.
    """
    for text in overrides:
        if text.startswith("-") or "=" not in text:
            continue
        key, _, value = text.partition("=")
        if value.strip() != "{}":
            continue
        key = key.lstrip("+~")
        extra = {"market.segments": f"[1, {schema.MAX_SEGMENTS}] segments",
                 "market.competitors": f"[0, {schema.MAX_COMPETITORS}] competitors"}.get(key)
        allowed = (f"allowed {extra}, each set by key (e.g. {key}.NAME.FIELD=VALUE)" if extra
                   else f"allowed: a non-empty mapping, or set values by key ({key}.FIELD=VALUE)")
        raise ParameterError(
            f"{key}={{}}: an empty mapping changes nothing (Hydra merges mappings key by key); "
            f"{allowed}")


# --------------------------------------------------------------------------- ODD tables


ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
"""docs/ODD.md of a source checkout (the tables are regenerated from there)."""

_BEGIN = re.compile(
    r"<!-- registry:begin (?P<section>[\w.]+) -->\n(?P<body>.*?)<!-- registry:end -->", re.S)


def _num(x: Any) -> str:
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return f"{x:,}".replace(",", " ") if abs(x) >= 10**6 else str(x)
    if math.isfinite(x) and x.is_integer() and abs(x) >= 10**6:
        return f"{x:.0e}".replace("e+0", "e").replace("e+", "e")
    return f"{x:g}"


def _interval(lo: Any, hi: Any, open_low: bool) -> str:
    return f"{'(' if open_low else '['}{_num(lo)}, {_num(hi)}]"


def _row(section: str, schema_key: str, cls: type, f: dataclasses.Field) -> str:
    meta = f.metadata
    home = meta["odd"][0]
    name = f"`{schema_key}`" + (f" (`{meta['symbol']}`)" if meta.get("symbol") else "")
    doc = _descriptions(cls).get(f.name, "").replace("|", "\\|")
    source = meta["source"] if section == home else f"see {home}"
    if "choices" in meta:
        choices = ", ".join(f"`{c}`" for c in meta["choices"]) or "any text"
        return f"| {name} | `{f.default}` | — | {choices} | — | {doc} | {source} |"
    unit = f" {meta['unit']}" if meta["unit"] else ""
    if meta["constraint"]:
        plausible = f"not varied alone ({meta['constraint']})"
    elif meta["relative"]:
        plausible = f"×{_num(meta['low'])} – ×{_num(meta['high'])} of the market's value"
    else:
        plausible = f"{_num(meta['low'])} – {_num(meta['high'])}"
    if not meta["constraint"]:
        plausible += {"loguniform": ", log-uniform", "integer": ", integer"}.get(meta["dist"], "")
        if meta["range_source"] != JUDGEMENT:
            plausible += f" ({meta['range_source']})"
    allowed = _interval(*meta["bounds"], meta["open_low"])
    kind = _KIND_OF_GROUP[schema_key.split(".")[0]]
    return (f"| {name} | {_num(f.default)}{unit} | {plausible} | {allowed} | {kind} | {doc} "
            f"| {source} |")


def markdown_table(section: str) -> str:
    """Generate the ODD parameter table of one section (e.g. ``"7.4"``) from the registry."""
    rows = []
    for schema_key, cls, f in schema_fields():
        if section in f.metadata.get("odd", ()):
            rows.append(_row(section, schema_key, cls, f))
    if not rows:
        raise ValueError(f"no registry parameter is documented in ODD section {section}")
    head = ("| Parameter | Default | Plausible range (sampling; judgement unless a source is "
            "given) | Allowed | Kind | Meaning | Source of the default |\n"
            "|---|---|---|---|---|---|---|\n")
    return head + "\n".join(rows) + "\n"


def render_odd(text: str) -> str:
    """``text`` (docs/ODD.md) with every registry block replaced by its generated table."""
    return _BEGIN.sub(lambda m: (f"<!-- registry:begin {m['section']} -->\n"
                                 f"{markdown_table(m['section'])}<!-- registry:end -->"), text)


def odd_sections(text: str) -> list[str]:
    """Return the sections that have a registry block in ``text``."""
    return [m["section"] for m in _BEGIN.finditer(text)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m servsim.registry``: write or check the ODD's tables, or list the registry."""
    ap = argparse.ArgumentParser(prog="python -m servsim.registry", description=__doc__.split(
        "\n\n")[0])
    ap.add_argument("--markdown", action="store_true",
                    help="rewrite the parameter tables of docs/ODD.md from the registry")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the tables of docs/ODD.md are not current")
    ap.add_argument("--odd", type=Path, default=ODD_PATH, help="the ODD file (default %(default)s)")
    ap.add_argument("--list", action="store_true", help="print the registry of --market")
    ap.add_argument("--market", default="company_a")
    ap.add_argument("--kind", choices=KINDS)
    args = ap.parse_args(argv)
    if args.markdown or args.check:
        text = args.odd.read_text(encoding="utf-8")
        new = render_odd(text)
        if args.check:
            if new != text:
                print(f"{args.odd}: parameter tables are not current; run "
                      "python -m servsim.registry --markdown", file=sys.stderr)
                return 1
            print(f"{args.odd}: {len(odd_sections(text))} parameter tables current")
            return 0
        args.odd.write_text(new, encoding="utf-8")
        print(f"{args.odd}: wrote {len(odd_sections(text))} parameter tables")
        return 0
    if args.list:
        for p in parameters(args.market, args.kind, constrained=True):
            print(f"{p.key}\t{p.kind}\t{_num(p.default)}\t[{_num(p.low)}, {_num(p.high)}] "
                  f"{p.distribution}\tallowed {_interval(*p.bounds, p.low_open)}")
        return 0
    ap.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
