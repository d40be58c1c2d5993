"""fit_mle / fit_map against the exact least-squares solution over the rationals.

The reference solves the normal equations X^T X w = X^T y exactly with SymPy
rationals built from the float data, so it is the exact least-squares
solution of the very numbers the library sees. The design is a degree-10
polynomial in raw x on a narrow band far from zero, where numpy.linalg.lstsq
(default rcond) gets essentially no digit right.
"""

import math

import numpy as np
import pytest
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from mlemap import fit_map, fit_mle, polynomial_design

MIN_DIGITS = 7


def exact_least_squares(X, y, lam=0.0):
    """Exact solution of (X^T X + lam I) w = X^T y over QQ, rounded to float."""
    QQ = sp.QQ
    Xq = [[QQ(*float(v).as_integer_ratio()) for v in row] for row in X]
    yq = [QQ(*float(v).as_integer_ratio()) for v in y]
    lam_q = QQ(*float(lam).as_integer_ratio())
    n, d = len(Xq), len(Xq[0])
    gram = [[sum((Xq[k][i] * Xq[k][j] for k in range(n)), QQ(0)) + (lam_q if i == j else 0)
             for j in range(d)] for i in range(d)]
    rhs = [[sum((Xq[k][i] * yq[k] for k in range(n)), QQ(0))] for i in range(d)]
    sol = DomainMatrix(gram, (d, d), QQ).lu_solve(DomainMatrix(rhs, (d, 1), QQ))
    return np.array([float(sol[i, 0].element) for i in range(d)])


def correct_digits(w, reference):
    """Minimum over coefficients of the number of correct significant digits."""
    rel = np.abs(w - reference) / np.abs(reference)
    return float(np.min(-np.log10(np.maximum(rel, 2.0**-60))))


def ill_conditioned_case(low, high, n=60, seed=1):
    x = np.linspace(low, high, n)
    X = polynomial_design(x, 10)
    y = 1.0 + 2.0 * x - x**2 + np.random.default_rng(seed).normal(0.0, 0.1, n)
    return X, y


@pytest.mark.parametrize("low, high", [(2.0, 3.0), (3.0, 4.0)])
def test_fit_mle_degree_10_every_coefficient_to_7_digits(low, high):
    X, y = ill_conditioned_case(low, high)
    assert np.linalg.cond(X) > 1e15  # the premise: a hard problem
    reference = exact_least_squares(X, y)
    digits = correct_digits(fit_mle(X, y).weights, reference)
    assert digits >= MIN_DIGITS, f"only {digits:.1f} digits"
    # The premise again: plain lstsq is hopeless here.
    assert correct_digits(np.linalg.lstsq(X, y, rcond=None)[0], reference) < 2


def test_fit_mle_rss_and_sigma_exact_on_hard_case():
    X, y = ill_conditioned_case(2.0, 3.0)
    fit = fit_mle(X, y)
    reference = exact_least_squares(X, y)
    # residual from the exact solution, in exact arithmetic
    QQ = sp.QQ
    w_exact = [QQ(*v.as_integer_ratio()) for v in reference]  # rounded exact w
    r = [QQ(*float(yi).as_integer_ratio())
         - sum((QQ(*float(xij).as_integer_ratio()) * wj for xij, wj in zip(row, w_exact)), QQ(0))
         for row, yi in zip(X, y)]
    rss_exact = float(sum((ri * ri for ri in r), QQ(0)))
    assert math.isclose(fit.rss, rss_exact, rel_tol=1e-9)
    assert math.isclose(fit.sigma, math.sqrt(rss_exact / X.shape[0]), rel_tol=1e-9)


def test_fit_map_degree_10_every_coefficient_to_7_digits():
    X, y = ill_conditioned_case(2.0, 3.0)
    lam = 1e-9
    reference = exact_least_squares(X, y, lam)
    digits = correct_digits(fit_map(X, y, lam).weights, reference)
    assert digits >= MIN_DIGITS, f"only {digits:.1f} digits"


def test_exactly_collinear_columns_are_rejected_not_guessed():
    x = np.linspace(0.0, 1.0, 20)
    X = np.column_stack([np.ones(20), x, 2.0 * x])
    with pytest.raises(ValueError, match="`X`.*(rank deficient|ill-conditioned)"):
        fit_mle(X, x)
    # ...but the MAP problem with every weight penalised is fine.
    assert np.all(np.isfinite(fit_map(X, x, 1e-3).weights))
