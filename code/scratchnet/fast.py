"""The tuned training step: the maths of :mod:`scratchnet.nn`, fast.

:mod:`scratchnet.nn` is written to be read. This module computes the same
step, loss and gradients for a :class:`~scratchnet.nn.Sequential` of
``Dense`` and ``ReLU`` layers with the softmax cross-entropy loss, and
``training.fit`` runs it for every model that it supports
(:func:`supports`); other models train through the layers of ``nn``.
A property test (tests/test_fast.py) checks that both give the same
loss and gradients over random architectures, batch sizes and dtypes.

At the spiral's sizes every array is small, and a step's time goes to
NumPy's fixed cost per call and to memory as much as to arithmetic. A
trick is kept here only if it saves at least 10 % of a whole training
step on two OpenBLAS kernels; ``benchmarks/tricks.py`` measures each one
against its plain form. What is left is one: **arrays kept between
steps**. Every array of a step is made once per batch size, and each
result is written into its array (``out=``) instead of a new one, with
no layer objects in between. (The step as a whole against the layers of
``nn``: about a fifth less time per step on the digits' network on both
kernels measured, and 8-12 % on the spiral's. The fused loss, the folded
bias, the ReLU in place and four smaller forms saved less than 10 % and
went. One update for the whole flat vector, which passed, is in
:mod:`scratchnet.optim`: ``model.parameters(flat=True)``.)
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
    """The arrays of one step for a batch of m rows: for each Dense
    layer k, its output Z (m, n_k), its ReLU's output A and mask, the
    gradient dx (m, d_k) for the layer below; and the loss's arrays."""

    def __init__(self, step: Step, m: int) -> None:
        dtype = step.model.dtype
        shapes = [(m, layer.out_features) for layer in step.dense]
        self.Z = [np.empty(shape, dtype) for shape in shapes]
        self.A = [np.empty(shape, dtype) if relu else Z
                  for shape, relu, Z in zip(shapes, step.relu, self.Z,
                                            strict=True)]
        self.mask = [np.empty(shape, np.bool_) for shape in shapes]
        self.dx = [np.empty((m, layer.in_features), dtype)
                   for layer in step.dense]
        self.decay = [np.empty_like(layer.params["W"])
                      for layer in step.dense]
        n = shapes[-1][1]
        self.top = np.empty((m, 1), dtype)          # the row max
        self.sums = np.empty((m, 1), dtype)
        self.P = np.empty((m, n), dtype)            # softmax(scores)
        self.dS = np.empty((m, n), dtype)           # dL/dscores
        self.at = np.arange(m) * n       # + y: entry (i, y_i) of P flat


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
        self.arrays: dict[int, _Arrays] = {}

    def _arrays(self, m: int) -> _Arrays:
        a = self.arrays.get(m)
        if a is None:
            if len(self.arrays) >= 4:     # a batch, the last one, and
                self.arrays.clear()       # validation: a few sizes
            a = self.arrays[m] = _Arrays(self, m)
        return a

    def __call__(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        a = self._arrays(X.shape[0])
        loss, n_correct = self.loss(self.forward(X, a), y, a)
        g = self.loss_gradient(y, a)
        for k in range(len(self.dense) - 1, -1, -1):
            g = self.dense_backward(k, X, g, a)
        return loss + self.penalty(), n_correct

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        """(mean loss without the penalty, n_correct), forward only."""
        a = self._arrays(X.shape[0])
        return self.loss(self.forward(X, a), y, a)

    def forward(self, X: np.ndarray, a: _Arrays) -> np.ndarray:
        """X (m, d) -> scores (m, n); a.A[k] is Dense k's output, after
        its ReLU if it has one."""
        x = X
        for k, layer in enumerate(self.dense):
            np.matmul(x, layer.params["W"], out=a.Z[k])     # (m, n)
            a.Z[k] += layer.params["b"]                     # + (1, n)
            if self.relu[k]:
                np.maximum(a.Z[k], 0.0, out=a.A[k])
            x = a.A[k]
        return x

    def loss(self, scores: np.ndarray, y: np.ndarray, a: _Arrays):
        """-> (mean loss, n_correct); a.P becomes softmax(scores)."""
        n_correct = int(np.count_nonzero(np.argmax(scores, axis=1) == y))
        np.max(scores, axis=1, keepdims=True, out=a.top)
        P = np.subtract(scores, a.top, out=a.P)             # z - max
        correct = P.reshape(-1)[a.at + y]                   # z_y - max
        np.exp(P, out=P)
        np.sum(P, axis=1, keepdims=True, out=a.sums)
        P /= a.sums
        logs = np.log(a.sums[:, 0])
        logs -= correct                 # log sum exp(z - max) - (z_y - max)
        return float(np.mean(logs)), n_correct

    def loss_gradient(self, y: np.ndarray, a: _Arrays) -> np.ndarray:
        """dL/dscores = (P - Y) / m, after ``loss``."""
        np.copyto(a.dS, a.P)
        a.dS.reshape(-1)[a.at + y] -= 1.0                  # P - Y
        a.dS /= y.shape[0]
        return a.dS

    def dense_backward(self, k: int, X, g, a: _Arrays):
        """g = dL/d(output of Dense k, after its ReLU) -> dL/d(its x)."""
        layer = self.dense[k]
        if self.relu[k]:
            np.greater(a.Z[k], 0.0, out=a.mask[k])          # [Z > 0]
            np.multiply(g, a.mask[k], out=g)                # g is ours
        x = X if k == 0 else a.A[k - 1]
        W, dW = layer.params["W"], layer.grads["W"]
        np.matmul(x.T, g, out=dW)                           # (d, n)
        np.sum(g, axis=0, keepdims=True, out=layer.grads["b"])  # (1, n)
        if layer.weight_decay:                              # + lambda W
            dW += np.multiply(W, layer.weight_decay, out=a.decay[k])
        if k == 0:
            return None                 # the data's gradient: not needed
        return np.matmul(g, W.T, out=a.dx[k])               # (m, d)

    def penalty(self) -> float:
        total = 0.0
        for layer in self.dense:
            if layer.weight_decay:
                total += layer.penalty()
        return total
