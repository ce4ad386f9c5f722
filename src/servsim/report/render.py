"""The report's pages: Markdown, self-contained HTML, and the files beside them."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd

from servsim import outputs, stats, tables
from servsim import robustness as robustness_
from servsim.report.analysis import (
    CSS,
    KPIS,
    OUTPUT_FILES,
    RATE_KPIS,
    Report,
    _fmt,
    _relative,
    _seed_text,
)

# --------------------------------------------------------------------------- rendering


def _kpi_frame(report: Report) -> pd.DataFrame:
    labels = [s.label for s in report.scenarios]
    rows = []
    for key, name, higher in KPIS:
        part = report.kpis[report.kpis["kpi"] == key].set_index("scenario")
        cells = []
        for lab in labels:
            r = part.loc[lab]
            e = stats.Estimate(r["mean"], r["low"], r["high"], int(r["n"]))
            cells.append(tables.ci(e) if key not in RATE_KPIS else (
                f"{tables.pct(e.mean, 3, False)} [{tables.pct(e.low, 3, False)}, "
                f"{tables.pct(e.high, 3, False)}]"))
        rows.append([f"{name} ({'↑' if higher else '↓'} better)", *cells])
    return pd.DataFrame(rows, columns=["KPI", *labels])


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else ("n/a" if not np.isfinite(p) else f"{p:.3f}")


def _diff_frame(report: Report) -> pd.DataFrame:
    rows = []
    for r in report.differences.itertuples():
        name = dict((k, n) for k, n, _ in KPIS)[r.kpi]
        scale = 100.0 if r.kpi in RATE_KPIS else 1.0
        unit = " points" if r.kpi in RATE_KPIS else ""
        mean_b = r.diff / r.relative if np.isfinite(r.relative) and r.relative != 0 else 0.0
        rel = _relative(r.kpi, r.relative, mean_b) or ""
        rows.append([f"{r.scenario} − {r.baseline}", name,
                     f"{tables.num(scale * r.diff, 3, True)}{unit} "
                     f"[{tables.num(scale * r.low, 3, True)}, "
                     f"{tables.num(scale * r.high, 3, True)}]",
                     rel, _p_text(r.p), _p_text(r.p_holm),
                     stats.confidence_words(r.p_holm).split(" (")[0]])
    return pd.DataFrame(rows, columns=["comparison", "KPI", "difference [95% CI]",
                                       "relative", "p (paired t)", "p (Holm)", "verdict"])


def _assumption_frame(report: Report) -> pd.DataFrame:
    return pd.DataFrame(report.assumptions, columns=["assumption", "in this report"])


def _rank_frame(rob: robustness_.Robustness) -> pd.DataFrame:
    rows = []
    n_ranks = int(rob.ranks["rank"].max())
    for r in rob.summary.itertuples():
        part = rob.ranks[rob.ranks["scenario"] == r.scenario].set_index("rank")
        rows.append([r.scenario, *[f"{tables.pct(part.loc[k, 'probability'], 2, False)} "
                                   f"[{tables.pct(part.loc[k, 'low'], 2, False)}, "
                                   f"{tables.pct(part.loc[k, 'high'], 2, False)}]"
                                   for k in range(1, n_ranks + 1)],
                     tables.num(r.regret_mean), tables.num(r.outcome_mean)])
    return pd.DataFrame(rows, columns=["scenario", *[f"P(rank {k}) [95% CI]"
                                                     for k in range(1, n_ranks + 1)],
                                       "mean regret", "mean"])


def _tornado_frame(rob: robustness_.Robustness, top: int = 10) -> pd.DataFrame:
    rows = [[r.key, f"{_fmt(r.low)} – {_fmt(r.high)} (default {_fmt(r.default)})",
             tables.num(r.margin_low, 3, True), tables.num(r.margin_high, 3, True),
             f"yes: {r.leader_low if r.leader_low != rob.leader else r.leader_high} leads"
             if r.flips else "no"] for r in rob.tornado.head(top).itertuples()]
    return pd.DataFrame(rows, columns=["parameter", "range", "margin at low",
                                       "margin at high", "leader changes"])


def _scenario_lines(report: Report) -> list[str]:
    return [f"- **{s.label}**{' (baseline)' if s.label == report.baseline else ''}: "
            f"`{' '.join(s.overrides) or '(base settings)'}`" for s in report.scenarios]


def method_text(report: Report) -> str:
    """Describe how the numbers were made, in a few sentences."""
    seeds = report.seeds
    seed_text = (f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
                 else ", ".join(map(str, seeds)))
    text = (f"{len(seeds)} replications per scenario (seeds {seed_text}); scenarios share "
            "seeds, so each pair of runs with one seed starts from the same customers, network "
            "and market (common random numbers). KPIs are the focal firm's run summaries "
            "(servsim.metrics): means with 95% Student-t intervals over seeds "
            "(scipy.stats.ttest_1samp); for bounded KPIs (share, retention, satisfaction, NPS, "
            "and the non-negative complaints, recovery days and turnover) the t interval is "
            "built on the logit (or log) scale and mapped back, so it stays within the bounds "
            "(kpis.csv, column interval). Differences are per seed against the baseline, with "
            "their t interval and a two-sided paired t-test (scipy.stats.ttest_rel); the "
            "verdicts use Holm-adjusted p-values over every comparison of the table "
            "(statsmodels multipletests). Time series are weekly means of the daily values "
            "with 95% bands over seeds.")
    rob = report.robustness
    if rob is not None:
        text += (f" Robustness: {int(rob.summary['n'].iloc[0])} Latin-hypercube samples "
                 f"(scipy.stats.qmc) of the {len(rob.parameters)} uncertain parameters of the "
                 "market's parameter registry, each parameter over its plausible range and "
                 "distribution; at each sample every scenario runs with the same parameter "
                 "values and the same seed. Rank probabilities have Wilson 95% intervals; "
                 "regret is the best scenario's outcome minus the scenario's, averaged over "
                 "samples. The tornado moves one parameter at a time to each end of its range, "
                 f"the others at their defaults, on {_seed_text(rob.seeds)}; its "
                 f"{len(rob.tornado)} parameters are those whose values correlate most "
                 "(Spearman, over the samples) with the margin between the two leading "
                 "scenarios (rank_probabilities.csv, robustness_summary.csv, tornado.csv, "
                 "screening.csv, robustness.parquet).")
    return text


def to_markdown(report: Report) -> str:
    """Render the report as Markdown (figures referenced as PNG files beside it)."""
    lines = [f"# {report.title}", "", report.paragraph, "", "## Assumptions", "",
             tables.markdown(_assumption_frame(report), align=["l", "l"]), "",
             "## Scenarios", "", *_scenario_lines(report), "",
             "## KPIs (mean [95% CI] over seeds)", "",
             tables.markdown(_kpi_frame(report)), "",
             f"## Differences against the baseline ({report.baseline}), paired by seed", "",
             tables.markdown(_diff_frame(report), align=["l", "l", "r", "r", "r", "r", "l"]),
             ""]
    rob = report.robustness
    if rob is not None:
        lines += ["## Robustness across the market's uncertainties", "", report.robustness_text,
                  "", tables.markdown(_rank_frame(rob)), "",
                  tables.markdown(_tornado_frame(rob), align=["l", "l", "r", "r", "l"]), ""]
    for file, title in FIGURES:
        if file in report.figures:
            lines += [f"## {title}", "", f"![{title}]({file})", ""]
    lines += ["## Method", "", method_text(report), "", f"Command: `{report.command}`", ""]
    return "\n".join(lines)


FIGURES = (("kpis.png", "KPIs"), ("series.png", "Over time"),
           ("robustness.png", "Robustness"))
"""(file, title) of the report's figures, in page order."""


