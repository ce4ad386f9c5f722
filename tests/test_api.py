"""The public model API: simulate() composes what the servsim command composes; evaluate();
RunResult.outcomes; Mesa's batch_run on the model; nothing in the package imports the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

import servsim
from servsim import compose, outputs
from servsim.model import ServiceMarket
from servsim.params import ParameterError, make_params
from servsim.simulate import compose_run

TINY = {"sim.n_customers": 300, "sim.days": 20}
SERVSIM = str(Path(sys.executable).parent / "servsim")


def test_simulate_without_params_composes_the_commands_defaults():
    params = compose_run()
    assert params.market.name == "company_a" and params.strategy.name == "differentiated"
    assert (params.org.name, params.stage.name) == ("pyramid", "reactive")
    assert params.sim.n_customers == 5000 and params.sim.days == 365
    assert [f.name for f in params.firms] == ["focal", "foreign", "small_firms"]
    assert params != make_params()  # the dataclass defaults are a different (single-firm) run


def test_simulate_and_the_servsim_command_give_identical_results(tmp_path):
    run_dir = tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    proc = subprocess.run([SERVSIM, "strategy=premium", "org=inverted", "seed=3",
                           "strategy.price=1.3", "sim.n_customers=300", "sim.days=20",
                           f"hydra.run.dir={run_dir}"],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    command_steps = pd.read_parquet(run_dir / outputs.STEPS_FILE)
    command_hash = outputs.read_summary(run_dir)["config_hash"]

    as_dict = servsim.simulate(strategy="premium", org="inverted",
                               overrides={"seed": 3, "strategy.price": 1.3, **TINY})
    as_lines = servsim.simulate(strategy="premium", org="inverted",
                                overrides=["seed=3", "strategy.price=1.3",
                                           "sim.n_customers=300", "sim.days=20"])
    for result in (as_dict, as_lines):
        assert outputs.config_hash(result.params) == command_hash
        pd.testing.assert_frame_equal(result.steps, command_steps, check_exact=True)


def test_outcomes_are_the_focal_firms_scalars():
    result = servsim.simulate(strategy="premium", overrides=TINY)
    outcomes = result.outcomes
    focal = result.summary["firms"][result.summary["focal"]]
    for name in ("cumulative_profit", "discounted_profit", "final_share", "retention_rate",
                 "clv", "satisfaction", "recommend_score", "complaints", "recovery_days",
                 "staff_turnover"):
        assert name in outcomes
    assert all(isinstance(v, float) for v in outcomes.values())
    assert outcomes["cumulative_profit"] == focal["cumulative_profit"]
    assert outcomes["customer_equity"] == pytest.approx(focal["final_customers"] * focal["clv"])
    rival = result.summary["firms"]["foreign"]["cumulative_profit"]
    assert rival != outcomes["cumulative_profit"]  # the focal firm's, not another's


def test_evaluate_is_simulate_as_a_function_of_keywords():
    direct = servsim.simulate(strategy="lowcost", overrides={"seed": 2, "strategy.price": 0.9,
                                                             **TINY}).outcomes
    dotted = servsim.evaluate(strategy="lowcost", seed=2, **{"strategy.price": 0.9}, **TINY)
    identifiers = servsim.evaluate(strategy="lowcost", seed=2, strategy__price=0.9,
                                   sim__n_customers=300, sim__days=20)
    np.testing.assert_equal(dotted, direct)  # NaN == NaN here (no recovery in 20 days)
    np.testing.assert_equal(identifiers, direct)
    other = servsim.evaluate(strategy="lowcost", seed=2, strategy__price=1.1,
                             sim__n_customers=300, sim__days=20)
    assert other["cumulative_profit"] != direct["cumulative_profit"]


def test_repeated_evaluation_composes_once_per_set_of_choices():
    composer = compose.default_composer()
    servsim.evaluate(market="single_firm", seed=0, sim__n_customers=200, sim__days=5)
    before = len(composer._composed)
    for seed in range(1, 4):
        servsim.evaluate(market="single_firm", seed=seed, strategy__price=1.0 + seed / 10,
                         sim__n_customers=200, sim__days=5)
    assert len(composer._composed) == before


def test_bad_input_is_one_parameter_error_naming_the_key():
    with pytest.raises(ParameterError, match="strategy.price"):
        servsim.simulate(overrides={"strategy.price": -1.0, **TINY})
    with pytest.raises(ParameterError, match="strategy.pric"):
        servsim.evaluate(strategy__pric=1.0)
    with pytest.raises(ParameterError, match="market=nosuch"):
        servsim.simulate(market="nosuch")
    with pytest.raises(ParameterError, match="params is given"):
        servsim.simulate(make_params(), market="telecom")


def test_simulate_with_params_runs_them_as_given():
    params = make_params(**{"sim.n_customers": 200, "sim.days": 5})
    result = servsim.simulate(params)
    assert result.params is params and result.steps["day"].max() == 5
    assert list(result.summary["firms"]) == ["focal"]  # the dataclass defaults: one firm


def test_mesa_batch_run_works_on_the_model():
    params = [make_params(**{"sim.n_customers": 200, "sim.days": 8, "strategy.price": p})
              for p in (1.0, 1.2)]
    rows = mesa.batch_run(ServiceMarket, parameters={"params": params}, rng=[5],
                          max_steps=8, number_processes=1, data_collection_period=1,
                          display_progress=False)
    table = pd.DataFrame(rows)
    assert len(table) == 2 * 8 and sorted(set(table["Step"])) == list(range(1, 9))
    for k, p in enumerate(params):
        model = ServiceMarket(p, rng=5)
        model.run(8)
        focal = model.step_table().query("firm == 'focal'").reset_index(drop=True)
        got = table[table["RunId"] == k].sort_values("Step").reset_index(drop=True)
        for column in ("profit", "customers", "acquisitions", "satisfaction", "complaints"):
            np.testing.assert_array_equal(got[column].to_numpy(), focal[column].to_numpy())
        assert got["profit"].abs().sum() > 0
    last = mesa.batch_run(ServiceMarket, parameters={"params": params[:1]}, rng=[5],
                          max_steps=8, number_processes=1, data_collection_period=-1,
                          display_progress=False)
    assert [r["Step"] for r in last] == [8]


def test_nothing_in_the_package_imports_the_cli():
    root = Path(servsim.__file__).parent
    pattern = re.compile(r"^\s*(from servsim\.cli import|import servsim\.cli"
                         r"|from servsim import .*\bcli\b|_target_: servsim\.cli\.)", re.M)
    users = [str(p.relative_to(root)) for p in root.rglob("*") if p.suffix in (".py", ".yaml")
             and p.name != "cli.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert users == []
