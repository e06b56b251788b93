"""Optimizers and learning-rate schedules for :mod:`scratchnet.nn`.

An optimizer holds the ``(name, parameter, gradient)`` triples of
``model.parameters()`` and updates the parameters in place on ``step()``.

- SGD: ``w <- w - lr * g``
- SGD with momentum: ``v <- mu * v + g``, ``w <- w - lr * v``
- Adam: ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
  ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)`` with the bias corrections
  ``m_hat = m / (1 - b1^t)`` and ``v_hat = v / (1 - b2^t)``.

An optimizer updates each triple in turn, with arrays kept between
steps (``out=``). Given ``model.parameters(flat=True)``, one triple that
holds all of a :class:`scratchnet.nn.Sequential`'s parameters in one
vector, it applies each formula once to the whole vector: at the
digits' sizes the per-parameter Python loop costs more than the
arithmetic. The numbers are the same either way.
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


class Optimizer:
    """The base of the optimizers.

    parameters : ``(name, array, gradient)`` triples, as from
        ``model.parameters()``, or the one triple of
        ``model.parameters(flat=True)``
    lr : the learning rate, > 0
    """

    def __init__(self, parameters, lr: float) -> None:
        self.parameters = _check_parameters(parameters)
        self.lr = as_real("lr", lr, positive=True)
        self.t = 0

    def _state(self):
        """Zeroed arrays, one per parameter."""
        return [np.zeros_like(p) for _, p, _ in self.parameters]

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
        for (_, p, g), v, tmp in zip(self.parameters, self.velocity,
                                     self._tmp, strict=True):
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
        for (_, p, g), m, v, tmp in zip(self.parameters, self.m, self.v,
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
        """The learning rate of epoch ``epoch`` (0: the first)."""
        epoch = as_int("epoch", epoch, minimum=0)
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineLR(_Schedule):
    """Cosine decay from the initial rate to ``lr_min`` over ``t_max``
    epochs: ``lr_min + (lr0 - lr_min) (1 + cos(pi t / t_max)) / 2``."""

    def __init__(self, optimizer, t_max: int, lr_min: float = 0.0):
        super().__init__(optimizer)
        self.t_max = as_int("t_max", t_max)
        self.lr_min = as_real("lr_min", lr_min, nonnegative=True)

    def lr_at(self, epoch: int) -> float:
        """The learning rate of epoch ``epoch`` (0: the first)."""
        t = min(as_int("epoch", epoch, minimum=0), self.t_max)
        cos = (1.0 + math.cos(math.pi * t / self.t_max)) / 2.0
        return self.lr_min + (self.base_lr - self.lr_min) * cos
