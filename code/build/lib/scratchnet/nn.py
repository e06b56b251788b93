"""Layers as objects: a network of any depth, from the same maths.

Every layer has ``forward(x)`` and ``backward(grad)``. ``forward`` caches
what ``backward`` needs (the input, or the output); ``backward`` takes the
gradient of the loss with respect to the layer's output and returns the
gradient with respect to its input, storing the gradients of its own
parameters in ``layer.grads`` under the same names as ``layer.params``.
Backward through a :class:`Sequential` is the chain rule applied one
layer at a time, last layer first.

Shapes: ``x`` is ``(m, in_features)``; a ``Dense`` layer's ``W`` is
``(in, out)`` and ``b`` is ``(1, out)``, as in :mod:`scratchnet.twolayer`.

Unlike ``twolayer``, which is written to be read, the layers reuse their
output and gradient buffers between steps of the same batch size, to
avoid allocating large temporaries on every step.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_matrix, as_int, as_labels, as_real
from .functional import softmax

__all__ = ["Layer", "Dense", "ReLU", "Sigmoid", "Tanh",
           "SoftmaxCrossEntropy", "Sequential"]


def _buffer(store: dict, key: str, shape, dtype=np.float64) -> np.ndarray:
    """A reusable array of the given shape (reallocated if it changes)."""
    buf = store.get(key)
    if buf is None or buf.shape != shape:
        buf = np.empty(shape, dtype=dtype)
        store[key] = buf
    return buf


class Layer:
    """Base class: no parameters, identity forward and backward."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._buffers: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def penalty(self) -> float:
        """The layer's L2 weight-decay term of the loss (0 if none)."""
        return 0.0

    def config(self) -> dict:
        """What is needed to rebuild the layer (without its weights)."""
        return {"type": type(self).__name__}

    def _check_grad(self, grad, out):
        if out is None:
            raise ValueError(
                f"{type(self).__name__}.backward needs a forward pass "
                "first, got none")
        grad = as_float_matrix("grad", grad)
        if grad.shape != out.shape:
            raise ValueError(
                f"grad must have the shape of the layer's output "
                f"{out.shape}, got {grad.shape}")
        return grad

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """A fully connected layer, ``Z = x W + b``.

    in_features, out_features : the sizes d and n
    init : the standard deviation of the normal weights, from the fan-in
        d and the fan-out n: "he", sqrt(2/d), for ReLU layers (He et al.,
        2015); "xavier", Glorot's sqrt(2/(d + n)), for tanh and sigmoid
        layers (Glorot and Bengio, 2010); or "lecun", sqrt(1/d)
    seed : seed of ``np.random.default_rng`` for the weights
    weight_decay : lambda of the L2 penalty ``0.5 * lambda * sum W^2``
    """

    #: init -> the variance of the weights, from (fan_in, fan_out)
    INITS = {"he": lambda d, n: 2.0 / d,
             "xavier": lambda d, n: 2.0 / (d + n),
             "lecun": lambda d, n: 1.0 / d}

    def __init__(self, in_features: int, out_features: int,
                 init: str = "he", seed: int = 0,
                 weight_decay: float = 0.0) -> None:
        super().__init__()
        self.in_features = as_int("in_features", in_features)
        self.out_features = as_int("out_features", out_features)
        if init not in self.INITS:
            raise ValueError(
                f"init must be one of {sorted(self.INITS)}, got {init!r}")
        self.init = init
        self.seed = as_int("seed", seed, minimum=0)
        self.weight_decay = as_real("weight_decay", weight_decay,
                                    nonnegative=True)
        rng = np.random.default_rng(self.seed)
        std = np.sqrt(self.INITS[init](self.in_features,
                                       self.out_features))
        self.params = {
            "W": std * rng.standard_normal((self.in_features,
                                            self.out_features)),
            "b": np.zeros((1, self.out_features)),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._x = None

    def forward(self, x):
        """x (m, d) -> Z (m, n); caches x for the weight gradient."""
        x = self._check_input(x)
        self._x = x
        out = _buffer(self._buffers, "out", (x.shape[0], self.out_features))
        np.matmul(x, self.params["W"], out=out)
        out += self.params["b"]
        return out

    def _check_input(self, x):
        if not (isinstance(x, np.ndarray) and x.dtype == np.float64
                and x.ndim == 2):
            x = as_float_matrix("x", x)
        if x.shape[1] != self.in_features:
            raise ValueError(
                f"x must have {self.in_features} columns for "
                f"{self!r}, got shape {x.shape}")
        return x

    def backward(self, grad, input_grad: bool = True):
        """dZ (m, n) -> dx (m, d); sets grads W (d, n) and b (1, n).

        With ``input_grad=False`` (the first layer of a network, whose
        input is the data) dx is not computed and None is returned.

        ``grad`` is the gradient of the *mean* loss (the 1/m is already
        in it), so dW = x^T dZ and db = column sum of dZ.
        """
        if self._x is None:
            raise ValueError("Dense.backward needs a forward pass first, "
                             "got none")
        if grad.shape != (self._x.shape[0], self.out_features):
            raise ValueError(
                f"grad must have shape {(self._x.shape[0], self.out_features)}"
                f", got {grad.shape}")
        W = self.params["W"]
        np.matmul(self._x.T, grad, out=self.grads["W"])        # (d, n)
        np.sum(grad, axis=0, keepdims=True, out=self.grads["b"])  # (1, n)
        if self.weight_decay:
            self.grads["W"] += self.weight_decay * W
        if not input_grad:
            return None
        dx = _buffer(self._buffers, "dx", self._x.shape)
        np.matmul(grad, W.T, out=dx)                           # (m, d)
        return dx

    def penalty(self) -> float:
        if not self.weight_decay:
            return 0.0
        W = self.params["W"]
        return 0.5 * self.weight_decay * float(np.sum(W * W))

    def config(self):
        return {"type": "Dense", "in_features": self.in_features,
                "out_features": self.out_features, "init": self.init,
                "seed": self.seed, "weight_decay": self.weight_decay}

    def __repr__(self):
        return (f"Dense({self.in_features}, {self.out_features}, "
                f"init={self.init!r})")


class ReLU(Layer):
    """``max(0, x)``; backward is the mask ``x > 0``."""

    def forward(self, x):
        x = as_float_matrix("x", x) if not isinstance(x, np.ndarray) else x
        out = _buffer(self._buffers, "out", x.shape)
        np.maximum(x, 0.0, out=out)
        self._out = out
        return out

    def backward(self, grad):
        out = getattr(self, "_out", None)
        grad = self._check_grad(grad, out)
        mask = _buffer(self._buffers, "mask", grad.shape, dtype=bool)
        np.greater(out, 0.0, out=mask)
        dx = _buffer(self._buffers, "dx", grad.shape)
        np.multiply(grad, mask, out=dx)
        return dx


class Sigmoid(Layer):
    """``1 / (1 + exp(-x))``; backward multiplies by ``s (1 - s)``."""

    def forward(self, x):
        x = as_float_matrix("x", x)
        # exp(-|x|) never overflows; both branches are the same function.
        e = np.exp(-np.abs(x))
        self._out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self._out

    def backward(self, grad):
        s = getattr(self, "_out", None)
        grad = self._check_grad(grad, s)
        return grad * s * (1.0 - s)


class Tanh(Layer):
    """``tanh(x)``; backward multiplies by ``1 - tanh^2``."""

    def forward(self, x):
        x = as_float_matrix("x", x)
        self._out = np.tanh(x)
        return self._out

    def backward(self, grad):
        t = getattr(self, "_out", None)
        grad = self._check_grad(grad, t)
        return grad * (1.0 - t * t)


class SoftmaxCrossEntropy:
    """Softmax and mean cross-entropy fused: stable, with a short backward.

    ``forward(scores, y)`` returns the loss; ``backward()`` returns
    ``dL/dscores = (P - Y) / m``, the result derived in the book's chapter
    "Backprop at the output".
    """

    def __init__(self) -> None:
        self._P = None
        self._y = None
        self._buffers: dict[str, np.ndarray] = {}

    def probabilities(self, scores) -> np.ndarray:
        """The softmax of the scores, (m, n), as functional.softmax."""
        return softmax(scores)

    def forward(self, scores, y) -> float:
        """scores (m, n), y (m,) -> mean cross-entropy (a float)."""
        if not (isinstance(scores, np.ndarray) and scores.ndim == 2):
            scores = as_float_matrix("scores", scores)
        m, n = scores.shape
        if not (isinstance(y, np.ndarray) and y.dtype == np.int64
                and y.shape == (m,)):
            y = as_labels("y", y, m=m, n_classes=n)
        shifted = _buffer(self._buffers, "P", scores.shape)
        np.subtract(scores, scores.max(axis=1, keepdims=True), out=shifted)
        rows = np.arange(m)
        correct = shifted[rows, y].copy()       # z_y - max
        np.exp(shifted, out=shifted)
        sums = shifted.sum(axis=1, keepdims=True)
        shifted /= sums
        self._P, self._y = shifted, y
        # -log softmax_y = log(sum exp(z - max)) - (z_y - max): never inf.
        loss = float(np.mean(np.log(sums[:, 0]) - correct))
        if not np.isfinite(loss):
            raise ValueError(f"scores must be finite, got a loss of {loss}")
        return loss

    def backward(self) -> np.ndarray:
        """-> dscores (m, n) = (P - Y) / m."""
        if self._P is None:
            raise ValueError("SoftmaxCrossEntropy.backward needs a forward "
                             "pass first, got none")
        m = self._y.shape[0]
        d = _buffer(self._buffers, "d", self._P.shape)
        np.copyto(d, self._P)
        d[np.arange(m), self._y] -= 1.0
        d /= m
        return d


LAYERS = {cls.__name__: cls for cls in (Dense, ReLU, Sigmoid, Tanh)}


class Sequential:
    """Layers applied in order; backward in reverse order."""

    def __init__(self, *layers: Layer) -> None:
        if not layers:
            raise ValueError("Sequential needs at least one layer, got 0")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers[{i}] must be a scratchnet.nn Layer, got "
                    f"{type(layer).__name__}")
        self.layers = list(layers)

    def forward(self, x) -> np.ndarray:
        """x (m, d) -> scores (m, n)."""
        for layer in self.layers:
            x = layer.forward(x)
        return x.copy()       # the layers reuse their buffers

    def backward(self, grad, input_grad: bool = True) -> np.ndarray | None:
        """dL/dscores -> dL/dx, filling every layer's grads.

        ``input_grad=False`` skips the gradient with respect to the input
        (the data), which training does not need, and returns None.
        """
        last = len(self.layers) - 1
        for i, layer in enumerate(reversed(self.layers)):
            if i == last and not input_grad and isinstance(layer, Dense):
                return layer.backward(grad, input_grad=False)
            grad = layer.backward(grad)
        return grad.copy() if input_grad else None

    def penalty(self) -> float:
        """The L2 weight-decay part of the loss."""
        return sum(layer.penalty() for layer in self.layers)

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, parameter, gradient)`` for every parameter, in order.

        The arrays are the layers' own: an optimizer updates them in place.
        """
        return [(f"{i}.{key}", layer.params[key], layer.grads[key])
                for i, layer in enumerate(self.layers)
                for key in layer.params]

    def predict(self, x) -> np.ndarray:
        """Labels, the arg max of the scores: x (m, d) -> (m,)."""
        return np.argmax(self.forward(x), axis=1).astype(np.int64)

    def config(self) -> list[dict]:
        return [layer.config() for layer in self.layers]

    @classmethod
    def from_config(cls, config) -> Sequential:
        if not isinstance(config, list) or not config:
            raise ValueError(
                f"config must be a non-empty list of layers, got {config!r}")
        layers = []
        for i, entry in enumerate(config):
            if not isinstance(entry, dict) or entry.get("type") not in LAYERS:
                raise ValueError(
                    f"config[{i}] must name a layer type in {sorted(LAYERS)}"
                    f", got {entry!r}")
            kwargs = {k: v for k, v in entry.items() if k != "type"}
            layers.append(LAYERS[entry["type"]](**kwargs))
        return cls(*layers)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential({inner})"
