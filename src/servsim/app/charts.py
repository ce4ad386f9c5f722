"""The page's charts: figures of the focal firm's day-by-day rows, the network, A against B.

Each ``fig_*`` function is a pure function of what :mod:`servsim.app.runs`
hands it (the focal firm's rows, the sampled network) and returns a
matplotlib ``Figure``; :data:`CHARTS` lists the charts of A the page shows.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from servsim.app.runs import NetworkSample, customer_state
from servsim.model import ServiceMarket
from servsim.results import STAGES

STAGE_COLOURS = {"prospect": "#d9d9d9", "new": "#c6dbef", "repeat": "#6baed6",
                 "loyal": "#2171b5", "advocate": "#31a354", "lapsed": "#de2d26"}
A_COLOUR, B_COLOUR = "#1f4e9c", "#e6550d"
FIG_SIZE = (4.6, 2.7)
DPI = 100


def _figure(size: tuple[float, float] = FIG_SIZE) -> tuple[Figure, Any]:
    fig = Figure(figsize=size, dpi=DPI)
    fig.subplots_adjust(left=0.14, right=0.86, bottom=0.17, top=0.9)
    return fig, fig.subplots()


def _empty(ax, what: str = "press Step or ▶ to start") -> None:
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xlabel("day")


def _weekly(series: pd.Series) -> pd.Series:
    return series.rolling(7, min_periods=1).sum()


def fig_stages(rows: pd.DataFrame) -> Figure:
    """Customers of the focal firm by relationship stage (stacked), and lapsed ones."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    day = rows["day"]
    names = ["new", "repeat", "loyal", "advocate"]
    ax.stackplot(day, *[rows[f"customers_{s}"] for s in names], labels=names,
                 colors=[STAGE_COLOURS[s] for s in names], alpha=0.95)
    ax.plot(day, rows["customers_lapsed"], color=STAGE_COLOURS["lapsed"], lw=1.6,
            label="lapsed (former)")
    ax.set_xlabel("day")
    ax.set_ylabel("customers")
    ax.legend(loc="upper left", fontsize=7.5, ncols=3, frameon=False)
    ax.set_ylim(0, max(1.0, float((rows["customers"]).max()), float(rows["customers_lapsed"].max()))
                * 1.25)
    return fig


def fig_satisfaction(rows: pd.DataFrame) -> Figure:
    """Mean satisfaction (left axis) and the NPS-style recommend score (right axis)."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    ax.plot(rows["day"], rows["satisfaction"], color=A_COLOUR, lw=1.8, label="satisfaction")
    ax.plot(rows["day"], rows["expectation"], color=A_COLOUR, lw=1, ls=":",
            label="expectation")
    ax.set_ylim(0, 1)
    ax.set_ylabel("satisfaction (0-1)")
    ax.set_xlabel("day")
    fig.subplots_adjust(right=0.83)
    right = ax.twinx()
    right.plot(rows["day"], rows["recommend_score"], color="#756bb1", lw=1.5, label="NPS")
    right.axhline(0, color="0.7", lw=0.8)
    right.set_ylim(-100, 100)
    right.set_ylabel("NPS")
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, ncols=3, frameon=False)
    return fig


def fig_complaints(rows: pd.DataFrame) -> Figure:
    """Complaints and their fate per week (7-day sums), and days to resolve."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    day = rows["day"]
    ax.plot(day, _weekly(rows["failures"]), color="0.55", lw=1, label="failures")
    ax.plot(day, _weekly(rows["complaints"]), color="#d95f0e", lw=1.8, label="complaints")
    ax.plot(day, _weekly(rows["recoveries"]), color="#31a354", lw=1.8, label="recovered")
    ax.plot(day, _weekly(rows["recoveries_on_spot"]), color="#31a354", lw=1, ls="--",
            label="on the spot")
    lost = rows["complaints_ignored"] + rows["complaints_abandoned"]
    ax.plot(day, _weekly(lost), color="#de2d26", lw=1.2, label="unresolved")
    ax.set_ylabel("per week")
    ax.set_xlabel("day")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=7.5, ncols=3, frameon=False)
    done = rows["recoveries"].sum()
    if done:
        mean_days = (rows["recovery_days"].fillna(0) * rows["recoveries"]).sum() / done
        ax.set_title(f"mean days to resolve: {mean_days:.1f}", fontsize=8, loc="right")
    return fig


