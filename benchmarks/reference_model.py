"""servsim written the plain Mesa way: one Python object per agent.

This is the *reference implementation* of issue 5: the same model as the
columnar engine (:class:`servsim.model.ServiceMarket` and
:mod:`servsim.mechanisms`), written as a competent Mesa 3.5 user would write
it, with

* :class:`CustomerAgent`, :class:`StaffAgent`, :class:`ManagerAgent` as
  ``mesa.Agent`` subclasses holding their own state in attributes and acting
  in ``step()``-style methods (the equations are re-implemented inline, on
  Python floats, from the mechanisms' docstrings);
* :class:`ReferenceMarket` (``mesa.Model``, ``Model(rng=seed)``) calling, per
  phase, ``AgentSet.shuffle_do`` (phases that draw random numbers) or ``do``
  (deterministic phases) in the order of ``ServiceMarket.step()``;
* neighbours as a Python list of agents per customer (the topology comes from
  :func:`servsim.network.build_network`, so both implementations draw the
  same kind of graph), service requests in a FIFO list per firm, escalated
  complaints in their manager's inbox.

It is not bit-identical to the engine (random numbers are drawn in another
order, from Python's ``random`` for scalars) but it is meant to be
statistically equivalent: ``tests/test_reference_agreement.py`` checks that.
It is also the "straight Mesa" side of ``benchmarks/run.py`` (ratio A).

Step order (one day), as ``ServiceMarket.step``:

1. market norm drifts; customers' expectations are pulled by ads and the norm
2. needs arise (customers join their firm's queue); proactive contacts
3. each firm serves its queue FIFO within staff capacity; long waiters give up
4. failure and perceived quality of each encounter
5. satisfaction by expectation-disconfirmation; adaptive expectation
6. complaints: on the spot, escalated to the employee's manager, or ignored;
   managers approve within capacity; recovery or abandonment
7. word of mouth: talkers tell every tie; everybody updates attitudes
8. choice: purchase occasions (defect, switch, lapse, buy, move up stages),
   adoption by prospects and lapsed customers
9. the books
10. managers plan coaching; staff morale, skill, quits; vacancies and hires
11. record the day's per-firm row (same column names as the engine's
    :data:`servsim.results.STEP_COLUMNS`)
"""

from __future__ import annotations

import math
from pathlib import Path

import mesa
import pandas as pd
from mesa.agentset import AgentSet
from omegaconf import OmegaConf

import servsim

from servsim.mechanisms.accounting import MANAGER_WAGE_FACTOR
from servsim.network import build_network
from servsim.params import Params, make_params
from servsim.results import COST_SOURCES, REVENUE_SOURCES, STEP_COLUMNS

PROSPECT, NEW, REPEAT, LOYAL, ADVOCATE, LAPSED = range(6)
STAGE_NAMES = ("prospect", "new", "repeat", "loyal", "advocate", "lapsed")
PROMOTER, DETRACTOR = 0.7, 0.45
METRICS = [c for c in STEP_COLUMNS if c not in ("day", "firm")]
IMPLEMENTED = {
    "prospects", "customers_new", "customers_repeat", "customers_loyal", "customers_advocate",
    "customers_lapsed", "customers", "share", "acquisitions", "churn", "satisfaction",
    "expectation", "recommend_score", "encounters", "waiting", "wait_days", "quality",
    "failures", "complaints", "complaints_ignored", "recoveries", "recoveries_on_spot",
    "recovery_days", "complaints_abandoned", "complaint_queue", "wom_positive", "wom_negative",
    "contracts", *(f"revenue_{x}" for x in REVENUE_SOURCES), "revenue",
    *(f"cost_{x}" for x in COST_SOURCES), "cost", "profit", "staff", "staff_morale",
    "staff_skill", "internal_service", "staff_quits", "staff_hires", "manager_coaching",
    "market_norm",
}
"""Step-table columns this reference computes (the engine's columns when it was written)."""
NOT_IMPLEMENTED = [c for c in METRICS if c not in IMPLEMENTED]
"""Engine columns added later: NaN in the reference's table."""

# --------------------------------------------------------------------------- scenarios

MARKET_FILE = Path(servsim.__file__).resolve().parent / "configs" / "market" / "single_firm.yaml"


def single_firm_market() -> dict:
    """The ``single_firm`` market as its config file defines it (the teaching baseline)."""
    data = OmegaConf.to_container(OmegaConf.load(MARKET_FILE), resolve=True)
    data.pop("defaults", None)
    return data


def scenario(name: str = "single_firm", **overrides) -> Params:
    """Validated parameters of a named benchmark / test scenario.

    ``single_firm``: the market of ``configs/market/single_firm.yaml`` (two
    segments, 30% of the population customers at day 0, small-world network)
    with the default (``Params``) strategy, organisation and stage: the
    benchmark scenario.  ``two_firm``: the same market with a premium
    competitor holding 20% at day 0 (its own org: an inverted pyramid).
    ``overrides`` are dotted keys for :func:`servsim.params.make_params`.
    """
    data = {"market": single_firm_market()}
    if name == "two_firm":
        data["market"]["competitors"] = {
            "rival": {
                "name": "rival",
                "initial_share": 0.2,
                "strategy": {"service_level": 0.8, "price": 1.2, "service_level_target": 0.9,
                             "promise": 1.1, "compensation": 0.4},
                "org": {"frontline_authority": 0.7, "approval_levels": 1,
                        "control_share": 0.3},
            }
        }
    elif name != "single_firm":
        raise ValueError(f"unknown scenario {name!r}")
    return make_params(data, **overrides)


