"""servsim: agent-based simulation of customer-service strategies.

Customers, frontline staff, managers and firms interact in a simulated
market where word of mouth, complaint recovery, expectation setting and
inverted-pyramid empowerment drive loyalty and revenue.

>>> from servsim import simulate
>>> result = simulate(**{"sim.n_customers": 500, "sim.days": 30})
>>> sorted(result.summary["firms"])
['focal']

Importing the package is light: Mesa and the engine load on the first
:func:`simulate` call, so ``servsim`` checks parameters before it loads them.
"""

from importlib.metadata import PackageNotFoundError, version

from servsim.params import Params, ParameterError, make_params
from servsim.results import RunResult
from servsim.simulate import simulate

try:
    __version__ = version("servsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["Params", "ParameterError", "RunResult", "make_params", "simulate", "__version__"]
