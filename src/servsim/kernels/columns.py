"""Where each kernel writes in the day log: the columns of
:data:`servsim.results.METRICS` each kernel fills, as index tuples (its ``cols``)."""

from __future__ import annotations

from servsim.kernels import books
from servsim.results import METRIC_INDEX as _M

OUTCOME_COLUMNS = ("failures", "quality", "cost_encounters", "cost_followup", "complaints",
                   "complaints_ignored", "recoveries", "recovery_days", "recoveries_on_spot",
                   "cost_compensation", "complaints_abandoned", "complaint_queue")
"""The day-log columns :func:`servsim.kernels.service.outcomes` returns, in order."""
BOOKS_COLS = tuple(_M[name] for name in books.BOOKS_COLUMNS)
RECORD_COLS = tuple(
    tuple(_M[name] for name in names)
    for names in (books.RECORD_COLUMNS, [name for name, _ in books.STAGE_COLUMNS],
                  books.REVENUE_COLUMNS, books.COST_COLUMNS)
)
ENCOUNTER_COLS = (_M["encounters"], _M["wait_days"], _M["waiting"])
OUTCOME_COLS = tuple(_M[name] for name in OUTCOME_COLUMNS)
WOM_COLS = (_M["wom_positive"], _M["wom_negative"])
STAFF_COLS = tuple(_M[name] for name in ("internal_service", "staff_quits", "staff_hires",
                                           "cost_hiring", "manager_coaching"))
PURCHASE_COLUMNS = ("revenue_purchases", "revenue_premium", "revenue_crossbuy", "cost_goods")
"""The day-log columns of :func:`servsim.mechanisms.accounting.purchase_amounts`, in order."""
PURCHASE_COLS = tuple(_M[name] for name in PURCHASE_COLUMNS)
