"""Outcome expressions, including decision outcomes across strategies.

An expression is computed per design point from the mean over replications of
each strategy's outcomes (the strategies ran with the same seeds: common random
numbers).  The grammar is a small, checked subset of Python expressions:

``profit``
    an outcome of the first strategy of the design;
``profit[premium]``
    the outcome under strategy ``premium``;
``profit[premium] - profit[differentiated]``
    arithmetic (``+ - * /``, numbers, parentheses) of those: a decision outcome;
``rank(profit)[premium]``
    the rank of ``premium`` among the design's strategies on ``profit`` (1 = the
    highest; ties share the mean rank); ``rank(-complaints)[x]`` ranks the lowest first.

Names are checked when an expression is parsed (:func:`parse`), so a typo stops
the command with one line before any run.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from servsim.params import ParameterError

_BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}


@dataclass(frozen=True)
class Expression:
    """A parsed outcome expression (see the module docstring)."""

    text: str
    tree: ast.expr
    strategies: tuple[str, ...]

    def __call__(self, table: Mapping[str, pd.DataFrame]) -> np.ndarray:
        """Evaluate on ``table[strategy]``: one row per design point, one column per outcome."""
        return np.asarray(self._eval(self.tree, table), dtype=float)

    def _eval(self, node: ast.expr, table):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, table)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self._eval(node.left, table),
                                          self._eval(node.right, table))
        if isinstance(node, ast.Name):
            return table[self.strategies[0]][node.id].to_numpy(float)
        assert isinstance(node, ast.Subscript)
        strategy = node.slice.id  # type: ignore[attr-defined]
        if isinstance(node.value, ast.Name):
            return table[strategy][node.value.id].to_numpy(float)
        # rank(expr)[strategy]: rank among strategies of expr evaluated per strategy
        inner = node.value.args[0]  # type: ignore[attr-defined]
        values = np.column_stack([
            np.asarray(self._eval(_bind(inner, s), table), dtype=float) *
            np.ones(len(table[s])) for s in self.strategies])
        ranks = rankdata(-values, axis=1, method="average")
        return ranks[:, self.strategies.index(strategy)]


def _bind(node: ast.expr, strategy: str) -> ast.expr:
    """``node`` with every bare outcome name bound to ``strategy`` (inside rank())."""

    class Binder(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.expr:
            return ast.Subscript(value=name, slice=ast.Name(id=strategy), ctx=ast.Load())

    return Binder().visit(ast.parse(ast.unparse(node), mode="eval")).body


def parse(text: str, outcomes: Sequence[str], strategies: Sequence[str]) -> Expression:
    """Parse and check an outcome expression.

    Raises
    ------
    ParameterError
        One line naming the expression and what is allowed.
    """
    strategies = tuple(strategies)
    allowed = (f"outcomes {', '.join(outcomes)}; strategies {', '.join(strategies)}; "
               "+ - * / and rank(outcome)[strategy]")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise ParameterError(f"outcome {text!r}: not an expression; allowed {allowed}") from None

    def check(node: ast.expr, in_rank: bool = False) -> None:
        bad = ParameterError(f"outcome {text!r}: {ast.unparse(node)!r} is not allowed; "
                             f"allowed {allowed}")
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float) or isinstance(node.value, bool):
                raise bad
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            check(node.operand, in_rank)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            check(node.left, in_rank)
            check(node.right, in_rank)
        elif isinstance(node, ast.Name):
            if node.id not in outcomes:
                raise ParameterError(f"outcome {text!r}: unknown outcome {node.id!r}; "
                                     f"allowed {allowed}")
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Name):
            if node.slice.id not in strategies:
                raise ParameterError(f"outcome {text!r}: strategy {node.slice.id!r} is not "
                                     f"in the design; allowed {allowed}")
            value = node.value
            if isinstance(value, ast.Name) and not in_rank:
                check(value)
            elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                  and value.func.id == "rank" and len(value.args) == 1 and not value.keywords
                  and not in_rank):
                if len(strategies) < 2:
                    raise ParameterError(f"outcome {text!r}: rank() needs at least two "
                                         "strategies in the design")
                check(value.args[0], in_rank=True)
            else:
                raise bad
        else:
            raise bad

    check(tree)
    return Expression(text, tree, strategies)


def per_strategy_means(evaluations: pd.DataFrame, outcome_names: Sequence[str]
                       ) -> dict[str, pd.DataFrame]:
    """Mean over replications per (point, strategy): ``{strategy: frame indexed by point}``."""
    means = evaluations.groupby(["strategy", "point"])[list(outcome_names)].mean()
    return {str(s): frame.droplevel("strategy").sort_index()
            for s, frame in means.groupby(level="strategy")}
