"""Columnar state: one numpy array per attribute of customers, staff and managers.

Nothing here loops over agents: mechanisms read and write whole columns.
Open service requests and open complaints are few compared with customers,
so they live in small side tables (:class:`RequestQueue`,
:class:`ComplaintBook`) instead of per-customer columns, which keeps memory
per customer low (about 40 bytes of state + the network).

Codes: ``firm`` is -1 for a customer who has never adopted; a lapsed customer
keeps the index of the firm it left.  ``stage`` indexes
:data:`servsim.results.STAGES`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

PROSPECT, NEW, REPEAT, LOYAL, ADVOCATE, LAPSED = range(6)
ACTIVE_STAGES = (NEW, REPEAT, LOYAL, ADVOCATE)


def is_active(stage: np.ndarray) -> np.ndarray:
    """Mask of active stages (new, repeat, loyal, advocate) for any slice of the int8
    stage column, in two passes over bytes (``stage - NEW`` as unsigned)."""
    return (stage.view(np.uint8) - np.uint8(NEW)) <= np.uint8(ADVOCATE - NEW)


NO_FIRM = -1
NEVER = -(2**30)
"""Day stamp meaning 'never' (e.g. no failure yet)."""


class _Columns:
    """Mixin: select or append rows of every column at once."""

    def _columns(self):
        return [f.name for f in fields(self)]

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is true."""
        for name in self._columns():
            setattr(self, name, getattr(self, name)[mask])

    def append(self, **cols: np.ndarray) -> None:
        """Append rows given as arrays per column (all columns required)."""
        for name in self._columns():
            setattr(self, name, np.concatenate([getattr(self, name), cols[name]]))

    def __len__(self) -> int:
        return len(getattr(self, self._columns()[0]))


@dataclass
class Customers(_Columns):
    """Customer state, one array per attribute, length N."""

    segment: np.ndarray  # int8
    firm: np.ndarray  # int8: current (or, if lapsed, last) firm; -1 never adopted
    stage: np.ndarray  # int8: STAGES code
    satisfaction: np.ndarray  # float32 in [0, 1]
    expectation: np.ndarray  # float32 in [0, 1], of the current firm's quality
    attitude: np.ndarray  # float32 (N, F) in [-1, 1], toward each firm (word of mouth)
    value: np.ndarray  # float32 > 0, spend per purchase at price index 1
    price_multiplier: np.ndarray  # float32 > 0, own price sensitivity / segment's (ODD 7.9)
    tenure: np.ndarray  # int32 days with the current firm
    failures: np.ndarray  # uint8 failures remembered (reset after failure_memory_days)
    last_failure_day: np.ndarray  # int32 day of the last failure (NEVER if none)
    busy: np.ndarray  # bool: has an open service request or complaint
    contract: np.ndarray  # bool: holds a service contract with its firm
    rate_multiplier: np.ndarray  # float32 > 0: times the segment's purchase_rate (1 if off)
    dropout_offset: np.ndarray  # float32: added to the defection logit (0 if off)
    reconsider_day: np.ndarray  # int32: first day a prospect who declined considers again

    @property
    def n(self) -> int:
        """Population size."""
        return len(self.segment)

    @property
    def active(self) -> np.ndarray:
        """Mask of customers with a firm (new, repeat, loyal or advocate)."""
        return is_active(self.stage)

    @property
    def nbytes(self) -> int:
        """Bytes held by the customer columns."""
        return sum(getattr(self, f.name).nbytes for f in fields(self))


@dataclass
class Staff(_Columns):
    """Frontline staff slots (a slot is a job; inactive slots are vacancies)."""

    firm: np.ndarray  # int8
    manager: np.ndarray  # int32 index into Managers
    active: np.ndarray  # bool
    skill: np.ndarray  # float32 in [0, 1]
    morale: np.ndarray  # float32 in [0, 1]
    tenure: np.ndarray  # int32 days
    vacancy_days: np.ndarray  # int32: days until a novice fills the slot (-1: not being filled)
    encounters_today: np.ndarray  # int32 workload of the day
    baseline: np.ndarray  # float32 logit disposition of the slot's employee (drawn at hire)
    sensitivity: np.ndarray  # float32 its sensitivity to internal service (drawn at hire)

    @property
    def n(self) -> int:
        """Number of slots."""
        return len(self.firm)


@dataclass
class Managers(_Columns):
    """Managers: each leads the staff slots that point to it."""

    firm: np.ndarray  # int8
    team_size: np.ndarray  # int32 active staff in the team (updated daily)
    queue: np.ndarray  # int32 escalated complaints waiting for this manager
    coaching_today: np.ndarray  # float32 coaching sessions given today


@dataclass
class RequestQueue(_Columns):
    """Open service requests (needs waiting for a frontline encounter)."""

    customer: np.ndarray  # int64
    firm: np.ndarray  # int8
    wait: np.ndarray  # int32 days waited so far


@dataclass
class ComplaintBook(_Columns):
    """Open complaints being handled (or ignored) by a firm."""

    customer: np.ndarray  # int64
    firm: np.ndarray  # int8
    manager: np.ndarray  # int32 manager who must approve (escalated), -1 if ignored
    age: np.ndarray  # int32 days since lodged
    level: np.ndarray  # int32 approvals obtained so far
    sat_before: np.ndarray  # float32 satisfaction before the failure
    skill: np.ndarray  # float32 skill of the employee who took the complaint


def empty_requests() -> RequestQueue:
    """An empty request queue."""
    return RequestQueue(
        np.empty(0, np.int64), np.empty(0, np.int8), np.empty(0, np.int32)
    )


def empty_complaints() -> ComplaintBook:
    """An empty complaint book."""
    return ComplaintBook(
        np.empty(0, np.int64),
        np.empty(0, np.int8),
        np.empty(0, np.int32),
        np.empty(0, np.int32),
        np.empty(0, np.int32),
        np.empty(0, np.float32),
        np.empty(0, np.float32),
    )
