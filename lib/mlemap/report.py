"""What a chapter may store in an output: numbers that are the same on every machine.

A notebook is stored with its outputs, and strict nbval compares them with a
fresh run on the reader's machine. The last digits of a float depend on that
machine (its SIMD paths and its BLAS kernels), so the book stores numbers only
at the precision its claims need. This module is the one place that rule is
applied; the README's "Changing a chapter" states it.

* :func:`rounded` rounds a computed number to a few significant digits before it
  is glued or shown. Exact values (integers, SymPy rationals and symbols) are
  left exact.
* :func:`below` asserts that a rounding-error size is under a stated bound and
  returns the bound, which is what the prose prints: never the error itself.
* :func:`stable` reruns a chaotic or ill-conditioned computation from a start
  perturbed by about ``1e-12`` and returns its result only at the digits that
  did not move.
* :func:`book_printing` sets NumPy's and SymPy's display to limited precision.
* :func:`scientific` rounds a very small or very large number for the prose
  and prints it as a book writes it, ``3.7 × 10⁻⁷``, not ``3.7e-07``.

Examples
--------
>>> rounded(0.7464956553948117)
0.746496
>>> rounded(1318.4712, digits=3)
1320.0
>>> below(4.4e-16, 1e-12)
10⁻¹²
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ._checks import integer, real_scalar

__all__ = ["rounded", "scientific", "below", "stable", "book_printing", "Bound", "Scientific",
           "DIGITS"]

#: Significant digits a computed number is stored with unless a claim needs fewer.
DIGITS = 6


def _digits(digits):
    digits = integer(digits, "digits", minimum=1)
    if digits > 12:
        raise ValueError(
            f"`digits` must be at most 12: the last digits of a float differ between "
            f"machines, got {digits}.")
    return digits


def _round_float(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


def rounded(value, digits=DIGITS):
    """Round a computed number, array or SymPy expression to ``digits`` significant digits.

    Parameters
    ----------
    value : float, int, numpy array or scalar, sympy expression, or tuple/list of these
        What is to be glued or shown. Python and NumPy integers, and SymPy
        expressions with no floats in them, are returned unchanged: exact
        values stay exact.
    digits : int, optional
        Significant digits kept, 1 to 12 (default :data:`DIGITS`).

    Returns
    -------
    float, int, numpy.ndarray, sympy expression, or tuple/list
        Floats come back as Python floats (their repr is short: ``0.746496``),
        arrays as float arrays of rounded entries, SymPy expressions with every
        ``Float`` rounded.

    Raises
    ------
    TypeError
        If ``value`` is not a number, an array of numbers or a SymPy object.
    ValueError
        If ``value`` holds NaN or inf, or ``digits`` is outside 1..12.

    Examples
    --------
    >>> rounded(0.277760376710513, digits=3)
    0.278
    >>> rounded(56)
    56
    >>> rounded([2.0 / 3.0, 1e-20])
    [0.666667, 1e-20]
    >>> import sympy as sp
    >>> rounded(sp.Float(3.16311829) * sp.Symbol("x") + sp.Rational(1, 3), digits=4)
    3.163*x + 1/3
    """
    digits = _digits(digits)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`value` must be a number, got {type(value).__name__}.")
    if isinstance(value, (numbers.Integral, np.integer)):
        return value
    if isinstance(value, (numbers.Real, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"`value` must be finite, got {value}.")
        return _round_float(value, digits)
    if isinstance(value, (tuple, list)):
        return type(value)(rounded(v, digits) for v in value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biu":
            return value
        if value.dtype.kind != "f":
            raise TypeError(f"`value` must be a real array, got dtype {value.dtype}.")
        if not np.all(np.isfinite(value)):
            raise ValueError("`value` contains NaN or inf.")
        return np.vectorize(lambda v: _round_float(float(v), digits), otypes=[float])(value)
    try:
        import sympy as sp
    except ImportError:  # pragma: no cover - sympy is a book dependency
        sp = None
    if sp is not None and isinstance(value, sp.Basic):
        floats = value.atoms(sp.Float)
        if any(not f.is_finite for f in floats):
            raise ValueError("`value` contains a non-finite Float.")
        return value.xreplace({f: sp.Float(_round_float(float(f), digits), digits)
                               for f in floats})
    raise TypeError(
        f"`value` must be a number, an array of numbers or a SymPy expression, "
        f"got {type(value).__name__}.")


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def _power_of_ten(value: float, digits: int) -> str:
    """``value`` at ``digits`` significant digits as the prose writes a power of
    ten: ``3.7 × 10⁻⁷``, ``10⁶`` (a mantissa of 1 is left out), ``−4 × 10⁵``."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    if mantissa.lstrip("-") == "1":
        return ("\u2212" if mantissa.startswith("-") else "") + power
    return f"{mantissa.replace('-', chr(0x2212))} \u00d7 {power}"


