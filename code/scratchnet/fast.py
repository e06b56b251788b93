"""The tuned training step: the maths of :mod:`scratchnet.nn`, fast.

:mod:`scratchnet.nn` is written to be read. This module computes the same
step, loss and gradients for a :class:`~scratchnet.nn.Sequential` of
``Dense`` and ``ReLU`` layers with the softmax cross-entropy loss, and
``training.fit`` runs it for every model that it supports
(:func:`supports`); other models train through the layers of ``nn``.
A property test (tests/test_fast.py) checks that both give the same
loss and gradients over random architectures, batch sizes and dtypes.

At the spiral's sizes every array is small, and a step's time goes to
NumPy's fixed cost per call and to memory, as much as to arithmetic.
Each trick here was kept because it saves at least 10 % of a whole
step on two OpenBLAS kernels (``benchmarks/tricks.py`` measures each
one, by swapping it for the plain form):

- **arrays kept between steps**: every array of a step is made once per
  batch size and written with ``out=``;
- **the folded bias**: for a layer that widens (d < n), ``[x, 1]`` and
  ``[W; b]`` are one product, ``Z = [x, 1] [W; b]``, and one product
  ``[x, 1]^T dZ`` gives ``[dW; db]``; ``[W; b]`` is a view into the
  model's flat vector, where ``nn.flatten`` puts ``b`` right after ``W``;
- **the ReLU in place**, on the dense layer's output, which nothing
  else reads;
- **the loss fused with its gradient**: the probabilities are computed
  once, into the array that becomes ``dL/dscores``.
"""

from __future__ import annotations

import numpy as np

from .nn import Dense, ReLU, Sequential

__all__ = ["supports", "Step"]


def supports(model) -> bool:
    """True for a Sequential of Dense layers, each followed by at most
    one ReLU, with the parameters that Dense makes."""
    if not isinstance(model, Sequential):
        return False
    previous = None
    for layer in model.layers:
        if type(layer) is Dense:
            if list(layer.params) != ["W", "b"]:
                return False
        elif type(layer) is not ReLU or type(previous) is not Dense:
            return False
        previous = layer
    return True


class _Arrays:
    """The arrays of one step for a batch of m rows."""

    def __init__(self, step: Step, m: int) -> None:
        dtype = step.model.dtype
        self.Z = [np.empty((m, layer.out_features), dtype)
                  for layer in step.dense]
        self.x1 = [np.ones((m, layer.in_features + 1), dtype)
                   if fold else None
                   for layer, fold in zip(step.dense, step.folded,
                                          strict=True)]
        self.dx = [np.empty((m, layer.in_features), dtype)
                   for layer in step.dense]
        n = step.dense[-1].out_features
        self.mask = [np.empty((m, layer.out_features), np.bool_)
                     for layer in step.dense]
        self.ones = np.ones((1, m), dtype)
        self.decay = [np.empty_like(layer.params["W"])
                      for layer in step.dense]
        self.top = np.empty((m, 1), dtype)
        self.sums = np.empty((m, 1), dtype)
        self.P = np.empty((m, n), dtype)
        self.A: list = [None] * len(step.dense)    # set by forward
        self.at = np.arange(m) * n          # entry (i, y_i) is i n + y_i


