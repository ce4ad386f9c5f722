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
def test_cdnow_holdout_at_least_as_good_as_bgnbd():
    check = validation.check_cdnow("ci")
    assert check.passed, check.line()
