"""What every check shares: the :class:`Check` record, sizes, and how checks run the model.

Checks set their markets up explicitly, so that they do not depend on the
defaults of :func:`servsim.simulate`: :func:`simulate` here runs the
*dataclass* defaults of :class:`servsim.params.Params` (the single-firm
teaching market) plus the check's overrides, and :func:`market_params`
composes a named market exactly as the ``servsim`` command does.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from servsim.params import Params, make_params

SIZES = ("ci", "full")


@dataclass
class Check:
    """The outcome of one validation check."""

    number: int
    name: str
    claim: str
    source: str
    setup: str
    criterion: str
    numbers: dict[str, float]
    passed: bool
    plot: Callable | None = field(default=None, repr=False)
    limits: str = ""

    def line(self) -> str:
        """One line: number, name, PASS/FAIL and the key numbers."""
        nums = ", ".join(f"{k}={_fmt(v)}" for k, v in self.numbers.items())
        return f"[{'PASS' if self.passed else 'FAIL'}] {self.number}. {self.name}: {nums}"


def _fmt(v) -> str:
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    v = float(v)
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e5):
        return f"{v:.3g}"
    return f"{v:.4g}"


def _slug(name: str) -> str:
    """Return a file-name-safe version of a check's name."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _pick(size: str, ci, full):
    if size not in SIZES:
        raise ValueError(f"size={size!r}; allowed: {', '.join(SIZES)}")
    return ci if size == "ci" else full


def simulate(**overrides):
    """One run of the dataclass defaults (single-firm market) with dotted ``overrides``."""
    from servsim.simulate import simulate as run

    return run(make_params(**overrides))


def _model(overrides: dict, diagnostics: bool = False):
    from servsim.model import ServiceMarket

    model = ServiceMarket(make_params(**overrides), diagnostics=diagnostics)
    model.run()
    return model


def market_params(market: str, overrides: Sequence[str] = (), **values) -> Params:
    """Compose the parameters the ``servsim`` command runs for ``market=<market>``.

    ``overrides`` are Hydra overrides (config groups and values, e.g.
    ``["strategy=premium"]``); ``values`` set plain fields on a copy of the composed
    parameters by dotted name with ``__`` for dots (``sim__seed=3``,
    ``market__competitors__foreign__strategy__price=1.2``), which is what a value
    override does, without composing again.
    """
    params = copy.deepcopy(_composed(market, tuple(overrides)))
    for dotted, value in values.items():
        *path, leaf = dotted.split("__")
        node = params
        for key in path:
            node = node[key] if isinstance(node, dict) else getattr(node, key)
        if not hasattr(node, leaf):
            raise KeyError(f"{dotted.replace('__', '.')}: no such parameter")
        setattr(node, leaf, type(getattr(node, leaf))(value))
    return params


@functools.lru_cache(maxsize=64)
def _composed(market: str, overrides: tuple[str, ...]) -> Params:
    from servsim.replicate import Composer

    with Composer() as composer:
        return composer.params([f"market={market}", *overrides])
