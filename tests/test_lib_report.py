"""mlemap.report: the rule for what a stored output may hold."""
import numpy as np
import pytest
import sympy as sp

from mlemap.report import below, book_printing, rounded, scientific, stable


def test_rounded_keeps_the_asked_significant_digits():
    assert rounded(0.7464956553948117) == 0.746496
    assert repr(rounded(0.7464956553948117)) == "0.746496"
    assert rounded(123456.789, digits=2) == 120000.0
    assert rounded(-2.0 / 3.0, digits=3) == -0.667


def test_rounded_leaves_exact_values_exact():
    assert rounded(56) == 56 and isinstance(rounded(56), int)
    assert rounded(np.int64(7)) == 7
    expr = sp.Rational(1, 3) * sp.Symbol("x")
    assert rounded(expr) == expr
    ints = np.arange(3)
    assert rounded(ints) is ints


def test_rounded_arrays_tuples_and_sympy_floats():
    out = rounded(np.array([[1 / 3, 2 / 3]]), digits=2)
    assert out.shape == (1, 2) and out.tolist() == [[0.33, 0.67]]
    assert rounded((1 / 7, 2), digits=3) == (0.143, 2)
    e = rounded(sp.Float(3.16311829) * sp.Symbol("x"), digits=4)
    assert e.atoms(sp.Float) == {sp.Float("3.163", 4)}


@pytest.mark.parametrize("bad, exc, word", [
    (float("nan"), ValueError, "value"),
    (np.array([1.0, np.inf]), ValueError, "value"),
    ("0.5", TypeError, "value"),
    (True, TypeError, "value"),
    (np.array(["a"]), TypeError, "value"),
])
def test_rounded_rejects_bad_values(bad, exc, word):
    with pytest.raises(exc, match=word):
        rounded(bad)


@pytest.mark.parametrize("digits, exc", [(0, ValueError), (13, ValueError), (2.5, TypeError)])
def test_rounded_rejects_bad_digits(digits, exc):
    with pytest.raises(exc, match="digits"):
        rounded(1.0, digits=digits)


def test_below_returns_the_bound_and_fails_above_it():
    bound = below(np.array([1e-16, -4e-16]), 1e-12)
    assert bound == 1e-12 and repr(bound) == "10\u207b\u00b9\u00b2"  # 10⁻¹²
    assert str(below(0.0, 5e-9)) == "5 \u00d7 10\u207b\u2079"  # 5 × 10⁻⁹
    assert repr(below(0.0, 0.05)) == "0.05"
    with pytest.raises(AssertionError, match="gap is 0.002"):
        below(-2e-3, 1e-6, what="gap")
    with pytest.raises(AssertionError):
        below(1e-12, 1e-12)  # strictly below


@pytest.mark.parametrize("args, exc, word", [
    ((1e-16, 0.0), ValueError, "bound"),
    ((1e-16, "1e-12"), TypeError, "bound"),
    ((np.nan, 1e-12), ValueError, "error"),
    (([], 1e-12), ValueError, "error"),
])
def test_below_rejects_bad_input(args, exc, word):
    with pytest.raises(exc, match=word):
        below(*args)


def logistic_map(x, steps=200):
    for _ in range(steps):
        x = 3.9 * x * (1.0 - x)
    return x


def test_stable_reports_digits_that_do_not_move():
    assert stable(lambda w: float(np.sum(np.square(w))), [1.0, 2.0], digits=6) == 5.0
    out = stable(lambda w: np.asarray(w) * 3.0, [1.0, -2.0], digits=4)
    assert out.tolist() == [3.0, -6.0]
    # each entry keeps significant digits of its own: a result that is 0 at the
    # start and 1e-12 after the nudge has no stable digit
    with pytest.raises(AssertionError, match="report fewer"):
        stable(lambda w: np.asarray(w) * 3.0, [1.0, 0.0], digits=4)
    # the logistic map is stable for a few steps, chaotic after many
    assert stable(lambda x: logistic_map(x, steps=3), 0.3, digits=6) == rounded(logistic_map(0.3, 3))
    with pytest.raises(AssertionError, match="report fewer"):
        stable(logistic_map, 0.3, digits=3)


def test_stable_rejects_bad_input():
    with pytest.raises(TypeError, match="compute"):
        stable(3.0, 1.0, digits=3)
    with pytest.raises(ValueError, match="start"):
        stable(abs, float("nan"), digits=3)
    with pytest.raises(ValueError, match="rel"):
        stable(abs, 1.0, digits=3, rel=0.0)


def test_book_printing_outside_ipython_sets_numpy_only():
    old = np.get_printoptions()
    try:
        book_printing(precision=3)
        assert repr(np.array([1 / 3, 1e-17])) == "array([0.333, 0.   ])"
    finally:
        np.set_printoptions(**old)


def test_stable_rejects_a_rel_that_is_not_a_number():
    with pytest.raises(TypeError, match="rel"):
        stable(abs, 1.0, digits=3, rel="1e-12")


# --- scientific: small and large numbers as the prose writes them --------------

@pytest.mark.parametrize("value, digits, text", [
    (3.6712e-07, 2, "3.7 × 10⁻⁷"), (1.7e22, 2, "1.7 × 10²²"), (1e6, 1, "10⁶"),
    (1e-6, 2, "1.0 × 10⁻⁶"), (3.7e-05, 1, "4 × 10⁻⁵"), (-4.2e5, 2, "−4.2 × 10⁵"),
    (-1e-9, 1, "−10⁻⁹"), (0.000731142, 2, "7.3 × 10⁻⁴"), (0.0731, 2, "0.073"), (999.4, 3, "999"),
])
def test_scientific_prints_a_power_of_ten(value, digits, text):
    assert repr(scientific(value, digits=digits)) == text == str(scientific(value, digits=digits))


def test_scientific_is_the_rounded_float():
    x = scientific(0.000731142)
    assert isinstance(x, float) and float(x) == 0.00073
    assert x * 2 == 0.00146


@pytest.mark.parametrize("value, error", [("1e-7", TypeError), (True, TypeError), (None, TypeError),
                                          (float("nan"), ValueError), (float("inf"), ValueError)])
def test_scientific_rejects_bad_values(value, error):
    with pytest.raises(error, match="value"):
        scientific(value)


@pytest.mark.parametrize("digits, error", [(0, ValueError), (13, ValueError), (2.0, TypeError)])
def test_scientific_rejects_bad_digits(digits, error):
    with pytest.raises(error, match="digits"):
        scientific(1e-7, digits=digits)


def test_scientific_digits_are_keyword_only():
    with pytest.raises(TypeError):
        scientific(1e-7, 2)  # noqa


def test_scientific_survives_copy_and_pickle():
    import copy
    import pickle

    x = scientific(3.6712e-07)
    for y in (copy.copy(x), pickle.loads(pickle.dumps(x))):
        assert y == x and repr(y) == "3.7 × 10⁻⁷"


@pytest.mark.parametrize("value", [1e-12, 5e-9, 2e-8, 3e5, 1e6])
def test_bound_and_one_digit_scientific_print_alike(value):
    from mlemap.report import Bound

    assert repr(Bound(value)) == repr(scientific(value, digits=1))
