r"""One ridge penalty, five notations: conversions between them.

The book writes the MAP objective of the linear-Gaussian model as

.. math:: J(w) = \lVert y - Xw \rVert^2 + \lambda \lVert w \rVert^2,
          \qquad \lambda = \sigma^2 / \sigma_w^2,

with noise :math:`y \sim N(Xw, \sigma^2 I)` and prior
:math:`w \sim N(0, \sigma_w^2 I)` (see `mlemap.fit_map` and
`mlemap.ridge_lambda`). Other texts and libraries name the same quantity
differently:

* Bishop (PRML, section 3.3) uses precisions, :math:`\alpha = 1/\sigma_w^2`
  for the prior and :math:`\beta = 1/\sigma^2` for the noise, and
  :math:`\lambda = \alpha/\beta`;
* scikit-learn's ``Ridge(alpha=a, fit_intercept=False)`` minimises
  :math:`\lVert y - Xw\rVert^2 + a\lVert w\rVert^2`, so ``a`` is
  :math:`\lambda`; with its default ``fit_intercept=True`` the intercept is
  not penalised (``fit_map(..., penalize=[False, True, ...])``);
* PyTorch's ``SGD(weight_decay=c)`` and ``Adam(weight_decay=c)`` add
  :math:`c\,w` to the gradient of the training loss, i.e. they minimise
  loss :math:`+ \tfrac c2 \lVert w\rVert^2`. The right ``c`` depends on
  whether the loss is the sum or the mean of the squared errors (the
  default ``MSELoss`` takes the mean). ``weight_decay`` applies to every
  parameter in the optimiser's parameter group, biases included, unless they
  are put in a group of their own with ``weight_decay=0``. ``AdamW``'s ``weight_decay`` is
  decoupled decay, which is not a penalty on any loss, and has no
  :math:`\lambda` (see the chapter "Weight decay").

Every function validates its input first and raises ``TypeError`` or
``ValueError`` naming the parameter.
"""

from typing import NamedTuple

from ._checks import integer, real_scalar
from ._result import Result, frozen
from .linear import ridge_lambda

__all__ = [
    "AlphaBeta",
    "Sigmas",
    "Conventions",
    "bishop_alpha_beta",
    "sigmas_from_alpha_beta",
    "lambda_from_alpha_beta",
    "sklearn_alpha",
    "lambda_from_sklearn_alpha",
    "torch_weight_decay",
    "lambda_from_torch_weight_decay",
    "conventions",
]

_LOSSES = ("mean", "sum")


class AlphaBeta(NamedTuple):
    """Bishop's precisions: prior ``alpha`` = 1/sigma_w**2, noise ``beta`` = 1/sigma**2."""

    alpha: float
    beta: float


class Sigmas(NamedTuple):
    """Standard deviations: noise ``sigma`` and prior ``sigma_w``."""

    sigma: float
    sigma_w: float


def _loss(loss):
    if not isinstance(loss, str):
        raise TypeError(f"`loss` must be 'mean' or 'sum', got {type(loss).__name__}.")
    if loss not in _LOSSES:
        raise ValueError(f"`loss` must be 'mean' or 'sum', got {loss!r}.")
    return loss


def bishop_alpha_beta(sigma, sigma_w):
    r"""Bishop's precisions from the standard deviations.

    Parameters
    ----------
    sigma : float
        Noise standard deviation :math:`\sigma > 0`.
    sigma_w : float
        Prior standard deviation of each weight, :math:`\sigma_w > 0`.

    Returns
    -------
    AlphaBeta
        ``alpha`` :math:`= 1/\sigma_w^2` (prior precision) and
        ``beta`` :math:`= 1/\sigma^2` (noise precision).

    See Also
    --------
    sigmas_from_alpha_beta : the inverse.
    lambda_from_alpha_beta : the ridge penalty :math:`\alpha/\beta`.

    Notes
    -----
    The order of the arguments follows the book (noise first); the order
    of the result follows Bishop (prior first). Use the field names.

    Examples
    --------
    >>> from mlemap.notation import bishop_alpha_beta
    >>> bishop_alpha_beta(sigma=0.5, sigma_w=2.0)
    AlphaBeta(alpha=0.25, beta=4.0)
    """
    sigma = real_scalar(sigma, "sigma", positive=True)
    sigma_w = real_scalar(sigma_w, "sigma_w", positive=True)
    return AlphaBeta(alpha=1.0 / sigma_w**2, beta=1.0 / sigma**2)


