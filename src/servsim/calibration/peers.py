"""The BTYD peers on a transaction log: fit BG/NBD and Pareto/NBD, score the holdout.

:func:`run_peers` fits the peers on the calibration window of a
:class:`~servsim.calibration.data.TransactionLog` (CDNOW by default), predicts the
weekly repeat-transaction curve over calibration and holdout, scores it
(:func:`servsim.calibration.scoring.holdout_errors`), builds the
conditional-expectation table and writes the fit-and-holdout figure.
``python -m servsim.calibration peers`` prints the table of issue 16.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from servsim.calibration import btyd, scoring
from servsim.calibration.data import DAYS_PER_WEEK, TransactionLog, cdnow_log, rfm_summary
from servsim.calibration.figures import fit_and_holdout_figure

PEER_MODELS = ("bgnbd", "paretonbd")


@dataclasses.dataclass
class PeersReport:
    """Fitted peers and their scores on one log.

    Attributes
    ----------
    fits
        Model -> :class:`~servsim.calibration.btyd.BTYDFit`.
    observed
        The data's weekly repeat curve.
    predicted
        Model label -> predicted weekly curve.
    errors
        One row per model label: ``cumulative_mape``, ``last_week_error``,
        ``incremental_mape`` (percent, holdout weeks).
    conditional
        The conditional-expectation table (data and each model).
    figure
        The figure's path, if written.
    """

    fits: dict[str, btyd.BTYDFit]
    observed: pd.DataFrame
    predicted: dict[str, pd.DataFrame]
    errors: pd.DataFrame
    conditional: pd.DataFrame
    figure: Path | None = None

    def table(self) -> str:
        """Return the holdout table as Markdown, as in issue 16."""
        lines = ["| model | parameters | holdout cumulative MAPE | last-week error "
                 "| weekly-increment MAPE |", "|---|---|---|---|---|"]
        for fit in self.fits.values():
            row = self.errors.loc[fit.label]
            params = ", ".join(f"{k}={v:.3g}" for k, v in fit.params.items())
            lines.append(f"| {fit.label} ({fit.fitter}) | {params} | "
                         f"{row.cumulative_mape:.1f}% | {row.last_week_error:+.1f}% | "
                         f"{row.incremental_mape:.1f}% |")
        return "\n".join(lines)


def run_peers(log: TransactionLog | None = None, models=PEER_MODELS, fitter: str = "scipy",
              exposure: str = "end_of_day", figure: str | Path | None = None) -> PeersReport:
    """Fit and score the BTYD peers on a log's calibration window (weeks as time unit).

    Parameters
    ----------
    log
        The cohort (default: :func:`servsim.calibration.data.cdnow_log`).
    models
        Models to fit (``bgnbd``, ``paretonbd``, ``mbgnbd``).
    fitter
        ``scipy`` (:func:`servsim.calibration.btyd.fit`) or ``lifetimes``.
    exposure
        The clock (see :func:`servsim.calibration.data.rfm_summary`).
    figure
        Where to write the fit-and-holdout PNG (``None``: no figure).
    """
    if fitter not in ("scipy", "lifetimes"):
        raise ValueError(f"fitter {fitter!r} unknown (allowed: scipy, lifetimes)")
    log = cdnow_log() if log is None else log
    summary = rfm_summary(log, DAYS_PER_WEEK, exposure)
    fit_one = btyd.fit if fitter == "scipy" else btyd.fit_lifetimes
    fits = {model: fit_one(model, summary) for model in models}
    observed = scoring.weekly_repeat_curve(log)
    predicted, errors = {}, {}
    for fit in fits.values():
        curve = scoring.model_repeat_curve(fit.expected, log.first_day, log.total_weeks,
                                           DAYS_PER_WEEK, exposure)
        predicted[fit.label] = curve
        errors[fit.label] = scoring.holdout_errors(observed, curve, log.calibration_weeks)
    conditional = scoring.conditional_expectation(log, list(fits.values()),
                                                  exposure=exposure)
    report = PeersReport(fits, observed, predicted, pd.DataFrame(errors).T, conditional)
    if figure is not None:
        report.figure = fit_and_holdout_figure(
            observed, predicted, conditional, log.calibration_weeks, figure,
            title=f"BTYD peers on {Path(log.source).name}: calibration weeks "
                  f"1-{log.calibration_weeks}, holdout to week {log.total_weeks}")
    return report
