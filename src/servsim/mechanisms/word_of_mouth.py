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
scattering each talker's message to its ties
(:func:`servsim.kernels.word_of_mouth.hear`).  Attitude toward each firm
integrates what one hears and fades:

    A' = clip((1 - delta) A + g (pos_in - neg_in), -1, 1)

and a former customer's satisfaction fades toward neutral at the same rate:
``S' = S + delta (s_n - S)``.

Types: satisfaction, attitude and the shares heard are float32, and so is
all the arithmetic here (parameters rounded to float32), as numpy computed
it on the float32 columns.
"""

from __future__ import annotations

import numpy as np

from servsim.mechanisms._common import formula

f32 = np.float32


@formula
def talk_probability(satisfaction: np.float32, neutral: float, base: float, positive: float,
                     negative: float) -> np.float32:
    """U-shaped, asymmetric daily probability of talking, tau(S) (float32)."""
    s_n = f32(neutral)
    up = max(satisfaction - s_n, f32(0.0)) / f32(1.0 - neutral)
    down = max(s_n - satisfaction, f32(0.0)) / f32(neutral)
    return min(max(f32(base) + f32(positive) * up + f32(negative) * down, f32(0.0)),
               f32(1.0))


@formula
def speaks_well(satisfaction: np.float32, neutral: float) -> bool:
    """Whether a talker's message is positive: ``S >= s_n``."""
    return satisfaction >= f32(neutral)


@formula
def message_category(firm: int, positive: bool, n_firms: int) -> int:
    """Kind of message: ``firm`` if positive, ``n_firms + firm`` if negative.

    The share of a customer's ties sending category ``f`` is ``pos_in_f``, category
    ``F + f`` is ``neg_in_f``.
    """
    return firm + (0 if positive else n_firms)


@formula
def faded_attitude(attitude: np.float32, decay: float) -> np.float32:
    """Attitude after a day without news: ``(1 - delta) A`` (float32)."""
    return attitude * f32(1.0 - decay)


@formula
def heard_attitude(faded: np.float32, pos_in: np.float32, neg_in: np.float32,
                   gain: float) -> np.float32:
    """Attitude of someone who heard something today:
    ``clip(g (pos_in - neg_in) + (1 - delta) A, -1, 1)`` (float32; ``faded`` is
    :func:`faded_attitude`).
    """
    return min(max((pos_in - neg_in) * f32(gain) + faded, f32(-1.0)), f32(1.0))


@formula
def faded_satisfaction(satisfaction: np.float32, decay: float,
                       neutral: float) -> np.float32:
    """A former customer's satisfaction a day later: ``S + delta (s_n - S)`` (float32)."""
    return satisfaction + f32(decay) * (f32(neutral) - satisfaction)
