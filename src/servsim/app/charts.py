"""The page's charts as Vega-Lite specifications: hover a chart to read its values.

Each chart is a plain dict (a Vega-Lite 5 spec) built from the focal firm's
day-by-day rows (:func:`servsim.app.runs.focal_rows`), and drawn in the
browser by Solara's Vega-Lite widget with vega 5.21, vega-lite 5.2 and
vega-embed 6.20 as shipped by ``solara-assets`` (nothing loads from a CDN;
``servsim-demo`` points Solara at them, see :func:`servsim.demo.asset_dir`).
Every line chart has a hover rule that shows the day and every series' value
in a tooltip.

:data:`CHARTS` is the one table of the charts of A; :func:`chart_spec` is the
one factory that turns a row of it into a spec.  The network view
(:func:`network_spec`) and A against B (:func:`compare_spec`) use the same
building blocks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from servsim.results import STAGES

STAGE_COLOURS = {"prospect": "#c8c8c8", "new": "#c6dbef", "repeat": "#6baed6",
                 "loyal": "#2171b5", "advocate": "#31a354", "lapsed": "#de2d26"}
A_COLOUR, B_COLOUR = "#1f4e9c", "#e6550d"
GOOD_COLOUR, BAD_COLOUR = "#1a9850", "#d73027"
CHART_HEIGHT = 150
"""Plot height in pixels: two rows of charts fit a 1280 x 720 projector under the controls."""
MAX_POINTS = 160
"""Days drawn per series at most (the rows are thinned evenly, the last day always kept)."""
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
"""Vega-Lite's schema name (an identifier only: nothing is fetched)."""
UNITS_NOTE = "cu = currency units"
FIRM_KINDS = ("focal firm", "competitor", "no firm")
"""Whose customer a drawn customer is (prospects and lapsed customers have no firm)."""


@dataclass(frozen=True)
class Series:
    """One line (or stacked area) of a chart: a value per day and how it is drawn."""

    label: str
    value: Callable[[pd.DataFrame], pd.Series]
    colour: str
    dash: bool = False
    digits: int = 2


