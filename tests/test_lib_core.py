"""Behaviour of mlemap's public API: values checked against SciPy or closed forms."""

import math

import numpy as np
import pytest
from scipy import stats

import mlemap
from mlemap import (adam, fit_map, fit_mle, gaussian_log_density, gaussian_log_likelihood,
                    load_perch, polynomial_design, posterior, predictive, ridge_lambda, sgd,
                    simulate_fish)


def test_all_is_explicit_and_importable():
    assert len(mlemap.__all__) == len(set(mlemap.__all__))
    for name in mlemap.__all__:
        assert hasattr(mlemap, name), name


# --- densities ---------------------------------------------------------------

def test_log_density_matches_scipy_and_broadcasts():
    y = np.linspace(-3, 3, 7)[:, None]
    mean = np.array([0.0, 1.0])
    sigma = np.array([0.5, 2.0])
    got = gaussian_log_density(y, mean, sigma)
    assert got.shape == (7, 2)
    np.testing.assert_allclose(got, stats.norm.logpdf(y, mean, sigma), rtol=1e-14)


def test_log_likelihood_is_float_and_matches_scipy():
    rng = np.random.default_rng(3)
    y = rng.normal(2.0, 3.0, 1000)
    got = gaussian_log_likelihood(y, 2.0, 3.0)
    assert type(got) is float
    assert math.isclose(got, stats.norm.logpdf(y, 2.0, 3.0).sum(), rel_tol=1e-13)


def test_log_likelihood_broadcast_sigma_array():
    y = np.arange(6.0).reshape(3, 2)
    sigma = np.array([1.0, 4.0])
    want = math.fsum(stats.norm.logpdf(y, 1.0, sigma).ravel())
    assert math.isclose(gaussian_log_likelihood(y, 1.0, sigma), want, rel_tol=1e-14)


def test_underflow_n_1e7_product_is_zero_log_likelihood_exact():
    n = 10_000_000
    rng = np.random.default_rng(0)
    sigma = 1e-3
    y = rng.normal(0.0, sigma, n)
    dens = np.exp(gaussian_log_density(y[:2000], 0.0, 1.0))  # densities < 0.4 each
    assert np.prod(dens) == 0.0  # the product underflows already at n = 2000
    got = gaussian_log_likelihood(y, 0.0, sigma)
    assert math.isfinite(got)
    terms = -0.5 * (y / sigma) ** 2 - math.log(sigma) - 0.5 * math.log(2 * math.pi)
    reference = math.fsum(terms)
    assert math.isclose(got, reference, rel_tol=1e-12)


def test_tiny_sigma_log_likelihood_is_large_and_finite():
    y = np.array([0.0, 1e-200])
    got = gaussian_log_likelihood(y, 0.0, 1e-200)
    # product of the densities would overflow (1e200 each); the log is ~ 2*460
    assert math.isclose(got, 2 * (200 * math.log(10) - 0.5 * math.log(2 * math.pi)) - 0.5,
                        rel_tol=1e-14)


def test_log_sum_exp_and_log_softmax_stable():
    a = np.array([[1000.0, 1000.0, -1e9]])
    np.testing.assert_allclose(mlemap.log_sum_exp(a, axis=1), [1000 + math.log(2)])
    ls = mlemap.log_softmax(a)
    np.testing.assert_allclose(np.exp(ls).sum(axis=-1), 1.0, rtol=1e-15)
    from scipy.special import log_softmax, logsumexp
    b = np.random.default_rng(1).normal(0, 50, (4, 5))
    np.testing.assert_allclose(mlemap.log_softmax(b, axis=0), log_softmax(b, axis=0), rtol=1e-13)
    assert math.isclose(mlemap.log_sum_exp(b), logsumexp(b), rel_tol=1e-14)


def test_binary_cross_entropy_matches_bernoulli_log_likelihood():
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 3, 50)
    t = (rng.random(50) < 0.5).astype(float)
    p = 1 / (1 + np.exp(-logits))
    want = -stats.bernoulli.logpmf(t, p).sum()
    assert math.isclose(mlemap.binary_cross_entropy(t, logits, reduction="sum"), want,
                        rel_tol=1e-12)
    assert math.isclose(mlemap.binary_cross_entropy(t, logits), want / 50, rel_tol=1e-12)
    assert mlemap.binary_cross_entropy([0.0], [1000.0]) == 1000.0


# --- regression ---------------------------------------------------------------

def test_polynomial_design_columns():
    X = polynomial_design(np.array([2.0, 3.0]), 3)
    np.testing.assert_array_equal(X, [[1, 2, 4, 8], [1, 3, 9, 27]])


