"""VALIDATION.md check 3 — Little's law for every queue (Little 1961).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

from servsim import validation


def test_littles_law():
    check = validation.check_littles_law("ci")
    assert check.passed, check.line()
