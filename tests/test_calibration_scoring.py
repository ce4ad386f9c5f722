"""Scores over a transaction table: curves, holdout errors, moments, the figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from servsim.calibration import btyd, data, scoring


def small_log():
    """Three customers over 4 weeks (2 calibration, 2 holdout), days counted from 0."""
    rows = [  # customer, day
        (0, 0), (0, 3), (0, 9), (0, 16), (0, 25),
        (1, 2), (1, 13),
        (2, 8),
    ]
    frame = pd.DataFrame({
        "customer": [str(c) for c, _ in rows],
        "date": pd.Timestamp("2021-03-01") + pd.to_timedelta([d for _, d in rows], unit="D"),
        "amount": 1.0,
    })
    return data.make_log(frame, calibration_end="2021-03-14", holdout_end="2021-03-28")


def test_weekly_repeat_curve_counts_repeats_by_week():
    curve = scoring.weekly_repeat_curve(small_log())
    assert curve["week"].tolist() == [1, 2, 3, 4]
    # repeats: c0 days 3 (w1), 9 (w2), 16 (w3), 25 (w4); c1 day 13 (w2)
    assert curve["incremental"].tolist() == [1, 2, 1, 1]
    assert curve["cumulative"].tolist() == [1, 3, 4, 5]


def test_model_curve_of_a_poisson_process_is_rate_times_exposure():
    # E[X(t)] = 0.5 t (weeks); first purchases on days 0 and 7
    curve = scoring.model_repeat_curve(lambda t: 0.5 * t, np.array([0, 7]), total_weeks=3)
    assert curve["cumulative"].tolist() == pytest.approx([0.5, 1.5, 2.5])
    assert curve["incremental"].tolist() == pytest.approx([0.5, 1.0, 1.0])
    dated = scoring.model_repeat_curve(lambda t: 0.5 * t * 7, np.array([0]), total_weeks=2,
                                       exposure="date_difference")
    assert dated["cumulative"].tolist() == pytest.approx([3.0, 6.5])  # 6 and 13 days


def test_holdout_errors_by_hand():
    observed = pd.DataFrame({"week": [1, 2, 3, 4], "incremental": [10.0, 10, 10, 20],
                             "cumulative": [10.0, 20, 30, 50]})
    predicted = pd.DataFrame({"week": [1, 2, 3, 4], "incremental": [10.0, 10, 12, 13],
                              "cumulative": [10.0, 20, 32, 45]})
    errors = scoring.holdout_errors(observed, predicted, calibration_weeks=2)
    assert errors["cumulative_mape"] == pytest.approx(100 * (2 / 30 + 5 / 50) / 2)
    assert errors["last_week_error"] == pytest.approx(-10.0)
    assert errors["incremental_mape"] == pytest.approx(100 * (2 / 10 + 7 / 20) / 2)
    with pytest.raises(ValueError, match="no holdout weeks"):
        scoring.holdout_errors(observed, predicted, calibration_weeks=4)


def test_repeat_count_and_recency_histograms():
    log = small_log()
    counts = scoring.repeat_count_histogram(log, max_count=2)
    # calibration repeats: c0 two (days 3, 9), c1 one (13), c2 none
    assert counts.tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    assert counts.index.tolist() == ["0", "1", "2+"]
    recency = scoring.recency_histogram(log, bin_weeks=1)
    # last calibration repeat: c0 day 9 (week 2), c1 day 13 (week 2)
    assert recency.tolist() == [0.0, 1.0]


def test_conditional_expectation_groups_holdout_by_calibration_frequency():
    log = small_log()
    table = scoring.conditional_expectation(log, max_frequency=1)
    # c0 (2 repeats -> group 1+) has 2 holdout transactions; c1 (1 -> 1+) none; c2 (0) none
    assert table.index.tolist() == ["0", "1+"]
    assert table["customers"].tolist() == [1, 2]
    assert table["observed"].tolist() == [0.0, 1.0]
    fit = btyd.BTYDFit("bgnbd", {"r": 0.5, "alpha": 2.0, "a": 0.8, "b": 2.5}, 0.0)
    with_model = scoring.conditional_expectation(log, [fit], max_frequency=1)
    assert (with_model["BG/NBD"] > 0).all()


def test_figure_is_written(tmp_path):
    log = small_log()
    observed = scoring.weekly_repeat_curve(log)
    fit = btyd.BTYDFit("paretonbd", {"r": 0.5, "alpha": 2.0, "s": 0.8, "beta": 2.5}, 0.0)
    predicted = {fit.label: scoring.model_repeat_curve(fit.expected, log.first_day, 4)}
    table = scoring.conditional_expectation(log, [fit], max_frequency=2)
    from servsim.calibration.figures import fit_and_holdout_figure

    path = fit_and_holdout_figure(observed, predicted, table, 2, tmp_path / "f.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
