"""Finite differences: the independent reference for every gradient.

The centered difference ``(f(x+eps) - f(x-eps)) / (2 eps)`` has error
``O(eps^2)``, against ``O(eps)`` for the two-point one-sided difference
``(f(x+eps) - f(x)) / eps``; the three-point one-sided difference that
:func:`check_gradients` takes at a ReLU kink is ``O(eps^2)`` too.
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
    is the centered difference; at a kink (the ``n_kink`` entries) it is
    the second-order one-sided difference on the side where the ReLU
    pattern stays as the analytic code sees it, or, for an entry whose
    pattern changes on both sides, the centered difference of the loss
    with the pattern held as the code sees it (``n_frozen``).

    The verdict allows for rounding: it passes when
    ``max_abs_error <= tol * scale + allowance``, where ``scale`` is
    ``max|a| + max|b|`` and ``allowance`` the rounding error of a
    difference quotient of the loss (``c * eps_machine * max(|f|, 1) /
    eps``, with c = 100). A gradient that is 0, or at rounding level, is
    then judged by its absolute error, not by a relative error of two
    rounding noises.
    """

    name: str
    shape: tuple
    max_rel_error: float   # max|a - b| / (max|a| + max|b|), nan if none
    n_checked: int         # entries compared, kink entries included
    n_kink: int            # of those, compared from one side
    kink_rel_error: float  # what the centered difference would report on
    #                        the kink entries (nan if none)
    tol: float             # the relative error that passes
    max_abs_error: float = float("nan")   # max|a - b|
    scale: float = 0.0                    # max|a| + max|b|
    allowance: float = 0.0                # the rounding allowance
    n_frozen: int = 0      # kink entries compared with the pattern held

    @property
    def passed(self) -> bool:
        """True if at least one entry was compared and
        ``max_abs_error <= tol * scale + allowance``."""
        return (self.n_checked > 0
                and self.max_abs_error <= self.tol * self.scale
                + self.allowance)

    @property
    def reason(self) -> str:
        """Why the check failed, in words ("" if it passed)."""
        if self.n_checked == 0:
            return f"no entry of {self.name} could be checked"
        if not self.passed:
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
        allowance = max(p.allowance for p in self.params.values())
        lines.append(f"{verdict} (tolerance {self.tol:.0e}, and "
                     f"{allowance:.0e} for rounding)")
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
    side does). Such entries are counted in ``n_kink``. An entry whose
    pattern changes on both sides even then (a unit whose weights and
    bias are all 0 puts every row on its kink) is compared with the
    centered difference of the loss with the pattern held as it is at the
    point, as the analytic code sees it (``n_frozen``): no entry is left
    unchecked.

    params : dict W1 (d,h), b1 (1,h), W2 (h,n), b2 (1,n); not modified
    X : (m, d); y : (m,) labels; reg >= 0
    backward : the function under test, ``backward(params, cache, y,
        reg) -> grads``; defaults to ``scratchnet.twolayer.backward``
    tol : the verdict ``report.passed`` needs, for every parameter,
        ``max|a - b| <= tol * (max|a| + max|b|) + allowance``, where the
        allowance is the rounding error of a difference quotient of the
        loss, ``100 * eps_machine * max(|f|, 1) / eps`` (ParamCheck)
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
    # |f| * 2.2e-16 / eps: the verdict allows 100 times that, absolutely.
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

    def frozen(theta, idx, value):
        """The loss with the ReLU pattern held at the point's."""
        theta[idx] = value
        W1, b1, W2, b2 = (work[k] for k in PARAM_NAMES)
        Z2 = ((X @ W1 + b1) * base) @ W2 + b2
        P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        return twolayer._loss(P, y, work, reg)

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
        n_frozen = 0
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
                if np.isnan(numeric[idx]):      # a kink on both sides
                    n_frozen += 1
                    numeric[idx] = (frozen(theta, idx, old + eps)
                                    - frozen(theta, idx, old - eps)) / (
                                        2.0 * eps)
            theta[idx] = old
        diff = float(np.max(np.abs(analytic - numeric)))
        scale = float(np.max(np.abs(analytic)) + np.max(np.abs(numeric)))
        report.params[key] = ParamCheck(
            name=key, shape=theta.shape,
            max_rel_error=relative_error(analytic, numeric),
            n_checked=theta.size, n_kink=int(kink.sum()),
            kink_rel_error=(relative_error(analytic[kink], centered[kink])
                            if kink.any() else float("nan")),
            tol=tol, max_abs_error=diff, scale=scale, allowance=noise,
            n_frozen=n_frozen)
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
