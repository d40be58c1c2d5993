"""Every public function rejects bad input with an error naming the parameter.

Each case calls a function with one argument spoiled and checks the exception
type and that the message names that argument in backticks.
"""

import numpy as np
import pytest

import mlemap

X = np.column_stack([np.ones(6), np.arange(6.0)])
Y = np.arange(6.0) * 2 + 1
GRAD = lambda w, t: w  # noqa: E731
POST = mlemap.posterior(X, Y, 1.0, 1.0)

# name -> (function, good keyword arguments)
CALLS = {
    "gaussian_log_density": (mlemap.gaussian_log_density, dict(y=Y, mean=0.0, sigma=1.0)),
    "gaussian_log_likelihood": (mlemap.gaussian_log_likelihood, dict(y=Y, mean=0.0, sigma=1.0)),
    "polynomial_design": (mlemap.polynomial_design, dict(x=Y, degree=2)),
    "fit_mle": (mlemap.fit_mle, dict(X=X, y=Y)),
    "fit_map": (mlemap.fit_map, dict(X=X, y=Y, lam=1.0)),
    "ridge_lambda": (mlemap.ridge_lambda, dict(sigma=1.0, sigma_w=2.0)),
    "posterior": (mlemap.posterior, dict(X=X, y=Y, sigma=1.0, sigma_w=1.0)),
    "predictive": (mlemap.predictive, dict(X_new=X, post=POST)),
    "log_evidence": (mlemap.log_evidence, dict(X=X, y=Y, sigma=1.0, sigma_w=1.0)),
    "sgd": (mlemap.sgd, dict(grad=GRAD, w0=np.ones(2), lr=0.1, steps=3)),
    "adam": (mlemap.adam, dict(grad=GRAD, w0=np.ones(2), lr=0.1, steps=3)),
    "simulate_fish": (mlemap.simulate_fish, dict(n=5, rng=0)),
    "log_sum_exp": (mlemap.log_sum_exp, dict(a=Y)),
    "log_softmax": (mlemap.log_softmax, dict(a=Y)),
    "binary_cross_entropy": (mlemap.binary_cross_entropy,
                             dict(t=np.ones(6), logits=Y)),
}

NAN_Y = Y.copy()
NAN_Y[2] = np.nan
INF_X = X.copy()
INF_X[1, 1] = np.inf

# (call name, parameter, bad value, exception)
BAD = []
for name in ["fit_mle", "fit_map", "posterior", "log_evidence"]:
    BAD += [
        (name, "X", INF_X, ValueError),
        (name, "X", np.arange(6.0), ValueError),           # 1-D where 2-D required
        (name, "X", np.empty((0, 2)), ValueError),          # empty
        (name, "X", X[:5], ValueError),                     # rows do not match y
        (name, "X", X.astype(complex), TypeError),
        (name, "y", NAN_Y, ValueError),
        (name, "y", Y[:, None], ValueError),                # 2-D y
        (name, "y", np.array(["a"] * 6), TypeError),
        (name, "y", None, TypeError),
    ]
for name in ["posterior", "log_evidence"]:
    BAD += [(name, "sigma", 0.0, ValueError), (name, "sigma", -1.0, ValueError),
            (name, "sigma_w", np.nan, ValueError), (name, "sigma_w", "1", TypeError)]
