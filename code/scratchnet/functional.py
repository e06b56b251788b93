"""The elementwise and row-wise pieces of the network, with their checks.

Shapes: ``m`` rows (examples), ``n`` columns (neurons or classes).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_matrix, as_labels

__all__ = ["relu", "relu_backward", "softmax", "cross_entropy", "accuracy"]

#: The smallest positive *normal* float64 (subnormals go lower, with less
#: precision). ``-log(TINY)`` is about 708: the loss of a probability
#: that underflowed to 0 is large but finite.
TINY = np.finfo(np.float64).tiny


def relu(Z) -> np.ndarray:
    """ReLU, ``A = max(0, Z)``, elementwise.

    Z : array, shape (m, n)  ->  A : float64 array, shape (m, n)
    """
    Z = as_float_matrix("Z", Z)
    return np.maximum(0.0, Z)


def relu_backward(dA, Z) -> np.ndarray:
    """The ReLU mask: ``dZ = dA`` where ``Z > 0`` and 0 where ``Z <= 0``.

    The derivative of ``max(0, z)`` is 1 for z > 0 and 0 for z < 0; at
    z = 0 we take 0 (any value in [0, 1] is a valid subgradient).

    dA : array, shape (m, n), upstream gradient dL/dA
    Z : array, shape (m, n), the pre-activation that was passed to relu
    returns dZ : float64 array, shape (m, n)
    """
    dA = as_float_matrix("dA", dA)
    Z = as_float_matrix("Z", Z)
    if dA.shape != Z.shape:
        raise ValueError(
            f"dA must have the shape of Z, {Z.shape}, got {dA.shape}")
    dZ = dA.copy()
    dZ[Z <= 0] = 0.0
    return dZ


def softmax(Z) -> np.ndarray:
    """Row-wise softmax, stable for any finite logits.

    ``P[i, k] = exp(Z[i, k] - max_j Z[i, j]) / sum_j exp(Z[i, j] - max)``.
    Subtracting the row maximum changes nothing mathematically and keeps
    every exponent <= 0, so ``exp`` cannot overflow.

    Z : array, shape (m, n), logits  ->  P : float64 array, shape (m, n),
    each row a probability distribution
    """
    Z = as_float_matrix("Z", Z)
    shifted = Z - Z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


_ONES: dict[int, np.ndarray] = {}


def _ones(n: int) -> np.ndarray:
    """A read-only vector of n ones, made once per n."""
    ones = _ONES.get(n)
    if ones is None:
        ones = _ONES[n] = np.ones(n)
        ones.flags.writeable = False
    return ones


def _check_probs(P) -> np.ndarray:
    if (type(P) is np.ndarray and P.dtype == np.float64 and P.ndim == 2
            and P.size and P.min() >= 0.0 and P.max() <= 1.0):
        sums = P @ _ones(P.shape[1])                  # row sums, (m,)
        if sums.min() >= 1.0 - 1e-6 and sums.max() <= 1.0 + 1e-6:
            return P   # the common case: NaN fails every comparison
    P = as_float_matrix("P", P)
    if P.min() < 0.0 or P.max() > 1.0:
        raise ValueError(
            "P must hold probabilities in [0, 1], got values in "
            f"[{P.min():.3g}, {P.max():.3g}] (pass softmax(Z), not Z)")
    sums = P.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > 1e-6:
        raise ValueError(
            f"P must have rows that sum to 1, got row {worst} summing to "
            f"{sums[worst]:.6g}")
    return P


def cross_entropy(P, y) -> float:
    """Mean cross-entropy ``L = -(1/m) sum_i log P[i, y_i]``.

    A probability that underflowed to 0 is clipped to the smallest
    positive normal float, so the loss is large (about 708) but never inf.

    P : array, shape (m, n), rows are probabilities (e.g. softmax output)
    y : int array, shape (m,), labels in 0..n-1
    returns the loss, a Python float
    """
    P = _check_probs(P)
    y = as_labels("y", y, m=P.shape[0], n_classes=P.shape[1])
    return mean_neg_log(P, y)


def mean_neg_log(P: np.ndarray, y: np.ndarray) -> float:
    """``-(1/m) sum_i log P[i, y_i]`` with no input checks (the clipped
    core of :func:`cross_entropy`, for training loops)."""
    correct = np.maximum(P[np.arange(y.shape[0]), y], TINY)
    # 0.0 minus, not unary minus: a perfect prediction costs 0.0, not -0.0
    return float(0.0 - np.mean(np.log(correct)))


def accuracy(scores, y) -> float:
    """Fraction of rows whose highest score is the true label.

    scores : array, shape (m, n), logits or probabilities
    y : int array, shape (m,)
    """
    scores = as_float_matrix("scores", scores)
    y = as_labels("y", y, m=scores.shape[0], n_classes=scores.shape[1])
    return float(np.mean(np.argmax(scores, axis=1) == y))
