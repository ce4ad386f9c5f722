"""VALIDATION.md check 16 — the buy-till-you-die limit (Fader, Hardie & Lee 2005 BG/NBD;
Batislam et al. 2007 MBG/NBD).

Set-up, criterion and sources: ``servsim.validation.check_btyd``.
"""

import numpy as np

from servsim import validation
from servsim.validation.analytic import btyd_closed_form, btyd_discrete_expected


def test_btyd_limit():
    check = validation.check_btyd("ci")
    assert check.passed, check.line()


def test_discrete_expectation_tends_to_the_closed_form():
    # the daily process's exact expectation is close to, not equal to, the continuous one
    t = np.array([91.0, 364.0])
    for timing in ("after_purchase", "occasion"):
        exact, closed = btyd_discrete_expected(t, timing), btyd_closed_form(t, timing)
        assert np.all(np.abs(exact / closed - 1) < 0.01)
        assert np.all(exact != closed)
