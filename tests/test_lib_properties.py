"""Property-based tests of mlemap (hypothesis, derandomized: reproducible in CI)."""

import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from mlemap import (adam, fit_map, fit_mle, gaussian_log_likelihood, posterior,
                    ridge_lambda, sgd)

SETTINGS = settings(derandomize=True, max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much,
                                           HealthCheck.too_slow])
finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)
positive = st.floats(0.01, 100, allow_nan=False, allow_infinity=False)


@st.composite
def regression(draw, full_rank=True):
    d = draw(st.integers(1, 5))
    n = draw(st.integers(d + 1, 20))
    X = draw(arrays(np.float64, (n, d), elements=finite))
    y = draw(arrays(np.float64, n, elements=finite))
    if full_rank:
        assume(np.linalg.matrix_rank(X) == d and np.linalg.cond(X) < 1e8)
    return X, y


@SETTINGS
@given(regression())
def test_map_with_zero_lambda_is_the_mle(data):
    X, y = data
    np.testing.assert_allclose(fit_map(X, y, 0.0).weights, fit_mle(X, y).weights,
                               rtol=0, atol=1e-12 * (1 + np.abs(fit_mle(X, y).weights).max()))


@SETTINGS
@given(regression(full_rank=False),
       st.lists(st.floats(1e-3, 1e3), min_size=2, max_size=5, unique=True))
def test_map_weight_norm_shrinks_as_lambda_grows(data, lams):
    X, y = data
    norms = [np.linalg.norm(fit_map(X, y, lam).weights) for lam in sorted(lams)]
    assert all(b <= a * (1 + 1e-10) + 1e-300 for a, b in zip(norms, norms[1:]))


@SETTINGS
@given(regression(full_rank=False), positive, positive)
def test_posterior_mean_is_the_map_estimate(data, sigma, sigma_w):
    X, y = data
    post = posterior(X, y, sigma, sigma_w)
    np.testing.assert_array_equal(post.mean, fit_map(X, y, ridge_lambda(sigma, sigma_w)).weights)
    # and the covariance is the inverse of the posterior precision
    precision = X.T @ X / sigma**2 + np.eye(X.shape[1]) / sigma_w**2
    np.testing.assert_allclose(post.cov @ precision, np.eye(X.shape[1]), atol=1e-6)


@SETTINGS
@given(arrays(np.float64, st.integers(1, 200), elements=finite), finite, positive)
def test_log_likelihood_matches_scipy(y, mean, sigma):
    want = stats.norm.logpdf(y, mean, sigma).sum()
    got = gaussian_log_likelihood(y, mean, sigma)
    assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12 * y.size)


@SETTINGS
@given(regression(full_rank=False), st.floats(0.0, 2.0), st.floats(1e-3, 0.1),
       st.integers(1, 60))
def test_sgd_l2_equals_decoupled_decay_step_for_step(data, c, lr, steps):
    X, y = data
    n = X.shape[0]

    def grad(w, t):  # a deterministic "minibatch": one row per step
        i = t % n
        return X[i] * (X[i] @ w - y[i])

    w0 = np.ones(X.shape[1])
    coupled = sgd(grad, w0, lr=lr, steps=steps, l2=c)
    decoupled = sgd(grad, w0, lr=lr, steps=steps, decoupled_decay=c)
    scale = 1 + np.abs(coupled).max()
    np.testing.assert_allclose(coupled, decoupled, rtol=0, atol=1e-9 * scale)


@settings(SETTINGS, max_examples=10)
@given(arrays(np.float64, st.integers(1, 3), elements=st.floats(0.5, 10)),
       arrays(np.float64, 3, elements=st.floats(0.5, 2.0)), st.floats(0.2, 1.0))
def test_adam_with_l2_differs_from_adamw(w0, curvature, coef):
    # Adam with an L2 term converges to the minimiser of the penalised loss,
    # h(w - 3) + c w = 0, which moves with the curvature h. AdamW's decay is not
    # part of any loss: Adam's step is invariant to the scale of the gradient, so
    # its end does not move when h is multiplied by 4.
    h = curvature[: w0.size]
    ends = {}
    for scale in (1.0, 4.0):
        grad = lambda w, t, s=scale: s * h * (w - 3.0)  # noqa: E731  separable quadratic
        ends["l2", scale] = adam(grad, w0, lr=0.01, steps=3000, l2=coef)[-1]
        ends["decoupled", scale] = adam(grad, w0, lr=0.01, steps=3000, decoupled_decay=coef)[-1]
    for scale in (1.0, 4.0):
        np.testing.assert_allclose(ends["l2", scale], 3 * scale * h / (scale * h + coef), atol=1e-3)
    np.testing.assert_allclose(ends["decoupled", 1.0], ends["decoupled", 4.0], atol=1e-6)
    assert np.min(np.abs(ends["l2", 1.0] - ends["l2", 4.0])) > 0.1
