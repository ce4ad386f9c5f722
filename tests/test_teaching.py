"""docs/teaching.md's exercises still show what the document says students will see.

Each exercise is re-run as the dashboard runs it (its presets, comparisons and
defaults: 2,000 customers, seed 0, two years) and the patterns the document
describes are checked.  If a model change breaks one, update the exercise.
"""

from __future__ import annotations

import dataclasses
import functools

import pytest

from servsim import app

pytestmark = pytest.mark.slow

CHECKPOINTS = (90, 180, 365, 730)


def _summary(rows) -> dict:
    last = rows.iloc[-1]
    done = rows["recoveries"].sum()
    return {
        "customers": int(last["customers"]),
        "won": int(rows["acquisitions"].sum()),
        "lost": int(rows["churn"].sum()),
        "loyal": int(last["customers_loyal"] + last["customers_advocate"]),
        "satisfaction": float(last["satisfaction"]),
        "expectation": float(last["expectation"]),
        "nps": float(last["recommend_score"]),
        "profit": float(rows["profit"].sum()),
        "revenue": float(rows["revenue"].sum()),
        "complaints": int(rows["complaints"].sum()),
        "on_spot": int(rows["recoveries_on_spot"].sum()),
        "unresolved": int((rows["complaints_ignored"] + rows["complaints_abandoned"]).sum()),
        "recovery_days": float((rows["recovery_days"].fillna(0) * rows["recoveries"]).sum()
                               / done) if done else float("nan"),
        "morale": float(last["staff_morale"]),
    }


@functools.cache
def play(preset: str, compare: str, a_overrides: tuple[str, ...] = ()) -> dict:
    """Outcomes of A and B at the checkpoints: ``{day: (A, B)}``."""
    s = dataclasses.replace(app.preset_settings(preset), compare=compare, seed=0)
    if a_overrides:
        s = app.apply_overrides(s, list(a_overrides))
    assert (s.n_customers, s.days) == (2000, 730)  # the dashboard's defaults
    run = app.Run(s)
    out, day = {}, 0
    for checkpoint in CHECKPOINTS:
        run.step(checkpoint - day)
        day = checkpoint
        a, b = run.tables()
        out[checkpoint] = (_summary(a), _summary(b))
    return out


BASELINE = "One firm: the teaching baseline"


@pytest.mark.xfail(strict=True, reason=(
    "on the calibrated price response (ODD 7.9) the over-promise wins more customers early "
    "but, with seed 0, not more profit at day 90 (-49,200 vs -42,900 cu), and at day 365 its "
    "profit is not below the baseline's (-97,700 vs -106,000 cu; customers 869 vs 913); by "
    "day 730 its profit is lower in 2 of seeds 0-5 only: the backfire the lesson teaches "
    "shows in churn and loyalty, not reliably in profit (validation check 8 fails too)"))
def test_exercise_1_over_promising_wins_early_and_backfires():
    res = play(BASELINE, "over-promise (promise 1.5)")
    a, b = res[90]
    assert b["won"] > a["won"] and b["customers"] > a["customers"] and b["profit"] > a["profit"]
    assert b["expectation"] > a["expectation"] + 0.05
    assert b["satisfaction"] < a["satisfaction"] and b["nps"] < a["nps"]
    a, b = res[365]
    assert b["customers"] < a["customers"] and b["profit"] < a["profit"]
    a, b = res[730]
    assert b["lost"] > 1.4 * a["lost"]
    assert b["customers"] < a["customers"] and b["loyal"] < a["loyal"] / 2
    assert b["nps"] < 0 < a["nps"] + 5
    assert b["profit"] < 0.9 * a["profit"]


def test_exercise_2_inverted_pyramid_speeds_recovery_and_lifts_morale():
    res = play("Complaints recovered", "organisation: inverted pyramid")
    a, b = res[730]
    assert a["recovery_days"] > 1.5 and b["recovery_days"] < 0.5
    assert b["on_spot"] / b["complaints"] > 0.6 > 0.4 > a["on_spot"] / a["complaints"]
    assert b["morale"] > a["morale"] + 0.08
    assert b["satisfaction"] > a["satisfaction"] and b["nps"] > a["nps"]
    assert b["loyal"] > a["loyal"] and b["customers"] > a["customers"]
    # both near break-even (overhead set to the market's net margin): the gap is a few
    # percent of revenue with seed 0
    assert abs(b["profit"] - a["profit"]) < 0.05 * a["revenue"]


def test_exercise_3_premium_pays_where_buyers_answer_price_less():
    step1 = play(BASELINE, "positioning: premium")
    diff, premium = step1[730]
    # the consumer baseline (elasticity -2.2): premium does not pay in two years
    assert premium["profit"] < diff["profit"] and premium["profit"] < 0  # -0.08 M vs -0.01 M
    assert premium["loyal"] > 1.5 * diff["loyal"]  # docs: about 890 against 540
    assert step1[180][1]["nps"] > 40 and premium["nps"] < step1[180][1]["nps"] - 20
    assert premium["expectation"] > 0.85
    step2 = play(BASELINE, "premium service at the market price (price 1.0)",
                 ("strategy=premium",))
    assert step2[180][1]["profit"] < 0
    cheap = step2[730][1]
    assert cheap["customers"] > premium["customers"]
    assert cheap["profit"] < premium["profit"] - 500_000  # docs: about -0.97 M
    step3 = play(BASELINE, "price premium without the service (price 1.4)")
    price_only = step3[730][1]
    assert price_only["profit"] < diff["profit"]
    assert price_only["customers"] < 0.75 * diff["customers"]
    assert price_only["loyal"] < diff["loyal"]
    assert price_only["won"] < 0.5 * diff["won"]  # docs: about 280 against 720


def test_exercise_3_other_markets():
    luxury, budget = play("Hotels: Shangri-La style (premium, inverted pyramid)",
                          "budget hotel (low cost, pyramid)")[730]
    assert luxury["profit"] > 0 > budget["profit"]  # docs: about +0.6 M against -1.4 M
    assert luxury["nps"] > 60 and budget["nps"] < -30  # docs: near +90 against about -55
    assert budget["unresolved"] > 25 and luxury["unresolved"] < 10
    differentiated, premium = play("Company A: differentiated (the seed's advice)",
                                   "positioning: premium")[730]
    # B2B buyers (elasticity -1.2) pay for premium: docs 1.84 M against -0.27 M
    assert premium["profit"] > differentiated["profit"] + 1_000_000 and premium["profit"] > 0


def test_lesson_mode_sets_up_the_exercises_checked_here():
    assert [(lesson.preset, lesson.compare) for lesson in app.LESSONS] == [
        (BASELINE, "over-promise (promise 1.5)"),
        ("Complaints recovered", "organisation: inverted pyramid"),
        (BASELINE, "positioning: premium"),
    ]
    assert app.LESSONS[0].first_stop == 90  # exercise 1 reads the table at day 90
