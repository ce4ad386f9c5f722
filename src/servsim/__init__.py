"""servsim: agent-based simulation of customer-service strategies.

Customers, frontline staff, managers and firms interact in a simulated
market where word of mouth, complaint recovery, expectation setting and
inverted-pyramid empowerment drive loyalty and revenue.

>>> from servsim import simulate
>>> result = simulate(strategy="premium", overrides={"sim.n_customers": 500, "sim.days": 30})
>>> sorted(result.summary["firms"])
['focal', 'foreign', 'small_firms']
>>> result.outcomes["final_share"] == result.summary["firms"]["focal"]["final_share"]
True

:func:`simulate` composes a run as the ``servsim`` command does (the same
config groups, defaults and overrides); :func:`evaluate` is the same model as
a function from keywords to the focal firm's outcomes (for EMA Workbench,
SALib, Optuna).  Importing the package is light: Hydra, Mesa and the engine
load on the first call, so ``servsim`` checks parameters before it loads them.
"""

from importlib.metadata import PackageNotFoundError, version

from servsim.params import ParameterError, Params, make_params
from servsim.results import RunResult
from servsim.simulate import evaluate, simulate

try:
    __version__ = version("servsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["Params", "ParameterError", "RunResult", "evaluate", "make_params", "simulate",
           "__version__"]