def to_html(report: Report) -> str:
    """Render the report as one self-contained HTML page (figures inline as base64 PNG)."""
    import re

    def md_inline(text: str) -> str:
        text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))
        return re.sub(r"`(.+?)`", r"<code>\1</code>", text)

    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{html.escape(report.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{html.escape(report.title)}</h1>",
             f"<p class='lead'>{md_inline(report.paragraph)}</p>",
             "<h2>Assumptions</h2><table class='assumptions'><tbody>"]
    for topic, text in report.assumptions:
        parts.append(f"<tr><th>{html.escape(topic)}</th><td class='text'>{md_inline(text)}"
                     "</td></tr>")
    parts.append("</tbody></table><h2>Scenarios</h2><ul>")
    for s in report.scenarios:
        base = " (baseline)" if s.label == report.baseline else ""
        parts.append(f"<li><b>{html.escape(s.label)}</b>{base}: "
                     f"<code>{html.escape(' '.join(s.overrides) or '(base settings)')}</code></li>")
    parts += ["</ul><h2>KPIs (mean [95% CI] over seeds)</h2>",
              tables.html_table(_kpi_frame(report)),
              f"<h2>Differences against the baseline ({html.escape(report.baseline)}), "
              "paired by seed</h2>", tables.html_table(_diff_frame(report), "diff")]
    rob = report.robustness
    if rob is not None:
        parts += ["<h2>Robustness across the market's uncertainties</h2>",
                  f"<p>{md_inline(report.robustness_text)}</p>",
                  tables.html_table(_rank_frame(rob), "ranks"),
                  tables.html_table(_tornado_frame(rob), "tornado")]
    for file, title in FIGURES:
        if file in report.figures:
            data = base64.b64encode(report.figures[file]).decode("ascii")
            parts.append(f"<h2>{title}</h2><img alt='{title}' src='data:image/png;base64,{data}'>")
    parts += [f"<h2>Method</h2><p>{html.escape(method_text(report))}</p>",
              f"<p class='small'>Command: <code>{html.escape(report.command)}</code></p>",
              "</body></html>"]
    return "\n".join(parts)


def write(report: Report, out: str | Path, focal: pd.DataFrame, steps: pd.DataFrame) -> Path:
    """Write report.html, report.md, the figures and every table behind the numbers.

    kpis.csv, differences.csv, the tidy runs and steps, and with robustness
    rank_probabilities.csv, robustness_summary.csv, tornado.csv and
    robustness.parquet (every evaluation).  Files of :data:`OUTPUT_FILES` left
    from an earlier report in ``out`` that this report does not write are
    removed, so the directory holds one report only (:func:`check_output`
    refuses an existing report unless forced).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file, data in report.figures.items():
        with outputs.atomic_path(out / file) as tmp:
            tmp.write_bytes(data)
        written.append(out / file)
    written.append(outputs.write_text(out / "report.md", to_markdown(report)))
    written.append(outputs.write_text(out / "kpis.csv", report.kpis.to_csv(index=False)))
    written.append(outputs.write_text(out / "differences.csv",
                                      report.differences.to_csv(index=False)))
    written.append(outputs.write_parquet(out / "runs.parquet", focal))
    written.append(outputs.write_parquet(out / "steps.parquet", steps))
    rob = report.robustness
    if rob is not None:
        for name, table in (("rank_probabilities.csv", rob.ranks),
                            ("robustness_summary.csv", rob.summary),
                            ("tornado.csv", rob.tornado),
                            *((("screening.csv", rob.screening),)
                              if rob.screening is not None else ())):
            written.append(outputs.write_text(out / name, table.to_csv(index=False)))
        written.append(outputs.write_parquet(out / "robustness.parquet", rob.results))
    page = outputs.write_text(out / "report.html", to_html(report))
    written.append(page)
    names = {Path(w).name for w in written}
    for stale in OUTPUT_FILES:
        if stale not in names and (out / stale).is_file():
            (out / stale).unlink()
    return page


