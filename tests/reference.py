"""Plain-NumPy references, written here and never by calling scratchnet:
the straightforward spiral step (the frozen copy of the code before the
speed work), Adam and momentum as their formulas read, the lecture's
two-layer objective and backward pass (and the backward with the wrong
ReLU mask), the mean cross-entropy, the early-stopping rule, and a random
two-layer problem. Any test file imports them (``from reference import
...``): tests/ is on sys.path, as pytest puts each conftest's folder
there."""

from __future__ import annotations

import numpy as np


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


def random_problem(seed, m, d, h, n):
    """A random two-layer problem: params, X and labels y, all N(0, 1)."""
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.normal(0, 1, (d, h)), "b1": rng.normal(0, 1, (1, h)),
        "W2": rng.normal(0, 1, (h, n)), "b2": rng.normal(0, 1, (1, n)),
    }
    X = rng.normal(0, 1, (m, d))
    y = rng.integers(0, n, size=m)
    return params, X, y


def mean_ce(Z, y):
    """Mean cross-entropy of logits Z, via log-sum-exp."""
    top = Z.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(Z - top).sum(axis=1))
    return float(np.mean(lse - Z[np.arange(len(y)), y]))


def two_layer_objective(p, X, y, reg):
    A1 = np.maximum(0.0, X @ p["W1"] + p["b1"])
    Z2 = A1 @ p["W2"] + p["b2"]
    return mean_ce(Z2, y) + 0.5 * reg * (np.sum(p["W1"] ** 2)
                                         + np.sum(p["W2"] ** 2))


def lecture_backward(params, cache, y, reg=0.0):
    """The lecture's backward pass, written out here (no scratchnet)."""
    X, Z1, A1, P = cache["X"], cache["Z1"], cache["A1"], cache["P"]
    m = y.shape[0]
    dZ2 = P.copy()
    dZ2[range(m), y] -= 1
    dW2 = A1.T @ dZ2 / m + reg * params["W2"]
    db2 = dZ2.sum(axis=0, keepdims=True) / m
    dZ1 = dZ2 @ params["W2"].T
    dZ1[Z1 <= 0] = 0
    dW1 = X.T @ dZ1 / m + reg * params["W1"]
    db1 = dZ1.sum(axis=0, keepdims=True) / m
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def stop_epochs(values, patience, epochs):
    """How many epochs fit runs with early stopping, by the documented
    rule: stop once ``patience`` epochs in a row did not improve on the
    best (lowest) validation loss so far; ``epochs`` if never."""
    best, since = np.inf, 0
    for epoch, value in enumerate(values):
        if value < best:
            best, since = value, 0
        else:
            since += 1
        if since >= patience:
            return epoch + 1
    return epochs


def masked_backward(strict: bool):
    """The lecture's backward; strict=False uses the wrong mask Z1 < 0."""
    def backward(params, cache, y, reg=0.0):
        X, Z1, A1, P = cache["X"], cache["Z1"], cache["A1"], cache["P"]
        m = y.shape[0]
        dZ2 = P.copy()
        dZ2[np.arange(m), y] -= 1
        dA1 = dZ2 @ params["W2"].T
        dZ1 = dA1.copy()
        dZ1[(Z1 <= 0) if strict else (Z1 < 0)] = 0
        return {"W1": X.T @ dZ1 / m, "b1": dZ1.sum(0, keepdims=True) / m,
                "W2": A1.T @ dZ2 / m, "b2": dZ2.sum(0, keepdims=True) / m}
    return backward
