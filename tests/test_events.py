"""Issue 16 engine side: heterogeneity columns, dropout timing, cohort entry, event log."""

import numpy as np
import pandas as pd
import pytest

from servsim import outputs
from servsim.model import ServiceMarket
from servsim.params import ParameterError, make_params
from servsim.simulate import simulate

SMALL = {"sim.n_customers": 2000, "sim.days": 60, "market.innovation": 0.01,
         "market.imitation": 0.05}


def _market(**kw):
    return ServiceMarket(make_params(**{**SMALL, **kw}))


def test_heterogeneity_off_is_exactly_neutral():
    c = _market().customers
    assert c.rate_multiplier.dtype == np.float32 and c.dropout_offset.dtype == np.float32
    assert np.all(c.rate_multiplier == 1.0) and np.all(c.dropout_offset == 0.0)


def test_heterogeneity_draws_have_the_stated_distributions():
    kw = {"sim.n_customers": 40_000, "market.segments": {"all": {
        "rate_shape": 0.5, "dropout_sd": 0.8}}}
    c = _market(**kw).customers
    m, d = c.rate_multiplier.astype(float), c.dropout_offset.astype(float)
    assert abs(m.mean() - 1) < 4 * np.sqrt(2.0 / m.size)  # Gamma(0.5, 2): variance 2
    assert abs(m.var() / 2.0 - 1) < 0.1
    assert abs(d.mean()) < 4 * 0.8 / np.sqrt(d.size) and abs(d.std() / 0.8 - 1) < 0.02
    again = _market(**kw).customers
    assert np.array_equal(again.rate_multiplier, c.rate_multiplier)
    other = _market(**kw, **{"sim.seed": 1}).customers
    assert not np.array_equal(other.rate_multiplier, c.rate_multiplier)


def test_beta_dropout_offset_gives_beta_probabilities():
    from scipy import special, stats

    c0, k = 0.25, 3.0
    kw = {"sim.n_customers": 20_000, "behaviour.churn_base": c0,
          "market.segments": {"all": {"dropout_concentration": k}}}
    off = _market(**kw).customers.dropout_offset.astype(float)
    p = special.expit(special.logit(c0) + off)
    assert stats.kstest(p, stats.beta(k * c0, k * (1 - c0)).cdf).pvalue > 1e-3


def test_events_match_the_step_table_and_the_books():
    res = simulate(make_params(**SMALL, **{"sim.record_events": 1}))
    ev, steps = res.events, res.steps
    buys = ev[ev["kind"] == "purchase"]
    assert len(buys) > 100
    per_day = buys.groupby(["day", "firm"], observed=True).size()
    table = steps.set_index(["day", "firm"])["purchase_count"]
    assert table.sum() == len(buys)
    assert (per_day.reindex(table.index, fill_value=0) == table).all()
    revenue = (steps["revenue_purchases"] + steps["revenue_premium"]
               + steps["revenue_crossbuy"]).sum()
    assert buys["amount"].astype(float).sum() == pytest.approx(revenue, rel=1e-5)
    joins = ev[ev["kind"] == "join"].groupby("day").size()
    assert joins.sum() == steps["acquisitions"].sum()
    assert (ev["kind"] == "lapse").sum() + (ev["kind"] == "switch").sum() == steps["churn"].sum()


def test_event_log_does_not_change_the_run():
    plain = simulate(make_params(**SMALL))
    logged = simulate(make_params(**SMALL, **{"sim.record_events": 1}))
    pd.testing.assert_frame_equal(plain.steps,
                                  logged.steps.drop(columns="purchase_count"))
    assert plain.events is None


def test_same_seed_same_events_file(tmp_path):
    a = simulate(make_params(**SMALL, **{"sim.record_events": 1}))
    b = simulate(make_params(**SMALL, **{"sim.record_events": 1}))
    pa = outputs.write_parquet(tmp_path / "a.parquet", a.events)
    pb = outputs.write_parquet(tmp_path / "b.parquet", b.events)
    assert pa.read_bytes() == pb.read_bytes()


def test_after_purchase_timing_adds_the_leavers_purchase():
    kw = {**SMALL, "sim.record_events": 1, "market.focal_initial_share": 1.0,
          "behaviour.churn_base": 0.3, "behaviour.churn_satisfaction": 0.0,
          "behaviour.churn_attitude": 0.0, "market.innovation": 0.0, "market.imitation": 0.0,
          "market.segments": {"all": {"need_rate": 0.0, "purchase_rate": 0.05}}}
    occ = simulate(make_params(**kw))
    after = simulate(make_params(**kw, **{"behaviour.dropout_timing": "after_purchase"}))
    # the same draws: the same customers leave on the same days; each also buys
    pd.testing.assert_series_equal(occ.steps["churn"], after.steps["churn"])
    assert (after.steps["purchase_count"] - occ.steps["purchase_count"]
            == occ.steps["churn"]).all()


def test_cohort_entry_on_given_days():
    n = 500
    days = np.zeros(n, np.int32)
    days[:300] = np.arange(300) % 30 + 1
    res = simulate(make_params(**{**SMALL, "sim.n_customers": n, "sim.record_events": 1,
                                  "market.innovation": 0.0, "market.imitation": 0.0}),
                   entry_day=days)
    joins = res.events[res.events["kind"] == "join"]
    assert len(joins) == 300
    assert np.array_equal(np.sort(joins["customer"].to_numpy()), np.arange(300))
    assert (joins["day"].to_numpy() == days[joins["customer"].to_numpy()]).all()
    first = res.events[res.events["kind"] == "purchase"].groupby("customer")["day"].min()
    assert (first.to_numpy() == days[first.index.to_numpy()]).all()


def test_entry_window_and_bad_values():
    res = simulate(make_params(**{**SMALL, "sim.entry_days": 10, "sim.record_events": 1,
                                  "market.innovation": 0.0, "market.imitation": 0.0}))
    joins = res.events[res.events["kind"] == "join"]
    assert len(joins) == SMALL["sim.n_customers"] and joins["day"].max() <= 10
    with pytest.raises(ParameterError, match="behaviour.dropout_timing"):
        make_params(**{"behaviour.dropout_timing": "never"})
    with pytest.raises(ParameterError, match="rate_shape"):
        make_params(**{"market.segments": {"all": {"rate_shape": -1.0}}})


def test_events_file_is_covered_by_the_completion_checksums(tmp_path):
    from servsim import runs
    from servsim.params import to_dict

    cfg = to_dict(make_params(**{**SMALL, "sim.n_customers": 300, "sim.days": 20,
                                 "sim.record_events": 1}))
    summary = runs.run(cfg, tmp_path, progress=False)
    assert summary["status"] == "ok" and outputs.EVENTS_FILE in summary["files"]
    events = pd.read_parquet(tmp_path / outputs.EVENTS_FILE)
    assert len(events) > 0 and set(events.columns) == {"day", "customer", "firm", "kind",
                                                       "amount"}
    assert outputs.run_state(tmp_path)[0] == outputs.STATUS_OK
    (tmp_path / outputs.EVENTS_FILE).write_bytes(b"truncated")
    assert outputs.run_state(tmp_path)[0] == outputs.STATUS_DAMAGED
    plain = runs.run(to_dict(make_params(**{**SMALL, "sim.n_customers": 300,
                                            "sim.days": 20})), tmp_path / "plain",
                     progress=False)
    assert outputs.EVENTS_FILE not in plain["files"]
