"""The buy-till-you-die peers: closed forms, likelihoods and maximum-likelihood fits.

Three models of repeat buying by a cohort, each customer described by the
calibration-period summary ``x`` (repeat transactions), ``t_x`` (time of the last
one after the first purchase) and ``T`` (time from the first purchase to the end of
the calibration window):

- **Pareto/NBD** (Schmittlein, Morrison & Colombo 1987): purchases Poisson with rate
  ``lambda ~ Gamma(r, alpha)`` while alive; an exponential lifetime with rate
  ``mu ~ Gamma(s, beta)``.  Parameters ``r, alpha, s, beta``.
- **BG/NBD** (Fader, Hardie & Lee 2005): the same purchases; after each *repeat*
  purchase the customer drops out with probability ``p ~ Beta(a, b)``.
  Parameters ``r, alpha, a, b``.
- **MBG/NBD** (Batislam, Denizel & Filiztekin 2007): as BG/NBD, but dropout can also
  happen right after the first purchase.  Parameters ``r, alpha, a, b``.

``Gamma(shape, rate)`` throughout; times in the unit of the data (weeks for CDNOW).
The closed forms are plain vectorized functions (``scipy.special``), so the engine's
analytic check can compare simulated repeat counts with them.  :func:`fit` maximizes
the likelihood with ``scipy.optimize`` over log parameters; :func:`fit_lifetimes`
fits the same models with the ``lifetimes`` package (the ``data`` extra) as a cross-check.

References
----------
Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers:
who are they and what will they do next? Management Science 33(1), 1-24.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way: an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). A note on implementing the
Pareto/NBD model in MATLAB. http://brucehardie.com/notes/008/
Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and
comparison of models for customer base analysis. IJRM 24(3), 201-209.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import optimize, special

MODELS = ("bgnbd", "paretonbd", "mbgnbd")
PARAMETER_NAMES = {
    "bgnbd": ("r", "alpha", "a", "b"),
    "mbgnbd": ("r", "alpha", "a", "b"),
    "paretonbd": ("r", "alpha", "s", "beta"),
}
LABELS = {"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD", "mbgnbd": "MBG/NBD"}


# ---------------------------------------------------------------- closed forms E[X(t)]

def paretonbd_expected(t, r: float, alpha: float, s: float, beta: float):
    """E[X(t)], repeat transactions in ``(0, t]`` after the first purchase (Pareto/NBD).

    ``r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)]``; the limit
    ``r beta / alpha ln(1 + t / beta)`` at ``s = 1`` (Schmittlein et al. 1987, eq. 17).
    """
    t = np.asarray(t, dtype=float)
    if abs(s - 1.0) < 1e-9:
        return r * beta / alpha * np.log1p(t / beta)
    return r * beta / (alpha * (s - 1.0)) * (1.0 - (beta / (beta + t)) ** (s - 1.0))


def bgnbd_expected(t, r: float, alpha: float, a: float, b: float):
    """E[X(t)] of the BG/NBD (Fader, Hardie & Lee 2005, eq. 9).

    ``(a + b - 1) / (a - 1) [1 - (alpha / (alpha + t))^r 2F1(r, b; a + b - 1; t / (alpha + t))]``.
    """
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    hyp = special.hyp2f1(r, b, a + b - 1.0, z)
    return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp)


def mbgnbd_expected(t, r: float, alpha: float, a: float, b: float):
    """E[X(t)] of the MBG/NBD (Batislam et al. 2007).

    ``b / (a - 1) [1 - (alpha / (alpha + t))^r 2F1(r, b + 1; a + b; t / (alpha + t))]``.
    """
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    hyp = special.hyp2f1(r, b + 1.0, a + b, z)
    return b / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp)


EXPECTED = {"bgnbd": bgnbd_expected, "paretonbd": paretonbd_expected,
            "mbgnbd": mbgnbd_expected}


# ------------------------------------------------------------- per-customer likelihoods

def _log_beta_ratio(a, b, da, db):
    """Ln B(a + da, b + db) - ln B(a, b)."""
    return special.betaln(a + da, b + db) - special.betaln(a, b)


def bgnbd_loglik(params, x, t_x, T):
    """Per-customer log-likelihood of the BG/NBD (Fader, Hardie & Lee 2005, eq. 6)."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    alive = _log_beta_ratio(a, b, 0.0, x) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dead = np.where(x > 0, _log_beta_ratio(a, b, 1.0, x - 1.0)
                        - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(alive, dead)


