"""VALIDATION.md check 14 — staffing by service level (Erlang 1917; Halfin & Whitt 1981;
Gans, Koole & Mandelbaum 2003).

Set-up, criterion and sources: ``servsim.validation.queueing`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

from servsim import validation


def test_staffing_by_service_level():
    check = validation.check_queueing("ci")
    assert check.passed, check.line()
    # the team meets the target: Erlang-C P(wait) at most 1 - 0.8
    assert check.numbers["p_wait_erlang_1000"] <= 0.2
