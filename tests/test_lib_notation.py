"""Tests of mlemap.notation: the conversions between notations of the ridge penalty.

Round trips, agreement with `ridge_lambda`, and, for each convention, that its
objective (emulated here from the library's documentation) is minimised by
`fit_map` at the converted penalty. Plus the input checks.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

import mlemap
from mlemap.notation import (AlphaBeta, Sigmas, bishop_alpha_beta, conventions,
                             lambda_from_alpha_beta, lambda_from_sklearn_alpha,
                             lambda_from_torch_weight_decay, sigmas_from_alpha_beta,
                             sklearn_alpha, torch_weight_decay)

POSITIVE = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
# 0, or far enough from underflow that 2 * lam / n stays a normal float
# (subnormal results lose relative precision: not a conversion error).
NONNEG = st.one_of(st.just(0.0), st.floats(min_value=1e-300, max_value=1e6))
SIZES = st.integers(min_value=1, max_value=10**6)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(sigma=POSITIVE, sigma_w=POSITIVE)
def test_alpha_beta_round_trip_and_lambda(sigma, sigma_w):
    ab = bishop_alpha_beta(sigma, sigma_w)
    assert isinstance(ab, AlphaBeta)
    assert math.isclose(ab.alpha * sigma_w**2, 1.0, rel_tol=1e-14)
    assert math.isclose(ab.beta * sigma**2, 1.0, rel_tol=1e-14)
    back = sigmas_from_alpha_beta(ab.alpha, ab.beta)
    assert isinstance(back, Sigmas)
    assert math.isclose(back.sigma, sigma, rel_tol=1e-14)
    assert math.isclose(back.sigma_w, sigma_w, rel_tol=1e-14)
    assert math.isclose(lambda_from_alpha_beta(ab.alpha, ab.beta),
                        mlemap.ridge_lambda(sigma, sigma_w), rel_tol=1e-13)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(lam=NONNEG, n=SIZES, loss=st.sampled_from(["mean", "sum"]))
def test_torch_round_trip(lam, n, loss):
    wd = torch_weight_decay(lam, n=n, loss=loss)
    assert wd >= 0
    assert math.isclose(lambda_from_torch_weight_decay(wd, n=n, loss=loss), lam,
                        rel_tol=1e-14, abs_tol=0.0)


@pytest.mark.parametrize("lam", [0.0, 0.01, 2.5, 400.0])
def test_sklearn_alpha_against_sklearn_ridge(lam):
    # The reference is scikit-learn itself: Ridge(alpha) minimises
    # ||y - Xw||^2 + alpha ||w||^2; with fit_intercept=True the intercept is free.
    from sklearn.linear_model import Ridge

    X, y = _problem()
    alpha = sklearn_alpha(lam)
    plain = Ridge(alpha=alpha, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(plain.coef_, mlemap.fit_map(X, y, lam).weights,
                               rtol=1e-10)
    default = Ridge(alpha=alpha).fit(X[:, 1:], y)
    free = mlemap.fit_map(X, y, lambda_from_sklearn_alpha(alpha),
                          penalize=[False, True, True]).weights
    np.testing.assert_allclose(np.r_[default.intercept_, default.coef_], free,
                               rtol=1e-10)


def test_torch_weight_decay_values():
    assert torch_weight_decay(3.0, n=10) == pytest.approx(0.6)
    assert torch_weight_decay(3.0, n=10, loss="sum") == 6.0
    assert torch_weight_decay(0.0, n=1) == 0.0


def test_conventions_agree_with_the_single_functions():
    c = conventions(0.3, 1.7, n=23)
    assert c.lam == pytest.approx(mlemap.ridge_lambda(0.3, 1.7), rel=1e-15)
    assert c.lam == pytest.approx(c.alpha / c.beta, rel=1e-15)
    assert c.lam == pytest.approx(c.sigma2 / c.sigma_w2, rel=1e-15)
    assert c.sklearn_alpha == c.lam
    assert c.torch_wd_mean == pytest.approx(2 * c.lam / 23, rel=1e-15)
    assert c.torch_wd_sum == pytest.approx(2 * c.lam, rel=1e-15)
    assert "Conventions(sigma=0.3" in repr(c)


def _problem(seed=7, n=40):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 2, n)
    X = mlemap.polynomial_design(x, 2)
    y = 1.0 - 0.5 * x + 0.8 * x**2 + rng.normal(0, 0.3, n)
    return X, y


@pytest.mark.parametrize("loss", ["mean", "sum"])
def test_torch_objective_minimiser_is_fit_map(loss):
    # PyTorch SGD/Adam with weight_decay=c minimises L(w) + (c/2)||w||^2.
    X, y = _problem()
    n = y.size
    lam = 2.5
    c = torch_weight_decay(lam, n=n, loss=loss)
    scale = 1.0 / n if loss == "mean" else 1.0

    def objective(w):
        r = y - X @ w
        return scale * r @ r + 0.5 * c * w @ w

    def gradient(w):
        return -2 * scale * X.T @ (y - X @ w) + c * w

    ref = minimize(objective, np.zeros(3), jac=gradient, method="BFGS",
                   options={"gtol": 1e-12}).x
    w = mlemap.fit_map(X, y, lam).weights
    np.testing.assert_allclose(w, ref, rtol=1e-6)
    assert np.max(np.abs(gradient(w))) < 1e-10


def test_sgd_with_torch_weight_decay_converges_to_fit_map():
    X, y = _problem()
    n = y.size
    lam = 2.5
    c = torch_weight_decay(lam, n=n)
    path = mlemap.sgd(lambda w, t: 2 / n * X.T @ (X @ w - y), np.zeros(3),
                      lr=0.1, steps=4000, l2=c)
    np.testing.assert_allclose(path[-1], mlemap.fit_map(X, y, lam).weights, rtol=1e-8)


def test_bishop_posterior_mean_is_fit_map():
    # PRML (3.53)-(3.54): m_N = beta S_N X^T y with S_N^{-1} = alpha I + beta X^T X,
    # computed here as least squares of the scaled, stacked system.
    X, y = _problem()
    alpha, beta = bishop_alpha_beta(sigma=0.3, sigma_w=0.8)
    A = np.vstack([math.sqrt(beta) * X, math.sqrt(alpha) * np.eye(3)])
    b = np.concatenate([math.sqrt(beta) * y, np.zeros(3)])
    m_n = np.linalg.lstsq(A, b, rcond=None)[0]
    lam = lambda_from_alpha_beta(alpha, beta)
    np.testing.assert_allclose(mlemap.fit_map(X, y, lam).weights, m_n, rtol=1e-10)
    np.testing.assert_allclose(mlemap.posterior(X, y, 0.3, 0.8).mean, m_n, rtol=1e-10)


def test_sklearn_ridge_with_intercept_is_fit_map_with_free_intercept():
    # Ridge(alpha, fit_intercept=True): centre X and y, ridge without intercept,
    # intercept = mean(y) - mean(x) @ w.
    X, y = _problem()
    alpha = 4.0
    Z = X[:, 1:]
    zc, yc = Z - Z.mean(axis=0), y - y.mean()
    w = np.linalg.lstsq(np.vstack([zc, math.sqrt(alpha) * np.eye(2)]),
                        np.concatenate([yc, np.zeros(2)]), rcond=None)[0]
    b = y.mean() - Z.mean(axis=0) @ w
    fit = mlemap.fit_map(X, y, lambda_from_sklearn_alpha(alpha),
                         penalize=np.array([False, True, True]))
    np.testing.assert_allclose(fit.weights, np.concatenate([[b], w]), rtol=1e-10)


BAD = [
    (bishop_alpha_beta, dict(sigma=0.0, sigma_w=1.0), ValueError, "sigma"),
    (bishop_alpha_beta, dict(sigma=1.0, sigma_w=-2.0), ValueError, "sigma_w"),
    (bishop_alpha_beta, dict(sigma="1", sigma_w=1.0), TypeError, "sigma"),
    (sigmas_from_alpha_beta, dict(alpha=0.0, beta=1.0), ValueError, "alpha"),
    (sigmas_from_alpha_beta, dict(alpha=1.0, beta=np.inf), ValueError, "beta"),
    (lambda_from_alpha_beta, dict(alpha=1.0, beta=None), TypeError, "beta"),
    (lambda_from_alpha_beta, dict(alpha=-1.0, beta=1.0), ValueError, "alpha"),
    (sklearn_alpha, dict(lam=-0.1), ValueError, "lam"),
    (sklearn_alpha, dict(lam=np.array([1.0, 2.0])), TypeError, "lam"),
    (lambda_from_sklearn_alpha, dict(alpha=np.nan), ValueError, "alpha"),
    (torch_weight_decay, dict(lam=-1.0, n=3), ValueError, "lam"),
    (torch_weight_decay, dict(lam=1.0, n=0), ValueError, "n"),
    (torch_weight_decay, dict(lam=1.0, n=2.5), TypeError, "n"),
    (torch_weight_decay, dict(lam=1.0, n=True), TypeError, "n"),
    (torch_weight_decay, dict(lam=1.0, n=3, loss="average"), ValueError, "loss"),
    (torch_weight_decay, dict(lam=1.0, n=3, loss=None), TypeError, "loss"),
    (lambda_from_torch_weight_decay, dict(weight_decay=-1.0, n=3), ValueError, "weight_decay"),
    (lambda_from_torch_weight_decay, dict(weight_decay=1.0, n=-3), ValueError, "n"),
    (lambda_from_torch_weight_decay, dict(weight_decay=1.0, n=3, loss="Mean"),
     ValueError, "loss"),
    (conventions, dict(sigma=1.0, sigma_w=0.0, n=3), ValueError, "sigma_w"),
    (conventions, dict(sigma=1.0, sigma_w=1.0, n=0), ValueError, "n"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD,
                         ids=[f"{f.__name__}-{n}-{i}" for i, (f, _, _, n) in enumerate(BAD)])
def test_bad_input_is_rejected_naming_the_parameter(func, kwargs, error, name):
    with pytest.raises(error, match=f"`{name}`"):
        func(**kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        torch_weight_decay(1.0, 10)  # n must be named
    with pytest.raises(TypeError):
        conventions(1.0, 1.0, 10)
