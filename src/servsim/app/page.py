"""The page: Mesa's SolaraViz with servsim's scenario cards and charts.

``servsim-demo`` serves this module with ``solara run``; :func:`Page` is the
page.  Components only draw: what runs is :mod:`servsim.app.runs`, what the
controls mean is :mod:`servsim.app.settings`, the figures are
:mod:`servsim.app.charts`.
"""

from __future__ import annotations

import dataclasses
import functools
import html
from collections.abc import Sequence
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from servsim.app.charts import CHARTS, fig_compare, fig_network
from servsim.app.runs import Classroom, Session, compare_outcomes, headline
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
    Lever,
    Settings,
    choose,
    preset_settings,
)

TITLE = "servsim: which service strategy builds loyalty and profit?"

CSS = """
.servsim-kpi { min-width: 110px; }
.servsim-kpi-name { display: block; font-size: 0.8rem; color: #666; }
.servsim-kpi-value { display: block; font-size: 1.4rem; font-weight: 600; }
.servsim-chart img { max-width: 100%; max-height: 300px; width: auto; height: auto;
                     display: block; margin: 0 auto; }
.servsim-chart.chart-network img, .servsim-chart.chart-compare img { max-height: 270px; }
.servsim-compare-labels { font-size: 0.8rem; }
.servsim-chart .v-card__title { font-size: 1rem; padding: 8px 12px; }
.servsim-lever-label { font-size: 0.85rem; color: #444; }
.servsim-lever .v-input { margin-top: 0; padding-top: 0; }
.servsim-lever .v-messages { display: none; }
.servsim-note { font-size: 0.85rem; color: #555; }
.servsim-table { border-collapse: collapse; font-size: 0.8rem; }
.servsim-table th, .servsim-table td { padding: 1px 8px; border-bottom: 1px solid #ddd; }
.servsim-table td + td, .servsim-table th + th { text-align: right; }
.vue-grid-item { overflow: auto; }
"""


def _slider(label: str, css: str, value: float, lo: float, hi: float, step: float,
            on_value, integer: bool) -> None:
    """A slider with its label and current value on a line of their own above it."""
    with solara.Div(classes=["servsim-lever", css]):
        solara.Text(label, classes=["servsim-lever-label"])
        if integer:
            solara.SliderInt("", value=int(value), min=int(lo), max=int(hi), step=int(step),
                             on_value=on_value, thumb_label=False)
        else:
            solara.SliderFloat("", value=float(value), min=lo, max=hi, step=step,
                               on_value=on_value, thumb_label=False)


def _choice(label: str, css: str, values: Sequence[str], value: str, on_value) -> None:
    with solara.Div(classes=[css]):
        solara.Select(label, values=list(values), value=value, on_value=on_value)


@solara.component
def Chart(title: str | None, figure_fn, args: tuple, key: str, dependencies: list) -> None:
    """One matplotlib chart (in a card if titled), redrawn when ``dependencies`` change."""
    fig = solara.use_memo(lambda: figure_fn(*args), dependencies)
    if title is None:
        with solara.Div(classes=["servsim-chart", f"chart-{key}"]):
            solara.FigureMatplotlib(fig, format="png", dependencies=dependencies)
    else:
        with solara.Card(title, classes=["servsim-chart", f"chart-{key}"], margin=0):
            solara.FigureMatplotlib(fig, format="png", dependencies=dependencies)


