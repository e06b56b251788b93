"""Optimizers and learning-rate schedules for :mod:`scratchnet.nn`.

An optimizer holds the ``(name, parameter, gradient)`` triples of
``model.parameters()`` and updates the parameters in place on ``step()``.

- SGD: ``w <- w - lr * g``
- SGD with momentum: ``v <- mu * v + g``, ``w <- w - lr * v``
- Adam: ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
  ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)`` with the bias corrections
  ``m_hat = m / (1 - b1^t)`` and ``v_hat = v / (1 - b2^t)``.

Given ``model.parameters()`` of a :class:`scratchnet.nn.Sequential`,
whose parameters are views into one flat vector, an optimizer applies
its update once to the whole vector, with preallocated buffers
(``out=``), instead of once per parameter: at the digits' sizes the
per-parameter Python loop and temporaries cost more than the
arithmetic. Any other list of triples is updated parameter by parameter,
with the same formulas.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import as_int, as_real

__all__ = ["SGD", "Adam", "StepLR", "CosineLR"]


def _check_parameters(parameters):
    params = list(parameters)
    if not params:
        raise ValueError("parameters must not be empty, got no parameters")
    for i, item in enumerate(params):
        if (not isinstance(item, tuple) or len(item) != 3
                or not isinstance(item[1], np.ndarray)
                or not isinstance(item[2], np.ndarray)
                or item[1].shape != item[2].shape):
            raise TypeError(
                f"parameters[{i}] must be a (name, array, gradient) triple "
                f"as from model.parameters(), got {type(item).__name__}")
    return params


def _flat(parameters, params):
    """The flat (params, grads) vectors behind the triples, or None."""
    flat = getattr(parameters, "flat", None)
    if flat is None:
        return None
    p, g = flat
    if (sum(q.size for _, q, _ in params) == p.size
            and all(np.shares_memory(q, p) and np.shares_memory(r, g)
                    for _, q, r in params)):
        return p, g
    return None


class Optimizer:
    def __init__(self, parameters, lr: float) -> None:
        given = parameters
        self.parameters = _check_parameters(parameters)
        self.lr = as_real("lr", lr, positive=True)
        self.t = 0
        # Update the flat vectors in one go, or each parameter in turn.
        self._pairs = [(p, g) for _, p, g in self.parameters]
        flat = _flat(given, self.parameters)
        if flat is not None:
            self._pairs = [flat]

    def _state(self):
        """Zeroed state arrays, one per updated array, and a scratch."""
        return [np.zeros_like(p) for p, _ in self._pairs]

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, with optional (heavy-ball) momentum ``mu``."""

    def __init__(self, parameters, lr: float = 0.1,
                 momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        self.momentum = as_real("momentum", momentum, nonnegative=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum must be < 1, got {self.momentum}")
        self.velocity = self._state()
        self._tmp = self._state()

    def step(self) -> None:
        self.t += 1
        for (p, g), v, tmp in zip(self._pairs, self.velocity, self._tmp,
                                  strict=True):
            if self.momentum:
                np.multiply(v, self.momentum, out=v)
                v += g                                  # v = mu v + g
                g = v
            np.multiply(g, self.lr, out=tmp)
            p -= tmp                                    # w -= lr * v


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), with bias-corrected moments."""

    def __init__(self, parameters, lr: float = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(parameters, lr)
        self.beta1 = as_real("beta1", beta1, nonnegative=True)
        self.beta2 = as_real("beta2", beta2, nonnegative=True)
        for name, beta in (("beta1", self.beta1), ("beta2", self.beta2)):
            if beta >= 1:
                raise ValueError(f"{name} must be < 1, got {beta}")
        self.eps = as_real("eps", eps, positive=True)
        self.m = self._state()
        self.v = self._state()
        self._tmp = self._state()

    def step(self) -> None:
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        b1, b2 = self.beta1, self.beta2
        for (p, g), m, v, tmp in zip(self._pairs, self.m, self.v,
                                     self._tmp, strict=True):
            np.multiply(m, b1, out=m)
            np.multiply(g, 1.0 - b1, out=tmp)
            m += tmp                                  # m = b1 m + (1-b1) g
            np.multiply(v, b2, out=v)
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - b2
            v += tmp                                  # v = b2 v + (1-b2) g^2
            np.multiply(v, 1.0 / c2, out=tmp)         # v_hat
            np.sqrt(tmp, out=tmp)
            tmp += self.eps                           # sqrt(v_hat) + eps
            np.divide(m, tmp, out=tmp)
            tmp *= self.lr / c1                       # lr m_hat / (...)
            p -= tmp


class _Schedule:
    def __init__(self, optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be a scratchnet.optim optimizer, got "
                f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.epoch = 0

    def step(self) -> float:
        """Advance one epoch and set the optimizer's learning rate."""
        self.epoch += 1
        self.optimizer.lr = self.lr_at(self.epoch)
        return self.optimizer.lr


class StepLR(_Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        self.step_size = as_int("step_size", step_size)
        self.gamma = as_real("gamma", gamma, positive=True)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineLR(_Schedule):
    """Cosine decay from the initial rate to ``lr_min`` over ``t_max``
    epochs: ``lr_min + (lr0 - lr_min) (1 + cos(pi t / t_max)) / 2``."""

    def __init__(self, optimizer, t_max: int, lr_min: float = 0.0):
        super().__init__(optimizer)
        self.t_max = as_int("t_max", t_max)
        self.lr_min = as_real("lr_min", lr_min, nonnegative=True)

    def lr_at(self, epoch: int) -> float:
        t = min(epoch, self.t_max)
        cos = (1.0 + math.cos(math.pi * t / self.t_max)) / 2.0
        return self.lr_min + (self.base_lr - self.lr_min) * cos
