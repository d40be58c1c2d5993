"""mlemap.optim: the keywords l2 (c) and decoupled_decay (delta), and what AdamW converges to."""
import numpy as np
import pytest

import mlemap
from mlemap import adam, sgd

GRAD = lambda w, t: w - 1.0  # noqa: E731


@pytest.mark.parametrize("optimiser", [sgd, adam])
def test_weight_decay_keyword_is_rejected_and_names_both_replacements(optimiser):
    calls = []

    def grad(w, t):
        calls.append(t)
        return w

    with pytest.raises(TypeError) as info:
        optimiser(grad, np.ones(2), lr=0.1, steps=3, weight_decay=0.1)
    message = str(info.value)
    assert "`l2=c`" in message and "`decoupled_decay=δ`" in message
    assert "AdamW" in message and optimiser.__name__ in message
    assert calls == []  # rejected before any step


@pytest.mark.parametrize("optimiser", [sgd, adam])
def test_other_unknown_keywords_raise_like_python(optimiser):
    with pytest.raises(TypeError, match="unexpected keyword argument 'decay'"):
        optimiser(GRAD, np.ones(2), lr=0.1, steps=3, decay=0.1)


def test_decoupled_decay_is_the_pytorch_adamw_update():
    # PyTorch AdamW: theta <- theta - lr*delta*theta, then theta <- theta - lr*m_hat/(sqrt(v_hat)+eps)
    w0, lr, delta = np.array([2.0, -1.0]), 0.1, 0.5
    one = adam(GRAD, w0, lr=lr, steps=1, decoupled_decay=delta)[1]
    g = GRAD(w0, 0)
    shrunk = w0 - lr * delta * w0
    np.testing.assert_allclose(one, shrunk - lr * g / (np.abs(g) + 1e-8), rtol=1e-15)
    # sgd: the same shrink, then the data gradient at the old point
    one_sgd = sgd(GRAD, w0, lr=lr, steps=1, decoupled_decay=delta)[1]
    np.testing.assert_allclose(one_sgd, shrunk - lr * g, rtol=1e-15)


def test_adamw_has_a_fixed_point_on_the_third_branch():
    # delta w + g/(|g| + eps) = 0 with 0 < delta|w| < 1 needs |g| = eps delta|w|/(1 - delta|w|):
    # a gradient of size about eps, not zero and not a weight pinned at 1/delta.
    h, a, delta, eps = np.array([1.0, 4.0]), np.array([0.5, -0.25]), 0.4, 1e-8
    w = a.copy()
    for _ in range(50):  # g = h (w - a) = -eps delta w / (1 - delta|w|)
        w = a - eps * delta * w / (h * (1 - delta * np.abs(w)))
    g = h * (w - a)
    residual = delta * w + g / (np.abs(g) + eps)
    assert np.max(np.abs(residual)) < 1e-6
    assert np.all(np.abs(g) > 0.1 * eps) and np.all(np.abs(g) < 10 * eps)
    # Adam does not settle there: its steps stay of order lr, so the iterates hover
    # at a distance that shrinks with lr.
    far = {}
    for lr in (0.01, 0.001):
        path = adam(lambda v, t: h * (v - a), np.zeros(2), lr=lr, steps=20_000,
                    decoupled_decay=delta)
        far[lr] = np.max(np.linalg.norm(path[-2000:] - w, axis=1))
    assert far[0.001] < far[0.01]
    assert far[0.01] > 1e3 * np.max(np.abs(w - a))


def test_public_names_unchanged():
    assert mlemap.sgd is sgd and mlemap.adam is adam
