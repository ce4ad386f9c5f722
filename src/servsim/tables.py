"""Numbers and tables as text: formatting for Markdown and HTML outputs.

Used by the experiments' ``summary.md`` files and the comparison report, so
that both print numbers the same way: three significant digits, thousands
separators, ``M`` for millions, intervals as ``mean [low, high]``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from servsim.stats import Estimate


def _number(x: Any) -> float | str:
    """``x`` as a finite float, or the text to print instead (``n/a`` for NaN)."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return str(x)
    return value if math.isfinite(value) else "n/a"


def num(x: Any, digits: int = 3, signed: bool = False) -> str:
    """A number with ``digits`` significant digits: ``0.812``, ``12,300``, ``1.23 M``."""
    value = _number(x)
    if isinstance(value, str):
        return value
    sign = "+" if signed and value > 0 else ""
    a = abs(value)
    if a >= 1e6:
        return f"{sign}{value / 1e6:.{max(digits - 1 - int(math.log10(a / 1e6)), 0)}f} M"
    if a >= 10 ** digits:
        return f"{sign}{value:,.0f}"
    if a == 0:
        return "0"
    decimals = max(digits - 1 - math.floor(math.log10(a)), 0)
    return f"{sign}{value:,.{decimals}f}"


def pct(x: Any, digits: int = 2, signed: bool = True) -> str:
    """A fraction as a percentage: ``0.123`` -> ``+12%``."""
    value = _number(x)
    if isinstance(value, str):
        return value
    return num(100.0 * value, digits, signed=signed) + "%"


def ci(e: Estimate, digits: int = 3, signed: bool = False) -> str:
    """``mean [low, high]`` of an :class:`~servsim.stats.Estimate`."""
    if e.n == 0:
        return "n/a"
    return (f"{num(e.mean, digits, signed)} [{num(e.low, digits, signed)}, "
            f"{num(e.high, digits, signed)}]")


def markdown(frame: pd.DataFrame, align: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table of ``frame`` (cells rendered with ``str``).

    ``align`` gives ``"l"`` or ``"r"`` per column (default: left for the first
    column, right for the others).
    """
    cols = [str(c) for c in frame.columns]
    if align is None:
        align = ["l"] + ["r"] * (len(cols) - 1)
    rule = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(_md_cell(c) for c in cols) + " |", "| " + " | ".join(rule) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def html_table(frame: pd.DataFrame, css_class: str = "kpi") -> str:
    """An HTML table of ``frame`` (cells escaped; the first column as row headers)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = [f"<th>{html.escape(str(row[0]))}</th>"]
        cells += [f"<td>{html.escape(str(v))}</td>" for v in row[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{css_class}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")
