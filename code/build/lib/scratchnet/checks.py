"""Check cells for assignments: clear verdicts on a student's code.

Each check prints one line, the verdict, and returns True or False. It
never raises because of the student's code: a cell that still raises
``NotImplementedError``, a name that is not defined yet, a wrong shape, a
wrong value or any other exception from the student's code (a matmul of
mismatched shapes, a TypeError, an IndexError) each get a failing verdict
that quotes the error and says what to do. The references are
independent of the solution: shapes, and centered finite differences of
the loss (:mod:`scratchnet.gradcheck`).

Write your own check with :func:`run`: give it a name and a function of no
arguments that raises :class:`CheckFailed` (or ``AssertionError``) with a
helpful message when the student's answer is wrong::

    def my_test():
        if not np.all(dZ1[Z1 <= 0] == 0):
            raise checks.CheckFailed("dZ1 is not 0 where Z1 <= 0")

    checks.run("the ReLU mask", my_test)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from . import gradcheck
from ._checks import (
    PARAM_NAMES,
    as_float_matrix,
    as_labels,
    as_real,
    check_params,
)

__all__ = ["CheckFailed", "run", "shape", "gradient", "value", "backward",
           "raise_on_failure"]

#: In strict mode (``raise_on_failure()``), a failing check raises
#: CheckFailed with its verdict instead of printing it and returning False.
_STRICT = False


def raise_on_failure(on: bool = True) -> None:
    """Make every failing check raise CheckFailed, an AssertionError whose
    message is the verdict line, instead of printing it.

    For autograders such as nbgrader, which give a test cell its points
    unless it raises. Passing checks still print their verdict.
    """
    global _STRICT
    if not isinstance(on, bool):
        raise TypeError(f"on must be a bool, got {type(on).__name__}")
    _STRICT = on

#: What to look at when a parameter's gradient is wrong.
BACKWARD_HINTS = {
    "W2": "check the transpose of A1 and the division by m",
    "b2": "check the column sum (axis=0, keepdims=True) and the / m",
    "W1": "check the ReLU mask and the transpose of X",
    "b1": "check the ReLU mask and the column sum of dZ1",
}


class CheckFailed(AssertionError):
    """A check's verdict: the student's answer is wrong, and why."""


def _callable(name: str, value) -> None:
    if not callable(value):
        raise TypeError(
            f"{name} must be a function of no arguments (e.g. lambda: dW2), "
            f"got {type(value).__name__}")


def run(name: str, test: Callable[[], object]) -> bool:
    """Run ``test()`` and print the verdict for ``name``.

    ``test`` raises CheckFailed or AssertionError with a message when the
    answer is wrong; NotImplementedError and NameError mean the student has
    not written (or run) the code yet; any other exception is an error in
    the student's code, quoted in the verdict. Returns True if the check
    passed.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(
            f"name must be a non-empty str, got {type(name).__name__}")
    _callable("test", test)
    try:
        test()
    except NotImplementedError as err:
        hint = f" ({err})" if str(err) else ""
        return _fail(f"{name}: not implemented yet: fill in the cell above, "
                     f"which raises NotImplementedError{hint}")
    except NameError as err:
        return _fail(f"{name}: {err}: run the cell above first (until you "
                     "fill it in, it raises NotImplementedError)")
    except AssertionError as err:
        return _fail(f"{name}: FAILED: {err}")
    except Exception as err:  # noqa: BLE001 (any error of the student's)
        return _fail(f"{name}: FAILED: your code raised "
                     f"{type(err).__name__}: {err}")
    print(f"{name}: passed")
    return True


def _fail(verdict: str) -> bool:
    """Print the verdict and return False, or raise it in strict mode."""
    if _STRICT:
        raise CheckFailed(verdict) from None
    print(verdict)
    return False


def _shape_of(name, value, expected):
    actual = np.shape(value)
    if tuple(actual) != tuple(expected):
        raise CheckFailed(
            f"{name} has shape {tuple(actual)}, expected {tuple(expected)}")


def shape(name: str, get: Callable[[], object], expected) -> bool:
    """Check that ``get()`` has the shape ``expected``."""
    _callable("get", get)
    expected = tuple(int(k) for k in expected)
    return run(name, lambda: _shape_of(name, get(), expected))


