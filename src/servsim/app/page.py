"""The page: controls and headline numbers on top, named tabs of charts below.

``servsim-demo`` serves this module with ``solara run servsim.app.page``;
:func:`Page` is the page.  Components only draw: what runs is
:mod:`servsim.app.runs`, what the controls mean is :mod:`servsim.app.settings`,
the chart specs are :mod:`servsim.app.charts`, the lessons
:mod:`servsim.app.lessons`.

Layout (for a 1280 x 720 projector): one bar with Reset, ▶ Play / ❚❚ Pause,
Step, the pace of Play (simulated days per second), the days per Step and
the current day; the notice line (what changed since the last Reset, an
error, or the horizon); the headline numbers; then the tabs *Charts*, *Word
of mouth*, *A against B*, *Scenario and levers* and *Lesson* (the levers
are one click away, the charts come first).

The page is built from Mesa's visualisation parts rather than Mesa's
``SolaraViz`` frame: the model is a ``mesa.Model`` (:class:`Classroom`), the
class size, seed and horizon are Mesa's ``ModelCreator`` inputs, but
SolaraViz's controller plays a fixed number of steps per tick (its speed is
the machine's) and its tabs are called "Page 0"; here Play runs at a chosen
pace (:class:`~servsim.app.runs.Player`) and the tabs have names.
"""

from __future__ import annotations

import dataclasses
import html
import threading
import time
from collections.abc import Sequence
from typing import Any

import solara
import solara.lab
import solara.widgets
from mesa.visualization.solara_viz import ModelCreator

from servsim.app.charts import CHARTS, chart_spec, compare_spec, empty_spec, network_spec
from servsim.app.lessons import LESSONS
from servsim.app.runs import (
    Classroom,
    Player,
    Session,
    compare_outcomes,
    headline,
    network_tables,
)
from servsim.app.settings import (
    COMPARISONS,
    CUSTOMERS_RANGE,
    DEFAULT_CUSTOMERS,
    DEFAULT_HORIZON,
    GROUP_OPTIONS,
    HORIZONS,
    LEVER_SECTIONS,
    LEVERS,
    PRESETS,
    SLIDER_RANGES,
    Lever,
    ScenarioError,
    Settings,
    changed_inputs,
    choose,
    parse_seed,
    preset_settings,
)

TITLE = "servsim classroom: which service strategy builds loyalty and profit?"
TABS = ("Charts", "Word of mouth", "A against B", "Scenario and levers", "Lesson")
"""The page's tabs, in order."""
DEFAULT_PACE = 10
"""Days per second of Play (two years in about 75 s)."""
DEFAULT_STEP_DAYS = 7
"""Days per Step: a week."""
DAY_PERIOD_S = 0.2
"""How often the current day is shown while playing."""
CHART_PERIOD_S = 2.0
"""How often each chart is redrawn while playing (renders are skipped, never days)."""
ROUND = 6
"""Charts redrawn in turn: one of every :data:`ROUND` ticks each, so the browser never
redraws them all at once (which, on a busy machine, held the day display back)."""
DEFAULT_HORIZON_LABEL = next(k for k, v in HORIZONS.items() if v == DEFAULT_HORIZON)

CSS = """
.servsim-bar { align-items: center; flex-wrap: wrap; gap: 10px; padding: 4px 8px; }
.servsim-bar .v-btn { min-width: 64px; }
.servsim-day { font-size: 1.6rem; font-weight: 700; min-width: 150px; }
.servsim-day-of { font-size: 0.9rem; color: #555; font-weight: 400; }
.servsim-bar-slider { width: 210px; }
.servsim-lever-label { font-size: 0.85rem; color: #333; }
.servsim-lever-value { font-weight: 600; }
.servsim-lever .v-input, .servsim-bar-slider .v-input { margin-top: 0; padding-top: 0; }
.servsim-lever .v-messages, .servsim-bar-slider .v-messages { display: none; }
.servsim-kpis { flex-wrap: wrap; gap: 6px; padding: 0 8px; }
.servsim-kpi { padding: 2px 10px; border: 1px solid #ddd; border-radius: 4px; }
.servsim-kpi-name { font-size: 0.75rem; color: #666; margin-right: 6px; }
.servsim-kpi-value { font-size: 1.1rem; font-weight: 600; }
.servsim-grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 6px; }
.servsim-chart { min-width: 0; padding: 2px 4px; border: 1px solid #eee; border-radius: 4px; }
.servsim-chart .vega-embed { width: 100%; }
.servsim-note { font-size: 0.85rem; color: #555; }
.servsim-notice .v-alert { margin: 2px 8px; padding: 4px 12px; }
.servsim-table { border-collapse: collapse; font-size: 0.85rem; }
.servsim-table th, .servsim-table td { padding: 1px 8px; border-bottom: 1px solid #ddd; }
.servsim-table td + td, .servsim-table th + th { text-align: right; }
.servsim-levers { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px; }
.servsim-lesson-step { margin: 4px 0; }
.v-window__container { min-height: 0; }
"""


