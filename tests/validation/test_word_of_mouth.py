"""VALIDATION.md check 7 — word of mouth is asymmetric and U-shaped.

Anderson (1998, Journal of Service Research, "Customer satisfaction and word
of mouth"): the propensity to talk rises at both extremes of satisfaction and
is higher at the dissatisfied end.  Measured from simulated behaviour: the
share of (former) customers talking on a day, by satisfaction decile, pooled
over a year of a default-calibration market.
"""

import numpy as np

from servsim import make_params
from servsim.model import TALK_BINS, ServiceMarket


def test_talk_propensity_is_u_shaped_and_higher_when_dissatisfied():
    model = ServiceMarket(make_params(**{
        "sim.n_customers": 20_000, "sim.days": 365, "market.focal_initial_share": 0.5,
        "market.segments": {"b2b": {"share": 1.0, "complaint_propensity": 0.3}},
        "org.frontline_authority": 0.7, "strategy.compensation": 0.6,
    }), diagnostics=True)
    model.run()
    exposed, pos, neg = model.talk_by_satisfaction
    observed = exposed >= 500  # deciles with enough customer-days to estimate a rate
    rate = np.where(observed, (pos + neg) / np.maximum(exposed, 1), np.nan)
    bins = np.flatnonzero(observed)
    assert bins.size >= 5, "the run must spread satisfaction over several deciles"
    low, high = bins.min(), bins.max()
    bottom = int(np.nanargmin(rate))
    # U-shape: the quietest decile is interior, and both extremes talk more
    assert low < bottom < high
    assert rate[low] > 2 * rate[bottom] and rate[high] > 1.5 * rate[bottom]
    # asymmetry at equal distance (0.1-0.2) from the neutral point 0.5: 0.3-0.4 vs 0.6-0.7
    lo_bin, hi_bin = int(0.3 * TALK_BINS), int(0.6 * TALK_BINS)
    assert exposed[lo_bin] >= 5_000 and exposed[hi_bin] >= 5_000
    assert rate[lo_bin] > 1.5 * rate[hi_bin]
    # and the dissatisfied talk negatively, the satisfied positively
    assert neg[:5].sum() > 0 and pos[:5].sum() == 0
    assert pos[5:].sum() > 0 and neg[5:].sum() == 0
