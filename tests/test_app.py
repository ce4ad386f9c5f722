"""The dashboard's logic without a browser: presets, levers, comparisons, errors, figures.

The page itself is driven in Chromium by ``test_dashboard.py``.
"""

from __future__ import annotations

import dataclasses
import importlib.util

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from servsim import app, demo
from servsim.cli import params_from_config
from tests.test_configs import make_cfg


def test_every_preset_is_the_composed_config():
    for name, preset in app.PRESETS.items():
        s = app.preset_settings(name)
        params = app.build_params(s)
        expected = params_from_config(make_cfg(*preset.overrides))
        for group in app.GROUP_OPTIONS:
            assert getattr(params, group) == getattr(expected, group), (name, group)
        assert params.market == dataclasses.replace(expected.market), name
        assert params.sim.n_customers == app.DEFAULT_CUSTOMERS
        assert s.compare in app.COMPARISONS


def test_seed_scenarios_are_what_they_say():
    ignored = app.build_params(app.preset_settings("Complaints ignored"))
    recovered = app.build_params(app.preset_settings("Complaints recovered"))
    assert ignored.strategy.complaint_handling == 0.0
    assert recovered.strategy.complaint_handling == 1.0
    assert dataclasses.replace(ignored.strategy, complaint_handling=1.0) == recovered.strategy
    hotel = app.build_params(app.preset_settings(
        "Hotels: Shangri-La style (premium, inverted pyramid)"))
    assert (hotel.market.name, hotel.strategy.name, hotel.org.name) == (
        "hotels", "premium", "inverted")
    names = {app.build_params(app.preset_settings(n)).strategy.name
             for n in app.PRESETS if n.startswith("Company A")}
    assert names == {"premium", "lowcost", "differentiated"}


def test_choosing_a_group_moves_its_levers_only():
    s = app.preset_settings(app.DEFAULT_PRESET)
    s = dataclasses.replace(s, levers={**s.levers, "org.approval_levels": 6,
                                       "strategy.promise": 1.7})
    premium = app.choose(s, strategy="premium")
    assert premium.levers["strategy.price"] == 1.4  # premium.yaml
    assert premium.levers["strategy.promise"] == 1.0  # the strategy's levers move
    assert premium.levers["org.approval_levels"] == 6  # the org's stay as set
    inverted = app.choose(s, org="inverted")
    assert inverted.levers["org.frontline_authority"] == 0.8
    assert inverted.levers["strategy.promise"] == 1.7


def test_a_changed_lever_is_in_the_run_after_reset():
    s = app.preset_settings(app.DEFAULT_PRESET)
    s = dataclasses.replace(s, levers={**s.levers, "strategy.promise": 1.35,
                                       "behaviour.wom_attitude": 0.9},
                            n_customers=300, seed=7)
    run = app.Run(s)
    assert run.params.strategy.promise == 1.35
    assert run.params.behaviour.wom_attitude == 0.9
    assert run.a.n == 300 and run.params.sim.seed == 7


def test_comparison_changes_one_thing_on_the_same_seed():
    s = app.preset_settings(app.DEFAULT_PRESET)
    s = dataclasses.replace(s, compare="organisation: inverted pyramid", seed=3,
                            levers={**s.levers, "strategy.training": 0.85})
    run = app.Run(s)
    a, b = run.params, run.b.params
    assert b.org.name == "inverted" and b.org.frontline_authority == 0.8
    assert a.org.name == "pyramid"
    assert b.strategy == a.strategy and b.strategy.training == 0.85
    assert b.sim == a.sim and b.market == a.market
    over = app.Run(dataclasses.replace(s, compare="over-promise (promise 1.5)"))
    assert over.b.params.strategy.promise == 1.5
    assert dataclasses.replace(over.b.params.strategy, promise=1.0) == over.params.strategy
    run.step(10)
    assert run.a.day == run.b.day == 10


def test_free_override_wins_and_errors_are_one_line():
    s = app.preset_settings(app.DEFAULT_PRESET)
    p = app.build_params(dataclasses.replace(s, extra="strategy.promise=1.8 market=hotels"))
    assert p.strategy.promise == 1.8 and p.market.name == "hotels"
    for extra, words in [("strategy.price=-1", ["strategy.price", "out of range"]),
                         ("strategy.pric=1", ["pric"]),
                         ("market=moon", ["market", "moon"]),
                         ("nonsense", ["key=value"]),
                         ("sim.n_customers=10 market.network.mean_degree=12",
                          ["mean_degree"])]:
        with pytest.raises(app.ScenarioError) as err:
            app.Run(dataclasses.replace(s, extra=extra))
        message = str(err.value)
        assert "\n" not in message and all(w in message for w in words), message


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_combination_of_controls_runs(data):
    s = app.Settings(
        **{g: data.draw(st.sampled_from(options), label=g)
           for g, options in app.GROUP_OPTIONS.items()},
        n_customers=data.draw(st.sampled_from([50, 100, 2000, 5000]), label="n"),
        seed=data.draw(st.integers(0, 2**31), label="seed"),
        days=data.draw(st.sampled_from(list(app.HORIZONS.values())), label="days"),
        compare=data.draw(st.sampled_from(list(app.COMPARISONS)), label="compare"),
    )
    levers = {}
    for key, lever in app.LEVERS.items():
        value = data.draw(st.sampled_from([lever.lo, lever.hi, (lever.lo + lever.hi) / 2]),
                          label=key)
        levers[key] = lever.clean(value)
    s = dataclasses.replace(s, levers=levers)
    run = app.Run(s)
    run.step(3)
    rows_a, rows_b = run.tables()
    assert len(rows_a) == 3 and (rows_b is None) == (s.compare == app.NO_COMPARISON)
    assert run.params.sim.n_customers == s.n_customers
    for key, value in levers.items():
        group, name = key.split(".")
        assert getattr(getattr(run.params, group), name) == value