BAD += [
    ("fit_map", "lam", -1e-3, ValueError),
    ("fit_map", "lam", np.inf, ValueError),
    ("fit_map", "lam", None, TypeError),
    ("fit_map", "penalize", [True, False, True], ValueError),  # wrong length
    ("fit_map", "penalize", [1, 0], TypeError),               # not boolean
    ("ridge_lambda", "sigma", 0.0, ValueError),
    ("ridge_lambda", "sigma_w", -2.0, ValueError),
    ("ridge_lambda", "sigma", True, TypeError),
    ("gaussian_log_density", "sigma", 0.0, ValueError),
    ("gaussian_log_density", "sigma", np.array([1.0, -1.0]), ValueError),
    ("gaussian_log_density", "y", NAN_Y, ValueError),
    ("gaussian_log_density", "y", np.array([]), ValueError),
    ("gaussian_log_density", "mean", np.ones(4), ValueError),   # does not broadcast
    ("gaussian_log_density", "mean", np.inf, ValueError),
    ("gaussian_log_likelihood", "sigma", -1.0, ValueError),
    ("gaussian_log_likelihood", "y", np.array([]), ValueError),
    ("gaussian_log_likelihood", "y", NAN_Y, ValueError),
    ("gaussian_log_likelihood", "mean", np.ones(5), ValueError),
    ("polynomial_design", "x", X, ValueError),
    ("polynomial_design", "x", np.array([]), ValueError),
    ("polynomial_design", "x", NAN_Y, ValueError),
    ("polynomial_design", "degree", -1, ValueError),
    ("polynomial_design", "degree", 2.0, TypeError),
    ("predictive", "X_new", X[:, :1], ValueError),
    ("predictive", "X_new", np.ones(2), ValueError),
    ("predictive", "X_new", INF_X, ValueError),
    ("predictive", "post", {"mean": 0}, TypeError),
    ("predictive", "sigma", 0.0, ValueError),
    ("simulate_fish", "n", 0, ValueError),
    ("simulate_fish", "n", 2.5, TypeError),
    ("simulate_fish", "rng", None, TypeError),
    ("simulate_fish", "rng", -1, ValueError),
    ("simulate_fish", "sigma", 0.0, ValueError),
    ("simulate_fish", "true_weights", [], ValueError),
    ("simulate_fish", "length_range", (3.0, 1.0), ValueError),
    ("simulate_fish", "length_range", 5.0, TypeError),
    ("log_sum_exp", "a", np.array([]), ValueError),
    ("log_sum_exp", "a", NAN_Y, ValueError),
    ("log_softmax", "a", np.array([np.inf]), ValueError),
    ("binary_cross_entropy", "t", np.full(6, 2.0), ValueError),
    ("binary_cross_entropy", "t", np.ones(5), ValueError),
    ("binary_cross_entropy", "logits", NAN_Y, ValueError),
    ("binary_cross_entropy", "reduction", "avg", ValueError),
]
for name in ["sgd", "adam"]:
    BAD += [
        (name, "grad", "not callable", TypeError),
        (name, "grad", lambda w, t: np.ones(3), ValueError),    # wrong shape
        (name, "grad", lambda w, t: w * np.nan, FloatingPointError),
        (name, "w0", np.ones((2, 1)), ValueError),
        (name, "w0", np.array([]), ValueError),
        (name, "w0", np.array([np.nan, 1.0]), ValueError),
        (name, "lr", 0.0, ValueError),
        (name, "lr", -0.1, ValueError),
        (name, "steps", -1, ValueError),
        (name, "steps", 1.5, TypeError),
        (name, "l2", -1.0, ValueError),
        (name, "decoupled_decay", -1.0, ValueError),
    ]
BAD += [("adam", "betas", (0.9, 1.0), ValueError), ("adam", "betas", 0.9, TypeError),
        ("adam", "eps", 0.0, ValueError)]


@pytest.mark.parametrize("name, param, value, error", BAD,
                         ids=[f"{b[0]}-{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_raises_naming_the_parameter(name, param, value, error):
    func, kwargs = CALLS[name]
    kwargs = dict(kwargs, **{param: value})
    with pytest.raises(error) as info:
        func(**kwargs)
    message = str(info.value)
    named = f"`{param}" if param != "betas" else "`betas"
    assert named in message, message


@pytest.mark.parametrize("name", sorted(CALLS))
def test_good_input_of_the_table_works(name):
    """The table's baseline calls succeed, so each bad case spoils exactly one thing."""
    func, kwargs = CALLS[name]
    func(**kwargs)


def test_fit_mle_needs_more_rows_than_columns():
    with pytest.raises(ValueError, match="`X`.*n > d"):
        mlemap.fit_mle(X[:2], Y[:2])


def test_fit_map_unpenalised_collinear_columns_rejected():
    Xc = np.column_stack([np.ones(6), np.ones(6), np.arange(6.0)])
    with pytest.raises(ValueError, match="`X`"):
        mlemap.fit_map(Xc, Y, 1.0, penalize=np.array([False, False, True]))


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        mlemap.fit_map(X, Y, 1.0, [True, True])
    with pytest.raises(TypeError):
        mlemap.sgd(GRAD, np.ones(2), 0.1, 3)
    with pytest.raises(TypeError):
        mlemap.simulate_fish(5, 0)


def test_checks_happen_before_computation():
    calls = []

    def grad(w, t):
        calls.append(t)
        return w

    with pytest.raises(ValueError):
        mlemap.adam(grad, np.ones(2), lr=0.1, steps=3, betas=(0.9, 1.5))
    assert calls == []


def test_subnormal_columns_are_scaled_exactly():
    # A column of subnormal numbers: 1/scale would overflow, ldexp does not.
    X = np.array([[2.22507386e-313], [2.22507386e-313]])
    np.testing.assert_array_equal(mlemap.fit_mle(X, np.zeros(2)).weights, [0.0])
    X = np.array([[1e-310], [2e-310], [3e-310]])
    y = np.array([1e-300, 2e-300, 3e-300])
    assert np.isclose(mlemap.fit_mle(X, y).weights[0], 1e10, rtol=1e-12)


def test_weights_that_overflow_raise_naming_X():
    X = np.array([[2.2e-313, 1.0], [4.4e-313, 3.0], [1e-313, 2.0]])
    with pytest.raises(ValueError, match="overflow.*`X`"):
        mlemap.fit_mle(X, np.array([1.0, 2.0, 3.0]))
