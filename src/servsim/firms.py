"""Firm and segment parameters as arrays (one entry per firm / segment).

Mechanisms index these with a customer's ``firm`` and ``segment`` codes, so
a firm's lever is read with one gather instead of a Python lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from servsim.mechanisms import recovery, satisfaction
from servsim.mechanisms._common import logit
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

    @property
    def n(self) -> int:
        """Number of firms."""
        return len(self.names)


def segment_table(params: Params) -> SegmentTable:
    """Arrays of the market's segment parameters."""
    segs = list(params.market.segments.items())

    def col(name: str, dtype=np.float64) -> np.ndarray:
        return np.array([getattr(s, name) for _, s in segs], dtype=dtype)

    return SegmentTable(
        names=tuple(n for n, _ in segs),
        share=col("share"),
        value=col("value"),
        price_sensitivity=col("price_sensitivity"),
        expectation=col("expectation"),
        need_rate=col("need_rate"),
        purchase_rate=col("purchase_rate"),
        complaint_propensity=col("complaint_propensity"),
        patience_days=col("patience_days", np.int32),
    )


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

    return FirmTable(
        names=tuple(f.name for f in firms),
        initial_share=np.array([f.initial_share for f in firms]),
        service_level=levels,
        promised=promised,
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


def _mean_value(segments: SegmentTable) -> float:
    """Share-weighted mean segment value (the 'average customer')."""
    return float((segments.value * segments.share).sum() / segments.share.sum())


@dataclass(frozen=True)
class KernelConstants:
    """Values derived once from the parameters (read at construction) for the kernels."""

    need_rate32: np.ndarray  # float32 daily need probability by segment
    purchase_rate32: np.ndarray  # float32 daily purchase probability by segment
    proactive: bool  # some firm makes proactive contacts
    logit_base_failure: float
    logit_churn_base: float
    logit_quit_base: float
    exp_speed: np.ndarray  # recovery.speed_table: exp(-days / tau), days 0..max patience + 1
    product_satisfaction: np.ndarray  # per firm: satisfaction.product_satisfaction (ODD 7.5)

    @classmethod
    def of(cls, b, seg, firms) -> KernelConstants:
        return cls(
            need_rate32=seg.need_rate.astype(np.float32),
            purchase_rate32=seg.purchase_rate.astype(np.float32),
            proactive=bool((firms.proactive_rate > 0).any()),
            logit_base_failure=logit(b.base_failure),
            logit_churn_base=logit(b.churn_base),
            logit_quit_base=logit(b.quit_base),
            exp_speed=recovery.speed_table(int(seg.patience_days.max(initial=0)) + 1,
                                           b.recovery_speed_days),
            product_satisfaction=np.array([
                satisfaction.product_satisfaction(q, float(firms.product_quality.mean()), br,
                                                  b.product_satisfaction_weight, b.brand_halo)
                for q, br in zip(firms.product_quality, firms.brand, strict=True)]),
        )
