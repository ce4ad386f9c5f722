"""Lesson mode: docs/teaching.md's three exercises as guided steps in the page.

Each :class:`Lesson` says how to set the scenario up (a preset, what B
changes, extra overrides of A), what to ask the class to predict, how far to
play, and what to read in the result.  ``tests/test_teaching.py`` plays these
same set-ups and checks the patterns the "look for" lines describe.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from servsim.app.settings import Settings, apply_overrides, preset_settings


@dataclass(frozen=True)
class Lesson:
    """One exercise: set up, predict, play, read the result."""

    title: str
    question: str
    preset: str
    compare: str
    predict: str
    look_for: tuple[str, ...]
    a_overrides: tuple[str, ...] = ()
    first_stop: int | None = None
    """Play stops here first (a checkpoint to read), then runs on to the horizon."""

    def settings(self, keep: Settings | None = None) -> Settings:
        """The controls of this exercise (class size, seed and horizon kept from ``keep``)."""
        s = dataclasses.replace(preset_settings(self.preset, keep), compare=self.compare)
        return apply_overrides(s, list(self.a_overrides)) if self.a_overrides else s


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "1. Why does over-promising backfire?",
        "A promises what it delivers; B promises 50% more quality than it designs. "
        "Who is ahead after three months, and after two years?",
        preset="One firm: the teaching baseline", compare="over-promise (promise 1.5)",
        predict="Predict: who has more customers and more profit at day 90? At day 730?",
        first_stop=90,
        look_for=(
            "At day 90 B (the over-promiser) has won more customers and more profit; "
            "its customers already expect more and are less satisfied.",
            "By day 730 B has lost far more customers, keeps fewer loyal ones, has a "
            "negative NPS and less cumulative profit: the early gain is spent on churn.",
        )),
    Lesson(
        "2. What does the inverted pyramid change?",
        "A is a traditional pyramid (little frontline authority, three approval levels); "
        "B turns it over (frontline staff fix complaints on the spot).",
        preset="Complaints recovered", compare="organisation: inverted pyramid",
        predict="Predict: which firm resolves complaints faster, has happier staff, and "
                "earns more?",
        look_for=(
            "B settles most complaints on the spot (0 days); A takes days to resolve one.",
            "B's staff morale climbs within weeks and stays above A's.",
            "B ends with more satisfied and more loyal customers; the profit gap is small "
            "and its sign depends on the seed (try seeds 1-3).",
        )),
    Lesson(
        "3. When does premium service pay?",
        "A is differentiated service at the market price; B is the premium position "
        "(high service level, price 1.4).",
        preset="One firm: the teaching baseline", compare="positioning: premium",
        predict="Predict: does premium earn more than differentiated service? Does it keep "
                "more customers?",
        look_for=(
            "Premium earns a multiple of A's profit and keeps more, and more loyal, "
            "customers.",
            "Its NPS peaks after a few months and then falls as its customers' expectation "
            "climbs: today's delight is tomorrow's standard.",
            "Next: set A's positioning to premium and B to 'premium service at the market "
            "price': the service without the price loses money at first.",
        )),
)
"""The three exercises of docs/teaching.md, in order."""
