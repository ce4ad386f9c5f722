"""Directional tests: each lever acts through its mechanism.

Each test runs a few seeds per arm and compares means; sizes are chosen so
that the effect is many standard errors wide (the margin is stated).
"""

import numpy as np

from servsim import make_params
from servsim import simulate as _simulate


def simulate(**overrides):
    """One run of the dataclass defaults (:func:`make_params`: one firm) with dotted overrides."""
    return _simulate(make_params(**overrides))


BASE = {"sim.n_customers": 2000, "sim.days": 240, "market.focal_initial_share": 0.5}
SEEDS = range(4)


def mean_over_seeds(metric, seeds=SEEDS, **overrides):
    values = []
    for seed in seeds:
        r = simulate(**BASE, **overrides, **{"sim.seed": seed})
        values.append(metric(r))
    return float(np.mean(values)), float(np.std(values, ddof=1) / np.sqrt(len(values)))


def test_frontline_authority_shortens_recovery_time():
    complaints = {"market.segments": {"b2b": {"share": 1.0, "complaint_propensity": 0.5,
                                               "need_rate": 0.03}}}

    def rec_days(r):
        return r.summary["firms"]["focal"]["recovery_days"]

    low, se_low = mean_over_seeds(rec_days, **complaints, **{"org.frontline_authority": 0.1})
    high, se_high = mean_over_seeds(rec_days, **complaints, **{"org.frontline_authority": 0.9})
    assert high < low - 3 * (se_low + se_high)
    assert high < 0.5 * low


def test_training_raises_skill_and_lowers_failures():
    def skill_and_failure_rate(r):
        s = r.steps
        return np.array([s["staff_skill"].iloc[-30:].mean(),
                         s["failures"].sum() / s["encounters"].sum()])

    def run(training):
        vals = [skill_and_failure_rate(simulate(**BASE, **{"strategy.training": training,
                                                           "sim.seed": k})) for k in SEEDS]
        return np.mean(vals, axis=0)

    none, full = run(0.0), run(1.0)
    assert full[0] > none[0] + 0.05  # skill
    assert full[1] < none[1] * 0.9  # failure rate


def test_higher_promise_raises_expectations():
    def expectation(r):
        return r.steps["expectation"].mean()

    modest, se1 = mean_over_seeds(expectation, **{"strategy.promise": 0.9})
    bold, se2 = mean_over_seeds(expectation, **{"strategy.promise": 1.3})
    assert bold > modest + 3 * (se1 + se2)


def test_more_staff_means_less_waiting():
    def wait(r):
        return r.steps["waiting"].mean()

    thin, _ = mean_over_seeds(wait, **{"strategy.service_level_target": 0.2})
    ample, _ = mean_over_seeds(wait, **{"strategy.service_level_target": 0.95})
    assert ample < 0.2 * thin


def test_ignored_complaints_cost_satisfaction_and_spread_negative_word_of_mouth():
    # B2B-like voice, staffing with slack (utilization ~0.7: Erlang C at target 0.5 for
    # the focal firm's 1,000-2,000 customers) so complaints come from failures
    complaints = {"market.segments": {"b2b": {"share": 1.0, "complaint_propensity": 0.3,
                                               "need_rate": 0.02}},
                  "strategy.service_level_target": 0.5}

    def outcome(r):
        f = r.summary["firms"]["focal"]
        return np.array([f["satisfaction"], f["wom_negative"]])

    def run(handling):
        return np.mean([outcome(simulate(**BASE, **complaints,
                                         **{"strategy.complaint_handling": handling,
                                            "sim.seed": k})) for k in SEEDS], axis=0)

    handled, ignored = run(1.0), run(0.0)
    assert ignored[0] < handled[0]
    assert ignored[1] > handled[1]


def test_inverted_pyramid_raises_staff_morale():
    def morale(r):
        return r.summary["firms"]["focal"]["staff_morale"]

    # eight seeds: under the pyramid staff morale varies widely from seed to seed (SD
    # about 0.09 on 2,000 customers, measured with lost trial on), so four seeds' standard
    # error is itself too noisy for a 3-SE criterion
    seeds = range(8)
    pyramid, se1 = mean_over_seeds(morale, seeds, **{"org.frontline_authority": 0.2,
                                                     "org.control_share": 0.8})
    inverted, se2 = mean_over_seeds(morale, seeds, **{"org.frontline_authority": 0.8,
                                                      "org.control_share": 0.2})
    assert inverted > pyramid + 3 * (se1 + se2)
