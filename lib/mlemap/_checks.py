"""Input checks shared by every public function.

Each helper raises ``TypeError`` (wrong kind of object) or ``ValueError``
(right kind, bad value) with a message that names the parameter in
backticks, and returns a clean float64 array or Python number.
"""

import numbers
import operator

import numpy as np


def as_real_array(value, name, *, ndim=None, allow_empty=False):
    """Return `value` as a finite float64 array, or raise naming `name`."""
    if value is None:
        raise TypeError(f"`{name}` must be an array of real numbers, got None.")
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"`{name}` must contain real numbers, got dtype {arr.dtype}."
        )
    arr = arr.astype(np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        hint = ""
        if name == "X" and ndim == 2 and arr.ndim == 1:
            hint = " For a single feature pass `X[:, None]`, for one row `X[None, :]`."
        raise ValueError(
            f"`{name}` must be {ndim}-D, got {arr.ndim}-D with shape {arr.shape}.{hint}"
        )
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"`{name}` must not be empty, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` contains NaN or inf.")
    return arr


def design_and_target(X, y, *, x_name="X", y_name="y"):
    """Check a design matrix (n, d) and a target vector (n,)."""
    X = as_real_array(X, x_name, ndim=2)
    y = as_real_array(y, y_name, ndim=1)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"`{x_name}` has {X.shape[0]} rows but `{y_name}` has {y.shape[0]} "
            "entries; they must match."
        )
    return X, y


def real_scalar(value, name, *, positive=False, nonnegative=False, below=None):
    """Return `value` as a finite Python float with an optional sign check."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a real number, got {type(value).__name__}."
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value}.")
    if positive and not value > 0:
        raise ValueError(f"`{name}` must be > 0, got {value}.")
    if nonnegative and not value >= 0:
        raise ValueError(f"`{name}` must be >= 0, got {value}.")
    if below is not None and not value < below:
        raise ValueError(f"`{name}` must be < {below}, got {value}.")
    return value


def positive_array(value, name):
    """A finite array (or scalar) of strictly positive values, e.g. `sigma`."""
    arr = as_real_array(value, name)
    if not np.all(arr > 0):
        raise ValueError(f"`{name}` must be > 0, got a minimum of {arr.min()}.")
    return arr


def integer(value, name, *, minimum=0):
    """Return `value` as a Python int >= `minimum` (bools are rejected)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be an integer, got bool.")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(
            f"`{name}` must be an integer, got {type(value).__name__}."
        ) from None
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}, got {value}.")
    return value


def penalty_mask(penalize, d):
    """The boolean `penalize` mask of length `d` (default: all True)."""
    if penalize is None:
        return np.ones(d, dtype=bool)
    mask = np.asarray(penalize)
    if mask.dtype != np.bool_:
        raise TypeError(
            f"`penalize` must be a boolean mask, got dtype {mask.dtype}."
        )
    if mask.shape != (d,):
        raise ValueError(
            f"`penalize` must have shape ({d},) to match the {d} columns of `X`, "
            f"got shape {mask.shape}."
        )
    return mask.copy()


def generator(rng):
    """A `numpy.random.Generator` from an int seed or a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, numbers.Integral):
        raise TypeError(
            "`rng` must be an int seed or a numpy.random.Generator, "
            f"got {type(rng).__name__}."
        )
    if rng < 0:
        raise ValueError(f"`rng` must be a non-negative seed, got {rng}.")
    return np.random.default_rng(int(rng))


def reject_unknown(name, extra, *, renamed=None):
    """Raise the TypeError Python would for unknown keywords `extra` of `name`()
    (a function that takes ``**extra``), with a pointer where a keyword was renamed:
    `renamed` maps an old keyword to the rest of the message."""
    for old, message in (renamed or {}).items():
        if old in extra:
            raise TypeError(f"{name}() {message}")
    if extra:
        raise TypeError(f"{name}() got an unexpected keyword argument {sorted(extra)[0]!r}")
