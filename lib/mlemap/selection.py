"""Choosing the ridge penalty by cross-validation over ``n_folds`` folds.

The number of folds is ``n_folds``, not ``k``: in the book :math:`k` is a
fish's weight.
"""

import math

import numpy as np

from ._checks import as_real_array, design_and_target, generator, integer, penalty_mask, reject_unknown
from ._result import Result, frozen
from .linear import fit_map

__all__ = ["kfold_cv", "CVResult"]


@frozen
class CVResult(Result):
    """Cross-validation scores of `fit_map` over a grid of penalties; see `kfold_cv`.

    Attributes
    ----------
    lams : ndarray, shape (m,)
        The penalties tried, in the order given.
    mse : ndarray, shape (m,)
        Mean held-out squared error over all ``n`` points (each point is
        held out exactly once).
    fold_mse : ndarray, shape (n_folds, m)
        Mean held-out squared error of each fold.
    best_lam : float
        The penalty with the smallest ``mse`` (the first, if tied).
    folds : tuple of ndarray
        The held-out indices of each fold.
    """

    lams: np.ndarray
    mse: np.ndarray
    fold_mse: np.ndarray
    best_lam: float
    folds: tuple


def kfold_cv(X, y, lams, *, n_folds=5, rng, penalize=None, **removed):
    r"""Cross-validated squared error of `fit_map` for each penalty, over ``n_folds`` folds.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix, used as given.
    y : array_like, shape (n,)
        Targets.
    lams : array_like, shape (m,)
        Penalties :math:`\lambda \ge 0` to try.
    n_folds : int, keyword-only, optional
        Number of folds, 2 <= n_folds <= n (default 5). (It was called
        ``k`` before; ``k`` is now rejected, since the book's :math:`k` is a
        fish's weight.)
    rng : int or numpy.random.Generator, keyword-only
        Seed or generator for the random split (required: the split is
        part of the result).
    penalize : array_like of bool, shape (d,), keyword-only, optional
        Passed to `fit_map`. By default every weight, including an
        intercept column, is penalised; pass ``[False, True, ...]`` to
        leave the intercept free (usually what you want).

    Returns
    -------
    CVResult
        ``lams``, ``mse``, ``fold_mse``, ``best_lam``, ``folds``.

    Raises
    ------
    TypeError
        If the old keyword ``k`` is passed (use ``n_folds``), for any other
        unknown keyword, or for a non-integer ``n_folds``.
    ValueError
        Bad shapes or non-finite input, a negative penalty, or ``n_folds``
        outside 2..n.

    Notes
    -----
    The rows are shuffled once with `rng` and cut into `n_folds` folds of sizes
    differing by at most one (``numpy.array_split``); the same folds are
    used for every penalty. For each fold the model is fitted on the other
    folds and scored by the squared error on the held-out fold. ``mse``
    pools all held-out errors (sum over the `n` points divided by `n`), so
    unequal fold sizes are weighted correctly.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import kfold_cv, polynomial_design, simulate_fish
    >>> fish = simulate_fish(40, rng=0)
    >>> X = polynomial_design((fish.length_cm - 32.5) / 12.5, 8)
    >>> cv = kfold_cv(X, fish.weight_g, [1e-6, 1e-2, 1.0, 100.0], n_folds=5, rng=0,
    ...               penalize=np.arange(9) > 0)
    >>> cv.mse.round(0)
    array([ 1744.,  1255.,  2219., 58893.])
    >>> cv.best_lam
    0.01
    """
    reject_unknown("kfold_cv", removed, renamed={"k": (
        "no longer takes `k`: the number of folds is now `n_folds` (in the book k is a "
        "fish's weight).")})
    X, y = design_and_target(X, y)
    lams = as_real_array(lams, "lams", ndim=1)
    if np.any(lams < 0):
        raise ValueError("`lams` must all be >= 0.")
    n, d = X.shape
    n_folds = integer(n_folds, "n_folds", minimum=2)
    if n_folds > n:
        raise ValueError(f"`n_folds` must be <= n={n}, got {n_folds}.")
    gen = generator(rng)
    mask = penalty_mask(penalize, d)
    folds = tuple(np.sort(f) for f in np.array_split(gen.permutation(n), n_folds))
    sse = np.zeros((n_folds, lams.size))
    for i, held in enumerate(folds):
        train = np.ones(n, dtype=bool)
        train[held] = False
        for j, lam in enumerate(lams):
            w = fit_map(X[train], y[train], float(lam), penalize=mask).weights
            sse[i, j] = math.fsum(np.square(y[held] - X[held] @ w))
    sizes = np.array([f.size for f in folds])[:, None]
    mse = sse.sum(axis=0) / n
    return CVResult(lams=lams.copy(), mse=mse, fold_mse=sse / sizes,
                    best_lam=float(lams[int(np.argmin(mse))]), folds=folds)