class Bound(float):
    """A bound the prose states: a float that prints the way a book writes it.

    ``Bound(1e-12)`` prints as ``10⁻¹²`` and ``Bound(5e-9)`` as ``5 × 10⁻⁹``,
    so ``{glue:text}`` shows a typeset power of ten rather than ``1e-12``;
    bounds from 0.01 to 1000 print plainly. It computes like the float it is.

    Examples
    --------
    >>> Bound(1e-12), Bound(5e-9), Bound(0.05), Bound(1e-4) * 10
    (10⁻¹², 5 × 10⁻⁹, 0.05, 0.001)
    """

    def __repr__(self):
        value = float(self)
        if value == 0 or 1e-2 <= abs(value) < 1e3:
            return f"{value:g}"
        return _power_of_ten(value, 1)

    __str__ = __repr__


class Scientific(float):
    """A computed number rounded to ``digits`` significant digits, printed for the
    prose: ``3.7 × 10⁻⁷``, ``10⁶``, or plainly from 0.01 to 1000. Made by
    :func:`scientific`; it computes like the float it is (the rounded value).

    Examples
    --------
    >>> Scientific(3.7e-07, 2), Scientific(1e6, 1), Scientific(1e-6, 2), Scientific(-4.2e5, 2)
    (3.7 × 10⁻⁷, 10⁶, 1.0 × 10⁻⁶, −4.2 × 10⁵)
    >>> Scientific(0.0731, 2), Scientific(0, 2)
    (0.073, 0)
    """

    def __new__(cls, value, digits):
        self = super().__new__(cls, float(f"{float(value):.{digits - 1}e}"))
        self.digits = digits
        return self

    def __repr__(self):
        value = float(self)
        if value == 0 or 1e-2 <= abs(value) < 1e3:
            return f"{value:.{self.digits}g}"
        return _power_of_ten(value, self.digits)

    __str__ = __repr__

    def __reduce__(self):
        return (Scientific, (float(self), self.digits))


def scientific(value, *, digits=2):
    """Round a computed number for the prose, written as a power of ten.

    ``{glue:text}`key:.1e``` prints ``3.7e-07``, which is how code writes a number,
    not a book. Glue ``scientific(x)`` instead and write ``{glue:text}`key```:
    the page shows ``3.7 × 10⁻⁷``. The number is stored at ``digits``
    significant digits, so it is the same on every machine as long as those
    digits are (the rule of :func:`rounded`).

    Parameters
    ----------
    value : float
        The number, finite.
    digits : int, optional, keyword-only
        Significant digits shown and kept, 1 to 12 (default 2: ``3.7 × 10⁻⁷``;
        1 gives ``4 × 10⁻⁵`` and ``10⁶``).

    Returns
    -------
    Scientific
        A float equal to ``value`` rounded to ``digits`` significant digits,
        whose repr is the power of ten.

    Raises
    ------
    TypeError
        If ``value`` is not a real number, or ``digits`` not an integer.
    ValueError
        If ``value`` is NaN or inf, or ``digits`` is outside 1..12.

    Examples
    --------
    >>> scientific(3.6712e-07)
    3.7 × 10⁻⁷
    >>> scientific(1.7e22)
    1.7 × 10²²
    >>> scientific(3.7e-05, digits=1)
    4 × 10⁻⁵
    >>> float(scientific(0.000731142))
    0.00073
    """
    value = real_scalar(value, "value")
    digits = _digits(digits)
    return Scientific(value, digits)


def below(error, bound, *, what="error"):
    """Assert that a rounding-error size is under ``bound``; return the bound for the prose.

    The size of a rounding error (a difference from a reference, a
    finite-difference error, an optimiser's gap, ``1 - total probability``)
    changes from machine to machine, so it is never printed. The chapter
    asserts a bound instead and states it: "agrees to better than 1e-12".

    Parameters
    ----------
    error : float or array_like
        The error, or errors; the largest absolute value is compared.
    bound : float
        A positive power of ten or similar round number, stated in the prose.
    what : str, keyword-only
        What the error is, for the failure message.

    Returns
    -------
    Bound
        ``bound`` itself, a float that prints as ``10⁻¹²``, to be glued and
        pasted with a plain ``{glue:text}`key``` (no format spec).

    Raises
    ------
    TypeError
        If ``bound`` is not a real number or ``what`` not a string.
    ValueError
        If ``bound`` is not positive and finite, or ``error`` is empty or not finite.
    AssertionError
        If the largest absolute error is not below ``bound``.

    Examples
    --------
    >>> below([1e-16, -3e-15], 1e-12, what="log density vs SciPy")
    10⁻¹²
    >>> below(2e-3, 1e-6, what="gap")
    Traceback (most recent call last):
        ...
    AssertionError: gap is 0.002, not below 1e-06
    """
    bound = real_scalar(bound, "bound", positive=True)
    if not isinstance(what, str):
        raise TypeError(f"`what` must be a string, got {type(what).__name__}.")
    err = np.abs(np.asarray(error, dtype=float))
    if err.size == 0:
        raise ValueError("`error` must not be empty.")
    if not np.all(np.isfinite(err)):
        raise ValueError(f"`error` ({what}) contains NaN or inf.")
    worst = float(err.max())
    if not worst < bound:  # raised, not asserted: the check must hold under python -O too
        raise AssertionError(f"{what} is {worst:.2g}, not below {bound:g}")
    return Bound(bound)


