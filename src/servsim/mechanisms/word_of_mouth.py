"""Step 7 — word of mouth: asymmetric and U-shaped in satisfaction, over the network.

Anderson (1998, Journal of Service Research): the propensity to talk rises at
both extremes of satisfaction and more at the dissatisfied end.  A customer
(or former customer) with satisfaction S talks today with probability

    tau(S) = clip(t0 + t+ max(S - s_n, 0) / (1 - s_n) + t- max(s_n - S, 0) / s_n, 0, 1)

with t- > t+ by default; the message is positive if S >= s_n, negative
otherwise, and is about the talker's (current or last) firm.  A talker
tells all its ties, so a message count is the talker's degree.  Each
customer receives, per firm, the share of its ties that spoke well
(``pos_in``) or ill (``neg_in``) of the firm: ``W @ X`` with W the
row-normalized adjacency and X the talkers' message indicators, computed by
scattering each talker's message to its ties.  Attitude toward each firm integrates what one
hears and fades:

    A' = clip((1 - delta) A + g (pos_in - neg_in), -1, 1)
"""

from __future__ import annotations

import numpy as np


def talk_probability(
    satisfaction: np.ndarray, neutral: float, base: float, positive: float, negative: float
) -> np.ndarray:
    """U-shaped, asymmetric daily probability of talking (see module docstring)."""
    up = np.maximum(satisfaction - neutral, 0.0) / (1.0 - neutral)
    down = np.maximum(neutral - satisfaction, 0.0) / neutral
    return np.clip(base + positive * up + negative * down, 0.0, 1.0)


def message_category(firm: np.ndarray, positive: np.ndarray, n_firms: int) -> np.ndarray:
    """Kind of message: ``firm`` if positive, ``n_firms + firm`` if negative.

    The share of a customer's ties sending category ``f`` is ``pos_in_f``, category
    ``F + f`` is ``neg_in_f`` (:meth:`servsim.network.Network.share_of_ties`).
    """
    return firm.astype(np.int64) + np.where(positive, 0, n_firms)


def update_attitude(
    attitude: np.ndarray, pos_in: np.ndarray, neg_in: np.ndarray, gain: float, decay: float,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Attitude after a day of word of mouth (see module docstring).

    ``A' = clip((1 - delta) A + g (pos_in - neg_in), -1, 1)``.  With ``out`` (e.g.
    ``out=attitude``) the result is written there; when ``out`` has the dtype the
    formula computes in, the same operations run in place, without n x F temporaries.
    """
    dtype = np.result_type(attitude, pos_in, neg_in, gain, 1.0 - decay)
    if out is None or out.dtype != dtype:
        new = np.clip((1.0 - decay) * attitude + gain * (pos_in - neg_in), -1.0, 1.0)
        if out is None:
            return new
        out[...] = new
        return out
    heard = np.subtract(pos_in, neg_in)
    heard *= gain
    np.multiply(attitude, 1.0 - decay, out=out)
    out += heard
    return np.clip(out, -1.0, 1.0, out=out)


def update_attitude_rows(
    attitude: np.ndarray, rows: np.ndarray, pos_in: np.ndarray, neg_in: np.ndarray,
    gain: float, decay: float,
) -> np.ndarray:
    """:func:`update_attitude` in place when only ``rows`` heard anything.

    ``pos_in`` and ``neg_in`` are the ``rows`` of the full tables (everyone else's are
    zero).  Everybody's attitude decays, ``A' = (1 - delta) A``; the rows that heard
    then add ``g (pos_in - neg_in)`` and are clipped to [-1, 1] (a decayed attitude
    stays inside).  The same float operations as ``update_attitude(..., out=attitude)``
    (float32 tables), so the same values (only a -0.0 outside ``rows`` is not turned
    into +0.0 by adding a zero), without touching the others' rows twice.
    """
    np.multiply(attitude, 1.0 - decay, out=attitude)
    heard = np.subtract(pos_in, neg_in)
    heard *= gain
    heard += attitude[rows]
    attitude[rows] = np.clip(heard, -1.0, 1.0, out=heard)
    return attitude
