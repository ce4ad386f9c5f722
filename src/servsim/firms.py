"""Firm and segment parameters as arrays (one entry per firm / segment).

Mechanisms index these with a customer's ``firm`` and ``segment`` codes, so
a firm's lever is read with one gather instead of a Python lookup.

The kernels take each table whole, as a numpy structured array with one record
per firm (:attr:`FirmTable.records`) or per segment (:attr:`SegmentTable.records`):
``firms[k].price`` in a kernel.  A firm table's per-firm columns are views of its
records, so a lever changed in place during a run (``model.firms.price[j] = p``,
:mod:`servsim.rivals`) reaches the kernels the next day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from servsim.mechanisms import accounting, adoption, satisfaction
from servsim.mechanisms.expectations import promised_quality, segment_service_level
from servsim.params import Params


@dataclass(frozen=True)
class SegmentTable:
    """Segment parameters, one array entry per segment (market order)."""

    names: tuple[str, ...]
    share: np.ndarray
    value: np.ndarray
    price_sensitivity: np.ndarray
    expectation: np.ndarray
    need_rate: np.ndarray
    purchase_rate: np.ndarray
    complaint_propensity: np.ndarray
    patience_days: np.ndarray
    records: np.ndarray
    """The kernels' copy: one record per segment, these columns (except names) and
    ``need_rate32``, ``purchase_rate32`` (float32 daily probabilities); built once."""


@dataclass(frozen=True)
class FirmTable:
    """Firm levers, one array entry per firm (focal first)."""

    names: tuple[str, ...]
    initial_share: np.ndarray
    # strategy
    service_level: np.ndarray  # (F, S) designed level per segment
    promised: np.ndarray  # (F, S) promised quality per segment
    price: np.ndarray
    product_quality: np.ndarray  # product quality in [0, 1] (ODD 7.9)
    brand: np.ndarray  # brand strength, utility units (ODD 7.9)
    advertising: np.ndarray
    advertising_cost: np.ndarray
    service_level_target: np.ndarray
    training: np.ndarray
    training_cost: np.ndarray
    wage: np.ndarray
    compensation: np.ndarray
    complaint_handling: np.ndarray
    loyalty_premium: np.ndarray
    cross_buy: np.ndarray
    cost_per_encounter: np.ndarray
    quality_cost_curvature: np.ndarray
    acquisition_cost: np.ndarray
    overhead: np.ndarray  # cu per day per 1,000 customers in the market
    # org
    frontline_authority: np.ndarray
    approval_levels: np.ndarray
    level_delay_days: np.ndarray
    manager_span: np.ndarray
    manager_capacity: np.ndarray
    control_share: np.ndarray
    # stage
    standardization: np.ndarray
    followup_rate: np.ndarray
    followup_cost: np.ndarray
    contract_uptake: np.ndarray
    contract_fee: np.ndarray
    proactive_rate: np.ndarray
    proactive_prevention: np.ndarray
    proactive_cost: np.ndarray
    service_fee: np.ndarray
    product_satisfaction: np.ndarray  # satisfaction.product_satisfaction (ODD 7.5), at set-up
    goods_cost: np.ndarray  # accounting.goods_cost_share: unit cost of goods (ODD 7.11)
    records: np.ndarray
    """One record per firm, every per-firm column above (the columns are its views);
    ``service_level`` and ``promised`` (firm x segment) are separate arrays."""

    @property
    def n(self) -> int:
        """Number of firms."""
        return len(self.names)


def segment_table(params: Params) -> SegmentTable:
    """Arrays of the market's segment parameters."""
    segs = list(params.market.segments.items())

    def col(name: str, dtype=np.float64) -> np.ndarray:
        return np.array([getattr(s, name) for _, s in segs], dtype=dtype)

    columns = {name: col(name) for name in ("share", "value", "price_sensitivity",
                                            "expectation", "need_rate", "purchase_rate",
                                            "complaint_propensity")}
    columns["price_sensitivity"] = np.array(
        [adoption.segment_price_sensitivity(b, params.market.price_response)
         for b in columns["price_sensitivity"]], dtype=np.float64)
    columns["patience_days"] = col("patience_days", np.int32)
    records = records_of({**columns, "need_rate32": columns["need_rate"].astype(np.float32),
                          "purchase_rate32": columns["purchase_rate"].astype(np.float32)})
    return SegmentTable(names=tuple(n for n, _ in segs), **columns, records=records)


