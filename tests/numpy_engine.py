"""The engine as it was before its phases were compiled: vectorised numpy over the
mechanisms' functions (:mod:`servsim.mechanisms`), kept as an oracle.

``NumpyMarket`` is a :class:`servsim.model.ServiceMarket` whose phases are the
numpy code of engine 2285ed8 (lightly adapted: the census and word of mouth's
hearing are plain numpy here, and closed complaints are logged in today's
format).  tests/test_kernels.py runs it side by side with the compiled engine:
same seed, same numbers, bit for bit.  A change to a mechanism's formula that
is not made in its kernel (or the reverse) fails there.
"""

from __future__ import annotations

import math

import numpy as np

from servsim.mechanisms import (
    accounting,
    adoption,
    complaints,
    encounters,
    expectations,
    needs,
    quality,
    recovery,
    relationship,
    satisfaction,
    staff,
    word_of_mouth,
)
from servsim.mechanisms._common import first_k_per_group, stochastic_round
from servsim.model import _M, DETRACTOR, PROMOTER, ServiceMarket
from servsim.results import COST_SOURCES, REVENUE_SOURCES
from servsim.state import ADVOCATE, LAPSED, LOYAL, NEW, is_active


def below_rate(u, rate, group):
    """``np.flatnonzero(u < rate[group])``."""
    return np.flatnonzero(u < rate[group])


def _mean_by(group, values, n):
    counts = np.bincount(group, minlength=n)
    sums = np.bincount(group, weights=values, minlength=n)
    return np.divide(sums, counts, out=np.full(n, np.nan), where=counts > 0)


def heard_by(net, talkers, category, k):
    """:meth:`servsim.network.Network.heard_by` in numpy: (hearers, their shares)."""
    if net.indices is None:
        totals = np.bincount(category, minlength=k).astype(np.float64)
        out = np.broadcast_to(totals, (net.n, k)).copy()
        out[talkers, category] -= 1.0  # nobody hears themselves
        return np.arange(net.n), (out / max(net.n - 1, 1)).astype(np.float32)
    counts = np.zeros((net.n, k), dtype=np.float32)
    for t, c in zip(talkers, category, strict=True):
        counts[net.indices[net.indptr[t]:net.indptr[t + 1]], c] += 1.0
    rows = np.flatnonzero(counts.any(axis=1))
    inverse = np.divide(1.0, net.degree, out=np.zeros(net.n, dtype=np.float32),
                        where=net.degree > 0)
    return rows, counts[rows] * inverse[rows, None]


