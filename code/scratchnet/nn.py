"""Layers as objects: a network of any depth, from the same maths.

Every layer has ``forward(x)`` and ``backward(dout)``. ``forward``
caches what ``backward`` needs; ``backward`` takes the gradient of the
loss with respect to the layer's output and returns the gradient with
respect to its input, storing the gradients of its own parameters in
``layer.grads`` under the same names as ``layer.params``. Backward
through a :class:`Sequential` is the chain rule applied one layer at a
time, last layer first.

Shapes: ``x`` is ``(m, d)``; a ``Dense`` layer's ``W`` is ``(d, n)``
and ``b`` is ``(1, n)``, as in :mod:`scratchnet.twolayer`.

Two doors, as in ``twolayer``: the public ``forward`` and ``backward``
check their inputs and return arrays the caller owns; ``_forward`` and
``_backward`` are the bare maths, which :class:`Sequential` calls once
it has checked ``x`` at its own door. A layer of your own may define
just ``forward`` and ``backward``: the bare doors then call them.

A :class:`Sequential` keeps every parameter as a view into one flat
vector (``model.flat_params``, gradients in ``model.flat_grads``), so
that an optimizer can update them all with a few whole-vector
operations (``model.parameters(flat=True)``). The tuned training step
is not here: it is :mod:`scratchnet.fast`, and a test proves the two
equal.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_matrix, as_int, as_labels, as_real
from .functional import softmax

__all__ = ["Layer", "Dense", "ReLU", "Sigmoid", "Tanh",
           "SoftmaxCrossEntropy", "Sequential", "flatten",
           "layers_from_config"]

DTYPES = (np.float64, np.float32)


def _as_input(x, dtype=np.float64, name: str = "x",
              copy: bool = True) -> np.ndarray:
    """x as a finite, non-empty 2-D array of ``dtype``: by default a copy
    that the layers may cache (the caller may change its own x later)."""
    x = as_float_matrix(name, x)
    return np.array(x, dtype=dtype) if copy else x.astype(dtype, copy=False)


class Layer:
    """Base class: no parameters; subclasses define the maths."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.out_shape = None       # the shape of the last output

    def forward(self, x) -> np.ndarray:
        """x (m, d) -> out (m, n): checks x, then ``_forward``."""
        dtype = x.dtype.type if getattr(x, "dtype", None) in DTYPES \
            else np.float64
        out = self._forward(_as_input(x, dtype))
        self.out_shape = out.shape
        return out

    def backward(self, grad) -> np.ndarray:
        """dout (m, n) -> dx (m, d): checks dout, then ``_backward``."""
        return self._backward(_check_grad(self, grad))

    def _forward(self, x: np.ndarray) -> np.ndarray:
        if type(self).forward is Layer.forward:
            raise NotImplementedError(
                f"{type(self).__name__} must define forward(x)")
        return self.forward(x)            # a layer with only the doors

    def _backward(self, grad: np.ndarray) -> np.ndarray:
        if type(self).backward is Layer.backward:
            raise NotImplementedError(
                f"{type(self).__name__} must define backward(grad)")
        return self.backward(grad)

    def penalty(self) -> float:
        """The layer's L2 weight-decay term of the loss (0 if none)."""
        return 0.0

    def config(self) -> dict:
        """What is needed to rebuild the layer (without its weights)."""
        return {"type": type(self).__name__}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _check_grad(layer, grad) -> np.ndarray:
    """The gradient arriving at ``layer``: the shape of its last output."""
    if layer.out_shape is None:
        raise ValueError(f"{type(layer).__name__}.backward needs a forward "
                         "pass first, got none")
    grad = as_float_matrix("grad", grad)
    if grad.shape != layer.out_shape:
        raise ValueError(
            f"grad must have the shape of the layer's output "
            f"{layer.out_shape}, got {grad.shape}")
    return grad


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
        self.in_features = d = as_int("in_features", in_features)
        self.out_features = n = as_int("out_features", out_features)
        if init not in self.INITS:
            raise ValueError(
                f"init must be one of {sorted(self.INITS)}, got {init!r}")
        self.init = init
        self.seed = as_int("seed", seed, minimum=0)
        self.weight_decay = as_real("weight_decay", weight_decay,
                                    nonnegative=True)
        std = np.sqrt(self.INITS[init](d, n))
        rng = np.random.default_rng(self.seed)
        self.params = {"W": std * rng.standard_normal((d, n)),
                       "b": np.zeros((1, n))}
        self.grads = {"W": np.zeros((d, n)), "b": np.zeros((1, n))}
        self.x = None

    def forward(self, x) -> np.ndarray:
        x = _as_input(x, self.params["W"].dtype)
        if x.shape[1] != self.in_features:
            raise ValueError(f"x must have {self.in_features} columns for "
                             f"{self!r}, got shape {x.shape}")
        return super().forward(x)

    def _forward(self, x):
        """x (m, d) -> Z (m, n) = x W + b; caches x for dW."""
        self.x = x
        return x @ self.params["W"] + self.params["b"]   # (m, n) + (1, n)

    def _backward(self, dZ):
        """dZ (m, n) -> dx (m, d); stores dW (d, n) and db (1, n).

        dZ is the gradient of the *mean* loss: the 1/m is already in it.
        """
        W = self.params["W"]
        self.grads["W"][...] = self.x.T @ dZ          # (d, m)(m, n) = (d, n)
        self.grads["b"][...] = dZ.sum(axis=0, keepdims=True)       # (1, n)
        if self.weight_decay:               # d/dW of 0.5 lambda sum W^2
            self.grads["W"] += self.weight_decay * W
        return dZ @ W.T                               # (m, n)(n, d) = (m, d)

    def penalty(self) -> float:
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
    """``max(0, x)``; backward multiplies by the mask ``[x > 0]``."""

    def _forward(self, x):
        self.mask = x > 0                  # the local derivative, 1 or 0
        return np.maximum(x, 0.0)

    def _backward(self, grad):
        return grad * self.mask


