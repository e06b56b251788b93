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

Two doors, as in ``twolayer``: the public ``forward`` and ``backward``
of a layer check their inputs; ``_forward`` and ``_backward`` are the
bare maths, which :class:`Sequential` calls once it has checked ``x``
at its own door. A :class:`Sequential` keeps every parameter as a view
into one flat vector (``model.flat_params``, gradients in
``model.flat_grads``), in the model's ``dtype`` (float64 unless asked),
so that an optimizer updates them all with a few whole-vector
operations.

At the spiral's shapes, (300, 100), the formulation matters more than
the matrix products, so the layers use the faster of equal ones:
``np.maximum`` against an array of zeros (not the scalar 0), the ReLU
mask as one comparison into a boolean buffer (making a float mask costs
more than its faster multiply saves), column sums as ``ones @ G`` (not
``np.sum(axis=0)``), for a few classes the row max of the scores as
``np.maximum`` over columns, and ``np.dot`` for the products with a
small result (about 0.5 us less overhead than ``np.matmul``; for the
(m, n) activations with a small inner size, ``np.matmul`` is faster).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_matrix, as_int, as_labels, as_real
from .functional import softmax

__all__ = ["Layer", "Dense", "ReLU", "Sigmoid", "Tanh",
           "SoftmaxCrossEntropy", "Sequential"]


def _buffer(store: dict, key: str, shape, dtype=np.float64,
            fill=None) -> np.ndarray:
    """A reusable array, one per (key, shape, dtype).

    A batch, the last smaller batch and a validation set alternate in
    training; each keeps its own buffer. ``fill`` sets a new buffer's
    entries (a constant: zeros or ones).
    """
    full = (key, shape, dtype)  # each caller passes one kind of dtype
    buf = store.get(full)
    if buf is None:
        if len(store) > 64:           # many sizes: forget the old ones
            store.clear()
        buf = (np.empty(shape, dtype=dtype) if fill is None
               else np.full(shape, fill, dtype=dtype))
        store[full] = buf
    return buf


def _as_input(x, dtype=np.float64, name: str = "x"):
    """x as a finite, non-empty 2-D array of ``dtype`` (checked at the
    door; errors call it ``name``)."""
    if not (isinstance(x, np.ndarray) and x.dtype == dtype
            and x.ndim == 2 and x.size and np.isfinite(x.sum())):
        x = as_float_matrix(name, x).astype(dtype, copy=False)
    return x


