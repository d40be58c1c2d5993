"""Bernoulli likelihood: logistic regression by Newton's method (IRLS)."""

import math

import numpy as np
from scipy.optimize import linprog
from scipy.special import expit

from ._checks import as_real_array, design_and_target, integer, penalty_mask, real_scalar
from ._result import Result, frozen
from ._solve import lstsq, power_of_two_scale
from .density import binary_cross_entropy

__all__ = ["fit_logistic", "LogisticResult"]


@frozen
class LogisticResult(Result):
    """Logistic-regression fit; see `fit_logistic`.

    Attributes
    ----------
    weights : ndarray, shape (d,)
        The MLE (``lam = 0``) or MAP estimate of the weights.
    log_likelihood : float
        Bernoulli log likelihood :math:`\\sum_i t_i\\log p_i + (1-t_i)\\log(1-p_i)`
        at the solution.
    objective : float
        ``-log_likelihood + lam/2 * sum(penalize * w**2)``, the minimised value.
    lam : float
        Penalty weight (prior precision).
    penalize : ndarray of bool, shape (d,)
        Which weights were penalised.
    n_iter : int
        Newton steps taken.
    """

    weights: np.ndarray
    log_likelihood: float
    objective: float
    lam: float
    penalize: np.ndarray
    n_iter: int


def _separable(X, t):
    """True if some w != 0 has (2t-1) * X w >= 0 for every row (no finite MLE)."""
    s = np.where(t > 0.5, 1.0, -1.0)
    Z = (X / power_of_two_scale(X)) * s[:, None]
    n, d = Z.shape
    res = linprog(-Z.sum(axis=0), A_ub=-Z, b_ub=np.zeros(n), bounds=[(-1, 1)] * d,
                  method="highs")
    return res.status == 0 and -res.fun > 1e-9 * n


