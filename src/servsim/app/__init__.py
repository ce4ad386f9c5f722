"""The classroom dashboard: a Mesa page on servsim's model, offline.

Run it with ``servsim-demo`` (or ``make demo``), which serves
:mod:`servsim.app.lessons`
    docs/teaching.md's exercises as guided steps (lesson mode).
:mod:`servsim.app.page` with ``solara run servsim.app.page --host 127.0.0.1
--port 8765 --production``.

Modules
-------
:mod:`servsim.app.settings`
    what the controls say: config groups, levers and their slider ranges,
    presets, comparisons; :class:`Settings` -> validated ``Params`` by the
    ``servsim`` command's Hydra composition; one-line refusals.
:mod:`servsim.app.runs`
    the models on screen (:class:`Run`: A and B stepped together), the
    ``mesa.Model`` the page drives (:class:`Classroom`) and a browser tab's
    controls (:class:`Session`); the only module that reads model state.
:mod:`servsim.app.charts`
    the charts as Vega-Lite specs (interactive, drawn offline in the browser).
:mod:`servsim.app.lessons`
    docs/teaching.md's exercises as guided steps (lesson mode).
:mod:`servsim.app.page`
    the Solara components and :func:`Page`.

The app imports the model; the model knows nothing of the app.  The names
below are re-exported so that ``from servsim import app`` reaches them all.
"""

from servsim.app.charts import (
    CHARTS,
    COMPARE_PANELS,
    STAGE_COLOURS,
    chart_spec,
    compare_spec,
    network_spec,
)
from servsim.app.lessons import LESSONS, Lesson
from servsim.app.page import (
    DEFAULT_PACE,
    DEFAULT_STEP_DAYS,
    TABS,
    TITLE,
    Page,
    model_params,
    wanted_settings,
)
from servsim.app.runs import (
    Classroom,
    NetworkSample,
    Player,
    Run,
    Session,
    compare_outcomes,
    customer_state,
    focal_rows,
    headline,
    network_tables,
    sample_network,
    watch_word_of_mouth,
)
from servsim.app.settings import (
    COMPARISONS,
    CUSTOMERS_RANGE,
    DEFAULT_CUSTOMERS,
    DEFAULT_HORIZON,
    DEFAULT_PRESET,
    GROUP_OPTIONS,
    HORIZONS,
    LEVER_SECTIONS,
    LEVERS,
    NO_COMPARISON,
    PRESETS,
    SLIDER_RANGES,
    Lever,
    Preset,
    ScenarioError,
    Settings,
    apply_overrides,
    build_params,
    changed_inputs,
    choose,
    comparison_settings,
    composed,
    lever_values,
    parse_seed,
    preset_settings,
    refuse_resolvers,
)

__all__ = [
    "CHARTS", "COMPARE_PANELS", "COMPARISONS", "CUSTOMERS_RANGE", "Classroom",
    "DEFAULT_CUSTOMERS", "DEFAULT_HORIZON", "DEFAULT_PACE", "DEFAULT_PRESET",
    "DEFAULT_STEP_DAYS", "GROUP_OPTIONS", "HORIZONS", "LESSONS", "LEVERS", "LEVER_SECTIONS",
    "Lesson", "Lever", "NO_COMPARISON", "NetworkSample", "PRESETS", "Page", "Player", "Preset",
    "Run", "SLIDER_RANGES", "STAGE_COLOURS", "ScenarioError", "Session", "Settings", "TABS",
    "TITLE", "apply_overrides", "build_params", "changed_inputs", "chart_spec", "choose",
    "compare_outcomes", "compare_spec", "comparison_settings", "composed", "customer_state",
    "focal_rows", "headline", "lever_values", "model_params", "network_spec", "network_tables",
    "parse_seed", "preset_settings", "refuse_resolvers", "sample_network", "wanted_settings",
    "watch_word_of_mouth",
]