def sigmas_from_alpha_beta(alpha, beta):
    r"""Standard deviations from Bishop's precisions.

    Parameters
    ----------
    alpha : float
        Prior precision :math:`\alpha > 0`.
    beta : float
        Noise precision :math:`\beta > 0`.

    Returns
    -------
    Sigmas
        ``sigma`` :math:`= \beta^{-1/2}` and ``sigma_w`` :math:`= \alpha^{-1/2}`.

    Examples
    --------
    >>> from mlemap.notation import sigmas_from_alpha_beta
    >>> sigmas_from_alpha_beta(alpha=0.25, beta=4.0)
    Sigmas(sigma=0.5, sigma_w=2.0)
    """
    alpha = real_scalar(alpha, "alpha", positive=True)
    beta = real_scalar(beta, "beta", positive=True)
    return Sigmas(sigma=beta**-0.5, sigma_w=alpha**-0.5)


def lambda_from_alpha_beta(alpha, beta):
    r"""The ridge penalty :math:`\lambda = \alpha/\beta` (Bishop's eq. 3.55).

    Parameters
    ----------
    alpha : float
        Prior precision :math:`\alpha > 0`.
    beta : float
        Noise precision :math:`\beta > 0`.

    Returns
    -------
    float
        :math:`\lambda = \alpha/\beta = \sigma^2/\sigma_w^2`, the penalty
        weight of `mlemap.fit_map`.

    Examples
    --------
    >>> from mlemap.notation import lambda_from_alpha_beta
    >>> lambda_from_alpha_beta(alpha=0.25, beta=4.0)
    0.0625
    """
    alpha = real_scalar(alpha, "alpha", positive=True)
    beta = real_scalar(beta, "beta", positive=True)
    return alpha / beta


def sklearn_alpha(lam):
    r"""scikit-learn's ``Ridge(alpha=...)`` for the penalty :math:`\lambda`.

    Parameters
    ----------
    lam : float
        Penalty weight :math:`\lambda \ge 0` of
        :math:`\lVert y - Xw\rVert^2 + \lambda\lVert w\rVert^2`.

    Returns
    -------
    float
        ``alpha``, equal to `lam`.

    Notes
    -----
    ``Ridge`` minimises :math:`\lVert y - Xw\rVert_2^2 + \alpha\lVert w\rVert_2^2`,
    the book's objective, so the map is the identity. With the default
    ``fit_intercept=True``, ``Ridge`` leaves the intercept unpenalised: that is
    ``fit_map(X, y, lam, penalize=[False, True, ...])`` with a column of
    ones first. Its ``alpha`` has nothing to do with Bishop's
    :math:`\alpha` (a precision), nor with the ``alpha`` of
    ``SGDRegressor`` (a penalty on the *mean* loss).

    Examples
    --------
    >>> from mlemap.notation import sklearn_alpha
    >>> sklearn_alpha(16.0)
    16.0
    """
    return real_scalar(lam, "lam", nonnegative=True)


def lambda_from_sklearn_alpha(alpha):
    r"""The penalty :math:`\lambda` of scikit-learn's ``Ridge(alpha=alpha)``.

    Parameters
    ----------
    alpha : float
        ``Ridge``'s ``alpha``, >= 0.

    Returns
    -------
    float
        :math:`\lambda`, equal to `alpha`.

    Examples
    --------
    >>> from mlemap.notation import lambda_from_sklearn_alpha
    >>> lambda_from_sklearn_alpha(16.0)
    16.0
    """
    return real_scalar(alpha, "alpha", nonnegative=True)


def torch_weight_decay(lam, *, n, loss="mean"):
    r"""PyTorch's ``weight_decay`` (``SGD``, ``Adam``) equivalent to the penalty :math:`\lambda`.

    Parameters
    ----------
    lam : float
        Penalty weight :math:`\lambda \ge 0` of
        :math:`\lVert y - Xw\rVert^2 + \lambda\lVert w\rVert^2`.
    n : int
        Number of data points in the loss, >= 1.
    loss : {'mean', 'sum'}, optional
        How the training loss adds up the squared errors: ``'mean'``,
        :math:`\tfrac1n\lVert y - Xw\rVert^2` (``MSELoss()``, the default),
        or ``'sum'``, :math:`\lVert y - Xw\rVert^2`
        (``MSELoss(reduction='sum')``).

    Returns
    -------
    float
        :math:`c = 2\lambda/n` for the mean loss, :math:`c = 2\lambda` for
        the sum.

    See Also
    --------
    lambda_from_torch_weight_decay : the inverse.

    Notes
    -----
    ``weight_decay=c`` adds :math:`c\,w` to the gradient, so the optimiser
    minimises :math:`L(w) + \tfrac c2\lVert w\rVert^2`. For the mean loss,
    :math:`n` times that is :math:`\lVert y - Xw\rVert^2 + \tfrac{nc}{2}\lVert w\rVert^2`,
    the book's objective with :math:`\lambda = nc/2`; for the sum loss,
    :math:`\lambda = c/2`. The minimiser is then `mlemap.fit_map`'s. With
    minibatches of mean loss the same ``c`` applies, with `n` the size of
    the whole data set. PyTorch penalises every parameter it is given, the
    bias included: that is `mlemap.fit_map` with every weight penalised, not
    scikit-learn's default ``Ridge``. This does not hold for ``AdamW``.

    Examples
    --------
    >>> from mlemap.notation import torch_weight_decay
    >>> torch_weight_decay(16.0, n=64)             # MSELoss(), the mean
    0.5
    >>> torch_weight_decay(16.0, n=64, loss="sum")
    32.0
    """
    lam = real_scalar(lam, "lam", nonnegative=True)
    n = integer(n, "n", minimum=1)
    loss = _loss(loss)
    return 2.0 * lam / n if loss == "mean" else 2.0 * lam


