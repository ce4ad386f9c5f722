"""Validation against published findings: every check of VALIDATION.md.

Each check is a function ``check_*(size) -> Check`` that sets up the model,
runs the replications, measures the claim and decides pass/fail with a stated
criterion.  The test suite (``tests/validation/``) calls them at ``size="ci"``;
``servsim-validate`` runs them at ``size="full"`` and writes one figure per
check to ``results/validation/`` and the report ``docs/validation.md``.

Analytic limits are exact targets within sampling error; empirical
regularities are directions and orderings with statistical tests.  No
parameter of the default calibration is tuned here: set-ups only switch
mechanisms off (e.g. no service for Bass) or choose the market a claim is
about (e.g. B2B complaint rates).
"""

from servsim.validation._core import SIZES, Check, market_params, simulate
from servsim.validation.analytic import (
    BASS_P,
    BASS_Q,
    LITTLE,
    adoption_curves,
    bass_closed_form,
    bass_overrides,
    bass_recursion,
    check_bass,
    check_btyd,
    check_clv,
    check_littles_law,
)
from servsim.validation.calibrated import check_cdnow
from servsim.validation.chain import HARTER, business_units, check_chain_strength
from servsim.validation.economics import (
    check_asymmetric_competition,
    check_interior_price,
    check_price_elasticity,
)
from servsim.validation.empirical import (
    CHAIN,
    PRODUCTIZED,
    PROMISES,
    check_over_promising,
    check_profit_centre,
    check_profit_chain,
    check_recovery_order,
    check_recovery_paradox,
    check_voice,
    check_word_of_mouth,
    promise_sweep,
    service_economics,
)
from servsim.validation.queueing import check_queueing
from servsim.validation.report import main, write_report

CHECKS = (check_bass, check_clv, check_littles_law, check_voice, check_recovery_order,
          check_recovery_paradox, check_word_of_mouth, check_over_promising,
          check_profit_chain, check_profit_centre, check_price_elasticity,
          check_interior_price, check_asymmetric_competition, check_queueing,
          check_chain_strength, check_btyd, check_cdnow)
"""Every check, in VALIDATION.md's order (servsim-validate --only N picks by number)."""

__all__ = [
    "BASS_P", "BASS_Q", "CHAIN", "CHECKS", "HARTER", "LITTLE", "PRODUCTIZED", "PROMISES", "SIZES",
    "Check", "adoption_curves", "check_asymmetric_competition", "check_interior_price",
    "check_price_elasticity", "bass_closed_form", "bass_overrides", "bass_recursion",
    "business_units", "check_bass", "check_btyd", "check_cdnow", "check_chain_strength", "check_clv",
    "check_littles_law", "check_over_promising",
    "check_profit_centre", "check_profit_chain", "check_queueing", "check_recovery_order",
    "check_recovery_paradox", "check_voice", "check_word_of_mouth", "main", "market_params",
    "promise_sweep", "service_economics", "simulate", "write_report",
]
