"""Model functions with known answers, for testing the decision tools end to end.

Each is an EMA-style model function ``f(**kwargs) -> dict`` (extra keywords such
as ``strategy`` and ``seed`` are accepted and used only where stated), named in a
preset as ``model.function=servsim.decide.testmodels:<name>``; its ``outcomes``
attribute lists the outcome names it returns.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def ishigami(x1: float, x2: float, x3: float, **_: Any) -> dict[str, float]:
    """Evaluate the Ishigami function (a = 7, b = 0.1) with SALib's implementation.

    Analytic Sobol indices (Ishigami & Homma 1990; Sobol' & Levitan 1999):
    S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244.
    """
    from SALib.test_functions import Ishigami

    return {"y": float(Ishigami.evaluate(np.array([[x1, x2, x3]]))[0])}


ishigami.outcomes = ("y",)  # type: ignore[attr-defined]

ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
"""Analytic first-order and total indices of :func:`ishigami` (a = 7, b = 0.1)."""


PLANTED_BOX = {"a": (0.6, 1.0), "b": (0.0, 0.3)}
"""The box where :func:`planted_box` makes strategy ``alpha`` beat ``beta``."""


def planted_box(a: float, b: float, c: float = 0.0, strategy: str = "beta", seed: int = 0,
                **_: Any) -> dict[str, float]:
    """Two strategies whose ranking flips inside :data:`PLANTED_BOX` (``c`` is inert).

    ``beta`` earns 1 everywhere; ``alpha`` earns 2 inside the box and 0 outside,
    plus seeded noise of s.d. 0.05 (common to both strategies at one seed).
    """
    noise = 0.05 * np.random.default_rng([int(seed), int(1e6 * a), int(1e6 * b)]).standard_normal()
    inside = all(lo <= v <= hi for v, (lo, hi) in zip((a, b), PLANTED_BOX.values(), strict=True))
    value = (2.0 if inside else 0.0) if strategy == "alpha" else 1.0
    return {"profit": float(value + noise)}


planted_box.outcomes = ("profit",)  # type: ignore[attr-defined]


TOY_OPTIMUM = {"x": 0.3, "y": -1.2}
"""The maximiser of :func:`toy_objective` (value 10)."""


def toy_objective(x: float, y: float, seed: int = 0, **_: Any) -> dict[str, float]:
    """Evaluate a concave bowl with maximum 10 at :data:`TOY_OPTIMUM`, plus seeded noise.

    ``profit`` = 10 - (x - 0.3)^2 - 2 (y + 1.2)^2 + noise (s.d. 0.01, the same for every
    point at one seed: common random numbers); ``share`` = x and ``satisfaction`` =
    1 - |y| give a trade-off for the multi-objective tests.
    """
    noise = 0.01 * np.random.default_rng(int(seed)).standard_normal()
    profit = 10.0 - (x - 0.3) ** 2 - 2.0 * (y + 1.2) ** 2 + noise
    return {"profit": float(profit), "share": float(x), "satisfaction": float(1 - math.fabs(y))}


toy_objective.outcomes = ("profit", "share", "satisfaction")  # type: ignore[attr-defined]


LINEAR_COEFFICIENTS = {"a": 3.0, "b": -2.0, "c": 0.0}
"""Coefficients of :func:`linear`."""


def linear(a: float, b: float, c: float, **_: Any) -> dict[str, float]:
    """Evaluate y = 3 a - 2 b (+ 0 c).

    Every Morris elementary effect of a parameter is its coefficient times the width
    of its range, so mu* = |coefficient| x width and sigma = 0.
    """
    return {"y": sum(LINEAR_COEFFICIENTS[k] * v for k, v in (("a", a), ("b", b), ("c", c)))}


linear.outcomes = ("y",)  # type: ignore[attr-defined]