def lambda_from_torch_weight_decay(weight_decay, *, n, loss="mean"):
    r"""The penalty :math:`\lambda` equivalent to PyTorch's ``weight_decay`` (``SGD``, ``Adam``).

    Parameters
    ----------
    weight_decay : float
        PyTorch's coefficient :math:`c \ge 0`.
    n : int
        Number of data points in the loss, >= 1.
    loss : {'mean', 'sum'}, optional
        Mean (default) or sum of the squared errors; see `torch_weight_decay`.

    Returns
    -------
    float
        :math:`\lambda = nc/2` for the mean loss, :math:`c/2` for the sum.

    Examples
    --------
    >>> from mlemap.notation import lambda_from_torch_weight_decay
    >>> lambda_from_torch_weight_decay(0.5, n=64)
    16.0
    >>> lambda_from_torch_weight_decay(32.0, n=64, loss="sum")
    16.0
    """
    weight_decay = real_scalar(weight_decay, "weight_decay", nonnegative=True)
    n = integer(n, "n", minimum=1)
    loss = _loss(loss)
    return n * weight_decay / 2.0 if loss == "mean" else weight_decay / 2.0


@frozen
class Conventions(Result):
    r"""One prior and noise level in every notation; see `conventions`.

    Attributes
    ----------
    sigma, sigma_w : float
        Noise and prior standard deviations.
    n : int
        Number of data points (only the mean-loss ``weight_decay`` needs it).
    sigma2, sigma_w2 : float
        The variances :math:`\sigma^2` and :math:`\sigma_w^2`.
    alpha, beta : float
        Bishop's precisions :math:`1/\sigma_w^2` and :math:`1/\sigma^2`.
    lam : float
        :math:`\lambda = \sigma^2/\sigma_w^2 = \alpha/\beta`.
    sklearn_alpha : float
        ``Ridge(alpha=...)``.
    torch_wd_sum, torch_wd_mean : float
        PyTorch ``SGD``/``Adam`` ``weight_decay`` for a summed and for a
        mean squared-error loss.
    """

    sigma: float
    sigma_w: float
    n: int
    sigma2: float
    sigma_w2: float
    alpha: float
    beta: float
    lam: float
    sklearn_alpha: float
    torch_wd_sum: float
    torch_wd_mean: float


def conventions(sigma, sigma_w, *, n):
    r"""The ridge penalty of a noise level and a prior, in every notation of the book.

    Parameters
    ----------
    sigma : float
        Noise standard deviation, > 0.
    sigma_w : float
        Prior standard deviation of each weight, > 0.
    n : int
        Number of data points, >= 1.

    Returns
    -------
    Conventions
        ``sigma2``, ``sigma_w2``, ``alpha``, ``beta``, ``lam``,
        ``sklearn_alpha``, ``torch_wd_sum`` and ``torch_wd_mean``.

    Examples
    --------
    >>> from mlemap.notation import conventions
    >>> c = conventions(2.0, 0.5, n=64)
    >>> c.lam, c.alpha / c.beta, c.sklearn_alpha, c.torch_wd_mean, c.torch_wd_sum
    (16.0, 16.0, 16.0, 0.5, 32.0)
    """
    sigma = real_scalar(sigma, "sigma", positive=True)
    sigma_w = real_scalar(sigma_w, "sigma_w", positive=True)
    n = integer(n, "n", minimum=1)
    precisions = bishop_alpha_beta(sigma, sigma_w)
    lam = ridge_lambda(sigma, sigma_w)
    return Conventions(
        sigma=sigma, sigma_w=sigma_w, n=n, sigma2=sigma**2, sigma_w2=sigma_w**2,
        alpha=precisions.alpha, beta=precisions.beta, lam=lam,
        sklearn_alpha=sklearn_alpha(lam),
        torch_wd_sum=torch_weight_decay(lam, n=n, loss="sum"),
        torch_wd_mean=torch_weight_decay(lam, n=n, loss="mean"))
