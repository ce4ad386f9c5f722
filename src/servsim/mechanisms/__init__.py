"""The model's mechanisms, one module each: every formula once, as a compiled scalar function.

Each function (:func:`servsim.mechanisms._common.formula`) states its equation,
its source and its float32/float64 types in its docstring; docs/ODD.md
("Submodels") collects them.  The compiled kernels (:mod:`servsim.kernels`)
loop over customers, staff and complaints and call these functions: they are
the code that runs.  Each has an array form, ``f.array(...)``, for tests and
notebooks.  Modules in step order:

1. :mod:`.expectations` — advertising, promises, the market norm and its drift
2. :mod:`.needs` — service needs and proactive contacts
3. :mod:`.encounters` — capacity-limited service with waiting
4. :mod:`.quality` — failures and perceived quality
5. :mod:`.satisfaction` — expectation-disconfirmation with loss aversion
6. :mod:`.complaints` and :mod:`.recovery` — voice, escalation, approval, recovery
7. :mod:`.word_of_mouth` — asymmetric, U-shaped word of mouth on the network
8. :mod:`.adoption` and :mod:`.relationship` — choice, stages, churn, switching
9. :mod:`.accounting` — revenue and cost by source
10. :mod:`.staff` — morale, skill, quitting, hiring; managers' coaching
"""

from servsim.mechanisms import _common  # noqa: F401  (first: stamps the compiled caches)
