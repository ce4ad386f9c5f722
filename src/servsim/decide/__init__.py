"""Decisions under uncertainty: sensitivity, exploration and optimisation of servsim.

Three commands, each composed from a Hydra preset and run on warm workers:

- ``servsim sensitivity`` (:mod:`servsim.decide.sensitivity`): Morris screening and
  Sobol indices (SALib) of any outcome, including decision outcomes such as
  ``profit[premium] - profit[differentiated]``;
- ``servsim explore`` (:mod:`servsim.decide.explore`): a Latin hypercube over the
  uncertainties x strategies, robust comparison (probability of being best,
  regret) and PRIM scenario discovery (EMA Workbench);
- ``servsim optimize`` (:mod:`servsim.decide.optimize`): levers within registry
  bounds, single- or multi-objective (Optuna).

Shared pieces: :mod:`~servsim.decide.model` (parameters and the model function),
:mod:`~servsim.decide.evaluator` (warm process pool and Ray actors),
:mod:`~servsim.decide.store` (resumable evaluations), :mod:`~servsim.decide.outcomes`
(outcome expressions), :mod:`~servsim.decide.config` (presets' schemas) and
:mod:`~servsim.decide.testmodels` (functions with known answers).
"""
