r"""Gradient-based optimisers for the weight-decay chapter: SGD and Adam.

Both return every iterate, so a chapter can compare trajectories step by
step. The book's letters: :math:`\eta` is the learning rate, :math:`c` the L2
coefficient, :math:`\delta` the decoupled decay rate (:math:`\lambda` is the
ridge penalty, and is not used here). Conventions, exactly (PyTorch's, for
``torch.optim.SGD`` without momentum and ``torch.optim.Adam`` /
``torch.optim.AdamW``):

* ``grad(w, t)`` returns the gradient of the *data* loss at ``w`` on step
  ``t = 0, 1, ..., steps - 1`` (make it depend on ``t`` for minibatches).
* ``l2=c`` adds the L2 term :math:`\tfrac c2\lVert w\rVert^2` to the loss,
  i.e. :math:`c\,w` to the gradient *before* the optimiser sees it. This is
  what PyTorch calls ``weight_decay`` in ``SGD`` and ``Adam``.
* ``decoupled_decay=δ`` shrinks the weights directly, outside the adaptive
  step, by the learning rate times :math:`\delta`:
  :math:`w \leftarrow w - \eta\delta w - \eta\,\text{step}`. This is what
  PyTorch calls ``weight_decay`` in ``AdamW``. Loshchilov & Hutter's own form
  shrinks by :math:`\eta_t\delta` with :math:`\eta_t` a schedule multiplier
  kept apart from the learning rate, and Hanson & Pratt's by a fixed fraction
  per step; in those forms :math:`\delta` means something else.

There is no ``weight_decay`` keyword: in PyTorch it means :math:`c` for one
optimiser and :math:`\delta` for another. Passing it raises a TypeError that
names the keyword to use.

For plain SGD the two coincide: ``sgd(..., l2=c)`` and
``sgd(..., decoupled_decay=c)`` produce the same iterates up to rounding.
For Adam they differ: the L2 gradient is divided by the adaptive scale
``sqrt(v_hat)``, decoupled decay is not.

References
----------
.. [1] I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization",
   ICLR 2019, arXiv:1711.05101.
.. [2] D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization",
   ICLR 2015, arXiv:1412.6980.
.. [3] S. J. Hanson, L. Y. Pratt, "Comparing Biases for Minimal Network
   Construction with Back-Propagation", NeurIPS 1 (1988), 177-185.
.. [4] PyTorch 2.0 documentation, ``torch.optim.SGD`` and ``torch.optim.AdamW``,
   https://pytorch.org/docs/2.0/generated/torch.optim.AdamW.html
"""

import numpy as np

from ._checks import as_real_array, integer, real_scalar, reject_unknown

__all__ = ["sgd", "adam"]


#: PyTorch's ``weight_decay`` is c in SGD/Adam and δ in AdamW: say which to pass.
_WEIGHT_DECAY = {"weight_decay": (
    "has no `weight_decay`: PyTorch uses that name for two different things. Pass "
    "`l2=c` for the L2 coefficient c (PyTorch's SGD/Adam weight_decay) or "
    "`decoupled_decay=δ` for the decoupled decay rate δ (PyTorch's AdamW weight_decay).")}


def _common(grad, w0, lr, steps, l2, decoupled_decay):
    if not callable(grad):
        raise TypeError(f"`grad` must be callable as grad(w, t), got {type(grad).__name__}.")
    w0 = as_real_array(w0, "w0", ndim=1)
    lr = real_scalar(lr, "lr", positive=True)
    steps = integer(steps, "steps", minimum=0)
    l2 = real_scalar(l2, "l2", nonnegative=True)
    decoupled_decay = real_scalar(decoupled_decay, "decoupled_decay", nonnegative=True)
    path = np.empty((steps + 1, w0.size))
    path[0] = w0
    return w0, lr, steps, l2, decoupled_decay, path


def _gradient(grad, w, t, l2):
    g = np.asarray(grad(w.copy(), t), dtype=float)
    if g.shape != w.shape:
        raise ValueError(
            f"`grad` returned shape {g.shape} at step {t}; expected {w.shape}."
        )
    if not np.all(np.isfinite(g)):
        raise FloatingPointError(
            f"`grad` returned NaN or inf at step {t}; the iterates may have "
            "diverged (try a smaller `lr`)."
        )
    return g + l2 * w if l2 else g


