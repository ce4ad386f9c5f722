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


def test_daily_timing_is_the_pareto_nbd():
    """``dropout_timing = daily`` (the Pareto/NBD's: dropout on any day, bought or not):
    mean repeat purchases within 4 standard errors of the exact daily process and within
    3% of the Pareto/NBD's E[X(t)] (s = a, β = a + b days; the daily steps and the
    geometric-for-exponential lifetime make the 0.5% gap), at 13, 26, 39 and 52 weeks;
    and the daily dropouts are drawn whether or not the customer buys: fewer repeats than
    the same beta applied only at purchases."""
    from servsim.validation.analytic import BTYD_DAILY, BTYD_WEEKS, btyd_repeat_counts

    t = 7 * np.array(BTYD_WEEKS)
    days = int(t[-1]) + 1
    counts = np.concatenate([btyd_repeat_counts(20_000, days, "daily", s, t, BTYD_DAILY)
                             for s in (0, 1)], axis=1)
    sim = counts.mean(axis=1)
    sem = counts.std(axis=1, ddof=1) / np.sqrt(counts.shape[1])
    exact = btyd_discrete_expected(t, "daily", h=BTYD_DAILY)
    closed = btyd_closed_form(t, "daily", h=BTYD_DAILY)
    assert np.all(np.abs(sim - exact) < 4 * sem), (sim, exact, sem)
    assert np.all(np.abs(sim / closed - 1) < 0.03), (sim, closed)
    at_purchase = btyd_repeat_counts(20_000, days, "after_purchase", 0, t, BTYD_DAILY)
    assert at_purchase.mean(axis=1)[-1] > sim[-1] * 1.5
