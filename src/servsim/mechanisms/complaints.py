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
``approval_levels`` manager approvals (inverted pyramid, seed 003).  Each
manager approves, per day, about ``manager_capacity * control_share``
complaints whose paperwork is done (oldest first); a complaint not resolved
within the customer's ``patience_days`` is abandoned.

Uniforms ``u`` are float64 draws of the model's generator, one per decision.
"""

from __future__ import annotations

from servsim.mechanisms._common import formula


@formula
def followed_up(u: float, followup_rate: float) -> bool:
    """Whether the firm calls the customer after an encounter: ``u < followup_rate``."""
    return u < followup_rate


@formula
def voiced(failed: bool, u: float, propensity: float) -> bool:
    """Whether the customer complains of its own accord: ``failed & (u < propensity)``."""
    return u < propensity and failed


@formula
def lodged(voiced: bool, failed: bool, followed_up: bool) -> bool:
    """Whether a complaint is lodged: voiced, or a failure surfaced by a follow-up call."""
    return voiced or (failed and followed_up)


@formula
def handled(u: float, handling: float) -> bool:
    """Whether the firm acts on a complaint (else it is ignored): ``u < handling``."""
    return u < handling


@formula
def settled_on_spot(u: float, authority: float) -> bool:
    """Whether the frontline may settle an acted-on complaint: ``r <= authority``."""
    return u <= authority


@formula
def approval_slots(manager_capacity: float, control_share: float, team_size: int) -> float:
    """Approvals a manager can give today (before stochastic rounding):
    ``capacity * control_share``, 0 for a manager without a team.
    """
    return manager_capacity * control_share * (1.0 if team_size > 0 else 0.0)


@formula
def approval_ready(age: int, level: int, level_delay_days: int) -> bool:
    """Whether an escalated complaint's paperwork at its current level is done.

    Each level takes at least ``level_delay_days``: ready when
    ``age >= (level + 1) * delay``.
    """
    return age >= (level + 1) * level_delay_days


@formula
def resolved(level: int, approval_levels: int) -> bool:
    """Whether an escalated complaint has all its approvals: ``level >= approval_levels``."""
    return level >= approval_levels


@formula
def abandoned(resolved: bool, age: int, patience_days: int) -> bool:
    """Whether the customer gives up on an open complaint: unresolved at ``patience_days``."""
    return not resolved and age >= patience_days


@formula
def first_failure(failures: int) -> bool:
    """Whether a closed complaint was about the customer's first remembered failure."""
    return failures <= 1
