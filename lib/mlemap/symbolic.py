r"""SymPy for the chapters: the Gaussian density, and equations that are shown as asserted.

A chapter derives a result in SymPy, asserts it, and shows it. What the reader
sees must be the expression the cell asserted, in the book's notation and term
order, not SymPy's own ordering (``(-f(x_i, w) + k_i)^2``) and not a copy typed
by hand in the next markdown cell. :func:`equation` builds that display: it
takes the display form (built with ``evaluate=False`` or
:class:`sympy.UnevaluatedExpr` so that SymPy keeps the order as written),
asserts that it equals the derived expression, and returns an :class:`Equation`
whose LaTeX a markdown cell pastes with

.. code-block:: md

   ```{glue:math} map_objective
   :label: map-eq-objective
   ```

after ``glue("map_objective", equation(...), display=False)`` in a removed cell.
The paste is then checked by construction: a display that does not equal the
derivation raises ``AssertionError`` when the notebook runs.

:func:`normal_pdf` and :func:`normal_logpdf` are the one SymPy Gaussian of the
book, first written out in the chapter "The fish problem": mean ``mean`` and
standard deviation ``sd`` (so variance ``sd**2``, as in
:math:`\mathcal N(\mu, \sigma^2)`). :func:`conditional` makes functions that
print as the book writes them, :math:`f(x_i \mid w)`.

Every function checks its input first and raises ``TypeError`` or
``ValueError`` naming the parameter.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

__all__ = ["normal_pdf", "normal_logpdf", "conditional", "equation", "joined",
           "Equation"]


def _expr(value, name):
    """A SymPy expression from ``value``: SymPy objects and real numbers only."""
    if isinstance(value, bool) or isinstance(value, str):
        raise TypeError(f"`{name}` must be a SymPy expression or a number, "
                        f"got {type(value).__name__}.")
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (int, float)):
        return sp.sympify(value)
    raise TypeError(f"`{name}` must be a SymPy expression or a number, "
                    f"got {type(value).__name__}.")


def _sd(sd):
    sd = _expr(sd, "sd")
    if sd.is_positive is False or sd.is_zero:
        raise ValueError(f"`sd` must be positive, got {sd}.")
    return sd


def normal_pdf(v, mean, sd):
    r"""The Gaussian density of ``v`` with mean ``mean`` and standard deviation ``sd``.

    .. math:: \mathcal N(v \mid \mu, \sigma^2)
              = \frac{1}{\sqrt{2\pi}\,\sigma}
                \exp\Bigl(-\frac{(v - \mu)^2}{2\sigma^2}\Bigr).

    Parameters
    ----------
    v, mean : sympy.Expr or real number
        Where the density is evaluated, and its mean.
    sd : sympy.Expr or real number
        Standard deviation (not the variance); a positive number, or an
        expression that SymPy does not know to be non-positive (declare symbols
        ``positive=True`` so that the logarithm expands).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> import sympy as sp
    >>> x, mu = sp.symbols("x mu", real=True)
    >>> sigma = sp.Symbol("sigma", positive=True)
    >>> normal_pdf(x, mu, sigma)
    sqrt(2)*exp(-(-mu + x)**2/(2*sigma**2))/(2*sqrt(pi)*sigma)
    >>> from sympy.stats import Normal, density
    >>> sp.simplify(normal_pdf(x, mu, sigma) - density(Normal("K", mu, sigma))(x))
    0
    """
    v, mean, sd = _expr(v, "v"), _expr(mean, "mean"), _sd(sd)
    return sp.exp(-(v - mean)**2 / (2 * sd**2)) / (sp.sqrt(2 * sp.pi) * sd)


def normal_logpdf(v, mean, sd):
    r"""The natural log of :func:`normal_pdf`, expanded into its three terms.

    .. math:: \log \mathcal N(v \mid \mu, \sigma^2)
              = -\log\sigma - \tfrac12 \log(2\pi) - \frac{(v - \mu)^2}{2\sigma^2}.

    Parameters
    ----------
    v, mean, sd : sympy.Expr or real number
        As in :func:`normal_pdf`.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> sigma = sp.Symbol("sigma", positive=True)
    >>> normal_logpdf(x, 0, sigma)
    -log(sigma) - log(2*pi)/2 - x**2/(2*sigma**2)
    >>> sp.simplify(normal_logpdf(x, 0, sigma) - sp.log(normal_pdf(x, 0, sigma)))
    0
    """
    v, mean, sd = _expr(v, "v"), _expr(mean, "mean"), _sd(sd)
    return (-sp.log(sd) - sp.log(2 * sp.pi) / 2
            - (v - mean)**2 / (2 * sd**2))


def conditional(name):
    r"""A SymPy function that prints ``name(a, b, c)`` as :math:`\mathrm{name}(a \mid b, c)`.

    The book writes the model as :math:`f(x \mid w)`; SymPy's own functions print
    :math:`f(x, w)`. The first argument is what the function is of, the rest are
    what it is conditioned on.

    Parameters
    ----------
    name : str
        The function's name, a valid LaTeX name such as ``"f"`` or ``"p"``.

    Returns
    -------
    sympy.FunctionClass
        Behaves as ``sympy.Function(name)`` in every computation.

    Examples
    --------
    >>> import sympy as sp
    >>> f = conditional("f")
    >>> x, w = sp.IndexedBase("x"), sp.Symbol("w")
    >>> i = sp.Symbol("i", integer=True)
    >>> sp.latex(f(x[i], w))
    'f({x}_{i} \\mid w)'
    >>> sp.diff(f(x[i], w)**2, w)
    2*f(x[i], w)*Derivative(f(x[i], w), w)
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a str, got {type(name).__name__}.")
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"`name` must be a plain name such as 'f', got {name!r}.")

    def _latex(self, printer):
        first = printer._print(self.args[0])
        rest = ", ".join(printer._print(a) for a in self.args[1:])
        inner = f"{first} \\mid {rest}" if rest else first
        return f"{name}({inner})"

    return sp.Function(name, _latex=_latex)


