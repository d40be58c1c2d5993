"""kfold_cv's number of folds is `n_folds` (the book's k is a fish's weight); data.py's notation."""
import inspect

import numpy as np
import pytest

import mlemap
from mlemap import kfold_cv, polynomial_design, simulate_fish


def _problem():
    fish = simulate_fish(20, rng=3)
    return polynomial_design((fish.length_cm - 32.5) / 12.5, 2), fish.weight_g


def test_n_folds_is_the_keyword_and_sets_the_number_of_folds():
    X, y = _problem()
    for n_folds in (2, 5, 20):
        cv = kfold_cv(X, y, [0.1, 1.0], n_folds=n_folds, rng=0)
        assert len(cv.folds) == n_folds == cv.fold_mse.shape[0]
    assert inspect.signature(kfold_cv).parameters["n_folds"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "k" not in inspect.signature(kfold_cv).parameters


def test_old_keyword_k_is_rejected_with_the_new_name():
    X, y = _problem()
    with pytest.raises(TypeError, match="n_folds"):
        kfold_cv(X, y, [1.0], k=5, rng=0)


def test_other_unknown_keywords_are_rejected():
    X, y = _problem()
    with pytest.raises(TypeError, match="'folds'"):
        kfold_cv(X, y, [1.0], folds=5, rng=0)


@pytest.mark.parametrize("bad, error", [(1, ValueError), (21, ValueError), (2.0, TypeError),
                                        (True, TypeError)])
def test_n_folds_is_checked(bad, error):
    X, y = _problem()
    with pytest.raises(error, match="`n_folds`"):
        kfold_cv(X, y, [1.0], n_folds=bad, rng=0)


def test_docstrings_use_the_books_letters():
    # the book writes length x_i and weight k_i; k is never the number of folds
    assert "L_i" not in mlemap.simulate_fish.__doc__
    assert "x_i" in mlemap.simulate_fish.__doc__
    assert "k=" not in kfold_cv.__doc__
    assert "n_folds" in kfold_cv.__doc__