# --------------------------------------------------------------------------- small parts


def _slider(label: str, css: str, value: float, lo: float, hi: float, step: float,
            on_value, integer: bool, shown: str) -> None:
    """A slider with its label and current value and unit on a line above it."""
    with solara.Div(classes=["servsim-lever", css]):
        solara.HTML(unsafe_innerHTML=(
            f"{html.escape(label)}: <span class='servsim-lever-value'>{html.escape(shown)}"
            "</span>"), classes=["servsim-lever-label"])
        if integer:
            solara.SliderInt("", value=int(value), min=int(lo), max=int(hi), step=int(step),
                             on_value=on_value, thumb_label=False)
        else:
            solara.SliderFloat("", value=float(value), min=lo, max=hi, step=step,
                               on_value=on_value, thumb_label=False)


def _choice(label: str, css: str, values: Sequence[str], value: str, on_value) -> None:
    with solara.Div(classes=[css]):
        solara.Select(label, values=list(values), value=value, on_value=on_value)


def _html_table(rows: list[tuple[str, str, str]]) -> str:
    head = "<tr><th>outcome</th><th>A</th><th>B</th></tr>"
    body = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(x)}</td>"
                   f"<td>{html.escape(y)}</td></tr>" for n, x, y in rows)
    return f"<table class='servsim-table'>{head}{body}</table>"


@solara.component
def VegaChart(spec: dict[str, Any], key: str) -> None:
    """One Vega-Lite chart (drawn in the browser; hover for values) in a box named ``key``."""
    with solara.Div(classes=["servsim-chart", f"chart-{key}"]):
        solara.widgets.VegaLite.element(spec=spec)


def wanted_settings(session: Session, mesa_inputs: dict[str, Any]) -> Settings:
    """What the controls say now: the scenario cards plus Mesa's class size, seed and horizon."""
    s = session.settings.value
    try:
        seed = parse_seed(mesa_inputs.get("seed", s.seed))
    except ScenarioError:
        seed = -1  # not a seed: differs from any run
    return dataclasses.replace(
        s, n_customers=int(mesa_inputs.get("n_customers", s.n_customers)), seed=seed,
        days=HORIZONS.get(mesa_inputs.get("horizon", ""), s.days))


def model_params(session: Session) -> dict[str, Any]:
    """Mesa's ``ModelCreator`` inputs: the session (fixed), class size, seed and horizon."""
    lo, hi, step = CUSTOMERS_RANGE
    return {
        "session": session,
        "n_customers": {"type": "SliderInt", "value": DEFAULT_CUSTOMERS, "min": lo, "max": hi,
                        "step": step, "label": "Customers (class size)"},
        "seed": {"type": "InputText", "value": "0", "label": "Seed (same seed, same run)"},
        "horizon": {"type": "Select", "value": DEFAULT_HORIZON_LABEL,
                    "values": list(HORIZONS), "label": "Horizon"},
    }


# --------------------------------------------------------------------------- the top of the page


