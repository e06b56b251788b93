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


def relative_error(a, b, floor: float = 0.0) -> float:
    """``max|a - b| / max(max|a| + max|b|, floor, tiny)``.

    A scale-aware relative error: 0 for equal inputs, 1 for ``a = -b``.
    Dividing by the largest magnitudes (not entry by entry) keeps an entry
    whose true gradient is nearly 0 from inflating the error with
    rounding noise. ``floor`` does the same for arrays that are nearly 0
    as a whole: set it to the rounding noise of ``b`` (``tiny`` is
    ``np.finfo(float).tiny``, the smallest positive normal double).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError(f"a must not be empty, got shape {a.shape}")
    scale = np.max(np.abs(a)) + np.max(np.abs(b))
    floor = as_real("floor", floor, nonnegative=True)
    return float(np.max(np.abs(a - b))
                 / max(scale, floor, np.finfo(float).tiny))


@dataclass
class ParamCheck:
    """The check of one parameter's gradient.

    Every entry is compared. Away from a ReLU kink the numerical gradient
    is the centered difference; at a kink it is the second-order one-sided
    difference on the side where the ReLU pattern stays as the analytic
    code sees it (the kink entries, ``n_kink``). An entry for which no
    such side exists within the step is not checked (``n_unchecked``).
    """

    name: str
    shape: tuple
    max_rel_error: float   # over every checked entry (nan if none)
    n_checked: int         # entries compared, kink entries included
    n_kink: int            # of those, compared by a one-sided difference
    n_unchecked: int       # entries that could not be compared
    kink_rel_error: float  # what the centered difference would report on
    #                        the kink entries (nan if none)
    tol: float             # the largest max_rel_error that passes

    @property
    def passed(self) -> bool:
        """True if at least one entry was compared, every entry was, and
        the relative error is at most ``tol``."""
        return (self.n_checked > 0 and self.n_unchecked == 0
                and self.max_rel_error <= self.tol)

    @property
    def reason(self) -> str:
        """Why the check failed, in words ("" if it passed)."""
        if self.n_checked == 0:
            return f"no entry of {self.name} could be checked"
        if self.n_unchecked:
            return (f"{self.n_unchecked} entries of {self.name} sit on a "
                    "kink from both sides and could not be checked: "
                    "move the evaluation point")
        if not self.max_rel_error <= self.tol:
            return (f"relative error {self.max_rel_error:.1e} on "
                    f"{self.name} is above the tolerance {self.tol:.0e}")
        return ""


@dataclass
class GradCheckReport:
    """Per-parameter results of :func:`check_gradients`, and a verdict."""

    params: dict[str, ParamCheck] = field(default_factory=dict)
    tol: float = 1e-6
    modified: list[str] = field(default_factory=list)  # inputs backward
    #                                                    changed in place

    @property
    def max_rel_error(self) -> float:
        """The worst relative error over all params and checked entries."""
        return max(p.max_rel_error for p in self.params.values())

    @property
    def n_kink(self) -> int:
        return sum(p.n_kink for p in self.params.values())

    @property
    def passed(self) -> bool:
        """True if every parameter's check passed (see ParamCheck) and
        backward left its inputs as they were."""
        return bool(self.params) and not self.modified and all(
            p.passed for p in self.params.values())

    @property
    def modified_reason(self) -> str:
        names = ", ".join(self.modified)
        return (f"backward changed its input {names} in place: copy an "
                "array before you change it (e.g. dZ2 = P.copy())")

    def __getitem__(self, key: str) -> ParamCheck:
        return self.params[key]

    def __str__(self) -> str:
        lines = [f"{'param':<6}{'shape':>9}{'rel. error':>12}"
                 f"{'checked':>9}{'kinks':>7}{'verdict':>9}"]
        for p in self.params.values():
            lines.append(f"{p.name:<6}{str(p.shape):>9}"
                         f"{p.max_rel_error:>12.1e}{p.n_checked:>9}"
                         f"{p.n_kink:>7}"
                         f"{'pass' if p.passed else 'FAIL':>9}")
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"{verdict} (tolerance {self.tol:.0e})")
        if self.modified:
            lines.append(self.modified_reason)
        lines += [p.reason for p in self.params.values() if p.reason]
        return "\n".join(lines)

    __repr__ = __str__


def check_gradients(params, X, y, reg: float = 0.0, eps: float = 1e-5,
                    backward=None, tol: float = 1e-6) -> GradCheckReport:
    """Compare the two-layer network's gradients with finite differences.

    For every entry of W1, b1, W2, b2 the loss is evaluated at the entry
    +-eps. If the ReLU pattern ``Z1 > 0`` is the same at both steps as at
    the point itself, the entry is compared with the centered difference.
    Otherwise the step crossed a kink, where the loss has no derivative,
    only one from each side. The analytic code takes the side of the
    pattern at the point (``dZ1 = 0`` where ``Z1 <= 0``), so the entry is
    compared with the one-sided difference ``(-3f(x) + 4f(x+s) -
    f(x+2s)) / (2s)``, also of error ``O(s^2)``, with ``s = +-eps`` on the
    side that keeps the pattern (``s`` shrinks tenfold, twice, if neither
    side does). Such entries are counted in ``n_kink``.

    params : dict W1 (d,h), b1 (1,h), W2 (h,n), b2 (1,n); not modified
    X : (m, d); y : (m,) labels; reg >= 0
    backward : the function under test, ``backward(params, cache, y,
        reg) -> grads``; defaults to ``scratchnet.twolayer.backward``
    tol : the verdict ``report.passed`` needs every relative error
        ``<= tol``, and at least one checked entry per parameter
    """
    from . import twolayer

    check_params(params)
    X = as_float_matrix("X", X)
    y = as_labels("y", y, m=X.shape[0], n_classes=params["W2"].shape[1])
    reg = as_real("reg", reg, nonnegative=True)
    eps = as_real("eps", eps, positive=True)
    tol = as_real("tol", tol, positive=True)
    backward = twolayer.backward if backward is None else backward
    if not callable(backward):
        raise TypeError(
            f"backward must be callable, got {type(backward).__name__}")
    work = {k: np.array(params[k], dtype=np.float64) for k in PARAM_NAMES}
    P, cache = twolayer.forward(work, X)
    base = cache["Z1"] > 0
    f0 = twolayer._loss(P, y, work, reg)   # before backward can alias P
    # A difference quotient of f carries a rounding error of about
    # |f| * 2.2e-16 / eps; a gradient that small counts as zero.
    noise = 100 * np.finfo(float).eps * max(abs(f0), 1.0) / eps
    inputs = {**{f"params['{k}']": v for k, v in work.items()},
              **{f"cache['{k}']": v for k, v in cache.items()}}
    before = {k: v.copy() for k, v in inputs.items()}
    grads = backward(work, cache, y, reg)
    modified = [k for k, v in inputs.items()
                if not np.array_equal(v, before[k])]
    for k, v in work.items():          # go on from the unchanged params
        v[...] = before[f"params['{k}']"]

    def evaluate(theta, idx, value):
        theta[idx] = value
        P, cache = twolayer._forward(work, X)
        return (twolayer._loss(P, y, work, reg),
                np.array_equal(cache["Z1"] > 0, base))

    report = GradCheckReport(tol=tol, modified=modified)
    for key in PARAM_NAMES:
        analytic = np.asarray(grads[key], dtype=np.float64)
        if analytic.shape != work[key].shape:
            raise ValueError(
                f"d{key} has shape {analytic.shape}, expected "
                f"{work[key].shape}")
        theta = work[key]
        numeric = np.full(theta.shape, np.nan)
        centered = np.zeros(theta.shape)
        kink = np.zeros(theta.shape, dtype=bool)
        for idx in np.ndindex(theta.shape):
            old = theta[idx]
            f_plus, same_plus = evaluate(theta, idx, old + eps)
            f_minus, same_minus = evaluate(theta, idx, old - eps)
            centered[idx] = (f_plus - f_minus) / (2.0 * eps)
            if same_plus and same_minus:
                numeric[idx] = centered[idx]
            else:
                kink[idx] = True
                numeric[idx] = _one_sided(evaluate, theta, idx, old, eps)
            theta[idx] = old
        checked = ~np.isnan(numeric)
        report.params[key] = ParamCheck(
            name=key, shape=theta.shape,
            max_rel_error=(relative_error(analytic[checked],
                                          numeric[checked], noise)
                           if checked.any() else float("nan")),
            n_checked=int(checked.sum()), n_kink=int((kink & checked).sum()),
            n_unchecked=int((~checked).sum()),
            kink_rel_error=(relative_error(analytic[kink], centered[kink],
                                           noise)
                            if kink.any() else float("nan")),
            tol=tol)
    return report


def _one_sided(evaluate, theta, idx, old, eps):
    """The one-sided difference on the side that keeps the ReLU pattern,
    or nan if neither side keeps it for steps down to eps / 100."""
    f0, _ = evaluate(theta, idx, old)    # the same code path as f1, f2
    for s in (eps, eps / 10, eps / 100):
        for step in (-s, s):
            f1, same1 = evaluate(theta, idx, old + step)
            f2, same2 = evaluate(theta, idx, old + 2 * step)
            if same1 and same2:
                # (-3 f0 + 4 f1 - f2) / 2s, differences first to round less
                return (4.0 * (f1 - f0) - (f2 - f0)) / (2.0 * step)
    return float("nan")
