"""Behavioural constants of customers and staff: :class:`BehaviourParams` (registry
fields, :mod:`servsim.schema_fields`; re-exported by :mod:`servsim.params`).
"""

from __future__ import annotations

from dataclasses import dataclass

from servsim.schema_fields import (
    CALIBRATION,
    DAYS_MAX,
    DROPOUT_TIMINGS,
    SLOPE_MAX,
    _DAYS,
    _RECOVERY_WEIGHTS,
    _SLOPE,
    _THRESHOLDS,
    _UNIT,
    label,
    param,
)


_AS_ABOVE_FAILURE = "Bitner, Booms & Tetreault 1990 (cause class); value a calibration choice"
_RECOVERY = ("Tax, Brown & Chandrashekaran 1998 (components); values a calibration choice, "
             "see docs/validation.md")
_PARADOX = ("McCollough et al. 2000; Smith & Bolton 1998 (conditionality); value a calibration "
            "choice")
_LIFECYCLE = "seed 002 (lifecycle); value a calibration choice"
_ISQ = "Heskett et al. 1994 (internal service quality); value a calibration choice"


@dataclass
class BehaviourParams:
    """Behavioural constants of customers and staff (default calibration, docs/ODD.md)."""

    # perception and satisfaction
    quality_noise: float = param(0.08, 0.03, 0.15, bounds=_UNIT, symbol="σ", source=CALIBRATION,
                                 odd=("7.4",))
    """Standard deviation of perceived quality around delivered quality."""
    skill_weight: float = param(0.3, 0.1, 0.5, bounds=(0.0, 10.0), symbol="w_k",
                                source=CALIBRATION, odd=("7.4",))
    """How much staff skill shifts delivered quality (at skill 0.5 the shift is 0)."""
    morale_weight: float = param(0.2, 0.05, 0.4, bounds=(0.0, 10.0), symbol="w_m", odd=("7.4",),
                                 source="Heskett et al. 1994 (direction); value a calibration "
                                        "choice")
    """How much staff morale shifts delivered quality (at morale 0.5 the shift is 0)."""
    wait_penalty: float = param(0.05, 0.01, 0.1, bounds=(0.0, 10.0), symbol="w_wait",
                                unit="per day", odd=("7.4",),
                                source="Taylor 1994 (direction); value a calibration choice")
    """Perceived-quality loss per day of waiting for service."""
    failure_severity: float = param(0.4, 0.2, 0.6, bounds=(0.0, 10.0), source=CALIBRATION,
                                    odd=("7.4",))
    """Perceived-quality loss of a service failure."""
    base_failure: float = param(0.05, 0.02, 0.1, bounds=_UNIT, open_low=True, dist="loguniform",
                                symbol="φ0", source=CALIBRATION, odd=("7.4",))
    """Failure probability at skill, morale and service level 0.5 and no overload."""
    failure_skill: float = param(2.0, 1.0, 3.0, bounds=_SLOPE, symbol="b_k",
                                 source=_AS_ABOVE_FAILURE, odd=("7.4",))
    failure_morale: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="b_m",
                                  source=_AS_ABOVE_FAILURE, odd=("7.4",))
    failure_level: float = param(1.5, 0.75, 2.25, bounds=_SLOPE, symbol="b_l",
                                 source=_AS_ABOVE_FAILURE, odd=("7.4",))
    failure_overload: float = param(
        2.0, 1.0, 3.0, bounds=_SLOPE, symbol="b_o", odd=("7.4",),
        source=_AS_ABOVE_FAILURE + "; the overload term drives the quality-erosion spiral "
                                   "(Oliva & Sterman 2001)")
    """Logit slopes of failure probability on skill, morale, level and overload."""
    satisfaction_gain: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="g", source=CALIBRATION,
                                     odd=("7.5",))
    """Slope of transaction satisfaction on (loss-weighted) disconfirmation."""
    loss_aversion: float = param(
        2.25, 1.5, 3.0, bounds=_SLOPE, symbol="λ", odd=("7.5",),
        source="Kahneman & Tversky 1979 (form); 2.25 is Tversky & Kahneman's (1992) estimate; "
               "Anderson & Sullivan 1993 (asymmetry in satisfaction)")
    """Weight of negative vs positive disconfirmation (prospect theory, Kahneman & Tversky
    1979; the 2.25 estimate is Tversky & Kahneman 1992; in satisfaction, Anderson &
    Sullivan 1993)."""
    tolerance: float = param(0.05, 0.0, 0.1, bounds=_UNIT, symbol="z", odd=("7.5",),
                             source="Zeithaml, Berry & Parasuraman 1993; value a calibration "
                                    "choice")
    """Zone of tolerance: shortfall below expectation felt as no loss (Zeithaml et al. 1993)."""
    value_curvature: float = param(
        0.88, 0.7, 1.0, bounds=(0.05, 1.0), symbol="β", odd=("7.5",),
        source="Kahneman & Tversky 1979 (form); 0.88 is Tversky & Kahneman's (1992) estimate")
    """Exponent of the value of disconfirmation, ``v = d^β`` for gains and ``-λ (-d)^β``
    for losses beyond tolerance: diminishing sensitivity (1 is linear)."""
    assimilation: float = param(
        0.1, 0.0, 0.2, bounds=_UNIT, symbol="α", odd=("7.4", "7.5"),
        source="Anderson 1973; Boulding, Kalra, Staelin & Zeithaml 1993 (direction: "
               "expectations raise perceived quality); value judgement")
    """How far expectations colour perceived quality: the experienced quality is
    ``q + α (E - q)`` (0: no assimilation)."""
    norm_weight: float = param(0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="h", odd=("7.5",),
                               source="Cadotte, Woodruff & Jenkins 1987; value a calibration "
                                      "choice")
    """Weight of quality relative to the market norm in satisfaction (Cadotte et al. 1987)."""
    product_satisfaction_weight: float = param(
        0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="h_g", odd=("7.5",),
        source="seed 002 (satisfaction from product, service, brand and trust); the product "
               "compared with the market's typical product as in Cadotte, Woodruff & Jenkins "
               "1987; value judgement: the weight h of service quality against its norm")
    """Weight of the firm's product quality relative to the market's mean product quality
    in transaction satisfaction."""
    brand_halo: float = param(
        0.1, 0.0, 0.2, bounds=(0.0, 10.0), symbol="h_b", odd=("7.5",),
        source="Andreassen & Lindestad 1998 (corporate image raises satisfaction and loyalty; "
               "direction); value judgement")
    """Satisfaction added per unit of brand strength (a halo; brand in utility units)."""
    satisfaction_memory: float = param(0.3, 0.15, 0.45, bounds=_UNIT, symbol="w",
                                       source=CALIBRATION, odd=("7.5",))
    """Weight of the latest encounter in cumulative satisfaction."""
    expectation_learning: float = param(
        0.3, 0.15, 0.45, bounds=_UNIT, symbol="η", odd=("7.5",),
        source="Boulding, Kalra, Staelin & Zeithaml 1993; value a calibration choice, see 7.16")
    """Weight of the latest perceived quality in the updated expectation."""
    promise_weight: float = param(
        0.5, 0.25, 0.75, bounds=_UNIT, symbol="w_P", odd=("7.1",),
        source="Zeithaml, Berry & Parasuraman 1993 (explicit promises and past market "
               "experience shape expectations); value a calibration choice")
    """Weight of a firm's promise (vs the market norm) in a prospect's expectation of it."""
    initial_satisfaction: float = param(0.6, 0.5, 0.7, bounds=_UNIT, source=CALIBRATION,
                                        odd=("7.5", "5"))
    """Satisfaction of a customer who has just adopted (no experience yet)."""
    advertising_pull: float = param(
        0.003, 0.001, 0.01, bounds=_UNIT, dist="loguniform", symbol="k_ad", unit="per day",
        odd=("7.1",),
        source="Boulding, Kalra, Staelin & Zeithaml 1993 (experience dominates for experienced "
               "customers); value a calibration choice, see 7.16")
    """Daily pull of a customer's expectation toward the firm's promise at advertising 1."""
    promise_fade_days: float = param(
        180.0, 90.0, 365.0, bounds=(0.0, 1e9), open_low=True, symbol="T_P", unit="days",
        odd=("7.1",),
        source="Boulding, Kalra, Staelin & Zeithaml 1993 (direction: experience dominates for "
               "experienced customers); value judgement")
    """Tenure at which the promise's pull on a customer's expectation has halved:
    ``k_ad T / (T + tenure)`` (a huge value: no fading)."""
    # word of mouth
    wom_neutral: float = param(0.5, 0.45, 0.55, bounds=_UNIT, open_low=True, symbol="s_n",
                               source="calibration choice (midpoint of the scale)",
                               odd=("7.5", "7.8", "7.10"))
    """Neutral satisfaction: expectations exactly met.  The customer has nothing to say
    (word of mouth), transaction satisfaction is centred on it, and defection is measured
    from it."""
    wom_base: float = param(0.01, 0.005, 0.02, bounds=_UNIT, dist="loguniform", symbol="t0",
                            unit="per day", source=CALIBRATION, odd=("7.8",))
    """Daily probability of talking at neutral satisfaction."""
    wom_positive: float = param(0.08, 0.04, 0.12, bounds=_UNIT, symbol="t₊", odd=("7.8",),
                                source="Anderson 1998 (U shape); value a calibration choice")
    wom_negative: float = param(0.25, 0.15, 0.35, bounds=_UNIT, symbol="t₋", odd=("7.8",),
                                source="Anderson 1998 (higher at the dissatisfied end); value a "
                                       "calibration choice")
    """Extra daily talk probability at full satisfaction / full dissatisfaction
    (Anderson 1998: U-shaped, higher at the dissatisfied end)."""
    wom_attitude: float = param(0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="g_a",
                                source=CALIBRATION, odd=("7.8",))
    """Attitude change from a day's fully positive (or negative) word of mouth."""
    attitude_decay: float = param(0.02, 0.01, 0.04, bounds=_UNIT, dist="loguniform", symbol="δ",
                                  unit="per day", odd=("7.8",),
                                  source="calibration choice (half-life ≈ 35 days)")
    """Daily decay of attitude toward 0; also the rate at which lapsed customers'
    satisfaction fades toward neutral."""
    # choice
    utility_quality: float = param(4.0, 2.0, 6.0, bounds=_SLOPE, symbol="b_q", source=CALIBRATION,
                                   odd=("7.9",))
    utility_price: float = param(
        6.0, 3.0, 9.0, bounds=_SLOPE, symbol="b_p", odd=("7.9",),
        source="calibrated so the focal firms' long-run sales elasticity sits near the "
               "meta-analytic means (Tellis 1988 -1.76; Bijmolt, van Heerde & Pieters 2005 "
               "-2.62), ODD 7.9")
    utility_attitude: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="b_a",
                                    source=CALIBRATION, odd=("7.9",))
    """Logit weights of expected quality, price and attitude in firm choice."""
    utility_product: float = param(
        4.0, 2.0, 6.0, bounds=_SLOPE, symbol="b_g", odd=("7.9",),
        source="judgement: product quality weighs as much as expected service quality (seed "
               "002: satisfaction from product, service, brand and trust)")
    """Logit weight of a firm's product quality in choice (utility per unit of quality)."""
    inertia: float = param(
        4.0, 3.0, 5.0, bounds=_SLOPE, symbol="b_i", odd=("7.9",),
        source="switching costs / state dependence (Klemperer 1995; Dube, Hitsch & Rossi "
               "2010); value calibrated to yearly customer losses of 20-30% (Reichheld & "
               "Sasser 1990: firms lose 10-30% of their customers a year), ODD 7.9")
    """Utility bonus of the customer's current firm at a purchase occasion (switching cost)."""
    reconsider_days: int = param(
        180, 0, 365, bounds=(0, DAYS_MAX), symbol="T_r", unit="days", odd=("7.9",),
        source="lost trial: an offer evaluated and rejected leaves the consideration set for a "
               "while (the 'inept set' of Narayana & Markin 1975; Roberts & Lattin 1991; "
               "direction); value judgement")
    """Days a prospect who heard of firms and declined stays out of the market before it
    considers an offer again (0: it may reconsider the next day)."""
    price_sensitivity_spread: float = param(
        0.6, 0.0, 1.0, bounds=(0.0, 5.0), symbol="σ_p", odd=("7.9",),
        source="random-coefficient logit (Berry, Levinsohn & Pakes 1995); heterogeneity in "
               "price response yields asymmetric price competition (Kamakura & Russell 1989; "
               "Blattberg & Wisniewski 1989); value judgement")
    """Spread (sigma of the log) of each customer's price-sensitivity multiplier, lognormal
    with mean 1, drawn once at the start; 0 = every customer has its segment's."""
    outside_utility: float = param(
        4.0, 3.0, 5.0, bounds=(-10_000.0, SLOPE_MAX), symbol="U_0", odd=("7.9",),
        source="McFadden 1974 (outside option); value: a typical firm's utility (about 5) a "
               "little above not buying (ODD 7.9 calibration); very negative = pure Bass")
    """Utility of not buying (U_0) in the multinomial logit among the firms: an aware
    prospect may not buy, a customer at an occasion may skip it. Very negative values
    remove the outside option (the pure Bass model)."""
    churn_base: float = param(0.02, 0.01, 0.04, bounds=_UNIT, open_low=True, dist="loguniform",
                              symbol="c0", source=CALIBRATION, odd=("7.10",))
    """P(defect) at a purchase occasion at neutral satisfaction and attitude."""
    churn_satisfaction: float = param(8.0, 4.0, 12.0, bounds=_SLOPE, symbol="c_s",
                                      source=CALIBRATION, odd=("7.10",))
    churn_attitude: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="c_a", source=CALIBRATION,
                                  odd=("7.10",))
    """Logit slopes of defection on (neutral - satisfaction) and on -attitude."""
    dropout_timing: str = label(
        "occasion", choices=DROPOUT_TIMINGS, odd=("7.10",),
        source="judgement (occasion: the seed model; after_purchase: Fader, Hardie & Lee 2005; "
               "daily: Schmittlein, Morrison & Colombo 1987)",
        meaning="when dropout can happen: at a purchase occasion, instead of the purchase "
                "(occasion), right after a purchase, as the BG/NBD assumes (after_purchase), "
                "or on any day, whether or not the customer buys, as the Pareto/NBD assumes "
                "(daily; churn_base is then a daily probability)")
    repeat_threshold: float = param(0.45, 0.4, 0.5, bounds=_UNIT, symbol="s_repeat",
                                    constraint=_THRESHOLDS, source=_LIFECYCLE, odd=("7.10",))
    loyal_threshold: float = param(0.6, 0.55, 0.65, bounds=_UNIT, symbol="s_loyal",
                                   constraint=_THRESHOLDS, source=_LIFECYCLE, odd=("7.10",))
    advocate_threshold: float = param(0.75, 0.7, 0.8, bounds=_UNIT, symbol="s_advocate",
                                      constraint=_THRESHOLDS, source=_LIFECYCLE, odd=("7.10",))
    """Satisfaction needed for repeat, loyal and advocate stages."""
    loyal_tenure_days: int = param(180, 90, 365, bounds=(0, DAYS_MAX), symbol="T_loyal",
                                   unit="days", source=_LIFECYCLE, odd=("7.10",))
    """Tenure needed to become loyal."""
    # complaints and recovery
    recovery_speed_days: float = param(
        3.0, 1.5, 6.0, bounds=(0.0, float(DAYS_MAX)), open_low=True, symbol="τ", unit="days",
        odd=("7.7",),
        source="Tax, Brown & Chandrashekaran 1998 (speed matters); seed 003 (answer in 24 h, on "
               "site in 48 h); value a calibration choice")
    """Time constant of the speed component of recovery quality (days)."""
    recovery_weight_speed: float = param(0.5, 0.25, 0.75, bounds=_UNIT, symbol="w_s",
                                         constraint=_RECOVERY_WEIGHTS, source=_RECOVERY,
                                         odd=("7.7",))
    recovery_weight_compensation: float = param(0.3, 0.15, 0.45, bounds=_UNIT, symbol="w_c",
                                                constraint=_RECOVERY_WEIGHTS, source=_RECOVERY,
                                                odd=("7.7",))
    recovery_weight_skill: float = param(0.2, 0.1, 0.3, bounds=_UNIT, symbol="w_k",
                                         constraint=_RECOVERY_WEIGHTS, source=_RECOVERY,
                                         odd=("7.7",))
    """Weights of speed, compensation and skill in recovery quality (sum 1)."""
    compensation_scale: float = param(0.3, 0.15, 0.6, bounds=(0.0, 100.0), open_low=True,
                                      symbol="c_half", source=CALIBRATION, odd=("7.7",))
    """Compensation (share of purchase value) giving half the compensation effect."""
    paradox_threshold: float = param(0.7, 0.6, 0.8, bounds=_UNIT, symbol="ρ*", source=_PARADOX,
                                     odd=("7.7",))
    """Recovery quality above which a first failure can end above pre-failure satisfaction."""
    paradox_gain: float = param(0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="g_p",
                                source=_PARADOX, odd=("7.7",))
    """Satisfaction bonus per unit of recovery quality above the threshold (first failure)."""
    repeat_failure_cap: float = param(0.6, 0.4, 0.8, bounds=_UNIT, symbol="κ", source=_PARADOX,
                                      odd=("7.7",))
    """Share of the loss a recovery can restore after repeated failures."""
    unresolved_penalty: float = param(0.25, 0.1, 0.4, bounds=_UNIT, odd=("7.7",),
                                      source="seed 001 §2; value a calibration choice")
    """Satisfaction loss when a complaint closes unresolved: the customer gives up after
    patience_days, whether the firm ignored it or was too slow."""
    failure_memory_days: int = param(365, 180, 730, bounds=_DAYS, unit="days", source=CALIBRATION,
                                     odd=("7.4",))
    """A customer's failure count resets after this many days without failure."""
    # staff
    staff_capacity: float = param(
        8.0, 6.0, 10.0, bounds=(0.0, 1000.0), open_low=True, symbol="c",
        unit="encounters per person-day", odd=("7.3", "7.12"),
        source=CALIBRATION + "; sets utilization (7.16)")
    """Encounters one employee serves per day at full productivity."""
    productivity_morale: float = param(0.5, 0.25, 0.75, bounds=(0.0, 10.0), symbol="k_m",
                                       odd=("7.3", "7.12"),
                                       source="Heskett et al. 1994 (direction); value a "
                                              "calibration choice")
    """Capacity gain per unit of morale above 0.5 (service-profit chain: satisfied staff
    are more productive); capacity = staff_capacity * (1 + productivity_morale*(morale-0.5))."""
    morale_adjustment: float = param(0.05, 0.02, 0.1, bounds=_UNIT, dist="loguniform", symbol="μ",
                                     unit="per day", source=CALIBRATION, odd=("7.12",))
    """Daily rate at which morale moves toward its internal-service-quality target."""
    morale_support: float = param(1.5, 0.75, 2.25, bounds=_SLOPE, symbol="w_s", source=_ISQ,
                                  odd=("7.12",))
    morale_training: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="w_t", source=_ISQ,
                                   odd=("7.12",))
    morale_authority: float = param(1.0, 0.5, 1.5, bounds=_SLOPE, symbol="w_a",
                                    source=_ISQ + "; seed 003", odd=("7.12",))
    morale_wage: float = param(2.0, 1.0, 3.0, bounds=_SLOPE, symbol="w_w", source=_ISQ,
                               odd=("7.12",))
    morale_overload: float = param(
        2.0, 1.0, 3.0, bounds=_SLOPE, symbol="w_o", odd=("7.12",),
        source=_ISQ + "; Oliva & Sterman 2001 (overwork erodes the workforce)")
    """Logit weights of internal service quality in target morale: coaching received,
    training, frontline authority, relative wage and overload (Heskett et al. 1994)."""
    quit_base: float = param(0.0008, 0.0004, 0.0016, bounds=_UNIT, dist="loguniform",
                             symbol="q0", unit="per day", source=CALIBRATION, odd=("7.12",))
    """Daily quit probability at morale 0.5 (about 25% a year)."""
    quit_morale: float = param(4.0, 2.0, 6.0, bounds=_SLOPE, symbol="b_q", source=CALIBRATION,
                               odd=("7.12",))
    """Logit slope of quitting on (0.5 - morale)."""
    learning_rate: float = param(0.0002, 0.0001, 0.0004, bounds=_UNIT, dist="loguniform",
                                 symbol="l", source=CALIBRATION, odd=("7.12",))
    """Skill gained per encounter, times (1 - skill)."""
    training_rate: float = param(0.003, 0.0015, 0.006, bounds=_UNIT, dist="loguniform",
                                 symbol="r_t", source=CALIBRATION, odd=("7.12",))
    """Skill gained per day at training intensity 1, times (1 - skill)."""
    coaching_rate: float = param(0.002, 0.001, 0.004, bounds=_UNIT, dist="loguniform",
                                 symbol="r_c", source=CALIBRATION, odd=("7.12",))
    """Skill gained per coaching session, times (1 - skill); coaching lifts morale through
    ``morale_support`` in the morale target."""
    novice_skill: float = param(0.3, 0.2, 0.4, bounds=_UNIT, source="calibration choice",
                                odd=("7.12", "7.4"))
    """Skill of a new hire (and the skill used when no employee is available)."""
    initial_skill: float = param(0.6, 0.5, 0.7, bounds=_UNIT, source="calibration choice",
                                 odd=("7.12", "5"))
    """Skill of the staff present at day 0."""
    initial_morale: float = param(0.6, 0.5, 0.7, bounds=_UNIT, source="calibration choice",
                                  odd=("7.12", "5"))
    """Morale of the staff present at day 0 and of new hires."""
    hiring_lag_days: int = param(14, 7, 30, bounds=(0, 3650), unit="days",
                                 source="calibration choice", odd=("7.12",))
    """Days a vacancy stays open before the novice starts (a quit on day t is filled by a
    novice who first works on day t + hiring_lag_days + 2)."""
    morale_baseline_sd: float = param(0.5, 0.25, 1.0, bounds=(0.0, 5.0), symbol="sd_b",
                                      source="judgement; dispositional job satisfaction "
                                             "(Staw & Ross 1985)", odd=("7.12",))
    """Spread of employees' dispositions: ``b_i ~ N(0, sd_b)`` (logit units) added to the
    morale target, drawn at hire (0: everyone alike)."""
    morale_sensitivity_sd: float = param(0.3, 0.1, 0.5, bounds=(0.0, 2.0), symbol="sd_s",
                                         odd=("7.12",))
    """Log-spread of employees' sensitivity to internal service: ``s_i`` lognormal with
    mean 1, multiplying the internal-service index in the morale target, drawn at hire."""
    morale_shock: float = param(0.02, 0.01, 0.04, bounds=(0.0, 1.0), symbol="σ_m",
                                unit="per day", odd=("7.12",))
    """Standard deviation of the daily random shock to each employee's morale (events
    outside the firm's levers); about 0.06 of stationary spread at μ = 0.05."""
    survey_response: float = param(0.6, 0.3, 0.9, bounds=(0.0, 1.0), open_low=True,
                                   symbol="ρ", odd=("7.12",))
    """Share of active staff answering the daily internal-service survey."""
    survey_error: float = param(0.15, 0.05, 0.25, bounds=(0.0, 1.0), symbol="sd_e",
                                odd=("7.12",))
    """Measurement error (sd) of one survey rating of internal service (0-1 scale)."""