@solara.component
def ControlBar(model: Classroom, playing: solara.Reactive, pace: solara.Reactive,
               step_days: solara.Reactive, day: solara.Reactive, on_reset, on_step,
               on_play) -> None:
    """Reset, ▶ Play / ❚❚ Pause, Step, the pace and step sliders, and the current day.

    Only this component reads the published day, so showing a new day redraws
    nothing else.
    """
    run = model.run
    with solara.Row(classes=["servsim-bar"]):
        solara.Button("Reset", color="primary", on_click=on_reset)
        solara.Button("❚❚" if playing.value else "▶", color="primary",
                      on_click=on_play,
                      disabled=not model.running, classes=["servsim-play"])
        solara.Button("Step", color="primary", on_click=on_step,
                      disabled=playing.value or not model.running)
        lo, hi, inc = SLIDER_RANGES["play.days_per_second"]
        with solara.Div(classes=["servsim-bar-slider", "servsim-pace"]):
            solara.HTML(unsafe_innerHTML=(
                f"Speed of ▶: <span class='servsim-lever-value'>{pace.value} days per second"
                "</span>"), classes=["servsim-lever-label"])
            solara.SliderInt("", value=pace, min=int(lo), max=int(hi), step=int(inc),
                             thumb_label=False)
        lo, hi, inc = SLIDER_RANGES["play.days_per_step"]
        with solara.Div(classes=["servsim-bar-slider", "servsim-step-days"]):
            solara.HTML(unsafe_innerHTML=(
                f"Step: <span class='servsim-lever-value'>{step_days.value} days</span>"),
                classes=["servsim-lever-label"])
            solara.SliderInt("", value=step_days, min=int(lo), max=int(hi), step=int(inc),
                             thumb_label=False)
        solara.HTML(unsafe_innerHTML=(
            f"<span class='servsim-kpi-name'>Day</span>"
            f"<span class='servsim-kpi-value'>{day.value}</span> "
            f"<span class='servsim-day-of'>of {run.horizon}</span>"),
            classes=["servsim-day", "kpi-day"])


@solara.component
def Notice(model: Classroom, session: Session, mesa_inputs: dict[str, Any],
           tick: solara.Reactive) -> None:
    """One line: an error, what changed since the last Reset, or the horizon reached."""
    tick.value  # noqa: B018 - redrawn with the charts (the horizon notice)
    run = model.run
    error = model.error or session.error.value
    changed = changed_inputs(wanted_settings(session, mesa_inputs), run.settings)
    with solara.Div(classes=["servsim-notice"]):
        if error:
            solara.Error(f"Not applied: {error}", classes=["servsim-error"], dense=True)
        elif changed:
            solara.Info(f"Changed: {', '.join(changed)} — press Reset to apply.",
                        classes=["servsim-pending"], dense=True)
        elif run.done:
            solara.Info(f"Horizon reached ({run.horizon} days): press Reset to run again.",
                        classes=["servsim-done"], dense=True)
    solara.HTML(unsafe_innerHTML=(
        f"<b>A:</b> {html.escape(run.settings.describe())} · "
        f"{run.params.sim.n_customers:,} customers · seed {run.params.sim.seed} · "
        f"horizon {run.horizon} days"
        + (f" · <b>B</b> = A with {html.escape(run.compare)}" if run.b is not None else "")),
        classes=["servsim-running", "servsim-note"], style={"padding": "0 8px"})


@solara.component
def Headline(model: Classroom, tick: solara.Reactive) -> None:
    """The focal firm's headline numbers (day, customers, satisfaction, NPS, profit, morale)."""
    tick.value  # noqa: B018 - redrawn with the charts
    rows_a, _ = model.tables()
    with solara.Row(classes=["servsim-kpis"]):
        for name, value in headline(model.run.a, rows_a).items():
            if name == "Day":
                continue  # the control bar shows the day
            slug = name.lower().replace(" ", "-")
            solara.HTML(unsafe_innerHTML=(
                f"<span class='servsim-kpi-name'>{html.escape(name)}</span>"
                f"<span class='servsim-kpi-value'>{html.escape(value)}</span>"),
                classes=["servsim-kpi", f"kpi-{slug}"])


# --------------------------------------------------------------------------- the tabs


@solara.component
def ChartsTab(model: Classroom, tick: solara.Reactive) -> None:
    """A's five charts and A against B's profit, three to a row."""
    with solara.Div(classes=["servsim-grid"]):
        for turn, key in enumerate(CHARTS):
            ChartInTurn(model, tick, turn, key)
        if model.run.b is not None:
            ChartInTurn(model, tick, len(CHARTS), "profit-ab")


def _spec(model: Classroom, key: str) -> dict[str, Any]:
    rows_a, rows_b = model.tables()
    if key in CHARTS:
        return chart_spec(key, rows_a)
    panel = ("profit", "cumulative profit (cu = currency units)",
             lambda r: r["profit"].cumsum(), 0)
    return compare_spec(rows_a, rows_b, model.run.compare, panels=(panel,)) | {
        "title": {"text": "Profit: A against B", "fontSize": 14, "anchor": "start"}}


