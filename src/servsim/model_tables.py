"""The tables a :class:`servsim.model.ServiceMarket` returns of its run: the step
table (one row per day and firm) and the recovery table (one row per closed complaint).

A mixin of the model; it reads the model's ``records``, ``recovery_log``, ``firms`` and
``day`` and writes nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.results import METRICS


class MarketTables:
    """The model's output tables (mixed into :class:`servsim.model.ServiceMarket`)."""

    def step_table(self) -> pd.DataFrame:
        """The per-(day, firm) table of every day run so far."""
        days = self.day
        rec = self.records[:days].reshape(days * self.n_firms, len(METRICS))
        df = pd.DataFrame(rec, columns=METRICS)
        df.insert(0, "firm", np.tile(np.array(self.firms.names, dtype=object), days))
        df.insert(0, "day", np.repeat(np.arange(1, days + 1), self.n_firms))
        return self._with_purchase_counts(df)

    def recovery_table(self) -> pd.DataFrame:
        """One row per complaint closed (resolved, or ignored/abandoned).

        Columns: day, firm, customer, days (from complaint to close), resolved,
        first_failure, recovery_quality (0 if unresolved), sat_before (satisfaction
        before the failure), sat_after (right after the close).
        """
        cols = ["day", "firm", "customer", "days", "resolved", "first_failure",
                "recovery_quality", "sat_before", "sat_after"]
        if not self.recovery_log:
            return pd.DataFrame({k: [] for k in cols})
        ints = np.concatenate([b[1] for b in self.recovery_log])
        floats = np.concatenate([b[2] for b in self.recovery_log])
        day = np.concatenate([np.full(len(b[1]), b[0], dtype=np.int32) for b in self.recovery_log])
        df = pd.DataFrame({
            "day": day, "firm": ints[:, 0].astype(np.int16), "customer": ints[:, 1],
            "days": ints[:, 2].astype(np.int32), "resolved": ints[:, 3].astype(bool),
            "first_failure": ints[:, 4].astype(bool), "recovery_quality": floats[:, 0],
            "sat_before": floats[:, 1], "sat_after": floats[:, 2],
        })
        df["firm"] = np.array(self.firms.names, dtype=object)[df["firm"].to_numpy()]
        return df
