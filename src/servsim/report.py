"""The comparison report for strategists: ``servsim-report``.

Compare a few scenarios -- config names or override lists -- over the same
seeds and write one self-contained HTML page (figures embedded as base64 PNG,
no network needed) and the same report in Markdown beside it::

    servsim-report market=company_a --scenario strategy=premium \\
        --scenario strategy=lowcost --scenario strategy=differentiated \\
        --seeds 20 --baseline 0 -o results/report
    servsim-report --scenario premium --scenario "differentiated org=inverted" -o out/
    servsim-report --from-sweep results/sweeps/2025-06-01/10-00-00 -o out/

Positional arguments are overrides applied to every scenario.  A scenario is
a quoted, space-separated list of overrides (``"strategy=premium
org=inverted"``); a bare name (``premium``) is the config-group option of
that name (``strategy=premium``).  ``--from-sweep DIR`` reads a finished
``servsim -m`` sweep instead (via :mod:`servsim.collect`); its scenarios are
the combinations of the swept values other than the seed.

The report holds, for the focal firm:

- a KPI table (:data:`KPIS`): mean and 95% Student-t interval over the seeds;
- paired differences against the baseline scenario (same seeds, so the same
  customers, network and initial market): mean difference, 95% interval,
  relative change and the two-sided **paired t-test** (``scipy.stats.ttest_rel``);
- time series of the main KPIs with 95% bands;
- a plain-language paragraph: which scenario leads on what, by how much and
  how sure we are (leader against runner-up, paired t-test).

Every number is also written as a table (``kpis.csv``, ``differences.csv``)
with the tidy runs (``runs.parquet``, one row per run of the focal firm) and
series (``steps.parquet``), so each can be recomputed.
"""

from __future__ import annotations

import argparse
import base64
import html
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from servsim import outputs, plots, replicate, stats, tables

KPIS: tuple[tuple[str, str, bool], ...] = (
    ("cumulative_profit", "profit, cumulative (cu)", True),
    ("discounted_profit", "profit, discounted (cu)", True),
    ("final_share", "market share at the end", True),
    ("retention_rate", "customer retention (annual)", True),
    ("clv", "customer lifetime value (cu)", True),
    ("satisfaction", "satisfaction (0-1)", True),
    ("recommend_score", "NPS (recommend score)", True),
    ("complaints", "complaints", False),
    ("recovery_days", "days to resolve a complaint", False),
    ("staff_turnover", "staff turnover (quits per staff-year)", False),
)
"""(summary metric, plain name, higher is better) of every KPI in the report."""

SERIES = (("customers", "customers"), ("satisfaction", "satisfaction"),
          ("cumulative_profit", "cumulative profit (cu)"),
          ("recommend_score", "NPS (recommend score)"), ("complaints", "complaints per day"),
          ("staff_morale", "staff morale"))
"""(step column, title) of the time-series panels."""

RATE_KPIS = ("final_share", "retention_rate")
"""KPIs that are fractions: shown in %, differences in percentage points."""
RELATIVE_KPIS = ("cumulative_profit", "discounted_profit", "clv", "complaints", "recovery_days",
                 "staff_turnover")