class Step:
    """``step(X, y) -> (loss, n_correct)``: one forward and backward pass.

    It fills ``model.flat_grads`` with the gradients of the mean loss
    plus the L2 penalty, as ``nn`` does, and returns the loss (penalty
    included) and how many rows the scores classify right (argmax, the
    first of tied scores, as ``predict``). X and y must already be
    checked (``model.check_x``): this is an inner loop.
    """

    def __init__(self, model: Sequential) -> None:
        if not supports(model):
            raise ValueError(f"model must be a Sequential of Dense and "
                             f"ReLU layers, got {model!r}")
        self.model = model
        self.dense = [layer for layer in model.layers
                      if type(layer) is Dense]
        after = model.layers[1:] + [None]       # the layer after each
        self.relu = [type(nxt) is ReLU for layer, nxt in
                     zip(model.layers, after, strict=True)
                     if type(layer) is Dense]
        self.folded = [self.fold(layer) for layer in self.dense]
        self.Wb = [_block(model, layer, model.flat_params)
                   for layer in self.dense]
        self.dWb = [_block(model, layer, model.flat_grads)
                    for layer in self.dense]
        self.arrays: dict[int, _Arrays] = {}

    def fold(self, layer: Dense) -> bool:
        """Fold the bias into the product where the layer widens."""
        return layer.in_features < layer.out_features

    def _arrays(self, m: int) -> _Arrays:
        a = self.arrays.get(m)
        if a is None:
            if len(self.arrays) >= 4:     # a batch, the last one, and
                self.arrays.clear()       # validation: a few sizes
            a = self.arrays[m] = _Arrays(self, m)
        return a

    def forward(self, X: np.ndarray, a: _Arrays) -> np.ndarray:
        """X (m, d) -> scores (m, n); a.A[k] is Dense k's output, after
        its ReLU if it has one."""
        x = X
        for k, layer in enumerate(self.dense):
            Z = a.Z[k]
            if self.folded[k]:
                a.x1[k][:, :-1] = x                         # [x, 1]
                np.matmul(a.x1[k], self.Wb[k], out=Z)        # [x, 1][W; b]
            else:
                np.matmul(x, layer.params["W"], out=Z)
                Z += layer.params["b"]
            x = a.A[k] = self.relu_forward(Z) if self.relu[k] else Z
        return x

    def relu_forward(self, Z: np.ndarray) -> np.ndarray:
        return np.maximum(Z, 0.0, out=Z)                    # in place

    def loss(self, scores: np.ndarray, y: np.ndarray, a: _Arrays):
        """-> (mean loss, n_correct); a.P becomes softmax(scores)."""
        m = scores.shape[0]
        n_correct = int(np.count_nonzero(np.argmax(scores, axis=1) == y))
        P = np.subtract(scores, self.row_max(scores, a), out=a.P)  # z-max
        correct = P.reshape(-1)[a.at + y]                   # z_y - max
        np.exp(P, out=P)
        np.sum(P, axis=1, keepdims=True, out=a.sums)
        P /= a.sums
        logs = np.log(a.sums[:, 0])
        logs -= correct                 # log sum exp(z - max) - (z_y - max)
        return float(logs.sum()) / m, n_correct

    def __call__(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        a = self._arrays(X.shape[0])
        loss, n_correct = self.loss(self.forward(X, a), y, a)
        loss += self.penalty()
        g = self.loss_gradient(y, a)
        for k in range(len(self.dense) - 1, -1, -1):
            g = self.dense_backward(k, X, g, a)
        return loss, n_correct

    def row_max(self, scores: np.ndarray, a: _Arrays) -> np.ndarray:
        return np.max(scores, axis=1, keepdims=True, out=a.top)

    def loss_gradient(self, y: np.ndarray, a: _Arrays) -> np.ndarray:
        """dL/dscores = (P - Y) / m, made in a.P, after ``loss``."""
        m = y.shape[0]
        a.P *= 1.0 / m
        a.P.reshape(-1)[a.at + y] -= 1.0 / m
        return a.P

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        """(mean loss without the penalty, n_correct), forward only."""
        a = self._arrays(X.shape[0])
        return self.loss(self.forward(X, a), y, a)

    def dense_backward(self, k: int, X, g, a: _Arrays):
        """g = dL/d(output of Dense k, after its ReLU) -> dL/d(its x)."""
        layer = self.dense[k]
        if self.relu[k]:
            np.greater(a.A[k], 0.0, out=a.mask[k])          # [A > 0]
            np.multiply(g, a.mask[k], out=g)                # g is ours
        x = X if k == 0 else a.A[k - 1]
        W, dW = layer.params["W"], layer.grads["W"]
        if self.folded[k]:
            np.matmul(a.x1[k].T, g, out=self.dWb[k])        # [dW; db]
        else:
            np.matmul(x.T, g, out=dW)                       # (d, n)
            self.colsum(g, a, layer.grads["b"])             # (1, n)
        if layer.weight_decay:                              # + lambda W
            dW += np.multiply(W, layer.weight_decay, out=a.decay[k])
        if k == 0:
            return None                 # the data's gradient: not needed
        return self.input_grad(g, W, a.dx[k])

    def input_grad(self, g, W, out) -> np.ndarray:
        return np.matmul(g, W.T, out=out)                   # (m, d)

    def colsum(self, g, a: _Arrays, out) -> None:
        np.sum(g, axis=0, keepdims=True, out=out)

    def penalty(self) -> float:
        total = 0.0
        for layer in self.dense:
            if layer.weight_decay:
                W = layer.params["W"].reshape(-1)
                total += 0.5 * layer.weight_decay * float(np.dot(W, W))
        return total


def _block(model: Sequential, layer: Dense, flat: np.ndarray):
    """[W; b] of ``layer`` as one (d + 1, n) view into ``flat`` (the
    model's flat_params or flat_grads): nn.flatten stores the layers'
    arrays in order, b right after W."""
    start = 0
    for other in model.layers:
        if other is layer:
            break
        start += sum(value.size for value in other.params.values())
    d, n = layer.params["W"].shape
    return flat[start:start + (d + 1) * n].reshape(d + 1, n)