@solara.component
def ChartInTurn(model: Classroom, tick: solara.Reactive, turn: int, key: str) -> None:
    """Chart ``key``, redrawn when its turn comes (every :data:`ROUND` ticks, offset ``turn``)."""
    due = (tick.value + turn) // ROUND
    spec = solara.use_memo(lambda: _spec(model, key), [id(model.run), due])
    VegaChart(spec, key)


@solara.component
def NetworkTab(model: Classroom, tick: solara.Reactive, colour_by: solara.Reactive) -> None:
    """The sampled customers, their ties and today's word of mouth."""
    tick.value  # noqa: B018 - redrawn with the charts
    run = model.run
    nodes, ties, messages = network_tables(run)
    n_good = int((messages["said"] == "good").sum())
    title = (f"Day {run.day}: {len(nodes)} customers and their ties; today "
             f"{n_good} good and {len(messages) - n_good} bad words between them")
    solara.Text(f"Day {run.day}: today {n_good} good and {len(messages) - n_good} bad words "
                "between these customers", classes=["servsim-wom-count"])
    with solara.Row(style={"align-items": "center"}, classes=["servsim-colour-by"]):
        solara.Text("Colour customers by", classes=["servsim-note"])
        solara.ToggleButtonsSingle(value=colour_by, values=["satisfaction", "stage"],
                                   dense=True)
        solara.Text("Green / red lines: who told whom good / bad things today. Hover a "
                    "customer or a line.", classes=["servsim-note"])
    VegaChart(network_spec(nodes, ties, messages, colour_by.value, title), "network")


@solara.component
def CompareTab(model: Classroom, tick: solara.Reactive) -> None:
    """A against B: four charts and the table of outcomes so far."""
    tick.value  # noqa: B018 - redrawn with the charts
    run = model.run
    rows_a, rows_b = model.tables()
    if run.b is None or rows_b is None:
        solara.Text("B is off: choose what B changes under 'Scenario and levers' "
                    "(B changes), then Reset.", classes=["servsim-compare-labels"])
        return
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap"}):
        with solara.Div(style={"flex": "1 1 600px"}):
            VegaChart(compare_spec(rows_a, rows_b, run.compare), "compare")
        with solara.Div(classes=["servsim-compare-outcomes"]):
            solara.HTML(unsafe_innerHTML=(
                f"<b>A</b> = {html.escape(run.settings.describe())}<br>"
                f"<b>B</b> = A with <b>{html.escape(run.compare)}</b>"),
                classes=["servsim-compare-labels", "servsim-note"])
            solara.HTML(unsafe_innerHTML=_html_table(compare_outcomes(rows_a, rows_b)),
                        classes=["servsim-compare-table"])


