"""servsim-report: the report's numbers equal those recomputed from its tidy table.

The recomputation below uses numpy and scipy directly (not servsim.stats), so a
mistake in the report's statistics cannot hide behind the same code.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
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


def _interval(x: np.ndarray, method: str) -> tuple[float, float]:
    """The KPI interval recomputed from its ``interval`` column, with numpy and scipy only.

    ``t``: mean +- t_{n-1} s / sqrt(n); ``logit t on [a, b]``: that interval built on the
    logit scale of (mean - a) / (b - a) by the delta method and mapped back; ``log t on
    [a, inf)``: the same on the log scale of mean - a.
    """
    m, n = x.mean(), len(x)
    se = x.std(ddof=1) / np.sqrt(n)
    q = sps.t.ppf(0.975, n - 1)
    if se == 0:
        return m, m
    if method == "t":
        return m - q * se, m + q * se
    bounds = re.fullmatch(r"(logit|log) t on \[(\S+), (\S+)[\])]", method)
    kind, a = bounds.group(1), float(bounds.group(2))
    if kind == "log":
        return a + (m - a) * np.exp(-q * se / (m - a)), a + (m - a) * np.exp(q * se / (m - a))
    b = float(bounds.group(3))
    u = (m - a) / (b - a)
    centre, width = np.log(u / (1 - u)), q * se / ((b - a) * u * (1 - u))
    return tuple(a + (b - a) / (1 + np.exp(-(centre + k * width))) for k in (-1, 1))


def test_kpi_table_equals_recomputation_from_the_tidy_runs(made):
    runs = pd.read_parquet(made / "runs.parquet")
    kpis = pd.read_csv(made / "kpis.csv")
    assert set(kpis["kpi"]) == {k for k, _, _ in report.KPIS}
    assert len(runs) == 3 * SEEDS and runs["is_focal"].all()
    methods = kpis.drop_duplicates("kpi").set_index("kpi")["interval"]
    assert methods["cumulative_profit"] == "t" and methods["clv"] == "t"
    assert methods["final_share"] == methods["satisfaction"] == "logit t on [0, 1]"
    assert methods["recommend_score"] == "logit t on [-100, 100]"
    assert methods["staff_turnover"] == methods["complaints"] == "log t on [0, inf)"
    for row in kpis.itertuples():
        x = runs.loc[runs["scenario"] == row.scenario, row.kpi].to_numpy(float)
        x = x[np.isfinite(x)]
        assert row.n == len(x)
        if len(x) == 0:
            continue
        assert row.mean == pytest.approx(x.mean(), rel=1e-12, abs=1e-12)
        if len(x) == 1:  # one finite run: no interval rather than a zero-width one
            assert np.isnan(row.low) and np.isnan(row.high)
            continue
        low, high = _interval(x, row.interval)
        assert row.low == pytest.approx(low, rel=1e-9, abs=1e-9)
        assert row.high == pytest.approx(high, rel=1e-9, abs=1e-9)
        a, b = report.BOUNDS.get(row.kpi, (-np.inf, np.inf))
        assert a <= row.low <= row.mean <= row.high <= b


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
            assert row.high == pytest.approx(d.mean() + half, rel=1e-9, abs=1e-9)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment written out: sorted p_(i) * (m - i + 1), made monotone."""
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for i, j in enumerate(order):
        running = max(running, min(1.0, (len(order) - i) * p[j]))
        out[j] = running
    return out


def test_holm_adjusted_p_values_are_over_the_whole_table(made):
    diffs = pd.read_csv(made / "differences.csv")
    want = _holm(diffs["p"].to_numpy(float))
    np.testing.assert_allclose(diffs["p_holm"].to_numpy(float), want, rtol=1e-12)
    assert (diffs["p_holm"].dropna() >= diffs.loc[diffs["p_holm"].notna(), "p"]).all()
    md = (made / "report.md").read_text(encoding="utf-8")
    assert "p (Holm)" in md and "Holm-adjusted over" in md


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
                        "2", "--quiet", "-o", str(tmp_path)])
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


# --------------------------------------------------------------------------- bad input (issue 18)


def _fake_runs(labels, seeds, rng_seed=0):
    """A focal table with every KPI, as :func:`report.simulate_scenarios` returns (no engine)."""
    rng = np.random.default_rng(rng_seed)
    rows = []
    for k, lab in enumerate(labels):
        for seed in seeds:
            rows.append({"scenario": lab, "seed": seed, "is_focal": True,
                         "cumulative_profit": 1e6 * (1 + 0.1 * k) + 1e4 * rng.normal(),
                         "discounted_profit": 9e5 * (1 + 0.1 * k) + 1e4 * rng.normal(),
                         "final_share": 0.3 + 0.02 * k + 0.01 * rng.normal(),
                         "retention_rate": 0.8 + 0.01 * rng.normal(),
                         "clv": 500 + 10 * rng.normal(), "satisfaction": 0.6 + 0.01 * k,
                         "recommend_score": 10 + rng.normal(),
                         "complaints": 100 + 5 * rng.normal(),
                         "recovery_days": 3 + 0.1 * rng.normal(),
                         "staff_turnover": abs(0.05 + 0.05 * rng.normal())})
    return pd.DataFrame(rows)