def mbgnbd_loglik(params, x, t_x, T):
    """Per-customer log-likelihood of the MBG/NBD (dropout also after the first purchase)."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    alive = _log_beta_ratio(a, b, 0.0, x + 1.0) - (r + x) * np.log(alpha + T)
    dead = _log_beta_ratio(a, b, 1.0, x) - (r + x) * np.log(alpha + t_x)
    return common + np.logaddexp(alive, dead)


def _paretonbd_log_a0(params, x, t_x, T):
    """Ln A0 of Fader, Hardie & Lee's Pareto/NBD note (eq. 2), both branches."""
    r, alpha, s, beta = params
    rsx = r + s + x
    if alpha >= beta:
        first, shift = s + 1.0, alpha
        z_scale = alpha - beta
    else:
        first, shift = r + x, beta
        z_scale = beta - alpha
    log_f_tx = np.log(special.hyp2f1(rsx, first, rsx + 1.0, z_scale / (shift + t_x))) \
        - rsx * np.log(shift + t_x)
    log_f_T = np.log(special.hyp2f1(rsx, first, rsx + 1.0, z_scale / (shift + T))) \
        - rsx * np.log(shift + T)
    with np.errstate(divide="ignore"):
        return log_f_tx + np.log1p(-np.exp(np.minimum(log_f_T - log_f_tx, 0.0)))


def paretonbd_loglik(params, x, t_x, T):
    """Per-customer log-likelihood of the Pareto/NBD (Fader, Hardie & Lee 2005 note, eq. 1).

    ``L = Gamma(r + x) alpha^r beta^s / Gamma(r) [1 / ((alpha + T)^(r + x) (beta + T)^s)
    + s / (r + s + x) A0]``.
    """
    r, alpha, s, beta = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dead = np.log(s / (r + s + x)) + _paretonbd_log_a0(params, x, t_x, T)
    return common + np.logaddexp(alive, dead)


LOGLIK = {"bgnbd": bgnbd_loglik, "paretonbd": paretonbd_loglik, "mbgnbd": mbgnbd_loglik}


# -------------------------------------------------- conditional expectations (holdout)

def paretonbd_p_alive(params, x, t_x, T):
    """P(alive at T | x, t_x, T) of the Pareto/NBD (Fader, Hardie & Lee note, eq. 5)."""
    r, alpha, s, beta = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    log_ratio = (np.log(s / (r + s + x)) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
                 + _paretonbd_log_a0(params, x, t_x, T))
    return 1.0 / (1.0 + np.exp(log_ratio))


def paretonbd_conditional_expected(t, params, x, t_x, T):
    """E[Y(t) | x, t_x, T]: expected transactions in ``(T, T + t]`` (Pareto/NBD)."""
    r, alpha, s, beta = params
    x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
    if abs(s - 1.0) < 1e-9:
        alive_mean = (r + x) * (beta + T) / (alpha + T) * np.log1p(t / (beta + T))
    else:
        alive_mean = ((r + x) * (beta + T) / ((alpha + T) * (s - 1.0))
                      * (1.0 - ((beta + T) / (beta + T + t)) ** (s - 1.0)))
    return alive_mean * paretonbd_p_alive(params, x, t_x, T)


