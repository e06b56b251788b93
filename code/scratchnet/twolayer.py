"""The lecture's network: ``X -> Dense -> ReLU -> Dense -> softmax``.

Written with the lecture's names so that each line sits beside its
equation::

    Z1 = X W1 + b1      (m,d)(d,h) + (1,h) -> (m,h)
    A1 = max(0, Z1)                           (m,h)
    Z2 = A1 W2 + b2     (m,h)(h,n) + (1,n) -> (m,n)
    P  = softmax(Z2)                          (m,n)
    L  = -(1/m) sum_i log P[i, y_i]

and backward::

    dZ2 = P - Y                        (m,n)
    dW2 = A1^T dZ2 / m                 (h,m)(m,n) -> (h,n)
    db2 = column sum of dZ2 / m        (1,n)
    dA1 = dZ2 W2^T                     (m,n)(n,h) -> (m,h)
    dZ1 = dA1 * [Z1 > 0]               (m,h)
    dW1 = X^T dZ1 / m                  (d,m)(m,h) -> (d,h)
    db1 = column sum of dZ1 / m        (1,h)
"""

from __future__ import annotations

import math
import operator

import numpy as np

from ._checks import (
    DivergenceError,
    _params_fast,
    as_float_matrix,
    as_hook,
    as_int,
    as_labels,
    as_real,
    check_params,
)
from .functional import cross_entropy, mean_neg_log

__all__ = ["init_params", "forward", "loss", "backward", "sgd_step",
           "train", "predict", "DivergenceError"]


def init_params(d: int, h: int, n: int, seed: int = 0,
                scale: float = 0.01) -> dict[str, np.ndarray]:
    """Small random weights and zero biases.

    ``W = scale * randn``: the lecture's ``np.random.randn(d, h)`` with a
    scale, drawn from ``np.random.default_rng(seed)``.

    Returns a dict of float64 arrays: ``W1 (d,h)``, ``b1 (1,h)``,
    ``W2 (h,n)``, ``b2 (1,n)``.
    """
    d = as_int("d", d)
    h = as_int("h", h)
    n = as_int("n", n, minimum=2)
    scale = as_real("scale", scale, positive=True)
    rng = np.random.default_rng(as_int("seed", seed, minimum=0))
    W1 = scale * rng.standard_normal((d, h))
    b1 = np.zeros((1, h))
    W2 = scale * rng.standard_normal((h, n))
    b2 = np.zeros((1, n))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def _check_X(params, X) -> np.ndarray:
    dims = check_params(params)
    X = as_float_matrix("X", X)
    if X.shape[1] != dims["d"]:
        raise ValueError(
            f"X must have {dims['d']} columns to match W1 of shape "
            f"{params['W1'].shape}, got X of shape {X.shape}")
    return X


class _Cache(dict):
    """The cache that ``forward`` returns: a dict that also remembers the
    params and arrays it was made from, so that ``backward`` can see,
    by identity alone, that both were checked already (issue 13: check
    once, at the door)."""

    def _arrays(self, params) -> tuple:
        return (params, params["W1"], params["b1"], params["W2"],
                params["b2"], self["X"], self["Z1"], self["A1"], self["P"])

    def remember(self, params) -> _Cache:
        self._made_from = self._arrays(params)
        return self

    def made_with(self, params) -> bool:
        """Whether forward made this cache from these very params, and
        the cache and the params still hold the same arrays."""
        try:
            now = self._arrays(params)
        except (KeyError, TypeError):
            return False
        return all(map(operator.is_, now, self._made_from))


