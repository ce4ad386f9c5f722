"""VALIDATION.md check 17 — the CDNOW holdout, servsim beside BG/NBD and Pareto/NBD.

Set-up, criterion and sources: ``servsim.validation`` (the same code
``servsim-validate`` runs at full size, with ten replay seeds, for docs/validation.md).
The aggregate part alone is also tested by
tests/test_calibration_smm.py::test_stored_engine_calibration_replays_on_the_cdnow_holdout.
"""

import importlib.util

import pytest

from servsim import validation

pytestmark = pytest.mark.skipif(importlib.util.find_spec("lifetimes") is None,
                                reason="needs the data extra (lifetimes==0.11.3): the CDNOW file")


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "measured at ci size (2 replay seeds; estimates fitted with counter draws): the "
    "holdout curve beats BG/NBD (cumulative MAPE 1.91% vs 3.90%, week 78 -3.54% vs "
    "-6.85%) but the conditional expectation does not (customer-weighted error 0.146 vs "
    "0.130: too few holdout purchases from customers with 1-2 calibration repeats). "
    "Remove the mark when it passes."))
def test_cdnow_holdout_at_least_as_good_as_bgnbd():
    check = validation.check_cdnow("ci")
    assert check.passed, check.line()