# --------------------------------------------------------------------------- helpers


def logistic(x: float) -> float:
    """1 / (1 + e^-x), safe for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def logit(p: float) -> float:
    """Log-odds, clipped like the engine's."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


class Segment:
    """A customer segment's parameters (plain attributes)."""

    def __init__(self, index: int, name: str, p, price_response: float = 1.0) -> None:
        self.index = index
        self.name = name
        self.share = p.share
        self.value = p.value
        # effective sensitivity: the market's calibrated scale times the segment's (7.9)
        self.price_sensitivity = price_response * p.price_sensitivity
        self.expectation = p.expectation
        self.need_rate = p.need_rate
        self.purchase_rate = p.purchase_rate
        self.complaint_propensity = p.complaint_propensity
        self.patience_days = p.patience_days


class Firm:
    """A firm: its levers, its request queue, its people and the day's books."""

    def __init__(self, index: int, fp, segments: list[Segment], market) -> None:
        self.index = index
        self.name = fp.name
        st, org, stage = fp.strategy, fp.org, fp.stage
        self.initial_share = fp.initial_share
        self.overhead = float(fp.overhead)
        mean_value = sum(s.value * s.share for s in segments) / sum(s.share for s in segments)
        # designed and promised service level per segment (tiering by value)
        self.service_level = [
            clip(st.service_level * (1.0 + st.tiering * (s.value / mean_value - 1.0)))
            for s in segments
        ]
        self.promised = [clip(sl * st.promise) for sl in self.service_level]
        for name in ("price", "advertising", "advertising_cost", "service_level_target", "training",
                     "training_cost", "wage", "compensation", "complaint_handling",
                     "loyalty_premium", "cross_buy", "cost_per_encounter",
                     "quality_cost_curvature", "acquisition_cost", "product_quality", "brand"):
            setattr(self, name, float(getattr(st, name)))
        # unit cost of goods: the market's share for its mainstream product, scaled by
        # (product quality / mainstream quality) ** curvature
        self.goods_share = market.cost_of_goods * (
            (self.product_quality / market.reference_product_quality)
            ** market.product_cost_curvature)
        for name in ("frontline_authority", "manager_capacity", "control_share"):
            setattr(self, name, float(getattr(org, name)))
        self.approval_levels = int(org.approval_levels)
        self.level_delay_days = int(org.level_delay_days)
        self.manager_span = int(org.manager_span)
        for name in ("standardization", "followup_rate", "followup_cost", "contract_uptake",
                     "contract_fee", "proactive_rate", "proactive_prevention", "proactive_cost",
                     "service_fee"):
            setattr(self, name, float(getattr(stage, name)))
        self.queue: list[CustomerAgent] = []  # open service requests, FIFO
        self.ignored: list[Complaint] = []  # complaints nobody acts on
        self.staff: list[StaffAgent] = []
        self.managers: list[ManagerAgent] = []
        self.overload = 0.0
        self.proactive = 0
        self.n_done = 0
        self.n_surveyed = 0
        self.log = dict.fromkeys(METRICS, 0.0)


class Complaint:
    """An open complaint: who, which firm, how old, approvals obtained."""

    __slots__ = ("customer", "firm", "age", "level", "sat_before", "skill")

    def __init__(self, customer, firm, sat_before: float, skill: float) -> None:
        self.customer = customer
        self.firm = firm
        self.age = 0
        self.level = 0
        self.sat_before = sat_before
        self.skill = skill


# --------------------------------------------------------------------------- agents


