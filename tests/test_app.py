"""The dashboard's logic without a browser: presets, levers, comparisons, errors, figures.

The page itself is driven in Chromium by ``test_dashboard.py``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servsim import app, demo
from servsim.compose import params_from_config
from servsim.model import ServiceMarket
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


def test_chart_specs_before_and_after_the_first_step():
    run = app.Run(app.preset_settings("Company A: premium (high quality, high cost)"))
    for day in (0, 20):
        run.step(day - run.day) if day else None
        a, b = run.tables()
        for key in app.CHARTS:
            spec = app.chart_spec(key, a)
            json.dumps(spec)  # what the browser receives
            if day:
                values = spec["data"]["values"]
                assert [v["day"] for v in values] == list(range(1, 21)), key
                tooltip = spec["layer"][-1]["encoding"]["tooltip"]  # the hover rule
                labels = [s.label for s in (*app.CHARTS[key].series, *app.CHARTS[key].right)]
                assert [t["field"] for t in tooltip] == ["day", *labels]
            else:
                assert "press Step" in json.dumps(spec)
        compare = app.compare_spec(a, b, "over-promise")
        assert len(compare["concat"]) == len(app.COMPARE_PANELS)
        json.dumps(compare)
    profit = app.chart_spec("money", a)["data"]["values"][-1]["profit"]
    assert profit == pytest.approx(a["profit"].sum(), rel=1e-6)
    nodes, ties, messages = app.network_tables(run)
    for colour_by in ("satisfaction", "stage"):
        json.dumps(app.network_spec(nodes, ties, messages, colour_by, "t"))
    head = app.headline(run.a, a)
    assert head["Day"] == "20" and int(head["Customers"].replace(",", "")) > 0
    table = app.compare_outcomes(a, b)
    assert table[0][0] == "cumulative profit" and table[0][1] != table[0][2]


def test_long_runs_are_thinned_but_keep_the_last_day():
    run = app.Run(dataclasses.replace(app.preset_settings(app.DEFAULT_PRESET), n_customers=100,
                                      compare=app.NO_COMPARISON))
    run.step(400)
    values = app.chart_spec("stages", run.tables()[0])["data"]["values"]
    assert len(values) <= app.charts.MAX_POINTS and values[-1]["day"] == 400


def test_word_of_mouth_is_observed_without_changing_the_run():
    s = dataclasses.replace(app.preset_settings(app.DEFAULT_PRESET), n_customers=500, seed=3)
    watched = app.Run(s)
    plain = ServiceMarket(watched.params)  # no observer
    told = 0
    for _ in range(30):
        watched.step(1)
        plain.step()
        today = watched.word_of_mouth()
        assert today.day == watched.day
        assert set(today.firm.tolist()) <= set(range(watched.a.n_firms))
        told += today.talkers.size
        nodes, ties, messages = app.network_tables(watched)
        assert set(messages["said"]) <= {"good", "bad"}
    assert told > 0
    assert watched.a.step_table().equals(plain.step_table())


def test_player_never_runs_ahead_of_its_pace_and_stops_at_the_horizon():
    model = app.Classroom(app.Session.new(), n_customers=50, horizon="1 year (365 days)")
    player = app.Player(model, days_per_second=40)
    start = time.monotonic()
    player.start()
    seen = []
    while model.run.day < 40:  # wait on state
        seen.append((time.monotonic() - start, model.run.day))
        assert time.monotonic() - start < 120, "the player did not advance"
        time.sleep(0.01)
    player.stop()
    # a day is due only when its time has come: never ahead of the pace (plus the first day)
    assert all(day <= 40 * elapsed + 1 for elapsed, day in seen)
    stopped = model.run.day
    time.sleep(0.2)
    assert model.run.day == stopped and model.time == stopped  # Mesa's clock follows
    player.pace = 1000
    player.start(until=60)
    while player.playing:
        time.sleep(0.01)
    assert model.run.day == 60
    player.start()
    while player.playing:
        time.sleep(0.01)
    assert model.run.day == 365 and not model.running


def test_free_overrides_with_resolvers_are_refused_in_one_line():
    s = app.preset_settings(app.DEFAULT_PRESET)
    for extra in ("strategy.price=${oc.env:HOME}", "sim.days=${sim.n_customers}"):
        with pytest.raises(app.ScenarioError) as err:
            app.build_params(dataclasses.replace(s, extra=extra))
        assert "not allowed" in str(err.value) and "\n" not in str(err.value)


def test_changed_inputs_name_every_control():
    s = app.preset_settings(app.DEFAULT_PRESET)
    assert app.changed_inputs(s, s) == []
    moved = dataclasses.replace(app.choose(s, org="inverted"), n_customers=300, seed=2,
                                days=365, extra="strategy.advertising=0.9")
    names = app.changed_inputs(moved, s)
    assert {"Organisation", "Customers", "Seed", "Horizon", "Advanced overrides",
            "Frontline authority"} <= set(names)
    session = app.Session.new()
    wanted = app.wanted_settings(session, {"n_customers": 400, "seed": "x",
                                           "horizon": "1 year (365 days)"})
    assert set(app.changed_inputs(wanted, session.settings.value)) == {
        "Customers", "Seed", "Horizon"}


def test_every_slider_shows_its_value_and_unit():
    for key, lever in app.LEVERS.items():
        assert key in app.SLIDER_RANGES and lever.unit, key
        text = lever.text(lever.hi)
        assert lever.unit in text and any(ch.isdigit() for ch in text), text


def test_lessons_set_up_what_they_say():
    for lesson in app.LESSONS:
        s = lesson.settings()
        assert s.compare == lesson.compare and s.compare in app.COMPARISONS
        run = app.Run(dataclasses.replace(s, n_customers=100))
        assert run.b is not None


def test_network_sample_is_connected_ties_of_the_model():
    run = app.Run(app.preset_settings(app.DEFAULT_PRESET))
    sample = run.network
    assert 50 <= len(sample.nodes) <= 120 and len(set(sample.nodes.tolist())) == len(sample.nodes)
    for i, j in sample.edges[:50]:
        assert sample.nodes[j] in run.a.network.neighbours(int(sample.nodes[i]))
    assert sample.xy.shape == (len(sample.nodes), 2)


def test_demo_serves_app_on_loopback(monkeypatch, capsys, tmp_path):
    cmd = demo.command()
    assert cmd[-7:] == ["run", demo.APP, "--host", "127.0.0.1", "--port", "8765",
                        "--production"]
    assert importlib.util.find_spec(demo.APP) is not None  # solara runs the module by name
    seen = {}
    monkeypatch.setattr(demo, "serve", lambda c, env: seen.update(cmd=c, env=env) or 0)
    monkeypatch.setattr(demo, "asset_dir", lambda: tmp_path)
    monkeypatch.delenv("SOLARA_ASSETS_PROXY_CACHE_DIR", raising=False)
    assert demo.main(["--port", "9001", "--no-open"]) == 0
    assert "http://127.0.0.1:9001/" in capsys.readouterr().out
    assert seen["cmd"][-1] == "--no-open" and "9001" in seen["cmd"]
    assert seen["env"]["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert seen["env"]["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path)


def test_asset_dir_adds_the_major_version_names_vega_asks_for(tmp_path):
    shipped = tmp_path / "cdn"
    for name in ("vega@5.21.0/build", "vega-lite@5.2.0/build", "requirejs@2.3.6"):
        (shipped / name).mkdir(parents=True)
    (shipped / "vega@5.21.0/build/vega.min.js").write_text("vega")
    target = demo.asset_dir(tmp_path / "links", shipped)
    assert (target / "vega@5/build/vega.min.js").read_text() == "vega"
    assert (target / "vega-lite@5").resolve() == (shipped / "vega-lite@5.2.0").resolve()
    assert (target / "requirejs@2.3.6").is_dir() and (target / "requirejs@2").is_dir()
    assert demo.asset_dir(tmp_path / "links", shipped) == target  # again: idempotent
    assert demo.asset_dir(tmp_path / "x", tmp_path / "missing") is None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_demo_stops_its_server_on_sigterm_and_sigint(tmp_path, signum):
    pid_file = tmp_path / "child.pid"
    child = (f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
             "time.sleep(600)")
    parent = (f"import sys; from servsim import demo; "
              f"raise SystemExit(demo.serve([sys.executable, '-c', {child!r}], {{}}))")
    proc = subprocess.Popen([sys.executable, "-c", parent])
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, "no server started"
            time.sleep(0.05)
        child_pid = int(pid_file.read_text())
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while _alive(child_pid):  # wait on state: the server process is gone
            assert time.monotonic() < deadline, f"server {child_pid} outlived servsim-demo"
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())  # a zombie is gone


def test_page_has_named_tabs_mesa_inputs_and_the_controls():
    import ipyvuetify as v
    import mesa
    import solara

    box, rc = solara.render(app.Page(), handle_error=False)
    try:
        labels = {str(c) for b in rc.find(v.Btn).widgets for c in b.children}
        assert {"Reset", "▶", "Step"} <= labels
        tabs = [str(c) for t in rc.find(v.Tab).widgets for c in t.children]
        assert tabs == list(app.TABS) and not any(t.startswith("Page") for t in tabs)
        texts = " ".join(str(getattr(w, "children", "")) for w in rc.find(v.Html).widgets)
        assert "10 days per second" in texts and "7 days" in texts
        assert "Customers (class size)" in {w.label for w in rc.find(v.Slider).widgets}
    finally:
        rc.close()
    assert issubclass(app.Classroom, mesa.Model)


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


def test_run_figure_is_titled_labelled_with_legends_outside_the_data():
    from servsim import plots
    from servsim.simulate import simulate

    run = app.Run(dataclasses.replace(app.preset_settings("Company A: premium (high quality, "
                                                          "high cost)"), n_customers=300,
                                      days=365, compare=app.NO_COMPARISON))
    result = simulate(dataclasses.replace(run.params, sim=dataclasses.replace(
        run.params.sim, days=60)))
    fig = plots.run_figure(result.steps, result.summary.get("focal"),
                           plots.run_title(result.params))
    title = fig._suptitle.get_text()
    for word in ("company_a", "premium", "seed 0", "300 customers"):
        assert word in title, title
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        assert ax.get_ylabel() and ax.get_xlabel(), ax.get_title()
        legend = ax.get_legend()
        assert legend is not None, ax.get_title()
        assert legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1 - 1
    assert "cu = currency units" in fig._supxlabel.get_text()
    assert "per week" in fig.axes[3].get_ylabel()


def test_every_parameter_slider_lies_within_the_registrys_allowed_range():
    from servsim.params import field_of

    for key, (lo, hi, _) in app.SLIDER_RANGES.items():
        if key.startswith("play."):
            continue
        allowed_lo, allowed_hi = field_of(key).metadata["bounds"]
        assert allowed_lo <= lo < hi <= allowed_hi, key