@solara.component
def LeversTab(session: Session, model: solara.Reactive, mesa_inputs: solara.Reactive) -> None:
    """Mesa's class inputs, the presets, the levers, the comparison and free overrides."""
    s: Settings = session.settings.value

    def group_setter(group: str):
        return lambda option: session.update(lambda old: choose(old, **{group: option}))

    def field_setter(name: str):
        return lambda v: session.update(lambda old: dataclasses.replace(old, **{name: str(v)}))

    def lever_setter(lever: Lever):
        return lambda v: session.update(lambda old: dataclasses.replace(
            old, levers={**old.levers, lever.key: lever.clean(v)}))

    def levers(section: str) -> None:
        for key in LEVER_SECTIONS[section]:
            lever = LEVERS[key]
            value = s.levers.get(key, lever.lo)
            _slider(lever.label, "lever-" + key.replace(".", "-"), value, lever.lo, lever.hi,
                    lever.step, lever_setter(lever), lever.integer, lever.text(value))

    def load_preset(name: str) -> None:
        session.preset.value = name
        session.update(lambda old: preset_settings(name, old))

    inputs = mesa_inputs.value
    with solara.Div(classes=["servsim-levers"]):
        with solara.Card("Class (Mesa's model parameters)", margin=0):
            ModelCreator(model, solara.use_memo(lambda: model_params(session), []),
                         model_parameters=mesa_inputs)
            solara.HTML(unsafe_innerHTML=(
                f"Customers: <span class='servsim-lever-value'>"
                f"{int(inputs.get('n_customers', DEFAULT_CUSTOMERS)):,} customers</span> · "
                f"seed <span class='servsim-lever-value'>{html.escape(str(inputs.get('seed')))}"
                f"</span> · <span class='servsim-lever-value'>"
                f"{html.escape(str(inputs.get('horizon')))}</span>"),
                classes=["servsim-lever-label", "servsim-class-values"])
        with solara.Card("Scenario (applied on Reset)", margin=0):
            _choice("Preset (the seeds' cases)", "servsim-preset", PRESETS,
                    session.preset.value, load_preset)
            solara.Text(PRESETS[session.preset.value].note, classes=["servsim-note"])
            _choice("Market", "servsim-market", GROUP_OPTIONS["market"], s.market,
                    group_setter("market"))
            _choice("Service stage", "servsim-stage", GROUP_OPTIONS["stage"], s.stage,
                    group_setter("stage"))
        with solara.Card("Compare: B is A with one change", margin=0):
            _choice("B changes", "servsim-compare", COMPARISONS, s.compare,
                    field_setter("compare"))
            with solara.Div(classes=["servsim-extra"]):
                solara.InputText("Advanced: Hydra overrides (key=value ...)", value=s.extra,
                                 continuous_update=False, on_value=field_setter("extra"))
        with solara.Card("Positioning and promise", margin=0):
            _choice("Positioning (strategy preset)", "servsim-strategy",
                    GROUP_OPTIONS["strategy"], s.strategy, group_setter("strategy"))
            levers("Positioning and promise")
        with solara.Card("Organisation and recovery", margin=0):
            _choice("Organisation", "servsim-org", GROUP_OPTIONS["org"], s.org,
                    group_setter("org"))
            levers("Organisation and recovery")
        with solara.Card("People and word of mouth", margin=0):
            levers("People")
            levers("Word of mouth")


@solara.component
def LessonTab(model: Classroom, tick: solara.Reactive, lesson_index: solara.Reactive, on_setup,
              on_play) -> None:
    """The chosen exercise as steps: set up, predict, play, read the result."""
    tick.value  # noqa: B018 - redrawn with the charts
    lesson = LESSONS[lesson_index.value]
    run = model.run
    revealed = solara.use_reactive(False)
    with solara.Row(style={"align-items": "center"}):
        solara.ToggleButtonsSingle(value=lesson_index.value, values=list(range(len(LESSONS))),
                                   on_value=lambda i: (lesson_index.set(i), revealed.set(False)),
                                   children=[solara.Button(f"Exercise {i + 1}")
                                             for i in range(len(LESSONS))])
    solara.Markdown(f"### {lesson.title}\n{lesson.question}")
    set_up = run.settings.compare == lesson.compare and run.day == 0
    with solara.Div(classes=["servsim-lesson-step", "lesson-setup"]):
        solara.Button("1. Set up this exercise", color="primary",
                      on_click=lambda: (on_setup(lesson), revealed.set(False)))
        solara.Text(f" preset '{lesson.preset}', B = A with {lesson.compare}; then Reset."
                    + (" Ready." if set_up else ""), classes=["servsim-note"])
    with solara.Div(classes=["servsim-lesson-step", "lesson-predict"]):
        solara.Markdown(f"**2.** {lesson.predict}")
    with solara.Div(classes=["servsim-lesson-step", "lesson-play"]):
        stop = lesson.first_stop if lesson.first_stop and run.day < lesson.first_stop else None
        label = f"3. ▶ Play to day {stop}" if stop else f"3. ▶ Play to day {run.horizon}"
        solara.Button(label, color="primary", disabled=not model.running,
                      on_click=lambda: on_play(stop))
    with solara.Div(classes=["servsim-lesson-step", "lesson-read"]):
        solara.Button("4. Read the result: what to look for", on_click=lambda: revealed.set(True))
        rows_a, rows_b = model.tables()
        if rows_b is not None and len(rows_a):
            solara.HTML(unsafe_innerHTML=_html_table(compare_outcomes(rows_a, rows_b)),
                        classes=["servsim-compare-table"])
        if revealed.value:
            with solara.Div(classes=["lesson-look-for"]):
                solara.Markdown("\n".join(f"- {line}" for line in lesson.look_for))


