"""Issue-5 extras: evidence, cross-validation, LAD, lasso, logistic regression."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import minimize

import mlemap
from mlemap import (fit_lad, fit_lasso, fit_logistic, fit_map, kfold_cv, log_evidence,
                    polynomial_design, simulate_fish)


# --- log evidence ----------------------------------------------------------------

@pytest.mark.parametrize("n, d", [(5, 2), (3, 6), (30, 4)])
def test_log_evidence_matches_dense_multivariate_normal(n, d):
    rng = np.random.default_rng(n * 10 + d)
    X = rng.normal(size=(n, d))
    y = rng.normal(size=n)
    sigma, sigma_w = 0.8, 1.7
    C = sigma**2 * np.eye(n) + sigma_w**2 * X @ X.T
    want = stats.multivariate_normal(np.zeros(n), C).logpdf(y)
    assert math.isclose(log_evidence(X, y, sigma, sigma_w), want, rel_tol=1e-11)


def test_log_evidence_integrates_likelihood_times_prior():
    # d = 1: integrate N(y | x w, s^2) N(w | 0, sw^2) over w numerically
    from scipy.integrate import quad
    X = np.array([[1.0], [2.0], [0.5]])
    y = np.array([0.7, 1.9, 0.2])
    s, sw = 0.6, 1.5

    def integrand(w):
        return math.exp(mlemap.gaussian_log_likelihood(y, X[:, 0] * w, s)
                        + stats.norm.logpdf(w, 0, sw))

    value, _ = quad(integrand, -20, 20, epsabs=0, epsrel=1e-12, points=[0.9])
    assert math.isclose(log_evidence(X, y, s, sw), math.log(value), rel_tol=1e-9)


def test_log_evidence_stable_for_large_n():
    fish = simulate_fish(100_000, rng=3)
    X = polynomial_design((fish.length_cm - 32.5) / 12.5, 2)
    value = log_evidence(X, fish.weight_g, 30.0, 1000.0)
    assert math.isfinite(value)
    # Occam: far too broad a prior costs evidence
    assert log_evidence(X, fish.weight_g, 30.0, 1e8) < value


# --- cross-validation --------------------------------------------------------------

def test_kfold_cv_matches_a_manual_loop_and_is_seeded():
    fish = simulate_fish(37, rng=4)
    X = polynomial_design((fish.length_cm - 32.5) / 12.5, 5)
    y = fish.weight_g
    lams = np.array([0.0, 0.1, 10.0])
    mask = np.arange(6) > 0
    cv = kfold_cv(X, y, lams, n_folds=4, rng=11, penalize=mask)
    perm = np.random.default_rng(11).permutation(37)
    folds = np.array_split(perm, 4)
    assert [f.size for f in cv.folds] == [10, 9, 9, 9]
    assert sorted(np.concatenate(cv.folds).tolist()) == list(range(37))
    for j, lam in enumerate(lams):
        sq = []
        for held in folds:
            train = np.setdiff1d(np.arange(37), held)
            w = fit_map(X[train], y[train], lam, penalize=mask).weights
            sq.extend((y[held] - X[held] @ w) ** 2)
        assert math.isclose(cv.mse[j], np.mean(sq), rel_tol=1e-12)
    assert cv.best_lam == lams[np.argmin(cv.mse)]
    again = kfold_cv(X, y, lams, n_folds=4, rng=11, penalize=mask)
    np.testing.assert_array_equal(cv.mse, again.mse)
    other = kfold_cv(X, y, lams, n_folds=4, rng=12, penalize=mask)
    assert not np.array_equal(cv.mse, other.mse)


def test_kfold_cv_penalize_mask_passthrough_matters():
    fish = simulate_fish(30, rng=5)
    X = polynomial_design((fish.length_cm - 32.5) / 12.5, 1)
    free = kfold_cv(X, fish.weight_g, [1e4], rng=0, penalize=[False, True])
    shrunk = kfold_cv(X, fish.weight_g, [1e4], rng=0)
    assert free.mse[0] < shrunk.mse[0]


# --- LAD ------------------------------------------------------------------------------

def _brute_force_lad(X, y):
    """The LAD optimum interpolates d points: try every d-subset."""
    best, best_w = math.inf, None
    for rows in itertools.combinations(range(len(y)), X.shape[1]):
        try:
            w = np.linalg.solve(X[list(rows)], y[list(rows)])
        except np.linalg.LinAlgError:
            continue
        value = math.fsum(np.abs(y - X @ w))
        if value < best:
            best, best_w = value, w
    return best, best_w


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_lad_equals_brute_force_optimum(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, 15)
    y = 1.0 + 0.5 * x + rng.laplace(0, 1.0, 15)
    X = polynomial_design(x, 1)
    fit = fit_lad(X, y)
    best, best_w = _brute_force_lad(X, y)
    assert math.isclose(fit.sum_abs, best, rel_tol=1e-12)
    np.testing.assert_allclose(fit.weights, best_w, rtol=1e-10)
    assert math.isclose(fit.scale, best / 15, rel_tol=1e-12)
    # the Laplace log likelihood at (w, b) is maximal in b
    loglik = lambda b: np.sum(stats.laplace.logpdf(y, X @ fit.weights, b))  # noqa: E731
    assert math.isclose(fit.log_likelihood, loglik(fit.scale), rel_tol=1e-12)
    assert loglik(fit.scale * 1.01) < fit.log_likelihood > loglik(fit.scale * 0.99)


def test_fit_lad_median_and_robustness():
    fit = fit_lad(np.ones((5, 1)), np.array([5.0, 1.0, 4.0, 1e6, 2.0]))
    assert fit.weights[0] == 4.0


# --- lasso ----------------------------------------------------------------------------

def _kkt_violation(X, y, w, lam, mask):
    g = 2 * X.T @ (y - X @ w)
    out = []
    for j in range(len(w)):
        if not mask[j]:
            out.append(abs(g[j]))
        elif w[j] != 0:
            out.append(abs(g[j] - lam * np.sign(w[j])))
        else:
            out.append(max(0.0, abs(g[j]) - lam))
    return max(out)


@pytest.mark.parametrize("lam", [0.0, 0.5, 5.0, 50.0])
def test_fit_lasso_satisfies_kkt_and_beats_a_generic_solver(lam):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 6))
    y = X @ np.array([3.0, 0.0, -2.0, 0.0, 0.0, 1.0]) + rng.normal(0, 0.5, 40)
    mask = np.array([False, True, True, True, True, True])
    fit = fit_lasso(X, y, lam, penalize=mask)
    assert fit.converged
    assert _kkt_violation(X, y, fit.weights, lam, mask) < 1e-9 * np.abs(X).sum()

    def objective(uv):  # w = u - v with u, v >= 0: a smooth bound-constrained problem
        w = uv[:6] - uv[6:]
        return np.sum((y - X @ w) ** 2) + lam * np.sum(mask * (uv[:6] + uv[6:]))

    ref = minimize(objective, np.ones(12), method="L-BFGS-B", bounds=[(0, None)] * 12,
                   options=dict(ftol=1e-15, gtol=1e-12, maxiter=10_000))
    assert fit.objective <= ref.fun + 1e-9
    np.testing.assert_allclose(fit.weights, ref.x[:6] - ref.x[6:], atol=1e-4)
    if lam == 0:
        np.testing.assert_allclose(fit.weights, mlemap.fit_mle(X, y).weights, rtol=1e-10)


def test_fit_lasso_orthogonal_design_is_soft_thresholding_and_sparse():
    y = np.array([3.0, -0.5, 1.0, -4.0])
    fit = fit_lasso(np.eye(4) * 2.0, y, 4.0)
    # minimise (y - 2w)^2 + 4|w|: w = sign(y) max(|y| - 1, 0) / 2
    np.testing.assert_allclose(fit.weights, [1.0, 0.0, 0.0, -1.5], atol=0)
    big = fit_lasso(np.eye(4), y, 100.0)
    assert np.all(big.weights == 0)


# --- logistic ---------------------------------------------------------------------------

def _logistic_data(seed, n=200):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    X = np.column_stack([np.ones(n), x, x**2])
    p = 1 / (1 + np.exp(-(X @ np.array([-0.5, 2.0, -1.0]))))
    return X, (rng.random(n) < p).astype(float)


@pytest.mark.parametrize("lam", [0.0, 1.0])
def test_fit_logistic_is_the_optimum(lam):
    X, t = _logistic_data(1)
    fit = fit_logistic(X, t, lam=lam)
    p = 1 / (1 + np.exp(-(X @ fit.weights)))
    gradient = X.T @ (p - t) + lam * fit.weights
    assert np.max(np.abs(gradient)) < 1e-9
    assert math.isclose(fit.log_likelihood, np.sum(stats.bernoulli.logpmf(t, p)), rel_tol=1e-12)
    ref = minimize(lambda w: mlemap.binary_cross_entropy(t, X @ w, reduction="sum")
                   + 0.5 * lam * w @ w, np.zeros(3), method="BFGS", options=dict(gtol=1e-9))
    np.testing.assert_allclose(fit.weights, ref.x, atol=1e-5)
    assert fit.objective <= ref.fun + 1e-12


def test_fit_logistic_recovers_truth_with_many_points():
    X, t = _logistic_data(2, n=40_000)
    np.testing.assert_allclose(fit_logistic(X, t).weights, [-0.5, 2.0, -1.0], atol=0.1)


def test_fit_logistic_separated_data_raise_unless_regularised():
    X = np.column_stack([np.ones(6), np.arange(6.0)])
    t = np.array([0, 0, 0, 1, 1, 1])
    with pytest.raises(ValueError, match="`t` is separated by `X`"):
        fit_logistic(X, t)
    fit = fit_logistic(X, t, lam=0.1)
    assert np.all(np.isfinite(fit.weights)) and fit.weights[1] > 0


def test_fit_logistic_quasi_separation_detected():
    X = np.column_stack([np.ones(6), [0.0, 1.0, 2.0, 2.0, 3.0, 4.0]])
    t = np.array([0, 0, 0, 1, 1, 1])  # overlap only at x = 2
    with pytest.raises(ValueError, match="separated"):
        fit_logistic(X, t)


def test_fit_logistic_saturated_probabilities_stay_finite():
    X, t = _logistic_data(3)
    fit = fit_logistic(X * 50.0, t, lam=1e-6)
    assert math.isfinite(fit.log_likelihood)


# --- bad input for the extras -----------------------------------------------------------

GOOD = np.column_stack([np.ones(8), np.arange(8.0)])
T = np.array([0, 1, 0, 1, 1, 0, 1, 1.0])
BAD = [
    (fit_lad, dict(X=GOOD, y=np.arange(7.0)), "y", ValueError),
    (fit_lad, dict(X=np.arange(8.0), y=T), "X", ValueError),
    (fit_lad, dict(X=GOOD, y=np.where(T > 0, np.inf, 1.0)), "y", ValueError),
    (fit_lasso, dict(X=GOOD, y=T, lam=-1.0), "lam", ValueError),
    (fit_lasso, dict(X=GOOD, y=T, lam=1.0, penalize=[True]), "penalize", ValueError),
    (fit_lasso, dict(X=GOOD, y=T, lam=1.0, tol=0.0), "tol", ValueError),
    (fit_lasso, dict(X=np.empty((0, 2)), y=np.empty(0), lam=1.0), "X", ValueError),
    (fit_logistic, dict(X=GOOD, t=T * 2), "t", ValueError),
    (fit_logistic, dict(X=GOOD, t=T, lam=-1.0), "lam", ValueError),
    (fit_logistic, dict(X=GOOD, t=T, penalize=np.ones(3, bool)), "penalize", ValueError),
    (fit_logistic, dict(X=GOOD[:, :1].ravel(), t=T), "X", ValueError),
    (kfold_cv, dict(X=GOOD, y=T, lams=[1.0], n_folds=1, rng=0), "n_folds", ValueError),
    (kfold_cv, dict(X=GOOD, y=T, lams=[1.0], n_folds=9, rng=0), "n_folds", ValueError),
    (kfold_cv, dict(X=GOOD, y=T, lams=[-1.0], rng=0), "lams", ValueError),
    (kfold_cv, dict(X=GOOD, y=T, lams=[], rng=0), "lams", ValueError),
    (kfold_cv, dict(X=GOOD, y=T, lams=[1.0], rng="x"), "rng", TypeError),
    (kfold_cv, dict(X=GOOD, y=T, lams=[1.0], rng=0, penalize=[True] * 3), "penalize",
     ValueError),
    (log_evidence, dict(X=GOOD, y=T, sigma=1.0, sigma_w=0.0), "sigma_w", ValueError),
]


@pytest.mark.parametrize("func, kwargs, param, error", BAD,
                         ids=[f"{b[0].__name__}-{b[2]}-{i}" for i, b in enumerate(BAD)])
def test_extras_reject_bad_input(func, kwargs, param, error):
    with pytest.raises(error, match=f"`{param}"):
        func(**kwargs)