def _evaluated(expr):
    """The display form with SymPy's evaluation put back at every node."""
    if isinstance(expr, sp.UnevaluatedExpr):
        return _evaluated(expr.args[0])
    if not isinstance(expr, sp.Basic) or not expr.args or expr.is_Atom:
        return expr
    if isinstance(expr, (sp.MatrixSymbol, sp.Indexed, sp.IndexedBase, sp.Symbol)):
        return expr
    try:
        return expr.func(*(_evaluated(a) for a in expr.args))
    except TypeError:  # a node that cannot be rebuilt from its args
        return expr


def _is_zero(difference):
    if isinstance(difference, sp.MatrixExpr):
        for step in (sp.expand, lambda e: sp.expand(e.doit()),
                     lambda e: sp.simplify(sp.expand(e))):
            if getattr(step(difference), "is_ZeroMatrix", False):
                return True
        return False
    if difference == 0:
        return True
    for step in (sp.expand, sp.simplify,
                 lambda e: sp.simplify(sp.expand(sp.expand_log(e, force=True))),
                 lambda e: sp.simplify(e.doit())):
        difference = step(difference)
        if difference == 0:
            return True
    return False


class Equation:
    r"""A display equation whose right-hand side was asserted equal to a derivation.

    Made by :func:`equation`; glue it and paste it with ``{glue:math}``.

    Attributes
    ----------
    latex : str
        The TeX of the display, without ``$`` delimiters.
    value : sympy.Expr
        The expression that was checked (the right-hand side, evaluated).
    """

    __slots__ = ("latex", "value")

    def __init__(self, latex, value):
        self.latex = latex
        self.value = value

    def _repr_latex_(self):
        return f"$${self.latex}$$"

    def __repr__(self):
        # Stable text (nbval compares it): what was shown, as TeX.
        return f"Equation (asserted): {self.latex}"


def _tex(expr):
    if isinstance(expr, str):
        return expr
    # The book writes the identity matrix I and the transpose with \top, as in
    # (X^\top X + \lambda I); SymPy prints \mathbb{I} and X^{T}.
    # A log of a density written as a symbol, log(p(D | w)), is written as the
    # book writes it, log p(D | w), without SymPy's brackets.
    tex = sp.latex(expr, order="none").replace(r"\mathbb{I}", "I")
    tex = _LOG_OF_DENSITY.sub(r"\\log \1", tex)
    return tex.replace("^{T}", r"^{\top}")


_LOG_OF_DENSITY = re.compile(r"\\log\{\\left\((p\([^()]*\)) \\right\)\}")


