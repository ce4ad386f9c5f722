"""Transaction logs: reading, one-line errors for bad data, windows, CDNOW."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from servsim.calibration import data

HAS_LIFETIMES = importlib.util.find_spec("lifetimes") is not None
needs_lifetimes = pytest.mark.skipif(not HAS_LIFETIMES,
                                     reason="needs the data extra (lifetimes==0.11.3)")

ROWS = [  # id, date, amount
    ("a", "2020-01-01", 10.0), ("a", "2020-01-01", 5.0), ("a", "2020-01-09", 7.0),
    ("a", "2020-01-20", 1.0), ("b", "2020-01-03", 2.0), ("c", "2019-12-30", 4.0),
    ("c", "2020-01-05", 4.0), ("d", "2020-01-16", 3.0), ("e", "2020-01-18", 3.0),
]


def write_csv(tmp_path, rows=ROWS, header=("cust", "when", "value"), name="log.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=list(header)).to_csv(path, index=False)
    return path


COLUMNS = data.Columns(customer="cust", date="when", amount="value")


def check_one_line_error(call, *fragments):
    with pytest.raises(data.CalibrationDataError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_csv_and_parquet_read_the_same_with_configured_columns(tmp_path):
    csv = data.read_transactions(write_csv(tmp_path), COLUMNS)
    frame = pd.DataFrame(ROWS, columns=["cust", "when", "value"])
    frame["when"] = pd.to_datetime(frame["when"])
    frame.to_parquet(tmp_path / "log.parquet")
    parquet = data.read_transactions(tmp_path / "log.parquet", COLUMNS)
    pd.testing.assert_frame_equal(csv, parquet)
    assert list(csv.columns) == ["customer", "date", "amount"]
    assert csv["amount"].sum() == pytest.approx(39.0)


def test_log_keeps_the_cohort_one_row_per_customer_day(tmp_path):
    frame = data.read_transactions(write_csv(tmp_path), COLUMNS)
    log = data.make_log(frame, calibration_end="2020-01-14", holdout_end="2020-01-31",
                        calibration_start="2020-01-01")
    # c first bought before the window (left-censored), d and e first in the holdout
    assert list(log.customer_ids) == ["a", "b"]
    assert log.calibration_days == 14 and log.total_days == 31 and log.total_weeks == 5
    a = log.transactions[log.transactions.customer == 0]
    assert a["day"].tolist() == [0, 8, 19]  # the two purchases of day 0 are one
    assert a["amount"].tolist() == [15.0, 7.0, 1.0]
    summary = data.rfm_summary(log, time_unit_days=1.0)
    assert summary["frequency"].tolist() == [1, 0]
    assert summary["recency"].tolist() == [8.0, 0.0]
    assert summary["T"].tolist() == [14.0, 12.0]  # to the end of 2020-01-14
    assert summary["holdout"].tolist() == [1, 0]
    dated = data.rfm_summary(log, time_unit_days=1.0, exposure="date_difference")
    assert dated["T"].tolist() == [13.0, 11.0]
    cohort = data.make_log(frame, "2020-01-14", "2020-01-31", "2020-01-01",
                           cohort_end="2020-01-02")
    assert list(cohort.customer_ids) == ["a"]


def test_missing_column_names_file_and_column(tmp_path):
    path = write_csv(tmp_path)
    check_one_line_error(lambda: data.read_transactions(path, data.Columns("cust", "date", "value")),
                   str(path), "'date'", "not found", "cust, when, value")


def test_unparseable_date_names_file_column_row_and_value(tmp_path):
    rows = [*ROWS[:3], ("a", "2020-13-45", 1.0)]
    path = write_csv(tmp_path, rows)
    check_one_line_error(lambda: data.read_transactions(path, COLUMNS),
                   str(path), "'when'", "row 4", "'2020-13-45'")
    path = write_csv(tmp_path, [("a", "20200101", 1.0), ("a", "2020x0102", 1.0)], name="f.csv")
    check_one_line_error(lambda: data.read_transactions(path, COLUMNS, date_format="%Y%m%d"),
                   "row 2", "%Y%m%d")


def test_negative_or_non_numeric_amount_and_missing_customer(tmp_path):
    path = write_csv(tmp_path, [*ROWS[:2], ("b", "2020-01-02", -3.5)])
    check_one_line_error(lambda: data.read_transactions(path, COLUMNS),
                   str(path), "'value'", "row 3", "negative amount -3.5")
    path = write_csv(tmp_path, [*ROWS[:2], ("b", "2020-01-02", "ten")], name="g.csv")
    check_one_line_error(lambda: data.read_transactions(path, COLUMNS), "'value'", "'ten'")
    path = write_csv(tmp_path, [*ROWS[:2], (None, "2020-01-02", 1.0)], name="h.csv")
    check_one_line_error(lambda: data.read_transactions(path, COLUMNS), "'cust'", "row 3")


def test_missing_file_empty_table_unknown_format(tmp_path):
    check_one_line_error(lambda: data.read_transactions(tmp_path / "nope.csv"), "nope.csv",
                   "no such file")
    path = write_csv(tmp_path, [])
    check_one_line_error(lambda: data.read_transactions(path, COLUMNS), "no transactions")
    odd = tmp_path / "log.xlsx"
    odd.write_text("x")
    check_one_line_error(lambda: data.read_transactions(odd), "unknown format 'xlsx'")


def test_bad_windows_are_one_line_before_any_work(tmp_path):
    path = write_csv(tmp_path)
    frame = data.read_transactions(path, COLUMNS)
    src = str(path)
    check_one_line_error(lambda: data.make_log(frame, "2020-01-14", "2020-01-10", source=src),
                   src, "holdout_end 2020-01-10 is not after calibration_end 2020-01-14")
    check_one_line_error(lambda: data.make_log(frame, "2019-01-01", "2019-02-01", "2019-01-01",
                                         source=src),
                   src, "column 'date'", "no first purchase in the calibration window",
                   "2019-12-30..2020-01-20")
    check_one_line_error(lambda: data.make_log(frame, "2019-12-01", "2020-02-01", "2020-01-01"),
                   "calibration_end 2019-12-01 is before calibration_start 2020-01-01")
    check_one_line_error(lambda: data.make_log(frame, "2020-01-14", "2020-02-01", "2020-01-01",
                                         cohort_end="2020-03-01"), "cohort_end")
    check_one_line_error(lambda: data.make_log(frame, "2020-01-99", "2020-02-01"),
                   "calibration_end '2020-01-99' is not a date")


@needs_lifetimes
def test_cdnow_is_read_from_the_installed_distribution():
    log = data.cdnow_log()
    assert log.n_customers == 23570  # Fader, Hardie & Lee 2005
    first = log.calibration_start + pd.to_timedelta(log.first_day, unit="D")
    assert first.min() == pd.Timestamp("1997-01-01")
    assert first.max() <= pd.Timestamp("1997-03-31")
    assert log.calibration_weeks == 39 and log.total_weeks == 78
    assert log.total_days == 546 and log.calibration_days == 273
    raw = data.load_cdnow()
    assert len(raw) == 69659
    # one transaction per customer-day
    assert len(log.transactions) == raw.groupby(["customer", "date"]).ngroups
    assert not log.transactions.duplicated(["customer", "day"]).any()


@needs_lifetimes
def test_summary_matches_fader_hardie_lee_cdnow_sample():
    """The 1/10 sample's transactions summarize to the published summary file."""
    root = data.cdnow_path().parent
    raw = pd.read_csv(root / "CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str,
                      names=["master_id", "customer", "date", "cds", "amount"])
    frame = data.check_transactions(raw, "CDNOW_sample.txt", date_format="%Y%m%d")
    log = data.make_log(frame, data.CDNOW_CALIBRATION_END, data.CDNOW_HOLDOUT_END,
                        data.CDNOW_CALIBRATION_START)
    ours = data.rfm_summary(log, exposure="date_difference")
    ours.index = log.customer_ids.astype(int)
    published = pd.read_csv(root / "cdnow_customers_summary.csv", index_col="ID")
    ours = ours.loc[published.index]
    assert len(ours) == 2357
    np.testing.assert_array_equal(ours["frequency"], published["frequency"])
    np.testing.assert_allclose(ours["recency"], published["recency"], atol=0.005)
    np.testing.assert_allclose(ours["T"], published["T"], atol=0.005)