@solara.component
def ScenarioControls(session: Session) -> None:
    """The scenario cards (in SolaraViz's sidebar, under Mesa's Controls and Model Parameters).

    Presets, positioning, organisation, people, stage and market, overrides
    and the comparison; a preset or a config-group option moves every
    control to its composed values.  Changes apply on Mesa's Reset.
    """
    s: Settings = session.settings.value

    def group_setter(group: str):
        return lambda option: session.update(lambda old: choose(old, **{group: option}))

    def field_setter(name: str, convert):
        return lambda v: session.update(
            lambda old: dataclasses.replace(old, **{name: convert(v)}))

    def lever_setter(lever: Lever):
        def on_value(v):
            session.update(lambda old: dataclasses.replace(
                old, levers={**old.levers, lever.key: lever.clean(v)}))
        return on_value

    def levers(section: str) -> None:
        for key in LEVER_SECTIONS[section]:
            lever = LEVERS[key]
            value = s.levers.get(key, lever.lo)
            _slider(f"{lever.label}: {lever.text(value)}", "lever-" + key.replace(".", "-"),
                    value, lever.lo, lever.hi, lever.step, lever_setter(lever), lever.integer)

    def load_preset(name: str) -> None:
        session.preset.value = name
        session.update(lambda old: preset_settings(name, old))

    with solara.Card("Scenario (applied on Reset)"):
        _choice("Preset (the seeds' cases)", "servsim-preset", PRESETS, session.preset.value,
                load_preset)
        solara.Text(PRESETS[session.preset.value].note, classes=["servsim-note"])
    with solara.Card("Positioning and promise"):
        _choice("Positioning (strategy preset)", "servsim-strategy", GROUP_OPTIONS["strategy"],
                s.strategy, group_setter("strategy"))
        levers("Positioning and promise")
    with solara.Card("Organisation and recovery"):
        _choice("Organisation", "servsim-org", GROUP_OPTIONS["org"], s.org, group_setter("org"))
        levers("Organisation and recovery")
    with solara.Card("People"):
        levers("People")
    with solara.Card("Service stage and market"):
        _choice("Service stage", "servsim-stage", GROUP_OPTIONS["stage"], s.stage,
                group_setter("stage"))
        _choice("Market", "servsim-market", GROUP_OPTIONS["market"], s.market,
                group_setter("market"))
        levers("Word of mouth")
    with solara.Card("Compare: B is A with one change"):
        _choice("B changes", "servsim-compare", COMPARISONS, s.compare,
                field_setter("compare", str))
        with solara.Div(classes=["servsim-extra"]):
            solara.InputText("Advanced: Hydra overrides (key=value ...)", value=s.extra,
                             continuous_update=False, on_value=field_setter("extra", str))


@solara.component
def Overview(model: Classroom) -> None:
    """SolaraViz component: what runs, the error or pending notice, and the headline numbers.

    It also puts :func:`ScenarioControls` in SolaraViz's sidebar (a Solara
    ``Sidebar`` may be opened from any component) and the page's style.
    """
    update_counter.get()
    session = model.session
    current = model.run
    rows_a, _ = model.tables()
    solara.Style(CSS)
    solara.Title("servsim classroom")
    if session is not None:
        with solara.Sidebar():
            ScenarioControls(session)
    error = model.error or (session.error.value if session is not None else None)
    with solara.Card(classes=["servsim-overview"], margin=0):
        solara.HTML(unsafe_innerHTML=(
            f"<b>A:</b> {html.escape(current.settings.describe())} · "
            f"{current.params.sim.n_customers:,} customers · seed {current.params.sim.seed} · "
            f"horizon {current.horizon} days"), classes=["servsim-running"])
        if error:
            solara.Error(f"Not applied: {error}", classes=["servsim-error"], dense=True)
        elif session is not None and session.settings.value != current.settings:
            solara.Info("Scenario changed: press Reset to apply it.",
                        classes=["servsim-pending"], dense=True)
        elif current.done:
            solara.Info(f"Horizon reached ({current.horizon} days): press Reset to run again.",
                        classes=["servsim-done"], dense=True)
        with solara.Row(classes=["servsim-kpis"], style={"flex-wrap": "wrap"}):
            for name, value in headline(current.a, rows_a).items():
                slug = name.lower().replace(" ", "-")
                with solara.Card(classes=["servsim-kpi", f"kpi-{slug}"], margin=0):
                    solara.Text(name, classes=["servsim-kpi-name"])
                    solara.Text(value, classes=["servsim-kpi-value"])


@solara.component
def ChartOfA(model: Classroom, key: str) -> None:
    """Chart ``key`` of :data:`~servsim.app.charts.CHARTS` for A's focal firm, redrawn each step."""
    update_counter.get()
    title, figure_fn = CHARTS[key]
    rows_a, _ = model.tables()
    Chart(title, figure_fn, (rows_a,), key, [id(model.run), model.run.day])


def chart_component(key: str):
    """The one chart factory: a SolaraViz component (a function of the model) for chart ``key``."""
    if key not in CHARTS:
        raise KeyError(f"no chart {key!r}; charts: {', '.join(CHARTS)}")
    return functools.partial(ChartOfA, key=key)


CHART_COMPONENTS = {key: chart_component(key) for key in CHARTS}
"""One component per chart of A, made by :func:`chart_component`."""


