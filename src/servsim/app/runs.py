"""The runs on screen: model A (and B, A with one change), stepped together.

:class:`Run` holds the :class:`~servsim.model.ServiceMarket` models built
from the controls; :class:`Classroom` is the ``mesa.Model`` the page drives
(one Mesa step is one day of A and B); :class:`Session` is one browser tab's
controls.  The page reads the models only through the functions of this
module (:func:`customer_state`, :func:`focal_rows`, :func:`sample_network`,
:func:`headline`), so a renamed model attribute is a change here only.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import solara

from servsim.app.settings import (
    COMPARISONS,
    DEFAULT_CUSTOMERS,
    DEFAULT_PRESET,
    HORIZONS,
    NO_COMPARISON,
    ScenarioError,
    Settings,
    _one_line,
    build_params,
    comparison_settings,
    parse_seed,
    preset_settings,
)
from servsim.model import ServiceMarket
from servsim.results import STAGES

# --------------------------------------------------------------------------- the model's state


def customer_state(model: ServiceMarket, who: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The customers' firm, stage, satisfaction and activity (all, or the ``who`` rows).

    The one place the page reads the model's customer arrays.
    """
    c = model.customers
    if who is None:
        return {"firm": c.firm, "stage": c.stage, "satisfaction": c.satisfaction,
                "active": c.active}
    return {"firm": c.firm[who], "stage": c.stage[who], "satisfaction": c.satisfaction[who],
            "active": c.active[who]}


@dataclass
class WordOfMouthToday:
    """Who talked on the last simulated day, and what they said (a copy, for drawing)."""

    day: int = -1
    talkers: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    positive: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, bool))
    firm: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))


def watch_word_of_mouth(model: ServiceMarket) -> Callable[[], WordOfMouthToday]:
    """Record each day's talkers of ``model``; returns a function giving the last day's.

    The model hands its talkers and their messages' categories (``firm`` when
    positive, ``n_firms + firm`` when negative) to ``model.network.heard_by``;
    this wraps that method on the one network instance to copy them, then calls
    it unchanged, so the run is the same as without the page.
    """
    network = model.network
    original = network.heard_by
    seen = [WordOfMouthToday()]

    def heard_by(talkers: np.ndarray, category: np.ndarray, k: int):
        firms = k // 2
        category = np.asarray(category)
        seen[0] = WordOfMouthToday(day=model.day + 1, talkers=np.array(talkers, np.int64),
                                   positive=category < firms, firm=category % max(firms, 1))
        return original(talkers, category, k)

    network.heard_by = heard_by
    return lambda: seen[0]


# --------------------------------------------------------------------------- the runs


@dataclass
class NetworkSample:
    """A connected sample of customers, their ties among themselves, and a fixed layout."""

    nodes: np.ndarray
    edges: list[tuple[int, int]]
    xy: np.ndarray


def sample_network(model: ServiceMarket, size: int = 120, seed: int = 0) -> NetworkSample:
    """A ball of ``size`` customers around one of the focal firm's customers, with a layout.

    Breadth-first over ``model.network.neighbours``: the start customer's ties,
    then theirs, so that the sample keeps the network's local clustering.
    """
    rng = np.random.default_rng(seed)
    focal = np.flatnonzero(customer_state(model)["firm"] == 0)
    start = int(rng.choice(focal)) if focal.size else int(rng.integers(model.n))
    order, seen, frontier = [start], {start}, [start]
    while frontier and len(order) < size:
        ring = []
        for i in frontier:
            for j in model.network.neighbours(i):
                j = int(j)
                if j not in seen:
                    seen.add(j)
                    ring.append(j)
        rng.shuffle(ring)
        ring = ring[: size - len(order)]
        order.extend(ring)
        frontier = ring
    nodes = np.array(order, dtype=np.int64)
    index = {int(c): k for k, c in enumerate(nodes)}
    edges = sorted({(min(k, index[int(j)]), max(k, index[int(j)]))
                    for c, k in index.items() for j in model.network.neighbours(c)
                    if int(j) in index and int(j) != c})
    graph = nx.Graph()
    graph.add_nodes_from(range(len(nodes)))
    graph.add_edges_from(edges)
    pos = nx.spring_layout(graph, seed=seed, iterations=100)
    xy = np.array([pos[k] for k in range(len(nodes))])
    return NetworkSample(nodes=nodes, edges=edges, xy=xy)


