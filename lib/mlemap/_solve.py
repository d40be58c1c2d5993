"""Accurate linear least squares: the engine behind `fit_mle` and `fit_map`.

Method
------
1. Scale every column of ``A`` by a power of two (so the scaling is exact
   and the scaled problem has exactly the same solution).
2. Householder QR of the scaled matrix (LAPACK ``geqrf``); ``Q`` is never
   formed, it is applied with ``ormqr``.
3. If the scaled matrix has condition number above ``REFINE_ABOVE``, refine
   the solution with Björck's iterative refinement of the augmented system
   ``[[I, A], [A.T, 0]] [r, x] = [b, 0]``, computing the residuals of both
   blocks in double-double arithmetic (about 32 significant digits) and
   keeping ``x`` and ``r`` in double-double.  This handles the
   ``cond(A)**2 * |r|`` term that plain QR cannot.  In the tests it returns
   the correctly rounded exact solution up to scaled condition numbers of
   about 4e15.
4. At or above ``SINGULAR_ABOVE = 1/eps`` the double-precision ``R`` cannot
   distinguish a singular matrix from a nonsingular one, so the problem is
   reported as rank deficient instead of returning an arbitrary solution.

References
----------
.. [1] Å. Björck, "Iterative refinement of linear least squares solutions I",
   BIT 7 (1967) 257-278.
.. [2] T. J. Dekker, "A floating-point technique for extending the available
   precision", Numer. Math. 18 (1971) 224-242.
"""

from typing import NamedTuple

import numpy as np
from scipy.linalg import solve_triangular
from scipy.linalg.lapack import dgeqrf, dormqr

EPS = np.finfo(np.float64).eps
#: Refine when the column-scaled condition number exceeds this.
REFINE_ABOVE = 1e4
#: Rank deficient (to working precision) above this.
SINGULAR_ABOVE = 1.0 / EPS  # beyond this R cannot tell singular from nonsingular
_SPLITTER = 134217729.0  # 2**27 + 1


class RankDeficientError(ValueError):
    """The least-squares solution is not unique (to working precision)."""


# --- double-double arithmetic (error-free transformations) ----------------

def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def _prod_error(a_hi, a_lo, b_hi, b_lo, p):
    """Exact error of ``p = a * b`` given Dekker splits of a and b."""
    return ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _dd_sum_rows(hi, lo):
    """Sum the rows of a double-double array pairwise, in double-double."""
    while hi.shape[0] > 1:
        if hi.shape[0] % 2:
            pad = np.zeros((1,) + hi.shape[1:])
            hi = np.concatenate([hi, pad])
            lo = np.concatenate([lo, pad])
        hi, err = _two_sum(hi[0::2], hi[1::2])
        lo = lo[0::2] + lo[1::2] + err
    return hi[0], lo[0]


def _residuals(A, neg_exponent, b, x, r, block=8192):
    """Residuals of the augmented system, in double-double, rounded to double.

    With ``S = A * 2**neg_exponent`` (exact, column by column), ``x = (x_hi, x_lo)`` and
    ``r = (r_hi, r_lo)`` returns ``f = b - r - S x`` and ``g = -S.T r``.
    Works through ``A`` in blocks of rows to bound the memory used.
    """
    (x_hi, x_lo), (r_hi, r_lo) = x, r
    n, m = A.shape
    x_split = _split(x_hi)
    f = np.empty(n)
    g_hi, g_lo = np.zeros(m), np.zeros(m)
    for start in range(0, n, block):
        rows = slice(start, start + block)
        S = np.ldexp(A[rows], neg_exponent)
        S_split = _split(S)
        # f: sum over columns of the exact products S x, then b - r - that.
        p = S * x_hi
        err = _prod_error(*S_split, *x_split, p) + S * x_lo
        sx_hi, sx_lo = _dd_sum_rows(np.ascontiguousarray(p.T), np.ascontiguousarray(err.T))
        s_hi, s_lo = _two_sum(b[rows], -r_hi[rows])
        s_hi, e = _two_sum(s_hi, -sx_hi)
        f[rows] = s_hi + (e + s_lo - r_lo[rows] - sx_lo)
        # g: sum over rows of the exact products S * r.
        rb = r_hi[rows, None]
        p = S * rb
        err = _prod_error(*S_split, *_split(rb), p) + S * r_lo[rows, None]
        hi, lo = _dd_sum_rows(p, err)
        g_hi, e = _two_sum(g_hi, hi)
        g_lo = g_lo + (lo + e)
    return f, -(g_hi + g_lo)


def _dd_add(x_hi, x_lo, dx):
    s, e = _two_sum(x_hi, dx)
    return _two_sum(s, e + x_lo)


# --- the solver ----------------------------------------------------------

