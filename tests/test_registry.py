"""The parameter registry: one place for every parameter's ranges, distribution and source.

Composition uses Hydra's compose API (as the ``servsim`` command does); no
simulation runs here.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from SALib.sample import latin

from servsim import params as schema
from servsim import registry
from servsim.params import ParameterError, make_params
from servsim.registry import Parameter, parameters, problem

SCHEMAS = [schema.SegmentParams, schema.NetworkParams, schema.StrategyParams, schema.OrgParams,
           schema.StageParams, schema.FirmParams, schema.MarketParams, schema.BehaviourParams,
           schema.SimParams]


def numeric_fields():
    for cls in SCHEMAS:
        for f in dataclasses.fields(cls):
            if str(f.type) in ("int", "float"):
                yield cls, f


@pytest.mark.parametrize("cls,f", list(numeric_fields()),
                         ids=lambda x: getattr(x, "__name__", None) or x.name)
def test_every_numeric_field_carries_its_registry_metadata(cls, f):
    meta = f.metadata
    assert meta, f"{cls.__name__}.{f.name} is declared without param()"
    lo, hi = meta["bounds"]
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi  # every field has an upper bound
    assert meta["dist"] in registry.DISTRIBUTIONS
    assert meta["integer"] == (str(f.type) == "int") == (meta["dist"] == "integer")
    assert meta["low"] < meta["high"]
    if not meta["relative"]:
        assert lo <= meta["low"] and meta["high"] <= hi  # plausible inside allowed
        assert meta["low"] <= f.default <= meta["high"]  # the default is plausible
    if meta["dist"] == "loguniform":
        assert meta["low"] > 0
    assert meta["source"] and meta["range_source"]
    assert meta["odd"], "documented in at least one ODD section"
    assert registry._descriptions(cls).get(f.name), "has a docstring"


def test_odd_tables_are_generated_from_the_registry_and_current():
    text = registry.ODD_PATH.read_text(encoding="utf-8")
    sections = registry.odd_sections(text)
    assert sections[:2] == ["5", "7.1"] and "7.13" in sections
    documented = {s for _, _, f in registry.schema_fields() for s in f.metadata["odd"]}
    assert documented == set(sections), "every section a parameter names has a table"
    assert registry.render_odd(text) == text, "run: python -m servsim.registry --markdown"
    assert registry.main(["--check"]) == 0


def test_odd_rows_name_every_parameter_once_at_home_with_its_source():
    text = registry.ODD_PATH.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines()
               if line.startswith("| `behaviour.loss_aversion` (`λ`)"))
    assert "1.5 – 3" in row and "[0, 100]" in row and "uncertainty" in row
    assert "Tversky & Kahneman's (1992) estimate" in row
    # in a second section the row points home instead of repeating the source
    block = text.split("<!-- registry:begin 7.11 -->")[1].split("<!-- registry:end -->")[0]
    price = next(line for line in block.splitlines() if line.startswith("| `strategy.price`"))
    assert price.endswith("| see 7.9 |") and "(0, 100]" in price


def test_company_a_expands_segments_and_competitors_with_composed_defaults():
    by_key = {p.key: p for p in parameters("company_a", constrained=True)}
    p = by_key["market.segments.small_private.price_sensitivity"]
    assert (p.kind, p.default, p.low, p.high) == ("uncertainty", 1.8, 0.3, 2.5)
    assert p.schema_key == "market.segments.*.price_sensitivity"
    value = by_key["market.segments.large_state.value"]
    assert (value.default, value.low, value.high) == (5000.0, 2500.0, 10000.0)  # relative x0.5-2
    assert value.distribution == "loguniform" and value.unit == "cu"
    rival = by_key["market.competitors.foreign.strategy.price"]
    assert rival.kind == "uncertainty" and rival.default == 1.40  # premium preset, not a lever
    own = by_key["strategy.price"]
    assert own.kind == "lever" and own.default == 1.05  # differentiated, the command's default
    assert own.bounds == (0.0, 100.0) and own.low_open
    assert by_key["sim.n_customers"].kind == "setting" and by_key["sim.n_customers"].default == 5000
    assert by_key["org.approval_levels"].integer and by_key["org.approval_levels"].default == 3
    assert "Tversky" in by_key["behaviour.loss_aversion"].source
    assert by_key["strategy.service_level_target"].source != ""
    assert all(p.source for p in by_key.values())
    names = {k.split(".")[2] for k in by_key if k.startswith("market.segments.")}
    assert names == {"large_state", "large_foreign", "medium_state", "medium_private",
                     "small_private"}


def test_each_market_has_its_own_keys_and_defaults():
    telecom = {p.key: p for p in parameters("telecom")}
    assert telecom["market.segments.youth.value"].default == 35.0
    assert "market.competitors.rival.strategy.price" in telecom
    assert not any(k.startswith("market.segments.small_private") for k in telecom)


def test_kinds_and_constrained_parameters():
    all_ = parameters("company_a", constrained=True)
    assert {p.kind for p in all_} == set(registry.KINDS)
    levers = parameters("company_a", kind="lever")
    assert levers and {p.key.split(".")[0] for p in levers} == {"strategy", "org", "stage"}
    sampled = {p.key for p in parameters("company_a")}
    # shares that must sum to 1 (or to at most 1) cannot be varied alone
    assert "market.segments.large_state.share" not in sampled
    assert "market.focal_initial_share" not in sampled
    assert "behaviour.recovery_weight_speed" not in sampled
    asked = parameters("company_a", keys=["market.segments.large_state.share"])
    assert asked[0].constraint and asked[0].default == 0.04
    with pytest.raises(ParameterError, match="kind='levers' is unknown; allowed: uncertainty"):
        parameters(kind="levers")


def test_unknown_key_is_one_line_with_close_matches():
    with pytest.raises(ParameterError) as info:
        parameters("company_a", keys=["strategy.price", "market.segments.small_privat.value"])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("market.segments.small_privat.value: unknown parameter")
    assert "close matches: market.segments.small_private.value" in message


def test_problem_is_a_salib_problem_whose_samples_all_validate():
    chosen = parameters("company_a", kind="uncertainty") + parameters("company_a", kind="lever")
    spec = problem(chosen)
    assert spec["num_vars"] == len(chosen) == len(spec["names"]) == len(spec["bounds"])
    assert set(spec["dists"]) == {"unif", "logunif"}
    x = latin.sample(spec, 16, seed=3)
    assert x.shape == (16, len(chosen))
    low, high = np.array(spec["bounds"]).T
    assert (x >= low).all() and (x <= high).all()
    base = dataclasses.asdict(registry.composed_params("company_a"))
    for row in x:  # every point of the plausible space is a valid configuration
        overrides = registry.to_overrides(chosen, row)
        params = make_params(base, **overrides)
        assert params.org.approval_levels == overrides["org.approval_levels"]
        assert isinstance(params.org.approval_levels, int)


def test_problem_of_a_few_keys():
    chosen = parameters(keys=["strategy.price", "market.innovation", "org.manager_span"])
    assert problem(chosen) == {
        "num_vars": 3,
        "names": ["strategy.price", "market.innovation", "org.manager_span"],
        "bounds": [[0.6, 1.6], [0.0005, 0.005], [5, 20]],
        "dists": ["unif", "logunif", "unif"],
    }
    assert registry.to_overrides(chosen, [1.2, 0.001, 7.6]) == {
        "strategy.price": 1.2, "market.innovation": 0.001, "org.manager_span": 8}


def test_parameter_is_frozen():
    p = parameters(keys=["strategy.price"])[0]
    assert isinstance(p, Parameter)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.low = 0.0  # type: ignore[misc]


def test_list_command_prints_the_registry(capsys):
    assert registry.main(["--list", "--market", "telecom", "--kind", "lever"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all("\tlever\t" in line for line in lines)
    assert any(line.startswith("strategy.price\tlever\t") for line in lines)
