"""Step 6a — complaints: voice is rare; triage on the spot, escalation or neglect.

Most dissatisfied customers do not complain (TARP 1979/1986: about 1 in 26
in consumer markets; more in B2B).  A failure becomes a complaint with the
segment's ``complaint_propensity``; in the standardized stage follow-up
calls (``followup_rate`` of encounters) surface silent failures too
(seed 003: satisfaction measured, complaints answered within 24 h).

A firm acts on a share ``complaint_handling`` of complaints; the rest are
ignored (seed 001 section 2).  An acted-on complaint needs an authority
level ``r ~ U(0, 1)``: the frontline settles it on the spot when
``r <= frontline_authority`` (so P(on spot) = authority), otherwise it climbs
``approval_levels`` manager approvals (inverted pyramid, seed 003).
"""

from __future__ import annotations

import numpy as np


def lodge(
    failed: np.ndarray,
    u_voice: np.ndarray,
    propensity: np.ndarray,
    followed_up: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Complaints among encounters: (voiced, surfaced by follow-up).

    ``voiced = failed & (u < propensity)``; ``surfaced = failed & ~voiced & followed_up``.
    """
    voiced = failed & (u_voice < propensity)
    surfaced = failed & ~voiced & followed_up
    return voiced, surfaced


def triage(
    u_handle: np.ndarray,
    u_authority: np.ndarray,
    handling: np.ndarray,
    authority: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split complaints into (on the spot, escalated, ignored) masks."""
    handled = u_handle < handling
    on_spot = handled & (u_authority <= authority)
    return on_spot, handled & ~on_spot, ~handled


def approval_ready(age: np.ndarray, level: np.ndarray, level_delay_days: np.ndarray):
    """Escalated complaints whose paperwork at their current level is done.

    Each level takes at least ``level_delay_days``: ready when
    ``age >= (level + 1) * delay``.
    """
    return age >= (level + 1) * level_delay_days
