"""VALIDATION.md check 15 — the chain's links are moderate, not perfect (Harter, Schmidt &
Hayes 2002; Brown & Lam 2008).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

import pytest

from servsim import validation


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "measured at ci size (40 units of 3,000 customers): morale ~ customer satisfaction "
    "r = 0.93, above the band [0.16, 0.64]; units differ only in two levers and chance, so "
    "the chain is too deterministic (turnover r = -0.69 and internal service ~ morale "
    "r = 0.94 are within their bounds). Remove the mark when it passes."))
def test_chain_links_are_moderate():
    check = validation.check_chain_strength("ci")
    assert check.passed, check.line()
