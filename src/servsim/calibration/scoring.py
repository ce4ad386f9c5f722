"""Scores of a cohort's repeat buying: pure functions over a transaction log.

All functions take a :class:`servsim.calibration.data.TransactionLog` (observed or
simulated transactions of one cohort, one row per customer-day) and return tables
or numbers; none fits anything.  *Repeat* transactions are every transaction but a
customer's first.  Weeks are 1-based, week ``w`` holding days ``7 (w-1) .. 7 w - 1``
after the calibration start.

- :func:`weekly_repeat_curve` and :func:`model_repeat_curve`: incremental and
  cumulative repeat transactions per week, observed and expected under a model;
- :func:`holdout_errors`: holdout cumulative MAPE, last-week error, weekly-increment
  MAPE (the three numbers of issue 16's table);
- :func:`repeat_count_histogram`, :func:`recency_histogram`: per-customer moments of
  the calibration window;
- :func:`conditional_expectation`: mean holdout transactions by calibration-period
  frequency, observed and under each model (Fader, Hardie & Lee 2005, fig. 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.calibration.data import (
    DAYS_PER_WEEK,
    TransactionLog,
    exposure_offset,
    rfm_summary,
)


def _repeats(log: TransactionLog) -> pd.DataFrame:
    """Select the repeat transactions (a customer's first transaction dropped)."""
    tx = log.transactions
    first = tx.groupby("customer")["day"].transform("min")
    return tx[tx["day"] > first]


def weekly_repeat_curve(log: TransactionLog) -> pd.DataFrame:
    """Repeat transactions per week: columns ``week``, ``incremental``, ``cumulative``.

    Weeks 1 .. ``log.total_weeks``; transactions after the holdout end are ignored.
    """
    repeats = _repeats(log)
    days = repeats["day"].to_numpy()
    days = days[days < log.total_days]
    incremental = np.bincount(days // DAYS_PER_WEEK, minlength=log.total_weeks)
    incremental = incremental[: log.total_weeks].astype(float)
    return pd.DataFrame({"week": np.arange(1, log.total_weeks + 1),
                         "incremental": incremental, "cumulative": np.cumsum(incremental)})


def model_repeat_curve(expected, first_day: np.ndarray, total_weeks: int,
                       time_unit_days: float = DAYS_PER_WEEK,
                       exposure: str = "end_of_day") -> pd.DataFrame:
    """Compute the expected repeat transactions per week of a cohort under a model.

    ``cumulative(w) = sum_i E[X((7 w - d_i) / u)]`` (``u`` = ``time_unit_days``) with
    the default ``exposure="end_of_day"``: from the start of customer ``i``'s first
    purchase day ``d_i`` to the end of week ``w``; ``7 w - 1 - d_i`` days with
    ``exposure="date_difference"`` -- the same clock as
    :func:`servsim.calibration.data.rfm_summary`'s ``T``.

    Parameters
    ----------
    expected
        ``E[X(t)]`` as a vectorized function of ``t`` (e.g. ``BTYDFit.expected``).
    first_day
        Each customer's first-purchase day.
    total_weeks
        Weeks to cover.
    time_unit_days
        The model's time unit in days (7: weeks).
    """
    days, counts = np.unique(np.asarray(first_day), return_counts=True)
    week_end = DAYS_PER_WEEK * np.arange(1, total_weeks + 1) - 1 + exposure_offset(exposure)
    elapsed = np.maximum(week_end[:, None] - days[None, :], 0) / time_unit_days
    cumulative = (np.asarray(expected(elapsed)) * counts[None, :]).sum(axis=1)
    incremental = np.diff(cumulative, prepend=0.0)
    return pd.DataFrame({"week": np.arange(1, total_weeks + 1),
                         "incremental": incremental, "cumulative": cumulative})


def holdout_errors(observed: pd.DataFrame, predicted: pd.DataFrame,
                   calibration_weeks: int) -> dict[str, float]:
    """Errors of a predicted weekly curve over the holdout weeks (in percent).

    Returns
    -------
    dict
        ``cumulative_mape``: mean over the holdout weeks of
        ``|pred_cum - obs_cum| / obs_cum`` (cumulative counted from week 1);
        ``last_week_error``: ``(pred_cum - obs_cum) / obs_cum`` in the last week;
        ``incremental_mape``: mean ``|pred_inc - obs_inc| / obs_inc`` over the holdout
        weeks (weeks with no observed repeat are skipped); all times 100.
    """
    obs = observed.set_index("week")
    pred = predicted.set_index("week").reindex(obs.index)
    hold = obs.index > calibration_weeks
    if not hold.any():
        raise ValueError("no holdout weeks to score")
    cum_obs, cum_pred = obs["cumulative"][hold], pred["cumulative"][hold]
    inc_obs, inc_pred = obs["incremental"][hold], pred["incremental"][hold]
    positive = inc_obs > 0
    return {
        "cumulative_mape": float(100 * np.mean(np.abs(cum_pred - cum_obs) / cum_obs)),
        "last_week_error": float(100 * (cum_pred.iloc[-1] - cum_obs.iloc[-1])
                                 / cum_obs.iloc[-1]),
        "incremental_mape": float(100 * np.mean(np.abs(inc_pred[positive] - inc_obs[positive])
                                                / inc_obs[positive])),
    }


def repeat_count_histogram(log: TransactionLog, max_count: int = 7) -> pd.Series:
    """Share of cohort customers by repeat transactions in the calibration window.

    Index ``0 .. max_count`` (the last bin is ``max_count`` or more); sums to 1.
    """
    frequency = rfm_summary(log)["frequency"].to_numpy()
    counts = np.bincount(np.minimum(frequency, max_count), minlength=max_count + 1)
    index = pd.Index([*map(str, range(max_count)), f"{max_count}+"], name="repeats")
    return pd.Series(counts / counts.sum(), index=index, name="share")


def recency_histogram(log: TransactionLog, bin_weeks: int = 3) -> pd.Series:
    """When repeat buyers last bought in the calibration window: shares by week bin.

    Among customers with at least one repeat transaction in the calibration window,
    the share whose last one falls in each ``bin_weeks``-week bin of the window (sums
    to 1; all zeros if nobody repeated).  Early last purchases of frequent buyers are
    what dropout leaves behind, so this moment carries the dropout process.
    """
    summary = rfm_summary(log, time_unit_days=1.0)
    repeaters = summary[summary["frequency"] > 0]
    last_day = (repeaters["first_day"] + repeaters["recency"]).to_numpy()
    n_bins = -(-log.calibration_weeks // bin_weeks)
    bins = np.minimum(last_day // (DAYS_PER_WEEK * bin_weeks), n_bins - 1).astype(int)
    counts = np.bincount(bins, minlength=n_bins).astype(float)
    index = pd.Index([f"w{b * bin_weeks + 1}-{min((b + 1) * bin_weeks, log.calibration_weeks)}"
                      for b in range(n_bins)], name="last repeat")
    total = counts.sum()
    return pd.Series(counts / total if total else counts, index=index, name="share")


def conditional_expectation(log: TransactionLog, fits=(), max_frequency: int = 7,
                            time_unit_days: float = DAYS_PER_WEEK,
                            exposure: str = "end_of_day") -> pd.DataFrame:
    """Mean holdout transactions by calibration-period frequency (0 .. max_frequency+).

    Parameters
    ----------
    log
        The observed cohort.
    fits
        Fitted models (:class:`servsim.calibration.btyd.BTYDFit`); each adds a column
        of the model's mean ``E[Y(holdout) | x, t_x, T]`` per frequency group.
    max_frequency
        The last group holds this frequency or more.
    time_unit_days
        The models' time unit in days.
    exposure
        The clock of :func:`servsim.calibration.data.rfm_summary` the fits used.

    Returns
    -------
    pandas.DataFrame
        Index ``0 .. max_frequency+``; columns ``customers``, ``observed`` and one per fit
        (its label, e.g. ``BG/NBD``).
    """
    summary = rfm_summary(log, time_unit_days, exposure)
    group = np.minimum(summary["frequency"].to_numpy(), max_frequency)
    holdout_length = (log.total_days - log.calibration_days) / time_unit_days
    table = pd.DataFrame({"group": group, "observed": summary["holdout"].to_numpy(float)})
    for model in fits:
        table[model.label] = model.conditional_expected(
            holdout_length, summary["frequency"].to_numpy(float),
            summary["recency"].to_numpy(float), summary["T"].to_numpy(float))
    out = table.groupby("group").mean()
    out.insert(0, "customers", table.groupby("group").size())
    out.index = pd.Index([f"{g}+" if g == max_frequency else str(g) for g in out.index],
                         name="calibration repeats")
    return out
