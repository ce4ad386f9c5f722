"""The fit-and-holdout figure: data against each model's curve, and the conditional plot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def fit_and_holdout_figure(observed: pd.DataFrame, predicted: dict[str, pd.DataFrame],
                           conditional: pd.DataFrame, calibration_weeks: int,
                           path: str | Path, title: str = "") -> Path:
    """Write a three-panel PNG: cumulative and weekly repeat transactions, conditional means.

    Parameters
    ----------
    observed
        :func:`servsim.calibration.scoring.weekly_repeat_curve` of the data.
    predicted
        Label -> that model's weekly curve (same columns).
    conditional
        :func:`servsim.calibration.scoring.conditional_expectation` table (column
        ``observed`` plus one column per model).
    calibration_weeks
        Where the holdout starts (a dashed line).
    path
        The PNG to write.
    title
        Figure title.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    cumulative, weekly, cond = axes
    for ax, column in ((cumulative, "cumulative"), (weekly, "incremental")):
        ax.plot(observed["week"], observed[column], color="black", lw=2, label="data")
        for label, curve in predicted.items():
            ax.plot(curve["week"], curve[column], lw=1.4, ls="--", label=label)
        ax.axvline(calibration_weeks + 0.5, color="grey", ls=":", lw=1)
        ax.set_xlabel("week")
        ax.legend(frameon=False, fontsize=8)
    cumulative.set_ylabel("cumulative repeat transactions")
    weekly.set_ylabel("repeat transactions per week")
    cumulative.set_title("cumulative (holdout right of the dotted line)", fontsize=9)
    weekly.set_title("weekly", fontsize=9)
    x = range(len(conditional))
    cond.plot(list(x), conditional["observed"], color="black", lw=2, marker="o", label="data")
    for column in conditional.columns:
        if column not in ("customers", "observed"):
            cond.plot(list(x), conditional[column], ls="--", marker=".", label=column)
    cond.set_xticks(list(x), list(conditional.index))
    cond.set_xlabel("repeat transactions in the calibration period")
    cond.set_ylabel("mean holdout transactions")
    cond.set_title("conditional expectation", fontsize=9)
    cond.legend(frameon=False, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