class NumpyMarket(ServiceMarket):
    """The service market with the numpy phases of engine 2285ed8."""

    def _customer_census(self) -> np.ndarray:
        census = getattr(self, "_census", None)
        if census is None:
            c, F, n_seg = self.c, self.n_firms, len(self.seg.share)
            shape = (F + 1, 6, n_seg, 2, 3)
            key = (c.firm.astype(np.int64) + 1) * 6 + c.stage
            key = (key * n_seg + c.segment) * 2 + c.contract
            key = key * 3 + (c.satisfaction >= PROMOTER) + 2 * (c.satisfaction < DETRACTOR)
            census = np.bincount(key, minlength=math.prod(shape)).reshape(shape)
            self._census = census
        return census

    def outcomes_step(self, enc: dict) -> None:
        enc = self.quality_step(enc)
        self.satisfaction_step(enc)
        self.complaints_step(enc)

    def pos_in_of(self, who: np.ndarray) -> np.ndarray:
        return self._pos_dense[who]

    def _staff_target(self) -> np.ndarray:
        """Staff each firm aims for: its ratio to customers, plus the people its
        proactive contract work needs (``contracts * proactive_rate / capacity``)."""
        f = self.firms
        census = self._customer_census()[1:]  # firms' rows (row 0: never adopted)
        customers = census[:, NEW : ADVOCATE + 1].sum(axis=(1, 2, 3, 4))
        contracts = census[:, :, :, 1].sum(axis=(1, 2, 3))
        need = (f.staff_per_1000 * customers / 1000
                + contracts * f.proactive_rate / self.b.staff_capacity)
        return np.maximum(1, np.ceil(need)).astype(int)

    def expectations_step(self) -> None:
        """Market norm drifts toward what firms offer; ads pull expectations to promises."""
        f, c, b = self.firms, self.c, self.b
        counts = self._counts_fs  # (F, S) active customers
        tot = counts.sum(axis=0)
        offered = np.where(
            tot > 0,
            (counts * f.service_level).sum(axis=0) / np.maximum(tot, 1),
            f.service_level.mean(axis=0),
        )
        self.norm = expectations.update_norm(
            self.norm,
            offered,
            self.params.market.expectation_drift / 365.0,
            self.params.market.norm_adaptation,
        )
        # pull_expectation is linear in E: E' = E + rate (target - E), with rate and target
        # per (firm, segment): two small tables, gathered by each customer's table row
        n_seg = len(self.seg.share)
        rate = (b.advertising_pull * f.advertising[:, None]
                + self.params.market.norm_adaptation) * np.ones((1, n_seg))
        target = expectations.pull_expectation(
            np.zeros_like(f.promised), f.promised, self.norm[None, :],
            f.advertising[:, None], b.advertising_pull, self.params.market.norm_adaptation,
        ) / np.where(rate > 0, rate, 1.0)
        k = self._fs_row
        rate32, target32 = rate.astype(np.float32).ravel(), target.astype(np.float32).ravel()
        e = target32.take(k)
        e -= c.expectation  # E + rate (target - E), in place
        e *= rate32[0] if (rate32 == rate32[0]).all() else rate32.take(k)  # one rate: no gather
        e += c.expectation
        c.expectation = np.clip(e, 0.0, 1.0, out=e)

    def needs_step(self) -> np.ndarray:
        """Needs arise among customers with nothing open; count proactive contacts."""
        c = self.c
        u = self.rng.random(self.n, dtype=np.float32)
        rate = self.seg.need_rate.astype(np.float32)
        # only the few customers whose draw is below their segment's rate can need service
        cand = below_rate(u, rate, c.segment)
        eligible = is_active(c.stage[cand]) & ~c.busy[cand]
        new = cand[needs.arise(u[cand], rate[c.segment[cand]], eligible)]
        c.busy[new] = True
        self.requests.append(
            customer=new.astype(np.int64),
            firm=c.firm[new],
            wait=np.zeros(new.size, dtype=np.int32),
        )
        contracts = np.bincount(c.firm[c.contract].astype(np.int64), minlength=self.n_firms)
        self.log[:, _M["contracts"]] = contracts
        return needs.proactive_contacts(self.rng, contracts, self.firms.proactive_rate)

    def encounters_step(self, proactive: np.ndarray) -> dict:
        """Serve requests FIFO within capacity; long waiters give up (a failure)."""
        s, q, b, F = self.s, self.requests, self.b, self.n_firms
        cap_total = encounters.staff_capacity(
            s.active, s.morale, s.firm, F, b.staff_capacity, b.productivity_morale
        )
        capacity = np.maximum(cap_total - proactive, 0.0)
        demand = np.bincount(q.firm.astype(np.int64), minlength=F) + proactive
        self.overload = np.divide(demand, cap_total, out=np.full(F, 2.0), where=cap_total > 0)
        served = encounters.serve(
            q.firm.astype(np.int64),
            q.wait,
            capacity,
            self.rng.random(len(q)),
            self.rng.random(F),
        )
        patience = self.seg.patience_days[self.c.segment[q.customer]]
        gave_up = ~served & (q.wait + 1 > patience)
        done = served | gave_up
        cust = q.customer[done]
        firm = q.firm[done].astype(np.int64)
        wait = q.wait[done].astype(np.float64) + gave_up[done]
        staff_idx = encounters.assign_staff(firm, s.active, s.firm, self.rng.random(cust.size))
        s.encounters_today[:] = np.bincount(
            staff_idx[served[done] & (staff_idx >= 0)], minlength=s.n
        )
        self.log[:, _M["encounters"]] = np.bincount(firm[served[done]], minlength=F)
        self.log[:, _M["wait_days"]] = _mean_by(firm[served[done]], wait[served[done]], F)
        q.keep(~done)
        q.wait += 1
        self.log[:, _M["waiting"]] = np.bincount(q.firm.astype(np.int64), minlength=F)
        return {
            "customer": cust,
            "firm": firm,
            "wait": wait,
            "staff": staff_idx,
            "gave_up": gave_up[done],
        }

    def quality_step(self, enc: dict) -> dict:
        """Failures and perceived quality of each encounter."""
        c, s, f, b = self.c, self.s, self.firms, self.b
        cust, firm, st = enc["customer"], enc["firm"], enc["staff"]
        has = st >= 0
        skill = np.where(has, s.skill[np.maximum(st, 0)], b.novice_skill).astype(np.float64)
        morale = np.where(has, s.morale[np.maximum(st, 0)], 0.5).astype(np.float64)
        level = f.service_level[firm, c.segment[cust]]
        phi = quality.failure_probability(
            skill,
            morale,
            level,
            self.overload[firm],
            b.base_failure,
            b.failure_skill,
            b.failure_morale,
            b.failure_level,
            b.failure_overload,
            f.standardization[firm],
            f.proactive_prevention[firm] * c.contract[cust],
        )
        failed = (self.rng.random(cust.size) < phi) | enc["gave_up"] | ~has
        q = quality.perceived_quality(
            level,
            skill,
            morale,
            enc["wait"],
            failed,
            self.rng.normal(0.0, b.quality_noise, cust.size),
            b.skill_weight,
            b.morale_weight,
            b.wait_penalty,
            b.failure_severity,
        )
        # failure memory: forget failures older than failure_memory_days
        stale = (self.day - c.last_failure_day[cust]) > b.failure_memory_days
        c.failures[cust[stale]] = 0
        fc = cust[failed]
        c.failures[fc] = np.minimum(c.failures[fc].astype(np.int32) + 1, 255).astype(np.uint8)
        c.last_failure_day[fc] = self.day
        self.log[:, _M["failures"]] = np.bincount(firm[failed], minlength=self.n_firms)
        self.log[:, _M["quality"]] = _mean_by(firm, q, self.n_firms)
        served_cost = f.cost_per_encounter[firm] * level * ~enc["gave_up"]
        self.log[:, _M["cost_encounters"]] = np.bincount(
            firm, weights=served_cost, minlength=self.n_firms
        )
        return {**enc, "failed": failed, "perceived": q, "skill": skill}

    def satisfaction_step(self, enc: dict) -> None:
        """Expectation-disconfirmation with loss aversion; adaptive expectations."""
        c, b = self.c, self.b
        cust, q = enc["customer"], enc["perceived"]
        enc["sat_before"] = c.satisfaction[cust].copy()
        e = c.expectation[cust].astype(np.float64)
        tx = satisfaction.transaction_satisfaction(
            q,
            e,
            self.norm[c.segment[cust]],
            b.wom_neutral,
            b.satisfaction_gain,
            b.loss_aversion,
            b.tolerance,
            b.norm_weight,
        )
        c.satisfaction[cust] = satisfaction.update_satisfaction(
            enc["sat_before"], tx, b.satisfaction_memory
        )
        c.expectation[cust] = satisfaction.update_expectation(e, q, b.expectation_learning)

    def complaints_step(self, enc: dict) -> None:
        """Lodge complaints, settle on the spot or escalate, approve, recover, give up."""
        c, f, s, F = self.c, self.firms, self.s, self.n_firms
        rng = self.rng
        cust, firm, failed = enc["customer"], enc["firm"], enc["failed"]
        followed = rng.random(cust.size) < f.followup_rate[firm]
        self.log[:, _M["cost_followup"]] = np.bincount(
            firm, weights=followed * f.followup_cost[firm], minlength=F
        )
        voiced, surfaced = complaints.lodge(
            failed, rng.random(cust.size), self.seg.complaint_propensity[c.segment[cust]], followed
        )
        lodged = voiced | surfaced
        c.busy[cust[~lodged]] = False
        cust_l, firm_l = cust[lodged], firm[lodged]
        self.log[:, _M["complaints"]] = np.bincount(firm_l, minlength=F)
        on_spot, escalated, ignored = complaints.triage(
            rng.random(cust_l.size),
            rng.random(cust_l.size),
            f.complaint_handling[firm_l],
            f.frontline_authority[firm_l],
        )
        self.log[:, _M["complaints_ignored"]] = np.bincount(firm_l[ignored], minlength=F)
        sat_before = enc["sat_before"][lodged]
        skill = enc["skill"][lodged].astype(np.float32)
        # settled on the spot today
        self._resolve(cust_l[on_spot], firm_l[on_spot], np.zeros(on_spot.sum(), dtype=np.int32),
                      sat_before[on_spot], skill[on_spot], on_spot=True)
        # into the book: escalated (to the employee's manager) or ignored
        into = escalated | ignored
        st = enc["staff"][lodged][into]
        mgr = np.where(escalated[into] & (st >= 0), s.manager[np.maximum(st, 0)], -1)
        self.complaints.append(
            customer=cust_l[into],
            firm=firm_l[into].astype(np.int8),
            manager=mgr.astype(np.int32),
            age=np.zeros(into.sum(), dtype=np.int32),
            level=np.zeros(into.sum(), dtype=np.int32),
            sat_before=sat_before[into].astype(np.float32),
            skill=skill[into],
        )
        self._approvals()

    def _approvals(self) -> None:
        """Managers approve the oldest ready complaints within their approval capacity."""
        book, f = self.complaints, self.firms
        n_mgr = len(self.m.firm)
        mfirm = self.m.firm.astype(np.int64)
        bfirm = book.firm.astype(np.int64)
        ready = (book.manager >= 0) & complaints.approval_ready(
            book.age, book.level, f.level_delay_days[bfirm]
        )
        slots = stochastic_round(
            f.manager_capacity[mfirm] * f.control_share[mfirm] * (self.m.team_size > 0),
            self.rng.random(n_mgr),
        )
        idx = np.flatnonzero(ready)
        approved = first_k_per_group(
            book.manager[idx].astype(np.int64), book.age[idx], slots, self.rng.random(idx.size)
        )
        book.level[idx[approved]] += 1
        resolved = (book.manager >= 0) & (book.level >= f.approval_levels[bfirm])
        patience = self.seg.patience_days[self.c.segment[book.customer]]
        abandoned = ~resolved & (book.age >= patience)
        self._resolve(book.customer[resolved], bfirm[resolved], book.age[resolved],
                      book.sat_before[resolved], book.skill[resolved], on_spot=False)
        self._abandon(book.customer[abandoned], bfirm[abandoned], book.age[abandoned],
                      book.sat_before[abandoned])
        book.keep(~(resolved | abandoned))
        book.age += 1
        open_escalated = book.manager >= 0
        self.m.queue = np.bincount(book.manager[open_escalated], minlength=n_mgr).astype(np.int32)
        self.log[:, _M["complaint_queue"]] = np.bincount(
            book.firm[open_escalated].astype(np.int64), minlength=self.n_firms
        )

    def _resolve(self, cust, firm, days, sat_before, skill, on_spot: bool) -> None:
        c, f, b, F = self.c, self.firms, self.b, self.n_firms
        rho = recovery.recovery_quality(
            days,
            f.compensation[firm],
            skill,
            b.recovery_speed_days,
            b.compensation_scale,
            b.recovery_weight_speed,
            b.recovery_weight_compensation,
            b.recovery_weight_skill,
        )
        first = c.failures[cust] <= 1
        c.satisfaction[cust] = recovery.recovered_satisfaction(
            c.satisfaction[cust],
            sat_before,
            rho,
            first,
            b.paradox_threshold,
            b.paradox_gain,
            b.repeat_failure_cap,
        )
        c.busy[cust] = False
        self.log[:, _M["recoveries"]] += np.bincount(firm, minlength=F)
        self.log[:, _M["recovery_days"]] += np.bincount(firm, weights=days, minlength=F)
        if on_spot:
            self.log[:, _M["recoveries_on_spot"]] += np.bincount(firm, minlength=F)
        self.log[:, _M["cost_compensation"]] += np.bincount(
            firm, weights=f.compensation[firm] * c.value[cust], minlength=F
        )
        self._log_recoveries(cust, firm, days, True, first, sat_before, rho)

    def _abandon(self, cust, firm, days, sat_before) -> None:
        c = self.c
        c.satisfaction[cust] = recovery.unresolved_satisfaction(
            c.satisfaction[cust], self.b.unresolved_penalty
        )
        c.busy[cust] = False
        self.log[:, _M["complaints_abandoned"]] += np.bincount(firm, minlength=self.n_firms)
        self._log_recoveries(cust, firm, days, False, c.failures[cust] <= 1, sat_before,
                             np.zeros(cust.size))

    def _log_recoveries(self, cust, firm, days, resolved, first, sat_before, rho) -> None:
        if cust.size:
            ints = np.column_stack([firm, cust, days, np.full(cust.size, resolved),
                                    first]).astype(np.int64)
            floats = np.column_stack([np.asarray(rho, dtype=np.float32),
                                      np.asarray(sat_before, dtype=np.float32),
                                      self.c.satisfaction[cust]]).astype(np.float32)
            self.recovery_log.append((self.day + 1, ints, floats))

    def word_of_mouth_step(self) -> None:
        """Customers and former customers talk; ties hear; attitudes move."""
        c, b, F = self.c, self.b, self.n_firms
        sat = c.satisfaction

        def tau(s):
            return word_of_mouth.talk_probability(
                s, b.wom_neutral, b.wom_base, b.wom_positive, b.wom_negative
            )

        u = self.rng.random(self.n, dtype=np.float32)
        # tau is U-shaped in S (falls to s_n, then rises), so nobody's exceeds its value at
        # the lowest or the highest S: tau is computed only for draws below that bound
        tau_max = tau(np.array([sat.min(initial=1), sat.max(initial=0)], dtype=sat.dtype)).max()
        cand = np.flatnonzero(u < tau_max)
        talks = cand[(c.firm[cand] >= 0) & (u[cand] < tau(sat[cand]))]
        positive = c.satisfaction[talks] >= b.wom_neutral
        if self.diagnostics:
            self._count_talk(talks, positive)
        category = word_of_mouth.message_category(c.firm[talks], positive, F)
        # only the talkers' ties hear anything: their rows of the (n x 2F) shares
        rows, heard = heard_by(self.network, talks, category, 2 * F)
        pos_in, neg_in = heard[:, :F], heard[:, F:]
        self._wom_rows, self._wom_pos = rows, np.ascontiguousarray(pos_in)
        self._pos_dense = np.zeros((self.n, F), dtype=np.float32)
        self._pos_dense[rows] = pos_in
        word_of_mouth.update_attitude_rows(
            c.attitude, rows, pos_in, neg_in, b.wom_attitude, b.attitude_decay
        )
        deg = self.network.degree[talks].astype(np.float64)
        tf = c.firm[talks].astype(np.int64)
        self.log[:, _M["wom_positive"]] = np.bincount(tf[positive], deg[positive], minlength=F)
        self.log[:, _M["wom_negative"]] = np.bincount(tf[~positive], deg[~positive], minlength=F)
        # former customers' feelings fade toward neutral
        lapsed = np.flatnonzero(c.stage == LAPSED)
        s = c.satisfaction[lapsed]
        c.satisfaction[lapsed] = s + b.attitude_decay * (b.wom_neutral - s)

    def choice_step(self) -> None:
        """Purchases, defection (lapse or switch), stage moves, and adoption by prospects."""
        c, f, b, F, rng = self.c, self.firms, self.b, self.n_firms, self.rng
        seg = self.seg
        # who is a customer at the start of the choice; the others are the adoption pool
        active = is_active(c.stage)
        # existing customers at a purchase occasion
        u = rng.random(self.n, dtype=np.float32)
        buyers = below_rate(u, seg.purchase_rate.astype(np.float32), c.segment)
        buyers = buyers[active[buyers]]
        bf = c.firm[buyers].astype(np.int64)
        p_def = relationship.defection_probability(
            c.satisfaction[buyers],
            c.attitude[buyers, bf],
            f.price[bf],
            seg.price_sensitivity[c.segment[buyers]],
            b.wom_neutral,
            b.churn_base,
            b.churn_satisfaction,
            b.churn_attitude,
            b.churn_price,
        )
        defect = rng.random(buyers.size) < p_def
        leavers, lf = buyers[defect], bf[defect]
        stayers = buyers[~defect]
        self.log[:, _M["churn"]] = np.bincount(lf, minlength=F)
        # switching: the defector picks another firm by utility, else lapses
        switch = (rng.random(leavers.size) < b.switch_share) if F > 1 else np.zeros(
            leavers.size, bool
        )
        movers = leavers[switch]
        if movers.size:
            util = self._utility(movers)
            w = np.exp(util - util.max(axis=1, keepdims=True))
            w[np.arange(movers.size), c.firm[movers].astype(np.int64)] = 0.0
            target = adoption.choose(w, rng.random(movers.size))
        else:
            target = np.zeros(0, dtype=np.int64)
        lapse = leavers[~switch]
        c.stage[lapse] = LAPSED
        c.contract[lapse] = False
        c.tenure[lapse] = 0
        self._drop_requests(leavers)
        # stayers buy and move along the lifecycle
        self._purchase(stayers)
        c.stage[stayers] = relationship.next_stage(
            c.stage[stayers],
            c.satisfaction[stayers],
            c.tenure[stayers],
            b.repeat_threshold,
            b.loyal_threshold,
            b.advocate_threshold,
            b.loyal_tenure_days,
        )
        uptake = f.contract_uptake[c.firm[stayers].astype(np.int64)]
        buy_contract = (
            ~c.contract[stayers]
            & (c.satisfaction[stayers] >= b.repeat_threshold)
            & (rng.random(stayers.size) < uptake)
        )
        c.contract[stayers[buy_contract]] = True
        # prospects and lapsed customers adopt (Bass hazard, logit choice): the pool is who
        # was a prospect or lapsed before today's choices (today's lapsers do not come
        # straight back)
        pool = np.flatnonzero(~active)
        # thinning (exact): hear of some firm with P = min(1, sum a), then convert with
        # P = min(1, sum a pi) / min(1, sum a); utilities only for those who heard
        adv, p, q = f.advertising, self.params.market.innovation, self.params.market.imitation
        u = rng.random(pool.size)
        # P(hear) grows with pos_in, so nobody's exceeds its value at each firm's largest
        # pos_in: hazards are computed only for the few draws below that bound (widened
        # by 1e-9 so that no rounding can leave anyone out)
        top = self._wom_pos.max(axis=0, initial=0)[None, :]  # everybody else's is 0
        bound = adoption.adopt_probability(adoption.hazards(adv, top, p, q))[0] * (1 + 1e-9)
        maybe = np.flatnonzero(u < bound)
        a = adoption.hazards(adv, self.pos_in_of(pool[maybe]), p, q)
        heard_p = adoption.adopt_probability(a)
        heard = u[maybe] < heard_p
        pool, a, heard_p = pool[maybe[heard]], a[heard].astype(np.float64), heard_p[heard]
        a *= adoption.conversion(self._utility(pool), b.outside_utility)
        adopt = rng.random(pool.size) * heard_p < adoption.adopt_probability(a)
        adopters = pool[adopt]
        chosen = adoption.choose(a[adopt], rng.random(adopters.size))
        self._join(movers[target >= 0], target[target >= 0])
        self._join(adopters[chosen >= 0], chosen[chosen >= 0])
        c.tenure += is_active(c.stage)  # every active customer's tenure +1
        self._census = None  # stages, firms and contracts changed

    def _join(self, who: np.ndarray, firm: np.ndarray) -> None:
        """``who`` become new customers of ``firm``; adoption is their first purchase."""
        if who.size == 0:
            return
        c, f, F = self.c, self.firms, self.n_firms
        c.firm[who] = firm.astype(np.int8)
        self._fs_row[who] = self._table_row(c.firm[who], c.segment[who])
        c.stage[who] = NEW
        seg = c.segment[who]
        c.expectation[who] = expectations.prospect_expectation(
            f.promised[firm, seg], self.norm[seg], self.b.promise_weight
        )
        c.satisfaction[who] = self.b.initial_satisfaction
        c.tenure[who] = 0
        c.failures[who] = 0
        c.contract[who] = False
        self.log[:, _M["acquisitions"]] += np.bincount(firm, minlength=F)
        self._purchase(who)

    def _purchase(self, who: np.ndarray) -> None:
        c, f, F = self.c, self.firms, self.n_firms
        firm = c.firm[who].astype(np.int64)
        loyal = (c.stage[who] == LOYAL) | (c.stage[who] == ADVOCATE)
        base, premium, crossbuy, goods = accounting.purchase_amounts(
            c.value[who].astype(np.float64),
            f.price[firm],
            loyal,
            f.loyalty_premium[firm],
            f.cross_buy[firm],
            self.params.market.cost_of_goods,
        )
        for name, amount in (
            ("revenue_purchases", base),
            ("revenue_premium", premium),
            ("revenue_crossbuy", crossbuy),
            ("cost_goods", goods),
        ):
            self.log[:, _M[name]] += np.bincount(firm, weights=amount, minlength=F)

    def _drop_requests(self, who: np.ndarray) -> None:
        if who.size and len(self.requests):
            gone = np.isin(self.requests.customer, who)
            self.c.busy[self.requests.customer[gone]] = False
            self.requests.keep(~gone)

    def books_step(self, proactive: np.ndarray) -> None:
        """Service revenue and the day's costs by source."""
        f, L = self.firms, self.log
        L[:, _M["revenue_service"]] = (
            L[:, _M["contracts"]] * f.contract_fee + L[:, _M["encounters"]] * f.service_fee
        )
        staff_n = np.bincount(self.s.firm[self.s.active].astype(np.int64), minlength=self.n_firms)
        mgr_n = np.bincount(
            self.m.firm[self.m.team_size > 0].astype(np.int64), minlength=self.n_firms
        )
        L[:, _M["cost_wages"]], L[:, _M["cost_training"]] = accounting.staff_costs(
            staff_n, mgr_n, f.wage, f.training, f.training_cost
        )
        L[:, _M["cost_proactive"]] = proactive * f.proactive_cost
        L[:, _M["cost_advertising"]] = accounting.advertising_cost(
            f.advertising, f.advertising_cost, self.n
        )

    def staff_step(self) -> None:
        """Morale, skill, quits and novice replacements; managers coach their teams."""
        s, m, f, b, rng = self.s, self.m, self.firms, self.b, self.rng
        F = self.n_firms
        act = s.active
        m.team_size = np.bincount(s.manager[act], minlength=len(m.firm)).astype(np.int32)
        mf = m.firm.astype(np.int64)
        per_member = staff.coaching_per_member(
            f.manager_capacity[mf], f.control_share[mf], m.team_size
        )
        m.coaching_today = (per_member * m.team_size).astype(np.float32)
        sf = s.firm.astype(np.int64)
        coach = per_member[s.manager]
        cap = encounters.person_capacity(s.morale, b.staff_capacity, b.productivity_morale)
        load = np.divide(s.encounters_today, cap, out=np.zeros(s.n), where=cap > 0)
        target = staff.morale_target(
            coach,
            f.training[sf],
            f.frontline_authority[sf],
            f.wage[sf] / self.params.market.market_wage,
            load,
            b.morale_support,
            b.morale_training,
            b.morale_authority,
            b.morale_wage,
            b.morale_overload,
        )
        morale = staff.update_morale(s.morale, target, b.morale_adjustment)
        self.log[:, _M["internal_service"]] = _mean_by(sf[act], target[act], F)
        skill = staff.update_skill(
            s.skill,
            s.encounters_today,
            f.training[sf],
            coach,
            b.learning_rate,
            b.training_rate,
            b.coaching_rate,
        )
        s.morale = np.where(act, morale, s.morale).astype(np.float32)
        s.skill = np.where(act, skill, s.skill).astype(np.float32)
        quits = act & (rng.random(s.n) < staff.quit_probability(s.morale, b.quit_base,
                                                                   b.quit_morale))
        s.active[quits] = False
        s.tenure[quits] = 0
        s.tenure[s.active] += 1
        # vacancies being filled count down; a novice starts when one reaches 0
        filling = s.vacancy_days >= 0
        s.vacancy_days[filling] -= 1
        start = filling & (s.vacancy_days < 0)
        s.active[start] = True
        s.skill[start] = b.novice_skill
        s.morale[start] = b.initial_morale
        s.tenure[start] = 0
        # open vacancies where the staffing target needs people
        need = self._staff_target() - np.bincount(
            sf[s.active | (s.vacancy_days >= 0)], minlength=F
        )
        for k in np.flatnonzero(need > 0):
            free = np.flatnonzero((sf == k) & ~s.active & (s.vacancy_days < 0))[: need[k]]
            s.vacancy_days[free] = b.hiring_lag_days
        L = self.log
        L[:, _M["staff_quits"]] = np.bincount(sf[quits], minlength=F)
        L[:, _M["staff_hires"]] = np.bincount(sf[start], minlength=F)
        L[:, _M["cost_hiring"]] = L[:, _M["staff_hires"]] * self.params.market.hiring_cost
        L[:, _M["manager_coaching"]] = np.bincount(mf, weights=m.coaching_today, minlength=F)

    def record(self) -> None:
        """Close the day's books and store the (firm x metric) row block."""
        c, s, L, F = self.c, self.s, self.log, self.n_firms
        census = self._customer_census()
        stages = census.sum(axis=(2, 3, 4))  # (firm + 1, stage)
        L[:, _M["prospects"]] = stages[0].sum()
        stages = stages[1:]
        for code, name in ((NEW, "new"), (2, "repeat"), (LOYAL, "loyal"),
                           (ADVOCATE, "advocate"), (LAPSED, "lapsed")):
            L[:, _M[f"customers_{name}"]] = stages[:, code]
        active_n = stages[:, NEW : ADVOCATE + 1].sum(axis=1)
        L[:, _M["customers"]] = active_n
        L[:, _M["share"]] = active_n / max(active_n.sum(), 1)
        by_class = census[1:, NEW : ADVOCATE + 1]  # active customers of each firm
        self._counts_fs = self._firm_segment_counts()
        # means over each firm's active customers, summed in float64 in customer order
        # (running_sum): code firm + 1 for active customers, 0 for the others
        code = (c.firm + np.int8(1)) * is_active(c.stage)
        sums = np.zeros((2, F))
        for k in np.flatnonzero(active_n):
            who = np.flatnonzero(code == k + 1)
            for row, column in enumerate((c.satisfaction, c.expectation)):
                sums[row, k] = np.cumsum(column[who], dtype=np.float64)[-1] if who.size else 0.0
        for row, name in enumerate(("satisfaction", "expectation")):
            L[:, _M[name]] = np.divide(sums[row], active_n, out=np.full(F, np.nan),
                                       where=active_n > 0)
        promoters = by_class[..., 1].sum(axis=(1, 2, 3))
        detractors = by_class[..., 2].sum(axis=(1, 2, 3))
        L[:, _M["recommend_score"]] = np.divide(
            100.0 * (promoters - detractors), active_n, out=np.full(F, np.nan),
            where=active_n > 0,
        )
        rec = L[:, _M["recoveries"]]
        L[:, _M["recovery_days"]] = np.divide(
            L[:, _M["recovery_days"]], rec, out=np.full(F, np.nan), where=rec > 0
        )
        L[:, _M["revenue"]] = sum(L[:, _M[f"revenue_{x}"]] for x in REVENUE_SOURCES)
        L[:, _M["cost"]] = sum(L[:, _M[f"cost_{x}"]] for x in COST_SOURCES)
        L[:, _M["profit"]] = L[:, _M["revenue"]] - L[:, _M["cost"]]
        sf = s.firm[s.active].astype(np.int64)
        L[:, _M["staff"]] = np.bincount(sf, minlength=F)
        L[:, _M["staff_morale"]] = _mean_by(sf, s.morale[s.active].astype(np.float64), F)
        L[:, _M["staff_skill"]] = _mean_by(sf, s.skill[s.active].astype(np.float64), F)
        L[:, _M["market_norm"]] = float((self.norm * self.seg.share).sum())
        if self.day < len(self.records):
            self.records[self.day] = L
        else:  # ran past sim.days: grow the record
            raise AssertionError("the oracle runs within sim.days")
