"""Simulators for calibration: toy BTYD populations and the (future) servsim binding.

A *simulator* is any callable ``simulate(params: dict, seed: int) -> DataFrame``
returning the transactions of one cohort: columns ``customer`` (int code 0..n-1 of
the cohort), ``day`` (int, days since the calibration start; or ``date``) and
``amount``, including each customer's first purchase.  :mod:`servsim.calibration.smm`
fits any such callable.

:class:`BTYDPopulation` draws a BG/NBD, MBG/NBD or Pareto/NBD population for a given
cohort (its first-purchase days), so the whole calibration pipeline runs and is
tested now.  It draws every random quantity by inverse transform from a
counter-based uniform ``U(seed, stream, customer, k)`` (a SplitMix64 hash), so a
candidate parameter set and its neighbour see *the same* random numbers customer by
customer: common random numbers that stay synchronized when a parameter changes how
many events a customer has (a sequential generator would shift every later draw).

:func:`servsim_simulator` is the binding of servsim's engine; it needs the engine
part of issue 16 and says so.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import special, stats

from servsim.calibration.btyd import PARAMETER_NAMES
from servsim.calibration.data import DAYS_PER_WEEK, TransactionLog
from servsim.streams import hashed_uniform  # re-exported: the toy simulators' streams


@dataclasses.dataclass
class BTYDPopulation:
    """A cohort drawn from a BTYD model (``simulate(params, seed)`` for SMM).

    Parameters
    ----------
    model
        ``bgnbd`` (dropout after a repeat purchase), ``mbgnbd`` (also after the first)
        or ``paretonbd`` (exponential lifetime).
    first_day
        Each customer's first-purchase day (days since the calibration start).
    total_days
        Days simulated from the calibration start (the holdout end + 1).
    time_unit_days
        The parameters' time unit in days (7: rates per week, as the peers).

    Notes
    -----
    Per customer ``i`` (streams of :func:`hashed_uniform`): purchase rate
    ``lambda_i = G_r^-1(U_1) / alpha``; BG/NBD ``p_i = B_ab^-1(U_2)`` and the number of
    repeats until dropout ``K_i`` geometric by inverse transform of ``U_3`` (MBG/NBD:
    ``K_i - 1``); Pareto/NBD ``mu_i = G_s^-1(U_2) / beta`` and lifetime
    ``-ln U_3 / mu_i``.  The Poisson count over the customer's active span is the
    inverse Poisson CDF of ``U_4``; the purchase times are the span times the sorted
    uniforms ``U_5(i, k)``, k = 0..count-1 (order statistics of a Poisson process);
    BG/NBD keeps the first ``K_i``.  Times are floored to days and a customer's
    purchases on one day are one transaction, as in the data.  Amounts are 1.
    """

    model: str
    first_day: np.ndarray
    total_days: int
    time_unit_days: float = DAYS_PER_WEEK

    def __post_init__(self):
        if self.model not in PARAMETER_NAMES:
            raise ValueError(f"model {self.model!r} unknown "
                             f"(allowed: {', '.join(PARAMETER_NAMES)})")
        self.first_day = np.asarray(self.first_day, dtype=np.int64)

    @classmethod
    def for_log(cls, model: str, log: TransactionLog, **kwargs) -> BTYDPopulation:
        """Build the population with a log's cohort (first-purchase days) and horizon."""
        return cls(model, log.first_day, log.total_days, **kwargs)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """The model's parameters (all must be given to :meth:`__call__`)."""
        return PARAMETER_NAMES[self.model]

    def __call__(self, params: dict, seed: int) -> pd.DataFrame:
        """Transactions (customer, day, amount) of the cohort under ``params``."""
        missing = [name for name in self.parameter_names if name not in params]
        if missing:
            raise ValueError(f"{self.model} simulator: parameter {missing[0]!r} missing "
                             f"(needs {', '.join(self.parameter_names)})")
        values = [float(params[name]) for name in self.parameter_names]
        if min(values) <= 0:
            raise ValueError(f"{self.model} simulator: parameters must be > 0, got {params}")
        r, alpha, third, fourth = values
        n = len(self.first_day)
        ids = np.arange(n)
        span = (self.total_days - self.first_day) / self.time_unit_days
        rate = special.gammaincinv(r, hashed_uniform(seed, 1, ids)) / alpha
        if self.model == "paretonbd":
            dropout = special.gammaincinv(third, hashed_uniform(seed, 2, ids)) / fourth
            lifetime = -np.log(hashed_uniform(seed, 3, ids)) / np.maximum(dropout, 1e-300)
            active = np.minimum(lifetime, span)
            cap = None
        else:
            p = special.betaincinv(third, fourth, hashed_uniform(seed, 2, ids))
            with np.errstate(divide="ignore"):
                repeats = np.floor(np.log(hashed_uniform(seed, 3, ids)) / np.log1p(-p)) + 1
            cap = repeats - (1 if self.model == "mbgnbd" else 0)
            active = span
        mean = rate * active
        count = np.where(mean > 0, stats.poisson.ppf(hashed_uniform(seed, 4, ids),
                                                     np.maximum(mean, 1e-300)), 0)
        count = np.nan_to_num(count, nan=0.0).astype(np.int64)
        customer = np.repeat(ids, count)
        start = np.cumsum(count) - count
        k = np.arange(len(customer)) - np.repeat(start, count)
        times = hashed_uniform(seed, 5, customer, k) * active[customer]
        order = np.lexsort((times, customer))
        customer, times = customer[order], times[order]
        if cap is not None:
            keep = k < cap[customer]  # blocks stay in place, so k is also the rank by time
            customer, times = customer[keep], times[keep]
        days = self.first_day[customer] + np.floor(times * self.time_unit_days).astype(np.int64)
        all_customers = np.concatenate([ids, customer])
        all_days = np.concatenate([self.first_day, days])
        table = pd.DataFrame({"customer": all_customers, "day": all_days})
        table = table.drop_duplicates().sort_values(["customer", "day"], ignore_index=True)
        table["amount"] = 1.0
        return table


