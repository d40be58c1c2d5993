"""mlemap: the numeric core of *MLE & MAP, derived and checked*.

Every function checks its input first and raises ``ValueError`` or
``TypeError`` naming the offending parameter; results are small frozen
dataclasses with a readable repr.
"""

from .bayes import Posterior, Predictive, log_evidence, posterior, predictive
from .data import (FishSample, Perch, fish_design, load_perch, log_length,
                   scaled_length, simulate_fish)
from .density import (binary_cross_entropy, gaussian_log_density,
                      gaussian_log_likelihood, log_softmax, log_sum_exp)
from .linear import MAPResult, MLEResult, fit_map, fit_mle, polynomial_design, ridge_lambda
from .lasso import LassoResult, fit_lasso
from .logistic import LogisticResult, fit_logistic
from .optim import adam, sgd
from .robust import LADResult, fit_lad
from .selection import CVResult, kfold_cv

# Submodules with their own namespaces: conversions between the notations of
# Bishop, scikit-learn and PyTorch, the book's figure style, and the rule for
# what a stored output may hold (numbers that are the same on every machine),
# and SymPy's side: the Gaussian density and equations shown as asserted.
from . import notation, plotting, report  # noqa: E402


def __getattr__(name):
    # mlemap.symbolic imports SymPy, which the numeric core does not need:
    # load it on first use (``import mlemap.symbolic`` or ``mlemap.symbolic``).
    if name == "symbolic":
        import importlib

        return importlib.import_module(".symbolic", __name__)
    raise AttributeError(f"module 'mlemap' has no attribute {name!r}")

__all__ = [
    # densities and log-space helpers
    "gaussian_log_density",
    "gaussian_log_likelihood",
    "log_sum_exp",
    "log_softmax",
    "binary_cross_entropy",
    # linear-Gaussian regression
    "polynomial_design",
    "fit_mle",
    "fit_map",
    "ridge_lambda",
    "posterior",
    "predictive",
    "log_evidence",
    "kfold_cv",
    # other likelihoods and priors
    "fit_lad",
    "fit_lasso",
    "fit_logistic",
    # optimisers
    "sgd",
    "adam",
    # data, and the length scales of the fish models
    "load_perch",
    "simulate_fish",
    "scaled_length",
    "log_length",
    "fish_design",
    # result types
    "MLEResult",
    "MAPResult",
    "Posterior",
    "Predictive",
    "Perch",
    "FishSample",
    "CVResult",
    "LADResult",
    "LassoResult",
    "LogisticResult",
    # submodules
    "notation",
    "plotting",
    "report",
    "symbolic",
]
