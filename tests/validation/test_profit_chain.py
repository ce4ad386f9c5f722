"""VALIDATION.md check 9 and 10 — the service-profit chain (Heskett et al. 1994; Hogreve et al.
2017) and service as a profit centre (seed 004).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

from servsim import validation


def test_service_profit_chain():
    check = validation.check_profit_chain("ci")
    assert check.passed, check.line()


def test_service_can_be_a_profit_centre():
    check = validation.check_profit_centre("ci")
    assert check.passed, check.line()