"""KPIs measured from zero, whose differences are also shown relative to the baseline."""

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.88em;margin:.6em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}th{background:#f4f4f4}
tbody th{text-align:left}.lead{background:#f7fbff;border-left:4px solid #1f77b4;padding:.6em 1em}
img{max-width:100%}code{background:#f4f4f4;padding:0 .2em}.small{font-size:.85em;color:#555}
"""


@dataclass
class Scenario:
    """A scenario of the report: its label and overrides."""

    label: str
    overrides: list[str]


@dataclass
class Report:
    """Everything the report shows, as tables and text."""

    title: str
    scenarios: list[Scenario]
    baseline: str
    seeds: list[int]
    kpis: pd.DataFrame
    """scenario, kpi, mean, low, high, n."""
    differences: pd.DataFrame
    """scenario, baseline, kpi, diff, low, high, relative, t, p, n."""
    paragraph: str
    command: str
    figures: dict[str, bytes] = field(default_factory=dict)
    """file name -> PNG bytes."""


# --------------------------------------------------------------------------- scenarios


def resolve_name(name: str) -> str:
    """A bare config name -> ``group=name`` (searching strategy, org, stage, market, ...)."""
    from servsim import conf

    found = [g for g in ("strategy", "org", "stage", "market", "heterogeneity", "recovery")
             if (conf.CONFIG_DIR / g / f"{name}.yaml").is_file()]
    if not found:
        raise ValueError(f"scenario {name!r}: not an override (key=value) and no config group "
                         "has an option of that name")
    if len(found) > 1:
        raise ValueError(f"scenario {name!r} is an option of several groups "
                         f"({', '.join(found)}); write e.g. {found[0]}={name}")
    group = found[0]
    return f"+{group}={name}" if group in ("heterogeneity", "recovery") else f"{group}={name}"


def parse_scenario(text: str) -> list[str]:
    """``"premium org=inverted"`` -> ``["strategy=premium", "org=inverted"]``."""
    return [item if "=" in item else resolve_name(item) for item in shlex.split(text)]


def scenario_labels(scenarios: Sequence[Sequence[str]],
                    texts: Sequence[str] | None = None) -> list[str]:
    """Short labels: the values when every scenario sets the same single key, else the text.

    ``texts`` are the scenarios as the user wrote them (default: the overrides joined).
    """
    keys = {tuple(o.partition("=")[0] for o in s) for s in scenarios}
    if len(keys) == 1 and all(len(s) == 1 for s in scenarios):
        labels = [s[0].partition("=")[2] for s in scenarios]
    elif texts is not None:
        labels = [" ".join(t.split()) or "(base)" for t in texts]
    else:
        labels = [" ".join(s) if s else "(base)" for s in scenarios]
    if len(set(labels)) < len(labels):
        labels = [f"{i}: {lab}" for i, lab in enumerate(labels)]
    return labels


# --------------------------------------------------------------------------- computing


def kpi_table(focal: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Mean and 95% interval of every KPI per scenario (``focal``: one row per run)."""
    rows = []
    for lab in labels:
        part = focal[focal["scenario"] == lab]
        for key, _, _ in KPIS:
            e = stats.mean_ci(part[key])
            rows.append({"scenario": lab, "kpi": key, "mean": e.mean, "low": e.low,
                         "high": e.high, "n": e.n})
    return pd.DataFrame(rows)


def _by_seed(focal: pd.DataFrame, lab: str, key: str) -> pd.Series:
    part = focal[focal["scenario"] == lab]
    return pd.Series(part[key].to_numpy(float), index=part["seed"].to_numpy())


def difference_table(focal: pd.DataFrame, labels: Sequence[str], baseline: str) -> pd.DataFrame:
    """Each scenario minus the baseline, paired by seed, per KPI (paired t-test)."""
    rows = []
    for lab in labels:
        if lab == baseline:
            continue
        for key, _, _ in KPIS:
            t = stats.paired(_by_seed(focal, lab, key), _by_seed(focal, baseline, key))
            rows.append({"scenario": lab, "baseline": baseline, "kpi": key,
                         "diff": t.diff.mean, "low": t.diff.low, "high": t.diff.high,
                         "relative": t.relative, "t": t.t, "p": t.p, "n": t.diff.n})
    return pd.DataFrame(rows)


def _value(key: str, x: float) -> str:
    return tables.pct(x, 3, signed=False) if key in RATE_KPIS else tables.num(x)


def _relative(key: str, relative: float, mean_b: float) -> str | None:
    """The relative change, for KPIs measured from zero and a positive comparison mean."""
    if key in RELATIVE_KPIS and np.isfinite(relative) and mean_b > 0:
        return tables.pct(relative)
    return None


def _gap(key: str, t: stats.PairedTest) -> str:
    if key in RATE_KPIS:
        return tables.num(100 * t.diff.mean, 2, signed=True) + " points"
    text = tables.num(t.diff.mean, 3, signed=True)
    rel = _relative(key, t.relative, t.mean_b)
    return text + (f", {rel}" if rel else "")


def leader_paragraph(focal: pd.DataFrame, labels: Sequence[str], baseline: str) -> str:
    """Plain language: who leads on what, by how much, how sure (leader vs runner-up).

    A KPI's leader has the best mean; it is compared with the runner-up on the
    same seeds (paired t-test).  Clear and likely leads (p < 0.05) are listed
    per leader; KPIs where the lead is within noise are listed together.
    """
    n = focal.groupby("scenario")["seed"].nunique().min()
    by_leader: dict[str, list[str]] = {}
    unclear = []
    for key, name, higher in KPIS:
        means = {lab: stats.mean_ci(_by_seed(focal, lab, key)).mean for lab in labels}
        finite = [lab for lab in labels if np.isfinite(means[lab])]
        if len(finite) < 2:
            continue
        ranked = sorted(finite, key=lambda lab: means[lab], reverse=higher)
        lead, second = ranked[0], ranked[1]
        t = stats.paired(_by_seed(focal, lead, key), _by_seed(focal, second, key))
        if not (np.isfinite(t.p) and t.p < 0.05):
            unclear.append(f"{name} ({lead} {_value(key, means[lead])}, {second} "
                           f"{_value(key, means[second])}, p = {t.p:.2f})"
                           if np.isfinite(t.p) else name)
            continue
        by_leader.setdefault(lead, []).append(
            f"{name}: {_value(key, means[lead])} against {_value(key, means[second])} for "
            f"{second}, {_gap(key, t)}, {stats.confidence_words(t.p)}")
    parts = [f"Over {n} replications, each scenario facing the same customers, network and "
             f"starting market seed by seed:"]
    for lead, items in by_leader.items():
        parts.append(f"**{lead}** leads on " + "; ".join(items) + ".")
    if not by_leader:
        parts.append("no scenario leads any KPI clearly.")
    if unclear:
        parts.append("No scenario is clearly ahead on " + "; ".join(unclear)
                     + ": there the seeds disagree about who leads.")
    parts.append(f"\"Clear\" means p < 0.01 and \"likely\" p < 0.05 in a two-sided paired "
                 f"t-test over the seeds of the leader against the runner-up (the tables compare "
                 f"every scenario with the baseline, {baseline}); with {len(KPIS)} KPIs some "
                 f"\"likely\" leads can be chance.")
    return " ".join(parts)


def build(focal: pd.DataFrame, steps: pd.DataFrame, scenarios: Sequence[Scenario],
          baseline: str, title: str, command: str) -> Report:
    """Compute the report from the focal firm's runs and thinned steps (column ``scenario``)."""
    labels = [s.label for s in scenarios]
    if baseline not in labels:
        raise ValueError(f"baseline {baseline!r} is not a scenario ({', '.join(labels)})")
    report = Report(title=title, scenarios=list(scenarios), baseline=baseline,
                    seeds=sorted(int(s) for s in focal["seed"].unique()),
                    kpis=kpi_table(focal, labels),
                    differences=difference_table(focal, labels, baseline),
                    paragraph=leader_paragraph(focal, labels, baseline), command=command)
    report.figures["kpis.png"] = _kpi_figure(report)
    if not steps.empty:
        report.figures["series.png"] = _series_figure(steps, labels)
    return report


def _kpi_figure(report: Report) -> bytes:
    labels = [s.label for s in report.scenarios]
    fig, axes = plots.figure(2, 5, width=16, height=6.2)
    for ax, (key, name, _) in zip(axes.flat, KPIS, strict=True):
        part = report.kpis[report.kpis["kpi"] == key].set_index("scenario").loc[labels]
        plots.bars_ci(ax, labels, part["mean"], part["low"], part["high"])
        ax.set_title(name, fontsize=9)
        ax.tick_params(axis="x", labelsize=7, rotation=20)
    return plots.png_bytes(fig)


def _series_figure(steps: pd.DataFrame, labels: Sequence[str]) -> bytes:
    fig, axes = plots.figure(2, 3, width=15, height=7)
    for ax, (col, title) in zip(axes.flat, SERIES, strict=True):
        if col in steps.columns:
            plots.series_ci(ax, steps, col, hue="scenario", order=list(labels))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("day")
    axes[0, 0].legend(fontsize=8)
    return plots.png_bytes(fig)


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


def _diff_frame(report: Report) -> pd.DataFrame:
    rows = []
    for r in report.differences.itertuples():
        name = dict((k, n) for k, n, _ in KPIS)[r.kpi]
        scale = 100.0 if r.kpi in RATE_KPIS else 1.0
        unit = " points" if r.kpi in RATE_KPIS else ""
        mean_b = r.diff / r.relative if np.isfinite(r.relative) and r.relative != 0 else 0.0
        rel = _relative(r.kpi, r.relative, mean_b) or ""
        p = "< 0.001" if r.p < 0.001 else ("n/a" if not np.isfinite(r.p) else f"{r.p:.3f}")
        rows.append([f"{r.scenario} − {r.baseline}", name,
                     f"{tables.num(scale * r.diff, 3, True)}{unit} "
                     f"[{tables.num(scale * r.low, 3, True)}, "
                     f"{tables.num(scale * r.high, 3, True)}]",
                     rel, p, stats.confidence_words(r.p).split(" (")[0]])
    return pd.DataFrame(rows, columns=["comparison", "KPI", "difference [95% CI]",
                                       "relative", "p (paired t)", "verdict"])


def _scenario_lines(report: Report) -> list[str]:
    return [f"- **{s.label}**{' (baseline)' if s.label == report.baseline else ''}: "
            f"`{' '.join(s.overrides) or '(base settings)'}`" for s in report.scenarios]


def method_text(report: Report) -> str:
    """How the numbers were made, in a few sentences."""
    seeds = report.seeds
    seed_text = (f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
                 else ", ".join(map(str, seeds)))
    return (f"{len(seeds)} replications per scenario (seeds {seed_text}); scenarios share "
            "seeds, so each pair of runs with one seed starts from the same customers, network "
            "and market (common random numbers). KPIs are the focal firm's run summaries "
            "(servsim.metrics): means with 95% Student-t intervals over seeds. Differences are "
            "per seed against the baseline, with their t interval and a two-sided paired t-test "
            "(scipy.stats.ttest_rel). Time series are weekly means of the daily values with 95% "
            "bands over seeds.")


def to_markdown(report: Report) -> str:
    """The report as Markdown (figures referenced as PNG files beside it)."""
    lines = [f"# {report.title}", "", report.paragraph, "", "## Scenarios", "",
             *_scenario_lines(report), "", "## KPIs (mean [95% CI] over seeds)", "",
             tables.markdown(_kpi_frame(report)), "",
             f"## Differences against the baseline ({report.baseline}), paired by seed", "",
             tables.markdown(_diff_frame(report), align=["l", "l", "r", "r", "r", "l"]), ""]
    for file, title in (("kpis.png", "KPIs"), ("series.png", "Over time")):
        if file in report.figures:
            lines += [f"## {title}", "", f"![{title}]({file})", ""]
    lines += ["## Method", "", method_text(report), "", f"Command: `{report.command}`", ""]
    return "\n".join(lines)


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (figures inline as base64 PNG)."""
    import re

    def md_inline(text: str) -> str:
        return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))

    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{html.escape(report.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{html.escape(report.title)}</h1>",
             f"<p class='lead'>{md_inline(report.paragraph)}</p>",
             "<h2>Scenarios</h2><ul>"]
    for s in report.scenarios:
        base = " (baseline)" if s.label == report.baseline else ""
        parts.append(f"<li><b>{html.escape(s.label)}</b>{base}: "
                     f"<code>{html.escape(' '.join(s.overrides) or '(base settings)')}</code></li>")
    parts += ["</ul><h2>KPIs (mean [95% CI] over seeds)</h2>",
              tables.html_table(_kpi_frame(report)),
              f"<h2>Differences against the baseline ({html.escape(report.baseline)}), "
              "paired by seed</h2>", tables.html_table(_diff_frame(report), "diff")]
    for file, title in (("kpis.png", "KPIs"), ("series.png", "Over time")):
        if file in report.figures:
            data = base64.b64encode(report.figures[file]).decode("ascii")
            parts.append(f"<h2>{title}</h2><img alt='{title}' src='data:image/png;base64,{data}'>")
    parts += [f"<h2>Method</h2><p>{html.escape(method_text(report))}</p>",
              f"<p class='small'>Command: <code>{html.escape(report.command)}</code></p>",
              "</body></html>"]
    return "\n".join(parts)


def write(report: Report, out: str | Path, focal: pd.DataFrame, steps: pd.DataFrame) -> Path:
    """Write report.html, report.md, the figures, kpis.csv, differences.csv and the tidy tables."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for file, data in report.figures.items():
        with outputs.atomic_path(out / file) as tmp:
            tmp.write_bytes(data)
    outputs.write_text(out / "report.md", to_markdown(report))
    outputs.write_text(out / "kpis.csv", report.kpis.to_csv(index=False))
    outputs.write_text(out / "differences.csv", report.differences.to_csv(index=False))
    outputs.write_parquet(out / "runs.parquet", focal)
    outputs.write_parquet(out / "steps.parquet", steps)
    return outputs.write_text(out / "report.html", to_html(report))


# --------------------------------------------------------------------------- sources


def simulate_scenarios(scenarios: Sequence[Scenario], seeds: Sequence[int],
                       base: Sequence[str] = (), n_jobs: int = 2, progress: bool = True
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every scenario for every seed; the focal firm's runs and steps with ``scenario``."""
    jobs = replicate.scenario_jobs([s.overrides for s in scenarios], seeds, base)
    data = replicate.run_jobs(jobs, n_jobs=n_jobs, progress=progress)
    names = {i: s.label for i, s in enumerate(scenarios)}
    focal = data.focal()
    focal["scenario"] = focal["scenario"].map(names)
    steps = data.steps.copy()
    steps["scenario"] = steps["scenario"].map(names)
    return focal, steps


def sweep_scenarios(sweep_dir: str | Path, by: Sequence[str] | None = None
                    ) -> tuple[list[Scenario], pd.DataFrame, pd.DataFrame]:
    """Scenarios, focal runs and steps of a finished sweep (scenario = swept values but seed)."""
    data = replicate.from_sweep(sweep_dir)
    focal = data.focal()
    candidates = [c for c in focal.columns if c in ("market", "strategy", "org", "stage")
                  or "." in c]
    by = list(by) if by else replicate.varying_columns(focal, candidates)
    if not by:
        raise ValueError(f"{sweep_dir}: the runs differ only in their seed; nothing to compare")
    keys = focal[by].astype(str).agg(" ".join, axis=1) if len(by) > 1 else focal[by[0]].astype(str)
    overrides = {}
    for k, row in zip(keys, focal[by].astype(str).itertuples(index=False), strict=True):
        overrides.setdefault(k, [f"{c}={v}" for c, v in zip(by, row, strict=True)])
    labels = scenario_labels(list(overrides.values()))
    mapping = dict(zip(overrides, labels, strict=True))
    scenarios = [Scenario(mapping[k], v) for k, v in overrides.items()]
    focal["scenario"] = keys.map(mapping)
    run_to_scenario = dict(zip(focal["run"], focal["scenario"], strict=True))
    steps = data.steps.copy()
    steps["scenario"] = steps["run"].map(run_to_scenario)
    return scenarios, focal, steps


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """Console entry point ``servsim-report``."""
    parser = argparse.ArgumentParser(
        prog="servsim-report",
        description="Compare scenarios over the same seeds and write one self-contained HTML "
                    "report (and Markdown beside it): KPIs with 95%% CIs, paired differences "
                    "against a baseline with a paired t-test, time series, a plain-language "
                    "summary.",
        epilog="Example: servsim-report market=company_a --scenario strategy=premium "
               "--scenario strategy=lowcost --scenario strategy=differentiated --seeds 20 "
               "--baseline 0 -o results/report")
    parser.add_argument("overrides", nargs="*", help="overrides for every scenario")
    parser.add_argument("-s", "--scenario", action="append", default=[], metavar="OVERRIDES",
                        help="a scenario: quoted overrides or config names (repeat)")
    parser.add_argument("--labels", help="comma-separated scenario labels")
    parser.add_argument("--from-sweep", metavar="DIR", help="read a finished servsim -m sweep")
    parser.add_argument("--by", help="with --from-sweep: comma-separated columns that define "
                                     "the scenarios (default: every swept column but seed)")
    parser.add_argument("--seeds", type=int, default=20, help="replications (default 20)")
    parser.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--baseline", default="0", help="baseline scenario: position or label")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--title", default="servsim comparison report")
    parser.add_argument("-o", "--out", default="results/report", help="output directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_intermixed_args(argv)
    started = time.perf_counter()
    command = "servsim-report " + " ".join(shlex.quote(a) for a in (
        argv if argv is not None else sys.argv[1:]))
    try:
        if args.from_sweep:
            if args.scenario:
                parser.error("--from-sweep reads its scenarios from the sweep; drop --scenario")
            scenarios, focal, steps = sweep_scenarios(
                args.from_sweep, args.by.split(",") if args.by else None)
        else:
            if len(args.scenario) < 2:
                parser.error("give at least two --scenario options (or --from-sweep DIR)")
            lists = [parse_scenario(s) for s in args.scenario]
            labels = (args.labels.split(",") if args.labels
                      else scenario_labels(lists, args.scenario))
            if len(labels) != len(lists):
                parser.error(f"--labels has {len(labels)} names for {len(lists)} scenarios")
            scenarios = [Scenario(lab, o) for lab, o in zip(labels, lists, strict=True)]
            seeds = range(args.seed_start, args.seed_start + args.seeds)
            focal, steps = simulate_scenarios(scenarios, seeds, args.overrides, args.jobs,
                                              progress=not args.quiet)
        labels = [s.label for s in scenarios]
        baseline = (labels[int(args.baseline)] if args.baseline.lstrip("-").isdigit()
                    else args.baseline)
        report = build(focal, steps, scenarios, baseline, args.title, command)
    except Exception as ex:
        from hydra.errors import HydraException

        if not isinstance(ex, ValueError | FileNotFoundError | IndexError | HydraException):
            raise
        from servsim.compose import describe_error

        print(f"servsim-report: error: {describe_error(ex)}", file=sys.stderr)
        return 2
    path = write(report, args.out, focal, steps)
    print(f"servsim-report: wrote {path} and {Path(args.out) / 'report.md'} "
          f"({len(focal)} runs, {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
