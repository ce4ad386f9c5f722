"""VALIDATION.md check 8 — over-promising backfires (Oliver 1980; Parasuraman, Zeithaml & Berry
1985; seed 001 section 8).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

import pytest

from servsim import validation


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "measured at full size (docs/validation.md, company_a with rivals, 20 seeds): profit "
    "peaks at promise 1.2, 110% of delivered quality (criterion: 85-100%), and retention "
    "rises with the promise (rho +0.93) instead of falling; acquisition rises and late "
    "satisfaction falls as claimed. A finding reported as failing; remove the mark when it "
    "passes."))
def test_over_promising_backfires():
    check = validation.check_over_promising("ci")
    assert check.passed, check.line()