class Sigmoid(Layer):
    """``s = 1 / (1 + exp(-x))``; backward multiplies by ``s (1 - s)``."""

    def _forward(self, x):
        e = np.exp(-np.abs(x))     # never overflows; both branches agree
        s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        self.local = s * (1.0 - s)         # the local derivative
        return s

    def _backward(self, grad):
        return grad * self.local


class Tanh(Layer):
    """``t = tanh(x)``; backward multiplies by ``1 - t^2``."""

    def _forward(self, x):
        t = np.tanh(x)
        self.local = 1.0 - t * t           # the local derivative
        return t

    def _backward(self, grad):
        return grad * self.local


class SoftmaxCrossEntropy:
    """Softmax and mean cross-entropy together: stable, short backward.

    ``forward(scores, y)`` returns the loss; ``backward()`` returns
    ``dL/dscores = (P - Y) / m``, the result derived in the book's chapter
    "Backprop at the output".
    """

    def __init__(self) -> None:
        self.P = self.y = None

    def probabilities(self, scores) -> np.ndarray:
        """The softmax of the scores, (m, n), as functional.softmax."""
        return softmax(as_float_matrix("scores", scores))

    def forward(self, scores, y) -> float:
        """scores (m, n), y (m,) -> the mean cross-entropy, a float."""
        scores = as_float_matrix("scores", scores)
        y = as_labels("y", y, m=scores.shape[0], n_classes=scores.shape[1])
        return self._forward(scores, y)

    def _forward(self, scores, y) -> float:
        """forward without the checks (a NaN or inf loss is returned)."""
        m = scores.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)   # <= 0
        e = np.exp(shifted)
        sums = e.sum(axis=1, keepdims=True)                    # (m, 1)
        self.P, self.y = e / sums, y                           # (m, n)
        # -log P_y = log sum exp(z - max) - (z_y - max): never log(0)
        return float(np.mean(np.log(sums[:, 0]) - shifted[np.arange(m), y]))

    def backward(self) -> np.ndarray:
        """-> dscores (m, n) = (P - Y) / m."""
        if self.P is None:
            raise ValueError("SoftmaxCrossEntropy.backward needs a forward "
                             "pass first, got none")
        return self._backward()

    def _backward(self) -> np.ndarray:
        m = self.P.shape[0]
        dscores = self.P.copy()
        dscores[np.arange(m), self.y] -= 1.0                   # P - Y
        dscores /= m
        return dscores


LAYERS = {cls.__name__: cls for cls in (Dense, ReLU, Sigmoid, Tanh)}


def layers_from_config(config) -> list[Layer]:
    """New layers from a list of ``layer.config()`` dicts."""
    if not isinstance(config, list) or not config:
        raise ValueError(
            f"config must be a non-empty list of layers, got {config!r}")
    layers = []
    for i, entry in enumerate(config):
        if not isinstance(entry, dict) or entry.get("type") not in LAYERS:
            raise ValueError(
                f"config[{i}] must name a layer type in {sorted(LAYERS)}, "
                f"got {entry!r}")
        kwargs = {k: v for k, v in entry.items() if k != "type"}
        layers.append(LAYERS[entry["type"]](**kwargs))
    return layers