class CustomerAgent(mesa.Agent):
    """A customer (or prospect, or former customer) with its own state."""

    def __init__(self, model: ReferenceMarket, segment: Segment, firm: Firm | None) -> None:
        super().__init__(model)
        b = model.b
        n_firms = len(model.firm_list)
        self.segment = segment
        self.firm = firm  # current firm, or last firm if lapsed; None: never adopted
        self.stage = NEW if firm is not None else PROSPECT
        self.value = segment.value * self.random.lognormvariate(-0.125, 0.5)
        spread = model.b.price_sensitivity_spread  # random coefficient of price (ODD 7.9)
        self.price_multiplier = (self.random.lognormvariate(-0.5 * spread**2, spread)
                                 if spread > 0 else 1.0)
        self.satisfaction = b.initial_satisfaction
        known = firm if firm is not None else model.firm_list[0]
        self.expectation = (b.promise_weight * known.promised[segment.index]
                            + (1 - b.promise_weight) * model.norm[segment.index])
        self.attitude = [0.0] * n_firms
        self.pos_in = [0.0] * n_firms  # share of ties who spoke well of each firm today
        self.heard_pos = [0] * n_firms
        self.heard_neg = [0] * n_firms
        self.tenure = 0
        self.failures = 0
        self.last_failure_day = -(2**30)
        self.busy = False  # an open request or complaint
        self.in_queue = False
        self.waited = 0
        self.contract = False
        self.reconsider_day = 0  # a prospect who declined considers again from this day
        self.neighbours: list[CustomerAgent] = []
        # today's encounter
        self.enc_staff: StaffAgent | None = None
        self.enc_firm: Firm | None = None
        self.enc_wait = 0
        self.enc_gave_up = False
        self.enc_failed = False
        self.enc_quality = 0.0
        self.enc_skill = 0.0
        self.sat_before = 0.0

    @property
    def active(self) -> bool:
        return NEW <= self.stage <= ADVOCATE

    # 1 ----------------------------------------------------------------------
    def update_expectation(self) -> None:
        """E' = E + k_ad T / (T + tenure) adv (P - E) + a (R - E), clipped to [0, 1]."""
        m = self.model
        f = self.firm if self.firm is not None else m.firm_list[0]
        s = self.segment.index
        e = self.expectation
        fade = m.b.promise_fade_days / (m.b.promise_fade_days + self.tenure)
        e += m.b.advertising_pull * fade * f.advertising * (f.promised[s] - e)
        e += m.params.market.norm_adaptation * (m.norm[s] - e)
        self.expectation = clip(e)

    # 2 ----------------------------------------------------------------------
    def check_needs(self) -> None:
        """A customer with nothing open needs service with probability need_rate."""
        if not self.active:
            return
        if self.contract:
            self.firm.log["contracts"] += 1
        if not self.busy and self.random.random() < self.segment.need_rate:
            self.busy = True
            self.in_queue = True
            self.waited = 0
            self.firm.queue.append(self)

    def drop_request(self) -> None:
        """A defector's open service request is withdrawn."""
        if self.in_queue:
            self.firm.queue.remove(self)
            self.in_queue = False
            self.busy = False

    # 4 ----------------------------------------------------------------------
    def perceive_service(self) -> None:
        """Failure (logit-linear) and perceived quality of today's encounter."""
        m, b, f = self.model, self.model.b, self.enc_firm
        st = self.enc_staff
        skill = st.skill if st is not None else b.novice_skill
        morale = st.morale if st is not None else 0.5
        level = f.service_level[self.segment.index]
        z = (m.logit_base_failure + b.failure_skill * (0.5 - skill)
             + b.failure_morale * (0.5 - morale) + b.failure_level * (0.5 - level)
             + b.failure_overload * max(f.overload - 1.0, 0.0))
        phi = (logistic(z) * (1.0 - f.standardization)
               * (1.0 - f.proactive_prevention * self.contract))
        failed = self.random.random() < phi or self.enc_gave_up or st is None
        q = (level + b.skill_weight * (skill - 0.5) + b.morale_weight * (morale - 0.5)
             - b.wait_penalty * self.enc_wait - b.failure_severity * failed
             + self.random.gauss(0.0, b.quality_noise))
        self.enc_quality = clip(q)
        f.log["quality"] += self.enc_quality  # a sum today; the mean is taken in record()
        self.enc_failed = failed
        self.enc_skill = skill
        if m.day - self.last_failure_day > b.failure_memory_days:
            self.failures = 0
        if failed:
            self.failures = min(self.failures + 1, 255)
            self.last_failure_day = m.day
            f.log["failures"] += 1
        if not self.enc_gave_up:
            f.log["cost_encounters"] += f.cost_per_encounter * level ** f.quality_cost_curvature

    # 5 ----------------------------------------------------------------------
    def update_satisfaction(self) -> None:
        """Loss-averse, concave-convex disconfirmation of the assimilated quality with a zone
        of tolerance, plus the norm term."""
        m, b = self.model, self.model.b
        e = self.expectation
        q = self.enc_quality + b.assimilation * (e - self.enc_quality)  # assimilation
        d = q - e
        v = d ** b.value_curvature if d >= 0 else \
            -b.loss_aversion * (-min(d + b.tolerance, 0.0)) ** b.value_curvature
        tx = clip(b.wom_neutral + b.satisfaction_gain * v
                  + b.norm_weight * (q - m.norm[self.segment.index])
                  + self.enc_firm.satisfaction_shift)
        self.sat_before = self.satisfaction
        self.satisfaction = (1 - b.satisfaction_memory) * self.satisfaction \
            + b.satisfaction_memory * tx
        self.expectation = (1 - b.expectation_learning) * e + b.expectation_learning * q

    # 6 ----------------------------------------------------------------------
    def consider_complaint(self) -> None:
        """Voice (rare), follow-up calls; on the spot, escalated or ignored."""
        f = self.enc_firm
        rnd = self.random.random
        followed = rnd() < f.followup_rate
        if followed:
            f.log["cost_followup"] += f.followup_cost
        voiced = self.enc_failed and rnd() < self.segment.complaint_propensity
        surfaced = self.enc_failed and not voiced and followed
        if not (voiced or surfaced):
            self.busy = False
            return
        f.log["complaints"] += 1
        handled = rnd() < f.complaint_handling
        on_spot = handled and rnd() <= f.frontline_authority
        if on_spot:
            self.recover(f, 0, self.sat_before, self.enc_skill, on_spot=True)
            return
        complaint = Complaint(self, f, self.sat_before, self.enc_skill)
        if handled and self.enc_staff is not None:
            self.enc_staff.manager.inbox.append(complaint)
        else:  # ignored (or no employee to escalate through): waits to be abandoned
            if not handled:
                f.log["complaints_ignored"] += 1
            f.ignored.append(complaint)

    def recover(self, firm: Firm, days: int, sat_before: float, skill: float,
                on_spot: bool = False) -> None:
        """Recovery quality (speed, compensation, skill) and the conditional paradox."""
        b = self.model.b
        comp = max(firm.compensation, 0.0)
        rho = (b.recovery_weight_speed * math.exp(-days / b.recovery_speed_days)
               + b.recovery_weight_compensation * comp / (comp + b.compensation_scale)
               + b.recovery_weight_skill * skill)
        s = self.satisfaction
        loss = max(sat_before - s, 0.0)
        if self.failures <= 1:
            s = s + rho * loss + b.paradox_gain * max(rho - b.paradox_threshold, 0.0)
        else:
            s = s + b.repeat_failure_cap * rho * loss
        self.satisfaction = clip(s)
        self.busy = False
        log = firm.log
        log["recoveries"] += 1
        log["recovery_days"] += days
        if on_spot:
            log["recoveries_on_spot"] += 1
        log["cost_compensation"] += firm.compensation * self.value

    def give_up(self, firm: Firm) -> None:
        """An ignored or too slow complaint costs satisfaction."""
        self.satisfaction = max(self.satisfaction - self.model.b.unresolved_penalty, 0.0)
        self.busy = False
        firm.log["complaints_abandoned"] += 1

    # 7 ----------------------------------------------------------------------
    def talk(self) -> None:
        """U-shaped, asymmetric word of mouth, told to every tie."""
        if self.firm is None:
            return
        b = self.model.b
        s, n = self.satisfaction, b.wom_neutral
        tau = clip(b.wom_base + b.wom_positive * max(s - n, 0.0) / (1 - n)
                   + b.wom_negative * max(n - s, 0.0) / n)
        if self.random.random() >= tau:
            return
        k = self.firm.index
        if s >= n:
            for other in self.neighbours:
                other.heard_pos[k] += 1
            self.firm.log["wom_positive"] += len(self.neighbours)
        else:
            for other in self.neighbours:
                other.heard_neg[k] += 1
            self.firm.log["wom_negative"] += len(self.neighbours)

    def listen(self) -> None:
        """Attitude integrates the day's word of mouth and fades; lapsed feelings fade."""
        b = self.model.b
        deg = len(self.neighbours)
        keep, gain = 1.0 - b.attitude_decay, b.wom_attitude
        att, hp, hn, pos_in = self.attitude, self.heard_pos, self.heard_neg, self.pos_in
        for k in range(len(att)):
            p = hp[k] / deg if deg else 0.0
            q = hn[k] / deg if deg else 0.0
            pos_in[k] = p
            att[k] = clip(keep * att[k] + gain * (p - q), -1.0, 1.0)
            hp[k] = 0
            hn[k] = 0
        if self.stage == LAPSED:
            self.satisfaction += b.attitude_decay * (b.wom_neutral - self.satisfaction)

    # 8 ----------------------------------------------------------------------
    def choose(self) -> None:
        """Buy, defect (switch or lapse) and move along the lifecycle; or adopt."""
        if self.active:
            self.purchase_occasion()
        else:
            self.consider_adoption()

    def purchase_occasion(self) -> None:
        m, b = self.model, self.model.b
        rnd = self.random.random
        f = self.firm
        if rnd() < self.segment.purchase_rate:
            z = (m.logit_churn_base + b.churn_satisfaction * (b.wom_neutral - self.satisfaction)
                 - b.churn_attitude * self.attitude[f.index])
            if rnd() < logistic(z):  # dropout: the relationship ends
                f.log["churn"] += 1
                self.drop_request()
                self.stage = LAPSED
                self.contract = False
                self.tenure = 0
                return
            # nested logit: buy at all (inclusive value of the firms), then which firm
            # (inertia for the own one)
            utils = self.utilities()
            top = max(max(utils), b.outside_utility)
            inside = sum(math.exp(u - top) for u in utils)
            p_buy = inside / (inside + math.exp(b.outside_utility - top))
            x = rnd()
            if x >= p_buy:  # no purchase today
                self.tenure += 1
                return
            weights = [math.exp(u + (b.inertia if g is f else 0.0) - top)
                       for g, u in zip(m.firm_list, utils, strict=True)]
            outside = 0.0
            x = x / p_buy * sum(weights)
            target = self.pick_at(weights, x - outside)
            if target is not f:  # a switch
                f.log["churn"] += 1
                self.drop_request()
                self.join(target)
                self.tenure += 1
                return
            self.buy()
            s = self.satisfaction
            st = self.stage
            if st == NEW:
                if s >= b.repeat_threshold:
                    self.stage = REPEAT
            elif st == REPEAT:
                if s >= b.loyal_threshold and self.tenure >= b.loyal_tenure_days:
                    self.stage = LOYAL
            elif st == LOYAL:
                if s >= b.advocate_threshold:
                    self.stage = ADVOCATE
                elif s < b.loyal_threshold:
                    self.stage = REPEAT
            elif s < b.advocate_threshold:  # ADVOCATE
                self.stage = LOYAL
            if (not self.contract and s >= b.repeat_threshold
                    and rnd() < f.contract_uptake):
                self.contract = True
        self.tenure += 1

    def consider_adoption(self) -> None:
        """Bass hazard a_f = p adv_f + q pos_in_f, converted against the outside option.

        Each aware firm converts with pi_f = logistic(U_f - U_0); adopt some firm
        with probability min(1, sum a_f pi_f), firm f in proportion to a_f pi_f.
        """
        m, b = self.model, self.model.b
        if m.day < self.reconsider_day:
            return  # declined lately (lost trial)
        p, q = m.params.market.innovation, m.params.market.imitation
        utils = self.utilities()
        aware = [p * f.advertising + q * self.pos_in[f.index] for f in m.firm_list]
        total = sum(aware)
        if total <= 0 or self.random.random() >= min(total, 1.0):
            return  # heard of no firm today
        top = max(max(utils), b.outside_utility)
        weights = [a * math.exp(u - top) for a, u in zip(aware, utils, strict=True)]
        outside = total * math.exp(b.outside_utility - top)
        if self.random.random() * (sum(weights) + outside) >= sum(weights):
            self.reconsider_day = m.day + 1 + b.reconsider_days
            return  # chose not to buy: out of the market for reconsider_days
        target = self.pick(weights)
        if target is not None:
            self.join(target)
            self.tenure += 1

    def utilities(self) -> list[float]:
        """V_f = b_q E0_f + b_g pq_f + br_f - b_p m_i beta_s (price_f - 1) + b_a A_f."""
        m, b = self.model, self.model.b
        s = self.segment.index
        ps = self.segment.price_sensitivity * self.price_multiplier
        w = b.promise_weight
        return [
            b.utility_quality * (w * f.promised[s] + (1 - w) * m.norm[s])
            + b.utility_product * f.product_quality + f.brand
            - b.utility_price * ps * (f.price - 1.0) + b.utility_attitude * self.attitude[f.index]
            for f in m.firm_list
        ]

    def pick_at(self, weights: list[float], x: float) -> Firm:
        """The firm where the running sum of ``weights`` first exceeds ``x``."""
        acc = 0.0
        for f, w in zip(self.model.firm_list, weights, strict=True):
            acc += w
            if acc > x:
                return f
        return self.model.firm_list[-1]

    def pick(self, weights: list[float]) -> Firm | None:
        total = sum(weights)
        if total <= 0:
            return None
        return self.pick_at(weights, self.random.random() * total)

    def join(self, firm: Firm) -> None:
        """Become a new customer of ``firm``; adoption is the first purchase."""
        m, b = self.model, self.model.b
        s = self.segment.index
        self.firm = firm
        self.stage = NEW
        self.expectation = b.promise_weight * firm.promised[s] + (1 - b.promise_weight) * m.norm[s]
        self.satisfaction = b.initial_satisfaction
        self.tenure = 0
        self.failures = 0
        self.contract = False
        firm.log["acquisitions"] += 1
        self.buy()

    def buy(self) -> None:
        """Revenue of one purchase (premium and cross-buying if loyal or advocate)."""
        f = self.firm
        loyal = self.stage == LOYAL or self.stage == ADVOCATE
        base = self.value * f.price
        log = f.log
        log["revenue_purchases"] += base
        goods = self.value * f.goods_share
        if loyal:
            log["revenue_premium"] += base * f.loyalty_premium
            log["revenue_crossbuy"] += base * f.cross_buy
            goods *= 1.0 + f.cross_buy
        log["cost_goods"] += goods


