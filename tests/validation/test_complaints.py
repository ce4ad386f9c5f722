"""VALIDATION.md check 4-6 — voice (TARP), recovery outcome and retention (Hart, Heskett &
Sasser 1990), the conditional recovery paradox (McCollough, Berry & Yadav 2000;
Smith & Bolton 1998).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

from servsim import validation


def test_most_dissatisfied_do_not_complain():
    check = validation.check_voice("ci")
    assert check.passed, check.line()


def test_recovery_outcome_orders_retention():
    check = validation.check_recovery_order("ci")
    assert check.passed, check.line()


def test_recovery_paradox_is_conditional():
    check = validation.check_recovery_paradox("ci")
    assert check.passed, check.line()