def column(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A series read straight from a column of the rows."""
    return lambda rows: rows[name]


def weekly(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A 7-day rolling sum of a daily count (a rate per week)."""
    return lambda rows: rows[name].rolling(7, min_periods=1).sum()


def cumulative(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A running total of a daily amount."""
    return lambda rows: rows[name].cumsum()


@dataclass(frozen=True)
class ChartDef:
    """A chart of A's focal firm: series on a left axis (and optionally a right one)."""

    title: str
    y_title: str
    series: tuple[Series, ...]
    right_title: str | None = None
    right: tuple[Series, ...] = ()
    stacked: bool = False
    y_domain: tuple[float, float] | None = None
    right_domain: tuple[float, float] | None = None


CHARTS: dict[str, ChartDef] = {
    "stages": ChartDef(
        "Customers by relationship stage", "customers", stacked=True,
        series=tuple(Series(s, column(f"customers_{s}"), STAGE_COLOURS[s], digits=0)
                     for s in ("new", "repeat", "loyal", "advocate")),
        right_title="lapsed (former) customers",
        right=(Series("lapsed", column("customers_lapsed"), STAGE_COLOURS["lapsed"],
                      digits=0),)),
    "satisfaction": ChartDef(
        "Satisfaction and NPS", "satisfaction, expectation (0–1)", y_domain=(0, 1),
        series=(Series("satisfaction", column("satisfaction"), A_COLOUR),
                Series("expectation", column("expectation"), A_COLOUR, dash=True)),
        right_title="NPS (−100 to +100)", right_domain=(-100, 100),
        right=(Series("NPS", column("recommend_score"), "#756bb1", digits=0),)),
    "complaints": ChartDef(
        "Complaints and recoveries (per week)", "per week (7-day sum)",
        series=(Series("failures", weekly("failures"), "#969696", digits=0),
                Series("complaints", weekly("complaints"), "#d95f0e", digits=0),
                Series("recovered", weekly("recoveries"), "#31a354", digits=0),
                Series("on the spot", weekly("recoveries_on_spot"), "#31a354", dash=True,
                       digits=0),
                Series("unresolved", lambda r: (r["complaints_ignored"]
                                                + r["complaints_abandoned"]
                                                ).rolling(7, min_periods=1).sum(),
                       "#de2d26", digits=0))),
    "money": ChartDef(
        "Revenue, cost and profit (cumulative)", f"cumulative ({UNITS_NOTE})",
        series=(Series("revenue", cumulative("revenue"), "#3182bd", digits=0),
                Series("cost", cumulative("cost"), "#e6550d", digits=0),
                Series("profit", cumulative("profit"), "#31a354", digits=0))),
    "staff": ChartDef(
        "Staff morale and turnover", "morale, skill (0–1)", y_domain=(0, 1),
        series=(Series("morale", column("staff_morale"), "#756bb1"),
                Series("skill", column("staff_skill"), "#9e9ac8", dash=True)),
        right_title="people (so far)",
        right=(Series("quits so far", cumulative("staff_quits"), "#de2d26", digits=0),
               Series("novices hired", cumulative("staff_hires"), "#31a354", dash=True,
                      digits=0))),
}
"""The charts of A's focal firm, by key: the one table :func:`chart_spec` draws from."""


def thin(rows: pd.DataFrame, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Every k-th row so that at most ``max_points`` remain, the last row always kept."""
    if len(rows) <= max_points:
        return rows
    every = math.ceil(len(rows) / max_points)
    keep = np.zeros(len(rows), dtype=bool)
    keep[::every] = True
    keep[-1] = True
    return rows[keep]


def _wide(rows: pd.DataFrame, series: Sequence[Series]) -> list[dict[str, Any]]:
    """Records ``{day, label: value, ...}`` of the (thinned) rows, rounded for the wire."""
    table = pd.DataFrame({"day": rows["day"].astype(int)})
    for s in series:
        table[s.label] = s.value(rows).astype(float).round(max(s.digits, 0) + 2)
    return thin(table).to_dict("records")


def _tooltip(series: Sequence[Series]) -> list[dict[str, Any]]:
    return [{"field": "day", "type": "quantitative", "title": "day"}] + [
        {"field": s.label, "type": "quantitative", "title": s.label,
         "format": f",.{s.digits}f"} for s in series]


def _lines(series: Sequence[Series], y_title: str, domain, stacked: bool,
           orient: str = "left") -> dict[str, Any]:
    """A layer drawing ``series`` (folded from the wide records) on one y axis."""
    labels = [s.label for s in series]
    scale: dict[str, Any] = {"domain": list(domain)} if domain else {"zero": stacked}
    colour = {"field": "series", "type": "nominal", "sort": labels,
              "scale": {"domain": labels, "range": [s.colour for s in series]},
              "legend": {"orient": "bottom", "title": None, "direction": "horizontal",
                         "labelFontSize": 11,
                         "symbolType": "square" if stacked else "stroke"}}
    dash = {"field": "series", "type": "nominal", "sort": labels, "legend": None,
            "scale": {"domain": labels,
                      "range": [[4, 3] if s.dash else [1, 0] for s in series]}}
    encoding: dict[str, Any] = {
        "x": {"field": "day", "type": "quantitative", "title": "day"},
        "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": scale,
              "stack": "zero" if stacked else None, "axis": {"orient": orient}},
        "color": colour,
    }
    if not stacked:
        encoding["strokeDash"] = dash
    return {"transform": [{"fold": labels, "as": ["series", "value"]}],
            "mark": {"type": "area" if stacked else "line", "opacity": 0.9 if stacked else 1,
                     "strokeWidth": 2, "clip": True},
            "encoding": encoding}


def _hover_rule(series: Sequence[Series]) -> dict[str, Any]:
    """A vertical rule at the day nearest the pointer, with every series' value in a tooltip."""
    return {"mark": {"type": "rule", "color": "#555", "strokeWidth": 6},
            "params": [{"name": "hover", "select": {"type": "point", "fields": ["day"],
                                                    "nearest": True, "on": "mouseover",
                                                    "clear": "mouseout"}}],
            "encoding": {"x": {"field": "day", "type": "quantitative"},
                         "opacity": {"condition": {"param": "hover", "empty": False,
                                                   "value": 0.25}, "value": 0.001},
                         "tooltip": _tooltip(series)}}


def _frame(title: str, layers: list[dict[str, Any]], values: list[dict[str, Any]],
           independent: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "$schema": SCHEMA, "title": {"text": title, "fontSize": 14, "anchor": "start"},
        "width": "container", "height": CHART_HEIGHT, "autosize": {"type": "fit-x"},
        "data": {"values": values}, "layer": layers,
        "config": {"axis": {"labelFontSize": 11, "titleFontSize": 11},
                   "view": {"stroke": None}},
        "usermeta": {"embedOptions": {"actions": False}},
    }
    if independent:
        spec["resolve"] = {"scale": {"y": "independent", "color": "independent",
                                     "strokeDash": "independent"}}
    return spec


def empty_spec(title: str, message: str = "press Step or ▶ Play to start") -> dict[str, Any]:
    """A chart frame with a message instead of data (before the first day)."""
    return _frame(title, [{"mark": {"type": "text", "fontSize": 14, "color": "#777"},
                           "encoding": {"text": {"field": "message"}}}],
                  [{"message": message}])


def chart_spec(key: str, rows: pd.DataFrame) -> dict[str, Any]:
    """The Vega-Lite spec of chart ``key`` of :data:`CHARTS` for the focal firm's ``rows``."""
    chart = CHARTS[key]
    if not len(rows):
        return empty_spec(chart.title)
    every = (*chart.series, *chart.right)
    layers = [_lines(chart.series, chart.y_title, chart.y_domain, chart.stacked)]
    if chart.right:
        layers.append(_lines(chart.right, chart.right_title or "", chart.right_domain, False,
                             orient="right"))
    layers.append(_hover_rule(every))
    return _frame(chart.title, layers, _wide(rows, every), independent=bool(chart.right))


COMPARE_PANELS = (
    ("profit", f"cumulative profit ({UNITS_NOTE})", cumulative("profit"), 0),
    ("customers", "active customers", column("customers"), 0),
    ("satisfaction", "satisfaction (0–1)", column("satisfaction"), 2),
    ("recommend_score", "NPS (−100 to +100)", column("recommend_score"), 0),
)
"""A against B: (column, title, value, digits) of each panel."""


def compare_spec(a: pd.DataFrame, b: pd.DataFrame, label_b: str,
                 panels: Sequence[tuple] = COMPARE_PANELS) -> dict[str, Any]:
    """A against B (same seed, stepped together): one small chart per panel, two lines each."""
    charts = []
    for _, title, value, digits in panels:
        series = (Series("A", value, A_COLOUR, digits=digits),
                  Series("B", value, B_COLOUR, digits=digits))
        n = min(len(a), len(b))
        if not n:
            charts.append({**empty_spec(title), "width": 260})
            continue
        values = pd.DataFrame({"day": a["day"].iloc[:n].astype(int).to_numpy(),
                               "A": value(a).iloc[:n].astype(float).round(digits + 2).to_numpy(),
                               "B": value(b).iloc[:n].astype(float).round(digits + 2).to_numpy()})
        frame = _frame(title, [_lines(series, "", None, False), _hover_rule(series)],
                       thin(values).to_dict("records"))
        frame["title"]["fontSize"] = 12
        frame["width"] = 260
        frame["height"] = 120
        charts.append({k: v for k, v in frame.items() if k not in ("$schema", "config",
                                                                   "usermeta", "autosize")})
    return {"$schema": SCHEMA, "concat": charts, "columns": 2,
            "title": {"text": f"A against B = A with {label_b}", "fontSize": 14,
                      "anchor": "start"},
            "config": {"axis": {"labelFontSize": 10, "titleFontSize": 10},
                       "view": {"stroke": None}},
            "usermeta": {"embedOptions": {"actions": False}}}


def network_spec(nodes: pd.DataFrame, ties: pd.DataFrame, messages: pd.DataFrame,
                 colour_by: str, title: str) -> dict[str, Any]:
    """The sampled customers, their ties, and today's word of mouth between them.

    ``nodes``: x, y, customer, firm (one of :data:`FIRM_KINDS`),
    stage, satisfaction; ``ties``: x, y, x2, y2; ``messages`` (today's word of
    mouth, talker to hearer): x, y, x2, y2, said ("good" or "bad"), text.
    Customers are coloured by ``colour_by`` ("stage" or "satisfaction").
    """
    axis = {"axis": None, "scale": {"zero": False}}
    if colour_by == "stage":
        colour = {"field": "stage", "type": "nominal", "title": "stage",
                  "scale": {"domain": list(STAGES),
                            "range": [STAGE_COLOURS[s] for s in STAGES]},
                  "legend": {"orient": "right"}}
    else:
        colour = {"field": "satisfaction", "type": "quantitative", "title": "satisfaction",
                  "scale": {"scheme": "redyellowgreen", "domain": [0.2, 0.9], "clamp": True},
                  "legend": {"orient": "right", "gradientLength": 120}}
    layers = [
        {"data": {"values": ties.to_dict("records")},
         "mark": {"type": "rule", "color": "#d0d0d0", "strokeWidth": 0.7},
         "encoding": {"x": {"field": "x", "type": "quantitative", **axis},
                      "y": {"field": "y", "type": "quantitative", **axis},
                      "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
        {"data": {"values": messages.to_dict("records")},
         "mark": {"type": "rule", "strokeWidth": 3, "opacity": 0.85},
         "encoding": {"x": {"field": "x", "type": "quantitative"},
                      "y": {"field": "y", "type": "quantitative"},
                      "x2": {"field": "x2"}, "y2": {"field": "y2"},
                      "color": {"field": "said", "type": "nominal",
                                "title": "word of mouth today",
                                "scale": {"domain": ["good", "bad"],
                                          "range": [GOOD_COLOUR, BAD_COLOUR]},
                                "legend": {"orient": "bottom", "direction": "horizontal"}},
                      "tooltip": [{"field": "text", "title": "today"}]}},
        {"data": {"values": nodes.to_dict("records")},
         "mark": {"type": "point", "filled": True, "size": 70, "stroke": "#444",
                  "strokeWidth": 0.5, "opacity": 1},
         "encoding": {"x": {"field": "x", "type": "quantitative"},
                      "y": {"field": "y", "type": "quantitative"},
                      "color": colour,
                      "shape": {"field": "firm", "type": "nominal", "title": "customer of",
                                "scale": {"domain": list(FIRM_KINDS),
                                          "range": ["circle", "square", "triangle-up"]},
                                "legend": {"orient": "bottom", "direction": "horizontal"}},
                      "tooltip": [{"field": "customer", "title": "customer"},
                                  {"field": "firm", "title": "customer of"},
                                  {"field": "stage", "title": "stage"},
                                  {"field": "satisfaction", "title": "satisfaction",
                                   "format": ".2f"}]}},
    ]
    spec = _frame(title, layers, [])
    del spec["data"]
    spec["height"] = 330
    spec["resolve"] = {"scale": {"color": "independent"}}
    return spec
