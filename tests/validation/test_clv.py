"""VALIDATION.md check 2 — customer lifetime value (Gupta & Lehmann 2003).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

from servsim import validation


def test_customer_lifetime_value():
    check = validation.check_clv("ci")
    assert check.passed, check.line()