class Layer:
    """Base class: no parameters, identity forward and backward."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._buffers: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (m, d) -> out (m, n): checks x, then ``_forward``."""
        return self._forward(self._check_input(x))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """dout (m, n) -> dx (m, d): checks grad, then ``_backward``."""
        return self._backward(self._check_grad(grad, self._expected()))

    def _forward(self, x: np.ndarray) -> np.ndarray:
        """The bare maths; a layer written with only a public ``forward``
        (the protocol before the two doors) is run through it."""
        if type(self).forward is Layer.forward:
            raise NotImplementedError
        return self.forward(x)

    def _backward(self, grad: np.ndarray) -> np.ndarray:
        if type(self).backward is Layer.backward:
            raise NotImplementedError
        return self.backward(grad)

    def _check_input(self, x):
        dtype = x.dtype if (isinstance(x, np.ndarray)
                            and x.dtype in (np.float32, np.float64)) \
            else np.float64
        return _as_input(x, dtype)

    def _expected(self):
        """(shape, dtype) of the last output, or None before forward."""
        out = getattr(self, "_out", None)
        return None if out is None else (out.shape, out.dtype)

    def penalty(self) -> float:
        """The layer's L2 weight-decay term of the loss (0 if none)."""
        return 0.0

    def config(self) -> dict:
        """What is needed to rebuild the layer (without its weights)."""
        return {"type": type(self).__name__}

    def _check_grad(self, grad, expected):
        if expected is None:
            raise ValueError(
                f"{type(self).__name__}.backward needs a forward pass "
                "first, got none")
        shape, dtype = expected
        grad = as_float_matrix("grad", grad).astype(dtype, copy=False)
        if grad.shape != shape:
            raise ValueError(
                f"grad must have the shape of the layer's output "
                f"{shape}, got {grad.shape}")
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
        self._weight_decay = as_real("weight_decay", weight_decay,
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
        #: [W; b] and [dW; db] as (d + 1, n) arrays, when the bias is
        #: folded into the matrix product (set by Sequential), else None
        self._Wb = self._dWb = None
        #: False inside a Sequential, which adds lambda W to the
        #: gradients of all its layers at once, on its flat vectors
        self._own_decay = True

    @property
    def weight_decay(self) -> float:
        """lambda, read-only: a Sequential takes it in when it is built."""
        return self._weight_decay

    def _forward(self, x):
        """x (m, d) -> Z (m, n) = x W + b; caches x for the weight grad.

        With the bias folded in, ``Z = [x, 1] [W; b]``: one matrix
        product with x and a column of ones, instead of a product and a
        pass over Z to add b.
        """
        self._x = x
        W, b = self.params["W"], self.params["b"]
        Z = _buffer(self._buffers, "Z", (x.shape[0], self.out_features),
                    W.dtype)
        if self._Wb is not None:
            x1 = _buffer(self._buffers, "x1", (x.shape[0], x.shape[1] + 1),
                         W.dtype, fill=1.0)      # the last column stays 1
            x1[:, :-1] = x
            self._x1 = x1
            np.matmul(x1, self._Wb, out=Z)     # (m, d+1)(d+1, n) -> (m, n)
            return Z
        np.dot(x, W, out=Z)                                    # (m, n)
        Z += b                                                 # + (1, n)
        return Z

    def _check_input(self, x):
        x = _as_input(x, self.params["W"].dtype)
        if x.shape[1] != self.in_features:
            raise ValueError(
                f"x must have {self.in_features} columns for "
                f"{self!r}, got shape {x.shape}")
        return x

    def _expected(self):
        if self._x is None:
            return None
        return (self._x.shape[0], self.out_features), self._x.dtype

    def backward(self, grad, input_grad: bool = True):
        """dZ (m, n) -> dx (m, d); sets grads W (d, n) and b (1, n).

        With ``input_grad=False`` (the first layer of a network, whose
        input is the data) dx is not computed and None is returned.
        """
        grad = self._check_grad(grad, self._expected())
        dx = self._backward(grad, input_grad)
        if self.weight_decay and not self._own_decay:
            self.grads["W"] += self.weight_decay * self.params["W"]
        return dx

    def _backward(self, grad, input_grad: bool = True):
        """backward without the checks.

        ``grad`` is the gradient of the *mean* loss (the 1/m is already
        in it), so dW = x^T dZ and db = column sum of dZ, computed as
        ``ones (1, m) @ dZ``: at these shapes a matrix product is faster
        than ``np.sum(axis=0)``.
        """
        W = self.params["W"]
        dW, db = self.grads["W"], self.grads["b"]
        if self._Wb is not None:           # [x, 1]^T dZ = [x^T dZ; 1^T dZ]
            np.dot(self._x1.T, grad, out=self._dWb)            # (d+1, n)
        else:
            np.dot(self._x.T, grad, out=dW)                    # (d, n)
            ones = _buffer(self._buffers, "ones", (1, grad.shape[0]),
                           grad.dtype, fill=1.0)
            np.dot(ones, grad, out=db)                         # (1, n)
        if self.weight_decay and self._own_decay:
            decay = _buffer(self._buffers, "decay", W.shape, W.dtype)
            np.multiply(W, self.weight_decay, out=decay)
            dW += decay                                        # + lambda W
        if not input_grad:
            return None
        dx = _buffer(self._buffers, "dx", self._x.shape, grad.dtype)
        if self.out_features <= 16 and dx.size >= 8192:
            # A narrow W (n small): OpenBLAS multiplies by a contiguous
            # copy of W^T faster than by the transposed view, by more
            # than the copy costs (at (300, 3) (3, 100): 9.8 -> 7.2 us
            # in float64, 5.7 -> 4.4 us in float32); not for wide W.
            WT = _buffer(self._buffers, "WT", W.shape[::-1], W.dtype)
            np.copyto(WT, W.T)
            np.matmul(grad, WT, out=dx)                        # (m, d)
            return dx
        np.matmul(grad, W.T, out=dx)                           # (m, d)
        return dx

    def penalty(self) -> float:
        if not self.weight_decay:
            return 0.0
        W = self.params["W"].reshape(-1)
        return 0.5 * self.weight_decay * float(np.dot(W, W))

    def config(self):
        return {"type": "Dense", "in_features": self.in_features,
                "out_features": self.out_features, "init": self.init,
                "seed": self.seed, "weight_decay": self.weight_decay}

    def __repr__(self):
        return (f"Dense({self.in_features}, {self.out_features}, "
                f"init={self.init!r})")


class ReLU(Layer):
    """``max(0, x)``; backward multiplies by the mask ``[x > 0]``."""

    def _forward(self, x, out=None):
        """x (m, d) -> A (m, d) = max(x, 0), into ``out`` if given.

        Sequential passes ``out=x`` where x is the output buffer of a
        Dense layer, which nothing reads again: in place, the step
        touches less memory and the maximum itself is faster.
        """
        zeros = _buffer(self._buffers, "zeros", x.shape, x.dtype, fill=0.0)
        A = _buffer(self._buffers, "A", x.shape, x.dtype) \
            if out is None else out
        np.maximum(x, zeros, out=A)     # an array of zeros, not scalar 0
        self._out = A
        return A

    def _backward(self, grad, out=None):
        """dA (m, d) -> dx (m, d) = dA * [A > 0], into ``out`` if given
        (Sequential passes ``out=grad``, a later layer's buffer).

        A multiply by a boolean mask costs twice one by a float mask,
        but making the float mask (np.sign) costs more than both: the
        comparison into a boolean buffer and its multiply are the
        cheapest pair at (300, 100).
        """
        mask = _buffer(self._buffers, "mask", grad.shape, np.bool_)
        np.greater(self._out, 0, out=mask)                     # [A > 0]
        dx = _buffer(self._buffers, "dx", grad.shape, grad.dtype) \
            if out is None else out
        np.multiply(grad, mask, out=dx)
        return dx


class Sigmoid(Layer):
    """``1 / (1 + exp(-x))``; backward multiplies by ``s (1 - s)``."""

    def _forward(self, x):
        # exp(-|x|) never overflows; both branches are the same function.
        e = np.exp(-np.abs(x))
        self._out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self._out

    def _backward(self, grad):
        s = self._out
        return grad * s * (1.0 - s)


class Tanh(Layer):
    """``tanh(x)``; backward multiplies by ``1 - tanh^2``."""

    def _forward(self, x):
        self._out = np.tanh(x)
        return self._out

    def _backward(self, grad):
        t = self._out
        return grad * (1.0 - t * t)


class _LossBuffers:
    """The arrays of one SoftmaxCrossEntropy step for (m, n) scores,
    made once per shape: one lookup a step instead of one per array."""

    def __init__(self, m: int, n: int, dtype) -> None:
        self.top = np.empty((m, 1), dtype)        # the row max
        self.P = np.empty((m, n), dtype)
        # Entry (i, y_i) of the flattened (m, n) array is i * n + y_i.
        self.rows = np.arange(m) * n              # i * n
        self.at = np.empty(m, np.int64)           # i * n + y_i
        self.ones_n = np.ones((n, 1), dtype)
        self.sums = np.empty((m, 1), dtype)
        self.ones_m = np.ones(m, dtype)
        self.d = np.empty((m, n), dtype)          # dL/dscores


class SoftmaxCrossEntropy:
    """Softmax and mean cross-entropy fused: stable, with a short backward.

    ``forward(scores, y)`` returns the loss; ``backward()`` returns
    ``dL/dscores = (P - Y) / m``, the result derived in the book's chapter
    "Backprop at the output".
    """

    def __init__(self) -> None:
        self._P = None
        self._y = None
        self._buffers: dict[tuple, _LossBuffers] = {}

    def probabilities(self, scores) -> np.ndarray:
        """The softmax of the scores, (m, n), as functional.softmax."""
        return softmax(scores)

    def forward(self, scores, y) -> float:
        """scores (m, n), y (m,) -> mean cross-entropy (a float)."""
        if not (isinstance(scores, np.ndarray) and scores.ndim == 2
                and scores.dtype in (np.float32, np.float64)):
            scores = as_float_matrix("scores", scores)
        m, n = scores.shape
        y = as_labels("y", y, m=m, n_classes=n)
        loss = self._forward(scores, y)
        if not np.isfinite(loss):
            raise ValueError(f"scores must be finite, got a loss of {loss}")
        return loss

    def _forward(self, scores, y) -> float:
        """forward without the checks; the loss may be NaN or inf."""
        m, n = scores.shape
        key = (m, n, scores.dtype)
        b = self._buffers.get(key)
        if b is None:
            if len(self._buffers) > 8:      # many sizes: forget the old
                self._buffers.clear()
            b = self._buffers[key] = _LossBuffers(m, n, scores.dtype)
        # The row max: for a few classes, np.maximum over the columns is
        # several times faster than scores.max(axis=1).
        top = b.top
        if n <= 8:
            np.maximum(scores[:, :1], scores[:, 1:2], out=top)
            for j in range(2, n):
                np.maximum(top, scores[:, j:j + 1], out=top)
        else:
            np.max(scores, axis=1, keepdims=True, out=top)
        P, at, sums = b.P, b.at, b.sums
        np.subtract(scores, top, out=P)           # z - max
        np.add(b.rows, y, out=at)                 # i * n + y_i
        correct = P.reshape(-1)[at]               # z_y - max, (m,)
        np.exp(P, out=P)
        np.dot(P, b.ones_n, out=sums)             # row sums, (m, 1)
        P /= sums
        self._P, self._at, self._d = P, at, b.d
        #: how many rows predict the right class, as predict does: argmax,
        #: the first of tied scores
        self.n_correct = int(np.count_nonzero(
            np.argmax(scores, axis=1) == y))
        # -log softmax_y = log(sum exp(z - max)) - (z_y - max): never inf.
        logs = np.log(sums.reshape(-1))
        logs -= correct
        # The mean as a dot product with ones: np.mean costs 3-4 times
        # as much on a short vector.
        return float(np.dot(logs, b.ones_m)) / m

    def backward(self) -> np.ndarray:
        """-> dscores (m, n) = (P - Y) / m."""
        if self._P is None:
            raise ValueError("SoftmaxCrossEntropy.backward needs a forward "
                             "pass first, got none")
        return self._backward()

    def _backward(self) -> np.ndarray:
        P, at, d = self._P, self._at, self._d
        m = at.shape[0]
        np.multiply(P, 1.0 / m, out=d)            # P / m
        d.reshape(-1)[at] -= 1.0 / m              # - Y / m
        return d


class Parameters(list):
    """A list of ``(name, parameter, gradient)`` triples, whose arrays are
    views into the two flat vectors ``flat = (params, grads)``."""

    def __init__(self, triples, flat) -> None:
        super().__init__(triples)
        self.flat = flat


LAYERS = {cls.__name__: cls for cls in (Dense, ReLU, Sigmoid, Tanh)}


class Sequential:
    """Layers applied in order; backward in reverse order.

    dtype : float64 (the default) or float32, the type of every
        parameter, gradient and activation. The parameters become views
        into one flat vector, ``flat_params`` (and the gradients into
        ``flat_grads``), so that an optimizer can update them all at
        once. Gradient checks need float64.
    """

    def __init__(self, *layers: Layer, dtype=np.float64) -> None:
        if not layers:
            raise ValueError("Sequential needs at least one layer, got 0")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers[{i}] must be a scratchnet.nn Layer, got "
                    f"{type(layer).__name__}")
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ValueError(
                f"dtype must be float64 or float32, got {dtype!r}")
        self.dtype = np.dtype(dtype).type
        self.layers = list(layers)
        sizes = [p.size for layer in self.layers
                 for p in layer.params.values()]
        self.flat_params = np.empty(sum(sizes), dtype=self.dtype)
        self.flat_grads = np.zeros(sum(sizes), dtype=self.dtype)
        start = 0
        for layer in self.layers:
            first = start
            for key, value in layer.params.items():
                end = start + value.size
                view = self.flat_params[start:end].reshape(value.shape)
                view[...] = value
                layer.params[key] = view
                layer.grads[key] = self.flat_grads[start:end].reshape(
                    value.shape)
                start = end
            if (isinstance(layer, Dense) and list(layer.params) == ["W", "b"]
                    and layer.in_features < layer.out_features):
                # b is the row after W in the flat vector: [W; b] is one
                # (d+1, n) array. Where the layer widens (d < n), copying
                # x into [x, 1] costs less than adding b to Z.
                shape = (layer.in_features + 1, layer.out_features)
                layer._Wb = self.flat_params[first:start].reshape(shape)
                layer._dWb = self.flat_grads[first:start].reshape(shape)
        # Weight decay on the flat vectors, all layers at once: lambda
        # of its layer for each weight, 0 for each bias (issue 13: one
        # product for the penalty, one for the gradient, instead of a
        # few per layer).
        decay = np.zeros_like(self.flat_params)
        start = 0
        for layer in self.layers:
            for key, value in layer.params.items():
                if isinstance(layer, Dense) and key == "W":
                    decay[start:start + value.size] = layer.weight_decay
                    layer._own_decay = False
                start += value.size
        self._decay = decay if decay.any() else None
        self._decay_tmp = np.empty_like(decay)
        self._penalties = [layer for layer in self.layers
                           if not isinstance(layer, Dense)
                           and type(layer).penalty is not Layer.penalty]
        #: training.fit's loss and evaluation objects, made on its
        #: first call and kept with their arrays
        self._fit_losses = None
        # A ReLU between a Dense layer and another layer runs in place:
        # on the Dense layer's output buffer (a Dense layer caches its
        # input, not its output) and on the gradient buffer of the next
        # layer. Never on the model's input or a caller's gradient.
        last = len(self.layers) - 1
        self._in_place = [
            isinstance(layer, ReLU) and 0 < k < last
            and isinstance(self.layers[k - 1], Dense)
            for k, layer in enumerate(self.layers)]

    def _check_x(self, x, name: str = "x") -> np.ndarray:
        x = _as_input(x, self.dtype, name)
        first = self.layers[0]
        if isinstance(first, Dense) and x.shape[1] != first.in_features:
            raise ValueError(
                f"{name} must have {first.in_features} columns for "
                f"{first!r}, got shape {x.shape}")
        return x

    def forward(self, x) -> np.ndarray:
        """x (m, d) -> scores (m, n); x is checked once, here."""
        return self._forward(self._check_x(x)).copy()

    def _forward(self, x) -> np.ndarray:
        """forward without the checks; returns the last layer's buffer."""
        for layer, in_place in zip(self.layers, self._in_place,
                                   strict=True):
            x = layer._forward(x, out=x) if in_place else layer._forward(x)
        return x

    def backward(self, grad, input_grad: bool = True) -> np.ndarray | None:
        """dL/dscores -> dL/dx, filling every layer's grads.

        ``input_grad=False`` skips the gradient with respect to the input
        (the data), which training does not need, and returns None.
        """
        grad = self.layers[-1]._check_grad(grad,
                                           self.layers[-1]._expected())
        dx = self._backward(grad, input_grad)
        return dx.copy() if input_grad else None

    def _backward(self, grad, input_grad: bool = True):
        """backward without the checks."""
        for k in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[k]
            if k == 0 and not input_grad and isinstance(layer, Dense):
                grad = layer._backward(grad, input_grad=False)
                break
            grad = (layer._backward(grad, out=grad) if self._in_place[k]
                    else layer._backward(grad))
        if self._decay is not None:           # + lambda W, every layer
            tmp = self._decay_tmp
            np.multiply(self._decay, self.flat_params, out=tmp)
            self.flat_grads += tmp
        return grad

    def penalty(self) -> float:
        """The L2 weight-decay part of the loss, ``0.5 sum lambda W^2``
        over all Dense layers in one dot product of the flat vectors."""
        total = 0.0
        if self._decay is not None:
            tmp = self._decay_tmp
            np.multiply(self._decay, self.flat_params, out=tmp)
            total = 0.5 * float(np.dot(tmp, self.flat_params))
        for layer in self._penalties:
            total += layer.penalty()
        return total

    def parameters(self) -> Parameters:
        """``(name, parameter, gradient)`` for every parameter, in order.

        The arrays are the layers' own: an optimizer updates them in place.
        The list also carries the model's flat vectors (``.flat``), which
        the optimizers update in one go.
        """
        return Parameters(
            [(f"{i}.{key}", layer.params[key], layer.grads[key])
             for i, layer in enumerate(self.layers)
             for key in layer.params],
            flat=(self.flat_params, self.flat_grads))

    def predict(self, x) -> np.ndarray:
        """Labels, the arg max of the scores: x (m, d) -> (m,)."""
        return np.argmax(self.forward(x), axis=1).astype(np.int64)

    def config(self) -> list[dict]:
        return [layer.config() for layer in self.layers]

    @classmethod
    def from_config(cls, config, dtype=np.float64) -> Sequential:
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
        return cls(*layers, dtype=dtype)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        if self.dtype != np.float64:
            inner += f", dtype={self.dtype.__name__}"
        return f"Sequential({inner})"
