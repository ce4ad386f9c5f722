"""VALIDATION.md check 7 — asymmetric, U-shaped word of mouth (Anderson 1998).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

from servsim import validation


def test_word_of_mouth_u_shaped_and_asymmetric():
    check = validation.check_word_of_mouth("ci")
    assert check.passed, check.line()