def test_fit_mle_fields_against_closed_forms():
    fish = simulate_fish(200, rng=7)
    X = polynomial_design(fish.length_cm, 2)
    fit = fit_mle(X, fish.weight_g)
    w_ref = np.linalg.lstsq(X, fish.weight_g, rcond=None)[0]
    np.testing.assert_allclose(fit.weights, w_ref, rtol=1e-9)
    r = fish.weight_g - X @ fit.weights
    assert math.isclose(fit.rss, r @ r, rel_tol=1e-12)
    assert (fit.n, fit.d) == (200, 3)
    assert math.isclose(fit.sigma, math.sqrt(fit.rss / 200), rel_tol=1e-15)
    assert math.isclose(fit.sigma2_unbiased, fit.rss / 197, rel_tol=1e-15)
    assert math.isclose(fit.log_likelihood,
                        gaussian_log_likelihood(fish.weight_g, X @ fit.weights, fit.sigma),
                        rel_tol=1e-12)
    # it is the maximum: nudging w or sigma lowers the likelihood
    for dw in np.eye(3) * 1e-3:
        assert gaussian_log_likelihood(fish.weight_g, X @ (fit.weights + dw), fit.sigma) \
            < fit.log_likelihood
    for s in (0.99 * fit.sigma, 1.01 * fit.sigma):
        assert gaussian_log_likelihood(fish.weight_g, X @ fit.weights, s) < fit.log_likelihood


def test_fit_mle_recovers_truth_from_simulated_fish():
    fish = simulate_fish(20_000, rng=1, true_weights=[10.0, 2.0], sigma=1.5)
    fit = fit_mle(polynomial_design(fish.length_cm, 1), fish.weight_g)
    np.testing.assert_allclose(fit.weights, [10.0, 2.0], atol=0.15)
    assert abs(fit.sigma - 1.5) < 0.03


def test_fit_map_matches_normal_equations_and_mask():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 4))
    y = rng.normal(size=30)
    mask = np.array([False, True, True, True])
    fit = fit_map(X, y, 2.5, penalize=mask)
    w_ref = np.linalg.solve(X.T @ X + 2.5 * np.diag(mask.astype(float)), X.T @ y)
    np.testing.assert_allclose(fit.weights, w_ref, rtol=1e-10)
    assert math.isclose(fit.penalty, 2.5 * np.sum(fit.weights[1:] ** 2), rel_tol=1e-12)
    assert math.isclose(fit.objective, fit.rss + fit.penalty, rel_tol=1e-15)
    assert fit.penalize.tolist() == mask.tolist()


def test_fit_map_wide_problem_n_less_than_d():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3, 8))
    y = rng.normal(size=3)
    fit = fit_map(X, y, 0.7)
    w_ref = X.T @ np.linalg.solve(X @ X.T + 0.7 * np.eye(3), y)
    np.testing.assert_allclose(fit.weights, w_ref, rtol=1e-10)


def test_fit_mle_perfect_fit_gives_zero_sigma_infinite_likelihood():
    x = np.arange(5.0)
    fit = fit_mle(polynomial_design(x, 1), 1.0 + 2.0 * x)
    assert fit.rss < 1e-25 and fit.log_likelihood == math.inf or fit.rss > 0


def test_ridge_lambda_conversions():
    assert ridge_lambda(2.0, 0.5) == 16.0
    # Bishop's alpha = 1/sigma_w^2, beta = 1/sigma^2: lambda = alpha / beta
    alpha, beta = 1 / 0.5**2, 1 / 2.0**2
    assert math.isclose(ridge_lambda(2.0, 0.5), alpha / beta)


# --- Bayesian ------------------------------------------------------------------

def test_posterior_against_textbook_formulas():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(25, 3))
    y = rng.normal(size=25)
    sigma, sigma_w = 0.7, 1.3
    post = posterior(X, y, sigma, sigma_w)
    precision = X.T @ X / sigma**2 + np.eye(3) / sigma_w**2
    cov = np.linalg.inv(precision)
    np.testing.assert_allclose(post.cov, cov, rtol=1e-12)
    np.testing.assert_allclose(post.mean, cov @ X.T @ y / sigma**2, rtol=1e-11)
    np.testing.assert_allclose(post.cov_sqrt @ post.cov_sqrt.T, post.cov, rtol=1e-12)
    assert np.array_equal(post.cov, post.cov.T)
    np.testing.assert_array_equal(post.mean, fit_map(X, y, ridge_lambda(sigma, sigma_w)).weights)


def test_predictive_parts():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(10, 2))
    post = posterior(X, rng.normal(size=10), 0.5, 2.0)
    Xn = rng.normal(size=(4, 2))
    pred = predictive(Xn, post)
    np.testing.assert_allclose(pred.param_var, np.einsum("ij,jk,ik->i", Xn, post.cov, Xn),
                               rtol=1e-12)
    assert pred.noise_var == 0.25
    np.testing.assert_allclose(pred.var, 0.25 + pred.param_var)
    np.testing.assert_allclose(pred.std, np.sqrt(pred.var))
    np.testing.assert_allclose(pred.mean, Xn @ post.mean)
    assert predictive(Xn, post, 1.0).noise_var == 1.0


def test_predictive_parameter_variance_shrinks_with_data():
    fish = [simulate_fish(n, rng=0, true_weights=[1.0, 0.5], sigma=1.0) for n in (10, 1000)]
    x_new = polynomial_design(np.array([30.0]), 1)
    parts = [predictive(x_new, posterior(polynomial_design(f.length_cm, 1), f.weight_g,
                                         1.0, 10.0)).param_var[0] for f in fish]
    assert parts[1] < parts[0] / 20


