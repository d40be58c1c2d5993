"""Figure helpers shared by the chapters.

The book's pages have a light and a dark theme. A transparent figure with black
text disappears on the dark theme, so every figure gets an opaque white
background here.

Text must stay readable when a figure is shown at the page width: the book's
column is `PAGE_WIDTH_PX` wide on a desktop, and a stored PNG wider than that
is scaled down. With `use_book_style` every text is at least `MIN_FONT_PT`
points, so a figure at most `MAX_FIGURE_WIDTH_IN` inches wide (at the style's
100 dpi) shows no text smaller than `MIN_TEXT_PX` pixels. Two panels side by
side fit in that width (`use_book_style` sets 6.4 in for one panel; use about
9.5 in by 4 in for two, or stack them). ``tests/test_book_figures.py`` checks
every stored figure against these numbers.

Axis labels come from `axis_label`, which carries the units of the notation
table (length in cm, weight in g), so that no chapter retypes them.
"""
from __future__ import annotations

import numpy as np

__all__ = ["use_book_style", "draw_density_at", "axis_label", "PALETTE",
           "QUANTITIES", "PAGE_WIDTH_PX", "MIN_TEXT_PX", "MIN_FONT_PT", "DPI",
           "MAX_FIGURE_WIDTH_IN"]

#: Width of the book's text column on a desktop (1280 px window), in CSS px.
PAGE_WIDTH_PX = 688
#: Smallest text in a figure, in CSS px, when shown at the page width.
MIN_TEXT_PX = 10
#: Smallest font size `use_book_style` allows for any text, in points.
MIN_FONT_PT = 10
#: Resolution of stored figures, pixels per inch.
DPI = 100
#: Widest figure whose MIN_FONT_PT text is still MIN_TEXT_PX at the page width.
MAX_FIGURE_WIDTH_IN = PAGE_WIDTH_PX * MIN_FONT_PT * DPI / 72 / MIN_TEXT_PX / DPI

#: The notation table's quantities: (words, symbol, unit) for `axis_label`.
QUANTITIES = {
    "length": ("length", "x", "cm"),
    "weight": ("weight", "k", "g"),
    "n": ("number of fish", "n", None),
    "lambda": ("penalty weight", r"\lambda", None),
    "sigma": ("noise standard deviation", r"\sigma", "g"),
    "sigma_w": ("prior standard deviation", r"\sigma_w", "g"),
    "log_likelihood": ("log-likelihood", r"\log p(D \mid w)", "nats"),
    "degree": ("polynomial degree", None, None),
}

#: Colour-blind safe colours (Okabe & Ito) used across the book.
PALETTE = {
    "data": "#D55E00",       # vermillion: observations
    "model": "#0072B2",      # blue: fitted curve
    "prediction": "#009E73", # green: a prediction
    "density": "#000000",    # black: a predictive density
    "prior": "#CC79A7",      # purple
    "other": "#E69F00",      # orange
}


def use_book_style() -> None:
    """Set matplotlib defaults for the book: opaque white background, readable sizes.

    Examples
    --------
    >>> import matplotlib
    >>> use_book_style()
    >>> matplotlib.rcParams["figure.facecolor"]
    'white'
    """
    import matplotlib

    matplotlib.rcParams.update({
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.transparent": False,
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": DPI,
        "savefig.dpi": "figure",
        "font.size": 11,
        # every text at least MIN_FONT_PT (matplotlib's defaults shrink some)
        "legend.fontsize": 11,
        "legend.title_fontsize": 11,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "figure.titlesize": 12,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE.values())),
    })


def draw_density_at(ax, x0, grid, density, *, width=1.0, **style):
    """Draw a density over the vertical axis, standing sideways at ``x = x0``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x0 : float
        The input at which the density of the output is drawn.
    grid : array_like, shape (m,)
        Output values (vertical axis) at which ``density`` is given.
    density : array_like, shape (m,)
        Non-negative density values on ``grid``.
    width : float, keyword-only
        Horizontal extent, in x units, of the density's peak.
    **style
        Passed to ``ax.plot``.

    Returns
    -------
    list of matplotlib.lines.Line2D

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> lines = draw_density_at(ax, 5.0, [0.0, 1.0, 2.0], [0.1, 0.4, 0.1], width=2.0)
    >>> lines[0].get_xdata().max()
    np.float64(7.0)
    >>> plt.close(fig)
    """
    grid = np.asarray(grid, dtype=float)
    density = np.asarray(density, dtype=float)
    if grid.ndim != 1 or grid.shape != density.shape:
        raise ValueError("`grid` and `density` must be 1-D arrays of the same length")
    if not (np.all(np.isfinite(density)) and np.all(density >= 0)):
        raise ValueError("`density` must be finite and non-negative")
    if not width > 0:
        raise ValueError("`width` must be positive")
    peak = density.max()
    scale = width / peak if peak > 0 else 0.0
    return ax.plot(x0 + scale * density, grid, **style)


def axis_label(quantity, *, log=False, unit=None):
    r"""An axis label in the book's notation and units, such as ``"length $x$ (cm)"``.

    Parameters
    ----------
    quantity : str
        A key of `QUANTITIES`: ``"length"``, ``"weight"``, ``"n"``,
        ``"lambda"``, ``"sigma"``, ``"sigma_w"``, ``"log_likelihood"``,
        ``"degree"``.
    log : bool, keyword-only
        The axis has a log scale: say so in the label.
    unit : str, keyword-only
        Another unit for this axis (for example ``"g per 10 cm"``), replacing
        the notation table's.

    Returns
    -------
    str
        Words, the symbol in ``$...$`` and the unit in parentheses;
        dimensionless quantities get no unit.

    Examples
    --------
    >>> axis_label("length")
    'length $x$ (cm)'
    >>> axis_label("weight", log=True)
    'weight $k$ (g, log scale)'
    >>> axis_label("lambda")
    'penalty weight $\\lambda$'
    """
    if not isinstance(quantity, str):
        raise TypeError(f"`quantity` must be a str, got {type(quantity).__name__}.")
    if quantity not in QUANTITIES:
        raise ValueError(f"`quantity` must be one of {sorted(QUANTITIES)}, got {quantity!r}.")
    if not isinstance(log, bool):
        raise TypeError(f"`log` must be a bool, got {type(log).__name__}.")
    if unit is not None and (not isinstance(unit, str) or not unit.strip()):
        raise TypeError("`unit` must be a non-empty str or None.")
    words, symbol, default_unit = QUANTITIES[quantity]
    unit = default_unit if unit is None else unit
    label = words if symbol is None else f"{words} ${symbol}$"
    notes = [part for part in (unit, "log scale" if log else None) if part]
    return f"{label} ({', '.join(notes)})" if notes else label
