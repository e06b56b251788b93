"""The fast formulations of nn, optim and training give the same numbers.

The reference is a frozen copy of the straightforward spiral step, the
code as it was before the speed work (issue 13), written here in plain
NumPy and not by calling scratchnet: ``np.maximum(Z, 0.0)``, a boolean
mask, ``np.sum(axis=0)``, ``max(axis=1)``, a per-parameter update.
"""

from __future__ import annotations

import numpy as np
from scratchnet import data, nn, optim, training


def reference_losses(X, y, steps, lr=1.0, reg=1e-3):
    """The straightforward full-batch step, ``steps`` times."""
    rng0, rng1 = np.random.default_rng(0), np.random.default_rng(1)
    W1 = np.sqrt(2.0 / 2) * rng0.standard_normal((2, 100))
    b1 = np.zeros((1, 100))
    W2 = np.sqrt(2.0 / 100) * rng1.standard_normal((100, 3))
    b2 = np.zeros((1, 3))
    m = X.shape[0]
    losses = []
    for _ in range(steps):
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0.0)
        Z2 = A1 @ W2 + b2
        shifted = Z2 - Z2.max(axis=1, keepdims=True)
        correct = shifted[np.arange(m), y]
        sums = np.exp(shifted).sum(axis=1, keepdims=True)
        P = np.exp(shifted) / sums
        loss = np.mean(np.log(sums[:, 0]) - correct)
        loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        losses.append(float(loss))
        dZ2 = P.copy()
        dZ2[np.arange(m), y] -= 1.0
        dZ2 /= m
        dW2 = A1.T @ dZ2 + reg * W2
        db2 = np.sum(dZ2, axis=0, keepdims=True)
        dA1 = dZ2 @ W2.T
        dZ1 = dA1 * (A1 > 0)
        dW1 = X.T @ dZ1 + reg * W1
        db1 = np.sum(dZ1, axis=0, keepdims=True)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    return np.array(losses)


def spiral_model(dtype=np.float64):
    return nn.Sequential(nn.Dense(2, 100, seed=0, weight_decay=1e-3),
                         nn.ReLU(),
                         nn.Dense(100, 3, seed=1, weight_decay=1e-3),
                         dtype=dtype)


def test_fit_gives_the_losses_of_the_straightforward_step():
    X, y = data.make_spiral(seed=0)
    expected = reference_losses(X, y, 300)
    model = spiral_model()
    hist = training.fit(model, X, y, 300, len(y),
                        optim.SGD(model.parameters(), lr=1.0),
                        progress=False)
    np.testing.assert_allclose(hist["loss"], expected, rtol=0, atol=1e-12)
    assert expected[-1] < 0.5 * expected[0]       # it did learn


def reference_adam(w, grads, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
    """The straightforward Adam, one parameter, for each gradient."""
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t))
                                            + eps)
    return w


def reference_momentum(w, grads, lr=0.1, mu=0.9):
    v = np.zeros_like(w)
    for g in grads:
        v = mu * v + g
        w = w - lr * v
    return w


def test_the_flat_optimizers_give_the_straightforward_updates():
    rng = np.random.default_rng(0)
    for make, reference in (
            (lambda p: optim.Adam(p, lr=0.01), reference_adam),
            (lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
             reference_momentum)):
        model = nn.Sequential(nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2))
        start = [p.copy() for _, p, _ in model.parameters()]
        opt = make(model.parameters())
        assert opt._pairs[0][0] is model.flat_params     # the flat path
        history = []
        for _ in range(50):
            for _, _, g in model.parameters():
                g[...] = rng.standard_normal(g.shape)
            history.append([g.copy() for _, _, g in model.parameters()])
            opt.step()
        for k, (name, p, _) in enumerate(model.parameters()):
            expected = reference(start[k], [h[k] for h in history])
            np.testing.assert_allclose(p, expected, rtol=1e-12,
                                       atol=1e-14, err_msg=name)


def test_float32_training_reaches_the_accuracy_of_float64():
    X, y = data.make_spiral(seed=0)
    acc = {}
    for dtype in (np.float64, np.float32):
        model = spiral_model(dtype)
        training.fit(model, X, y, 2000, len(y),
                     optim.SGD(model.parameters(), lr=1.0), progress=False)
        assert model.flat_params.dtype == dtype
        assert model.forward(X).dtype == dtype
        acc[dtype] = np.mean(model.predict(X) == y)
    assert acc[np.float64] > 0.95
    assert abs(acc[np.float32] - acc[np.float64]) <= 0.01


def test_float32_digits_reaches_the_test_accuracy_of_float64():
    from sklearn.datasets import load_digits
    digits = load_digits()
    X_tr, X_te, y_tr, y_te = data.train_test_split(
        digits.data, digits.target, test_fraction=0.2, seed=0)
    X_tr, mean, std = data.standardize(X_tr)
    X_te, _, _ = data.standardize(X_te, mean, std)
    acc = {}
    for dtype in (np.float64, np.float32):
        model = nn.Sequential(nn.Dense(64, 64, seed=0), nn.ReLU(),
                              nn.Dense(64, 10, seed=1), dtype=dtype)
        hist = training.fit(model, X_tr, y_tr, 15, 32,
                            optim.Adam(model.parameters(), lr=1e-3),
                            validation=(X_te, y_te), progress=False)
        acc[dtype] = hist["val_accuracy"][-1]
    assert acc[np.float64] > 0.95
    assert abs(acc[np.float32] - acc[np.float64]) <= 0.01


def test_a_float32_model_saves_and_loads_as_float32(tmp_path):
    model = spiral_model(np.float32)
    path = training.save(model, tmp_path / "m.npz")
    back = training.load(path)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back.flat_params, model.flat_params)
