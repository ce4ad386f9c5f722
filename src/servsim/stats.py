"""Statistics over replications: means with confidence intervals, paired tests, links.

Every function here is a pure function of arrays or tidy tables, with no
randomness (no bootstrap), so the same runs always give the same numbers.
Replications are the unit of analysis: one value per run (seed), never one
per customer, so intervals reflect run-to-run variation.  scipy and
statsmodels do the work wherever they compute the same thing:

- :func:`mean_ci` -- mean and Student-t confidence interval
  (``scipy.stats.ttest_1samp(x).confidence_interval()``);
- :func:`bounded_mean_ci` -- the same for a quantity with bounds (a share in
  [0, 1], a count >= 0): the t interval on the logit (or log) scale by the
  delta method, mapped back, so it stays within the bounds;
- :func:`paired` -- paired difference (same seeds) with a paired t-test and its
  interval (``scipy.stats.ttest_rel``, two-sided);
- :func:`holm` -- Holm's step-down adjustment of several p-values
  (``statsmodels.stats.multitest.multipletests(method="holm")``);
- :func:`proportion_ci` -- a proportion with its Wilson interval
  (``statsmodels.stats.proportion.proportion_confint(method="wilson")``);
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
from scipy import special, stats

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

    The interval is ``scipy.stats.ttest_1samp(x).confidence_interval(level)``.
    Equal values give the point as interval; one value gives NaN bounds (an
    interval needs two replications); no value gives NaN throughout.
    """
    x = _finite(values)
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    m = float(x.mean())
    if n == 1:
        return Estimate(m, math.nan, math.nan, 1)
    if float(x.std(ddof=1)) == 0.0:
        return Estimate(m, m, m, n)
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(level)
    return Estimate(m, float(ci.low), float(ci.high), n)


def bounded_mean_ci(values: Iterable[float], lower: float = 0.0, upper: float = math.inf,
                    level: float = LEVEL) -> Estimate:
    """Mean of a bounded quantity with a t interval that stays within its bounds.

    With both bounds finite the interval is built on the logit scale of
    ``u = (mean - lower) / (upper - lower)``, with only ``lower`` on the log
    scale of ``mean - lower`` (the delta method: standard error ``se * g'(mean)``
    with ``se`` the standard error of the mean), and mapped back::

        g(mean) +- t_{n-1} * se * g'(mean)

    with the same Student-t quantile as :func:`mean_ci`.  Far from the bounds
    it approaches the t interval; near a bound it is asymmetric and never
    crosses it.  Chosen over a bootstrap (judgement): deterministic, and it
    keeps the t quantile's width with few replications, where percentile
    bootstraps are too narrow.  ``lower=-inf, upper=inf`` is :func:`mean_ci`.
    Equal values give the point; one value NaN bounds.

    Raises
    ------
    ValueError
        If a value lies outside ``[lower, upper]``.
    """
    x = _finite(values)
    if not (math.isfinite(lower) or math.isfinite(upper)):
        return mean_ci(x, level)
    if np.any(x < lower) or np.any(x > upper):
        raise ValueError(f"values outside the bounds [{lower}, {upper}]: "
                         f"{float(x.min())} to {float(x.max())}")
    n = len(x)
    if n < 2 or float(x.std(ddof=1)) == 0.0:
        return mean_ci(x, level)
    m = float(x.mean())
    se = float(x.std(ddof=1)) / math.sqrt(n)
    q = float(stats.t.ppf(0.5 + level / 2.0, n - 1))
    if math.isfinite(lower) and math.isfinite(upper):
        width = upper - lower
        u = (m - lower) / width
        centre, se_g = float(special.logit(u)), se / (width * u * (1.0 - u))
        low, high = (lower + width * float(special.expit(centre + k * q * se_g))
                     for k in (-1.0, 1.0))
    elif math.isfinite(lower):
        centre, se_g = math.log(m - lower), se / (m - lower)
        low, high = (lower + math.exp(centre + k * q * se_g) for k in (-1.0, 1.0))
    else:
        centre, se_g = math.log(upper - m), se / (upper - m)
        high, low = (upper - math.exp(centre + k * q * se_g) for k in (-1.0, 1.0))
    return Estimate(m, low, high, n)


def paired(a: pd.Series, b: pd.Series, level: float = LEVEL) -> PairedTest:
    """Paired difference ``a - b`` aligned on the index (the seed); NaN pairs dropped.

    The test and its interval are Student's paired t-test
    (``scipy.stats.ttest_rel(a, b)`` and its ``confidence_interval(level)``),
    two-sided.  Identical pairs (zero variance of the differences) give the
    point as interval and p = 1 if the difference is 0, else p = 0.
    """
    joined = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").astype(float)
    joined = joined[np.isfinite(joined["a"]) & np.isfinite(joined["b"])]
    d = joined["a"] - joined["b"]
    mean_a, mean_b = float(joined["a"].mean()), float(joined["b"].mean())
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    rel = mean / abs(mean_b) if np.isfinite(mean_b) and mean_b != 0.0 else math.nan
    if n < 2:
        return PairedTest(Estimate(mean, math.nan, math.nan, n), float(rel), math.nan, math.nan,
                          mean_a, mean_b)
    if float(d.std(ddof=1)) == 0.0:
        return PairedTest(Estimate(mean, mean, mean, n), float(rel), math.nan,
                          1.0 if mean == 0.0 else 0.0, mean_a, mean_b)
    res = stats.ttest_rel(joined["a"], joined["b"])
    ci = res.confidence_interval(level)
    return PairedTest(Estimate(mean, float(ci.low), float(ci.high), n), float(rel),
                      float(res.statistic), float(res.pvalue), mean_a, mean_b)


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm-adjusted p-values of one family of tests; NaN entries stay NaN, not counted.

    ``statsmodels.stats.multitest.multipletests(p, method="holm")``: rejecting
    where the adjusted p < alpha keeps the family-wise error rate at alpha
    under any dependence between the tests (Holm 1979, Scand. J. Statist. 6).
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, math.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


def proportion_ci(count: int, total: int, level: float = LEVEL) -> Estimate:
    """Estimate a proportion ``count / total`` with its Wilson score interval (in [0, 1]).

    ``statsmodels.stats.proportion.proportion_confint(method="wilson")``
    (Wilson 1927; good coverage also near 0 and 1, unlike the Wald interval).
    """
    from statsmodels.stats.proportion import proportion_confint

    if total <= 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    low, high = proportion_confint(count, total, alpha=1.0 - level, method="wilson")
    return Estimate(count / total, float(low), float(high), int(total))


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