def fig_money(rows: pd.DataFrame) -> Figure:
    """Cumulative revenue, cost and profit of the focal firm."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    day = rows["day"]
    ax.plot(day, rows["revenue"].cumsum(), color="#3182bd", lw=1.5, label="revenue")
    ax.plot(day, rows["cost"].cumsum(), color="#e6550d", lw=1.5, label="cost")
    ax.plot(day, rows["profit"].cumsum(), color="#31a354", lw=2.2, label="profit")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_ylabel("cumulative (cu)")
    ax.set_xlabel("day")
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    ax.legend(loc="upper left", fontsize=7.5, ncols=3, frameon=False)
    return fig


def fig_staff(rows: pd.DataFrame) -> Figure:
    """Staff morale and skill (left axis) and quits and hires so far (right axis)."""
    fig, ax = _figure()
    if not len(rows):
        _empty(ax)
        return fig
    day = rows["day"]
    ax.plot(day, rows["staff_morale"], color="#756bb1", lw=1.8, label="morale")
    ax.plot(day, rows["staff_skill"], color="#9e9ac8", lw=1.2, ls="--", label="skill")
    ax.set_ylim(0, 1)
    ax.set_ylabel("morale, skill (0-1)")
    ax.set_xlabel("day")
    fig.subplots_adjust(right=0.83)
    right = ax.twinx()
    right.step(day, rows["staff_quits"].cumsum(), color="#de2d26", lw=1.4, label="quits so far")
    right.step(day, rows["staff_hires"].cumsum(), color="#31a354", lw=1, ls=":",
               label="novices hired")
    right.set_ylabel("people")
    right.set_ylim(bottom=0, top=max(3.0, float(rows["staff_quits"].sum()) * 1.3,
                                      float(rows["staff_hires"].sum()) * 1.3))
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, ncols=2, frameon=False)
    staff = int(rows["staff"].iloc[-1])
    ax.set_title(f"frontline staff now: {staff}", fontsize=8, loc="right")
    return fig


def fig_network(model: ServiceMarket, sample: NetworkSample, colour_by: str) -> Figure:
    """The sampled customers and their ties, coloured by satisfaction or by stage.

    Circles are the focal firm's customers (and its lapsed ones), squares a
    competitor's; grey dots are prospects who never bought.
    """
    fig, ax = _figure((4.6, 3.4))
    ax.set_axis_off()
    xy = sample.xy
    if sample.edges:
        seg = np.array([[xy[i], xy[j]] for i, j in sample.edges])
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(seg, colors="0.8", linewidths=0.5, zorder=1))
    nodes = sample.nodes
    c = customer_state(model, nodes)
    firm, stage, sat = c["firm"], c["stage"], c["satisfaction"]
    prospect = firm < 0
    ax.scatter(*xy[prospect].T, s=10, color=STAGE_COLOURS["prospect"], zorder=2)
    cmap = matplotlib.colormaps["RdYlGn"]
    for mask, marker in ((~prospect & (firm == 0), "o"), (~prospect & (firm > 0), "s")):
        if not mask.any():
            continue
        if colour_by == "stage":
            colours = [STAGE_COLOURS[STAGES[int(s)]] for s in stage[mask]]
            ax.scatter(*xy[mask].T, s=38, c=colours, marker=marker, edgecolors="0.3",
                       linewidths=0.4, zorder=3)
        else:
            ax.scatter(*xy[mask].T, s=38, c=sat[mask], cmap=cmap, vmin=0.2, vmax=0.9,
                       marker=marker, edgecolors="0.3", linewidths=0.4, zorder=3)
    if colour_by == "stage":
        handles = [Line2D([], [], ls="", marker="o", color=STAGE_COLOURS[s], mec="0.3", label=s)
                   for s in STAGES]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.08),
                  ncols=3, fontsize=7.5, frameon=False)
    else:
        mappable = matplotlib.cm.ScalarMappable(matplotlib.colors.Normalize(0.2, 0.9), cmap)
        bar = fig.colorbar(mappable, ax=ax, shrink=0.7, pad=0.01)
        bar.set_label("satisfaction", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    shapes = [Line2D([], [], ls="", marker="o", color="0.5", label="focal firm"),
              Line2D([], [], ls="", marker=".", color=STAGE_COLOURS["prospect"],
                     label="prospect")]
    if model.n_firms > 1:
        shapes.insert(1, Line2D([], [], ls="", marker="s", color="0.5", label="competitors"))
    fig.legend(handles=shapes, loc="upper left", fontsize=7.5, frameon=False, ncols=3)
    return fig


COMPARE_PANELS = (
    ("profit", "cumulative profit (cu)", True),
    ("customers", "active customers", False),
    ("satisfaction", "satisfaction", False),
    ("recommend_score", "NPS", False),
)


def fig_compare(a: pd.DataFrame, b: pd.DataFrame, label_a: str, label_b: str) -> Figure:
    """A against B: cumulative profit, customers, satisfaction and NPS."""
    fig = Figure(figsize=(6.0, 4.0), dpi=DPI)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.19, top=0.93, hspace=0.35, wspace=0.25)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (col, title, cumulative) in zip(axes, COMPARE_PANELS, strict=True):
        for rows, colour, label in ((a, A_COLOUR, label_a), (b, B_COLOUR, label_b)):
            if len(rows):
                y = rows[col].cumsum() if cumulative else rows[col]
                ax.plot(rows["day"], y, color=colour, lw=1.8, label=label)
        ax.set_title(title, fontsize=10)
        ax.tick_params(labelsize=8)
        if cumulative:
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    if not len(a):
        _empty(axes[0])
    for ax in axes[2:]:
        ax.set_xlabel("day", fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncols=2, fontsize=9,
                   frameon=False)
    return fig




CHARTS: dict[str, tuple[str, Any]] = {
    "stages": ("Customers by relationship stage", fig_stages),
    "satisfaction": ("Satisfaction and NPS", fig_satisfaction),
    "complaints": ("Complaints and recoveries", fig_complaints),
    "money": ("Revenue, cost and profit", fig_money),
    "staff": ("Staff morale and turnover", fig_staff),
}
"""The charts of A's focal firm: key -> (title, figure function of its rows)."""
