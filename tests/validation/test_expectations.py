"""VALIDATION.md check 8 — over-promising backfires (Oliver 1980; Parasuraman, Zeithaml & Berry
1985; seed 001 section 8).

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size for docs/validation.md).
"""

import pytest

from servsim import validation


@pytest.mark.slow
def test_over_promising_backfires():
    check = validation.check_over_promising("ci")
    assert check.passed, check.line()
