"""servsim.compose.Composer: the one composition path, against Hydra's own composition."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf, open_dict

from servsim import conf
from servsim.compose import (
    Composer,
    choice_overrides,
    compose_params,
    describe_error,
    params_from_config,
)
from servsim.params import ParameterError

JOBS = [
    ["market=single_firm", "seed=0"],
    ["market=single_firm", "seed=7", "strategy.price=1.3"],
    ["market=telecom", "seed=1", "market.network.kind=random"],
    ["market=telecom", "+recovery=fast", "sim.n_customers=500"],
    ["market=hotels", "org=inverted", "stage=productized", "strategy=premium"],
    ["seed=2", "++strategy.price=1.4", "sim.days=30"],
    ["strategy@market.competitors.foreign.strategy=lowcost", "seed=4"],
    ["+experiment=positioning_quick", "strategy=lowcost", "seed=1"],
]


@pytest.fixture
def master():
    conf.register_configs()
    with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
        cfg = compose(conf.CONFIG_NAME, return_hydra_config=True)
        with open_dict(cfg):
            cfg.hydra.overrides.hydra = []
            cfg.hydra.job.config_name = conf.CONFIG_NAME
        yield cfg, GlobalHydra.instance().config_loader()


def _task(cfg):
    cfg = OmegaConf.to_container(cfg, resolve=False)
    cfg.pop("hydra", None)
    return cfg


def test_sweep_job_configs_equal_hydras_own_composition(master):
    cfg, loader = master
    composer = Composer(cfg, loader)
    for job in JOBS:
        want = loader.load_sweep_config(cfg, list(job))
        assert _task(composer(job)) == _task(want), job
    # one composition per distinct set of config groups, not one per job
    assert len(composer._composed) == 7


def test_standalone_configs_equal_hydras_compose_api():
    composer = Composer()
    conf.register_configs()
    with initialize_config_dir(config_dir=str(conf.CONFIG_DIR), version_base="1.3"):
        for job in JOBS:
            want = compose(conf.CONFIG_NAME, overrides=list(job))
            assert _task(composer.config(job)) == _task(want), job
            assert params_from_config(composer.config(job)) == params_from_config(want)


def test_config_group_overrides_are_told_from_the_others():
    structural, rest = Composer().split(
        ["market=telecom", "seed=3", "strategy.price=1.2", "+recovery=fast", "~sim.days",
         "hydra/launcher=basic", "hydra.run.dir=x", "strategy.nosuch=1",
         "strategy@market.competitors.foreign.strategy=lowcost"])
    assert structural == ("market=telecom", "+recovery=fast", "hydra/launcher=basic",
                          "hydra.run.dir=x",
                          "strategy@market.competitors.foreign.strategy=lowcost")
    assert [o.input_line for o in rest] == ["seed=3", "strategy.price=1.2", "~sim.days",
                                            "strategy.nosuch=1"]


def test_values_are_typed_and_checked_as_overrides_are():
    composer = Composer()
    assert composer.params(["seed=5"]).sim.seed == 5
    assert composer.params([], {"seed": 5}) == composer.params(["seed=5"])
    assert composer.params([], {"strategy.price": 1.25}).strategy.price == 1.25
    for bad in (["sim.days=abc"], ["strategy.nosuch=1"]):
        with pytest.raises(Exception) as info:
            composer.config(bad)
        assert bad[0].split("=")[0].split(".")[-1] in describe_error(info.value)
    with pytest.raises(Exception) as info:
        composer.config([], {"strategy.pric": 1.0})
    assert "strategy.pric" in describe_error(info.value)


def test_a_value_of_the_wrong_type_is_refused_as_hydra_would(master):
    cfg, loader = master
    composer = Composer(cfg, loader)
    with pytest.raises(Exception, match="sim.days"):
        loader.load_sweep_config(cfg, ["sim.days=abc"])
    with pytest.raises(Exception) as info:
        composer(["sim.days=abc"])
    assert "sim.days" in describe_error(info.value) and "abc" in describe_error(info.value)


def test_compose_params_gives_one_line_errors():
    assert compose_params(market="telecom").market.name == "telecom"
    with pytest.raises(ParameterError, match="market=nosuch.*allowed: company_a"):
        compose_params(market="nosuch")
    with pytest.raises(ParameterError, match="strategy.price"):
        compose_params({"strategy.price": -1.0})
    with pytest.raises(ParameterError, match="a sweep"):
        compose_params(["seed=1,2"])
    with pytest.raises(ParameterError, match="not a config group"):
        choice_overrides(colour="red")
    assert choice_overrides(market="telecom", recovery="fast", org=None) == [
        "market=telecom", "+recovery=fast"]


def test_experiment_without_plus_gets_a_hint():
    with pytest.raises(ParameterError) as info:
        compose_params(["experiment=positioning_quick"])
    text = str(info.value)
    assert "\n" not in text and "+experiment=" in text


FAST_JOBS = [
    ["seed=3", "strategy.price=1.2", "sim.days=20"],
    ["sim.seed=9", "seed=2"],  # an explicit sim.seed wins over the ${seed} alias
    ["market=telecom", "seed=1", "market.network.kind=random"],
    ["strategy.price=1", "sim.n_customers=2000"],  # an int for a float field
    ["+recovery=fast", "seed=4", "focal_name=me"],
    ["strategy@market.competitors.foreign.strategy=lowcost", "market.competitors.foreign."
     "strategy.price=0.8"],
]


def test_the_fast_params_path_equals_the_full_composition(monkeypatch):
    composer = Composer()
    slow = {tuple(job): params_from_config(composer.config(job)) for job in FAST_JOBS}

    def no_full_composition(*args, **kwargs):
        raise AssertionError("plain values should not need a copy of the config")

    monkeypatch.setattr(composer, "config", no_full_composition)
    for job in FAST_JOBS:
        assert composer.params(job) == slow[tuple(job)], job
    assert composer.params([], {"seed": 3, "strategy.price": 1.2, "sim.days": 20}) == slow[
        tuple(FAST_JOBS[0])]


def test_values_the_fast_path_cannot_take_get_the_full_paths_error():
    composer = Composer()
    for job in (["sim.days=abc"], ["sim.days=2.5"], ["sim.seed=null"], ["strategy.pric=1"]):
        with pytest.raises(Exception) as fast:
            composer.params(job)
        with pytest.raises(Exception) as full:
            params_from_config(composer.config(job))
        assert describe_error(fast.value) == describe_error(full.value), job