# --- optimisers ----------------------------------------------------------------

def _quadratic(rng, n=40, d=3):
    A = rng.normal(size=(n, d))
    b = rng.normal(size=n)
    return lambda w, t: A.T @ (A @ w - b) / n, A, b


def test_sgd_converges_to_ridge_solution():
    rng = np.random.default_rng(8)
    grad, A, b = _quadratic(rng)
    path = sgd(grad, np.zeros(3), lr=0.5, steps=3000, l2=0.1)
    assert path.shape == (3001, 3)
    # loss ||Aw-b||^2/(2n) + 0.1/2 ||w||^2 -> fit_map with lam = 0.1 n
    np.testing.assert_allclose(path[-1], fit_map(A, b, 0.1 * 40).weights, rtol=1e-9)


def test_sgd_l2_equals_decoupled_step_for_step_minibatch():
    rng = np.random.default_rng(9)
    A = rng.normal(size=(64, 4))
    b = rng.normal(size=64)
    batches = np.array_split(rng.permutation(64), 8)

    def grad(w, t):
        i = batches[t % 8]
        return A[i].T @ (A[i] @ w - b[i]) / len(i)

    coupled = sgd(grad, np.ones(4), lr=0.05, steps=400, l2=0.3)
    decoupled = sgd(grad, np.ones(4), lr=0.05, steps=400, decoupled_decay=0.3)
    np.testing.assert_allclose(coupled, decoupled, rtol=1e-12, atol=1e-15)
    assert not np.array_equal(coupled, sgd(grad, np.ones(4), lr=0.05, steps=400))


def test_adam_matches_reference_implementation_and_adamw_differs():
    rng = np.random.default_rng(10)
    grad, A, b = _quadratic(rng)
    lr, b1, b2, eps, c = 0.01, 0.9, 0.999, 1e-8, 0.2
    for l2, delta in [(c, 0.0), (0.0, c)]:
        w, m, v = np.full(3, 0.5), np.zeros(3), np.zeros(3)
        ref = [w]
        for t in range(1, 51):  # Kingma & Ba, Algorithm 1, plus the two decays
            g = grad(w, t - 1) + l2 * w
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            w = w - lr * delta * w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
            ref.append(w)
        got = adam(grad, np.full(3, 0.5), lr=lr, steps=50, l2=l2, decoupled_decay=delta)
        np.testing.assert_allclose(got, np.array(ref), rtol=1e-13, atol=1e-15)
    adam_l2 = adam(grad, np.full(3, 0.5), lr=lr, steps=500, l2=c)
    adamw = adam(grad, np.full(3, 0.5), lr=lr, steps=500, decoupled_decay=c)
    assert np.max(np.abs(adam_l2[-1] - adamw[-1])) > 1e-3


def test_optimiser_divergence_is_an_error_not_nan():
    with pytest.raises(FloatingPointError, match="`lr`"):
        sgd(lambda w, t: 1e200 * w, np.ones(2), lr=1e200, steps=10)


def test_optimiser_zero_steps_returns_start():
    path = adam(lambda w, t: w, [1.0, 2.0], lr=0.1, steps=0)
    np.testing.assert_array_equal(path, [[1.0, 2.0]])


# --- data ------------------------------------------------------------------------

def test_load_perch_values():
    perch = load_perch()
    assert perch.length_cm.shape == perch.weight_g.shape == (56,)
    assert (perch.length_cm[0], perch.weight_g[0]) == (8.8, 5.9)
    assert (perch.length_cm[-1], perch.weight_g[-1]) == (46.6, 1000.0)
    assert perch.obs.tolist() == list(range(104, 160))
    assert np.all(perch.weight_g > 0)
    # sums computed from the published Stat2Data::Perch table
    assert math.isclose(math.fsum(perch.length_cm), 1656.0, rel_tol=1e-12)
    assert math.isclose(math.fsum(perch.weight_g), 21405.4, rel_tol=1e-12)
    assert perch.weight_g.max() == 1100.0 and perch.length_cm.min() == 8.8


def test_simulate_fish_seeded_and_generator():
    a = simulate_fish(50, rng=123)
    b = simulate_fish(50, rng=np.random.default_rng(123))
    np.testing.assert_array_equal(a.weight_g, b.weight_g)
    assert not np.array_equal(a.weight_g, simulate_fish(50, rng=124).weight_g)
    np.testing.assert_array_equal(a.true_weights, [130.0, -21.0, 0.9])
    assert a.sigma == 30.0
    assert np.all((a.length_cm >= 20) & (a.length_cm < 45))


def test_reprs_are_short_and_named():
    fit = fit_mle(polynomial_design(np.arange(100.0), 2), np.arange(100.0) ** 0.5)
    text = repr(fit)
    assert text.startswith("MLEResult(weights=[") and "sigma2_unbiased=" in text
    assert "\n" not in repr(load_perch()) and len(repr(load_perch())) < 200
