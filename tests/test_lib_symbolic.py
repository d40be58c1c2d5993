"""mlemap.symbolic, the length scales of mlemap.data and plotting.axis_label."""
import numpy as np
import pytest
import sympy as sp
from sympy import stats

import mlemap
from mlemap import plotting
from mlemap.symbolic import conditional, equation, joined, normal_logpdf, normal_pdf

x, mu = sp.symbols("x mu", real=True)
sigma = sp.Symbol("sigma", positive=True)


def test_normal_pdf_is_sympy_stats_normal_with_sd():
    assert sp.simplify(normal_pdf(x, mu, sigma) - stats.density(stats.Normal("K", mu, sigma))(x)) == 0
    assert sp.simplify(normal_logpdf(x, mu, sigma) - sp.log(normal_pdf(x, mu, sigma))) == 0


def test_normal_logpdf_matches_the_numeric_library():
    rng = np.random.default_rng(3)
    f = sp.lambdify((x, mu, sigma), normal_logpdf(x, mu, sigma))
    for v, m, s in rng.normal(size=(20, 3)):
        s = abs(s) + 0.1
        assert np.isclose(f(v, m, s), mlemap.gaussian_log_density(np.array([v]), m, s)[0],
                          rtol=1e-13)


@pytest.mark.parametrize("bad,error", [("x", TypeError), (True, TypeError), (0, ValueError),
                                       (-1.0, ValueError), ([1.0], TypeError)])
def test_normal_pdf_rejects_a_bad_sd(bad, error):
    with pytest.raises(error, match="sd"):
        normal_pdf(x, mu, bad)


def test_conditional_prints_the_book_notation_and_computes_as_a_function():
    f = conditional("f")
    w = sp.Symbol("w")
    assert sp.latex(f(x, w)) == r"f(x \mid w)"
    assert sp.latex(f(x)) == "f(x)"
    assert sp.diff(f(x, w), w) == sp.Derivative(f(x, w), w)
    with pytest.raises(TypeError, match="name"):
        conditional(3)
    with pytest.raises(ValueError, match="name"):
        conditional("f x")


def test_equation_keeps_the_written_order_and_checks_it():
    k, f = sp.symbols("k f", real=True)
    shown = sp.Mul(1 / (2 * sigma**2), sp.Add(k, -f, evaluate=False)**2, evaluate=False)
    eq = equation("E", shown, equals=(f - k)**2 / (2 * sigma**2), end=",")
    assert r"\left(k - f\right)^{2}" in eq.latex and eq.latex.endswith(",")
    assert repr(eq).startswith("Equation (asserted):")
    assert eq._repr_latex_() == f"$${eq.latex}$$"
    with pytest.raises(AssertionError, match="not the derived result"):
        equation("E", shown, equals=(f + k)**2 / (2 * sigma**2))


def test_equation_over_several_lines_sums_them():
    a, b, c = sp.symbols("a b c")
    eq = equation("y", [a, -b, c], equals=a - b + c)
    assert eq.latex.startswith(r"\begin{aligned}y &= a")
    assert r"&\quad - b" in eq.latex and r"&\quad + c" in eq.latex
    with pytest.raises(AssertionError):
        equation("y", [a, b], equals=a - b)


def test_equation_checks_matrix_expressions_and_relations():
    n, d = sp.symbols("n d", integer=True, positive=True)
    lam = sp.Symbol("lambda", positive=True)
    X, y, w = sp.MatrixSymbol("X", n, d), sp.MatrixSymbol("y", n, 1), sp.MatrixSymbol("w", d, 1)
    grad = sp.diff((y - X * w).T * (y - X * w) + lam * w.T * w, w)
    shown = sp.MatAdd(2 * (X.T * X + lam * sp.Identity(d)) * w, -2 * X.T * y)
    eq = equation(r"\nabla J", shown, equals=grad)
    assert r"\mathbb{I}" not in eq.latex and "I" in eq.latex
    assert r"X^{\top}" in eq.latex and "^{T}" not in eq.latex
    with pytest.raises(AssertionError):
        equation(r"\nabla J", shown, equals=2 * grad)
    prop = equation("p", sigma**2, rel=r"\propto", check=lambda v: v.is_positive)
    assert r"\propto" in prop.latex
    with pytest.raises(AssertionError):
        equation("p", -sigma, rel=r"\propto", check=lambda v: v.is_positive is True)


