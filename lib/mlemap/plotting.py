"""Figure helpers shared by the chapters.

The book's pages have a light and a dark theme. A transparent figure with black
text disappears on the dark theme, so every figure gets an opaque white
background here.
"""
from __future__ import annotations

import numpy as np

__all__ = ["use_book_style", "draw_density_at", "PALETTE"]

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
        "figure.dpi": 100,
        "font.size": 11,
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
