"""Finite differences: the independent reference for every gradient.

The centered difference ``(f(x+eps) - f(x-eps)) / (2 eps)`` has error
``O(eps^2)``, against ``O(eps)`` for the one-sided difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import (
    PARAM_NAMES,
    as_float_matrix,
    as_labels,
    as_real,
    check_params,
)

__all__ = ["numerical_gradient", "relative_error", "check_gradients",
           "GradCheckReport"]


def numerical_gradient(f, x, eps: float = 1e-5) -> np.ndarray:
    """Centered-difference gradient of the scalar function ``f`` at ``x``.

    f : callable taking x and returning a float
    x : float64 ndarray of any shape, perturbed in place one entry at a
        time and restored afterwards (even if f raises)
    returns grad : float64 array, the shape of x
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            "x must be a float64 numpy array (it is perturbed in place), "
            f"got {type(x).__name__}"
            + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    if x.size == 0:
        raise ValueError(f"x must not be empty, got shape {x.shape}")
    eps = as_real("eps", eps, positive=True)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        try:
            x[idx] = old + eps
            f_plus = float(f(x))
            x[idx] = old - eps
            f_minus = float(f(x))
        finally:
            x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, b) -> float:
    """``max|a - b| / max(max|a| + max|b|, tiny)``.

    A scale-aware relative error: 0 for equal inputs, 1 for ``a = -b``.
    Dividing by the largest magnitudes (not entry by entry) keeps an entry
    whose true gradient is nearly 0 from inflating the error with
    rounding noise.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError(f"a must not be empty, got shape {a.shape}")
    scale = np.max(np.abs(a)) + np.max(np.abs(b))
    return float(np.max(np.abs(a - b)) / max(scale, np.finfo(float).tiny))


@dataclass
class ParamCheck:
    """The check of one parameter's gradient."""

    name: str
    shape: tuple
    max_rel_error: float   # over entries away from kinks
    n_checked: int         # entries away from kinks
    n_kink: int            # entries whose +-eps step crossed a kink
    kink_rel_error: float  # over kink entries (nan if none)


@dataclass
class GradCheckReport:
    """Per-parameter results of :func:`check_gradients`."""

    params: dict[str, ParamCheck] = field(default_factory=dict)

    @property
    def max_rel_error(self) -> float:
        """The worst relative error away from kinks, over all params."""
        return max(p.max_rel_error for p in self.params.values())

    @property
    def n_kink(self) -> int:
        return sum(p.n_kink for p in self.params.values())

    def __getitem__(self, key: str) -> ParamCheck:
        return self.params[key]

    def __str__(self) -> str:
        lines = [f"{'param':<6}{'shape':>10}{'rel. error':>13}"
                 f"{'checked':>9}{'kinks':>7}{'kink error':>12}"]
        for p in self.params.values():
            kink = ("-" if p.n_kink == 0 else f"{p.kink_rel_error:.1e}")
            lines.append(f"{p.name:<6}{str(p.shape):>10}"
                         f"{p.max_rel_error:>13.1e}{p.n_checked:>9}"
                         f"{p.n_kink:>7}{kink:>12}")
        return "\n".join(lines)

    __repr__ = __str__


def check_gradients(params, X, y, reg: float = 0.0, eps: float = 1e-5,
                    backward=None) -> GradCheckReport:
    """Compare the two-layer network's gradients with finite differences.

    For every entry of W1, b1, W2, b2 the loss is evaluated at the entry
    +-eps. If the ReLU pattern ``Z1 > 0`` differs between the two
    evaluations, the step crossed a kink, where the loss has no
    derivative: such entries are counted in ``n_kink`` and their error is
    reported in ``kink_rel_error``, apart from ``max_rel_error``.

    params : dict W1 (d,h), b1 (1,h), W2 (h,n), b2 (1,n); not modified
    X : (m, d); y : (m,) labels; reg >= 0
    backward : the function under test, ``backward(params, cache, y,
        reg) -> grads``; defaults to ``scratchnet.twolayer.backward``
    """
    from . import twolayer

    check_params(params)
    X = as_float_matrix("X", X)
    y = as_labels("y", y, m=X.shape[0], n_classes=params["W2"].shape[1])
    reg = as_real("reg", reg, nonnegative=True)
    eps = as_real("eps", eps, positive=True)
    backward = twolayer.backward if backward is None else backward
    if not callable(backward):
        raise TypeError(
            f"backward must be callable, got {type(backward).__name__}")
    work = {k: np.array(params[k], dtype=np.float64) for k in PARAM_NAMES}
    P, cache = twolayer.forward(work, X)
    grads = backward(work, cache, y, reg)
    report = GradCheckReport()
    for key in PARAM_NAMES:
        analytic = np.asarray(grads[key], dtype=np.float64)
        if analytic.shape != work[key].shape:
            raise ValueError(
                f"d{key} has shape {analytic.shape}, expected "
                f"{work[key].shape}")
        theta = work[key]
        numeric = np.zeros_like(theta)
        kink = np.zeros(theta.shape, dtype=bool)
        for idx in np.ndindex(theta.shape):
            old = theta[idx]
            values, masks = [], []
            for step in (+eps, -eps):
                theta[idx] = old + step
                P, cache = twolayer.forward(work, X)
                values.append(twolayer.loss(P, y, work, reg))
                masks.append(cache["Z1"] > 0)
            theta[idx] = old
            numeric[idx] = (values[0] - values[1]) / (2.0 * eps)
            kink[idx] = not np.array_equal(masks[0], masks[1])
        smooth = ~kink
        report.params[key] = ParamCheck(
            name=key, shape=theta.shape,
            max_rel_error=(relative_error(analytic[smooth], numeric[smooth])
                           if smooth.any() else 0.0),
            n_checked=int(smooth.sum()), n_kink=int(kink.sum()),
            kink_rel_error=(relative_error(analytic[kink], numeric[kink])
                            if kink.any() else float("nan")))
    return report