SERVSIM_BASE = {
    "market.innovation": 0.0, "market.imitation": 0.0, "market.focal_initial_share": 0.0,
    "behaviour.churn_satisfaction": 0.0, "behaviour.churn_attitude": 0.0,
    "behaviour.outside_utility": -1000.0, "behaviour.wom_base": 0.0,
    "behaviour.dropout_timing": "after_purchase",  # the BG/NBD's; config may say occasion
}
"""The service layer off for a BTYD-comparable cohort: no Bass adoption (customers come
only by cohort entry), no satisfaction or attitude in dropout, no outside option (every
occasion a purchase), no word of mouth,
dropout right after a purchase (BG/NBD);
override any of these (e.g. ``need_rate``) through ``config``."""
BTYD_TIMING = {"bgnbd": "after_purchase", "mbgnbd": "occasion"}


def engine_values(params: dict, time_unit_days: float = DAYS_PER_WEEK) -> dict:
    """Dotted servsim keys for fitted ``params``: BTYD names (``r``, ``alpha`` in
    ``time_unit_days``, ``a``, ``b``) map to the engine's gamma purchase rate and beta
    dropout — ``rate_shape = r``, ``purchase_rate = r / alpha`` per day,
    ``churn_base = a / (a + b)``, ``dropout_concentration = a + b``; any other key must
    be a dotted servsim key (``market.segments.all.dropout_sd``) and passes as given."""
    out, rest = {}, dict(params)
    seg = "market.segments.all."
    if "r" in rest or "alpha" in rest:
        r, alpha = float(rest.pop("r")), float(rest.pop("alpha"))
        out[seg + "rate_shape"] = r
        out[seg + "purchase_rate"] = r / (alpha * time_unit_days)
    if "a" in rest or "b" in rest:
        a, b = float(rest.pop("a")), float(rest.pop("b"))
        out["behaviour.churn_base"] = a / (a + b)
        out[seg + "dropout_concentration"] = a + b
    if "dropout_timing" in rest:
        out["behaviour.dropout_timing"] = rest.pop("dropout_timing")
    return {**out, **rest}