@pytest.fixture
def no_simulation(monkeypatch):
    """Make ``simulate_scenarios`` fail the test if a refused command reaches it."""
    def refuse(*args, **kwargs):
        raise AssertionError("simulations started although the input is refused")
    monkeypatch.setattr(report, "simulate_scenarios", refuse)


@pytest.fixture
def fake_simulation(monkeypatch):
    """``simulate_scenarios`` answering from :func:`_fake_runs`; records its calls."""
    calls = []

    def fake(scenarios, seeds, base=(), n_jobs=2, progress=True):
        calls.append([s.label for s in scenarios])
        return _fake_runs([s.label for s in scenarios], list(seeds)), pd.DataFrame()
    monkeypatch.setattr(report, "simulate_scenarios", fake)
    return calls


def _one_line_error(capsys, *needles):
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert err.startswith("servsim-report: error:"), err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


TWO = ["--scenario", "premium", "--scenario", "lowcost", "--quiet"]


@pytest.mark.parametrize("seeds", ["0", "1", "-3"])
def test_fewer_than_two_seeds_refused_with_one_line_before_any_run(seeds, no_simulation,
                                                                   capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        report.main([*TWO, "--seeds", seeds, "-o", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    _one_line_error(capsys, f"--seeds {seeds}", "allowed 2 or more")
    assert not (tmp_path / "out").exists()


def test_a_sweep_with_one_seed_per_scenario_is_refused_not_given_zero_width_intervals():
    focal = _fake_runs(["premium", "lowcost"], [0])
    scenarios = [report.Scenario("premium", ["strategy=premium"]),
                 report.Scenario("lowcost", ["strategy=lowcost"])]
    with pytest.raises(ValueError, match=r"too few seeds \(premium: 1, lowcost: 1\)"):
        report.build(focal, pd.DataFrame(), scenarios, "premium", "t", "c")


def test_output_path_that_is_a_file_is_refused_before_any_run(no_simulation, capsys, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("mine")
    assert report.main([*TWO, "-o", str(target)]) == 2
    _one_line_error(capsys, f"-o {target}", "is a file")
    assert target.read_text() == "mine"
    under = tmp_path / "report.html" / "sub"
    assert report.main([*TWO, "-o", str(under)]) == 2
    _one_line_error(capsys, "is a file")


def test_an_existing_report_needs_force(fake_simulation, capsys, tmp_path):
    out = tmp_path / "out"
    assert report.main([*TWO, "--seeds", "3", "-o", str(out)]) == 0
    first = (out / "kpis.csv").read_text()
    (out / "series.png").write_bytes(b"stale")  # a file an earlier report wrote
    capsys.readouterr()
    assert report.main([*TWO, "--seeds", "5", "-o", str(out)]) == 2
    _one_line_error(capsys, f"-o {out}", "already holds a report", "--force")
    assert len(fake_simulation) == 1  # refused before simulating
    assert (out / "kpis.csv").read_text() == first  # nothing lost
    assert report.main([*TWO, "--seeds", "5", "--force", "-o", str(out)]) == 0
    assert len(fake_simulation) == 2
    assert set(pd.read_csv(out / "kpis.csv")["n"]) == {5}
    assert not (out / "series.png").exists()  # this report has no series: the stale one went


def test_help_prints_percent_signs_once(capsys):
    with pytest.raises(SystemExit) as exit_info:
        report.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "95% CIs" in out and "%%" not in out


def test_unknown_scenario_name_lists_the_valid_names(no_simulation, capsys, tmp_path):
    assert report.main(["--scenario", "premium", "--scenario", "gold_plated", "--quiet",
                        "-o", str(tmp_path / "out")]) == 2
    _one_line_error(capsys, "'gold_plated'", "strategy: differentiated, lowcost, premium",
                    "org: inverted, pyramid", "market: company_a")


def test_unknown_baseline_refused_before_any_run(no_simulation, capsys, tmp_path):
    assert report.main([*TWO, "--baseline", "5", "-o", str(tmp_path / "o")]) == 2
    _one_line_error(capsys, "--baseline 5", "0 to 1", "premium, lowcost")
    assert report.main([*TWO, "--baseline", "gold", "-o", str(tmp_path / "o")]) == 2
    _one_line_error(capsys, "--baseline 'gold'", "premium, lowcost")


# --------------------------------------------------------------------------- robustness (issue 17)


@dataclass
class _Uncertainty:
    key: str
    low: float
    high: float
    distribution: str
    default: float
    kind: str = "uncertainty"


UNCERTAIN = [_Uncertainty("market.x", 0.0, 1.0, "uniform", 0.5),
             _Uncertainty("behaviour.loss_aversion", 1.0, 3.0, "uniform", 2.0)]


def fake_model(market, strategy, seed, **params):
    """premium beats lowcost on profit exactly when market.x > 0.7; the seed moves both alike."""
    noise = np.random.default_rng(seed).normal(0.0, 0.01)
    scale = params["behaviour.loss_aversion"]
    profit = (params["market.x"] if strategy == "premium" else 0.7) * scale
    return {"cumulative_profit": profit + noise, "satisfaction": 0.5, "market": market}


def test_robustness_section_recovers_the_synthetic_verdict(fake_simulation, monkeypatch,
                                                           tmp_path):
    seen = []

    def adapter(market):
        seen.append(market)
        return fake_model, UNCERTAIN
    monkeypatch.setattr(report.robustness_, "servsim_model", adapter)
    out = tmp_path / "out"
    assert report.main(["market=single_firm", *TWO, "--seeds", "3", "--robustness", "40",
                        "--robustness-seed", "3", "--jobs", "1", "-o", str(out)]) == 0
    assert seen == ["single_firm"]
    results = pd.read_parquet(out / "robustness.parquet")
    assert len(results) == 80 and set(results["market"]) == {"single_firm"}
    premium = results[results["scenario"] == "premium"].set_index("sample")
    lowcost = results[results["scenario"] == "lowcost"].set_index("sample")
    assert (premium["seed"] == lowcost["seed"]).all()  # common random numbers
    assert (premium["market.x"] == lowcost["market.x"]).all()
    above = int((premium["market.x"] > 0.7).sum())
    assert abs(above - 12) <= 1  # 40 Latin-hypercube samples: 30% above 0.7
    ranks = pd.read_csv(out / "rank_probabilities.csv").set_index(["scenario", "rank"])
    assert ranks.loc[("premium", 1), "count"] == above
    assert ranks.loc[("premium", 1), "probability"] == pytest.approx(above / 40)
    tornado = pd.read_csv(out / "tornado.csv")
    assert tornado.loc[0, "key"] == "market.x" and bool(tornado.loc[0, "flips"])
    assert tornado.loc[0, "leader_high"] == "premium"
    assert not tornado.loc[1:, "flips"].any()
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## Robustness across the market's uncertainties" in md
    assert "`market.x` at its high end (1.00: premium leads)" in md
    drives = next(ln for ln in md.splitlines() if ln.startswith("| what drives the result"))
    assert "`market.x` changes the leader" in drives
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2  # KPIs and robustness (no series here)
    summary = pd.read_csv(out / "robustness_summary.csv").set_index("scenario")
    # regret recomputed from the evaluations
    wide = results.pivot(index="sample", columns="scenario", values="cumulative_profit")
    regret = (wide.max(axis=1) - wide["lowcost"]).mean()
    assert summary.loc["lowcost", "regret_mean"] == pytest.approx(regret, rel=1e-12)


def test_robustness_refused_before_any_run_when_the_model_is_missing(no_simulation, monkeypatch,
                                                                     capsys, tmp_path):
    def missing(market):
        raise ValueError("--robustness needs servsim.evaluate and servsim.registry")
    monkeypatch.setattr(report.robustness_, "servsim_model", missing)
    assert report.main([*TWO, "--robustness", "10", "-o", str(tmp_path / "o")]) == 2
    _one_line_error(capsys, "--robustness needs")
    with pytest.raises(SystemExit):
        report.main([*TWO, "--robustness", "1", "-o", str(tmp_path / "o")])
    _one_line_error(capsys, "--robustness 1: allowed 0 (off) or 2 or more")


def test_assumptions_box_states_market_size_horizon_units_and_levers(made):
    md = (made / "report.md").read_text(encoding="utf-8")
    box = md.split("## Assumptions")[1].split("## Scenarios")[0]
    assert "| market | single_firm: segments" in box
    assert "| size | 300 customers" in box and "| horizon | 45 days" in box
    assert "currency units (cu)" in box
    levers = next(ln for ln in box.splitlines() if ln.startswith("| levers compared"))
    assert "premium: price index 1.40" in levers and "lowcost: price index 0.800" in levers
    assert "`behaviour.utility_price`" in box and "--robustness N" in box


def test_robustness_does_not_vary_what_the_user_set(fake_simulation, monkeypatch, tmp_path):
    monkeypatch.setattr(report.robustness_, "servsim_model", lambda market: (fake_model,
                                                                            UNCERTAIN))
    out = tmp_path / "out"
    assert report.main(["behaviour.loss_aversion=2.5", *TWO, "--seeds", "2", "--robustness", "8",
                        "--tornado-parameters", "1", "--jobs", "1", "-o", str(out)]) == 0
    results = pd.read_parquet(out / "robustness.parquet")
    assert "behaviour.loss_aversion" not in results.columns  # set on the command line
    assert list(pd.read_csv(out / "tornado.csv")["key"]) == ["market.x"]
    assert list(pd.read_csv(out / "screening.csv")["key"]) == ["market.x"]
    assert pd.read_csv(out / "tornado.csv").loc[0, "margin_default"] == pytest.approx(0.2 * 2.5)
