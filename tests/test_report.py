"""servsim-report: the report's numbers equal those recomputed from its tidy table.

The recomputation below uses numpy and scipy directly (not servsim.stats), so a
mistake in the report's statistics cannot hide behind the same code.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from servsim import report, simulate
from servsim.collect import collect

TINY = ["market=single_firm", "sim.n_customers=300", "sim.days=45"]
SEEDS = 4


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    code = report.main([*TINY, "--scenario", "premium", "--scenario", "lowcost",
                        "--scenario", "differentiated org=inverted", "--seeds", str(SEEDS),
                        "--baseline", "1", "--jobs", "1", "--quiet", "-o", str(out)])
    assert code == 0
    return out


def test_writes_one_self_contained_html_and_markdown_beside_it(made):
    for file in ("report.html", "report.md", "kpis.csv", "differences.csv", "runs.parquet",
                 "steps.parquet", "kpis.png", "series.png"):
        assert (made / file).is_file(), file
    page = (made / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//)""", page)  # nothing to fetch
    assert "<link" not in page and "<script" not in page
    md = (made / "report.md").read_text(encoding="utf-8")
    assert "![KPIs](kpis.png)" in md and "paired t-test" in md
    for label in ("premium", "lowcost", "differentiated org=inverted"):
        assert label in md and label in page
    assert "(baseline)" in md and "lowcost" in md.split("(baseline)")[0].splitlines()[-1]


def test_kpi_table_equals_recomputation_from_the_tidy_runs(made):
    runs = pd.read_parquet(made / "runs.parquet")
    kpis = pd.read_csv(made / "kpis.csv")
    assert set(kpis["kpi"]) == {k for k, _, _ in report.KPIS}
    assert len(runs) == 3 * SEEDS and runs["is_focal"].all()
    for row in kpis.itertuples():
        x = runs.loc[runs["scenario"] == row.scenario, row.kpi].to_numpy(float)
        x = x[np.isfinite(x)]
        assert row.n == len(x)
        if len(x) == 0:
            continue
        assert row.mean == pytest.approx(x.mean(), rel=1e-12, abs=1e-12)
        if len(x) > 1:
            half = sps.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
            assert row.low == pytest.approx(x.mean() - half, rel=1e-9, abs=1e-9)
            assert row.high == pytest.approx(x.mean() + half, rel=1e-9, abs=1e-9)


def test_paired_differences_equal_recomputation_with_scipy(made):
    runs = pd.read_parquet(made / "runs.parquet")
    diffs = pd.read_csv(made / "differences.csv")
    assert set(diffs["baseline"]) == {"lowcost"}
    assert set(diffs["scenario"]) == {"premium", "differentiated org=inverted"}
    for row in diffs.itertuples():
        wide = runs.pivot(index="seed", columns="scenario", values=row.kpi)
        pair = wide[[row.scenario, row.baseline]].dropna()
        d = (pair[row.scenario] - pair[row.baseline]).to_numpy(float)
        assert row.n == len(d)
        if len(d) == 0:
            assert np.isnan(row.diff)
            continue
        assert row.diff == pytest.approx(d.mean(), rel=1e-12, abs=1e-12)
        if len(d) > 1 and d.std(ddof=1) > 0:
            res = sps.ttest_rel(pair[row.scenario], pair[row.baseline])
            assert row.p == pytest.approx(res.pvalue, rel=1e-9)
            half = sps.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
            assert row.low == pytest.approx(d.mean() - half, rel=1e-9, abs=1e-9)


def test_numbers_in_the_markdown_are_those_of_the_tables(made):
    """The KPI cells printed in report.md are the rounded kpis.csv values."""
    kpis = pd.read_csv(made / "kpis.csv")
    md = (made / "report.md").read_text(encoding="utf-8")
    row = kpis[(kpis["scenario"] == "premium") & (kpis["kpi"] == "cumulative_profit")].iloc[0]
    from servsim import tables
    from servsim.stats import Estimate

    cell = tables.ci(Estimate(row["mean"], row["low"], row["high"], int(row["n"])))
    line = next(ln for ln in md.splitlines() if ln.startswith("| profit, cumulative"))
    assert cell in line


def test_tidy_runs_are_the_engines_run_summaries(made):
    runs = pd.read_parquet(made / "runs.parquet")
    row = runs[(runs["scenario"] == "premium") & (runs["seed"] == 1)].iloc[0]
    direct = simulate(_params(["strategy=premium", "seed=1"]))
    focal = direct.summary["firms"]["focal"]
    for key, _, _ in report.KPIS:
        if np.isfinite(focal[key]):
            assert row[key] == pytest.approx(focal[key], rel=1e-12), key


def _params(extra):
    from servsim.replicate import Composer

    with Composer() as composer:
        return composer.params([*TINY, *extra])


def test_scenario_parsing_and_labels():
    assert report.parse_scenario("premium org=inverted") == ["strategy=premium", "org=inverted"]
    assert report.parse_scenario("telecom") == ["market=telecom"]
    assert report.parse_scenario("polarized") == ["+heterogeneity=polarized"]
    with pytest.raises(ValueError, match="no config group"):
        report.parse_scenario("gold_plated")
    assert report.scenario_labels([["strategy=premium"], ["strategy=lowcost"]]) == \
        ["premium", "lowcost"]
    assert report.scenario_labels([["org=inverted"], ["org=inverted"]]) == \
        ["0: inverted", "1: inverted"]


def test_bad_input_exits_2_with_one_line(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:  # one scenario: nothing to compare
        report.main(["--scenario", "premium", "-o", str(tmp_path)])
    assert exit_info.value.code == 2
    code = report.main(["--scenario", "premium", "--scenario", "strategy.price=-1", "--seeds",
                        "1", "--quiet", "-o", str(tmp_path)])
    assert code == 2
    assert "servsim-report: error:" in capsys.readouterr().err


@pytest.mark.slow
def test_from_sweep_gives_the_same_report_as_simulating(made, tmp_path):
    """A ``servsim -m`` sweep of the same scenarios and seeds gives identical KPIs."""
    sweep = tmp_path / "sweep"
    servsim = Path(sys.executable).with_name("servsim")
    subprocess.run([str(servsim), "-m", *TINY, "strategy=premium,lowcost",
                    f"seed=range({SEEDS})", f"hydra.sweep.dir={sweep}"],
                   check=True, capture_output=True, cwd=tmp_path)
    out = tmp_path / "from_sweep"
    assert report.main(["--from-sweep", str(sweep), "--baseline", "lowcost", "-o", str(out)]) == 0
    got = pd.read_csv(out / "kpis.csv")
    want = pd.read_csv(made / "kpis.csv")
    for scenario in ("premium", "lowcost"):
        a = got[got["scenario"] == scenario].set_index("kpi")
        b = want[want["scenario"] == scenario].set_index("kpi")
        pd.testing.assert_series_equal(a["mean"], b["mean"], check_exact=False, rtol=1e-9)
    # and the sweep's own collected table agrees with the report's tidy runs
    collected = collect(sweep)
    focal = collected[collected["is_focal"].astype(bool)]
    runs = pd.read_parquet(out / "runs.parquet")
    assert np.allclose(np.sort(focal["cumulative_profit"].to_numpy(float)),
                       np.sort(runs["cumulative_profit"].to_numpy(float)))
