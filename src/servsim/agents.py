"""Mesa agent views of the columnar state.

The engine keeps state in arrays (:mod:`servsim.state`); these
:class:`mesa.Agent` subclasses are thin views whose attributes read (and
write) the arrays at their index, so Mesa tools — ``model.agents``,
``agents_by_type``, SolaraViz — see customers, staff, managers and firms as
agents without the engine looping over objects.  Customer views are created
only for populations up to ``sim.customer_agents_max``.
"""

from __future__ import annotations

import mesa

from servsim.results import METRICS, STAGES


class _View(mesa.Agent):
    """An agent that is a window onto row ``index`` of the model's arrays."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    def step(self) -> None:
        """Views do not act: the model's mechanisms update the arrays."""


def _column(table: str, name: str, cast=float, doc: str = ""):
    def get(self):
        return cast(getattr(getattr(self.model, table), name)[self.index])

    def set_(self, value):
        getattr(getattr(self.model, table), name)[self.index] = value

    return property(get, set_, doc=doc or f"{name} (from model.{table}.{name})")


class CustomerAgent(_View):
    """A customer: segment, firm, relationship stage, satisfaction, expectation, ties."""

    satisfaction = _column("customers", "satisfaction")
    expectation = _column("customers", "expectation")
    value = _column("customers", "value")
    tenure = _column("customers", "tenure", int)
    failures = _column("customers", "failures", int)

    @property
    def segment(self) -> str:
        """Segment name."""
        return self.model.segments.names[int(self.model.customers.segment[self.index])]

    @property
    def firm(self) -> str | None:
        """Current (or, if lapsed, last) firm's name; None if never adopted."""
        k = int(self.model.customers.firm[self.index])
        return None if k < 0 else self.model.firms.names[k]

    @property
    def stage(self) -> str:
        """Relationship stage name."""
        return STAGES[int(self.model.customers.stage[self.index])]

    @property
    def ties(self) -> list[int]:
        """Indices of the customers this customer talks to."""
        return self.model.network.neighbours(self.index).tolist()


class StaffAgent(_View):
    """A frontline job: firm, manager, skill, morale, tenure; inactive while vacant."""

    skill = _column("staff", "skill")
    morale = _column("staff", "morale")
    tenure = _column("staff", "tenure", int)
    active = _column("staff", "active", bool)

    @property
    def firm(self) -> str:
        """Employer's name."""
        return self.model.firms.names[int(self.model.staff.firm[self.index])]

    @property
    def manager(self) -> int:
        """Index of this employee's manager."""
        return int(self.model.staff.manager[self.index])


class ManagerAgent(_View):
    """A manager: firm, team size, approval queue, coaching given today."""

    team_size = _column("managers", "team_size", int)
    queue = _column("managers", "queue", int)
    coaching_today = _column("managers", "coaching_today")

    @property
    def firm(self) -> str:
        """Employer's name."""
        return self.model.firms.names[int(self.model.managers.firm[self.index])]


class FirmAgent(_View):
    """A firm: its name and today's row of the step table."""

    @property
    def name(self) -> str:
        """The firm's name."""
        return self.model.firms.names[self.index]

    def latest(self) -> dict:
        """Metrics of the last recorded day for this firm."""
        day = self.model.day
        if day == 0:
            return {}
        return dict(zip(METRICS, self.model.records[day - 1, self.index].tolist(), strict=True))
