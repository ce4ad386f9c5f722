"""Per-customer heterogeneity and cohort entry, drawn at set-up (issue 16, ODD 7.10 and 5).

* ``rate_multiplier``: Gamma(r, 1/r) (mean 1) per customer, r = the segment's
  ``rate_shape``; the customer's daily occasion probability is ``purchase_rate *
  rate_multiplier`` (the BTYD models' gamma-mixed purchase rate, r and
  α = r / purchase_rate in days);
* ``dropout_offset``: added to the defection logit; Normal(0, σ_d) (``dropout_sd``), or
  logit(B) − logit(c0) with B ~ Beta(κ c0, κ (1 − c0)) (``dropout_concentration``): at
  neutral satisfaction and attitude P(defect) is then the BG/NBD's beta-mixed p;
* ``entry_day``: the day a cohort member enters (``sim.entry_days`` or given days).

Every draw is an inverse transform of a counter-based uniform U(seed, stream, customer)
(:func:`servsim.streams.hashed_uniform`), not of the model's generator:
with heterogeneity off nothing is drawn and the multiplier is exactly 1 and the offset
exactly 0, so runs stay bit-identical; with it on, customer i's draws do not depend on
anyone else's or on the other parameters (common random numbers for calibration).
"""

from __future__ import annotations

import numpy as np

from servsim.params import Params
from servsim.streams import DROPOUT_STREAM, ENTRY_STREAM, RATE_STREAM, hashed_uniform


def _uniform(seed: int, stream: int, n: int) -> np.ndarray:
    return hashed_uniform(seed, stream, np.arange(n))


def draw(params: Params, segment: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(rate_multiplier, dropout_offset) as float32 columns for customers of ``segment``."""
    from scipy import special

    n = segment.size
    mult = np.ones(n, dtype=np.float32)
    offset = np.zeros(n, dtype=np.float32)
    segs = list(params.market.segments.values())
    c0 = params.behaviour.churn_base
    u_rate = u_drop = None
    for s, sp in enumerate(segs):
        who = np.flatnonzero(segment == s)
        if sp.rate_shape > 0 and who.size:
            u_rate = _uniform(seed, RATE_STREAM, n) if u_rate is None else u_rate
            r = sp.rate_shape
            mult[who] = (special.gammaincinv(r, u_rate[who]) / r).astype(np.float32)
        if (sp.dropout_concentration > 0 or sp.dropout_sd > 0) and who.size:
            u_drop = _uniform(seed, DROPOUT_STREAM, n) if u_drop is None else u_drop
            if sp.dropout_concentration > 0:
                k = sp.dropout_concentration
                b = special.betaincinv(k * c0, k * (1 - c0), u_drop[who])
                b = np.clip(b, 1e-12, 1 - 1e-12)
                offset[who] = (special.logit(b) - special.logit(c0)).astype(np.float32)
            else:
                offset[who] = (sp.dropout_sd * special.ndtri(u_drop[who])).astype(np.float32)
    return mult, offset


def entry_days(n: int, window: int, seed: int) -> np.ndarray:
    """Entry day (int32, 1 … window) of each of ``n`` customers, uniform."""
    u = _uniform(seed, ENTRY_STREAM, n)
    return (1 + np.floor(u * window)).astype(np.int32)