_RECORD_DTYPES: dict[tuple, np.dtype] = {}
"""One dtype object per record layout: numba's dispatcher knows a structured dtype by
its first object and compares any other, equal one field by field at every call."""


def records_of(columns: dict[str, np.ndarray]) -> np.ndarray:
    """A structured array with one record per row of ``columns`` (1-D arrays of one
    length), each field of its column's dtype (aligned)."""
    fields = tuple((name, a.dtype.str) for name, a in columns.items())
    dtype = _RECORD_DTYPES.setdefault(fields, np.dtype(list(fields), align=True))
    n = len(next(iter(columns.values())))
    records = np.zeros(n, dtype=dtype)
    for name, a in columns.items():
        records[name] = a
    return records


def firm_table(params: Params, segments: SegmentTable) -> FirmTable:
    """Arrays of every firm's strategy, organisation and stage levers."""
    firms = params.firms
    relative_value = segments.value / _mean_value(segments)
    levels = np.array([[segment_service_level(f.strategy.service_level, f.strategy.tiering, v)
                        for v in relative_value] for f in firms], dtype=np.float64)
    promised = np.array([[promised_quality(level, f.strategy.promise) for level in levels[i]]
                         for i, f in enumerate(firms)], dtype=np.float64)

    def s(name: str) -> np.ndarray:
        return np.array([float(getattr(f.strategy, name)) for f in firms])

    def o(name: str, dtype=np.float64) -> np.ndarray:
        return np.array([getattr(f.org, name) for f in firms], dtype=dtype)

    def g(name: str) -> np.ndarray:
        return np.array([float(getattr(f.stage, name)) for f in firms])

    columns = dict(
        initial_share=np.array([f.initial_share for f in firms]),
        price=s("price"),
        product_quality=s("product_quality"),
        brand=s("brand"),
        advertising=s("advertising"),
        advertising_cost=s("advertising_cost"),
        service_level_target=s("service_level_target"),
        training=s("training"),
        training_cost=s("training_cost"),
        wage=s("wage"),
        compensation=s("compensation"),
        complaint_handling=s("complaint_handling"),
        loyalty_premium=s("loyalty_premium"),
        cross_buy=s("cross_buy"),
        cost_per_encounter=s("cost_per_encounter"),
        quality_cost_curvature=s("quality_cost_curvature"),
        acquisition_cost=s("acquisition_cost"),
        overhead=np.array([float(f.overhead) for f in firms]),
        frontline_authority=o("frontline_authority"),
        approval_levels=o("approval_levels", np.int32),
        level_delay_days=o("level_delay_days", np.int32),
        manager_span=o("manager_span", np.int32),
        manager_capacity=o("manager_capacity"),
        control_share=o("control_share"),
        standardization=g("standardization"),
        followup_rate=g("followup_rate"),
        followup_cost=g("followup_cost"),
        contract_uptake=g("contract_uptake"),
        contract_fee=g("contract_fee"),
        proactive_rate=g("proactive_rate"),
        proactive_prevention=g("proactive_prevention"),
        proactive_cost=g("proactive_cost"),
        service_fee=g("service_fee"),
    )
    b = params.behaviour
    mean_quality = float(columns["product_quality"].mean())
    columns["product_satisfaction"] = np.array([
        satisfaction.product_satisfaction(q, mean_quality, br, b.product_satisfaction_weight,
                                          b.brand_halo)
        for q, br in zip(columns["product_quality"], columns["brand"], strict=True)])
    m = params.market
    columns["goods_cost"] = np.array([
        accounting.goods_cost_share(m.cost_of_goods, q, m.reference_product_quality,
                                    m.product_cost_curvature)
        for q in columns["product_quality"]])
    records = records_of(columns)
    return FirmTable(names=tuple(f.name for f in firms), service_level=levels,
                     promised=promised, records=records,
                     **{name: records[name] for name in columns})


def _mean_value(segments: SegmentTable) -> float:
    """Share-weighted mean segment value (the 'average customer')."""
    return float((segments.value * segments.share).sum() / segments.share.sum())
