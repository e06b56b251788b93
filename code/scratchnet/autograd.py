"""Reverse-mode automatic differentiation on matrices, from the book's rules.

A :class:`Tensor` is a NumPy array, the gradient of the loss with respect
to it (``grad``, after ``loss.backward()``) and the operation that made
it: its parents and its *rule*, a function that maps the gradient of the
tensor to the gradients of its parents. Each rule is one of the book's
derivations:

* ``A @ W``: ``dA = G W^T`` and ``dW = A^T G`` (eq-da1, eq-dw2);
* ``Z + b`` with NumPy's broadcasting: the gradient of ``b`` sums ``G``
  over the broadcast rows, the bias column sum (eq-db2);
* ``relu``: ``G`` where ``Z > 0``, 0 elsewhere (eq-dz1);
* the fused softmax cross-entropy: ``(P - Y) / m`` (eq-dz2).

``loss.backward()`` sorts the graph topologically, seeds ``loss.grad``
with 1 and calls each tensor's rule, last operation first. A tensor used
twice gets the *sum* of both contributions: the engine accumulates
(``grad +=``) in one place, :meth:`Tensor.backward`.

Shapes: ``G`` always has the shape of the tensor whose rule receives it,
and each rule returns one gradient per parent, in the parent's shape (or
one that broadcasts to it; the engine sums it back).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["Tensor", "softmax_cross_entropy"]


def _as_data(data, name="data") -> np.ndarray:
    """A finite float array (float32 or float64), or a clear error."""
    arr = np.asarray(data)
    if arr.dtype.kind in "iub":
        raise TypeError(f"{name} must hold floats, got dtype {arr.dtype}: "
                        "use np.asarray(x, dtype=float)")
    if arr.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must be a float array, got dtype "
                        f"{arr.dtype}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got "
                         f"{int(np.sum(~np.isfinite(arr)))} NaN or inf")
    return arr


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched,
    back to ``shape``: for a bias (1, h) under (m, h), the column sum."""
    while grad.ndim > len(shape):                 # added leading axes
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):           # stretched axes of 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """An array, its gradient, and the operation that made it.

    Tensor(array) makes a leaf; the operations make the others. ``rule``
    maps the gradient G of this tensor to one gradient per parent.
    """

    def __init__(self, data, parents=(), op="", rule=None):
        self.data = _as_data(data) if not parents else np.asarray(data)
        self.grad = None
        self.parents = tuple(parents)
        self.op = op
        self.rule = rule
        self.freed = False          # its backward has run: not again

    @property
    def shape(self) -> tuple:
        return self.data.shape

    def __repr__(self) -> str:
        return f"Tensor(shape={self.shape}, op={self.op or 'leaf'!r})"

    # --- the operations ----------------------------------------------------

    def __matmul__(self, other):
        other = _tensor(other, "@")
        A, W = self.data, other.data
        if A.ndim != 2 or W.ndim != 2 or A.shape[1] != W.shape[0]:
            raise ValueError(f"cannot multiply shapes {A.shape} @ "
                             f"{W.shape}: the inner sizes must agree")
        # G (m, n): dA = G W^T (m, k), dW = A^T G (k, n)
        return Tensor(A @ W, (self, other), "@",
                      lambda G: (G @ W.T, A.T @ G))

    def __add__(self, other):
        other = _tensor(other, "+")
        # each parent gets G, summed back over its broadcast axes
        return Tensor(self.data + other.data, (self, other), "+",
                      lambda G: (G, G))

    __radd__ = __add__

    def __neg__(self):
        return Tensor(-self.data, (self,), "neg", lambda G: (-G,))

    def __sub__(self, other):
        return self + (-_tensor(other, "-"))

    def __rsub__(self, other):
        return _tensor(other, "-") + (-self)

    def __mul__(self, other):
        other = _tensor(other, "*")
        a, b = self.data, other.data
        # elementwise: d(ab) = b G and a G
        return Tensor(a * b, (self, other), "*",
                      lambda G: (G * b, G * a))

    __rmul__ = __mul__

    def relu(self):
        Z = self.data
        # eq-dz1: G where Z > 0, 0 where Z <= 0
        return Tensor(np.maximum(Z, 0), (self,), "relu",
                      lambda G: (G * (Z > 0),))

    def exp(self):
        E = np.exp(self.data)
        _as_data(E, "exp's result")
        return Tensor(E, (self,), "exp", lambda G: (G * E,))

    def log(self):
        Z = self.data
        if np.any(Z <= 0):
            raise ValueError(f"log needs positive entries, got minimum "
                             f"{Z.min():.3g}")
        return Tensor(np.log(Z), (self,), "log", lambda G: (G / Z,))

    def sum(self, axis=None, keepdims=False):
        shape = self.shape
        S = self.data.sum(axis=axis, keepdims=keepdims)

        def rule(G):
            if axis is not None and not keepdims:
                G = np.expand_dims(G, axis)       # back to a broadcastable
            return (np.broadcast_to(G, shape),)   # every entry gets G
        return Tensor(S, (self,), "sum", rule)

    def mean(self, axis=None, keepdims=False):
        count = self.data.size // np.asarray(
            self.data.sum(axis=axis, keepdims=keepdims)).size
        return self.sum(axis, keepdims) * (1.0 / count)

    def max(self, axis, keepdims=False):
        Z = self.data
        first = np.expand_dims(np.argmax(Z, axis=axis), axis)
        mask = np.zeros_like(Z)
        np.put_along_axis(mask, first, 1.0, axis=axis)   # the argmax only

        def rule(G):
            if not keepdims:
                G = np.expand_dims(G, axis)
            return (mask * G,)
        return Tensor(Z.max(axis=axis, keepdims=keepdims), (self,), "max",
                      rule)

    def __getitem__(self, index):
        shape, dtype = self.shape, self.data.dtype

        def rule(G):                              # scatter G back
            grad = np.zeros(shape, dtype=dtype)
            np.add.at(grad, index, G)
            return (grad,)
        return Tensor(self.data[index], (self,), "index", rule)

    # --- the engine ----------------------------------------------------------

    def backward(self, grad=None) -> None:
        """Fill ``grad`` of every tensor this one depends on.

        Without ``grad``, the tensor must be a scalar (its gradient is 1).
        A leaf used in several graphs accumulates their gradients (set its
        ``grad`` to None to start again); a graph's backward runs once,
        and a second call raises.
        """
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without a gradient needs a scalar, got "
                    f"shape {self.shape}: pass grad of that shape")
            grad = np.ones_like(self.data)
        grad = np.asarray(grad, dtype=self.data.dtype)
        if grad.shape != self.shape:
            raise ValueError(f"grad must have shape {self.shape}, got "
                             f"{grad.shape}")
        order, seen = [], set()

        def visit(t):                             # parents before children
            if id(t) not in seen:
                seen.add(id(t))
                for p in t.parents:
                    visit(p)
                order.append(t)
        visit(self)
        if any(t.freed for t in order):
            raise ValueError(
                "backward() has already run through this graph: build it "
                "again (run the forward pass) for new gradients")
        for t in order:
            if t.grad is None:
                t.grad = np.zeros_like(t.data)
        self.grad = self.grad + grad
        for t in reversed(order):                 # the last operation first
            if t.rule is None:
                continue
            for parent, g in zip(t.parents, t.rule(t.grad),
                                 strict=True):
                parent.grad = parent.grad + _unbroadcast(g, parent.shape)
            t.freed = True


def _tensor(x, op: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Tensor(np.asarray(float(x)))
    raise TypeError(f"{op} needs a Tensor or a number, got "
                    f"{type(x).__name__}")


def softmax_cross_entropy(scores: Tensor, y) -> Tensor:
    """The mean cross-entropy of the softmax of ``scores`` (m, n) for the
    labels ``y`` (m,), a scalar Tensor; its rule is eq-dz2's
    ``(P - Y) / m``."""
    if not isinstance(scores, Tensor):
        raise TypeError(f"scores must be a Tensor, got "
                        f"{type(scores).__name__}")
    Z = scores.data
    y = np.asarray(y)
    if Z.ndim != 2 or y.shape != (Z.shape[0],) or y.dtype.kind not in "iu":
        raise ValueError(f"scores (m, n) and integer labels y (m,) are "
                         f"needed, got shapes {Z.shape} and {y.shape} "
                         f"(dtype {y.dtype})")
    if y.size and (y.min() < 0 or y.max() >= Z.shape[1]):
        raise ValueError(f"y must hold labels in 0 .. {Z.shape[1] - 1}")
    m = Z.shape[0]
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    P = np.exp(log_p)                             # (m, n)
    rows = np.arange(m)

    def rule(G):
        dZ = P.copy()
        dZ[rows, y] -= 1                          # P - Y
        return (G * dZ / m,)
    loss = -log_p[rows, y].mean()
    return Tensor(np.asarray(loss), (scores,), "softmax-ce", rule)
