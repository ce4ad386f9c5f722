"""Calibration to real customers: transaction logs, the BTYD peers, scores and SMM.

- :mod:`servsim.calibration.data`: read a transaction log (CSV or parquet) or the
  CDNOW master file, with its calibration and holdout windows;
- :mod:`servsim.calibration.btyd`: Pareto/NBD, BG/NBD and MBG/NBD closed forms,
  likelihoods and fits (the peers);
- :mod:`servsim.calibration.scoring`: weekly repeat curves, holdout errors,
  per-customer moments, the conditional-expectation diagnostic;
- :mod:`servsim.calibration.peers`: the peers' holdout report
  (``python -m servsim.calibration peers``);
- :mod:`servsim.calibration.smm`: simulated method of moments for any simulator
  ``simulate(params, seed) -> transactions`` (Optuna, common random numbers);
- :mod:`servsim.calibration.simulators`: toy BTYD populations and the servsim binding;
- :mod:`servsim.calibration.pipeline`: :func:`calibrate` -- fit, holdout, figure,
  config (``python -m servsim.calibration fit --preset cdnow``).

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
from servsim.calibration.pipeline import calibrate

__all__ = ["CalibrationDataError", "Columns", "TransactionLog", "calibrate", "cdnow_log",
           "load_cdnow", "make_log", "read_transactions"]