def stable(compute, start, *, digits, rel=1e-12, seed=0):
    """Run ``compute(start)`` and return it only at digits a perturbed start does not move.

    For a chaotic or ill-conditioned computation (a long optimiser run, a
    Nelder-Mead path) the last digits of the result depend on the machine.
    This reruns ``compute`` from ``start * (1 + rel * u)``, with ``u`` seeded
    uniform in [-1, 1], and checks that rounding both results to ``digits``
    significant digits gives the same numbers.

    Parameters
    ----------
    compute : callable
        ``compute(start)`` returns a float or a float array.
    start : float or array_like
        The unperturbed start.
    digits : int, keyword-only
        Significant digits reported, 1 to 12.
    rel : float, keyword-only
        Relative size of the perturbation (default 1e-12).
    seed : int, keyword-only
        Seed of the perturbation's random direction.

    Returns
    -------
    float or numpy.ndarray
        The result rounded to ``digits`` significant digits, each entry on its
        own (so an entry that is zero at one start and tiny at the other has no
        stable digit: report a bound on it with :func:`below` instead).

    Raises
    ------
    TypeError
        If ``compute`` is not callable, or ``rel`` not a real number.
    ValueError
        If ``start`` is not finite, or ``rel`` not positive.
    AssertionError
        If the perturbed run moves the reported digits: report fewer.

    Examples
    --------
    >>> stable(lambda w: float(np.sum(np.asarray(w) ** 2)), [1.0, 2.0], digits=6)
    5.0
    >>> def logistic_map(x, steps=200):  # chaotic: nearby starts part quickly
    ...     for _ in range(steps):
    ...         x = 3.9 * x * (1.0 - x)
    ...     return x
    >>> stable(logistic_map, 0.3, digits=3)
    Traceback (most recent call last):
    ...
    AssertionError: a start perturbed by 1e-12 moves the result beyond 3 significant digits: report fewer
    """
    if not callable(compute):
        raise TypeError(f"`compute` must be callable, got {type(compute).__name__}.")
    digits = _digits(digits)
    start_arr = np.asarray(start, dtype=float)
    if not np.all(np.isfinite(start_arr)):
        raise ValueError("`start` contains NaN or inf.")
    rel = real_scalar(rel, "rel", positive=True)
    u = np.random.default_rng(seed).uniform(-1.0, 1.0, size=start_arr.shape)
    nudged = start_arr * (1.0 + rel * u) + (start_arr == 0) * rel * u
    if np.ndim(start) == 0:
        nudged = float(nudged)
    first = rounded(np.asarray(compute(start), dtype=float), digits)
    second = rounded(np.asarray(compute(nudged), dtype=float), digits)
    if not np.array_equal(first, second):
        raise AssertionError(
            f"a start perturbed by {rel:g} moves the result beyond {digits} significant "
            "digits: report fewer")
    return float(first) if np.ndim(first) == 0 else first


def book_printing(*, precision=DIGITS):
    """Show arrays and SymPy output at limited precision in a chapter.

    Sets NumPy's print options to ``precision`` significant digits (with tiny
    entries next to large ones shown as 0), and, in IPython, turns on SymPy's
    MathJax printing without the 15-digit LaTeX form it would otherwise give
    every Python float. Glue numbers through :func:`rounded` as well.

    Parameters
    ----------
    precision : int, keyword-only
        Digits after the point in NumPy's output, 1 to 12.

    Examples
    --------
    >>> book_printing(precision=4)
    >>> np.array([1 / 3, 2e-17])
    array([0.3333, 0.    ])
    >>> np.set_printoptions(precision=8, suppress=False)  # back to NumPy's default
    """
    precision = _digits(precision)
    np.set_printoptions(precision=precision, suppress=True)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return
    import sympy as sp

    sp.init_printing(use_latex="mathjax")
    latex = ip.display_formatter.formatters["text/latex"]
    for kind in (float, np.float64, np.float32):
        latex.type_printers.pop(kind, None)
