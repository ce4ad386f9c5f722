"""The kernels' inputs by name: constants grouped into numpy structured arrays.

A kernel takes the behaviour constants as one record (``behaviour``, a
one-element structured array: ``b = behaviour[0]``, then ``b.loss_aversion``),
the firm levers as one record per firm (``firms[k].price``,
:attr:`servsim.firms.FirmTable.records`) and the segment parameters as one
record per segment (``segments[s].patience_days``,
:attr:`servsim.firms.SegmentTable.records`).  A new behaviour parameter is
therefore a new field of the record, built here from
:class:`~servsim.params.BehaviourParams` with no edit: the kernel that needs it
reads ``b.<name>``; neither its signature nor its call in :mod:`servsim.model`
changes.

Every field keeps the type the kernels had as positional arguments (a float
parameter float64, a whole number int64, the float32 rates float32): the
arithmetic, and so every result, is the same bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from servsim.firms import FirmTable, SegmentTable, records_of
from servsim.mechanisms import recovery
from servsim.mechanisms._common import logit
from servsim.params import Params

MARKET_FIELDS = ("innovation", "imitation", "market_wage", "hiring_cost",
                 "expectation_drift", "norm_adaptation")
"""Market parameters the kernels read, in the behaviour record under their own names."""
_DTYPES = {"float": np.float64, "int": np.int64, "bool": np.bool_}
"""Record field type by the parameter's declared type (other types are not kernel inputs)."""


def behaviour_record(params: Params) -> np.ndarray:
    """The behaviour constants as a one-element structured array: every numeric field of
    ``params.behaviour``, the market's :data:`MARKET_FIELDS`, and values derived from them
    (``logit_base_failure``, ``logit_churn_base``, ``logit_quit_base``).
    """
    b, m = params.behaviour, params.market
    columns = {f.name: np.array([getattr(b, f.name)], dtype=_DTYPES[f.type])
               for f in fields(b) if f.type in _DTYPES}
    market_types = {f.name: f.type for f in fields(m)}
    for name in MARKET_FIELDS:
        if name in columns:
            raise ValueError(f"market.{name} and behaviour.{name} share a record field")
        columns[name] = np.array([getattr(m, name)], dtype=_DTYPES[market_types[name]])
    derived = {"logit_base_failure": logit(b.base_failure), "logit_churn_base": logit(b.churn_base),
               "logit_quit_base": logit(b.quit_base)}
    for name, value in derived.items():
        columns[name] = np.array([value], dtype=np.float64)
    return records_of(columns)


@dataclass(frozen=True)
class KernelConstants:
    """Kernel inputs derived once from the parameters (read at construction)."""

    behaviour: np.ndarray  # behaviour_record
    exp_speed: np.ndarray  # recovery.speed_table: exp(-days / tau), days 0..max patience + 1
    proactive: bool  # some firm makes proactive contacts

    @classmethod
    def of(cls, params: Params, seg: SegmentTable, firms: FirmTable) -> KernelConstants:
        """The constants of a run with ``params`` and its segment and firm tables."""
        return cls(
            behaviour=behaviour_record(params),
            exp_speed=recovery.speed_table(int(seg.patience_days.max(initial=0)) + 1,
                                           params.behaviour.recovery_speed_days),
            proactive=bool((firms.proactive_rate > 0).any()),
        )