def equation(lhs, rhs, *, equals=None, check=None, rel="=", end=""):
    r"""Show ``lhs rel rhs`` after asserting that ``rhs`` is the derived result.

    Parameters
    ----------
    lhs : sympy.Expr, str or None
        The left-hand side as shown: an expression, or the TeX of a name being
        defined (``r"E(w)"``), or None for a display with no left-hand side.
        It is printed, not checked.
    rhs : sympy.Expr, or sequence of sympy.Expr
        The right-hand side in display form. Build it with
        ``sympy.Add(..., evaluate=False)``, ``sympy.Mul(..., evaluate=False)`` or
        :class:`sympy.UnevaluatedExpr` to keep the book's term order; it is
        printed with ``order="none"``. A sequence is a sum written over several
        aligned lines, one element per line.
    equals : sympy.Expr, keyword-only
        The derived expression. The display's right-hand side, evaluated, must
        equal it: their difference must simplify to zero (after expanding, and
        expanding logarithms), else ``AssertionError``.
    check : callable, keyword-only
        Instead of ``equals``, for a relation other than equality (``rel`` such
        as ``r"\propto"``): called with the evaluated right-hand side, it must
        return True, else ``AssertionError``.
    rel : str, keyword-only
        The TeX relation between the sides (default ``"="``). With ``equals``
        it must be ``"="``.
    end : str, keyword-only
        Punctuation after the display, such as ``","`` or ``"."``.

    Returns
    -------
    Equation

    Raises
    ------
    AssertionError
        When the display is not the derived result (raised explicitly, so it
        holds under ``python -O`` too).

    Examples
    --------
    >>> import sympy as sp
    >>> k, f = sp.symbols("k f", real=True)
    >>> sigma = sp.Symbol("sigma", positive=True)
    >>> derived = sp.expand((f - k)**2 / (2 * sigma**2))
    >>> shown = sp.Mul(1 / (2 * sigma**2), sp.UnevaluatedExpr(k - f)**2,
    ...                evaluate=False)
    >>> equation("E", shown, equals=derived, end=".")
    Equation (asserted): E = \frac{1}{2 \sigma^{2}} \left(k - f\right)^{2} .
    >>> equation("E", shown, equals=derived + 1)
    Traceback (most recent call last):
    ...
    AssertionError: the display is not the derived result: display - derived = -1
    """
    if lhs is not None and not isinstance(lhs, (str, sp.Basic)):
        raise TypeError(f"`lhs` must be a SymPy expression, a TeX str or None, "
                        f"got {type(lhs).__name__}.")
    lines = list(rhs) if isinstance(rhs, Sequence) and not isinstance(rhs, str) else [rhs]
    if not lines:
        raise ValueError("`rhs` must not be empty.")
    lines = [_expr(line, "rhs") for line in lines]
    if not isinstance(rel, str) or not rel.strip():
        raise TypeError("`rel` must be a non-empty TeX str such as '=' or r'\\propto'.")
    if not isinstance(end, str):
        raise TypeError(f"`end` must be a str, got {type(end).__name__}.")
    if (equals is None) == (check is None):
        raise TypeError("give exactly one of `equals` (the derived expression) "
                        "and `check` (a callable).")
    if equals is not None:
        equals = _expr(equals, "equals")
        if rel.strip() != "=":
            raise ValueError(f"`equals` checks an equality, so `rel` must be '=', got {rel!r}.")
    elif not callable(check):
        raise TypeError("`check` must be callable.")

    value = _evaluated(lines[0])
    for line in lines[1:]:
        value = value + _evaluated(line)
    if equals is not None:
        difference = value - equals
        if not _is_zero(difference):
            raise AssertionError("the display is not the derived result: "
                                 f"display - derived = {sp.simplify(difference)}")
    elif check(value) is not True:
        raise AssertionError("the display failed its `check`.")

    left = "" if lhs is None else _tex(lhs) + " "
    if len(lines) == 1:
        body = f"{left}{rel} {_tex(lines[0])}" if lhs is not None else _tex(lines[0])
    else:
        parts = [f"{left}&{rel} {_tex(lines[0])}"]
        for line in lines[1:]:
            tex = _tex(line)
            if tex.startswith("-"):
                parts.append(f"&\\quad - {tex[1:].lstrip()}")
            else:
                parts.append(f"&\\quad + {tex}")
        # The punctuation ends the last line, not a line of its own.
        parts[-1] += f" {end}" if end else ""
        return Equation("\\begin{aligned}" + " \\\\ ".join(parts) + "\\end{aligned}", value)
    return Equation(body + (f" {end}" if end else ""), value)


def joined(*equations, sep=r",\qquad"):
    r"""Several checked equations on one display line, such as a result and its definition.

    Parameters
    ----------
    *equations : Equation
        Made by :func:`equation`.
    sep : str, keyword-only
        TeX between them (default ``r",\qquad"``).

    Returns
    -------
    Equation
        Its ``value`` is a tuple of the parts' values.

    Examples
    --------
    >>> import sympy as sp
    >>> s, s_w = sp.symbols("sigma sigma_w", positive=True)
    >>> lam = equation(r"\lambda", s**2 / s_w**2, equals=s**2 / s_w**2)
    >>> joined(equation("J", s, equals=s), lam)
    Equation (asserted): J = \sigma,\qquad \lambda = \frac{\sigma^{2}}{\sigma_{w}^{2}}
    """
    if not equations:
        raise ValueError("give at least one Equation.")
    for eq in equations:
        if not isinstance(eq, Equation):
            raise TypeError(f"every argument must be an Equation from `equation`, "
                            f"got {type(eq).__name__}.")
    if not isinstance(sep, str):
        raise TypeError(f"`sep` must be a str, got {type(sep).__name__}.")
    return Equation(f"{sep} ".join(eq.latex for eq in equations),
                    tuple(eq.value for eq in equations))
