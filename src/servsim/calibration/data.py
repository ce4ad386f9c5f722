"""Transaction logs: reading a user's log, the CDNOW master file, windows and summaries.

A *transaction log* is a table with one row per purchase: a customer id, a date and
an amount.  :func:`read_transactions` reads one from CSV or parquet (column names
configurable) and checks it, raising :class:`CalibrationDataError` with one line
that names the file and the column for bad data.  :func:`load_cdnow` reads the
CDNOW master file that ships inside the ``lifetimes`` distribution (the ``data``
extra) without importing lifetimes' modules, so nothing downloads at run time.

:class:`TransactionLog` holds a checked log together with its windows (calibration
start and end, holdout end): transactions become integer ``day`` numbers counted
from the calibration start, one transaction per customer-day (Fader, Hardie & Lee
2005: several purchases by one customer on one day are one transaction, amounts
summed), and the *cohort* is the customers whose first transaction falls inside
the calibration window (first purchases before the window are left-censored and
dropped; customers who first appear in the holdout are not predicted and dropped).
Week ``w`` (1-based) holds days ``7 (w - 1) .. 7 w - 1``.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the
easy way: an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
from pathlib import Path

import numpy as np
import pandas as pd

DAYS_PER_WEEK = 7

CDNOW_FILE = "lifetimes/datasets/CDNOW_master.txt"
"""The CDNOW master file inside the ``lifetimes`` 0.11.3 distribution (23,570 customers)."""
CDNOW_CALIBRATION_START = "1997-01-01"
CDNOW_CALIBRATION_END = "1997-09-30"
"""End (inclusive) of weeks 1-39 (273 days from 1997-01-01)."""
CDNOW_HOLDOUT_END = "1998-06-30"
"""End (inclusive) of weeks 40-78 (546 days from 1997-01-01)."""


class CalibrationDataError(ValueError):
    """Bad transaction data or windows; the one-line message names the file and column."""


@dataclasses.dataclass(frozen=True)
class Columns:
    """Column names of a transaction log."""

    customer: str = "customer"
    date: str = "date"
    amount: str = "amount"


def _fail(source: str, message: str) -> CalibrationDataError:
    return CalibrationDataError(f"{source}: {message}")


def _read_table(path: Path, fmt: str | None, sep: str | None) -> pd.DataFrame:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt in ("parquet", "pq"):
        return pd.read_parquet(path)
    if fmt in ("csv", "txt", "tsv"):
        if sep is None:
            sep = "\t" if fmt == "tsv" else ","
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=True)
    raise _fail(str(path), f"unknown format {fmt!r} (allowed: csv, tsv, txt, parquet)")


def parse_dates(values: pd.Series, source: str, column: str,
                date_format: str | None = None) -> pd.Series:
    """Dates of a column as ``datetime64`` days; one line naming the first bad value.

    Parameters
    ----------
    values
        The column (strings, numbers such as ``19970101``, or datetimes).
    source, column
        The file and column, for the error message.
    date_format
        A ``strftime`` format (e.g. ``%Y%m%d``); ``None`` lets pandas infer ISO dates.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values)
    else:
        text = values.astype("string").str.strip()
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        bad = parsed.isna() & text.notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            fmt = f" with format {date_format!r}" if date_format else ""
            raise _fail(source, f"column {column!r} row {row + 1}: cannot parse "
                                f"{text.iloc[row]!r} as a date{fmt}")
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise _fail(source, f"column {column!r} row {row + 1}: missing date")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.dt.normalize()