class StaffAgent(mesa.Agent):
    """A frontline job: active employee or vacancy (being filled after a lag)."""

    def __init__(self, model: ReferenceMarket, firm: Firm, manager: ManagerAgent) -> None:
        super().__init__(model)
        b = model.b
        self.firm = firm
        self.manager = manager
        self.active = False
        self.skill = b.initial_skill
        self.morale = b.initial_morale
        self.tenure = 0
        self.vacancy_days = -1
        self.encounters_today = 0
        self.draw_traits()

    def draw_traits(self) -> None:
        """A new employee's disposition ``b ~ N(0, sd_b)`` and sensitivity to internal
        service ``exp(sd_s z - sd_s^2 / 2)``."""
        b = self.model.b
        self.baseline = self.random.gauss(0.0, 1.0) * b.morale_baseline_sd
        sd = b.morale_sensitivity_sd
        self.sensitivity = math.exp(sd * self.random.gauss(0.0, 1.0) - 0.5 * sd * sd)

    def capacity(self) -> float:
        b = self.model.b
        return b.staff_capacity * max(1.0 + b.productivity_morale * (self.morale - 0.5), 0.0)

    def work_day(self) -> None:
        """Morale toward internal service quality; skill grows; maybe quit."""
        if not self.active:
            return
        m, b, f = self.model, self.model.b, self.firm
        coach = self.manager.coaching_per_member
        cap = self.capacity()
        load = self.encounters_today / cap if cap > 0 else 0.0
        x = (b.morale_support * (coach - 0.5) + b.morale_training * (f.training - 0.5)
             + b.morale_authority * (f.frontline_authority - 0.5)
             + b.morale_wage * (f.wage / m.params.market.market_wage - 1.0)
             - b.morale_overload * max(load - 1.0, 0.0))
        target = logistic(self.sensitivity * x + self.baseline)
        if self.random.random() < b.survey_response:  # a noisy survey answer
            answer = logistic(x) + self.random.gauss(0.0, b.survey_error)
            f.log["internal_service"] += clip(answer)  # a sum; the mean is taken in record()
            f.n_surveyed += 1
        self.morale = clip(self.morale + b.morale_adjustment * (target - self.morale)
                           + self.random.gauss(0.0, b.morale_shock))
        gain = (b.learning_rate * self.encounters_today + b.training_rate * f.training
                + b.coaching_rate * coach)
        self.skill = min(self.skill + gain * (1.0 - self.skill), 1.0)
        if self.random.random() < logistic(m.logit_quit_base + b.quit_morale * (0.5 - self.morale)):
            self.active = False
            self.tenure = 0
            f.log["staff_quits"] += 1
        else:
            self.tenure += 1

    def count_down_vacancy(self) -> None:
        """A vacancy being filled: a novice starts when the lag is over."""
        if self.vacancy_days < 0:
            return
        self.vacancy_days -= 1
        if self.vacancy_days < 0:
            b = self.model.b
            self.active = True
            self.skill = b.novice_skill
            self.morale = b.initial_morale
            self.draw_traits()
            self.tenure = 0
            self.firm.log["staff_hires"] += 1


