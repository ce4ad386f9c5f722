"""The classroom dashboard: a Mesa page on servsim's model, offline.

Run it with ``servsim-demo`` (or ``make demo``), which serves
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
    the figures (pure functions of the focal firm's rows and the network).
:mod:`servsim.app.page`
    the Solara components and :func:`Page`.

The app imports the model; the model knows nothing of the app.  The names
below are re-exported so that ``from servsim import app`` reaches them all.
"""

from servsim.app.charts import (
    CHARTS,
    COMPARE_PANELS,
    STAGE_COLOURS,
    fig_compare,
    fig_complaints,
    fig_money,
    fig_network,
    fig_satisfaction,
    fig_staff,
    fig_stages,
)
from servsim.app.page import (
    CHART_COMPONENTS,
    COMPONENTS,
    PLAY_INTERVAL_MS,
    RENDER_INTERVAL,
    TITLE,
    Page,
    chart_component,
    model_params,
)
from servsim.app.runs import (
    Classroom,
    NetworkSample,
    Run,
    Session,
    compare_outcomes,
    customer_state,
    focal_rows,
    headline,
    sample_network,
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
    Lever,
    Preset,
    ScenarioError,
    Settings,
    apply_overrides,
    build_params,
    choose,
    comparison_settings,
    composed,
    lever_values,
    parse_seed,
    preset_settings,
    refuse_resolvers,
)

__all__ = [
    "CHARTS", "COMPARE_PANELS", "STAGE_COLOURS", "fig_compare", "fig_complaints", "fig_money",
    "fig_network", "fig_satisfaction", "fig_stages", "fig_staff", "CHART_COMPONENTS",
    "COMPONENTS", "PLAY_INTERVAL_MS", "RENDER_INTERVAL", "TITLE", "Page", "chart_component",
    "model_params", "Classroom", "NetworkSample", "Run", "Session", "compare_outcomes",
    "customer_state", "focal_rows", "headline", "sample_network", "COMPARISONS",
    "CUSTOMERS_RANGE", "DEFAULT_CUSTOMERS", "DEFAULT_HORIZON", "DEFAULT_PRESET",
    "GROUP_OPTIONS", "HORIZONS", "LEVER_SECTIONS", "LEVERS", "NO_COMPARISON", "PRESETS",
    "Lever", "Preset", "ScenarioError", "Settings", "apply_overrides", "build_params",
    "choose", "comparison_settings", "composed", "lever_values", "parse_seed",
    "preset_settings", "refuse_resolvers",
]