def gradient(name: str, get: Callable[[], object], loss: Callable,
             at, scale: float = 1.0, hint: str = "",
             tol: float = 1e-6) -> bool:
    """Check a gradient against centered finite differences.

    get : returns the student's gradient
    loss : the scalar function whose gradient it is, of one array
    at : the float64 array at which to differentiate (it is copied)
    scale : multiply the numerical gradient by this (e.g. m, for the
        code's ``dZ2``, which is m times the gradient of the mean loss)
    """
    _callable("get", get)
    _callable("loss", loss)
    point = np.array(at, dtype=np.float64)
    scale = as_real("scale", scale)

    def test():
        value = np.asarray(get(), dtype=np.float64)
        _shape_of(name, value, point.shape)
        reference = scale * gradcheck.numerical_gradient(loss, point.copy())
        err = gradcheck.relative_error(value, reference)
        if not err <= tol:
            raise CheckFailed(f"relative error {err:.0e} on {name}"
                              + (f": {hint}" if hint else ""))

    return run(name, test)


def value(name: str, get: Callable[[], object], expected, rtol=1e-7,
          atol=0.0, hint: str = "") -> bool:
    """Check that ``get()`` is close to ``expected`` (an independent value
    such as a first-order prediction, never the solution itself)."""
    _callable("get", get)
    expected = np.asarray(expected, dtype=np.float64)

    def test():
        got = np.asarray(get(), dtype=np.float64)
        _shape_of(name, got, expected.shape)
        if not np.allclose(got, expected, rtol=rtol, atol=atol):
            worst = float(np.max(np.abs(got - expected)))
            raise CheckFailed(f"{name} is off by {worst:.2g}"
                              + (f": {hint}" if hint else ""))

    return run(name, test)


def backward(get: Callable[[], Callable], params: Mapping, X, y,
             reg: float = 0.0, hints: Mapping[str, str] | None = None,
             tol: float = 1e-6) -> bool:
    """Check a student's ``backward(params, cache, y)`` with gradcheck.

    Prints one verdict per parameter (W1, b1, W2, b2), with a hint for the
    first one that is wrong.
    """
    _callable("get", get)
    hints = dict(BACKWARD_HINTS, **(hints or {}))
    reg = as_real("reg", reg, nonnegative=True)
    check_params(params)
    X = as_float_matrix("X", X)
    y = as_labels("y", y, m=X.shape[0], n_classes=params["W2"].shape[1])
    report = {}

    def student():
        fn = get()
        if not callable(fn):
            raise CheckFailed(f"backward must be a function, got "
                              f"{type(fn).__name__}")

        def adapted(p, cache, labels, r):
            return fn(p, cache, labels) if r == 0.0 else fn(p, cache,
                                                            labels, r)

        grads = adapted(params, _cache(params, X), y, reg)
        if not isinstance(grads, Mapping):
            raise CheckFailed("backward must return a dict of gradients")
        for key in PARAM_NAMES:
            if key not in grads:
                raise CheckFailed(f"backward's result has no key '{key}'")
            _shape_of(f"d{key}", grads[key], np.shape(params[key]))
        result = gradcheck.check_gradients(params, X, y, reg=reg,
                                           backward=adapted, tol=tol)
        if result.modified:
            raise CheckFailed(result.modified_reason)
        report.update({k: (v, "") for k, v in result.params.items()})
        # In a batch, the kink rows' contributions can cancel (the
        # spiral's three origin rows do at zero biases): check each of
        # the first few rows that sit on a kink on its own as well.
        Z1 = _cache(params, X)["Z1"]
        for i in np.flatnonzero(np.any(Z1 == 0, axis=1))[:3]:
            alone = gradcheck.check_gradients(
                params, X[i:i + 1], y[i:i + 1], reg=reg, backward=adapted,
                tol=tol)
            for key, result in alone.params.items():
                if report[key][0].passed and not result.passed:
                    report[key] = (result, f" on example {i} alone, whose "
                                   "Z1 has an entry exactly at 0")

    if not run("backward", student):
        return False
    ok = True
    for key in PARAM_NAMES:
        def verdict(result=report[key][0], where=report[key][1],
                    hint=hints[key]):
            if not result.passed:
                raise CheckFailed(f"{result.reason}{where}: {hint}")

        ok = run(f"d{key}", verdict) and ok
    return ok


def _cache(params, X):
    from .twolayer import forward
    return forward(params, X)[1]
