"""The public model API: choices and overrides in, results out.

``simulate(market="company_a", strategy="premium", overrides={...})`` composes
exactly the config the ``servsim`` command composes for
``servsim market=company_a strategy=premium ...`` (:mod:`servsim.compose`: the
root config's defaults -- Company A's market, 5,000 customers, one year, the
differentiated strategy -- then the choices and overrides), runs one
replication and returns a :class:`~servsim.results.RunResult`: the per-step
table, the run summary, the parameters, and ``outcomes``, the focal firm's
scalars.  ``simulate(params)`` runs a given :class:`~servsim.params.Params`
(built with :func:`~servsim.params.make_params`, whose defaults are the
dataclasses' own: a single-firm market) as it is.

``evaluate(**params) -> dict`` is the same model as a function from keywords
to outcomes, in the form EMA Workbench, SALib and Optuna drive: keywords are
the config groups (``market``, ``strategy``, ``org``, ``stage``, ...), ``seed``
and dotted keys (``strategy.price``; ``strategy__price`` where a name must be
an identifier).  Repeated calls compose once per set of config-group choices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from servsim.params import ParameterError, Params, make_params
from servsim.results import RunResult


def simulate(params: Params | Mapping[str, Any] | None = None, *,
             market: str | None = None, strategy: str | None = None, org: str | None = None,
             stage: str | None = None, experiment: str | None = None,
             heterogeneity: str | None = None, recovery: str | None = None,
             overrides: Mapping[str, Any] | Sequence[str] | None = None,
             progress: bool = False, entry_day=None, **dotted: Any) -> RunResult:
    """Run one replication.

    Parameters
    ----------
    params : Params or mapping, optional
        Run these parameters as given (validated by :func:`make_params`;
        ``**dotted`` are applied on top).  Omit it to compose the run as the
        ``servsim`` command does from the choices and overrides below.
    market, strategy, org, stage : str, optional
        Options of the config groups (default: the root config's, ``company_a``,
        ``differentiated``, ``pyramid``, ``reactive``).
    experiment, heterogeneity, recovery : str, optional
        Options of the groups added on request (``+experiment=NAME``): a preset's
        settings apply (its sweep does not: one call is one run).
    overrides : dict or list of str, optional
        ``{"strategy.price": 1.2, "seed": 3}`` or ``["strategy.price=1.2", "seed=3"]``
        (Hydra's syntax, as on the command line).
    progress : bool
        Show a progress bar (tqdm) over days.
    entry_day : array of int, optional
        Cohort entry: each customer's entry day (1-based; 0 = not a cohort member), e.g.
        a data set's first-purchase days (:mod:`servsim.events`).
    **dotted
        More values by dotted key, e.g. ``simulate(**{"sim.days": 30})``.

    Returns
    -------
    RunResult
        ``steps`` (per day x firm), ``summary``, ``outcomes`` (the focal firm's
        scalars), the resolved ``params`` and, with ``sim.record_events=1``, ``events``.

    Raises
    ------
    ParameterError
        On an unknown choice or key, a value of the wrong type or out of range,
        with one line naming the key, before anything is simulated.
    """
    choices = {"market": market, "strategy": strategy, "org": org, "stage": stage,
               "experiment": experiment, "heterogeneity": heterogeneity, "recovery": recovery}
    if params is not None:
        given = [k for k, v in choices.items() if v is not None]
        if given or overrides is not None:
            raise ParameterError(
                f"simulate: params is given, so {', '.join(given) or 'overrides'} cannot be; "
                "pass either a Params or the choices and overrides to compose")
        if dotted or not isinstance(params, Params):
            params = make_params(params, **dotted)
    else:
        params = compose_run(overrides, dotted, **choices)
    return run_params(params, progress=progress, entry_day=entry_day)


def compose_run(overrides: Mapping[str, Any] | Sequence[str] | None = None,
                dotted: Mapping[str, Any] | None = None, **choices: str | None) -> Params:
    """The parameters ``simulate`` composes: the choices, then ``overrides``, then ``dotted``."""
    from servsim.compose import compose_params

    if dotted:
        if overrides is None or isinstance(overrides, Mapping):
            overrides = {**(overrides or {}), **dotted}
        else:
            overrides = [*overrides, *(f"{k}={_hydra_value(v)}" for k, v in dotted.items())]
    return compose_params(overrides, **choices)


def _hydra_value(value: Any) -> str:
    """A Python value as Hydra override text (numbers, booleans, None, strings)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def run_params(params: Params, *, progress: bool = False, entry_day=None) -> RunResult:
    """Build a :class:`~servsim.model.ServiceMarket` for ``params``, run it, summarise it."""
    from servsim.metrics import run_summary
    from servsim.model import ServiceMarket

    model = ServiceMarket(params, entry_day=entry_day)
    if progress:
        from tqdm.auto import tqdm

        with tqdm(total=params.sim.days, unit="day", desc="servsim", leave=False) as bar:
            model.run(progress=bar.update)
    else:
        model.run()
    steps = model.step_table()
    summary = run_summary(steps, params.sim.discount_rate, params.focal_name,
                          params.sim.burn_in_days)
    summary.update(seed=params.sim.seed, n_customers=params.sim.n_customers)
    return RunResult(
        steps=steps,
        summary=summary,
        params=params,
        extras={"recoveries": model.recovery_table()},
        events=model.event_table(),
    )


def evaluate(**params: Any) -> dict[str, float]:
    """Run one replication from keywords and return the focal firm's outcomes.

    The model function of EMA Workbench (``Model("servsim", function=evaluate)``),
    of SALib loops and of Optuna objectives.

    Parameters
    ----------
    **params
        ``market``, ``strategy``, ``org``, ``stage`` (and ``experiment``,
        ``heterogeneity``, ``recovery``): config-group options; ``seed``;
        any dotted key of the config, written ``strategy.price`` or, where a
        name must be a Python identifier (EMA Workbench 3 requires it),
        ``strategy__price``.

    Returns
    -------
    dict
        :attr:`servsim.results.RunResult.outcomes` of the run.

    Notes
    -----
    The config is composed once per set of config-group options and cached
    (:func:`servsim.compose.default_composer`); each call sets the values on a
    copy, so thousands of calls pay the composition once.

    Examples
    --------
    >>> from servsim import evaluate
    >>> out = evaluate(strategy="premium", seed=1, sim__n_customers=500, sim__days=30)
    >>> sorted(out)[:3]
    ['acquisitions', 'churn', 'clv']
    """
    from servsim.compose import ADDED_GROUPS, GROUP_CHOICES

    groups = {g: params.pop(g) for g in (*GROUP_CHOICES, *ADDED_GROUPS) if g in params}
    values = {key.replace("__", "."): value for key, value in params.items()}
    return simulate(overrides=values, **groups).outcomes
