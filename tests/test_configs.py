"""Every shipped config composes with Hydra and builds valid Params.

Composition uses Hydra's compose API on the package's config directory, as
the ``servsim`` command does; no simulation runs here.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir
from hydra.errors import ConfigCompositionException, MissingConfigException
from omegaconf import OmegaConf

from servsim import conf
from servsim.compose import params_from_config
from servsim.params import (
    OrgParams,
    ParameterError,
    Params,
    SegmentParams,
    StageParams,
    StrategyParams,
)

CONFIG_DIR = conf.CONFIG_DIR


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def make_cfg(*overrides: str, hydra: bool = False):
    conf.register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(conf.CONFIG_NAME, overrides=list(overrides), return_hydra_config=hydra)


@functools.cache
def params_for(*overrides: str) -> Params:
    """Composed and validated Params (cached: a Hydra composition takes ~0.1 s)."""
    return params_from_config(make_cfg(*overrides))


def test_config_dir_is_inside_the_package_and_complete():
    assert CONFIG_DIR.is_dir()
    assert (CONFIG_DIR / "config.yaml").is_file()
    assert Path(conf.__file__).parent in CONFIG_DIR.parents
    assert options("market") >= ["company_a", "hotels", "single_firm", "telecom"]
    assert options("strategy") == ["differentiated", "lowcost", "premium"]
    assert options("org") == ["inverted", "pyramid"]
    assert options("stage") == ["productized", "reactive", "standardized"]
    assert len(options("experiment")) >= 2


def test_default_config_builds_valid_params_and_runs_in_seconds_size():
    params = params_from_config(make_cfg())
    assert params.market.name == "company_a"
    assert params.strategy.name == "differentiated"
    assert params.sim.n_customers == 5000 and params.sim.days == 365
    names = [f.name for f in params.firms]
    assert names == ["focal", "foreign", "small_firms"]


@pytest.mark.parametrize(
    "group,option",
    [(g, o) for g in ("market", "strategy", "org", "stage") for o in options(g)],
)
def test_every_group_option_composes_and_validates(group, option):
    params = params_for(f"{group}={option}")
    assert getattr(params, group).name == option


@pytest.mark.parametrize("market", options("market"))
def test_market_shares_and_initial_customers(market):
    params = params_for(f"market={market}")
    assert abs(sum(s.share for s in params.market.segments.values()) - 1) < 1e-9
    initial = params.market.focal_initial_share + sum(
        c.initial_share for c in params.market.competitors.values())
    assert 0 < initial <= 1
    for name, firm in params.market.competitors.items():
        assert firm.name == name, "a competitor's name matches its key"


@pytest.mark.parametrize("experiment", options("experiment"))
def test_every_experiment_composes_and_starts_with_its_command(experiment):
    lines = (CONFIG_DIR / "experiment" / f"{experiment}.yaml").read_text().splitlines()
    assert lines[0] == "# @package _global_"  # Hydra reads the package header first
    assert lines[1] == f"# servsim -m +experiment={experiment}"
    cfg = make_cfg(f"+experiment={experiment}", hydra=True)
    sweep = OmegaConf.to_container(cfg.hydra.sweeper.params)
    assert sweep, "an experiment preset defines its sweep"
    params_from_config(cfg)
    # every swept value composes and validates too
    for key, values in sweep.items():
        for value in str(values).split(","):
            if value.startswith("range("):
                value = "0"
            params_from_config(make_cfg(f"+experiment={experiment}", f"{key}={value}"))


def _yaml(group: str, option: str) -> dict:
    return yaml.safe_load((CONFIG_DIR / group / f"{option}.yaml").read_text())


@pytest.mark.parametrize(
    "group,option,schema",
    [("strategy", o, StrategyParams) for o in options("strategy")]
    + [("org", o, OrgParams) for o in options("org")]
    + [("stage", o, StageParams) for o in options("stage")],
)
def test_lever_presets_set_every_number_explicitly(group, option, schema):
    data = _yaml(group, option)
    missing = {f.name for f in dataclasses.fields(schema)} - set(data)
    assert not missing, f"{group}/{option} relies on schema defaults for {missing}"


@pytest.mark.parametrize("market", options("market"))
def test_market_segments_set_every_field(market):
    data = _yaml("market", market)
    fields = {f.name for f in dataclasses.fields(SegmentParams)}
    for name, segment in data["segments"].items():
        assert set(segment) == fields, (market, name)


def test_presets_encode_the_seed_distinctions():
    get = params_for
    premium, lowcost, diff = (get(f"strategy={s}").strategy
                              for s in ("premium", "lowcost", "differentiated"))
    assert premium.price > diff.price > lowcost.price
    assert premium.service_level > diff.service_level > lowcost.service_level
    assert diff.tiering > 0 and premium.tiering == lowcost.tiering == 0
    inverted, pyramid = get("org=inverted").org, get("org=pyramid").org
    assert inverted.frontline_authority >= 0.8 and inverted.approval_levels == 1
    assert inverted.control_share <= 0.2 < pyramid.control_share
    assert pyramid.approval_levels > 1 and pyramid.frontline_authority < 0.5
    productized = get("stage=productized").stage
    for key in ("contract_uptake", "contract_fee", "proactive_rate", "proactive_prevention",
                "service_fee"):
        assert getattr(productized, key) > 0, key
    reactive = get("stage=reactive").stage
    assert reactive.contract_uptake == reactive.service_fee == reactive.followup_rate == 0


def test_b2b_complains_more_than_consumers():
    company_a = params_for("market=company_a").market.segments
    telecom = params_for("market=telecom").market.segments
    assert min(s.complaint_propensity for s in company_a.values()) > max(
        s.complaint_propensity for s in telecom.values()
    )
    assert telecom["family"].complaint_propensity == pytest.approx(0.04)


def test_competitors_compose_from_the_strategy_presets():
    params = params_for("market=company_a")
    firms = {f.name: f for f in params.firms}
    premium = params_for("strategy=premium").strategy
    lowcost = params_for("strategy=lowcost").strategy
    assert firms["foreign"].strategy == premium
    assert firms["small_firms"].strategy == lowcost
    assert firms["foreign"].stage.name == "standardized"
    # a competitor's preset can be swapped from the command line
    swapped = params_from_config(
        make_cfg("strategy@market.competitors.foreign.strategy=differentiated")
    )
    assert swapped.market.competitors["foreign"].strategy.name == "differentiated"
    # and single numbers changed
    tweaked = params_from_config(make_cfg("market.competitors.foreign.strategy.price=2.0"))
    assert tweaked.market.competitors["foreign"].strategy.price == 2.0


def test_single_firm_has_no_competitors():
    params = params_for("market=single_firm")
    assert params.market.competitors == {}
    assert [f.name for f in params.firms] == ["focal"]


def test_seed_alias_and_sim_seed():
    assert params_from_config(make_cfg("seed=7")).sim.seed == 7
    assert params_from_config(make_cfg("sim.seed=9")).sim.seed == 9


def test_research_size_is_accepted():
    params = params_from_config(make_cfg("sim.n_customers=1000000"))
    assert params.sim.n_customers == 1_000_000


@pytest.mark.parametrize(
    "override",
    ["strategy.pric=1", "sim.days=abc", "sim.days=2.5", "market.segments.nosuch.share=0.2",
     "org.approval_levels=many", "market.competitors.foreign.org.levels=1"],
)
def test_wrong_types_and_unknown_keys_fail_at_composition(override):
    with pytest.raises(ConfigCompositionException):
        make_cfg(override)


def test_unknown_option_fails_at_composition():
    with pytest.raises(MissingConfigException):
        make_cfg("strategy=nosuch")


@pytest.mark.parametrize(
    "override,key",
    [
        ("strategy.complaint_handling=1.5", "strategy.complaint_handling"),
        ("sim.n_customers=-5", "sim.n_customers"),
        ("strategy.price=-1", "strategy.price"),
        ("market.segments.large_state.share=0.5", "market.segments"),
        ("market.network.kind=torus", "market.network.kind"),
    ],
)
def test_range_errors_are_left_to_validate(override, key):
    cfg = make_cfg(override)  # composes: the types are right
    with pytest.raises(ParameterError, match=key.replace(".", r"\.")):
        params_from_config(cfg)


def test_hydra_settings():
    cfg = make_cfg(hydra=True)
    assert str(cfg.hydra.run.dir).startswith("results/runs/")
    # absolute, from the directory servsim starts in: jobs running elsewhere (a Ray
    # cluster's workers run in the head's cwd) still write there
    sweep_dir = Path(str(cfg.hydra.sweep.dir))
    assert sweep_dir.is_absolute()
    assert sweep_dir.parent.parent == Path.cwd() / "results" / "sweeps"
    assert cfg.hydra.job_logging.loggers.MESA.level == "WARNING"
    assert cfg.hydra.job.chdir is False
    assert "sweep_progress" in cfg.hydra.callbacks


def _plugin(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.mark.parametrize(
    "launcher,plugin,field",
    [
        ("parallel", "hydra_plugins.hydra_joblib_launcher", "n_jobs"),
        ("submitit", "hydra_plugins.hydra_submitit_launcher", "timeout_min"),
        ("slurm", "hydra_plugins.hydra_submitit_launcher", "array_parallelism"),
        ("ray_local", "hydra_plugins.hydra_ray_launcher", "ray"),
        ("ray_cluster", "hydra_plugins.hydra_ray_launcher", "ray"),
    ],
)
def test_launcher_presets(launcher, plugin, field):
    if not _plugin(plugin):
        # an optional plugin that is missing only matters when its preset is chosen
        make_cfg(hydra=True)
        with pytest.raises(MissingConfigException):
            make_cfg(f"hydra/launcher={launcher}", hydra=True)
        pytest.skip(f"{plugin} not installed here (Ray has its own venv, .venv-ray: "
                    "tests/test_launchers.py composes and runs these presets there)")
    cfg = make_cfg(f"hydra/launcher={launcher}", hydra=True)
    assert field in cfg.hydra.launcher
    if launcher == "parallel":
        assert cfg.hydra.launcher.n_jobs == 2
