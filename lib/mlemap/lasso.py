"""Laplace-prior MAP: the lasso, by coordinate descent with an exact polish."""

import math
import warnings

import numpy as np

from ._checks import design_and_target, integer, penalty_mask, real_scalar
from ._result import Result, frozen

__all__ = ["fit_lasso", "LassoResult"]


@frozen
class LassoResult(Result):
    """Lasso fit; see `fit_lasso`.

    Attributes
    ----------
    weights : ndarray, shape (d,)
        Minimiser of ``||y - X w||**2 + lam * sum(penalize * |w|)``; exact
        zeros for the weights the lasso removes.
    lam : float
        Penalty weight.
    penalize : ndarray of bool, shape (d,)
        Which weights were penalised.
    objective : float
        The minimised objective.
    n_iter : int
        Coordinate-descent sweeps used.
    converged : bool
        Whether the optimality (KKT) conditions hold to the tolerance.
    """

    weights: np.ndarray
    lam: float
    penalize: np.ndarray
    objective: float
    n_iter: int
    converged: bool


def _soft(value, threshold):
    return math.copysign(max(abs(value) - threshold, 0.0), value)


def fit_lasso(X, y, lam, *, penalize=None, tol=1e-12, max_iter=100_000):
    r"""MAP estimate under a Laplace prior: the lasso.

    Minimises

    .. math:: \lVert y - Xw \rVert^2 + \lambda \sum_j p_j |w_j| ,

    which is :math:`2\sigma^2` times the negative log posterior for
    :math:`y\sim N(Xw,\sigma^2 I)` and independent Laplace priors
    :math:`w_j \sim \text{Laplace}(0, b)` when :math:`\lambda = 2\sigma^2/b`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix, used as given (no implicit intercept, no
        standardisation: scale the columns yourself if you want that).
    y : array_like, shape (n,)
        Targets.
    lam : float
        Penalty weight :math:`\lambda \ge 0`. (scikit-learn's
        ``Lasso(alpha, fit_intercept=False)`` minimises
        :math:`\tfrac{1}{2n}\lVert y-Xw\rVert^2 + \alpha\lVert w\rVert_1`, so
        ``alpha = lam / (2 n)``. Its default ``fit_intercept=True`` adds an
        unpenalised intercept: here a column of ones with `penalize` False.)
    penalize : array_like of bool, shape (d,), optional
        Which weights are penalised; default all.
    tol : float, optional
        Tolerance of the optimality conditions, relative to
        :math:`\max_j \lVert x_j\rVert \lVert y\rVert` (default 1e-12).
    max_iter : int, optional
        Maximum coordinate-descent sweeps (default 100000).

    Returns
    -------
    LassoResult
        ``weights``, ``lam``, ``penalize``, ``objective``, ``n_iter``, ``converged``.

    Raises
    ------
    ValueError
        Bad shapes, non-finite or empty input, ``lam < 0``, a bad `penalize`.

    Warns
    -----
    RuntimeWarning
        If the optimality conditions are not met within `max_iter` sweeps
        (then ``converged`` is False).

    Notes
    -----
    Cyclic coordinate descent on columns scaled to unit norm; each update
    is the exact one-dimensional minimiser
    :math:`w_j \leftarrow S(\rho_j, \lambda p_j/2)/\lVert x_j\rVert^2`,
    :math:`S(\rho, \tau) = \text{sign}(\rho)\max(|\rho|-\tau, 0)`. When the
    sign pattern settles, the weights are polished by solving the
    optimality conditions on the active set exactly,
    :math:`X_A^T X_A w_A = X_A^T y - \tfrac\lambda2 p_A\, \text{sign}(w_A)`,
    and kept if they satisfy the KKT conditions: :math:`2 x_j^T r =
    \lambda p_j \text{sign}(w_j)` for :math:`w_j \ne 0` and
    :math:`|2 x_j^T r| \le \lambda p_j` for :math:`w_j = 0`.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import fit_lasso
    >>> X = np.eye(3)                         # orthogonal design: soft thresholding
    >>> fit = fit_lasso(X, np.array([3.0, -0.5, 1.0]), 2.0)
    >>> fit.weights + 0.0                     # each y_j shrunk by lam/2 = 1
    array([2., 0., 0.])
    >>> fit.converged
    True
    """
    X, y = design_and_target(X, y)
    lam = real_scalar(lam, "lam", nonnegative=True)
    n, d = X.shape
    mask = penalty_mask(penalize, d)
    tol = real_scalar(tol, "tol", positive=True)
    max_iter = integer(max_iter, "max_iter", minimum=1)

    norms = np.linalg.norm(X, axis=0)
    if np.any(norms == 0):
        raise ValueError("`X` has a column of zeros; its weight is not identified.")
    Z = X / norms
    thresholds = lam * mask / norms / 2.0  # per unit-norm coordinate
    slack = tol * math.sqrt(n) * (np.linalg.norm(y) + 1.0)
    z = np.zeros(d)
    r = y.copy()
    converged = False
    sweep = 0
    for sweep in range(1, max_iter + 1):
        biggest = 0.0
        for j in range(d):
            old = z[j]
            rho = Z[:, j] @ r + old
            new = _soft(rho, thresholds[j])
            if new != old:
                r -= (new - old) * Z[:, j]
                z[j] = new
                biggest = max(biggest, abs(new - old))
        if biggest <= tol * (1.0 + np.max(np.abs(z))) or sweep % 50 == 0:
            polished = _polish(Z, y, z, thresholds, mask, slack)
            if polished is not None:
                z, converged = polished, True
                break
            if biggest == 0.0:
                converged = _kkt(Z, y, z, thresholds, mask, slack)
                break
    if not converged:
        warnings.warn(f"fit_lasso: no convergence in {max_iter} sweeps; "
                      "raise `max_iter` or loosen `tol`.", RuntimeWarning, stacklevel=2)
    w = z / norms
    objective = math.fsum(np.square(y - X @ w)) + lam * math.fsum(np.abs(w[mask]))
    return LassoResult(weights=w, lam=lam, penalize=mask, objective=objective,
                       n_iter=sweep, converged=converged)


def _kkt(Z, y, z, thresholds, mask, slack):
    corr = Z.T @ (y - Z @ z)  # = half the negative gradient of the RSS
    active = z != 0
    ok_active = np.all(np.abs(corr[active] - thresholds[active] * np.sign(z[active])) <= slack)
    ok_zero = np.all(np.abs(corr[~active]) <= thresholds[~active] + slack)
    return bool(ok_active and ok_zero)


def _polish(Z, y, z, thresholds, mask, slack):
    """Exact solution on the current active set, if it satisfies the KKT conditions."""
    active = np.flatnonzero(z)
    if active.size == 0:
        return z if _kkt(Z, y, z, thresholds, mask, slack) else None
    A = Z[:, active]
    if np.linalg.matrix_rank(A) < active.size:
        return None
    signs = np.sign(z[active])
    # minimise ||y - A v||^2 + 2 sum(thresholds * signs * v): a shifted least squares
    q, rr = np.linalg.qr(A)
    shift = np.linalg.solve(rr.T, thresholds[active] * signs)
    v = np.linalg.solve(rr, q.T @ y - shift)
    if np.any(np.sign(v) != signs):
        return None
    candidate = np.zeros_like(z)
    candidate[active] = v
    return candidate if _kkt(Z, y, candidate, thresholds, mask, slack) else None
