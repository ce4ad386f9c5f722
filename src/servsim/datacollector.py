"""Mesa's ``DataCollector`` interface over the model's own day records.

:class:`~servsim.model.ServiceMarket` records every (day, firm, metric) value
in one array as it steps (``model.records``, the per-step table's source).
:class:`DayRecords` shows the focal firm's columns of that array as Mesa's
model variables, so that ``model.datacollector.get_model_vars_dataframe()``
and ``mesa.batch_run(ServiceMarket, ...)`` work, without any work per day:
nothing is copied while the model runs, and ``collect`` has nothing to do.
"""

from __future__ import annotations

from typing import Any

import mesa

from servsim.results import STEP_COLUMNS

REPORTED = tuple(c for c in STEP_COLUMNS if c not in ("day", "firm"))
"""The model variables: the focal firm's per-day metrics (:data:`STEP_COLUMNS`)."""


class DayRecords(mesa.DataCollector):
    """The focal firm's day records as Mesa model variables (one value per day run).

    ``model_vars[name][k]`` is the focal firm's ``name`` on day ``k + 1``, and
    ``_collection_steps`` are the days 1, 2, ... (Mesa's ``model.time`` after
    each step), as Mesa's own collector would hold them had it collected after
    every step.  The other firms are in ``model.step_table()``.
    """

    def __init__(self, model: Any) -> None:
        self._model = model
        self._columns = {name: i for i, name in enumerate(REPORTED)}
        super().__init__(model_reporters=dict.fromkeys(REPORTED, self._unused))

    @staticmethod
    def _unused(model: Any) -> None:  # pragma: no cover - values come from the records
        return None

    def _validate_model_reporter(self, name: str, reporter: Any, model: Any) -> None:
        return None

    @property
    def model_vars(self) -> dict[str, list[float]]:
        """Each metric's focal-firm values, day by day (read from the model's records)."""
        records = self._model.records[: self._model.day, 0, :]
        return {name: records[:, i].tolist() for name, i in self._columns.items()}

    @model_vars.setter
    def model_vars(self, value: Any) -> None:
        """Ignore Mesa's empty initial dict: the values live in the model's records."""

    @property
    def _collection_steps(self) -> list[int]:
        return list(range(1, self._model.day + 1))

    @_collection_steps.setter
    def _collection_steps(self, value: Any) -> None:
        return None

    def collect(self, model: Any) -> None:
        """Nothing to do: the model records every day as it steps."""
