"""Inverted pyramid (seed 003): empowerment and coaching against approvals and control.

The ``pyramid`` org preset (frontline authority 0.2, three approval levels of
a day, managers spending 70% of their time approving) against the
``inverted`` one (authority 0.8, one approval level, no paperwork delay,
managers coaching 80% of their time), for Company A's differentiated
strategy, across base failure rates of 2% to 15% per encounter (a behavioural
uncertainty: how often service goes wrong at average skill, morale and level).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from servsim import stats, tables
from servsim.experiments.common import (
    Findings,
    by_seed,
    compare,
    difference,
    label,
    levels,
    panels,
    series_panels,
)
from servsim.replicate import Replications

ASSUMPTIONS = (
    "Company A's market, differentiated strategy, reactive stage; only the focal firm's "
    "organisation changes (approval levels, frontline authority, control share as the org "
    "presets say), rivals keep theirs.",
    "The base failure rate is swept because empowerment pays only where there are failures to "
    "recover; staff morale responds to authority and coaching as calibrated (docs/validation.md).",
    "10,000 customers give the focal firm a team of a few frontline staff and 1-2 managers: "
    "organisation effects in a larger firm are extrapolation.",
)
"""What drives the finding (the summary's assumptions box)."""

TITLE = "Inverted pyramid: empowered frontline vs approval chain (seed 003)"
QUESTION = """
Seed 003 argues for turning the pyramid upside down: customers on top, an empowered
frontline that fixes problems on the spot, managers who coach instead of approving. Does it
pay -- in recovery time, staff morale and turnover, customer satisfaction, compensation cost
and profit -- and does the answer depend on how often service fails?
"""

ARM = "org"
RATE = "behaviour.base_failure"
METRICS = ("recovery_days", "staff_morale", "staff_turnover", "satisfaction",
           "total_cost_compensation", "cumulative_profit", "retention_rate", "complaints")


def analyze(data: Replications, out: Path) -> Findings:
    """Inverted minus pyramid at each failure rate (paired), and the panels."""
    focal = data.focal()
    rates = sorted(levels(focal, RATE))
    orgs = [o for o in ("pyramid", "inverted") if o in set(focal[ARM])]
    rows = []
    for rate in rates:
        cells = [str(rate)]
        for m in METRICS:
            t = compare(focal, m, ARM, "inverted", "pyramid", {RATE: rate})
            p = "p < 0.001" if t.p < 0.001 else f"p = {t.p:.3f}"
            cells.append(f"{difference(m, t)} ({p})")
        rows.append(cells)
    diff_table = tables.markdown(pd.DataFrame(rows, columns=["base failure rate",
                                                              *[label(m) for m in METRICS]]))
    lines = ["Mean [95% CI] over the seeds at each failure rate:", "",
             _levels_table(focal, rates, orgs), "",
             "Inverted minus pyramid, paired by seed (paired t-test):", "", diff_table, ""]
    lines += _headlines(focal, rates)
    table = stats.cell_means(focal, [ARM, RATE], list(METRICS))
    figures = [(panels(out, "by_failure_rate.png", table, RATE, METRICS, hue=ARM, order=orgs,
                       ncols=4, xlabel="base failure probability"),
                "Pyramid vs inverted pyramid against the base failure rate (95% bands over the "
                "seeds)."),
               _series_figure(out, data.steps, rates, orgs)]
    return Findings("\n".join(lines), figures)


def _levels_table(focal, rates, orgs) -> str:
    shown = ("recovery_days", "staff_morale", "staff_turnover", "satisfaction",
             "cumulative_profit")
    rows = []
    for rate in rates:
        for org in orgs:
            rows.append([str(rate), org] + [tables.ci(stats.mean_ci(
                by_seed(focal, m, {RATE: rate, ARM: org}))) for m in shown])
    return tables.markdown(pd.DataFrame(rows, columns=["base failure rate", "org",
                                                        *[label(m) for m in shown]]))


def _headlines(focal, rates) -> list[str]:
    out = []
    profit = {r: compare(focal, "cumulative_profit", ARM, "inverted", "pyramid", {RATE: r})
              for r in rates}
    wins = [r for r in rates if profit[r].diff.mean > 0 and profit[r].p < 0.05]
    where = ("at every failure rate" if len(wins) == len(rates) else
             f"at failure rates {', '.join(map(str, wins)) or 'none'} of "
             f"{', '.join(map(str, rates))}")
    out.append(f"- **Profit**: the inverted pyramid earns significantly more {where}; the gap "
               f"goes from {difference('cumulative_profit', profit[rates[0]])} at {rates[0]} to "
               f"{difference('cumulative_profit', profit[rates[-1]])} at {rates[-1]}.")
    for m in ("recovery_days", "staff_turnover", "satisfaction"):
        gaps = [compare(focal, m, ARM, "inverted", "pyramid", {RATE: r}) for r in rates]
        out.append(f"- **{label(m).capitalize()}**: inverted − pyramid "
                   + ", ".join(f"{difference(m, g)} at {r}" for g, r in zip(gaps, rates,
                                                                            strict=True)) + ".")
    return out


def _series_figure(out: Path, steps, rates, orgs) -> tuple[str, str]:
    rate = 0.05 if 0.05 in rates else rates[0]
    file = series_panels(out, "series.png", steps[steps[RATE] == rate],
                         (("complaint_queue", "escalated complaints waiting"),
                          ("staff_morale", "staff morale"), ("satisfaction", "satisfaction"),
                          ("cumulative_profit", "cumulative profit (cu)")),
                         hue=ARM, order=orgs, width=3.8)
    return (file, f"Over time at base failure rate {rate}: the approval queue, staff morale, "
            "customer satisfaction and cumulative profit (weekly means, 95% bands).")