@dataclasses.dataclass
class ServsimCohort:
    """servsim's engine as a calibration simulator: ``simulate(params, seed)``.

    One customer per cohort member, entering on the log's first-purchase day (engine day
    ``first_day + 1``) with a first purchase; ``sim.days = total_days``; the focal firm's
    purchases from the event log as ``customer`` (cohort code), ``day`` (days since the
    calibration start) and ``amount``.  Heterogeneity draws are per-customer streams
    (:mod:`servsim.heterogeneity`), so a candidate and its neighbour share each customer's
    rate multiplier and dropout draw.  The daily occasion, dropout and choice draws come
    from the model's sequential generator (a changed rate shifts every later draw) unless
    ``config`` sets ``sim.counter_draws = 1``: then they are counter-based uniforms keyed
    by (seed, stream, customer, day) too, and common random numbers hold customer by
    customer (the calibration presets set it; docs/calibration.md).

    The run records only what the calibration reads: the event log (no step table, run
    summary or recovery table is built), and :meth:`for_window` runs only the days an
    SMM fit looks at.
    """

    first_day: np.ndarray
    total_days: int
    config: dict = dataclasses.field(default_factory=dict)
    time_unit_days: float = DAYS_PER_WEEK

    @classmethod
    def for_log(cls, log: TransactionLog, config=None, **kwargs) -> ServsimCohort:
        return cls(log.first_day, log.total_days, dict(config or {}), **kwargs)

    def for_window(self, days: int) -> ServsimCohort:
        """The same simulator run for the first ``days`` days only (``total_days = days``).

        Its purchases are a full run's purchases before day ``days``, transaction for
        transaction: the engine draws its random numbers day by day from one sequential
        generator and no draw depends on ``sim.days``, so the days after ``days`` cannot
        change the days before (tests/test_calibration_smm.py checks it).  The SMM fit
        reads the calibration window only, so it runs this (half the days on CDNOW)."""
        days = int(days)
        if days < 1 or days > self.total_days:
            raise ValueError(f"servsim simulator: window of {days} days outside "
                             f"1..{self.total_days}")
        return dataclasses.replace(self, total_days=days)

    def __call__(self, params: dict, seed: int) -> pd.DataFrame:
        from servsim.model import ServiceMarket
        from servsim.params import make_params

        first = np.asarray(self.first_day, dtype=np.int64)
        values = {**SERVSIM_BASE, **dict(self.config),
                  **engine_values(params, self.time_unit_days),
                  "sim.n_customers": first.size, "sim.days": int(self.total_days),
                  "sim.seed": int(seed), "sim.record_events": 1}
        run_params = make_params(**values)
        # the model itself, not simulate.run_params: the calibration reads only the event
        # log, so the step table, run summary and recovery table are not built
        model = ServiceMarket(run_params, entry_day=(first + 1).astype(np.int32))
        model.run()
        ev = model.event_table()
        buys = ev[(ev["kind"] == "purchase") & (ev["firm"] == run_params.focal_name)]
        table = pd.DataFrame({"customer": buys["customer"].to_numpy(np.int64),
                              "day": buys["day"].to_numpy(np.int64) - 1,
                              "amount": buys["amount"].to_numpy(np.float64)})
        return table.sort_values(["customer", "day"], ignore_index=True)


class EngineBindingMissing(NotImplementedError):
    """Kept for callers that caught it: servsim's engine binding now exists (never raised)."""


def servsim_simulator(config=None, log: TransactionLog | None = None):
    """Bind servsim's engine as a calibration simulator for ``log``'s cohort
    (:class:`ServsimCohort`); ``config`` holds fixed dotted servsim keys."""
    if log is None:
        raise ValueError("servsim simulator: needs the transaction log's cohort")
    return ServsimCohort.for_log(log, config)


def make_simulator(name: str, log: TransactionLog, config=None):
    """Return the simulator called ``name`` for a log's cohort: a BTYD model or ``servsim``."""
    if name == "servsim":
        return servsim_simulator(config, log)
    if name in PARAMETER_NAMES:
        return BTYDPopulation.for_log(name, log)
    raise ValueError(f"simulator {name!r} unknown (allowed: servsim, "
                     f"{', '.join(PARAMETER_NAMES)})")