def power_of_two_exponent(A):
    """Per-column exponents ``e`` with ``2**e`` near the largest magnitude (0 for zero columns)."""
    biggest = np.max(np.abs(A), axis=0)
    _, exponent = np.frexp(biggest)
    return np.where(biggest > 0, exponent, 0)


def power_of_two_scale(A):
    """Per-column powers of two near the largest magnitude (1 for zero columns)."""
    return np.ldexp(1.0, power_of_two_exponent(A))


class Solution(NamedTuple):
    """Output of `lstsq`; ``A = Q @ R @ diag(scale)`` with ``R`` upper triangular."""

    x: np.ndarray
    residual: np.ndarray
    cond: float
    R: np.ndarray
    scale: np.ndarray


def lstsq(A, b, *, what="X"):
    """Minimise ``||b - A x||`` accurately; returns a `Solution`.

    ``cond`` is the 2-norm condition number of the column-scaled ``A``.
    Raises `RankDeficientError` naming `what` when the solution is not
    unique to working precision.
    """
    n, m = A.shape
    if n < m:
        raise RankDeficientError(
            f"`{what}` has {n} rows and {m} columns: with fewer rows than "
            "columns the least-squares solution is not unique."
        )
    exponent = power_of_two_exponent(A)
    scale = np.ldexp(1.0, exponent)
    # ldexp, not A * (1 / scale): for a column of subnormal numbers 1 / scale
    # overflows, while the scaled column itself is exact and of normal size
    factored = np.asfortranarray(np.ldexp(A, -exponent))
    qr, tau, _, info = dgeqrf(factored, overwrite_a=1)
    if info != 0:  # pragma: no cover - LAPACK argument error
        raise RuntimeError(f"LAPACK dgeqrf failed with info={info}.")
    R = np.triu(qr[:m, :m])
    cond = np.linalg.cond(R) if np.all(np.diag(R) != 0) else np.inf
    if not cond <= SINGULAR_ABOVE:
        raise RankDeficientError(
            f"`{what}` is rank deficient to working precision (condition "
            f"number {cond:.2g} after column scaling), so the least-squares "
            "solution is not unique."
        )

    def apply_q(vector, trans):
        out, _, info = dormqr("L", trans, qr, tau, vector[:, None],
                              lwork=max(64, 1), overwrite_c=1)
        if info != 0:  # pragma: no cover
            raise RuntimeError(f"LAPACK dormqr failed with info={info}.")
        return out[:, 0]

    x = solve_triangular(R, apply_q(b.copy(), "T")[:m])
    residual = None
    if cond > REFINE_ABOVE:
        x, residual = _refine(A, -exponent, b, R, apply_q, x, cond, what)
    with np.errstate(over="ignore"):
        x = x / scale
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"the least-squares weights overflow float64: a column of `{what}` is "
            "tiny next to the target (its largest entry is "
            f"{np.max(np.abs(A), axis=0).min():.2g}); rescale the columns of `{what}`.")
    if residual is None:
        residual = b - A @ x
    return Solution(x, residual, float(cond), R, scale)


def _refine(A, neg_exponent, b, R, apply_q, x, cond, what, max_steps=60):
    """Björck refinement in double-double; returns ``(x, residual)`` (scaled x)."""
    n, m = A.shape
    x_hi, x_lo = x, np.zeros(m)
    r_hi, r_lo = b - A @ np.ldexp(x, neg_exponent), np.zeros(n)  # a start; refined below
    best, stalled, size = np.inf, 0, np.inf
    for _ in range(max_steps):
        f, g = _residuals(A, neg_exponent, b, (x_hi, x_lo), (r_hi, r_lo))
        c = apply_q(f, "T")
        h = solve_triangular(R, g, trans="T")
        dx = solve_triangular(R, c[:m] - h)
        c[:m] = h
        dr = apply_q(c, "N")
        x_hi, x_lo = _dd_add(x_hi, x_lo, dx)
        r_hi, r_lo = _dd_add(r_hi, r_lo, dr)
        size = np.max(np.abs(dx)) / max(np.max(np.abs(x_hi)), np.finfo(float).tiny)
        # After this update the error is about size * (contraction rate).
        rate = min(1.0, size / best) if best < np.inf else 1.0
        if size * rate <= EPS / 1024:
            size *= rate
            break  # converged well past double precision
        stalled = stalled + 1 if size > 0.5 * best else 0
        best = min(best, size)
        if stalled >= 3:
            break  # no longer contracting
    if size >= EPS:
        raise RankDeficientError(
            f"`{what}` is too ill-conditioned (condition number {cond:.2g} "
            "after column scaling): iterative refinement did not converge."
        )
    return x_hi + x_lo, r_hi + r_lo
