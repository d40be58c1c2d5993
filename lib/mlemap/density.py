"""Gaussian log densities and numerically stable log-space helpers."""

import math

import numpy as np

from ._checks import as_real_array, positive_array

__all__ = [
    "gaussian_log_density",
    "gaussian_log_likelihood",
    "log_sum_exp",
    "log_softmax",
    "binary_cross_entropy",
]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _broadcast(y, mean, sigma):
    y = as_real_array(y, "y")
    mean = as_real_array(mean, "mean")
    sigma = positive_array(sigma, "sigma")
    try:
        shape = np.broadcast_shapes(y.shape, mean.shape, sigma.shape)
    except ValueError:
        raise ValueError(
            f"`y` {y.shape}, `mean` {mean.shape} and `sigma` {sigma.shape} "
            "do not broadcast together."
        ) from None
    return y, mean, sigma, shape


def gaussian_log_density(y, mean, sigma):
    r"""Elementwise Gaussian log density :math:`\log N(y \mid \mu, \sigma^2)`.

    Parameters
    ----------
    y : array_like
        Observations. Must be finite and non-empty.
    mean : array_like
        Means :math:`\mu`, broadcast against `y`.
    sigma : array_like
        Standard deviations (not variances), all > 0, broadcast against `y`.

    Returns
    -------
    ndarray
        :math:`-\tfrac12 ((y-\mu)/\sigma)^2 - \log\sigma - \tfrac12\log 2\pi`,
        with the broadcast shape of the inputs.

    Raises
    ------
    ValueError
        If an input is empty or non-finite, `sigma` is not positive, or the
        shapes do not broadcast.

    See Also
    --------
    gaussian_log_likelihood : the accurately summed total.

    Notes
    -----
    Computed in log space, so tiny `sigma` gives large finite values where
    the density itself would overflow, and far-out `y` gives large negative
    values where the density would underflow to 0.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import gaussian_log_density
    >>> gaussian_log_density([0.0, 1.0], 0.0, 1.0).round(6)
    array([-0.918939, -1.418939])
    >>> from scipy.stats import norm
    >>> bool(np.allclose(gaussian_log_density(3.0, 1.0, 2.0), norm.logpdf(3.0, 1.0, 2.0)))
    True
    """
    y, mean, sigma, shape = _broadcast(y, mean, sigma)
    z = (y - mean) / sigma
    return -0.5 * z * z - np.log(sigma) - _HALF_LOG_2PI + np.zeros(shape)


def gaussian_log_likelihood(y, mean, sigma):
    r"""Total Gaussian log likelihood :math:`\sum_i \log N(y_i \mid \mu_i, \sigma_i^2)`.

    Parameters
    ----------
    y : array_like
        Observations. Must be finite and non-empty.
    mean : array_like
        Means, broadcast against `y` (for a regression, the predictions).
    sigma : array_like
        Noise standard deviation(s), all > 0, broadcast against `y`.

    Returns
    -------
    float
        The sum of `gaussian_log_density` over the broadcast shape.

    Raises
    ------
    ValueError
        As for `gaussian_log_density`.

    Notes
    -----
    The sum is split into three well-formed parts that are each summed
    pairwise (relative error about :math:`\epsilon \log_2 n`) and combined
    with `math.fsum`:

    .. math:: -\tfrac12 \sum_i z_i^2 \;-\; \sum_i \log\sigma_i \;-\; \tfrac{n}{2}\log 2\pi,
              \qquad z_i = (y_i - \mu_i)/\sigma_i .

    It never forms the product of densities, which underflows to ``0.0``
    (log ``-inf``) long before the log likelihood becomes large. Memory use
    is one temporary of the broadcast size.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import gaussian_log_likelihood
    >>> y = np.random.default_rng(0).normal(size=2000)
    >>> float(np.prod(np.exp(-0.5 * y**2) / np.sqrt(2 * np.pi)))  # underflows
    0.0
    >>> round(gaussian_log_likelihood(y, 0.0, 1.0), 6)
    -2839.057507
    """
    y, mean, sigma, shape = _broadcast(y, mean, sigma)
    n = math.prod(shape)
    z = np.subtract(y, mean)
    if z.shape != shape:
        z = np.broadcast_to(z, shape).copy()
    z /= sigma
    np.square(z, out=z)
    sum_sq = float(np.sum(z))
    if sigma.size == 1:
        sum_log_sigma = n * math.log(float(sigma.reshape(-1)[0]))
    else:
        sum_log_sigma = float(np.sum(np.broadcast_to(np.log(sigma), shape)))
    return math.fsum([-0.5 * sum_sq, -sum_log_sigma, -n * _HALF_LOG_2PI])


