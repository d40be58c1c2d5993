"""Linear-Gaussian regression: the MLE (least squares) and the MAP (ridge)."""

import math

import numpy as np

from ._checks import as_real_array, design_and_target, integer, penalty_mask, real_scalar
from ._result import Result, frozen
from ._solve import lstsq

__all__ = [
    "polynomial_design",
    "fit_mle",
    "fit_map",
    "ridge_lambda",
    "MLEResult",
    "MAPResult",
]


def polynomial_design(x, degree):
    r"""Design matrix with columns :math:`x^0, x^1, \dots, x^{degree}`.

    Parameters
    ----------
    x : array_like, shape (n,)
        Inputs, finite and non-empty.
    degree : int
        Highest power, >= 0.

    Returns
    -------
    ndarray, shape (n, degree + 1)
        ``X[i, j] = x[i] ** j``; the first column is the intercept (ones).

    Examples
    --------
    >>> from mlemap import polynomial_design
    >>> polynomial_design([1.0, 2.0, 3.0], 2)
    array([[1., 1., 1.],
           [1., 2., 4.],
           [1., 3., 9.]])
    """
    x = as_real_array(x, "x", ndim=1)
    degree = integer(degree, "degree", minimum=0)
    return np.vander(x, degree + 1, increasing=True)


@frozen
class MLEResult(Result):
    """Maximum-likelihood fit of ``y ~ N(X w, sigma**2 I)``; see `fit_mle`.

    Attributes
    ----------
    weights : ndarray, shape (d,)
        The MLE of `w`, i.e. the least-squares solution.
    sigma : float
        The MLE of the noise standard deviation, ``sqrt(rss / n)`` (biased).
    log_likelihood : float
        The maximised log likelihood, ``-n/2 * (log(2 pi sigma**2) + 1)``.
    sigma2_unbiased : float
        The unbiased noise variance ``rss / (n - d)`` (not the MLE).
    rss : float
        Residual sum of squares ``||y - X w||**2``.
    n, d : int
        Number of observations and of columns of `X`.
    cond : float
        2-norm condition number of `X` after scaling its columns; above
        about 1e4 the solution was refined in double-double arithmetic.
    """

    weights: np.ndarray
    sigma: float
    log_likelihood: float
    sigma2_unbiased: float
    rss: float
    n: int
    d: int
    cond: float


@frozen
class MAPResult(Result):
    """MAP (ridge) fit; see `fit_map`.

    Attributes
    ----------
    weights : ndarray, shape (d,)
        The minimiser of ``||y - X w||**2 + lam * sum(penalize * w**2)``.
    lam : float
        The penalty weight used.
    penalize : ndarray of bool, shape (d,)
        Which weights were penalised.
    rss : float
        ``||y - X w||**2`` at the solution.
    penalty : float
        ``lam * sum(penalize * w**2)`` at the solution.
    objective : float
        ``rss + penalty``, the minimised value.
    n, d : int
        Number of observations and of columns of `X`.
    cond : float
        Condition number of the column-scaled augmented matrix
        ``[X; sqrt(lam) * P]``.
    """

    weights: np.ndarray
    lam: float
    penalize: np.ndarray
    rss: float
    penalty: float
    objective: float
    n: int
    d: int
    cond: float


def _sum_squares(r):
    return math.fsum(np.square(r)) if r.size < 100_000 else float(np.dot(r, r))


def fit_mle(X, y):
    r"""Maximum-likelihood fit of the linear-Gaussian model :math:`y \sim N(Xw, \sigma^2 I)`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix, used exactly as given (no intercept is added: include
        a column of ones yourself, e.g. with `polynomial_design`).
        Needs ``n > d`` and full column rank.
    y : array_like, shape (n,)
        Targets.

    Returns
    -------
    MLEResult
        ``weights``, ``sigma`` (MLE, ``sqrt(rss/n)``), ``log_likelihood``,
        ``sigma2_unbiased`` (``rss/(n-d)``), ``rss``, ``n``, ``d``, ``cond``.

    Raises
    ------
    ValueError
        Bad shapes, non-finite or empty input, ``n <= d``, or an `X` that is
        rank deficient to working precision.

    Notes
    -----
    Maximising the likelihood over `w` is minimising the residual sum of
    squares, whatever :math:`\sigma`; then :math:`\hat\sigma^2 = RSS/n`.
    The least-squares problem is solved by Householder QR of `X` with its
    columns scaled by powers of two. If the scaled `X` has condition
    number above 1e4, the solution is refined (Björck's augmented-system
    refinement with residuals in double-double arithmetic) until it is
    accurate to double precision; the book's tests check every coefficient
    of a degree-10 polynomial fit with raw condition number about 1e15
    against the exact rational solution. The normal equations are never
    formed.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import fit_mle, polynomial_design
    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> y = np.array([1.0, 3.1, 4.9, 7.0])
    >>> fit = fit_mle(polynomial_design(x, 1), y)
    >>> fit.weights.round(12)
    array([1.03, 1.98])
    >>> round(fit.sigma, 6), round(fit.sigma2_unbiased, 6)
    (0.067082, 0.009)
    >>> fit
    MLEResult(weights=[1.03, 1.98], sigma=0.067082, log_likelihood=5.1316, sigma2_unbiased=0.009, rss=0.018, n=4, d=2, cond=3.02334)
    """
    X, y = design_and_target(X, y)
    n, d = X.shape
    if n <= d:
        raise ValueError(
            f"`X` has n={n} rows and d={d} columns; the MLE needs n > d "
            "(with n <= d the data are fitted exactly and sigma is 0)."
        )
    w, r, cond, _, _ = lstsq(X, y, what="X")
    rss = _sum_squares(r)
    sigma2 = rss / n
    loglik = -0.5 * n * (math.log(2 * math.pi * sigma2) + 1) if rss > 0 else math.inf
    return MLEResult(weights=w, sigma=math.sqrt(sigma2), log_likelihood=loglik,
                     sigma2_unbiased=rss / (n - d), rss=rss, n=n, d=d, cond=cond)