class ManagerAgent(mesa.Agent):
    """A manager: a team of staff jobs, an inbox of escalated complaints, coaching."""

    def __init__(self, model: ReferenceMarket, firm: Firm) -> None:
        super().__init__(model)
        self.firm = firm
        self.team: list[StaffAgent] = []
        self.team_size = 0
        self.inbox: list[Complaint] = []
        self.coaching_per_member = 0.0

    def process_complaints(self) -> None:
        """Approve the oldest ready complaints within capacity; resolve or lose them."""
        f = self.firm
        rnd = self.random.random
        x = f.manager_capacity * f.control_share * (self.team_size > 0)
        slots = int(x) + (rnd() < x - int(x))
        delay = f.level_delay_days
        ready = [c for c in self.inbox if c.age >= (c.level + 1) * delay]
        if len(ready) > slots:
            self.random.shuffle(ready)  # random among equally old
            ready.sort(key=lambda c: -c.age)
        for c in ready[:slots]:
            c.level += 1
        still = []
        for c in self.inbox:
            if c.level >= f.approval_levels:
                c.customer.recover(c.firm, c.age, c.sat_before, c.skill)
            elif c.age >= c.customer.segment.patience_days:
                c.customer.give_up(c.firm)
            else:
                c.age += 1
                still.append(c)
        self.inbox = still
        f.log["complaint_queue"] += len(still)

    def plan_coaching(self) -> None:
        """Coaching sessions per team member: the support share of capacity, shared."""
        f = self.firm
        self.team_size = sum(1 for s in self.team if s.active)
        support = f.manager_capacity * (1.0 - f.control_share)
        self.coaching_per_member = min(support / self.team_size, 1.0) if self.team_size else 0.0
        f.log["manager_coaching"] += self.coaching_per_member * self.team_size