class Run:
    """The models on screen: A (the controls) and optionally B (A with one change).

    Both start from the same seed and are stepped together.  Building raises
    :class:`ScenarioError` when the controls are invalid.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.params = build_params(settings)
        self.compare = settings.compare if settings.compare in COMPARISONS else NO_COMPARISON
        self.settings_b = None
        self.b: ServiceMarket | None = None
        if self.compare != NO_COMPARISON:
            self.settings_b = comparison_settings(settings)
            params_b = build_params(self.settings_b)
        self.a = ServiceMarket(self.params)
        if self.settings_b is not None:
            self.b = ServiceMarket(params_b)
        self.horizon = self.params.sim.days
        self.network = sample_network(self.a, seed=self.params.sim.seed)
        self.word_of_mouth = watch_word_of_mouth(self.a)
        self.lock = threading.Lock()

    @property
    def day(self) -> int:
        """Days simulated so far."""
        return self.a.day

    @property
    def done(self) -> bool:
        """Whether the horizon is reached."""
        return self.a.day >= self.horizon

    def step(self, days: int = 1) -> None:
        """Advance A (and B) by ``days`` days, stopping at the horizon."""
        with self.lock:
            for _ in range(max(1, int(days))):
                if self.done:
                    break
                self.a.step()
                if self.b is not None:
                    self.b.step()

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The focal firm's per-day rows of A and of B."""
        with self.lock:
            a = focal_rows(self.a)
            b = focal_rows(self.b) if self.b is not None else None
        return a, b


def focal_rows(model: ServiceMarket) -> pd.DataFrame:
    """The focal firm's rows of the step table (day, metrics)."""
    steps = model.step_table()
    return steps[steps["firm"] == model.params.focal_name].reset_index(drop=True)


