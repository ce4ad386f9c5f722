"""Calibration to real customers: transaction logs, the BTYD peers, scores and SMM.

- :mod:`servsim.calibration.data`: read a transaction log (CSV or parquet) or the
  CDNOW master file, with its calibration and holdout windows;
- :mod:`servsim.calibration.btyd`: Pareto/NBD, BG/NBD and MBG/NBD closed forms,
  likelihoods and fits (the peers);
- :mod:`servsim.calibration.scoring`: weekly repeat curves, holdout errors,
  per-customer moments, the conditional-expectation diagnostic;
- :mod:`servsim.calibration.peers`: the peers' holdout report
  (``python -m servsim.calibration peers``).

See docs/calibration.md.
"""

from servsim.calibration.data import (
    CalibrationDataError,
    Columns,
    TransactionLog,
    cdnow_log,
    load_cdnow,
    make_log,
    read_transactions,
)

__all__ = ["CalibrationDataError", "Columns", "TransactionLog", "cdnow_log", "load_cdnow",
           "make_log", "read_transactions"]
