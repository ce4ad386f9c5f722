"""The service market as a Mesa model, with columnar state.

:class:`ServiceMarket` owns the state arrays (:mod:`servsim.state`), the
social network and the day log, and calls the mechanisms
(:mod:`servsim.mechanisms`) in MODEL.md's step order.  All randomness comes
from ``self.rng``, the numpy Generator Mesa builds from ``Model(rng=seed)``:
one seed gives identical results, bit for bit.

Customers, staff, managers and firms are also visible as Mesa agents
(:mod:`servsim.agents`): thin views whose attributes read the arrays.
Customer views exist only up to ``sim.customer_agents_max`` customers.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from servsim.agents import CustomerAgent, FirmAgent, ManagerAgent, StaffAgent
from servsim.datacollector import DayRecords
from servsim.events import CustomerEvents
from servsim.kernel_args import KernelConstants
from servsim.firms import firm_table, segment_table
from servsim.kernels import books, market, service
from servsim.kernels.census import census_day
from servsim.kernels.choice import adoption_and_stages, defection, firm_utilities
from servsim.kernels.columns import (
    BOOKS_COLS,
    ENCOUNTER_COLS,
    OUTCOME_COLS,
    PURCHASE_COLS,
    RECORD_COLS,
    STAFF_COLS,
    WOM_COLS,
)
from servsim.kernels.random import bitgen_address
from servsim.kernels.staff import staff_day, staff_target, staff_traits
from servsim.kernels.word_of_mouth import attitudes_and_fade, talkers
from servsim.mechanisms import needs
from servsim.mechanisms import staff as staffing
from servsim.mechanisms.expectations import prospect_expectation
from servsim.model_tables import MarketTables
from servsim.network import build_network, row_lookup
from servsim.params import Params, make_params
from servsim.results import METRIC_INDEX as _M
from servsim.results import METRICS
from servsim.rivals import review_prices
from servsim.state import (
    ADVOCATE,
    NEVER,
    NEW,
    NO_FIRM,
    PROSPECT,
    ComplaintBook,
    Customers,
    Managers,
    RequestQueue,
    Staff,
    empty_complaints,
    empty_requests,
)

PROMOTER, DETRACTOR = 0.7, 0.45
"""Satisfaction bounds for NPS-style promoters (>=) and detractors (<)."""
TALK_BINS = 10
"""Satisfaction bins of the word-of-mouth diagnostics."""


class ServiceMarket(MarketTables, CustomerEvents, mesa.Model):
    """Customers, frontline staff, managers and firms in one service market.

    Parameters
    ----------
    params : Params or mapping
        The run's parameters (:func:`servsim.params.make_params` validates them).
    rng : int, optional
        Seed of the model's numpy Generator; defaults to ``params.sim.seed``.
    diagnostics : bool
        Also collect word-of-mouth talk rates by satisfaction (validation).
    entry_day : array, optional
        Cohort entry day per customer (0: none; :mod:`servsim.events`); beats sim.entry_days.
    """

    def __init__(
        self, params: Params | dict | None = None, rng: int | None = None,
        diagnostics: bool = False, entry_day=None,
    ):
        params = params if isinstance(params, Params) else make_params(params)
        super().__init__(rng=params.sim.seed if rng is None else rng)
        self.params = params
        self.behaviour = params.behaviour
        self.segments = segment_table(params)
        self.firms = firm_table(params, self.segments)
        self._constants = KernelConstants.of(params, self.segments, self.firms)
        self.n = params.sim.n_customers
        self.n_firms = self.firms.n
        self.day = 0
        self.norm = self.segments.expectation.astype(np.float64).copy()
        self._seed, self._entry_given = int(params.sim.seed if rng is None else rng), entry_day
        self._counter_seed = self._seed if params.sim.counter_draws else -1
        """Seed of the choice step's counter-based draws (sim.counter_draws), -1 = off."""
        self._daily_dropout = params.behaviour.dropout_timing == "daily"
        """Dropout every day, not at occasions (``behaviour.dropout_timing = daily``)."""
        self._init_customers()
        self._fs_row = self._table_row(self.customers.firm, self.customers.segment)
        """Each customer's row in (firm, segment) tables; kept up to date by the choice step."""
        self.network = build_network(
            self.n,
            params.market.network.kind,
            params.market.network.mean_degree,
            params.market.network.rewire_prob,
            self.rng,
        )
        self._init_staff()
        self.requests = empty_requests()
        self.complaints: ComplaintBook = empty_complaints()
        # today's word of mouth, sparse: the hearers (rows), the share of their ties who
        # spoke well of each firm (pos, rows x F); each hearer's position in rows is in
        # the network's slot index (network.row_lookup), valid while the network's
        # heard_by_calls stays at _wom_call; nobody else heard a word
        self._wom_rows = np.zeros(0, dtype=np.intp)
        self._wom_pos = np.zeros((0, self.n_firms), dtype=np.float32)
        self._wom_call = -1
        self.records = np.zeros((params.sim.days, self.n_firms, len(METRICS)))
        self.talk_by_satisfaction = np.zeros((3, TALK_BINS))
        """Word-of-mouth diagnostics (who could talk, positive, negative talkers) by
        satisfaction bin, summed over days; filled only when ``diagnostics``."""
        self.diagnostics, self.log = diagnostics, np.zeros((self.n_firms, len(METRICS)))
        self.recovery_log: list[tuple[int, np.ndarray, np.ndarray]] = []
        """Closed complaints, one (day, int columns, float columns) batch per day — see
        :meth:`recovery_table` (and :func:`servsim.kernels.service.outcomes`)."""
        self._counts_fs = self._firm_segment_counts()
        self._make_views()
        # Mesa's DataCollector over self.records (mesa.batch_run needs one; no per-day cost)
        self.datacollector = DayRecords(self)

    # ------------------------------------------------------------------ set-up

    def _init_customers(self) -> None:
        n, rng, f = self.n, self.rng, self.firms
        seg = rng.choice(len(self.segments.share), size=n, p=self.segments.share).astype(np.int8)
        value = (self.segments.value[seg] * rng.lognormal(-0.125, 0.5, n)).astype(np.float32)
        firm = np.full(n, NO_FIRM, dtype=np.int8)
        stage = np.full(n, PROSPECT, dtype=np.int8)
        # initial customers: firm k takes a share initial_share[k] of the population
        u = rng.random(n)
        edges = np.cumsum(f.initial_share)
        chosen = np.searchsorted(edges, u, side="right")
        has = chosen < f.n
        firm[has] = chosen[has]
        stage[has] = NEW
        sat = np.full(n, self.behaviour.initial_satisfaction, dtype=np.float32)
        # expectation of the firm (firm 0 for prospects), by (firm, segment)
        e0 = np.array([[prospect_expectation(p, r, self.behaviour.promise_weight)
                        for p, r in zip(f.promised[k], self.norm, strict=True)]
                       for k in range(f.n)], dtype=np.float64)
        exp0 = e0[np.maximum(firm, 0), seg].astype(np.float32)
        mult, offset = self._heterogeneity(seg, self._seed)
        spread = self.behaviour.price_sensitivity_spread  # price random coefficient (7.9)
        pmult = (rng.lognormal(-0.5 * spread**2, spread, n).astype(np.float32) if spread > 0
                 else np.ones(n, dtype=np.float32))
        self.customers = Customers(
            segment=seg,
            firm=firm,
            stage=stage,
            satisfaction=sat,
            expectation=exp0,
            attitude=np.zeros((n, f.n), dtype=np.float32),
            value=value,
            price_multiplier=pmult,
            tenure=np.zeros(n, dtype=np.int32),
            failures=np.zeros(n, dtype=np.uint8),
            last_failure_day=np.full(n, NEVER, dtype=np.int32),
            busy=np.zeros(n, dtype=bool),
            contract=np.zeros(n, dtype=bool), rate_multiplier=mult, dropout_offset=offset,
            reconsider_day=np.zeros(n, dtype=np.int32),
        )
        self._entry_setup()

    def _table_row(self, firm: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """Row ``firm * n_segments + segment`` of a flattened (firm, segment) table
        (int32: the kernels read it every day, half the bytes of intp); customers of no
        firm yet take firm 0's row.
        """
        row = np.maximum(firm, np.int8(0)).astype(np.int32)
        row *= len(self.segments.share)
        row += segment
        return row

    def _init_staff(self) -> None:
        f, n = self.firms, self.n
        # jobs: enough for the whole population as customers (the Erlang-C team at the
        # highest need rate, plus proactive work for every customer on contract)
        cap = self.behaviour.staff_capacity
        load = staffing.offered_load(n * float(self.segments.need_rate.max()), cap)
        slots = [int(staffing.staffing_target(load, n, f.service_level_target[k],
                                              f.proactive_rate[k], cap)) + 1
                 for k in range(f.n)]
        mgr_counts = [int(math.ceil(slots[k] / f.manager_span[k])) for k in range(f.n)]
        staff_firm = np.repeat(np.arange(f.n, dtype=np.int8), slots)
        slot_in_firm = np.concatenate([np.arange(s) for s in slots])
        mgr_start = np.concatenate([[0], np.cumsum(mgr_counts)[:-1]]).astype(np.int32)
        manager = (mgr_start[staff_firm] + slot_in_firm // f.manager_span[staff_firm]).astype(
            np.int32
        )
        total = len(staff_firm)
        self.staff = Staff(
            firm=staff_firm,
            manager=manager,
            active=np.zeros(total, dtype=bool),
            skill=np.full(total, self.behaviour.initial_skill, dtype=np.float32),
            morale=np.full(total, self.behaviour.initial_morale, dtype=np.float32),
            tenure=np.zeros(total, dtype=np.int32),
            vacancy_days=np.full(total, -1, dtype=np.int32),
            encounters_today=np.zeros(total, dtype=np.int32),
            baseline=np.zeros(total, dtype=np.float32),
            sensitivity=np.ones(total, dtype=np.float32),
        )
        staff_traits(bitgen_address(self.rng), self.staff.baseline, self.staff.sensitivity,
                     self._constants.behaviour)
        n_mgr = int(sum(mgr_counts))
        self.managers = Managers(
            firm=np.repeat(np.arange(f.n, dtype=np.int8), mgr_counts),
            team_size=np.zeros(n_mgr, dtype=np.int32),
            queue=np.zeros(n_mgr, dtype=np.int32),
            coaching_today=np.zeros(n_mgr, dtype=np.float32),
        )
        # day 0: the staffing target for the initial customers is met by experienced staff
        target = self._staff_target()
        for k in range(f.n):
            idx = np.flatnonzero(staff_firm == k)[: target[k]]
            self.staff.active[idx] = True
        self.managers.team_size = np.bincount(
            self.staff.manager[self.staff.active], minlength=n_mgr
        ).astype(np.int32)

    def _staff_target(self) -> np.ndarray:
        """Staff each firm aims for: the Erlang-C team for its requests at its
        service-level target, plus the people its proactive contract work needs.
        """
        return staff_target(self._customer_census(), self.segments.records, self.firms.records,
                            self._constants.behaviour)

    def _customer_census(self) -> np.ndarray:
        """Customers counted by (firm + 1, stage, segment, contract, satisfaction class).

        One pass over the customer columns serves the staffing target and the day's
        records; the counts are integers, so every marginal sum is exact.  Row 0 of
        the first axis is the customers who never adopted (firm -1).  Satisfaction
        class: 0 passive, 1 promoter (S >= PROMOTER), 2 detractor (S < DETRACTOR).
        The same pass sums each firm's active customers' satisfaction and expectation
        (float64, in customer order): :attr:`_census_sums`, (2, F).
        Kept until the customers change: :meth:`step` and :meth:`choice_step` clear it.
        """
        census = getattr(self, "_census", None)
        if census is None:
            c = self.customers
            census, self._census_sums = census_day(
                c.firm, c.stage, c.segment, c.contract, c.satisfaction, c.expectation,
                self.n_firms, len(self.segments.share), PROMOTER, DETRACTOR,
            )
            self._census = census
        return census

    def _make_views(self) -> None:
        self.firm_agents = [FirmAgent(self, k) for k in range(self.n_firms)]
        self.staff_agents = [StaffAgent(self, i) for i in range(self.staff.n)]
        self.manager_agents = [ManagerAgent(self, i) for i in range(len(self.managers.firm))]
        if self.n <= self.params.sim.customer_agents_max:
            self.customer_agents = [CustomerAgent(self, i) for i in range(self.n)]
        else:
            self.customer_agents = []

    # ------------------------------------------------------------------ the day

    def step(self) -> None:
        """Advance one day, in MODEL.md's order.

        1. advertising and the market norm move expectations
        2. needs arise; proactive contacts (productized stage)
        3. encounters within staff capacity; the rest wait
        4. failures and perceived quality
        5. satisfaction by expectation-disconfirmation
        6. complaints: on the spot, escalated, ignored; approvals; recovery
        7. word of mouth over the network
        8. choice: purchases, defection, switching, adoption, stages
        9. the books: revenue and cost by source
        10. staff morale, skill, quitting and hiring; managers' coaching
        """
        if self.day and self.params.market.reaction != "none":
            review_prices(self)  # competitors' price response (ODD 7.18; off by default)
        self.log[:] = 0.0
        self._census = None
        self.expectations_step()
        proactive = self.needs_step()
        enc = self.encounters_step(proactive)
        self.outcomes_step(enc)
        self.word_of_mouth_step()
        self.choice_step()
        self.books_step(proactive)
        self.staff_step()
        self.record()
        self.day += 1

    def run(self, days: int | None = None, progress=None) -> None:
        """Run ``days`` steps (default ``sim.days``); ``progress`` is called after each."""
        for _ in range(self.params.sim.days if days is None else days):
            self.step()
            if progress is not None:
                progress()

    # 1 ----------------------------------------------------------------------
    def expectations_step(self) -> None:
        """Market norm drifts toward what firms offer; ads pull expectations to promises.

        Compiled (:func:`servsim.kernels.market.expectations`):
        :func:`~servsim.mechanisms.expectations.update_norm` with the quality offered to
        each segment's active customers, then
        :func:`~servsim.mechanisms.expectations.pulled_expectation` for everyone.
        """
        f = self.firms
        market.expectations(
            self._counts_fs, f.service_level, f.promised, self.norm, f.records,
            self._constants.behaviour, self._fs_row, self.customers.expectation,
            self.customers.tenure,
        )

    # 2 ----------------------------------------------------------------------
    def needs_step(self) -> np.ndarray:
        """Needs arise among customers with nothing open; count proactive contacts.

        Compiled (:func:`servsim.kernels.market.needs`,
        :func:`~servsim.mechanisms.needs.arise`); proactive contacts are numpy's
        binomial draws (:func:`~servsim.mechanisms.needs.proactive_contacts`), drawn only
        when a firm has contracts to serve (a binomial of 0 trials draws nothing).
        """
        c, q, k = self.customers, self.requests, self._constants
        queue, contracts = market.needs(
            bitgen_address(self.rng), self.segments.records, c.segment, c.stage, c.busy, c.firm,
            c.contract, self.n_firms, q.customer, q.firm, q.wait, self.log, _M["contracts"],
        )
        self.requests = RequestQueue(*queue)
        if not k.proactive or not contracts.any():
            return np.zeros(self.n_firms, dtype=np.int64)
        return needs.proactive_contacts(self.rng, contracts, self.firms.proactive_rate)

    # 3 ----------------------------------------------------------------------
    def encounters_step(self, proactive: np.ndarray) -> dict:
        """Serve requests FIFO within capacity; long waiters give up (a failure).

        Compiled (:func:`servsim.kernels.service.encounters`): each firm's capacity is
        the sum of :func:`~servsim.mechanisms.encounters.person_capacity` less its
        proactive contacts; the longest-waiting requests are served
        (:func:`servsim.kernels.service.first_k_per_group`), each by a random active
        employee; :func:`~servsim.mechanisms.encounters.gives_up` for the others.  Returns the day's encounters (served or given up), with their
        failure uniforms and quality noise.
        """
        s, q, b = self.staff, self.requests, self.behaviour
        cust, firm, wait, staff_idx, gave_up, u_fail, self.overload, queue = service.encounters(
            bitgen_address(self.rng), q.customer, q.firm, q.wait, proactive, s.active,
            s.morale, s.firm, s.encounters_today, self._constants.behaviour,
            self.segments.records, self.customers.segment, self.log, ENCOUNTER_COLS,
        )
        self.requests = RequestQueue(*queue)
        return {"customer": cust, "firm": firm, "wait": wait, "staff": staff_idx,
                "gave_up": gave_up, "u_fail": u_fail,
                "noise": self.rng.normal(0.0, b.quality_noise, cust.size)}

    # 4-6 --------------------------------------------------------------------
    def outcomes_step(self, enc: dict) -> None:
        """Each encounter's quality and satisfaction; complaints, approvals, recovery.

        Compiled (:func:`servsim.kernels.service.outcomes`), in MODEL.md's order:

        4. failures (:func:`~servsim.mechanisms.quality.failure_probability`) and
           perceived quality (:func:`~servsim.mechanisms.quality.perceived_quality`);
        5. satisfaction by expectation-disconfirmation with loss aversion
           (:mod:`~servsim.mechanisms.satisfaction`), adaptive expectations;
        6. complaints lodged (:func:`~servsim.mechanisms.complaints.voiced`,
           :func:`~servsim.mechanisms.complaints.lodged`), settled on the spot or
           escalated (:mod:`~servsim.mechanisms.complaints`);
           managers approve the oldest ready complaints within their capacity;
           resolved complaints recover satisfaction
           (:mod:`~servsim.mechanisms.recovery`), complaints waited out are abandoned.
        """
        c, s, k, book = self.customers, self.staff, self._constants, self.complaints
        columns, (ints, floats), self.managers.queue = service.outcomes(
            bitgen_address(self.rng), self.day, enc["customer"], enc["firm"], enc["wait"],
            enc["staff"], enc["gave_up"], enc["u_fail"], enc["noise"], self.overload,
            c.segment, c.satisfaction, c.expectation, c.contract, c.failures,
            c.last_failure_day, c.busy, c.value,
            s.skill, s.morale, s.manager, self.managers.firm, self.managers.team_size,
            book.customer, book.firm, book.manager, book.age, book.level, book.sat_before,
            book.skill, self.firms.records, self.segments.records, self.firms.service_level,
            self.norm, k.behaviour, k.exp_speed, self.log, OUTCOME_COLS,
        )
        self.complaints = ComplaintBook(*columns)
        if len(ints):
            self.recovery_log.append((self.day + 1, ints, floats))
        self._service_events()

    # 7 ----------------------------------------------------------------------
    def word_of_mouth_step(self) -> None:
        """Customers and former customers talk; ties hear; attitudes move.

        Compiled kernels (:mod:`servsim.kernels.word_of_mouth`): a customer with a
        firm talks with :func:`~servsim.mechanisms.word_of_mouth.talk_probability`;
        only the talkers' ties hear (:meth:`Network.heard_by`); attitudes fade and move
        (:func:`~servsim.mechanisms.word_of_mouth.faded_attitude`,
        :func:`~servsim.mechanisms.word_of_mouth.heard_attitude`).
        """
        c, F = self.customers, self.n_firms
        talks, positive, category = talkers(
            bitgen_address(self.rng), c.satisfaction, c.satisfaction.min(initial=1),
            c.satisfaction.max(initial=0), c.firm, F, self._constants.behaviour,
        )
        if self.diagnostics:
            self._count_talk(talks, positive)
        # only the talkers' ties hear anything: their rows of the (n x 2F) shares
        rows, heard = self.network.heard_by(talks, category, 2 * F)
        self._wom_call = self.network.heard_by_calls
        self._wom_rows, self._wom_pos = rows, np.ascontiguousarray(heard[:, :F])
        attitudes_and_fade(
            c.attitude, rows, heard, self._constants.behaviour, talks, positive, c.firm,
            self.network.degree, c.stage, c.satisfaction, self.log, WOM_COLS,
        )

    def _count_talk(self, talks: np.ndarray, positive: np.ndarray) -> None:
        """Word-of-mouth diagnostics: who could talk, and who talked well or ill, by
        satisfaction bin (:attr:`talk_by_satisfaction`).
        """
        c = self.customers
        bins = np.minimum((c.satisfaction * TALK_BINS).astype(np.int64), TALK_BINS - 1)
        self.talk_by_satisfaction[0] += np.bincount(bins[c.firm >= 0], minlength=TALK_BINS)
        self.talk_by_satisfaction[1] += np.bincount(bins[talks[positive]], minlength=TALK_BINS)
        self.talk_by_satisfaction[2] += np.bincount(bins[talks[~positive]], minlength=TALK_BINS)

    # 8 ----------------------------------------------------------------------
    def choice_step(self) -> None:
        """Purchases, defection (lapse or switch), stage moves, and adoption by prospects.

        Two compiled kernels (:mod:`servsim.kernels.choice`):

        * existing customers at a purchase occasion defect with
          :func:`~servsim.mechanisms.relationship.defection_probability` (the
          relationship ends: lapse); the others choose by multinomial logit among the
          firms and the outside option (:func:`~servsim.mechanisms.adoption.occasion_choice`,
          inertia for their own firm): another firm is a switch, the outside option no
          purchase today; those who buy from their firm move along the lifecycle
          (:func:`~servsim.mechanisms.relationship.next_stage`) and may take a contract;
        * prospects and lapsed customers adopt (Bass hazard, then the same logit weighted
          by awareness, :func:`~servsim.mechanisms.adoption.prospect_share`): the pool is
          who was a prospect or lapsed before today's choices (today's lapsers do not
          come straight back).  Thinning (exact): hear of some firm with
          P = min(1, sum a), then adopt with the logit's P(some firm | heard);
          P(hear) grows with pos_in, so nobody's exceeds its value at each firm's
          largest pos_in (``bound``, widened by 1e-9 so that no rounding can leave
          anyone out): hazards are computed only for the draws below it.

        Then the :mod:`servsim.events` hooks (event log, cohort entry, after-purchase
        dropout).
        """
        c, f, seg, k = self.customers, self.firms, self.segments, self._constants.behaviour
        bitgen, pre = bitgen_address(self.rng), self._before_choice()
        base, price_term = self._firm_utilities()
        pool, buyers, defect, switch, movers, target, skip = defection(
            bitgen, c.stage, c.segment, c.firm, c.satisfaction, c.attitude, seg.records, base,
            price_term, c.price_multiplier, k, self.log, _M["churn"], c.rate_multiplier,
            c.dropout_offset, self._daily_dropout, self._counter_seed, self.day,
        )
        pool = self._entry_pool(pool)
        keep, dropped = adoption_and_stages(
            bitgen, pool, buyers, defect, switch, movers, target, skip, base, price_term,
            c.price_multiplier,
            c.firm, c.segment, c.stage, c.satisfaction, c.expectation, c.attitude, c.value,
            c.tenure, c.failures, c.contract, c.busy, self._fs_row, c.reconsider_day,
            self.requests.customer,
            self._wom_rows, self._wom_pos, self._wom_slot(),
            f.records, f.promised, self.norm, k, self.day, self.log, PURCHASE_COLS,
            _M["acquisitions"], self._counter_seed,
        )
        if dropped:
            self.requests.keep(keep)
        self._after_choice(pre, buyers, defect, switch, movers, skip)
        self._census = None  # stages, firms and contracts changed

    def pos_in_of(self, who: np.ndarray) -> np.ndarray:
        """Today's share of the ties of customers ``who`` who spoke well of each firm.

        len(who) x F float32; set in step 7, read by adoption in step 8.
        """
        return row_lookup(self._wom_rows, self._wom_pos, self._wom_slot(), who)

    def _wom_slot(self) -> np.ndarray:
        """The network's slot index, holding each of today's hearers' row in ``_wom_pos``."""
        net = self.network
        if net.heard_by_calls != self._wom_call:  # someone else used the slot index since
            net._slot[self._wom_rows] = np.arange(self._wom_rows.size, dtype=np.int32)
            self._wom_call = net.heard_by_calls
        return net._slot

    @property
    def wom_pos_in(self) -> np.ndarray:
        """:meth:`pos_in_of` for every customer (n x F float32, assembled on each access)."""
        return self.pos_in_of(np.arange(self.n))

    def _firm_utilities(self) -> tuple[np.ndarray, np.ndarray]:
        """The customer-free parts of each firm's utility per segment (7.9), once a day."""
        return firm_utilities(self.firms.promised, self.norm, self.firms.records,
                              self.segments.records, self._constants.behaviour)

    # 9 ----------------------------------------------------------------------
    def books_step(self, proactive: np.ndarray) -> None:
        """Service revenue and the day's costs by source
        (:mod:`servsim.mechanisms.accounting`; compiled: :func:`servsim.kernels.books.books`).
        """
        f, s, m = self.firms, self.staff, self.managers
        books.books(
            self.log, BOOKS_COLS, proactive, self.n, s.firm, s.active, m.firm, m.team_size,
            f.records, float(np.dot(self.segments.share, self.segments.value)),
        )

    # 10 ---------------------------------------------------------------------
    def staff_step(self) -> None:
        """Morale, skill, quits and novice replacements; managers coach their teams.

        One compiled kernel (:func:`servsim.kernels.staff.staff_day`) with the
        formulas of :mod:`servsim.mechanisms.staff` and :mod:`servsim.mechanisms.encounters`.
        """
        s, m = self.staff, self.managers
        staff_day(
            bitgen_address(self.rng),
            s.firm, s.manager, s.active, s.skill, s.morale, s.tenure, s.vacancy_days,
            s.encounters_today, s.baseline, s.sensitivity,
            m.firm, m.team_size, m.coaching_today,
            self.firms.records, self._staff_target(), self._constants.behaviour,
            self.log, STAFF_COLS,
        )

    # ------------------------------------------------------------------ records

    def _firm_segment_counts(self) -> np.ndarray:
        """Active customers by (firm, segment), from the census."""
        return self._customer_census()[1:, NEW : ADVOCATE + 1].sum(axis=(1, 3, 4))

    def record(self) -> None:
        """Close the day's books and store the (firm x metric) row block.

        Counts, shares and the NPS-style score come from the census; means of
        satisfaction and expectation from its firm sums (compiled:
        :func:`servsim.kernels.books.record`).
        """
        s, L = self.staff, self.log
        books.record(
            L, *RECORD_COLS, self._customer_census(), self._census_sums, self._counts_fs,
            s.firm, s.active, s.morale, s.skill, self.norm, self.segments.share,
            books.STAGE_CODES,
        )
        if self.day >= len(self.records):  # ran past sim.days: double the record's room
            self.records = np.concatenate([self.records, np.zeros_like(self.records)
                                           if len(self.records) else L[None] * 0])
        self.records[self.day] = L