def _iterate(grad, w, l2, step, path):
    """Fill ``path[1:]`` with ``w <- step(w, g_t, t)``; g_t includes the L2 term."""
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below
        for t in range(path.shape[0] - 1):
            w = step(w, _gradient(grad, w, t, l2), t)
            path[t + 1] = w
    bad = ~np.all(np.isfinite(path), axis=1)
    if np.any(bad):
        raise FloatingPointError(
            f"the iterates overflowed at step {int(np.argmax(bad)) - 1}; "
            "reduce `lr`."
        )
    return path


def sgd(grad, w0, *, lr, steps, l2=0.0, decoupled_decay=0.0, **unknown):
    r"""Gradient descent / SGD (no momentum) with optional L2 term or decoupled decay.

    Parameters
    ----------
    grad : callable
        ``grad(w, t) -> ndarray (d,)``: data-loss gradient at ``w`` on step
        ``t`` (0-based). Deterministic in ``t`` for reproducible minibatches.
    w0 : array_like, shape (d,)
        Starting weights.
    lr : float
        Learning rate :math:`\eta > 0`.
    steps : int
        Number of updates, >= 0.
    l2 : float, optional
        Coefficient :math:`c \ge 0` of the L2 term :math:`\tfrac c2\lVert w\rVert^2`
        added to the loss (default 0); PyTorch ``SGD(weight_decay=c)``.
    decoupled_decay : float, optional
        Decoupled decay rate :math:`\delta \ge 0` (default 0): each step first
        shrinks the weights by :math:`\eta\delta\,w`.

    Returns
    -------
    ndarray, shape (steps + 1, d)
        All iterates, ``w0`` first.

    Raises
    ------
    TypeError
        If `grad` is not callable, an option is passed by position, or the
        keyword ``weight_decay`` is used (say ``l2`` or ``decoupled_decay``).
    ValueError
        If `lr` is not positive, `steps` negative, or `l2` or
        `decoupled_decay` negative.
    FloatingPointError
        If `grad` returns NaN or inf (usually divergence from a large `lr`).

    Notes
    -----
    One step, with :math:`g_t =` ``grad(w_t, t)``:

    .. math:: w_{t+1} = w_t - \eta\,\delta\, w_t - \eta\,(g_t + c\, w_t).

    So ``l2=c`` and ``decoupled_decay=c`` give the same iterates (up to
    rounding); both shrink the weights by the factor :math:`1-\eta c` per
    step before the data gradient is applied.

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import sgd
    >>> grad = lambda w, t: w - 1.0            # loss ||w - 1||^2 / 2
    >>> path = sgd(grad, np.zeros(1), lr=0.5, steps=3)
    >>> path[:, 0]
    array([0.   , 0.5  , 0.75 , 0.875])
    >>> a = sgd(grad, np.zeros(1), lr=0.1, steps=200, l2=0.5)
    >>> b = sgd(grad, np.zeros(1), lr=0.1, steps=200, decoupled_decay=0.5)
    >>> bool(np.allclose(a, b, rtol=1e-14, atol=0)), round(float(a[-1, 0]), 6)  # -> 1/1.5
    (True, 0.666667)
    >>> sgd(grad, np.zeros(1), lr=0.1, steps=3, weight_decay=0.5)
    Traceback (most recent call last):
        ...
    TypeError: sgd() has no `weight_decay`: PyTorch uses that name for two different things. Pass `l2=c` for the L2 coefficient c (PyTorch's SGD/Adam weight_decay) or `decoupled_decay=δ` for the decoupled decay rate δ (PyTorch's AdamW weight_decay).
    """
    reject_unknown("sgd", unknown, renamed=_WEIGHT_DECAY)
    w, lr, steps, l2, decoupled_decay, path = _common(grad, w0, lr, steps, l2,
                                                      decoupled_decay)

    def step(w, g, t):
        return w - lr * decoupled_decay * w - lr * g

    return _iterate(grad, w, l2, step, path)


