"""servsim optimize: known optimum of a toy objective, bounds flagged, constraints, the
Pareto front, determinism, resumption and one-line errors."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest

from servsim.decide import config, optimize, testmodels


def compose(tmp_path, *overrides: str, preset: str = "toy"):
    return config.compose("optimize", preset,
                          [f"run.out={tmp_path}", "run.progress=false", *overrides])


def test_finds_the_known_optimum_of_a_toy_objective(tmp_path):
    result = optimize.run(compose(tmp_path))
    best = result["best"]
    # the maximum is 10 at (0.3, -1.2); 60 TPE trials get within 0.05 of its value
    assert result["best_values"]["profit"] > 10 - 0.05 - 0.02  # 0.02: CRN noise offset
    assert abs(best["x"] - testmodels.TOY_OPTIMUM["x"]) < 0.2
    assert abs(best["y"] - testmodels.TOY_OPTIMUM["y"]) < 0.15
    assert result["flags"] == {}
    assert "on a bound" in result["summary"] and "Warning" not in result["summary"]
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert len(trials) == 60 and (trials["state"] == "COMPLETE").all()
    assert (tmp_path / "history.png").stat().st_size > 0


def test_an_optimum_on_a_bound_is_flagged(tmp_path):
    # y's range stops short of the maximiser (-1.2): the best y is its lower bound, -1
    result = optimize.run(compose(tmp_path, "ranges={y:[-1,0]}"))
    assert result["best"]["y"] < -1 + 0.02 * 1.0  # within bound_tolerance of the range
    assert result["flags"] == {"y": "lower"}
    assert "**Warning: y sits on the lower bound of its range**" in result["summary"]


def test_constraints_hold_at_the_optimum(tmp_path):
    # satisfaction = 1 - |y| >= 0.5 forces y >= -0.5: constrained optimum 10 - 2 (0.7)^2 = 9.02
    result = optimize.run(compose(tmp_path, "constraints=['satisfaction >= 0.5']"))
    trials = result["trials"].set_index("trial")
    best = trials.loc[result["best_trial"]]
    assert best["feasible"] and best["satisfaction"] >= 0.5
    assert 9.02 - 0.15 < result["best_values"]["profit"] <= 9.02 + 0.02
    assert (~trials["feasible"]).any()  # the sampler did try the infeasible side


def test_pareto_front_is_the_non_dominated_set(tmp_path):
    result = optimize.run(compose(tmp_path, "objectives=[profit,share]", "trials=30",
                                  "population=10"))
    trials = result["trials"]
    values = trials[["profit", "share"]].to_numpy()
    dominated = [bool(np.any(np.all(values >= v, axis=1) & np.any(values > v, axis=1)))
                 for v in values]
    assert trials["pareto"].tolist() == [not d for d in dominated]
    assert (tmp_path / "pareto.png").stat().st_size > 0
    assert "## Pareto front" in result["summary"]


def test_same_seed_same_trials_whatever_the_workers(tmp_path):
    a = optimize.run(compose(tmp_path / "a", "trials=12"))["trials"]
    b = optimize.run(compose(tmp_path / "b", "trials=12", "run.workers=2",
                             "run.backend=process"))["trials"]
    c = optimize.run(compose(tmp_path / "c", "trials=12", "seed=5"))["trials"]
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["x"], c["x"])


def test_a_study_resumes_and_trials_left_running_are_asked_again(tmp_path):
    first = optimize.run(compose(tmp_path, "trials=6"))
    storage = f"sqlite:///{tmp_path / 'optuna.db'}"
    study = optuna.load_study(study_name="servsim", storage=storage)
    stale = study.ask({"x": optuna.distributions.FloatDistribution(-1, 1),
                       "y": optuna.distributions.FloatDistribution(-2, 0)})  # never told
    more = optimize.run(compose(tmp_path, "trials=10"))
    assert more["requeued"] == 1
    trials = more["trials"]
    assert (trials["state"] == "COMPLETE").sum() == 10
    assert trials.loc[trials["trial"] == stale.number, "state"].item() == "FAIL"
    again = trials[trials["trial"] == stale.number + 1]  # the re-asked copy
    assert again["x"].item() == stale.params["x"]
    old = first["trials"].drop(columns="pareto")
    pd.testing.assert_frame_equal(old, trials[trials["trial"] < 6].drop(columns="pareto"))


def test_journal_storage(tmp_path):
    result = optimize.run(compose(tmp_path, "trials=4", "storage=journal"))
    assert (tmp_path / "optuna.journal").stat().st_size > 0
    assert len(result["trials"]) == 4


@pytest.mark.parametrize("overrides,message", [
    (["objectives=[proft]"], "objectives: unknown outcome 'proft'"),
    (["constraints=['satisfaction > 0.5']"], "write '<outcome> >= <number>'"),
    (["constraints=['happiness >= 0.5']"], "unknown outcome 'happiness'"),
    (["directions=[up]"], "directions=['up']"),
    (["storage=redis"], "storage=redis: allowed sqlite, journal"),
    (["trials=0"], "trials=0: need at least 1"),
])
def test_bad_settings_get_one_line(tmp_path, capsys, overrides, message):
    out = tmp_path / "out"
    code = optimize.main(["toy", f"run.out={out}", *overrides])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("servsim optimize: error: "), err
    assert message in err[0], err[0]
    assert not out.exists()


@pytest.mark.parametrize("overrides,message", [
    (["levers=[strategy.nope]"], "strategy.nope: unknown parameter"),
    (["levers=[market.cost_of_goods]"], "market.cost_of_goods: unknown parameter (lever)"),
    (["ranges={strategy.service_level:[0.5,1.2]}"],
     "strategy.service_level: range [0.5, 1.2] is outside the allowed [0, 1]"),
    (["base_strategy=posh"], "strategy 'posh' is unknown"),
])
def test_bad_levers_get_one_line(tmp_path, capsys, overrides, message):
    out = tmp_path / "out"
    code = optimize.main(["company_a", f"run.out={out}", *overrides])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert message in err[0], err[0]
    assert not out.exists()


@pytest.mark.slow
def test_company_a_optimize_smoke(tmp_path, capsys):
    code = optimize.main(["company_a", f"run.out={tmp_path}", "run.progress=false",
                          "trials=4", "population=2", "replications=1",
                          "model.n_customers=300", "model.days=20"])
    assert code == 0, capsys.readouterr().err
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert len(trials) == 4 and trials["pareto"].any()
    assert (tmp_path / "pareto.png").stat().st_size > 0
