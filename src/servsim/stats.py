"""Statistics over replications: means with confidence intervals, paired tests, links.

Every function here is a pure function of arrays or tidy tables, with no
randomness (no bootstrap), so the same runs always give the same numbers.
Replications are the unit of analysis: one value per run (seed), never one
per customer, so intervals reflect run-to-run variation.

- :func:`mean_ci` -- mean and Student-t confidence interval;
- :func:`paired` -- paired difference (same seeds) with a paired t-test
  (``scipy.stats.ttest_rel``, two-sided);
- :func:`cell_means` -- :func:`mean_ci` per design cell, as a tidy table;
- :func:`spearman_ci` -- Spearman rank correlation with a Fisher-z interval
  (Bonett & Wright 2000 variance ``(1 + rho^2 / 2) / (n - 3)``);
- :func:`elasticity` -- OLS slope of y on x scaled at the means,
  ``(dy/dx) * mean(x) / mean(y)``, with its t interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95
"""Confidence level of every interval."""


@dataclass(frozen=True)
class Estimate:
    """A mean (or difference, correlation, slope) with its confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.high - self.low) / 2.0


@dataclass(frozen=True)
class PairedTest:
    """A paired difference ``a - b`` over matched replications (same seeds)."""

    diff: Estimate
    """Mean difference with its t interval."""
    relative: float
    """Mean difference / |mean of b| (NaN if b's mean is 0)."""
    t: float
    p: float
    """Two-sided p-value of the paired t-test (H0: mean difference 0)."""
    mean_a: float
    mean_b: float


def _finite(values: Iterable[float]) -> np.ndarray:
    if not isinstance(values, pd.Series | np.ndarray | list):
        values = list(values)
    arr = np.asarray(values, dtype=float)
    return arr[np.isfinite(arr)]


def mean_ci(values: Iterable[float], level: float = LEVEL) -> Estimate:
    """Mean and Student-t confidence interval of the finite values.

    With one value the interval is the point; with none, NaN.
    """
    x = _finite(values)
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    m = float(x.mean())
    if n == 1:
        return Estimate(m, m, m, 1)
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return Estimate(m, m - half, m + half, n)


def paired(a: pd.Series, b: pd.Series, level: float = LEVEL) -> PairedTest:
    """Paired difference ``a - b`` aligned on the index (the seed); NaN pairs dropped.

    The test is Student's paired t-test (``scipy.stats.ttest_rel``), two-sided.
    Identical pairs (zero variance of the differences) give p = 1 if the
    difference is 0, else p = 0.
    """
    joined = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").astype(float)
    joined = joined[np.isfinite(joined["a"]) & np.isfinite(joined["b"])]
    d = joined["a"] - joined["b"]
    est = mean_ci(d, level)
    mean_a, mean_b = float(joined["a"].mean()), float(joined["b"].mean())
    rel = est.mean / abs(mean_b) if np.isfinite(mean_b) and mean_b != 0.0 else math.nan
    n = len(d)
    if n < 2:
        t, p = math.nan, math.nan
    elif float(d.std(ddof=1)) == 0.0:
        t = math.nan
        p = 1.0 if est.mean == 0.0 else 0.0
    else:
        res = stats.ttest_rel(joined["a"], joined["b"])
        t, p = float(res.statistic), float(res.pvalue)
    return PairedTest(est, float(rel), t, p, mean_a, mean_b)


def cell_means(frame: pd.DataFrame, by: Sequence[str], metrics: Sequence[str],
               level: float = LEVEL) -> pd.DataFrame:
    """Mean and interval of each metric in each cell of ``by``: a tidy (long) table.

    Columns: ``by``..., ``metric``, ``mean``, ``low``, ``high``, ``n``; cells in
    the order of first appearance, metrics in the given order.
    """
    rows = []
    for key, part in frame.groupby(list(by), sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            e = mean_ci(part[metric], level)
            rows.append({**dict(zip(by, key, strict=True)), "metric": metric, "mean": e.mean,
                         "low": e.low, "high": e.high, "n": e.n})
    return pd.DataFrame(rows)


def spearman_ci(x: Sequence[float], y: Sequence[float], level: float = LEVEL
                ) -> tuple[Estimate, float]:
    """Spearman's rho with a Fisher-z interval, and its two-sided p-value.

    The interval uses the Bonett & Wright (2000, Psychometrika 65(1)) variance
    of z = atanh(rho): (1 + rho^2 / 2) / (n - 3).
    """
    data = pd.DataFrame({"x": x, "y": y}).astype(float).dropna()
    n = len(data)
    if n < 4:
        return Estimate(math.nan, math.nan, math.nan, n), math.nan
    res = stats.spearmanr(data["x"], data["y"])
    rho, p = float(res.statistic), float(res.pvalue)
    if not np.isfinite(rho):
        return Estimate(math.nan, math.nan, math.nan, n), math.nan
    r = float(np.clip(rho, -0.999999, 0.999999))
    z = math.atanh(r)
    se = math.sqrt((1.0 + r * r / 2.0) / (n - 3))
    q = float(stats.norm.ppf(0.5 + level / 2.0))
    return Estimate(rho, math.tanh(z - q * se), math.tanh(z + q * se), n), p


def elasticity(x: Sequence[float], y: Sequence[float], level: float = LEVEL) -> Estimate:
    """Elasticity of y with respect to x at the means: OLS slope * mean(x) / mean(y).

    The interval is the slope's t interval scaled the same way (the means are
    treated as fixed).  NaN if mean(y) is 0 or fewer than 3 points.
    """
    data = pd.DataFrame({"x": x, "y": y}).astype(float).dropna()
    n = len(data)
    if n < 3 or float(data["x"].std()) == 0.0:
        return Estimate(math.nan, math.nan, math.nan, n)
    res = stats.linregress(data["x"], data["y"])
    mx, my = float(data["x"].mean()), float(data["y"].mean())
    if my == 0.0:
        return Estimate(math.nan, math.nan, math.nan, n)
    scale = mx / my
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 2) * res.stderr)
    lo, hi = sorted(((res.slope - half) * scale, (res.slope + half) * scale))
    return Estimate(float(res.slope * scale), lo, hi, n)


def slope(x: Sequence[float], y: Sequence[float], level: float = LEVEL) -> Estimate:
    """OLS slope of y on x with its t interval."""
    data = pd.DataFrame({"x": x, "y": y}).astype(float).dropna()
    n = len(data)
    if n < 3 or float(data["x"].std()) == 0.0:
        return Estimate(math.nan, math.nan, math.nan, n)
    res = stats.linregress(data["x"], data["y"])
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 2) * res.stderr)
    return Estimate(float(res.slope), float(res.slope - half), float(res.slope + half), n)


def confidence_words(p: float) -> str:
    """Plain words for a p-value: how sure a difference is not noise."""
    if not np.isfinite(p):
        return "not testable"
    if p < 0.001:
        return "clear (p < 0.001)"
    if p < 0.01:
        return f"clear (p = {p:.3f})"
    if p < 0.05:
        return f"likely (p = {p:.3f})"
    return f"not distinguishable from noise (p = {p:.2f})"
