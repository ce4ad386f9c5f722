"""Per-customer purchase amounts for the event log and for ``dropout_timing =
after_purchase`` (formula of :mod:`servsim.mechanisms.accounting`; loop only)."""

from __future__ import annotations

import numpy as np

from servsim.kernels import jit
from servsim.mechanisms import accounting


@jit
def purchase_amounts(who, firm, stage, value, firms):
    """(len(who) x 4) purchase, premium, cross-buy and goods of each customer's purchase
    at firm ``firm[j]`` in stage ``stage[j]`` (as the choice kernels book them;
    ``firms``: the firm records)."""
    out = np.empty((who.size, 4))
    for j in range(who.size):
        i, k = who[j], firm[j]
        fk = firms[k]
        a = accounting.purchase_amounts(np.float64(value[i]), fk.price,
                                        accounting.pays_loyalty(stage[j]),
                                        fk.loyalty_premium, fk.cross_buy, fk.goods_cost)
        for c in range(4):
            out[j, c] = a[c]
    return out