def network_tables(run: Run) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What the network view draws: the sampled customers, their ties, today's word of mouth.

    Returns (nodes, ties, messages) as :func:`servsim.app.charts.network_spec`
    takes them; a message is a talker's word to one of its sampled ties on the
    last simulated day (everybody tied to a talker hears it).
    """
    from servsim.app.charts import FIRM_KINDS

    sample = run.network
    who = sample.nodes
    state = customer_state(run.a, who)
    firm = state["firm"].astype(np.int64)
    kind = np.where(firm == 0, 0, np.where(firm > 0, 1, 2))
    stages = np.array(STAGES)[state["stage"].astype(np.int64)]
    x, y = sample.xy[:, 0].round(4), sample.xy[:, 1].round(4)
    nodes = pd.DataFrame({"x": x, "y": y, "customer": who,
                          "firm": np.array(FIRM_KINDS)[kind], "stage": stages,
                          "satisfaction": state["satisfaction"].astype(float).round(3)})
    ends = np.array(sample.edges, dtype=np.int64).reshape(-1, 2)
    ties = pd.DataFrame({"x": x[ends[:, 0]], "y": y[ends[:, 0]],
                         "x2": x[ends[:, 1]], "y2": y[ends[:, 1]]})
    today = run.word_of_mouth()
    rows = []
    if today.day == run.day and today.talkers.size:
        index = {int(c): k for k, c in enumerate(who)}
        names = run.a.firms.names
        for talker, good, about in zip(today.talkers, today.positive, today.firm, strict=True):
            k = index.get(int(talker))
            if k is None:
                continue
            for j in run.a.network.neighbours(int(talker)):
                h = index.get(int(j))
                if h is None or h == k:
                    continue
                said = "good" if good else "bad"
                rows.append({"x": x[k], "y": y[k], "x2": x[h], "y2": y[h], "said": said,
                             "text": f"customer {int(talker)} told customer {int(j)}: "
                                     f"{said} things about {names[int(about)]}"})
    messages = pd.DataFrame(rows, columns=["x", "y", "x2", "y2", "said", "text"])
    return nodes, ties, messages


def headline(model: ServiceMarket, rows: pd.DataFrame) -> dict[str, str]:
    """The numbers over the charts: day, customers, satisfaction, NPS, profit, morale."""
    c = customer_state(model)
    customers = int(((c["firm"] == 0) & c["active"]).sum())
    if len(rows):
        last = rows.iloc[-1]
        sat, nps = f"{last['satisfaction']:.2f}", f"{round(last['recommend_score']):+d}"
        profit = f"{rows['profit'].sum():,.0f}"
        morale = f"{last['staff_morale']:.2f}"
    else:
        sat = nps = morale = "–"
        profit = "0"
    return {"Day": str(model.day), "Customers": f"{customers:,}", "Satisfaction": sat,
            "NPS": nps, "Cumulative profit": profit, "Staff morale": morale}


def compare_outcomes(a: pd.DataFrame, b: pd.DataFrame) -> list[tuple[str, str, str]]:
    """A's and B's outcomes so far, as (outcome, A, B) text rows."""
    names = ["cumulative profit", "customers now", "customers won", "customers lost",
             "loyal + advocate customers", "satisfaction", "expectation", "NPS",
             "complaints: on the spot / all", "days to resolve a complaint",
             "staff morale", "staff quits"]

    def outcomes(rows: pd.DataFrame) -> list[str]:
        if not len(rows):
            return ["–"] * len(names)
        done = rows["recoveries"].sum()
        days = (rows["recovery_days"].fillna(0) * rows["recoveries"]).sum() / done if done else 0
        last = rows.iloc[-1]
        return [f"{rows['profit'].sum():,.0f}", f"{int(last['customers']):,}",
                f"{int(rows['acquisitions'].sum()):,}", f"{int(rows['churn'].sum()):,}",
                f"{int(last['customers_loyal'] + last['customers_advocate']):,}",
                f"{last['satisfaction']:.2f}", f"{last['expectation']:.2f}",
                f"{round(last['recommend_score']):+d}",
                f"{int(rows['recoveries_on_spot'].sum())} / {int(rows['complaints'].sum())}",
                f"{days:.1f}" if done else "–",
                f"{last['staff_morale']:.2f}", f"{int(rows['staff_quits'].sum())}"]

    return list(zip(names, outcomes(a), outcomes(b), strict=True))


@dataclass(eq=False)
class Session:
    """One browser session's scenario controls, read by :class:`Classroom` on Reset.

    ``settings`` is what the Scenario cards say (presets, levers, comparison,
    overrides); class size, seed and horizon come from Mesa's Model Parameters
    card as :class:`Classroom` arguments.  ``run`` is the last run built from
    valid settings: an invalid Reset keeps it.
    """

    settings: solara.Reactive
    preset: solara.Reactive
    error: solara.Reactive
    """The one-line message of the last refused control change, or None."""
    colour_by: solara.Reactive
    run: Run | None = None

    @classmethod
    def new(cls, settings: Settings | None = None, preset: str = DEFAULT_PRESET) -> Session:
        """A session with its own reactive variables (one per browser tab)."""
        return cls(settings=solara.reactive(settings or preset_settings(preset)),
                   preset=solara.reactive(preset),
                   error=solara.reactive(cast(str | None, None)),
                   colour_by=solara.reactive("satisfaction"))

    def update(self, change) -> None:
        """Apply ``change(settings) -> settings``; a refused change shows its message."""
        try:
            self.settings.value = change(self.settings.value)
            self.error.value = None
        except ScenarioError as ex:
            self.error.value = str(ex)


class Classroom(mesa.Model):
    """The Mesa model SolaraViz drives: run A (and B, A with one change) of the page's settings.

    SolaraViz's Reset calls ``Classroom(**model_parameters)``: the session
    (fixed) and the Model Parameters card's class size, seed and horizon.
    The scenario comes from ``session.settings`` (presets, levers,
    comparison).  Invalid settings never raise: the model keeps the session's
    current run (its day included) and exposes the one-line message as
    :attr:`error`.  One Mesa step is one simulated day of A and B, so
    ``time`` is the day and Mesa's *Render Interval* is the days per Step.
    """

    def __init__(self, session: Session | None = None, n_customers: int = DEFAULT_CUSTOMERS,
                 seed: str | int = "0", horizon: str = "", rng: Any = None):
        self.error: str | None = None
        settings = session.settings.value if session else preset_settings(DEFAULT_PRESET)
        run = None
        try:
            days = HORIZONS.get(horizon, settings.days) if horizon else settings.days
            settings = dataclasses.replace(settings, n_customers=int(n_customers),
                                           seed=parse_seed(seed), days=days)
            run = Run(settings)
        except ScenarioError as ex:
            self.error = str(ex)
        except Exception as ex:  # never leave the class with a dead page
            self.error = _one_line(f"{type(ex).__name__}: {ex}")
        kept = session.run if session is not None else None
        if run is None:
            run = kept if kept is not None else Run(preset_settings(DEFAULT_PRESET))
        super().__init__(rng=run.params.sim.seed if rng is None else rng)
        self.session = session
        self.run = run
        self._rows: tuple[int, tuple[pd.DataFrame, pd.DataFrame | None]] | None = None
        self._replaying = True
        if run.day:  # a kept run: Mesa's clock catches up with its day
            self.run_for(run.day)
        self._replaying = False
        self.running = not run.done
        if session is not None and self.error is None:
            session.run = run
            if session.settings.value != settings:
                session.settings.value = settings

    def step(self) -> None:
        """One day of A and B (nothing past the horizon)."""
        if self._replaying:
            return
        self.run.step(1)
        self.running = not self.run.done

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The focal firm's rows of A and B, computed once per day."""
        day = self.run.day
        cached = self._rows
        if cached is None or cached[0] != day:
            cached = (day, self.run.tables())
            self._rows = cached
        return cached[1]




