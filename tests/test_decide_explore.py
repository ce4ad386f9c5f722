"""servsim explore: PRIM recovers a planted box, robust comparison, seeded design, errors."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from servsim.decide import config, explore, model, testmodels


def compose(preset: str, tmp_path, *overrides: str):
    return config.compose("explore", preset,
                          [f"run.out={tmp_path}", "run.progress=false", *overrides])


def test_prim_recovers_the_planted_box(tmp_path):
    result = explore.run(compose("planted_box", tmp_path))
    assert (result["winner"], result["loser"]) == ("alpha", "beta")
    (box,) = result["boxes"]
    limits = {lim["parameter"]: lim for lim in box["limits"]}
    assert set(limits) == {"a", "b"}  # c is inert and stays unrestricted
    (a_low, a_high), (b_low, b_high) = testmodels.PLANTED_BOX.values()
    # 500 scenarios: neighbouring points are ~1/500 apart in each margin, and PRIM
    # peels in steps of peel_alpha = 5% of the remaining points
    assert abs(limits["a"]["low"] - a_low) < 0.05
    assert limits["a"]["high"] == pytest.approx(limits["a"]["range_high"])
    assert abs(limits["b"]["high"] - b_high) < 0.05
    assert limits["b"]["low"] == pytest.approx(limits["b"]["range_low"])
    assert box["coverage"] >= 0.8 and box["density"] >= 0.9
    true_share = (a_high - a_low) * (b_high - b_low)
    assert abs(result["share"] - true_share) < 0.03
    text = result["statements"][0]
    assert text.startswith(f"alpha beats beta on profit when a > {limits['a']['low']:.3g} "
                           f"and b < {limits['b']['high']:.3g} (coverage ")
    boxes = pd.read_parquet(tmp_path / "boxes.parquet")
    assert set(boxes["parameter"]) == {"a", "b"}
    for name in ("summary.md", "robustness.png", "prim_tradeoff.png", "prim_box_1.png",
                 "evaluations.parquet", "robustness.parquet"):
        assert (tmp_path / name).stat().st_size > 0


def test_no_flip_means_no_box(tmp_path):
    result = explore.run(compose("planted_box", tmp_path, "scenarios=40",
                                 "ranges={a:[0,0.5]}"))
    assert result["share"] == 0.0 and result["boxes"] == []
    assert "never flips" in result["summary"]


def test_robust_comparison_probabilities_and_regret():
    values = pd.DataFrame({"a": [3.0, 1.0, 2.0, 5.0], "b": [1.0, 4.0, 2.0, 0.0],
                           "c": [0.0, 0.0, 2.0, 4.0]})
    robust = explore.robustness(values).set_index("strategy")
    # scenario 3 is a three-way tie: each strategy gets a third of it
    assert robust.loc["a", "p_best"] == pytest.approx((1 + 1 / 3 + 1) / 4)
    assert robust.loc["b", "p_best"] == pytest.approx((1 + 1 / 3) / 4)
    assert robust.loc["c", "p_best"] == pytest.approx((1 / 3) / 4)
    assert robust["p_best"].sum() == pytest.approx(1.0)
    assert robust.loc["a", "regret_max"] == 3.0 and robust.loc["a", "regret_mean"] == 0.75
    assert robust.loc["c", "regret_max"] == 4.0
    assert list(robust.index) == ["a", "b", "c"]


def test_latin_hypercube_is_seeded_and_stratified():
    params = model.parameters(keys=["market.cost_of_goods", "behaviour.churn_base"])
    a = explore.latin_hypercube(params, 50, seed=3)
    b = explore.latin_hypercube(params, 50, seed=3)
    c = explore.latin_hypercube(params, 50, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    cog = params[0]
    bins = np.floor((a[cog.key] - cog.low) / (cog.high - cog.low) * 50).astype(int)
    assert sorted(bins) == list(range(50))  # one point per stratum
    churn = params[1]  # log-uniform: stratified in log space
    logs = np.log(a[churn.key])
    bins = np.floor((logs - np.log(churn.low)) / np.log(churn.high / churn.low) * 50)
    assert sorted(bins.astype(int)) == list(range(50))


def test_without_ema_workbench_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    code = explore.main(["planted_box", f"run.out={tmp_path / 'x'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["servsim explore: error: servsim explore needs EMA Workbench: "
                   "pip install 'servsim[explore]'"]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("overrides,message", [
    (["flip=[premium,premium]"], "flip=['premium', 'premium']: two different strategies"),
    (["flip=[premium,nobody]"], "flip=['premium', 'nobody']"),
    (["uncertainties=[market.cost_of_goodz]"], "market.cost_of_goodz: unknown parameter"),
    (["ranges={market.imitation:[0.5,2]}"], "market.imitation: range [0.5, 2] is outside"),
    (["outcome=profits"], "unknown outcome 'profits'"),
    (["scenarios=2"], "scenarios=2: need at least 4"),
    (["prim.mass_min=1.5"], "prim.mass_min=1.5"),
])
def test_bad_input_gets_one_line(tmp_path, capsys, overrides, message):
    out = tmp_path / "out"
    code = explore.main([f"run.out={out}", *overrides])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("servsim explore: error: "), err
    assert message in err[0], err[0]
    assert not out.exists()


@pytest.mark.slow
def test_company_a_explore_smoke(tmp_path, capsys):
    code = explore.main([f"run.out={tmp_path}", "run.progress=false", "scenarios=6",
                         "model.n_customers=300", "model.days=20",
                         "uncertainties=[market.cost_of_goods,behaviour.utility_price]"])
    assert code == 0, capsys.readouterr().err
    robust = pd.read_parquet(tmp_path / "robustness.parquet")
    assert sorted(robust["strategy"]) == ["differentiated", "lowcost", "premium"]
    assert robust["p_best"].sum() == pytest.approx(1.0)
    assert (tmp_path / "robustness.png").stat().st_size > 0