# --------------------------------------------------------------------------- the model


class ReferenceMarket(mesa.Model):
    """The service market with one Python object per customer, employee and manager."""

    def __init__(self, params: Params | dict | None = None, rng: int | None = None) -> None:
        params = params if isinstance(params, Params) else make_params(params)
        super().__init__(rng=params.sim.seed if rng is None else rng)
        self.params = params
        self.b = b = params.behaviour
        self.day = 0
        self.logit_base_failure = logit(b.base_failure)
        self.logit_churn_base = logit(b.churn_base)
        self.logit_quit_base = logit(b.quit_base)
        self.segments = [Segment(i, name, p, params.market.price_response)
                         for i, (name, p) in enumerate(params.market.segments.items())]
        self.firm_list = [Firm(k, fp, self.segments, params.market)
                          for k, fp in enumerate(params.firms)]
        self.norm = [s.expectation for s in self.segments]
        # each firm's product-and-brand term of satisfaction (product against the mean)
        mean_product = sum(f.product_quality for f in self.firm_list) / len(self.firm_list)
        for f in self.firm_list:
            f.satisfaction_shift = (b.product_satisfaction_weight
                                    * (f.product_quality - mean_product)
                                    + b.brand_halo * f.brand)
        n = self.n = params.sim.n_customers
        # customers: segment by share, initial firm by initial share
        seg_w = [s.share for s in self.segments]
        customers = []
        for _ in range(n):
            seg = self.random.choices(self.segments, weights=seg_w)[0]
            u, acc, firm = self.random.random(), 0.0, None
            for f in self.firm_list:
                acc += f.initial_share
                if u < acc:
                    firm = f
                    break
            customers.append(CustomerAgent(self, seg, firm))
        self.customer_list = customers
        # the social network: same generator as the engine, kept as lists of agents
        net = params.market.network
        graph = build_network(n, net.kind, net.mean_degree, net.rewire_prob, self.rng)
        if graph.weights is None:  # complete graph
            for c in customers:
                c.neighbours = [o for o in customers if o is not c]
        else:
            indptr = graph.weights.indptr.tolist()
            indices = graph.weights.indices.tolist()
            for i, c in enumerate(customers):
                c.neighbours = [customers[j] for j in indices[indptr[i]:indptr[i + 1]]]
        # staff jobs and managers
        by_segment, _ = self.tally()
        top_need = max(s.need_rate for s in self.segments)
        for f in self.firm_list:
            # jobs: enough for the whole population as customers (Erlang-C team at the
            # highest need rate + proactive work for all)
            slots = self.erlang_team(f, n * top_need / b.staff_capacity, n) + 1
            for _ in range(math.ceil(slots / f.manager_span)):
                f.managers.append(ManagerAgent(self, f))
            for i in range(slots):
                mgr = f.managers[i // f.manager_span]
                s = StaffAgent(self, f, mgr)
                mgr.team.append(s)
                f.staff.append(s)
            for s in f.staff[: self.staff_target(f, by_segment[f.index], 0)]:
                s.active = True
        for mgr in self.agents_by_type[ManagerAgent]:
            mgr.team_size = sum(1 for s in mgr.team if s.active)
        self.customers = self.agents_by_type[CustomerAgent]
        self.staff = self.agents_by_type[StaffAgent]
        self.managers = self.agents_by_type[ManagerAgent]
        self.counts, self.contracts = self.tally()
        self.rows: list[dict] = []

    # ------------------------------------------------------------------ helpers

    def active_counts(self) -> list[int]:
        counts = [0] * len(self.firm_list)
        for c in self.customer_list:
            if c.active:
                counts[c.firm.index] += 1
        return counts

    def tally(self) -> tuple[list[list[int]], list[int]]:
        """Active customers per (firm, segment) and contract holders per firm."""
        counts = [[0] * len(self.segments) for _ in self.firm_list]
        contracts = [0] * len(self.firm_list)
        for c in self.customer_list:
            if c.active:
                counts[c.firm.index][c.segment.index] += 1
                if c.contract:
                    contracts[c.firm.index] += 1
        return counts, contracts

    @staticmethod
    def erlang_c(c: int, a: float) -> float:
        """Erlang C from its textbook sum (log-space terms, any size)."""
        if a <= 0.0:
            return 0.0
        if a >= c:
            return 1.0
        logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
        top = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
        peak = max(max(logs), top)
        head = sum(math.exp(x - peak) for x in logs)
        return math.exp(top - peak) / (head + math.exp(top - peak))

    def erlang_team(self, firm: Firm, load: float, contracts: int) -> int:
        """Smallest team with P(wait) <= 1 - target, plus proactive people, at least 1."""
        c = max(math.floor(load) + 1, 1) if load > 0 else 1
        while load > 0 and self.erlang_c(c, load) > 1.0 - firm.service_level_target:
            c += 1
        return max(1, c + math.ceil(contracts * firm.proactive_rate / self.b.staff_capacity))

    def staff_target(self, firm: Firm, customers: list[int], contracts: int) -> int:
        """The Erlang-C team for the firm's requests at its service-level target, plus
        the people its proactive contract work needs."""
        requests = sum(n * s.need_rate for n, s in zip(customers, self.segments, strict=True))
        return self.erlang_team(firm, requests / self.b.staff_capacity, contracts)

    def stochastic_round(self, x: float) -> int:
        base = math.floor(x)
        return int(base) + (self.random.random() < x - base)

    # ------------------------------------------------------------------ the day

    def step(self) -> None:
        for f in self.firm_list:
            f.log = dict.fromkeys(METRICS, 0.0)
            f.n_surveyed = 0
        # 1 expectations
        self.update_norm()
        self.customers.do("update_expectation")
        # 2 needs, proactive contacts
        self.customers.shuffle_do("check_needs")
        for f in self.firm_list:
            f.proactive = int(self.rng.binomial(int(f.log["contracts"]),
                                                min(max(f.proactive_rate, 0.0), 1.0)))
        # 3 encounters
        served = []
        for f in self.firm_list:
            served.extend(self.serve(f))
        encounters = AgentSet(served, random=self.random)
        # 4-6 quality, satisfaction, complaints
        encounters.do("perceive_service")
        encounters.do("update_satisfaction")
        encounters.shuffle_do("consider_complaint")
        self.managers.shuffle_do("process_complaints")
        for f in self.firm_list:
            self.process_ignored(f)
        # 7 word of mouth
        self.customers.shuffle_do("talk")
        self.customers.do("listen")
        # 8 choice
        self.customers.shuffle_do("choose")
        self.counts, self.contracts = self.tally()  # for staffing and tomorrow's norm
        # 9 books
        self.book_costs()
        # 10 staff
        self.managers.do("plan_coaching")
        self.staff.shuffle_do("work_day")
        self.staff.do("count_down_vacancy")
        self.open_vacancies()
        # 11 record
        self.record()
        self.day += 1

    def update_norm(self) -> None:
        """R' = clip(R + drift + a (Qbar - R)), Qbar the share-weighted quality offered."""
        mk = self.params.market
        for s in range(len(self.segments)):
            tot = sum(self.counts[k][s] for k in range(len(self.firm_list)))
            if tot > 0:
                offered = sum(self.counts[f.index][s] * f.service_level[s]
                              for f in self.firm_list) / tot
            else:
                offered = sum(f.service_level[s] for f in self.firm_list) / len(self.firm_list)
            self.norm[s] = clip(self.norm[s] + mk.expectation_drift / 365.0
                                + mk.norm_adaptation * (offered - self.norm[s]))

    def serve(self, f: Firm) -> list[CustomerAgent]:
        """Serve the queue FIFO within capacity; long waiters give up; assign staff."""
        b = self.b
        working = [s for s in f.staff if s.active]
        for s in f.staff:
            s.encounters_today = 0
        cap_total = sum(s.capacity() for s in working)
        capacity = max(cap_total - f.proactive, 0.0)
        queue = f.queue
        demand = len(queue) + f.proactive
        f.overload = demand / cap_total if cap_total > 0 else 2.0
        slots = self.stochastic_round(capacity)
        done, waiting = [], []
        wait_sum = 0
        for i, c in enumerate(queue):
            if i < slots:
                c.enc_gave_up = False
                c.enc_wait = c.waited
                wait_sum += c.waited
            elif c.waited + 1 > c.segment.patience_days:
                c.enc_gave_up = True
                c.enc_wait = c.waited + 1
            else:
                c.waited += 1
                waiting.append(c)
                continue
            c.in_queue = False
            c.enc_firm = f
            c.enc_staff = self.random.choice(working) if working else None
            if not c.enc_gave_up and c.enc_staff is not None:
                c.enc_staff.encounters_today += 1
            done.append(c)
        f.n_done = len(done)
        n_served = min(slots, len(queue))
        f.queue = waiting
        f.log["encounters"] = n_served
        f.log["wait_days"] = wait_sum / n_served if n_served else math.nan
        f.log["waiting"] = len(waiting)
        return done

    def process_ignored(self, f: Firm) -> None:
        still = []
        for c in f.ignored:
            if c.age >= c.customer.segment.patience_days:
                c.customer.give_up(c.firm)
            else:
                c.age += 1
                still.append(c)
        f.ignored = still

    def book_costs(self) -> None:
        for f in self.firm_list:
            log = f.log
            staff_n = sum(1 for s in f.staff if s.active)
            mgr_n = sum(1 for m in f.managers if m.team_size > 0)
            log["revenue_service"] = log["contracts"] * f.contract_fee \
                + log["encounters"] * f.service_fee
            log["cost_wages"] = f.wage * (staff_n + MANAGER_WAGE_FACTOR * mgr_n)
            log["cost_training"] = staff_n * f.training * f.training_cost
            log["cost_proactive"] = f.proactive * f.proactive_cost
            log["cost_advertising"] = f.advertising * f.advertising_cost * self.n / 1000.0
            mean_value = sum(s.value * s.share for s in self.segments)
            log["cost_acquisition"] = log["acquisitions"] * f.acquisition_cost * mean_value
            log["cost_overhead"] = f.overhead * self.n / 1000.0

    def open_vacancies(self) -> None:
        """Start filling jobs where the staffing target needs people."""
        for f in self.firm_list:
            k = f.index
            need = self.staff_target(f, self.counts[k], self.contracts[k]) - sum(
                1 for s in f.staff if s.active or s.vacancy_days >= 0)
            for s in f.staff:
                if need <= 0:
                    break
                if not s.active and s.vacancy_days < 0:
                    s.vacancy_days = self.b.hiring_lag_days
                    need -= 1
            f.log["cost_hiring"] = f.log["staff_hires"] * self.params.market.hiring_cost

    def record(self) -> None:
        """The day's per-firm row: stages, satisfaction, books, staff."""
        F = len(self.firm_list)
        stages = [[0] * 6 for _ in range(F)]
        sat = [0.0] * F
        exp = [0.0] * F
        nps = [0] * F
        prospects = 0
        for c in self.customer_list:
            f = c.firm
            if f is None:
                prospects += 1
                continue
            k = f.index
            stages[k][c.stage] += 1
            if NEW <= c.stage <= ADVOCATE:
                s = c.satisfaction
                sat[k] += s
                exp[k] += c.expectation
                nps[k] += (s >= PROMOTER) - (s < DETRACTOR)
        total_active = sum(sum(st[NEW:ADVOCATE + 1]) for st in stages)
        norm = sum(r * s.share for r, s in zip(self.norm, self.segments, strict=True))
        for f in self.firm_list:
            k, log = f.index, f.log
            for code in range(NEW, LAPSED + 1):
                log[f"customers_{STAGE_NAMES[code]}"] = stages[k][code]
            active = sum(stages[k][NEW:ADVOCATE + 1])
            log["customers"] = active
            log["share"] = active / max(total_active, 1)
            log["prospects"] = prospects
            log["satisfaction"] = sat[k] / active if active else math.nan
            log["expectation"] = exp[k] / active if active else math.nan
            log["recommend_score"] = 100.0 * nps[k] / active if active else math.nan
            log["quality"] = log["quality"] / f.n_done if f.n_done else math.nan
            log["internal_service"] = (log["internal_service"] / f.n_surveyed if f.n_surveyed
                                       else math.nan)
            rec = log["recoveries"]
            log["recovery_days"] = log["recovery_days"] / rec if rec else math.nan
            log["revenue"] = sum(log[f"revenue_{x}"] for x in REVENUE_SOURCES)
            log["cost"] = sum(log[f"cost_{x}"] for x in COST_SOURCES)
            log["profit"] = log["revenue"] - log["cost"]
            working = [s for s in f.staff if s.active]
            log["staff"] = len(working)
            log["staff_morale"] = (sum(s.morale for s in working) / len(working)
                                   if working else math.nan)
            log["staff_skill"] = (sum(s.skill for s in working) / len(working)
                                  if working else math.nan)
            log["market_norm"] = norm
            for name in NOT_IMPLEMENTED:
                log[name] = math.nan
            self.rows.append({"day": self.day + 1, "firm": f.name, **log})

    def run(self, days: int | None = None) -> None:
        for _ in range(self.params.sim.days if days is None else days):
            self.step()

    def step_table(self) -> pd.DataFrame:
        """Per (day, firm) rows with the engine's step-table column names."""
        return pd.DataFrame(self.rows, columns=list(STEP_COLUMNS))


def reference_simulate(params: Params | dict | None = None, **overrides) -> pd.DataFrame:
    """Build and run the reference model; return its step table."""
    if overrides or not isinstance(params, Params):
        params = make_params(params, **overrides)
    model = ReferenceMarket(params)
    model.run()
    return model.step_table()


if __name__ == "__main__":  # a quick look: python benchmarks/reference_model.py
    import time

    p = scenario(**{"sim.n_customers": 2000, "sim.days": 60})
    t = time.perf_counter()
    df = reference_simulate(p)
    print(f"{time.perf_counter() - t:.2f} s")
    print(df[["day", "customers", "acquisitions", "churn", "satisfaction", "failures",
              "complaints", "recoveries", "profit"]].tail().to_string())
