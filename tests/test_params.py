"""Input validation: ranges from the registry, capped to what the engine's types hold.

Each case is one that earlier passed silently or gave a misleading message
(issue 18 item 4, issue 13 item 8).  No simulation runs here.
"""

from __future__ import annotations

import dataclasses

import pytest

from servsim import params as schema
from servsim.params import ParameterError, make_params
from servsim.registry import check_overrides, composed_params


@pytest.fixture(scope="module")
def company_a() -> dict:
    return dataclasses.asdict(composed_params("company_a"))


def refused(base: dict, **overrides) -> str:
    with pytest.raises(ParameterError) as info:
        make_params(base, **overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_validate_reads_its_bounds_from_the_field_metadata(monkeypatch, company_a):
    f = {f.name: f for f in dataclasses.fields(schema.StrategyParams)}["price"]
    meta = dict(f.metadata, bounds=(0.0, 1.2))
    monkeypatch.setattr(f, "metadata", meta)
    assert refused(company_a, **{"strategy.price": 1.3}) == (
        "strategy.price=1.3 is out of range; allowed (0, 1.2]")


def test_impossible_service_level_is_refused_with_one_line(company_a):
    assert refused(company_a, **{"strategy.service_level_target": 2.0}) == (
        "strategy.service_level_target=2.0 is out of range; allowed [0, 0.999]")


def test_a_value_beyond_float32_is_refused(company_a):
    message = refused(company_a, **{"market.segments.small_private.value": 1e39})
    assert message == ("market.segments.small_private.value=1e+39 is out of range; "
                       "allowed [0, 1000000000]")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_values_are_refused(company_a, value):
    message = refused(company_a, **{"behaviour.loss_aversion": value})
    assert message == f"behaviour.loss_aversion={value!r} is out of range; allowed [0, 100]"


def test_integer_ranges_are_compared_and_printed_as_integers(company_a):
    make_params(company_a, **{"sim.seed": 2**63 - 1})  # the documented maximum is accepted
    assert refused(company_a, **{"sim.seed": 2**63}) == (
        "sim.seed=9223372036854775808 is out of range; "
        "allowed whole numbers in [0, 9223372036854775807]")
    assert refused(company_a, **{"sim.n_customers": -1}) == (
        "sim.n_customers=-1 is out of range; allowed whole numbers in [1, 1000000000]")
    assert refused(company_a, **{"sim.days": 10**30}).startswith(
        f"sim.days={10**30} is out of range; allowed whole numbers in [1, 100000]")


def test_a_wrong_type_states_the_allowed_range(company_a):
    assert refused(company_a, **{"sim.days": 2.5}) == (
        "sim.days=2.5: expected a whole number; allowed whole numbers in [1, 100000]")
    assert refused(company_a, **{"strategy.price": "cheap"}) == (
        "strategy.price='cheap': expected a number; allowed (0, 100]")
    assert refused(company_a, **{"strategy.price": True}).endswith("allowed (0, 100]")


def test_one_customer_does_not_print_an_empty_range(company_a):
    message = refused(company_a, **{"sim.n_customers": 1})
    assert "[1, 0]" not in message
    assert message == ("market.network.mean_degree=8 needs more customers than "
                       "sim.n_customers=1; allowed sim.n_customers in [9, 1000000000], "
                       "or market.network.kind=complete")
    message = refused(company_a, **{"sim.n_customers": 5})
    assert "or market.network.mean_degree in [1, 4]" in message
    make_params(company_a, **{"sim.n_customers": 1, "market.network.kind": "complete"})


def test_at_most_127_segments(company_a):
    def market(n: int) -> dict:
        segment = dataclasses.asdict(schema.SegmentParams(share=1 / max(n, 1)))
        return dict(company_a, market=dict(company_a["market"],
                                           segments={f"s{i}": segment for i in range(n)}))

    make_params(market(schema.MAX_SEGMENTS))  # int8 holds the index of 127 segments
    assert refused(market(schema.MAX_SEGMENTS + 1)) == (
        "market.segments: 128 segments; allowed [1, 127] (the customers' segment index is int8)")
    assert refused(market(0)).startswith("market.segments: at least one segment is required")


def test_the_engine_holds_the_largest_allowed_number_of_segments():
    from servsim.model import ServiceMarket

    n = schema.MAX_SEGMENTS
    segments = {f"s{i}": {"share": 1 / n, "value": 100.0 + i} for i in range(n)}
    params = make_params(**{"market.segments": segments, "market.focal_initial_share": 0.5,
                            "sim.n_customers": 3000, "sim.days": 3, "sim.seed": 1})
    model = ServiceMarket(params)
    customers = getattr(model, "customers", None) or model.c
    segment = customers.segment.astype(int)
    assert segment.min() == 0 and segment.max() == n - 1  # no index wrapped below zero
    model.run()
    table = model.step_table()
    money = table[["revenue", "cost", "profit", "customers", "satisfaction"]]
    assert len(table) == 3 and money.notna().all().all() and (table["revenue"] > 0).all()


def test_at_most_30_competitors(company_a):
    rival = dataclasses.asdict(schema.FirmParams())
    base = dict(company_a, market=dict(company_a["market"],
                                       competitors={f"f{i}": rival for i in range(31)}))
    assert refused(base) == "market.competitors: 31 competitors; allowed [0, 30]"


def test_shares_that_do_not_sum_to_one_name_the_segments(company_a):
    message = refused(company_a, **{"market.segments.small_private.share": 0.5})
    assert message.startswith("market.segments.*.share: shares sum to 0.85 (large_state=0.04,")
    assert "small_private=0.5" in message and message.endswith("allowed: they must sum to 1")


@pytest.mark.parametrize("override,allowed", [
    ("market.segments={}", "allowed [1, 127] segments"),
    ("market.competitors={}", "allowed [0, 30] competitors"),
    ("+market.segments={}", "allowed [1, 127] segments"),
    ("behaviour={}", "allowed: a non-empty mapping"),
])
def test_empty_mapping_overrides_are_refused(override, allowed):
    key = override.split("=")[0].lstrip("+")
    with pytest.raises(ParameterError) as info:
        check_overrides(["-m", "strategy.price=1.2", override])
    assert str(info.value).startswith(f"{key}={{}}: an empty mapping changes nothing")
    assert allowed in str(info.value)
    check_overrides(["-m", "market.segments.large_state.share=0.04", "--cfg", "job"])  # fine


def test_allowed_for_key_follows_dict_entries():
    assert schema.allowed_for_key("market.segments.anything.patience_days") == (
        "allowed whole numbers in [1, 36500]")
    assert schema.allowed_for_key("market.competitors.foreign.strategy.price") == (
        "allowed (0, 100]")
    assert schema.allowed_for_key("seed") == "allowed whole numbers in [0, 9223372036854775807]"
    assert schema.allowed_for_key("market.network.kind") == (
        "allowed: small_world, random, scale_free, complete")
    assert schema.allowed_for_key("market.segments") is None
    assert schema.allowed_for_key("strategy.nosuch") is None


def test_a_population_that_would_not_fit_in_memory_is_refused(monkeypatch, company_a):
    monkeypatch.setattr(schema, "physical_memory_bytes", lambda: 2**30)  # a 1 GiB machine
    small = make_params(company_a, **{"sim.n_customers": 1000})  # with agent views
    assert schema.estimated_peak_bytes(small) == 1000 * (100 + 8 * 8 + 4 * 3 + 225)
    large = make_params(company_a, **{"sim.n_customers": 10_000})  # company_a: degree 8, 3 firms
    assert schema.estimated_peak_bytes(large) == 10_000 * (100 + 8 * 8 + 4 * 3)
    message = refused(company_a, **{"sim.n_customers": 10_000_000})
    fit = int(10_000_000 * 2**30 / (10_000_000 * 176))
    assert message == ("sim.n_customers=10000000 needs about 1.6 GiB of memory "
                       "(market.network.mean_degree=8), more than this machine's 1.0 GiB; "
                       f"allowed whole numbers in [1, {fit}] here")
    make_params(company_a, **{"sim.n_customers": fit})
    monkeypatch.setattr(schema, "physical_memory_bytes", lambda: None)  # unknown: not checked
    make_params(company_a, **{"sim.n_customers": 10_000_000})