@solara.component
def NetworkChart(model: Classroom) -> None:
    """SolaraViz component: a sample of A's customers and their ties, coloured by choice."""
    update_counter.get()
    local = solara.use_reactive("satisfaction")
    colour = model.session.colour_by if model.session is not None else local
    current = model.run
    with solara.Column(gap="0px"):
        Chart(f"Word of mouth: {len(current.network.nodes)} customers and their ties",
              fig_network, (current.a, current.network, colour.value), "network",
              [id(current), current.day, colour.value])
        with solara.Row(classes=["servsim-colour-by"], style={"align-items": "center"}):
            solara.Text("Colour by", classes=["servsim-note"])
            solara.ToggleButtonsSingle(value=colour, values=["satisfaction", "stage"],
                                       dense=True)


@solara.component
def CompareChart(model: Classroom) -> None:
    """SolaraViz component: A against B, four panels."""
    update_counter.get()
    current = model.run
    rows_a, rows_b = model.tables()
    with solara.Card("Compare A and B (same seed, stepped together)",
                     classes=["servsim-compare-card"], margin=0):
        if current.b is None or rows_b is None:
            solara.Text("Choose what B changes in the sidebar (Compare), then Reset.")
        else:
            solara.HTML(unsafe_innerHTML=(
                f"<b>A</b> = {html.escape(current.settings.describe())}<br>"
                f"<b>B</b> = A with <b>{html.escape(current.compare)}</b>"),
                classes=["servsim-compare-labels"])
            Chart(None, fig_compare, (rows_a, rows_b, "A", f"B: {current.compare}"),
                  "compare", [id(current), current.day])


@solara.component
def CompareTable(model: Classroom) -> None:
    """SolaraViz component: A's and B's outcomes so far."""
    update_counter.get()
    current = model.run
    rows_a, rows_b = model.tables()
    with solara.Card("A and B so far", classes=["servsim-compare-outcomes"], margin=0):
        if current.b is None or rows_b is None:
            solara.Text("No comparison: B is off.")
        else:
            solara.HTML(unsafe_innerHTML=_html_table(compare_outcomes(rows_a, rows_b)),
                        classes=["servsim-compare-table"])


COMPONENTS = [Overview, *CHART_COMPONENTS.values(), NetworkChart, CompareChart, CompareTable]
"""SolaraViz's components, all on page 0 (two per row in its grid)."""

DEFAULT_HORIZON_LABEL = next(k for k, v in HORIZONS.items() if v == DEFAULT_HORIZON)
RENDER_INTERVAL = 7
"""Days per Step (Mesa's *Render Interval*): a week."""
PLAY_INTERVAL_MS = 50


def model_params(session: Session) -> dict[str, Any]:
    """SolaraViz's ``model_params``: the session (fixed) and Mesa's Model Parameters inputs.

    Class size, seed and horizon are kept when a preset loads, so Mesa's
    fixed-initial-value inputs suit them.
    """
    lo, hi, step = CUSTOMERS_RANGE
    return {
        "session": session,
        "n_customers": {"type": "SliderInt", "value": DEFAULT_CUSTOMERS, "min": lo, "max": hi,
                        "step": step, "label": "Customers (class size)"},
        "seed": {"type": "InputText", "value": "0", "label": "Seed (same seed, same run)"},
        "horizon": {"type": "Select", "value": DEFAULT_HORIZON_LABEL,
                    "values": list(HORIZONS), "label": "Horizon"},
    }


@solara.component
def Page():
    """The dashboard: Mesa's SolaraViz on a :class:`Classroom` model of this session."""
    session = solara.use_memo(Session.new, [])
    model = solara.use_reactive(solara.use_memo(lambda: Classroom(session), []))
    params = solara.use_memo(lambda: model_params(session), [])
    return SolaraViz(model, components=COMPONENTS, model_params=params, name=TITLE,
                     play_interval=PLAY_INTERVAL_MS, render_interval=RENDER_INTERVAL)


def _html_table(rows: list[tuple[str, str, str]]) -> str:
    head = "<tr><th>outcome</th><th>A</th><th>B</th></tr>"
    body = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(x)}</td>"
                   f"<td>{html.escape(y)}</td></tr>" for n, x, y in rows)
    return f"<table class='servsim-table'>{head}{body}</table>"
