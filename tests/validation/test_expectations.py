"""VALIDATION.md check 8 — over-promising backfires (Oliver 1980; Parasuraman, Zeithaml & Berry
1985; seed 001 section 8).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

import pytest

from servsim import validation


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "measured on the round-2 economics (make validate, full size, company_a with rivals): "
    "profit peaks at promise 1.5, 130% of delivered quality (criterion: 85-100%); "
    "acquisition rises and late satisfaction falls with the promise, but over-promising "
    "still pays in profit. A finding reported as failing; remove the mark when it passes."))
def test_over_promising_backfires():
    check = validation.check_over_promising("ci")
    assert check.passed, check.line()
