"""The BTYD closed forms, likelihoods and fits against independent references."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
from scipy import special

from servsim.calibration import btyd, data

HAS_LIFETIMES = importlib.util.find_spec("lifetimes") is not None
needs_lifetimes = pytest.mark.skipif(not HAS_LIFETIMES,
                                     reason="needs the data extra (lifetimes==0.11.3)")

BG = (0.243, 4.414, 0.793, 2.426)       # Fader, Hardie & Lee 2005, CDNOW sample, weeks
PARETO = (0.553, 10.578, 0.606, 11.669)  # Fader, Hardie & Lee 2005 note, same data


def simulated_repeats(model, params, t, n, seed):
    """Repeat counts in (0, t] of n customers drawn from the model (plain numpy)."""
    rng = np.random.default_rng(seed)
    r, alpha, third, fourth = params
    lam = rng.gamma(r, 1 / alpha, n)
    if model == "paretonbd":
        mu = rng.gamma(third, 1 / fourth, n)
        lifetime = rng.exponential(1 / mu)
        return rng.poisson(lam * np.minimum(lifetime, t))
    p = rng.beta(third, fourth, n)
    repeats_before_death = rng.geometric(p)  # dies right after this repeat (1, 2, ...)
    if model == "mbgnbd":
        repeats_before_death -= 1  # may die right after the first purchase
    return np.minimum(rng.poisson(lam * t), repeats_before_death)


@pytest.mark.parametrize("model,params", [("bgnbd", BG), ("mbgnbd", BG),
                                          ("paretonbd", PARETO),
                                          ("paretonbd", (0.8, 5.0, 1.0, 8.0)),
                                          ("bgnbd", (1.5, 3.0, 2.5, 4.0))])
@pytest.mark.parametrize("t", [5.0, 39.0, 78.0])
def test_expected_repeats_match_a_monte_carlo_of_the_model(model, params, t):
    counts = simulated_repeats(model, params, t, n=400_000, seed=int(t) + 17)
    closed = float(btyd.EXPECTED[model](t, *params))
    standard_error = counts.std() / np.sqrt(len(counts))
    assert abs(counts.mean() - closed) < 4 * standard_error, (counts.mean(), closed)


def _integrated_likelihood(model, params, x, t_x, T, nodes=150):
    """ln of the individual likelihood integrated over the mixing distributions.

    Gaussian quadrature with the mixing densities as weight functions: generalized
    Gauss-Laguerre for the gamma-distributed rates, shifted Gauss-Jacobi for the
    beta-distributed dropout probability (weights normalized to sum to 1).
    """
    r, alpha, third, fourth = params
    u, wu = special.roots_genlaguerre(nodes, r - 1)  # weight u^(r-1) e^-u, lambda = u / alpha
    lam, wu = u[:, None] / alpha, wu[:, None] / wu.sum()
    if model == "paretonbd":
        v, wv = special.roots_genlaguerre(nodes, third - 1)
        mu, wv = v[None, :] / fourth, wv[None, :] / wv.sum()
        total = lam + mu
        individual = lam**x * (np.exp(-total * T) + mu / total
                               * (np.exp(-total * t_x) - np.exp(-total * T)))
    else:
        q, wv = special.roots_sh_jacobi(nodes, third + fourth - 1, third)  # Beta(a, b) weight
        p, wv = q[None, :], wv[None, :] / wv.sum()
        shift = 1 if model == "mbgnbd" else 0
        individual = (1 - p) ** (x + shift) * lam**x * np.exp(-lam * T)
        if x > 0 or shift:
            individual = individual + p * (1 - p) ** (x - 1 + shift) * lam**x * np.exp(-lam * t_x)
    return float(np.log(np.sum(wu * wv * individual)))


@pytest.mark.parametrize("model,params", [("bgnbd", BG), ("mbgnbd", BG),
                                          ("paretonbd", PARETO),
                                          ("paretonbd", (0.9, 5.0, 1.4, 3.0))])
@pytest.mark.parametrize("x,t_x,T", [(0, 0.0, 38.86), (2, 30.43, 38.86), (5, 12.0, 30.0)])
def test_loglikelihood_equals_the_integrated_individual_likelihood(model, params, x, t_x, T):
    closed = float(btyd.LOGLIK[model](params, x, t_x, T))
    assert closed == pytest.approx(_integrated_likelihood(model, params, x, t_x, T), abs=1e-6)


@needs_lifetimes
def test_fits_reproduce_the_published_cdnow_sample_parameters():
    summary = pd.read_csv(data.cdnow_path().parent / "cdnow_customers_summary.csv")
    bg = btyd.fit("bgnbd", summary)
    np.testing.assert_allclose(bg.values, BG, rtol=2e-3)
    assert bg.loglik == pytest.approx(-9582.4, abs=0.1)  # Fader, Hardie & Lee 2005
    pareto = btyd.fit("paretonbd", summary)
    np.testing.assert_allclose(pareto.values, PARETO, rtol=5e-3)
    assert pareto.loglik == pytest.approx(-9595.0, abs=0.1)  # Fader, Hardie & Lee note


def _lifetimes_fitter(model, params):
    import lifetimes

    cls = {"bgnbd": lifetimes.BetaGeoFitter, "paretonbd": lifetimes.ParetoNBDFitter,
           "mbgnbd": lifetimes.ModifiedBetaGeoFitter}[model]
    fitter = cls()
    fitter.params_ = pd.Series(dict(zip(btyd.PARAMETER_NAMES[model], params, strict=True)))
    return fitter


@needs_lifetimes
@pytest.mark.parametrize("model,params", [("bgnbd", BG), ("mbgnbd", BG),
                                          ("paretonbd", PARETO)])
def test_closed_forms_agree_with_lifetimes(model, params):
    fitter = _lifetimes_fitter(model, params)
    t = np.array([1.0, 10.0, 39.0, 78.0])
    np.testing.assert_allclose(btyd.EXPECTED[model](t, *params),
                               fitter.expected_number_of_purchases_up_to_time(t), rtol=1e-9)
    x = np.array([0, 1, 2, 7, 15])
    t_x = np.array([0.0, 5.0, 30.0, 20.0, 37.0])
    T = np.full(5, 38.86)
    ours = btyd.CONDITIONAL[model](39.0, params, x, t_x, T)
    theirs = fitter.conditional_expected_number_of_purchases_up_to_time(39.0, x, t_x, T)
    np.testing.assert_allclose(ours, np.asarray(theirs, dtype=float), rtol=1e-7)
    if model == "paretonbd":
        np.testing.assert_allclose(btyd.paretonbd_p_alive(params, x, t_x, T),
                                   fitter.conditional_probability_alive(x, t_x, T), rtol=1e-7)


def test_conditional_expectation_of_a_new_customer_is_the_unconditional_one():
    # x = 0 observed over T -> 0 carries little information; at T = 0 it is exact
    for model, params in (("bgnbd", BG), ("paretonbd", PARETO)):
        ours = btyd.CONDITIONAL[model](39.0, params, 0, 0.0, 1e-12)
        assert float(ours) == pytest.approx(float(btyd.EXPECTED[model](39.0, *params)),
                                            rel=1e-6)


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match="model 'nbd' unknown"):
        btyd.fit("nbd", pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [1.0]}))