def forward(params, X) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The forward pass.

    params : dict with W1 (d,h), b1 (1,h), W2 (h,n), b2 (1,n)
    X : array, shape (m, d)
    returns P : (m, n) class probabilities, and cache : dict with
    ``X (m,d)``, ``Z1 (m,h)``, ``A1 (m,h)``, ``Z2 (m,n)``, ``P (m,n)``
    """
    P, cache = _forward(params, _check_X(params, X))
    return P, _Cache(cache).remember(params)


def _forward(params, X):
    """forward without the input checks (for the training loop)."""
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = X @ W1 + b1                  # (m,d)(d,h) + (1,h) -> (m,h)
    A1 = np.maximum(0, Z1)            # (m,h), relu
    Z2 = A1 @ W2 + b2                 # (m,h)(h,n) + (1,n) -> (m,n)
    Z2_exp = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P = Z2_exp / np.sum(Z2_exp, axis=1, keepdims=True)  # softmax
    cache = {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2, "P": P}
    return P, cache


def loss(P, y, params=None, reg: float = 0.0) -> float:
    """Cross-entropy plus ``0.5 * reg * (sum W1^2 + sum W2^2)``.

    P : (m, n) probabilities; y : (m,) labels; params is needed when
    reg > 0.
    """
    reg = as_real("reg", reg, nonnegative=True)
    data_loss = cross_entropy(P, y)
    if reg == 0.0:
        return data_loss
    if params is None:
        raise ValueError(
            f"params must be given when reg > 0, got None with reg={reg}")
    if _params_fast(params, finite=False) is None:
        check_params(params)                    # raises, and says why
    W1, W2 = params["W1"], params["W2"]
    penalty = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    # A finite penalty needs finite weights, so the check of the values
    # is the penalty itself, and the biases' sum.
    if not math.isfinite(penalty + params["b1"].sum() + params["b2"].sum()):
        check_params(params)
    return data_loss + penalty


def _loss(P, y, params, reg):
    """loss without the input checks (for the training loop)."""
    data_loss = mean_neg_log(P, y)
    W1, W2 = params["W1"], params["W2"]
    return float(data_loss + 0.5 * reg * (np.sum(W1 * W1)
                                          + np.sum(W2 * W2)))


def backward(params, cache, y, reg: float = 0.0, *, trace=None
             ) -> dict[str, np.ndarray]:
    """The backward pass: gradients of the mean loss.

    params : dict as from init_params; cache : as from forward
    y : int array, shape (m,)
    returns grads with keys ``W1 (d,h)``, ``b1 (1,h)``, ``W2 (h,n)``,
    ``b2 (1,n)``. Pass a dict as ``trace`` to also get the gradients on
    the way: it receives ``dZ2 (m,n)``, ``dA1 (m,h)`` and ``dZ1 (m,h)``.
    """
    reg = as_real("reg", reg, nonnegative=True)
    if trace is not None and not isinstance(trace, dict):
        raise TypeError(f"trace must be a dict or None, got "
                        f"{type(trace).__name__}")
    if type(cache) is _Cache and cache.made_with(params):
        # forward checked these params and made this cache: check y only
        y = as_labels("y", y, m=cache["X"].shape[0],
                      n_classes=params["W2"].shape[1])
        return _backward(params, cache, y, reg, trace)
    dims = check_params(params)
    if not isinstance(cache, dict) or not {"X", "Z1", "A1", "P"} <= set(
            cache):
        raise TypeError(
            "cache must be the dict returned by forward, with keys X, Z1, "
            f"A1, Z2, P, got {type(cache).__name__}")
    X, A1, P = cache["X"], cache["A1"], cache["P"]
    if P.shape[1] != dims["n"] or A1.shape[1] != dims["h"]:
        raise ValueError(
            f"cache must come from forward with these params: P has shape "
            f"{P.shape} and A1 {A1.shape}, params need n={dims['n']} and "
            f"h={dims['h']}")
    y = as_labels("y", y, m=X.shape[0], n_classes=dims["n"])
    return _backward(params, cache, y, reg, trace)


def _backward(params, cache, y, reg, trace=None):
    """backward without the input checks (for the training loop)."""
    X, Z1, A1, P = cache["X"], cache["Z1"], cache["A1"], cache["P"]
    W1, W2 = params["W1"], params["W2"]
    m = y.shape[0]

    dZ2 = P.copy()                                # (m,n)
    dZ2[np.arange(m), y] -= 1                     # P - Y
    dW2 = A1.T @ dZ2 / m                          # (h,m)(m,n) -> (h,n)
    db2 = np.sum(dZ2, axis=0, keepdims=True) / m  # (1,n)
    dA1 = dZ2 @ W2.T                              # (m,n)(n,h) -> (m,h)
    if trace is not None:                         # for a figure: dA1
        trace.update(dZ2=dZ2, dA1=dA1.copy())     # before it is masked
    dZ1 = dA1                                     # (m,h)
    dZ1[Z1 <= 0] = 0                              # the ReLU mask
    dW1 = X.T @ dZ1 / m                           # (d,m)(m,h) -> (d,h)
    db1 = np.sum(dZ1, axis=0, keepdims=True) / m  # (1,h)

    if reg > 0.0:
        dW2 = dW2 + reg * W2
        dW1 = dW1 + reg * W1
    if trace is not None:
        trace["dZ1"] = dZ1
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def sgd_step(params, grads, lr: float) -> None:
    """Gradient descent in place: ``W <- W - lr * dL/dW`` for each param.

    params, grads : dicts with the same keys and shapes; lr > 0.

    The grads are checked in full; the params for their form only: a
    step does not make a NaN parameter, and forward and loss, which
    compute from the values, check them.
    """
    if _params_fast(params, finite=False) is None:
        check_params(params)                    # raises, and says why
    lr = as_real("lr", lr, positive=True)
    check_params(grads, name="grads")
    for key in ("W1", "b1", "W2", "b2"):
        if grads[key].shape != params[key].shape:
            raise ValueError(
                f"grads['{key}'] must have shape {params[key].shape}, got "
                f"{grads[key].shape}")
    for key in ("W1", "b1", "W2", "b2"):
        params[key] -= lr * grads[key]


def train(X, y, h: int = 100, lr: float = 1.0, epochs: int = 10000,
          reg: float = 1e-3, seed: int = 0, *, n_classes: int | None = None,
          scale: float = 0.01, params=None, log_every: int = 0,
          on_epoch=None) -> tuple[dict[str, np.ndarray], list[float]]:
    """Full-batch gradient descent on the two-layer network.

    X : (m, d); y : (m,) labels. ``n_classes`` defaults to ``max(y) + 1``.
    Pass ``params`` to continue from given weights (they are copied).
    ``log_every > 0`` prints the loss every that many epochs.
    ``on_epoch(epoch, params)``, if given, is called with epoch 0 before
    the first update and with epoch k after the k-th: a hook to record
    training (``viz.Recorder``). params are the live arrays: the hook
    copies what it keeps and must not change them.

    Returns the trained params and ``history``, the loss before each
    update (one float per epoch). Raises DivergenceError (a ValueError)
    if the loss becomes NaN or inf: lower the learning rate.
    """
    X = as_float_matrix("X", X)
    y = as_labels("y", y, m=X.shape[0])
    h = as_int("h", h)
    lr = as_real("lr", lr, positive=True)
    epochs = as_int("epochs", epochs)
    reg = as_real("reg", reg, nonnegative=True)
    log_every = as_int("log_every", log_every, minimum=0)
    on_epoch = as_hook("on_epoch", on_epoch)
    if params is None:
        n = max(int(y.max()) + 1, 2) if n_classes is None else as_int(
            "n_classes", n_classes, minimum=2)
        params = init_params(X.shape[1], h, n, seed=seed, scale=scale)
    else:
        X = _check_X(params, X)              # params fit X's columns
        n = params["W2"].shape[1]
        params = {k: np.array(v, dtype=np.float64) for k, v in
                  params.items()}
    y = as_labels("y", y, n_classes=n)
    history: list[float] = []
    if on_epoch is not None:
        on_epoch(0, params)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            P, cache = _forward(params, X)
            L = _loss(P, y, params, reg)
            if not np.isfinite(L):
                raise DivergenceError(
                    f"training diverged at epoch {epoch}: the loss is "
                    f"{L}; lower the learning rate (lr={lr})")
            grads = _backward(params, cache, y, reg)
            for key in ("W1", "b1", "W2", "b2"):
                params[key] -= lr * grads[key]
            history.append(float(L))
            if log_every and epoch % log_every == 0:
                print(f"epoch {epoch:6d}  loss {L:.6f}")
            if on_epoch is not None:
                on_epoch(epoch + 1, params)
    return params, history


def predict(params, X) -> np.ndarray:
    """Predicted labels: the arg max of the scores. X (m,d) -> (m,)."""
    X = _check_X(params, X)
    A1 = np.maximum(0.0, X @ params["W1"] + params["b1"])
    Z2 = A1 @ params["W2"] + params["b2"]
    return np.argmax(Z2, axis=1).astype(np.int64)