def _log_sum_exp(a, axis):
    """Log-sum-exp of a checked array, keeping the reduced axis."""
    m = np.max(a, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


def log_sum_exp(a, *, axis=None):
    r"""Stable :math:`\log \sum_i e^{a_i}`.

    Parameters
    ----------
    a : array_like
        Finite real values, non-empty.
    axis : int or None, optional
        Axis to reduce over; None (default) reduces over all entries.

    Returns
    -------
    float or ndarray
        A float when `axis` is None, otherwise an array without `axis`.

    Notes
    -----
    Shifts by the maximum, :math:`m + \log\sum_i e^{a_i - m}`, so nothing
    overflows and the largest term contributes exactly :math:`e^0 = 1`.

    Examples
    --------
    >>> from mlemap import log_sum_exp
    >>> log_sum_exp([1000.0, 1000.0])  # naive np.log(np.sum(np.exp(a))) gives inf
    1000.6931471805599
    >>> log_sum_exp([[0.0, 0.0], [1.0, -1e9]], axis=1).round(6)
    array([0.693147, 1.      ])
    """
    a = as_real_array(a, "a")
    out = _log_sum_exp(a, axis)
    if axis is None:
        return float(out.reshape(-1)[0])
    return np.squeeze(out, axis=axis)


def log_softmax(a, *, axis=-1):
    r"""Stable log softmax :math:`a_i - \log\sum_j e^{a_j}` along `axis`.

    Parameters
    ----------
    a : array_like
        Finite real logits, non-empty.
    axis : int, optional
        Axis holding the classes (default: last).

    Returns
    -------
    ndarray
        Log probabilities, same shape as `a`; ``exp`` of them sums to 1.

    Notes
    -----
    Computed as :math:`(a_i - m) - \log\sum_j e^{a_j - m}` with
    :math:`m = \max_j a_j`: subtracting the maximum first keeps the
    result accurate even when the logits are large (1000 and more).

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import log_softmax
    >>> lp = log_softmax([1000.0, 1001.0, 1002.0])
    >>> lp.round(6)
    array([-2.407606, -1.407606, -0.407606])
    >>> round(float(np.exp(lp).sum()), 15)
    1.0
    """
    a = as_real_array(a, "a")
    shifted = a - np.max(a, axis=axis, keepdims=True)  # exact near the max
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def binary_cross_entropy(t, logits, *, reduction="mean"):
    r"""Binary cross-entropy computed stably from logits.

    Parameters
    ----------
    t : array_like
        Targets in [0, 1] (0/1 labels, or soft labels).
    logits : array_like
        Real logits :math:`a`, :math:`p = \sigma(a) = 1/(1+e^{-a})`; same
        shape as `t`.
    reduction : {'mean', 'sum', 'none'}, optional
        'mean' (default, as PyTorch's ``BCEWithLogitsLoss``) averages,
        'sum' gives the negative Bernoulli log likelihood, 'none' returns
        the elementwise losses.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Elementwise :math:`-t\log p - (1-t)\log(1-p)
    = \max(a, 0) - a t + \log(1 + e^{-|a|})`, which never evaluates
    :math:`\log 0` and is accurate for large :math:`|a|`.

    Examples
    --------
    >>> from mlemap import binary_cross_entropy
    >>> binary_cross_entropy([1.0, 0.0], [800.0, -800.0])  # perfect, no NaN
    0.0
    >>> binary_cross_entropy([1.0], [-800.0])  # confidently wrong: exact, not inf
    800.0
    >>> round(binary_cross_entropy([1, 0, 1], [0.5, -1.0, 2.0], reduction="sum"), 6)
    0.914267
    """
    t = as_real_array(t, "t")
    logits = as_real_array(logits, "logits")
    if t.shape != logits.shape:
        raise ValueError(
            f"`t` has shape {t.shape} but `logits` has shape {logits.shape}; "
            "they must match."
        )
    if np.any((t < 0) | (t > 1)):
        raise ValueError("`t` must lie in [0, 1].")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"`reduction` must be 'mean', 'sum' or 'none', got {reduction!r}."
        )
    a = logits
    loss = np.maximum(a, 0.0) - a * t + np.log1p(np.exp(-np.abs(a)))
    if reduction == "none":
        return loss
    total = float(np.sum(loss))
    return total / loss.size if reduction == "mean" else total