def fit_map(X, y, lam, *, penalize=None):
    r"""MAP estimate under a Gaussian prior: ridge regression.

    Minimises

    .. math:: \lVert y - X w\rVert^2 + \lambda \sum_j p_j w_j^2 ,

    which is :math:`2\sigma^2` times the negative log posterior for
    :math:`y \sim N(Xw, \sigma^2 I)` and :math:`w_j \sim N(0, \sigma_w^2)`
    on the penalised weights (flat prior on the others) when
    :math:`\lambda = \sigma^2/\sigma_w^2` (see `ridge_lambda`).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix, used as given (no implicit intercept).
    y : array_like, shape (n,)
        Targets.
    lam : float
        Penalty weight :math:`\lambda \ge 0`. (scikit-learn's ``Ridge(alpha)``
        minimises the same objective with ``alpha = lam``.)
    penalize : array_like of bool, shape (d,), optional
        Which weights are penalised; default all. Pass e.g.
        ``[False, True, True]`` to leave an intercept column unpenalised.

    Returns
    -------
    MAPResult
        ``weights``, ``lam``, ``penalize``, ``rss``, ``penalty``,
        ``objective``, ``n``, ``d``, ``cond``.

    Raises
    ------
    ValueError
        Bad shapes, non-finite or empty input, ``lam < 0``, a `penalize`
        mask of the wrong length, or a problem without a unique minimiser
        (e.g. ``lam = 0`` and a rank-deficient `X`).
    TypeError
        If `penalize` is not boolean or `lam` is not a real number.

    Notes
    -----
    Solved as the augmented least-squares problem
    :math:`\min_w \lVert [y; 0] - [X; \sqrt\lambda P] w \rVert` by the same
    scaled, refined Householder QR as `fit_mle`; with ``lam = 0`` it equals
    `fit_mle`'s weights. With ``lam > 0`` and every weight penalised it works
    for any `X`, including ``n < d``.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import fit_map
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    >>> y = np.array([0.0, 1.0, 2.0])
    >>> fit_map(X, y, 0.0).weights.round(12) + 0.0
    array([0., 1.])
    >>> fit = fit_map(X, y, 1.0, penalize=[False, True])
    >>> fit.weights.round(6)  # slope shrunk from 1 to 2/3, intercept unpenalised
    array([0.333333, 0.666667])
    >>> round(fit.objective, 12)
    0.666666666667
    """
    X, y = design_and_target(X, y)
    lam = real_scalar(lam, "lam", nonnegative=True)
    n, d = X.shape
    mask = penalty_mask(penalize, d)
    w, r, cond, _, _ = ridge_solve(X, y, lam, mask)
    rss = _sum_squares(r[:n])
    penalty = lam * math.fsum(np.square(w[mask])) if lam > 0 else 0.0
    return MAPResult(weights=w, lam=lam, penalize=mask, rss=rss, penalty=penalty,
                     objective=rss + penalty, n=n, d=d, cond=cond)


def ridge_solve(X, y, lam, mask):
    """`lstsq` of the augmented problem ``[X; sqrt(lam) P] w ~ [y; 0]`` (checked inputs)."""
    n, d = X.shape
    rows = np.flatnonzero(mask) if lam > 0 else np.array([], dtype=int)
    if rows.size == 0:
        return lstsq(X, y, what="X")
    prior = np.zeros((rows.size, d))
    prior[np.arange(rows.size), rows] = math.sqrt(lam)
    return lstsq(np.vstack([X, prior]), np.concatenate([y, np.zeros(rows.size)]),
                 what="X")


def ridge_lambda(sigma, sigma_w):
    r"""Ridge penalty equivalent to a Gaussian prior: :math:`\lambda = \sigma^2/\sigma_w^2`.

    Parameters
    ----------
    sigma : float
        Noise standard deviation, > 0.
    sigma_w : float
        Prior standard deviation of each weight, > 0.

    Returns
    -------
    float

    Notes
    -----
    Other conventions for the same quantity: with precisions
    :math:`\alpha = 1/\sigma_w^2` and :math:`\beta = 1/\sigma^2` (Bishop),
    :math:`\lambda = \alpha/\beta`; scikit-learn's ``Ridge(alpha=lam)``.

    Examples
    --------
    >>> from mlemap import ridge_lambda
    >>> ridge_lambda(2.0, 0.5)
    16.0
    """
    sigma = real_scalar(sigma, "sigma", positive=True)
    sigma_w = real_scalar(sigma_w, "sigma_w", positive=True)
    return (sigma / sigma_w) ** 2
