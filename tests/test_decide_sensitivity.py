"""servsim sensitivity: known answers through the command's own pipeline, determinism,
resumption, decision outcomes and one-line errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from servsim.decide import config, evaluator, sensitivity, testmodels
from servsim.decide.outcomes import parse, per_strategy_means
from servsim.params import ParameterError

PI = "3.141592653589793"


def compose(preset: str, tmp_path, *overrides: str):
    return config.compose("sensitivity", preset,
                          [f"run.out={tmp_path}", "run.progress=false", *overrides])


def final_value(indices: pd.DataFrame, parameter: str, index: str, column: str = "value"):
    rows = sensitivity.final(indices)
    row = rows[(rows["parameter"] == parameter) & (rows["index"] == index)]
    assert len(row) == 1
    return float(row[column].iloc[0])


def test_ishigami_sobol_indices_match_the_analytic_values(tmp_path):
    # N = 1024 base samples (5,120 evaluations): Monte Carlo error of the estimates is a
    # few hundredths, so each index must be within 0.05 of the analytic value and
    # inside its own 95% bootstrap interval
    result = sensitivity.run(compose("ishigami", tmp_path))
    indices = result["indices"]
    for name, s1, st in zip(("x1", "x2", "x3"), testmodels.ISHIGAMI_S1,
                            testmodels.ISHIGAMI_ST, strict=True):
        for index, truth in (("S1", s1), ("ST", st)):
            value = final_value(indices, name, index)
            low, high = (final_value(indices, name, index, c) for c in ("low", "high"))
            assert abs(value - truth) < 0.05, (name, index, value, truth)
            assert low <= truth <= high, (name, index, low, high, truth)
    # the tidy outputs and figures are written
    out = result["out"]
    assert {"evaluations.parquet", "indices.parquet", "summary.md", "sobol_1.png",
            "convergence_1.png", "evaluations.jsonl"} <= {p.name for p in out.iterdir()}
    assert len(pd.read_parquet(out / "evaluations.parquet")) == 1024 * 5
    # convergence: analysed on prefixes 128..1024; intervals narrow as N grows
    sizes = sorted(set(indices["samples"]))
    assert sizes == [128, 256, 512, 1024]
    st1 = indices[(indices["parameter"] == "x1") & (indices["index"] == "ST")].set_index(
        "samples")
    width = st1["high"] - st1["low"]
    assert width.loc[1024] < width.loc[128]


def test_same_seed_same_design_and_results_other_seed_another_design(tmp_path):
    a = sensitivity.run(compose("ishigami", tmp_path / "a", "samples=64"))
    b = sensitivity.run(compose("ishigami", tmp_path / "b", "samples=64"))
    c = sensitivity.run(compose("ishigami", tmp_path / "c", "samples=64", "seed=1"))
    np.testing.assert_array_equal(a["X"], b["X"])
    pd.testing.assert_frame_equal(a["indices"], b["indices"])
    pd.testing.assert_frame_equal(a["evaluations"], b["evaluations"])
    assert not np.array_equal(a["X"], c["X"])


def test_morris_recovers_the_effects_of_a_linear_model(tmp_path):
    cfg = compose("ishigami", tmp_path, "method=morris", "samples=12",
                  "model.function=servsim.decide.testmodels:linear", "parameters=[a,b,c]",
                  "ranges={a:[0,2],b:[1,1.5],c:[0,10]}", "~ranges.x1", "~ranges.x2",
                  "~ranges.x3")
    indices = sensitivity.run(cfg)["indices"]
    widths = {"a": 2.0, "b": 0.5, "c": 10.0}
    for name, coefficient in testmodels.LINEAR_COEFFICIENTS.items():
        mu_star = final_value(indices, name, "mu_star")
        assert mu_star == pytest.approx(abs(coefficient) * widths[name], abs=1e-9)
        assert final_value(indices, name, "sigma") == pytest.approx(0.0, abs=1e-9)
    ranking = sensitivity.table(indices, "y", "morris")["parameter"].tolist()
    assert ranking == ["a", "b", "c"]


def test_an_interrupted_design_resumes_and_evaluates_only_what_is_missing(tmp_path,
                                                                          monkeypatch):
    cfg = compose("ishigami", tmp_path, "samples=32")
    first = sensitivity.run(cfg)
    store = tmp_path / "evaluations.jsonl"
    lines = store.read_text().splitlines()
    assert len(lines) == 32 * 5
    store.write_text("\n".join(lines[:100]) + "\n" + lines[100][:25])  # cut mid-line
    evaluated = []
    real = evaluator._evaluate_chunk

    def counting(function, chunk):
        evaluated.extend(key for key, _ in chunk)
        return real(function, chunk)

    monkeypatch.setattr(evaluator, "_evaluate_chunk", counting)
    again = sensitivity.run(cfg)
    assert len(evaluated) == 32 * 5 - 100
    pd.testing.assert_frame_equal(first["indices"], again["indices"])
    evaluated.clear()
    sensitivity.run(cfg)  # complete: nothing left to run
    assert evaluated == []


def test_decision_outcomes_differences_and_ranks_under_common_seeds():
    table = pd.DataFrame({
        "point": [0, 0, 0, 1, 1, 1], "strategy": ["a", "b", "c"] * 2,
        "replication": 0, "profit": [3.0, 1.0, 2.0, 0.0, 5.0, 5.0],
    })
    means = per_strategy_means(table, ["profit"])
    np.testing.assert_allclose(parse("profit[a] - profit[b]", ["profit"], "abc")(means),
                               [2.0, -5.0])
    np.testing.assert_allclose(parse("profit", ["profit"], "abc")(means), [3.0, 0.0])
    np.testing.assert_allclose(parse("rank(profit)[a]", ["profit"], "abc")(means), [1, 3])
    np.testing.assert_allclose(parse("rank(profit)[b]", ["profit"], "abc")(means), [3, 1.5])
    np.testing.assert_allclose(parse("rank(-profit)[a]", ["profit"], "abc")(means), [3, 1])
    np.testing.assert_allclose(parse("2 * profit[c] / 4", ["profit"], "abc")(means), [1, 2.5])


@pytest.mark.parametrize("text,message", [
    ("proft[a]", "unknown outcome 'proft'"),
    ("profit[z]", "strategy 'z' is not in the design"),
    ("profit[a] ** 2", "is not allowed"),
    ("__import__('os')", "is not allowed"),
    ("profit[", "not an expression"),
])
def test_bad_outcome_expressions_are_refused_in_one_line(text, message):
    with pytest.raises(ParameterError, match=message.replace("[", r"\[")) as info:
        parse(text, ["profit"], ["a", "b"])
    assert "\n" not in str(info.value)


def test_rank_needs_two_strategies():
    with pytest.raises(ParameterError, match="rank"):
        parse("rank(profit)[a]", ["profit"], ["a"])


@pytest.mark.parametrize("overrides,message", [
    (["parameters=[market.nope]"], "market.nope: unknown parameter"),
    (["parameters=[market.cost_of_goods]", "ranges={market.cost_of_goods:[0.5,1.5]}"],
     "market.cost_of_goods: range [0.5, 1.5] is outside the allowed [0, 1]"),
    (["parameters=[market.cost_of_goods]", "ranges={market.cost_of_goods:[0.7,0.6]}"],
     "market.cost_of_goods: range [0.7, 0.6] is empty"),
    (["outcomes=[profitt]"], "unknown outcome 'profitt'"),
    (["strategies=[premum]"], "strategy 'premum' is unknown; allowed: differentiated"),
    (["method=sobol", "samples=100"], "samples=100: Sobol' sampling needs a power of 2"),
    (["sampels=3"], "sampels"),
    (["run.workers=two"], "run.workers"),
])
def test_bad_input_gets_one_line_and_nothing_is_written(tmp_path, capsys, overrides, message):
    out = tmp_path / "out"
    code = sensitivity.main(["morris_company_a", f"run.out={out}", *overrides])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("servsim sensitivity: error: "), err
    assert message in err[0], err[0]
    assert not out.exists()


def test_an_unknown_preset_names_the_shipped_ones(capsys):
    assert sensitivity.main(["morris_company_b"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("servsim sensitivity: error: sensitivity preset 'morris_company_b' is "
                   "unknown; allowed: ishigami, morris_company_a, sobol_company_a")


def test_every_sensitivity_preset_composes_and_passes_its_checks(tmp_path):
    for preset in ("ishigami", "morris_company_a", "sobol_company_a"):
        cfg = compose(preset, tmp_path)
        sensitivity.check(cfg)
        assert config.DEFAULT_PRESETS["sensitivity"] == "morris_company_a"


@pytest.mark.slow
def test_company_a_morris_smoke_on_two_warm_workers(tmp_path, capsys):
    code = sensitivity.main([
        "morris_company_a", f"run.out={tmp_path}", "run.progress=false", "samples=2",
        "replications=1", "model.n_customers=300", "model.days=20", "run.workers=2",
        "parameters=[market.segments.small_private.price_sensitivity,market.cost_of_goods]",
        "outcomes=[profit,'rank(profit)[premium]']", "strategies=[differentiated,premium]"])
    assert code == 0, capsys.readouterr().err
    indices = pd.read_parquet(tmp_path / "indices.parquet")
    summary = (tmp_path / "summary.md").read_text()
    # a rank that never changes across the design is reported as constant, not analysed
    analysed = set(indices["outcome"])
    assert "profit" in analysed
    assert ("rank(profit)[premium]" in analysed) != (
        "## rank(profit)[premium]\n\nConstant at" in summary)
    assert (tmp_path / "morris_1.png").stat().st_size > 0
    evaluations = pd.read_parquet(tmp_path / "evaluations.parquet")
    assert len(evaluations) == 2 * 3 * 2  # trajectories x (D + 1) x strategies
    assert evaluations["profit"].map(math.isfinite).all()
    assert "## profit" in capsys.readouterr().out


def test_a_constant_outcome_is_reported_not_analysed(tmp_path):
    # planted_box: alpha never beats beta where a < 0.6, so its rank is 2 at every point
    cfg = config.compose("sensitivity", "ishigami", [
        f"run.out={tmp_path}", "run.progress=false", "samples=8", "~ranges.x1", "~ranges.x2",
        "~ranges.x3", "model.function=servsim.decide.testmodels:planted_box",
        "parameters=[a,b]", "ranges={a:[0,0.5],b:[0,1]}", "strategies=[alpha,beta]",
        "outcomes=['rank(profit)[alpha]','profit[alpha] - profit[beta]']"])
    result = sensitivity.run(cfg)
    assert result["constant"] == {"rank(profit)[alpha]": 2.0}
    assert set(result["indices"]["outcome"]) == {"profit[alpha] - profit[beta]"}
    assert "Constant at 2 at every design point" in result["summary"]


def test_noise_share_counts_only_what_common_seeds_do_not_cancel():
    rng = np.random.default_rng(0)
    signal = np.linspace(0, 10, 200)
    common = [signal + shift for shift in (3.0, -2.0, 5.0)]  # a seed shifts every point alike
    assert sensitivity.noise_share(common, np.mean(common, axis=0)) == pytest.approx(0, abs=1e-12)
    noisy = [signal + rng.normal(0, 1, 200) for _ in range(4)]
    share = sensitivity.noise_share(noisy, np.mean(noisy, axis=0))
    # noise variance of a mean of 4 is 1/4; var(signal) = 100 * 201 / (12 * 199) ~ 8.4
    assert share == pytest.approx(0.25 / (np.var(signal, ddof=1) + 0.25), rel=0.25)
