"""The per-customer event log, cohort entry and the after-purchase dropout timing
(issue 16), as a mixin of :class:`servsim.model.ServiceMarket`.

Everything here acts only when switched on (``sim.record_events``, ``sim.entry_days``
or given entry days, ``behaviour.dropout_timing = after_purchase``): with all off the
hooks return at once, draw no random number and change no array, so a run is
bit-identical to one without them.

Events (one row each; :data:`EVENT_KINDS` codes): ``purchase`` (day, customer, firm,
amount paid: purchase + loyalty premium + cross-buying), ``join`` (first adoption,
a lapsed customer's return, a switcher's arrival or a cohort entry; the join's first
purchase is a ``purchase`` row too), ``lapse``, ``switch`` (firm = the firm left),
``failure`` (a service failure), ``complaint`` (closed that day; ``amount`` = 1 if
resolved, else 0: the outcome).  Days are 1-based as in the step table.  Memory is
bounded by compaction: rows are kept as int32/int8/float32 columns (13 bytes a row),
today's arrays are merged into one chunk every :data:`CHUNK_ROWS` rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim import heterogeneity
from servsim.kernels.choice import _new_customers
from servsim.kernels.columns import PURCHASE_COLS
from servsim.kernels.events import purchase_amounts
from servsim.results import METRIC_INDEX
from servsim.state import is_active

EVENT_KINDS = ("purchase", "join", "lapse", "switch", "failure", "complaint")
PURCHASE, JOIN, LAPSE, SWITCH, FAILURE, COMPLAINT = range(6)
CHUNK_ROWS = 1 << 20
_COLS = (("day", np.int32), ("customer", np.int32), ("firm", np.int8), ("kind", np.int8),
         ("amount", np.float32))


class EventLog:
    """Append-only, compacted columns of events."""

    def __init__(self):
        self._chunks: list[tuple[np.ndarray, ...]] = []
        self._today: list[tuple[np.ndarray, ...]] = []
        self._rows = 0

    def add(self, day: int, kind: int, customer, firm, amount=None) -> None:
        customer = np.asarray(customer)
        if not customer.size:
            return
        n = customer.size
        amount = np.zeros(n) if amount is None else amount
        self._today.append((np.full(n, day, np.int32), customer.astype(np.int32),
                            np.broadcast_to(np.asarray(firm), n).astype(np.int8),
                            np.full(n, kind, np.int8), np.asarray(amount, np.float32)))
        self._rows += n
        if self._rows >= CHUNK_ROWS:
            self._compact()

    def __len__(self) -> int:
        """Events logged so far."""
        return self._rows + sum(len(chunk[0]) for chunk in self._chunks)

    def _compact(self) -> None:
        if self._today:
            self._chunks.append(tuple(np.concatenate(c) for c in zip(*self._today,
                                                                      strict=True)))
            self._today, self._rows = [], 0

    def table(self, firm_names) -> pd.DataFrame:
        """The events as a DataFrame: day, customer, firm (name), kind (name), amount."""
        self._compact()
        cols = {name: (np.concatenate([c[j] for c in self._chunks]) if self._chunks
                       else np.empty(0, dtype))
                for j, (name, dtype) in enumerate(_COLS)}
        df = pd.DataFrame(cols)
        df["firm"] = pd.Categorical.from_codes(df["firm"].to_numpy(), list(firm_names))
        df["kind"] = pd.Categorical.from_codes(df["kind"].to_numpy(), list(EVENT_KINDS))
        return df


class CustomerEvents:
    """Mixin: heterogeneity columns, entry, after-purchase dropout and the event log."""

    def _heterogeneity(self, segment: np.ndarray, seed: int):
        """(rate_multiplier, dropout_offset) columns, and the entry days (or None)."""
        p = self.params
        self.events_log = EventLog() if p.sim.record_events else None
        self._purchase_counts = (np.zeros((p.sim.days, self.firms.n))
                                 if p.sim.record_events else None)
        self._after_purchase = p.behaviour.dropout_timing == "after_purchase"
        self.entry_day = None
        if self._entry_given is not None:
            self.entry_day = np.asarray(self._entry_given, dtype=np.int32)
            if self.entry_day.shape != (segment.size,):
                raise ValueError(f"entry_day: expected {segment.size} days, one a customer, "
                                 f"got shape {self.entry_day.shape}")
        elif p.sim.entry_days > 0:
            self.entry_day = heterogeneity.entry_days(segment.size, p.sim.entry_days, seed)
        return heterogeneity.draw(p, segment, seed)

    def _entry_setup(self) -> None:
        """Cohort members (entry day > 0) start as prospects of no firm."""
        if self.entry_day is not None:
            c = self.customers
            if self._entry_given is None:  # sim.entry_days: day-0 customers are no members
                self.entry_day[is_active(c.stage)] = 0
            member = self.entry_day > 0
            c.firm[member] = -1
            c.stage[member] = 0

    def _entry_pool(self, pool: np.ndarray) -> np.ndarray:
        """Drop from the adoption pool the cohort members not yet entered (or entering
        today: they join after the adoption step)."""
        if self.entry_day is None:
            return pool
        return pool[self.entry_day[pool] < self.day + 1]

    def _before_choice(self):
        if self.events_log is None and not self._after_purchase and self.entry_day is None:
            return None
        c = self.customers
        return c.stage.copy(), c.firm.copy()

    def _after_choice(self, pre, buyers, defect, switch, movers, skip) -> None:
        """After the choice kernels: after-purchase dropout purchases, entries, events.

        ``skip`` marks the customers at an occasion who chose the outside option (no
        purchase today); leavers who do not switch drop out."""
        if pre is None:
            return
        c, f, day = self.customers, self.firms, self.day + 1
        stage0, firm0 = pre

        def buy(who, firm, stage):
            amounts = purchase_amounts(who, firm, stage, c.value, f.records)
            if self.events_log is not None:
                if self.day >= len(self._purchase_counts):  # ran past sim.days
                    self._purchase_counts = np.concatenate([self._purchase_counts,
                                                            np.zeros_like(self._purchase_counts)])
                self.events_log.add(day, PURCHASE, who, firm, amounts[:, :3].sum(axis=1))
                self._purchase_counts[self.day] += np.bincount(firm, minlength=f.n)
            return amounts

        leavers = buyers[defect]
        lapsed = leavers[~switch]
        if self._after_purchase and lapsed.size:  # BG/NBD: the dropout buys, then leaves
            amounts = buy(lapsed, firm0[lapsed], stage0[lapsed])
            for j, col in enumerate(PURCHASE_COLS):
                self.log[:, col] += np.bincount(firm0[lapsed], amounts[:, j], minlength=f.n)
        entering = (np.flatnonzero(self.entry_day == day) if self.entry_day is not None
                    else np.empty(0, np.int64))
        if entering.size:
            self._enter(entering)
        if self.events_log is None:
            return
        stayers = buyers[~defect & ~skip]
        buy(stayers, firm0[stayers], stage0[stayers])
        joined = np.flatnonzero(is_active(c.stage) & ~is_active(stage0))
        joined = np.union1d(joined, movers)
        self.events_log.add(day, JOIN, joined, c.firm[joined])
        buy(joined, c.firm[joined], c.stage[joined])
        self.events_log.add(day, LAPSE, lapsed, firm0[lapsed])
        self.events_log.add(day, SWITCH, movers, firm0[movers])

    def _enter(self, who: np.ndarray) -> None:
        """Cohort members ``who`` join the focal firm with a first purchase."""
        c, f = self.customers, self.firms
        revenue = np.zeros((f.n, 4))
        acquisitions = np.zeros(f.n)
        _new_customers(who, np.zeros(who.size, np.int64), c.firm, c.segment, c.stage,
                       c.expectation, c.satisfaction, c.tenure, c.failures, c.contract,
                       self._fs_row, f.promised, self.norm, f.records,
                       self._constants.behaviour, c.value, acquisitions, revenue)
        c.tenure[who] += 1  # as the day's other joiners
        for j, col in enumerate(PURCHASE_COLS):
            self.log[:, col] += revenue[:, j]
        self.log[:, METRIC_INDEX["acquisitions"]] += acquisitions

    def _service_events(self) -> None:
        """Today's failures and closed complaints (after the outcomes step)."""
        if self.events_log is None:
            return
        c = self.customers
        failed = np.flatnonzero(c.last_failure_day == self.day)
        self.events_log.add(self.day + 1, FAILURE, failed, np.maximum(c.firm[failed], 0))
        if self.recovery_log and self.recovery_log[-1][0] == self.day + 1:
            ints = self.recovery_log[-1][1]
            self.events_log.add(self.day + 1, COMPLAINT, ints[:, 1], ints[:, 0],
                                ints[:, 3].astype(np.float32))

    def event_table(self) -> pd.DataFrame | None:
        """The event log (None unless ``sim.record_events``)."""
        if self.events_log is None:
            return None
        return self.events_log.table(self.firms.names)

    def _with_purchase_counts(self, df: pd.DataFrame) -> pd.DataFrame:
        """The step table with a ``purchase_count`` column when events are recorded."""
        if self._purchase_counts is not None:
            counts = self._purchase_counts[: self.day].reshape(-1)
            df.insert(df.columns.get_loc("revenue_purchases"), "purchase_count", counts)
        return df