# --------------------------------------------------------------------------- the page


@solara.component
def Page():
    """The classroom page of one browser tab (its own session, run and player)."""
    session = solara.use_memo(Session.new, [])
    model = solara.use_reactive(solara.use_memo(lambda: Classroom(session), []))
    mesa_inputs = solara.use_reactive({})
    playing = solara.use_reactive(False)
    pace = solara.use_reactive(DEFAULT_PACE)
    step_days = solara.use_reactive(DEFAULT_STEP_DAYS)
    day = solara.use_reactive(0)
    tick = solara.use_reactive(0)
    tab = solara.use_reactive(0)
    colour_by = solara.use_reactive("satisfaction")
    lesson_index = solara.use_reactive(0)
    until = solara.use_reactive(None)
    player = solara.use_memo(Player, [])
    player.pace = pace.value

    def publish() -> None:
        """Show the day and redraw every chart (after Step, Reset, Pause)."""
        day.set(model.value.run.day)
        tick.set(tick.value + ROUND)

    def play_loop(cancel: threading.Event) -> None:
        """While playing: the player steps days; this shows the day and redraws charts."""
        if not playing.value:
            return
        player.start(model.value, until=until.value)
        last_chart = time.monotonic()
        try:
            while not cancel.is_set() and player.playing:
                day.set(model.value.run.day)
                if time.monotonic() - last_chart >= CHART_PERIOD_S / ROUND:
                    tick.set(tick.value + 1)
                    last_chart = time.monotonic()
                cancel.wait(DAY_PERIOD_S)
        finally:
            ended = not player.stopped  # the horizon or the lesson's stop, not Pause or Reset
            player.stop()
            publish()
        if not cancel.is_set() and ended:
            until.set(None)
            playing.set(False)

    solara.use_thread(play_loop, dependencies=[playing.value, model.value], intrusive_cancel=False)

    def reset() -> None:
        playing.set(False)
        player.stop()
        inputs = {k: v for k, v in mesa_inputs.value.items() if k != "session"}
        model.set(Classroom(session, **inputs))
        publish()

    def step() -> None:
        for _ in range(int(step_days.value)):
            if not model.value.running:
                break
            model.value.step()
        publish()

    def toggle_play() -> None:
        if playing.value:  # stop the days first, so the day shown with ▶ is final
            player.stop()
            publish()
            playing.set(False)
        else:
            playing.set(True)

    def setup_lesson(lesson) -> None:
        session.update(lambda old: lesson.settings(old))
        session.preset.value = lesson.preset
        reset()

    def play_lesson(stop_at: int | None) -> None:
        until.set(stop_at)
        playing.set(True)

    solara.Style(CSS)
    solara.Title("servsim classroom")
    with solara.Column(gap="2px", style={"padding": "0"}):
        ControlBar(model.value, playing, pace, step_days, day, reset, step, toggle_play)
        Notice(model.value, session, mesa_inputs.value, tick)
        Headline(model.value, tick)
        with solara.lab.Tabs(value=tab):
            with solara.lab.Tab(TABS[0], classes=["tab-charts"]):
                if tab.value == 0:
                    ChartsTab(model.value, tick)
            with solara.lab.Tab(TABS[1], classes=["tab-network"]):
                if tab.value == 1:
                    NetworkTab(model.value, tick, colour_by)
            with solara.lab.Tab(TABS[2], classes=["tab-compare"]):
                if tab.value == 2:
                    CompareTab(model.value, tick)
            with solara.lab.Tab(TABS[3], classes=["tab-levers"]):
                LeversTab(session, model, mesa_inputs)
            with solara.lab.Tab(TABS[4], classes=["tab-lesson"]):
                if tab.value == 4:
                    LessonTab(model.value, tick, lesson_index, setup_lesson,
                              play_lesson)


__all__ = ["CHART_PERIOD_S", "DAY_PERIOD_S", "DEFAULT_PACE", "DEFAULT_STEP_DAYS", "TABS", "TITLE",
           "ChartsTab", "CompareTab", "ControlBar", "Headline", "LessonTab", "LeversTab",
           "NetworkTab", "Notice", "Page", "VegaChart", "empty_spec", "model_params",
           "wanted_settings"]