def check_transactions(frame: pd.DataFrame, source: str = "<table>",
                       columns: Columns = Columns(),
                       date_format: str | None = None) -> pd.DataFrame:
    """Check a table and return columns ``customer`` (str), ``date``, ``amount`` (float).

    Raises
    ------
    CalibrationDataError
        One line naming ``source`` and the column: a missing column, a missing
        customer id, an unparseable date, a non-numeric or negative amount, no rows.
    """
    missing = [c for c in (columns.customer, columns.date, columns.amount)
               if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns))
        raise _fail(source, f"column {missing[0]!r} not found (columns: {have}); "
                            f"set the column name in the calibration config's columns")
    if len(frame) == 0:
        raise _fail(source, "no transactions (the table has no rows)")
    customer = frame[columns.customer]
    if customer.isna().any():
        row = int(np.flatnonzero(customer.isna().to_numpy())[0])
        raise _fail(source, f"column {columns.customer!r} row {row + 1}: missing customer id")
    dates = parse_dates(frame[columns.date], source, columns.date, date_format)
    amount = pd.to_numeric(frame[columns.amount], errors="coerce")
    bad = amount.isna() | ~np.isfinite(amount.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise _fail(source, f"column {columns.amount!r} row {row + 1}: "
                            f"{frame[columns.amount].iloc[row]!r} is not a finite number")
    if (amount < 0).any():
        row = int(np.flatnonzero((amount < 0).to_numpy())[0])
        raise _fail(source, f"column {columns.amount!r} row {row + 1}: negative amount "
                            f"{amount.iloc[row]} (amounts must be >= 0)")
    return pd.DataFrame({"customer": customer.astype(str).str.strip().to_numpy(),
                         "date": dates.to_numpy(), "amount": amount.astype(float).to_numpy()})


def read_transactions(path: str | Path, columns: Columns = Columns(),
                      date_format: str | None = None, fmt: str | None = None,
                      sep: str | None = None) -> pd.DataFrame:
    r"""Read and check a transaction log from CSV (or TSV, whitespace text) or parquet.

    Parameters
    ----------
    path
        The file; the format follows its suffix unless ``fmt`` is given.
    columns
        Names of the customer, date and amount columns in the file.
    date_format
        ``strftime`` format of the dates (``None``: ISO dates, inferred).
    fmt
        ``csv``, ``tsv``, ``txt`` or ``parquet``.
    sep
        Field separator of a text file (``r"\s+"`` for whitespace).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer`` (str), ``date`` (datetime64, day resolution), ``amount``.
    """
    path = Path(path)
    if not path.is_file():
        raise _fail(str(path), "no such file")
    try:
        frame = _read_table(path, fmt, sep)
    except CalibrationDataError:
        raise
    except Exception as error:  # pandas/pyarrow parse errors: one line, the file named
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise _fail(str(path), f"cannot read the table: {first}") from error
    return check_transactions(frame, str(path), columns, date_format)


def cdnow_path() -> Path:
    """Locate the CDNOW master file of the installed ``lifetimes`` distribution (no import)."""
    try:
        dist = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError as error:
        raise CalibrationDataError(
            f"{CDNOW_FILE}: the lifetimes distribution is not installed; "
            "pip install 'servsim[data]' (lifetimes==0.11.3 ships the CDNOW file)") from error
    path = Path(dist.locate_file(CDNOW_FILE))
    if not path.is_file():
        raise CalibrationDataError(f"{path}: not found in lifetimes {dist.version}")
    return path


def load_cdnow() -> pd.DataFrame:
    """Read the CDNOW master transactions (customer, date, amount) from lifetimes' files.

    The file has four whitespace-separated columns under a header line: customer id,
    date (``YYYYMMDD``), number of CDs bought, dollar amount.
    """
    path = cdnow_path()
    frame = pd.read_csv(path, sep=r"\s+", header=0, dtype=str,
                        names=["customer", "date", "quantity", "amount"])
    return check_transactions(frame, str(path), Columns(), date_format="%Y%m%d")


def _as_timestamp(value, name: str, source: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as error:
        raise _fail(source, f"{name} {value!r} is not a date") from error
    if pd.isna(stamp):
        raise _fail(source, f"{name} is missing")
    return stamp.normalize()


@dataclasses.dataclass
class TransactionLog:
    """A checked transaction log with its calibration and holdout windows.

    Attributes
    ----------
    transactions
        One row per customer-day of the cohort: ``customer`` (int code 0..n-1),
        ``day`` (int, days since ``calibration_start``), ``amount`` (summed over the day).
    first_day
        Each cohort customer's first transaction day (index = customer code).
    customer_ids
        The original customer ids (index = customer code).
    calibration_start, calibration_end, holdout_end
        The windows (inclusive dates).
    source
        The file (or a name), for messages.
    """

    transactions: pd.DataFrame
    first_day: np.ndarray
    customer_ids: np.ndarray
    calibration_start: pd.Timestamp
    calibration_end: pd.Timestamp
    holdout_end: pd.Timestamp
    source: str = "<table>"

    @property
    def calibration_days(self) -> int:
        """Length of the calibration window in days."""
        return int((self.calibration_end - self.calibration_start).days) + 1

    @property
    def total_days(self) -> int:
        """Days from the calibration start to the holdout end (inclusive)."""
        return int((self.holdout_end - self.calibration_start).days) + 1

    @property
    def calibration_weeks(self) -> int:
        """Whole weeks in the calibration window (a partial last week counts)."""
        return -(-self.calibration_days // DAYS_PER_WEEK)

    @property
    def total_weeks(self) -> int:
        """Weeks from the calibration start to the holdout end (a partial week counts)."""
        return -(-self.total_days // DAYS_PER_WEEK)

    @property
    def n_customers(self) -> int:
        """Customers in the cohort."""
        return len(self.first_day)

    def with_transactions(self, transactions: pd.DataFrame) -> TransactionLog:
        """Return the same cohort and windows with other transactions (e.g. simulated ones)."""
        return dataclasses.replace(self, transactions=transactions)


def make_log(frame: pd.DataFrame, calibration_end, holdout_end, calibration_start=None,
             cohort_end=None, source: str = "<table>") -> TransactionLog:
    """Build a :class:`TransactionLog` from a checked table and its windows.

    Parameters
    ----------
    frame
        Output of :func:`read_transactions` / :func:`check_transactions`.
    calibration_end, holdout_end
        Inclusive end dates of the calibration window and of the holdout.
    calibration_start
        Start of the calibration window (default: the first transaction's date).
    cohort_end
        Last date of a first purchase that joins the cohort (default: the calibration
        end), e.g. ``1997-03-31`` for CDNOW's first-quarter cohort.
    source
        The file, for messages.

    Raises
    ------
    CalibrationDataError
        A window in the wrong order, or no first purchase inside the calibration window.
    """
    if "day" in frame.columns and "date" not in frame.columns:
        raise _fail(source, "column 'date' not found (a log needs dates; simulators may "
                            "return days, see servsim.calibration.smm)")
    start = (frame["date"].min().normalize() if calibration_start is None
             else _as_timestamp(calibration_start, "calibration_start", source))
    end = _as_timestamp(calibration_end, "calibration_end", source)
    stop = _as_timestamp(holdout_end, "holdout_end", source)
    cohort = end if cohort_end is None else _as_timestamp(cohort_end, "cohort_end", source)
    if end < start:
        raise _fail(source, f"calibration_end {end.date()} is before calibration_start "
                            f"{start.date()}")
    if stop <= end:
        raise _fail(source, f"holdout_end {stop.date()} is not after calibration_end "
                            f"{end.date()} (the holdout must follow the calibration window)")
    if not start <= cohort <= end:
        raise _fail(source, f"cohort_end {cohort.date()} is outside the calibration window "
                            f"{start.date()}..{end.date()}")
    first = frame.groupby("customer", sort=False)["date"].min()
    members = first[(first >= start) & (first <= cohort)].index
    if len(members) == 0:
        lo, hi = frame["date"].min().date(), frame["date"].max().date()
        raise _fail(source, f"column 'date': no first purchase in the calibration window "
                            f"{start.date()}..{cohort.date()} (the dates span {lo}..{hi})")
    kept = frame[frame["customer"].isin(members) & (frame["date"] <= stop)]
    days = ((kept["date"] - start).dt.days).to_numpy(dtype=np.int64)
    codes, ids = pd.factorize(kept["customer"], sort=True)
    table = pd.DataFrame({"customer": codes.astype(np.int64), "day": days,
                          "amount": kept["amount"].to_numpy(dtype=float)})
    table = dedupe_customer_days(table)
    first_day = table.groupby("customer")["day"].min().sort_index().to_numpy()
    return TransactionLog(table, first_day, np.asarray(ids), start, end, stop, source)


def dedupe_customer_days(table: pd.DataFrame) -> pd.DataFrame:
    """One row per customer-day (amounts summed), sorted by customer and day."""
    customer = table["customer"].to_numpy(dtype=np.int64)
    day = table["day"].to_numpy(dtype=np.int64)
    key = customer * (np.int64(1) << 32) + (day - day.min() if len(day) else day)
    unique, inverse = np.unique(key, return_inverse=True)
    first = np.zeros(len(unique), dtype=np.int64)
    first[inverse] = np.arange(len(key))  # any row of each key gives its customer and day
    amount = np.bincount(inverse, weights=table["amount"].to_numpy(dtype=float),
                         minlength=len(unique))
    return pd.DataFrame({"customer": customer[first], "day": day[first], "amount": amount})


def cdnow_log() -> TransactionLog:
    """CDNOW's cohort (23,570 customers) with weeks 1-39 as calibration and 40-78 holdout."""
    frame = load_cdnow()
    return make_log(frame, CDNOW_CALIBRATION_END, CDNOW_HOLDOUT_END,
                    calibration_start=CDNOW_CALIBRATION_START, source=str(cdnow_path()))


EXPOSURES = ("end_of_day", "date_difference")
"""How time is measured between days (see :func:`rfm_summary`)."""


def exposure_offset(exposure: str) -> int:
    """Days added to a date difference to reach the end of the observed period."""
    if exposure not in EXPOSURES:
        raise ValueError(f"exposure {exposure!r} unknown (allowed: {', '.join(EXPOSURES)})")
    return 1 if exposure == "end_of_day" else 0


def rfm_summary(log: TransactionLog, time_unit_days: float = DAYS_PER_WEEK,
                exposure: str = "end_of_day") -> pd.DataFrame:
    """Per-customer BTYD summary of the calibration window, plus holdout counts.

    Returns one row per cohort customer (index = customer code) with ``frequency``
    (repeat transactions in the calibration window), ``recency`` (time of the last
    one after the first purchase; 0 without repeats), ``T`` (time from the first
    purchase to the end of the calibration window), ``holdout`` (transactions in the
    holdout) and ``first_day``; times in ``time_unit_days`` (weeks by default).

    ``exposure`` says where the window ends.  ``end_of_day`` (default): a purchase
    happens at the start of its day and the window closes at the end of its last
    day, so ``T = (calibration_days - first_day) / u`` (CDNOW, first bought on
    1997-01-01: 39 weeks); this reproduces issue 16's measured peers.
    ``date_difference``: ``T`` = last date minus first date, as in Fader, Hardie &
    Lee's CDNOW summary and lifetimes' ``summary_data_from_transaction_data``
    (38.86 weeks for the same customer).  Recency is a date difference in both.
    """
    offset = exposure_offset(exposure)
    tx = log.transactions
    n = log.n_customers
    calib = tx[tx["day"] < log.calibration_days]
    count = np.bincount(calib["customer"].to_numpy(), minlength=n)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, calib["customer"].to_numpy(), calib["day"].to_numpy())
    hold = tx[tx["day"] >= log.calibration_days]
    holdout = np.bincount(hold["customer"].to_numpy(), minlength=n)
    return pd.DataFrame({
        "frequency": count - 1,
        "recency": (last - log.first_day) / time_unit_days,
        "T": (log.calibration_days - 1 + offset - log.first_day) / time_unit_days,
        "holdout": holdout,
        "first_day": log.first_day,
    })