# --------------------------------------------------------------------------- playing at a pace


class Player:
    """Plays a :class:`Classroom` at a pace in simulated days per second, on its own thread.

    The day due at wall-clock time ``t`` is ``anchor_day + pace * (t - anchor_t)``;
    the thread steps one day at a time until the model reaches it, then sleeps
    until the next day is due.  So the pace does not depend on how fast the
    machine is, and no day is ever skipped: the page draws what it can
    (:mod:`servsim.app.page` publishes the day several times a second and the
    charts about once a second), and drawing never holds the days back.  When
    the machine cannot keep the pace, the model runs as fast as it can and the
    backlog is dropped (re-anchored) rather than made up in a burst: at most
    :attr:`MAX_LAG_S` seconds of days are ever owed.  Play stops at the horizon.
    """

    MAX_LAG_S = 2.0

    def __init__(self, model: Classroom | None = None, days_per_second: float = 10.0):
        self.model = model
        self._pace = float(days_per_second)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._anchor: tuple[float, int] | None = None
        self._lock = threading.Lock()

    @property
    def pace(self) -> float:
        """Simulated days per second."""
        return self._pace

    @pace.setter
    def pace(self, days_per_second: float) -> None:
        with self._lock:
            self._pace = max(float(days_per_second), 1e-3)
            self._anchor = None  # the new pace counts from now

    @property
    def stopped(self) -> bool:
        """Whether the last play was stopped by :meth:`stop` (not by the horizon or ``until``)."""
        return self._stop.is_set()

    @property
    def playing(self) -> bool:
        """Whether the play thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, model: Classroom | None = None, until: int | None = None) -> None:
        """Start playing ``model`` (or the current one) from its current day (up to ``until``)."""
        self.stop()
        if model is not None:
            self.model = model
        if self.model is None or not self.model.running:
            return
        self._stop = threading.Event()
        self._anchor = None
        self._thread = threading.Thread(target=self._loop, args=(self.model, self._stop, until),
                                        name="servsim-player", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop playing and wait for the day in progress to finish."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self._thread = None

    def _due(self, now: float, day: int) -> int:
        """The day due at ``now`` (re-anchoring on a new pace or a backlog)."""
        with self._lock:
            if self._anchor is None or (now - self._anchor[0]) * self._pace + self._anchor[1] \
                    - day > self._pace * self.MAX_LAG_S + 1:
                self._anchor = (now, day)
            start, first = self._anchor
            return first + int((now - start) * self._pace)

    def _loop(self, model: Classroom, stop: threading.Event, until: int | None) -> None:
        while not stop.is_set() and model.running and (until is None or model.run.day < until):
            now = time.monotonic()
            day = model.run.day
            if day < self._due(now, day):
                model.step()
                continue
            with self._lock:
                start, first = self._anchor or (now, day)
                next_at = start + (day + 1 - first) / self._pace
            stop.wait(min(max(next_at - now, 0.0), 0.05))