def bgnbd_conditional_expected(t, params, x, t_x, T):
    """E[Y(t) | x, t_x, T] of the BG/NBD (Fader, Hardie & Lee 2005, eq. 10)."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1.0, t / (alpha + T + t))
    numerator = (a + b + x - 1.0) / (a - 1.0) * (
        1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(x > 0, a / (b + x - 1.0) * ((alpha + T) / (alpha + t_x)) ** (r + x),
                        0.0)
    return numerator / (1.0 + odds)


def mbgnbd_conditional_expected(t, params, x, t_x, T):
    """E[Y(t) | x, t_x, T] of the MBG/NBD (Batislam et al. 2007)."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    hyp = special.hyp2f1(r + x, b + x + 1.0, a + b + x, t / (alpha + T + t))
    numerator = (a + b + x) / (a - 1.0) * (
        1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    odds = a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return numerator / (1.0 + odds)


CONDITIONAL = {"bgnbd": bgnbd_conditional_expected,
               "paretonbd": paretonbd_conditional_expected,
               "mbgnbd": mbgnbd_conditional_expected}


# ------------------------------------------------------------------------------ fitting

@dataclasses.dataclass
class BTYDFit:
    """A fitted BTYD model.

    Attributes
    ----------
    model
        ``bgnbd``, ``paretonbd`` or ``mbgnbd``.
    params
        Parameter name -> value (times in the data's unit, e.g. weeks).
    loglik
        Total log-likelihood at the fit.
    fitter
        Who fitted it: ``scipy`` (:func:`fit`) or ``lifetimes`` (:func:`fit_lifetimes`).
    """

    model: str
    params: dict[str, float]
    loglik: float
    fitter: str = "scipy"

    @property
    def label(self) -> str:
        """The model's usual name, e.g. ``BG/NBD``."""
        return LABELS[self.model]

    @property
    def values(self) -> tuple[float, ...]:
        """The parameters in the model's order."""
        return tuple(self.params[name] for name in PARAMETER_NAMES[self.model])

    def expected(self, t):
        """E[X(t)] for a customer ``t`` time units after the first purchase."""
        return EXPECTED[self.model](t, *self.values)

    def conditional_expected(self, t, x, t_x, T):
        """E[Y(t) | x, t_x, T] per customer."""
        return CONDITIONAL[self.model](t, self.values, x, t_x, T)


def _aggregate(summary: pd.DataFrame):
    grouped = summary.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    return (grouped["frequency"].to_numpy(float), grouped["recency"].to_numpy(float),
            grouped["T"].to_numpy(float), grouped["n"].to_numpy(float))


def fit(model: str, summary: pd.DataFrame, start=None) -> BTYDFit:
    """Maximum-likelihood fit of a BTYD model to a calibration summary.

    Parameters
    ----------
    model
        One of :data:`MODELS`.
    summary
        Columns ``frequency``, ``recency``, ``T`` (one row per customer), e.g.
        :func:`servsim.calibration.data.rfm_summary`.
    start
        Starting parameters (default all 1, as lifetimes does).

    Notes
    -----
    Customers with the same ``(x, t_x, T)`` are counted once with a weight; the
    negative total log-likelihood is minimized over log parameters by Nelder-Mead,
    then polished by L-BFGS-B.
    """
    if model not in MODELS:
        raise ValueError(f"model {model!r} unknown (allowed: {', '.join(MODELS)})")
    x, t_x, T, weight = _aggregate(summary)
    loglik = LOGLIK[model]

    def objective(log_params):
        value = -np.sum(weight * loglik(np.exp(log_params), x, t_x, T))
        return value if np.isfinite(value) else 1e300

    x0 = np.log(np.ones(4) if start is None else np.asarray(start, dtype=float))
    with np.errstate(all="ignore"):
        result = optimize.minimize(objective, x0, method="Nelder-Mead",
                                   options={"maxiter": 8000, "xatol": 1e-7, "fatol": 1e-7})
        polished = optimize.minimize(objective, result.x, method="L-BFGS-B")
    best = polished if polished.fun <= result.fun else result
    values = np.exp(best.x)
    return BTYDFit(model, dict(zip(PARAMETER_NAMES[model], map(float, values), strict=True)),
                   float(-best.fun), "scipy")


def fit_lifetimes(model: str, summary: pd.DataFrame) -> BTYDFit:
    """Fit with the ``lifetimes`` package (``BetaGeoFitter``, ``ParetoNBDFitter``, ...)."""
    import lifetimes

    cls = {"bgnbd": lifetimes.BetaGeoFitter, "paretonbd": lifetimes.ParetoNBDFitter,
           "mbgnbd": lifetimes.ModifiedBetaGeoFitter}[model]
    fitter = cls(penalizer_coef=0.0)
    fitter.fit(summary["frequency"], summary["recency"], summary["T"])
    params = {name: float(fitter.params_[name]) for name in PARAMETER_NAMES[model]}
    values = tuple(params[name] for name in PARAMETER_NAMES[model])
    total = float(np.sum(LOGLIK[model](values, summary["frequency"], summary["recency"],
                                       summary["T"])))
    return BTYDFit(model, params, total, "lifetimes")