def fit_logistic(X, t, *, lam=0.0, penalize=None, max_iter=100):
    r"""Logistic regression: Bernoulli-likelihood MLE or Gaussian-prior MAP.

    Model :math:`t_i \sim \text{Bernoulli}(p_i)`, :math:`p_i = \sigma(x_i^T w)`.
    Minimises

    .. math:: -\sum_i \big[t_i \log p_i + (1-t_i)\log(1-p_i)\big]
              + \frac{\lambda}{2} \sum_j p_j w_j^2 ,

    the negative log posterior for the prior :math:`w_j \sim N(0, 1/\lambda)`
    on the penalised weights (``lam = 0``: the MLE).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix, used as given (include a column of ones for an intercept).
    t : array_like, shape (n,)
        Labels, each 0 or 1.
    lam : float, optional
        Prior precision :math:`\lambda = 1/\sigma_w^2 \ge 0` (default 0). Note
        the factor 1/2, unlike `fit_map`. scikit-learn's
        ``LogisticRegression(C=C)`` (L2 penalty) minimises
        :math:`\tfrac12\lVert w\rVert^2 + C\sum_i \ell_i`, so it corresponds
        to ``lam = 1 / C``; with its default ``fit_intercept=True`` the
        intercept is unpenalised (a column of ones with `penalize` False here),
        except with its ``liblinear`` solver.
    penalize : array_like of bool, shape (d,), optional
        Which weights are penalised; default all.
    max_iter : int, optional
        Maximum Newton iterations (default 100).

    Returns
    -------
    LogisticResult
        ``weights``, ``log_likelihood``, ``objective``, ``lam``, ``penalize``,
        ``n_iter``.

    Raises
    ------
    ValueError
        Bad input; labels other than 0/1; with ``lam = 0``, a rank-deficient
        `X` or classes that are (quasi-)completely separated by `X`, where
        the likelihood has no maximiser (the weights run off to infinity);
        or no convergence.

    Notes
    -----
    Newton's method with step halving, i.e. iteratively reweighted least
    squares: gradient :math:`X^T(p - t) + \lambda P w`, Hessian
    :math:`X^T \text{diag}(p(1-p)) X + \lambda P`. Each Newton step is a
    least-squares solve with the stacked matrix
    :math:`[\sqrt{W}X; \sqrt{\lambda}P]` (scaled QR, never an inverse).
    The loss is evaluated from the logits with `binary_cross_entropy`, so
    it never takes the log of 0.

    Near the optimum the decrease a Newton step predicts, the squared Newton
    decrement :math:`-g^T s`, falls below the rounding error of the
    objective itself. The sufficient-decrease (Armijo) test therefore allows
    for that rounding (a few ``eps`` times the objective and the logits);
    without the allowance it rejects the full step, halves it away, and the
    iteration stops with a relative gradient near 1e-9. The loop ends when
    every gradient component is at its rounding level,
    :math:`|g_j| \le 8\,\epsilon\,(\sum_i |x_{ij}| + \lambda p_j |w_j|)`,
    or when a step no longer moves `w` beyond rounding. Separation is detected before iterating
    by a linear program (Albert & Anderson 1984): it asks for a direction
    :math:`w \ne 0` with :math:`(2t_i-1)x_i^T w \ge 0` for all `i`.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import fit_logistic
    >>> X = np.column_stack([np.ones(6), [-2.0, -1.0, 0.5, -0.5, 1.0, 2.0]])
    >>> t = np.array([0, 0, 0, 1, 1, 1])
    >>> fit = fit_logistic(X, t)
    >>> fit.weights.round(4) + 0.0, round(fit.log_likelihood, 4)
    (array([0.    , 1.3511]), -2.7642)
    >>> fit_logistic(X[[0, 1, 4, 5]], t[[0, 1, 4, 5]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: `t` is separated by `X`: ... use `lam` > 0.
    """
    X, t = design_and_target(X, t, y_name="t")
    if not np.all((t == 0) | (t == 1)):
        raise ValueError("`t` must contain only 0 and 1.")
    lam = real_scalar(lam, "lam", nonnegative=True)
    n, d = X.shape
    mask = penalty_mask(penalize, d)
    max_iter = integer(max_iter, "max_iter", minimum=1)
    prior = lam * mask
    if lam == 0:
        if n <= d:
            raise ValueError(f"`X` has n={n} rows and d={d} columns; the MLE needs "
                             "n > d. Use `lam` > 0.")
        lstsq(X, t, what="X")  # raises if X is rank deficient
        if _separable(X, t):
            raise ValueError(
                "`t` is separated by `X`: some direction of w classifies every "
                "point correctly, so the likelihood has no maximum (the weights "
                "run off to infinity). For a finite estimate use `lam` > 0."
            )

    def objective(w):
        a = X @ w
        nll = binary_cross_entropy(t, a, reduction="sum")
        return nll + 0.5 * math.fsum(prior * w * w), nll

    eps = np.finfo(float).eps
    abs_X = np.abs(X)
    col_abs = abs_X.T @ np.ones(n)  # sum_i |x_ij|, for the gradient's rounding level
    w = np.zeros(d)
    value, nll = objective(w)
    steps = 0
    for iteration in range(1, max_iter + 2):
        a = X @ w
        p = expit(a)                        # sigmoid, accurate in both tails
        weight = p * expit(-a)              # p (1 - p) without cancellation
        residual = p - t
        grad = X.T @ residual + prior * w
        # The gradient's rounding level: each term x_ij (p_i - t_i) is off by about
        # eps |x_ij| (p_i has absolute error eps), and w_j by eps |w_j|.
        grad_floor = 8 * eps * (col_abs + prior * np.abs(w))
        if np.all(np.abs(grad) <= grad_floor):
            break
        if iteration > max_iter:
            raise ValueError(f"fit_logistic did not converge in `max_iter`={max_iter} "
                             "Newton iterations.")
        # Newton step: minimise ||sqrt(W) X s - r||^2 + lam ||P s||^2 with r
        # chosen so that the normal equations are H s = -grad.
        sw = np.sqrt(weight)
        rows = np.vstack([sw[:, None] * X, np.diag(np.sqrt(prior))])
        safe = np.where(sw > 0, sw, 1.0)
        target = np.concatenate([np.where(sw > 0, -residual / safe, 0.0),
                                 -np.sqrt(prior) * w])
        step = lstsq(rows, target, what="X").x
        slope = float(grad @ step)          # -(Newton decrement)^2, <= 0
        # The objective's own rounding: a sum of n non-negative losses, each off by
        # a few eps relative, plus |p_i - t_i| times the rounding of a_i = x_i^T w.
        # A step whose predicted decrease is below it cannot be judged by the
        # objective, so the sufficient-decrease (Armijo) test allows for it;
        # otherwise the last, quadratically convergent Newton steps would be halved
        # away and the loop would stop with the gradient far above rounding.
        noise = 8 * eps * (abs(value) + np.abs(residual) @ (abs_X @ np.abs(w)))
        size = 1.0
        while True:
            new_value, new_nll = objective(w + size * step)
            if new_value <= value + 1e-4 * size * slope + noise or size < 1e-10:
                break
            size *= 0.5
        w = w + size * step
        value, nll = new_value, new_nll
        steps = iteration
        if -slope <= 1e-24 * max(1.0, abs(value)) or np.max(np.abs(size * step)) \
                <= 1e-14 * (1.0 + np.max(np.abs(w))):
            break
    return LogisticResult(weights=w, log_likelihood=-nll, objective=value, lam=lam,
                          penalize=mask, n_iter=steps)
