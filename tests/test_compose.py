"""servsim.compose.JobComposer and the sweeper plugin built on it."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf, open_dict

from servsim import conf
from servsim.compose import JobComposer, split_value_overrides

JOBS = [
    ["market=single_firm", "seed=0"],
    ["market=single_firm", "seed=7", "strategy.price=1.3"],
    ["market=telecom", "seed=1", "market.network.kind=random"],
    ["market=telecom", "+recovery=fast", "sim.n_customers=500"],
    ["market=hotels", "org=inverted", "stage=productized", "strategy=premium"],
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


def test_job_configs_equal_hydras_own_composition(master):
    cfg, loader = master
    composer = JobComposer(cfg, loader)
    for job in JOBS:
        want = loader.load_sweep_config(cfg, list(job))
        assert _task(composer(job)) == _task(want), job
    # one composition per distinct set of config groups, not one per job
    assert len(composer._composed) == 4


def test_plain_values_and_structural_overrides_are_told_apart(master):
    cfg, loader = master
    structural, values = split_value_overrides(
        cfg, ["market=telecom", "seed=3", "strategy.price=1.2", "+recovery=fast",
              "~sim.days", "hydra/launcher=basic", "strategy.nosuch=1"], loader)
    assert structural == ("market=telecom", "+recovery=fast", "~sim.days",
                          "hydra/launcher=basic", "strategy.nosuch=1")
    assert values == [("seed", 3), ("strategy.price", 1.2)]


def test_a_value_of_the_wrong_type_is_refused_as_hydra_would(master):
    cfg, loader = master
    composer = JobComposer(cfg, loader)
    with pytest.raises(Exception, match="sim.days"):
        loader.load_sweep_config(cfg, ["sim.days=abc"])
    with pytest.raises(Exception, match="abc"):
        composer(["sim.days=abc"])