def flatten(layers, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Move the layers' parameters into one flat vector; -> (params, grads).

    Each ``layer.params[key]`` becomes a view into ``params`` (p,), in
    the order of the layers and of their dicts, and each
    ``layer.grads[key]`` a view into ``grads`` (p,). The values are
    copied in (as ``dtype``); the layers' old arrays are left behind, so
    a layer that keeps one under another attribute is refused: it would
    go on using the old array and never learn.
    """
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"layers[{i}] must be a scratchnet.nn Layer, "
                            f"got {type(layer).__name__}")
    arrays = [(i, layer, key, value) for i, layer in enumerate(layers)
              for key, value in layer.params.items()]
    for i, layer, key, value in arrays:
        for attr, held in vars(layer).items():
            if held is value and attr not in ("params", "grads"):
                raise ValueError(
                    f"layers[{i}] ({type(layer).__name__}) keeps its "
                    f"parameter {key!r} also as self.{attr}; Sequential "
                    f"moves parameters into one vector, so self.{attr} "
                    f"would not learn: use self.params[{key!r}] instead")
    total = sum(value.size for *_, value in arrays)
    params = np.empty(total, dtype=dtype)
    grads = np.zeros(total, dtype=dtype)
    start = 0
    for _, layer, key, value in arrays:
        end = start + value.size
        params[start:end] = np.ravel(value)
        layer.params[key] = params[start:end].reshape(value.shape)
        layer.grads[key] = grads[start:end].reshape(value.shape)
        start = end
    return params, grads


class Sequential:
    """Layers applied in order; backward in reverse order.

    dtype : float64 (the default) or float32, the type of every
        parameter, gradient and activation. Gradient checks need float64.
    """

    def __init__(self, *layers: Layer, dtype=np.float64) -> None:
        if not layers:
            raise ValueError("Sequential needs at least one layer, got 0")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a scratchnet.nn Layer"
                                f", got {type(layer).__name__}")
            if any(layer is other for other in layers[:i]):
                raise ValueError(f"layers[{i}] must be a layer of its own, "
                                 f"got the same {layer!r} a second time")
        if np.dtype(dtype) not in DTYPES:
            raise ValueError(
                f"dtype must be float64 or float32, got {dtype!r}")
        self.dtype = np.dtype(dtype).type
        self.layers = list(layers)
        self.flat_params, self.flat_grads = flatten(self.layers, self.dtype)
        self._grad_views = {id(layer): dict(layer.grads)
                            for layer in self.layers}
        self.out_shape = None

    def check_x(self, x, name: str = "x", copy: bool = True) -> np.ndarray:
        """x as a (m, d) array of the model's dtype (a copy unless
        ``copy=False`` and x has that dtype already); or an error."""
        x = _as_input(x, self.dtype, name, copy)
        first = self.layers[0]
        if isinstance(first, Dense) and x.shape[1] != first.in_features:
            raise ValueError(f"{name} must have {first.in_features} columns"
                             f" for {first!r}, got shape {x.shape}")
        return x

    def forward(self, x) -> np.ndarray:
        """x (m, d) -> scores (m, n); x is checked once, here."""
        scores = self._forward(self.check_x(x))
        self.out_shape = scores.shape
        return scores

    def _forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer._forward(x)
        return x

    def backward(self, grad) -> np.ndarray:
        """dL/dscores (m, n) -> dL/dx (m, d), filling every layer's grads."""
        return self._backward(_check_grad(self, grad))

    def _backward(self, grad: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad = layer._backward(grad)
            for key, view in self._grad_views[id(layer)].items():
                if layer.grads[key] is not view:    # a layer that assigned
                    view[...] = layer.grads[key]    # a new array: into the
                    layer.grads[key] = view         # flat vector with it
        return grad

    def penalty(self) -> float:
        """The L2 weight-decay part of the loss, summed over the layers."""
        return sum(layer.penalty() for layer in self.layers)

    def parameters(self, flat: bool = False) -> list[tuple]:
        """``(name, parameter, gradient)`` for every parameter, in order.

        The arrays are the layers' own: an optimizer updates them in
        place. ``flat=True`` gives one triple instead, ``("flat",
        flat_params, flat_grads)``: the same numbers, all in one vector.
        """
        if flat:
            return [("flat", self.flat_params, self.flat_grads)]
        return [(f"{i}.{key}", layer.params[key], layer.grads[key])
                for i, layer in enumerate(self.layers)
                for key in layer.params]

    def predict(self, x) -> np.ndarray:
        """Labels, the arg max of the scores: x (m, d) -> (m,)."""
        return np.argmax(self.forward(x), axis=1).astype(np.int64)

    def config(self) -> list[dict]:
        return [layer.config() for layer in self.layers]

    @classmethod
    def from_config(cls, config, dtype=np.float64) -> Sequential:
        """The model that ``config()`` describes, with new weights."""
        return cls(*layers_from_config(config), dtype=dtype)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        if self.dtype != np.float64:
            inner += f", dtype={self.dtype.__name__}"
        return f"Sequential({inner})"
