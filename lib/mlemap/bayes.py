"""Bayesian linear regression with the prior w ~ N(0, sigma_w**2 I)."""

import dataclasses
import math

import numpy as np
from scipy.linalg import solve_triangular

from ._checks import as_real_array, design_and_target, real_scalar
from ._result import Result, frozen
from .linear import ridge_lambda, ridge_solve

__all__ = ["posterior", "predictive", "log_evidence", "Posterior", "Predictive"]


@frozen
class Posterior(Result):
    r"""Gaussian posterior :math:`N(m_N, S_N)` of the weights; see `posterior`.

    Attributes
    ----------
    mean : ndarray, shape (d,)
        Posterior mean :math:`m_N` (also the MAP estimate).
    cov : ndarray, shape (d, d)
        Posterior covariance :math:`S_N = \sigma^2 (X^T X + \lambda I)^{-1}`.
    sigma : float
        Noise standard deviation the posterior was computed for.
    sigma_w : float
        Prior standard deviation of each weight.
    lam : float
        The equivalent ridge penalty :math:`\sigma^2/\sigma_w^2`.
    cov_sqrt : ndarray, shape (d, d)
        Upper-triangular factor with ``cov = cov_sqrt @ cov_sqrt.T``
        (used for predictive variances, which are then never negative).
    """

    mean: np.ndarray
    cov: np.ndarray
    sigma: float
    sigma_w: float
    lam: float
    cov_sqrt: np.ndarray = dataclasses.field(repr=False)


@frozen
class Predictive(Result):
    r"""Posterior predictive :math:`N(\text{mean}, \text{var})` at new inputs; see `predictive`.

    Attributes
    ----------
    mean : ndarray, shape (m,)
        :math:`x^T m_N`.
    var : ndarray, shape (m,)
        Total predictive variance ``noise_var + param_var``.
    noise_var : float
        The irreducible part :math:`\sigma^2`.
    param_var : ndarray, shape (m,)
        The part due to uncertainty in the weights, :math:`x^T S_N x`.
    std : ndarray, shape (m,)
        ``sqrt(var)``.
    """

    mean: np.ndarray
    var: np.ndarray
    noise_var: float
    param_var: np.ndarray
    std: np.ndarray


def _sigmas(sigma, sigma_w):
    return (real_scalar(sigma, "sigma", positive=True),
            real_scalar(sigma_w, "sigma_w", positive=True))


def posterior(X, y, sigma, sigma_w):
    r"""Posterior of the weights for :math:`y \sim N(Xw, \sigma^2 I)`, :math:`w \sim N(0, \sigma_w^2 I)`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix, used as given (an intercept column, if any, gets the
        same prior as the other weights).
    y : array_like, shape (n,)
        Targets.
    sigma : float
        Known noise standard deviation, > 0.
    sigma_w : float
        Prior standard deviation of every weight, > 0.

    Returns
    -------
    Posterior
        ``mean``, ``cov``, ``sigma``, ``sigma_w``, ``lam`` and ``cov_sqrt``.

    Notes
    -----
    With :math:`\lambda = \sigma^2/\sigma_w^2`,

    .. math:: S_N = \sigma^2 (X^T X + \lambda I)^{-1}, \qquad
              m_N = (X^T X + \lambda I)^{-1} X^T y,

    so :math:`m_N` is exactly ``fit_map(X, y, ridge_lambda(sigma, sigma_w))``
    (the same computation, bit for bit). Both come from one Householder QR
    of the column-scaled stacked matrix :math:`A = [X; \sqrt\lambda I] = QR`:
    :math:`S_N = \sigma^2 R^{-1} R^{-T}`. Neither :math:`X^T X` nor an
    inverse of it is formed.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import posterior
    >>> X = np.array([[1.0], [2.0]])
    >>> post = posterior(X, np.array([1.0, 2.0]), sigma=1.0, sigma_w=1.0)
    >>> post.mean.round(6), post.cov.round(6)  # m = 5/6, S = 1/6
    (array([0.833333]), array([[0.166667]]))
    """
    X, y = design_and_target(X, y)
    sigma, sigma_w = _sigmas(sigma, sigma_w)
    lam = ridge_lambda(sigma, sigma_w)
    d = X.shape[1]
    sol = ridge_solve(X, y, lam, np.ones(d, dtype=bool))
    r_inv = solve_triangular(sol.R, np.eye(d))
    cov_sqrt = sigma * r_inv / sol.scale[:, None]
    cov = cov_sqrt @ cov_sqrt.T
    cov = 0.5 * (cov + cov.T)
    return Posterior(mean=sol.x, cov=cov, sigma=sigma, sigma_w=sigma_w, lam=lam,
                     cov_sqrt=cov_sqrt)


