"""VALIDATION.md check 3 — Little's law (Little 1961) for every queue.

In steady state, mean queue length L = arrival rate x mean wait, within 5%:
for service requests waiting for a frontline encounter, and for escalated
complaints waiting for approvals.  With unlimited frontline capacity, nobody
waits.  (Property-based check of a theory fact, as in Ciw's tests.)
"""

from servsim import simulate

STEADY = {
    "sim.n_customers": 20_000, "sim.days": 500, "market.focal_initial_share": 1.0,
    "market.innovation": 0.0, "market.imitation": 0.0,
    "market.segments": {"all": {"share": 1.0, "need_rate": 0.02, "purchase_rate": 0.0,
                                "complaint_propensity": 0.3, "patience_days": 10_000}},
    "org.frontline_authority": 0.5, "org.control_share": 0.5, "org.approval_levels": 2,
}
WARMUP = 100


def steady_window(staff_per_1000: float):
    steps = simulate(**STEADY, **{"strategy.staff_per_1000": staff_per_1000}).steps
    return steps.iloc[WARMUP:]


def test_request_queue_obeys_littles_law():
    s = steady_window(2.75)  # loaded: utilization close to 0.9
    queue = s["waiting"].mean()
    arrivals = s["encounters"].mean()  # steady state: served = arrived (nobody gives up)
    wait = (s["wait_days"] * s["encounters"]).sum() / s["encounters"].sum()
    assert queue > 0.5, "the set-up must actually queue"
    assert abs(queue - arrivals * wait) / queue < 0.05


def test_complaint_queue_obeys_littles_law():
    s = steady_window(2.75)
    queue = s["complaint_queue"].mean()
    # arrival rate x mean wait = (sum of days from escalation to resolution) / days
    total_wait = (s["recovery_days"].fillna(0.0) * s["recoveries"]).sum() / len(s)
    assert queue > 2.0
    assert s["complaints_abandoned"].sum() == 0
    assert abs(queue - total_wait) / queue < 0.05


def test_unlimited_capacity_nobody_waits():
    s = simulate(**{**STEADY, "strategy.staff_per_1000": 200.0, "sim.days": 120}).steps
    assert s["waiting"].max() == 0
    assert s["wait_days"].fillna(0).max() == 0
