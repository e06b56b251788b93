"""Plain-NumPy references, written here and never by calling scratchnet:
the straightforward spiral step (the frozen copy of the code before the
speed work), Adam and momentum as their formulas read."""

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
