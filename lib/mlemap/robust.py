"""Laplace-noise maximum likelihood: least absolute deviations (LAD)."""

import math

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from ._checks import design_and_target
from ._result import Result, frozen
from ._solve import lstsq, power_of_two_scale

__all__ = ["fit_lad", "LADResult"]


@frozen
class LADResult(Result):
    """Maximum-likelihood fit of ``y = X w + Laplace(0, b)`` noise; see `fit_lad`.

    Attributes
    ----------
    weights : ndarray, shape (d,)
        A minimiser of ``sum(|y - X w|)``.
    scale : float
        The MLE of the Laplace scale, ``b = mean(|y - X w|)``.
    log_likelihood : float
        ``-n * log(2 b) - n``, the maximised Laplace log likelihood.
    sum_abs : float
        ``sum(|y - X w|)`` at the solution.
    n, d : int
        Number of observations and of columns of `X`.
    """

    weights: np.ndarray
    scale: float
    log_likelihood: float
    sum_abs: float
    n: int
    d: int


def fit_lad(X, y):
    r"""Laplace-noise MLE: least absolute deviations regression.

    For :math:`y_i = x_i^T w + \varepsilon_i` with
    :math:`\varepsilon_i \sim \text{Laplace}(0, b)`, density
    :math:`\tfrac{1}{2b} e^{-|\varepsilon|/b}`, the log likelihood is
    :math:`-n\log(2b) - \sum_i |y_i - x_i^T w| / b`: maximising over `w`
    minimises the sum of absolute residuals (whatever `b`), and then
    :math:`\hat b = \tfrac1n \sum_i |y_i - x_i^T \hat w|`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix, used as given; full column rank and ``n > d``.
    y : array_like, shape (n,)
        Targets.

    Returns
    -------
    LADResult
        ``weights``, ``scale`` (:math:`\hat b`), ``log_likelihood``,
        ``sum_abs``, ``n``, ``d``.

    Raises
    ------
    ValueError
        Bad shapes, non-finite or empty input, ``n <= d``, or rank-deficient `X`.

    Notes
    -----
    Solved exactly as the linear program
    :math:`\min \sum_i u_i` subject to :math:`-u \le y - Xw \le u`, with
    SciPy's HiGHS dual simplex on the column-scaled `X`. A simplex vertex
    interpolates (at least) `d` data points; the solution is then polished
    by solving those `d` equations directly, so the weights are accurate to
    rounding rather than to the LP tolerance. The LAD minimiser need not be
    unique (e.g. with an even number of points and only an intercept, any
    value between the two middle points is a median); one minimiser is
    returned.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import fit_lad
    >>> X = np.ones((5, 1))                      # intercept only: the median
    >>> fit = fit_lad(X, np.array([1.0, 2.0, 3.0, 4.0, 100.0]))
    >>> fit.weights, fit.scale                   # 100 does not drag it away
    (array([3.]), 20.2)
    """
    X, y = design_and_target(X, y)
    n, d = X.shape
    if n <= d:
        raise ValueError(f"`X` has n={n} rows and d={d} columns; LAD needs n > d.")
    lstsq(X, y, what="X")  # raises if X is rank deficient
    scale = power_of_two_scale(X)
    Z = X / scale
    eye = sparse.identity(n, format="csr")
    A_ub = sparse.vstack([sparse.hstack([sparse.csr_matrix(Z), -eye]),
                          sparse.hstack([sparse.csr_matrix(-Z), -eye])], format="csr")
    b_ub = np.concatenate([y, -y])
    cost = np.concatenate([np.zeros(d), np.ones(n)])
    bounds = [(None, None)] * d + [(0, None)] * n
    res = linprog(cost, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs-ds")
    if res.status != 0:  # pragma: no cover - a bounded, feasible LP
        raise RuntimeError(f"linprog failed: {res.message}")
    z = res.x[:d]
    z = _polish(Z, y, z)
    w = z / scale
    sum_abs = math.fsum(np.abs(y - X @ w))
    b = sum_abs / n
    loglik = -n * math.log(2 * b) - n if b > 0 else math.inf
    return LADResult(weights=w, scale=b, log_likelihood=loglik, sum_abs=sum_abs, n=n, d=d)


def _polish(Z, y, z):
    """Re-solve the `d` interpolation equations of the LP vertex exactly."""
    d = Z.shape[1]
    basis = np.argsort(np.abs(y - Z @ z), kind="stable")[:d]
    try:
        candidate = np.linalg.solve(Z[basis], y[basis])
    except np.linalg.LinAlgError:
        return z
    if not np.all(np.isfinite(candidate)):
        return z
    before = math.fsum(np.abs(y - Z @ z))
    after = math.fsum(np.abs(y - Z @ candidate))
    return candidate if after <= before else z