def predictive(X_new, post, sigma=None):
    r"""Posterior predictive distribution of new targets.

    Parameters
    ----------
    X_new : array_like, shape (m, d)
        New design rows (built the same way as the training `X`).
    post : Posterior
        The result of `posterior`.
    sigma : float, optional
        Noise standard deviation of the new targets; default ``post.sigma``.

    Returns
    -------
    Predictive
        ``mean`` :math:`= X_{new} m_N`, ``noise_var`` :math:`=\sigma^2`,
        ``param_var`` :math:`= x^T S_N x` per row, ``var`` (their sum) and
        ``std``.

    Notes
    -----
    :math:`p(y_* \mid x_*, D) = N(x_*^T m_N,\; \sigma^2 + x_*^T S_N x_*)`.
    The parameter part is computed as :math:`\lVert L^T x_*\rVert^2` with
    ``L = post.cov_sqrt``, so it is never negative. As more data arrive the
    parameter part shrinks towards 0 and the noise part stays.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import posterior, predictive
    >>> post = posterior(np.array([[1.0], [2.0]]), np.array([1.0, 2.0]), 1.0, 1.0)
    >>> pred = predictive(np.array([[3.0]]), post)
    >>> pred.mean, pred.noise_var, pred.param_var, pred.var  # 9/6 = 1.5
    (array([2.5]), 1.0, array([1.5]), array([2.5]))
    """
    if not isinstance(post, Posterior):
        raise TypeError(
            f"`post` must be the Posterior returned by `posterior`, got "
            f"{type(post).__name__}."
        )
    d = post.mean.shape[0]
    X_new = as_real_array(X_new, "X_new", ndim=2)
    if X_new.shape[1] != d:
        raise ValueError(
            f"`X_new` has {X_new.shape[1]} columns but the posterior has d={d} weights."
        )
    sigma = post.sigma if sigma is None else real_scalar(sigma, "sigma", positive=True)
    param_var = np.sum(np.square(X_new @ post.cov_sqrt), axis=1)
    noise_var = sigma * sigma
    var = noise_var + param_var
    return Predictive(mean=X_new @ post.mean, var=var, noise_var=noise_var,
                      param_var=param_var, std=np.sqrt(var))


def log_evidence(X, y, sigma, sigma_w):
    r"""Log marginal likelihood :math:`\log N(y \mid 0,\; \sigma^2 I + \sigma_w^2 X X^T)`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix (any n, d).
    y : array_like, shape (n,)
        Targets.
    sigma : float
        Noise standard deviation, > 0.
    sigma_w : float
        Prior standard deviation of every weight, > 0.

    Returns
    -------
    float
        :math:`\log p(y \mid X, \sigma, \sigma_w) = \log \int N(y\mid Xw,\sigma^2 I)\,N(w\mid 0,\sigma_w^2 I)\,dw`.

    Notes
    -----
    Never forms the :math:`n\times n` covariance :math:`C`. With
    :math:`\lambda=\sigma^2/\sigma_w^2`, the matrix determinant lemma and
    the Woodbury identity give

    .. math:: \log p = -\tfrac n2\log(2\pi\sigma^2)
              - \tfrac12\log\det\!\big(I + X^TX/\lambda\big)
              - \frac{\lVert y - Xm_N\rVert^2 + \lambda\lVert m_N\rVert^2}{2\sigma^2},

    where :math:`m_N` is the posterior mean. The determinant comes from the
    triangular factor of the stacked matrix :math:`[X;\sqrt\lambda I]` (the
    same QR as `posterior`): :math:`\det(X^TX+\lambda I) = \prod_j R_{jj}^2`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import multivariate_normal
    >>> from mlemap import log_evidence
    >>> X = np.array([[1.0, 0.5], [1.0, 1.5], [1.0, 3.0]])
    >>> y = np.array([0.3, 1.2, 2.1])
    >>> C = 0.5**2 * np.eye(3) + 2.0**2 * X @ X.T
    >>> bool(np.isclose(log_evidence(X, y, 0.5, 2.0),
    ...                 multivariate_normal(np.zeros(3), C).logpdf(y)))
    True
    """
    X, y = design_and_target(X, y)
    sigma, sigma_w = _sigmas(sigma, sigma_w)
    lam = ridge_lambda(sigma, sigma_w)
    n, d = X.shape
    sol = ridge_solve(X, y, lam, np.ones(d, dtype=bool))
    # log det(X^T X + lam I) = 2 sum log|R_jj s_j|; subtract d log(lam).
    log_r = np.concatenate([np.log(np.abs(np.diag(sol.R))), np.log(sol.scale)])
    log_det = 2.0 * math.fsum(log_r) - d * math.log(lam)
    fit = math.fsum(np.square(sol.residual))  # ||y - X m||^2 + lam ||m||^2
    return math.fsum([-0.5 * n * math.log(2 * math.pi * sigma * sigma),
                      -0.5 * log_det, -0.5 * fit / (sigma * sigma)])
