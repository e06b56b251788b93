"""A linear softmax classifier, ``P = softmax(X W + b)``: the baseline.

It has no hidden layer, so its decision boundaries are straight lines;
on the spiral it cannot do much better than one point in two.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_matrix, as_int, as_labels, as_real
from .functional import cross_entropy, softmax

__all__ = ["train_linear", "predict_linear"]


def _check_Wb(W, b, d=None):
    W = as_float_matrix("W", W)
    b = as_float_matrix("b", b)
    if b.shape != (1, W.shape[1]):
        raise ValueError(
            f"b must have shape (1, {W.shape[1]}) to match W of shape "
            f"{W.shape}, got {b.shape}")
    if d is not None and W.shape[0] != d:
        raise ValueError(
            f"W must have {d} rows to match X with {d} columns, got W of "
            f"shape {W.shape}")
    return W, b


def train_linear(X, y, lr: float = 1.0, epochs: int = 200,
                 reg: float = 1e-3, seed: int = 0, scale: float = 0.01
                 ) -> tuple[dict[str, np.ndarray], list[float]]:
    """Full-batch gradient descent on a linear softmax classifier.

    X : (m, d); y : (m,) labels in 0..n-1 with n = max(y) + 1.
    Returns ``{"W": (d,n), "b": (1,n)}`` and the loss per epoch.
    The gradients are the output layer's: ``dZ = (P - Y)``,
    ``dW = X^T dZ / m + reg W``, ``db = column sum of dZ / m``.
    """
    X = as_float_matrix("X", X)
    y = as_labels("y", y, m=X.shape[0])
    lr = as_real("lr", lr, positive=True)
    epochs = as_int("epochs", epochs)
    reg = as_real("reg", reg, nonnegative=True)
    scale = as_real("scale", scale, positive=True)
    rng = np.random.default_rng(as_int("seed", seed, minimum=0))
    m, d = X.shape
    n = max(int(y.max()) + 1, 2)
    W = scale * rng.standard_normal((d, n))
    b = np.zeros((1, n))
    history = []
    for epoch in range(epochs):
        P = softmax(X @ W + b)
        L = cross_entropy(P, y) + 0.5 * reg * np.sum(W * W)
        if not np.isfinite(L):
            raise ValueError(
                f"training diverged at epoch {epoch}: the loss is {L}; "
                f"lower the learning rate (lr={lr})")
        history.append(float(L))
        dZ = P.copy()
        dZ[np.arange(m), y] -= 1
        dW = X.T @ dZ / m + reg * W
        db = np.sum(dZ, axis=0, keepdims=True) / m
        W -= lr * dW
        b -= lr * db
    return {"W": W, "b": b}, history


def predict_linear(params, X) -> np.ndarray:
    """Labels from a linear classifier: arg max of ``X W + b``."""
    if not isinstance(params, dict) or not {"W", "b"} <= set(params):
        raise TypeError(
            "params must be a dict with keys 'W' and 'b', got "
            f"{type(params).__name__}")
    X = as_float_matrix("X", X)
    W, b = _check_Wb(params["W"], params["b"], d=X.shape[1])
    return np.argmax(X @ W + b, axis=1).astype(np.int64)