def test_figures_before_and_after_the_first_step():
    run = app.Run(app.preset_settings("Company A: premium (high quality, high cost)"))
    for rows in (run.tables()[0], None):
        if rows is None:
            run.step(20)
            rows = run.tables()[0]
        for fn in (app.fig_stages, app.fig_satisfaction, app.fig_complaints, app.fig_money,
                   app.fig_staff):
            assert isinstance(fn(rows), Figure)
        for colour_by in ("satisfaction", "stage"):
            assert isinstance(app.fig_network(run.a, run.network, colour_by), Figure)
        a, b = run.tables()
        assert isinstance(app.fig_compare(a, b, "A", "B"), Figure)
    head = app.headline(run.a, a)
    assert head["Day"] == "20" and int(head["Customers"].replace(",", "")) > 0
    table = app.compare_outcomes(a, b)
    assert table[0][0] == "cumulative profit" and table[0][1] != table[0][2]


def test_network_sample_is_connected_ties_of_the_model():
    run = app.Run(app.preset_settings(app.DEFAULT_PRESET))
    sample = run.network
    assert 50 <= len(sample.nodes) <= 120 and len(set(sample.nodes.tolist())) == len(sample.nodes)
    for i, j in sample.edges[:50]:
        assert sample.nodes[j] in run.a.network.neighbours(int(sample.nodes[i]))
    assert sample.xy.shape == (len(sample.nodes), 2)


def test_demo_serves_app_on_loopback(monkeypatch, capsys):
    cmd = demo.command()
    assert cmd[-7:] == ["run", demo.APP, "--host", "127.0.0.1", "--port", "8765",
                        "--production"]
    assert importlib.util.find_spec(demo.APP) is not None  # solara runs the module by name
    seen = {}
    monkeypatch.setattr(demo.subprocess, "call",
                        lambda c, env: seen.update(cmd=c, env=env) or 0)
    assert demo.main(["--port", "9001", "--no-open"]) == 0
    assert "http://127.0.0.1:9001/" in capsys.readouterr().out
    assert seen["cmd"][-1] == "--no-open" and "9001" in seen["cmd"]
    assert seen["env"]["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_page_is_mesa_solaraviz_on_the_classroom_model():
    import ipyvuetify as v
    import solara
    from mesa.visualization import SolaraViz
    from mesa.visualization.solara_viz import _check_model_params

    box, rc = solara.render(app.Page(), handle_error=False)
    try:
        page = next(iter(rc.context_root.children.values()))
        root = page.root_element
        assert root.component is SolaraViz
        model = root.args[0].value
        assert isinstance(model, app.Classroom)
        assert root.kwargs["components"] == app.COMPONENTS
        assert root.kwargs["render_interval"] == app.RENDER_INTERVAL
        _check_model_params(model, root.kwargs["model_params"])  # what Mesa checks on mount
        # the main area holds SolaraViz's components (its sidebar, with Mesa's Reset / Play /
        # Step, needs the app layout of a served page: test_dashboard.py presses them)
        assert {"satisfaction", "stage"} <= {str(c) for b in rc.find(v.Btn).widgets
                                             for c in b.children}
    finally:
        rc.close()


def test_classroom_steps_days_and_keeps_the_run_when_settings_are_invalid():
    session = app.Session.new()
    model = app.Classroom(session, n_customers=300, seed="4", horizon="1 year (365 days)")
    assert model.error is None and session.run is model.run
    assert model.run.params.sim.n_customers == 300 and model.run.params.sim.seed == 4
    assert model.run.b is not None  # the default preset compares with over-promising
    for _ in range(5):
        model.step()
    assert model.time == model.run.day == model.run.b.day == 5
    session.settings.value = dataclasses.replace(session.settings.value,
                                                 extra="strategy.price=-1")
    kept = app.Classroom(session, n_customers=300, seed="4", horizon="1 year (365 days)")
    assert "strategy.price" in kept.error and "\n" not in kept.error
    assert kept.run is model.run and kept.time == 5 and kept.running
    kept.step()
    assert kept.run.day == 6 and kept.time == 6
    bad_seed = app.Classroom(app.Session.new(), seed="x")
    assert "seed 'x'" in bad_seed.error and bad_seed.run.day == 0
    short = app.Classroom(app.Session.new(), n_customers=50, horizon="1 year (365 days)")
    short.run_for(400)
    assert short.run.day == 365 and not short.running