def adam(grad, w0, *, lr, steps, l2=0.0, decoupled_decay=0.0, betas=(0.9, 0.999), eps=1e-8,
         **unknown):
    r"""Adam (with an L2 term) and AdamW (with decoupled weight decay).

    Parameters
    ----------
    grad : callable
        ``grad(w, t) -> ndarray (d,)``: data-loss gradient on step ``t`` (0-based).
    w0 : array_like, shape (d,)
        Starting weights.
    lr : float
        Learning rate :math:`\eta > 0`.
    steps : int
        Number of updates, >= 0.
    l2 : float, optional
        L2 coefficient :math:`c \ge 0`: adds :math:`c\,w` to the gradient, which
        then passes through Adam's moment estimates ("Adam + L2"; PyTorch
        ``Adam(weight_decay=c)``). Default 0.
    decoupled_decay : float, optional
        Decoupled decay rate :math:`\delta \ge 0`, applied as
        :math:`w \leftarrow w - \eta\delta w` outside the adaptive step
        ("AdamW"; PyTorch ``AdamW(weight_decay=δ)``; note PyTorch's AdamW
        default is 0.01, ours is 0).
    betas : tuple of two floats, optional
        :math:`(\beta_1, \beta_2)`, each in [0, 1). Default (0.9, 0.999).
    eps : float, optional
        :math:`\epsilon > 0` added to :math:`\sqrt{\hat v}`. Default 1e-8.

    Returns
    -------
    ndarray, shape (steps + 1, d)
        All iterates, ``w0`` first.

    Raises
    ------
    TypeError
        If `grad` is not callable, `betas` is not a pair, an option is passed
        by position, or the keyword ``weight_decay`` is used (say ``l2`` or
        ``decoupled_decay``).
    ValueError
        If `lr` or `eps` is not positive, `steps` negative, `l2` or
        `decoupled_decay` negative, or a beta outside [0, 1).
    FloatingPointError
        If `grad` returns NaN or inf.

    Notes
    -----
    For :math:`t = 0, 1, \dots` with :math:`g_t =` ``grad(w_t, t)`` :math:`+\, c\,w_t`,
    :math:`m_0 = v_0 = 0` and :math:`k = t + 1`:

    .. math::
        m_{k} &= \beta_1 m_{k-1} + (1-\beta_1) g_t, \qquad
        v_{k} = \beta_2 v_{k-1} + (1-\beta_2) g_t^2, \\
        \hat m &= m_k / (1-\beta_1^k), \qquad \hat v = v_k/(1-\beta_2^k), \\
        w_{t+1} &= w_t - \eta\delta w_t - \eta\, \hat m / (\sqrt{\hat v} + \epsilon).

    Examples
    --------
    >>> import numpy as np
    >>> from mlemap import adam
    >>> grad = lambda w, t: np.array([100.0, 0.01]) * (w - 1.0)  # badly scaled
    >>> path = adam(grad, np.zeros(2), lr=0.1, steps=1)
    >>> path[1].round(6)  # Adam's first step is lr in every coordinate
    array([0.1, 0.1])
    >>> l2 = adam(grad, np.zeros(2), lr=0.01, steps=2000, l2=1.0)
    >>> w = adam(grad, np.zeros(2), lr=0.01, steps=2000, decoupled_decay=1.0)
    >>> bool(np.allclose(l2[-1], w[-1], atol=1e-2))  # Adam+L2 is not AdamW
    False
    """
    reject_unknown("adam", unknown, renamed=_WEIGHT_DECAY)
    w, lr, steps, l2, decoupled_decay, path = _common(grad, w0, lr, steps, l2,
                                                      decoupled_decay)
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise TypeError("`betas` must be a pair (beta1, beta2).") from None
    beta1 = real_scalar(beta1, "betas[0]", nonnegative=True, below=1.0)
    beta2 = real_scalar(beta2, "betas[1]", nonnegative=True, below=1.0)
    eps = real_scalar(eps, "eps", positive=True)
    m = np.zeros_like(w)
    v = np.zeros_like(w)

    def step(w, g, t):
        nonlocal m, v
        m = beta1 * m + (1.0 - beta1) * g
        v = beta2 * v + (1.0 - beta2) * (g * g)
        m_hat = m / (1.0 - beta1 ** (t + 1))
        v_hat = v / (1.0 - beta2 ** (t + 1))
        return w - lr * decoupled_decay * w - lr * m_hat / (np.sqrt(v_hat) + eps)

    return _iterate(grad, w, l2, step, path)