@pytest.mark.parametrize("kwargs,error", [
    (dict(), TypeError), (dict(equals=1, check=bool), TypeError),
    (dict(equals=1, rel=r"\le"), ValueError), (dict(check=3), TypeError),
    (dict(equals="1"), TypeError), (dict(equals=1, end=3), TypeError)])
def test_equation_rejects_bad_options(kwargs, error):
    with pytest.raises(error):
        equation("a", sp.Integer(1), **kwargs)


def test_joined_puts_equations_on_one_line():
    a = equation("a", sp.Integer(1), equals=1)
    assert joined(a, a).latex == r"a = 1,\qquad a = 1"
    with pytest.raises(TypeError):
        joined(a, "b")
    with pytest.raises(ValueError):
        joined()


def test_fish_design_is_the_polynomial_in_the_scaled_length():
    length = np.array([20.0, 32.5, 45.0])
    u = (length - 32.5) / 10
    assert np.array_equal(mlemap.fish_design(length), mlemap.polynomial_design(u, 2))
    assert np.array_equal(mlemap.scaled_length(length, unit_cm=12.5), [-1.0, 0.0, 1.0])
    assert np.allclose(mlemap.log_length([28.0, 56.0]), [0.0, np.log(2)])


@pytest.mark.parametrize("call,name", [
    (lambda: mlemap.scaled_length([1.0, np.nan]), "length_cm"),
    (lambda: mlemap.scaled_length([1.0], unit_cm=0), "unit_cm"),
    (lambda: mlemap.fish_design([1.0], degree=-1), "degree"),
    (lambda: mlemap.log_length([0.0, 1.0]), "length_cm"),
    (lambda: mlemap.log_length([1.0], reference_cm=-2), "reference_cm")])
def test_length_scales_reject_bad_input(call, name):
    with pytest.raises((TypeError, ValueError), match=name):
        call()


def test_axis_label_carries_the_notation_tables_units():
    assert plotting.axis_label("length") == "length $x$ (cm)"
    assert plotting.axis_label("weight", log=True) == "weight $k$ (g, log scale)"
    assert plotting.axis_label("degree") == "polynomial degree"
    assert plotting.axis_label("weight", unit="kg") == "weight $k$ (kg)"
    with pytest.raises(ValueError, match="quantity"):
        plotting.axis_label("height")
    with pytest.raises(TypeError, match="log"):
        plotting.axis_label("length", log="yes")


def test_book_style_sets_no_font_under_the_minimum():
    import matplotlib
    from matplotlib.font_manager import FontProperties

    plotting.use_book_style()
    rc = matplotlib.rcParams
    for key in ("font.size", "legend.fontsize", "xtick.labelsize", "ytick.labelsize",
                "axes.labelsize", "axes.titlesize", "legend.title_fontsize"):
        size = FontProperties(size=rc[key]).get_size_in_points()
        assert size >= plotting.MIN_FONT_PT, key
    assert rc["figure.figsize"][0] <= plotting.MAX_FIGURE_WIDTH_IN


def test_equation_writes_logs_of_densities_and_punctuation_as_the_book_does():
    p_dw, p_w = sp.Symbol(r"p(D \mid w)", positive=True), sp.Symbol("p(w)", positive=True)
    eq = equation(r"\log p(w \mid D)", sp.Add(sp.log(p_dw), sp.log(p_w), evaluate=False),
                  equals=sp.log(p_dw * p_w), end=",")
    assert eq.latex == r"\log p(w \mid D) = \log p(D \mid w) + \log p(w) ,"
    a, b = sp.symbols("a b")
    lines = equation("y", [a, b], equals=a + b, end=".")
    assert lines.latex.endswith(r"&\quad + b .\end{aligned}")
