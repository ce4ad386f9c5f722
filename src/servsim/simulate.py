"""The pure entry point: parameters in, results out.

``simulate(params) -> RunResult`` builds a :class:`~servsim.model.ServiceMarket`,
runs it for ``sim.days`` days and returns the per-step table and the run
summary.  The Hydra command, the dashboard, sweeps and tests all call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servsim.params import Params, make_params
from servsim.results import RunResult


def simulate(params: Params | Mapping[str, Any] | None = None, *, progress: bool = False,
             **overrides: Any) -> RunResult:
    """Run one replication.

    Parameters
    ----------
    params : Params or mapping, optional
        Parameters (defaults if omitted); validated by :func:`make_params`.
    progress : bool
        Show a progress bar (tqdm) over days.
    **overrides
        Dotted overrides, e.g. ``simulate(**{"sim.days": 30})``.

    Returns
    -------
    RunResult
        ``steps`` (per day x firm), ``summary`` and the resolved ``params``.
    """
    from servsim.metrics import run_summary
    from servsim.model import ServiceMarket

    if overrides or not isinstance(params, Params):
        params = make_params(params, **overrides)
    model = ServiceMarket(params)
    if progress:
        from tqdm.auto import tqdm

        with tqdm(total=params.sim.days, unit="day", desc="servsim", leave=False) as bar:
            model.run(progress=bar.update)
    else:
        model.run()
    steps = model.step_table()
    summary = run_summary(steps, params.sim.discount_rate, params.focal_name)
    summary.update(seed=params.sim.seed, n_customers=params.sim.n_customers)
    return RunResult(
        steps=steps,
        summary=summary,
        params=params,
        extras={"recoveries": model.recovery_table()},
    )
