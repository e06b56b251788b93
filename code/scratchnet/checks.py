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

import contextlib
import sys
import warnings
from collections.abc import Callable, Mapping

import numpy as np

from . import _scan, gradcheck
from ._checks import (
    PARAM_NAMES,
    as_float_matrix,
    as_int,
    as_labels,
    as_real,
    check_params,
)

__all__ = ["CheckFailed", "Grade", "run", "shape", "gradient", "value",
           "backward", "grading"]

#: The verdicts of the graded check cell that is running, or None.
_RECORD: list | None = None

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


def run(name: str, test: Callable[[], object], *,
        counts_as: str | None = None) -> bool:
    """Run ``test()`` and print the verdict for ``name``.

    ``test`` raises CheckFailed or AssertionError with a message when the
    answer is wrong; NotImplementedError and NameError mean the student has
    not written (or run) the code yet; any other exception is an error in
    the student's code, quoted in the verdict. Returns True if the check
    passed. Inside :func:`grading`, the verdict counts towards the point
    of ``counts_as`` (default: ``name``).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(
            f"name must be a non-empty str, got {type(name).__name__}")
    _callable("test", test)
    try:
        test()
    except NotImplementedError as err:
        hint = f" ({err})" if str(err) else ""
        verdict = (f"{name}: not implemented yet: fill in the cell above, "
                   f"which raises NotImplementedError{hint}")
    except NameError as err:
        verdict = (f"{name}: {err}: run the cell above first (until you "
                   "fill it in, it raises NotImplementedError)")
    except AssertionError as err:
        verdict = f"{name}: FAILED: {err}"
    except Exception as err:  # noqa: BLE001 (any error of the student's)
        verdict = (f"{name}: FAILED: your code raised "
                   f"{type(err).__name__}: {err}")
    else:
        verdict = f"{name}: passed"
    passed = verdict == f"{name}: passed"
    print(verdict)
    if _RECORD is not None:
        _RECORD.append((counts_as or name, passed, verdict))
    return passed


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


def _unchanged(inputs: Mapping) -> None:
    """Raise if an input the student's cell read was changed by it."""
    for key, (get, expected) in inputs.items():
        now = np.asarray(get(), dtype=np.float64)
        if now.shape != np.shape(expected) or not np.array_equal(
                now, expected):
            raise CheckFailed(
                f"{key} was changed by your cell: work on a copy "
                f"({key}.copy()), not on {key} itself (an assignment "
                "such as `d = " + key + "` gives the same array a second "
                "name)")


def gradient(name: str, get: Callable[[], object], loss: Callable,
             at, scale: float = 1.0, hint: str = "",
             tol: float = 1e-6, unchanged: Mapping | None = None) -> bool:
    """Check a gradient against centered finite differences.

    get : returns the student's gradient
    loss : the scalar function whose gradient it is, of one array
    at : the float64 array at which to differentiate (it is copied)
    scale : multiply the numerical gradient by this (e.g. m, for the
        code's ``dZ2``, which is m times the gradient of the mean loss)
    unchanged : ``{"P": (lambda: P, P_before)}``: inputs that the
        student's code must leave as they were, checked first
    """
    _callable("get", get)
    _callable("loss", loss)
    point = np.array(at, dtype=np.float64)
    scale = as_real("scale", scale)
    unchanged = {k: (g, np.array(v, dtype=np.float64))
                 for k, (g, v) in (unchanged or {}).items()}
    for key, (g, _) in unchanged.items():
        _callable(f"unchanged[{key!r}][0]", g)

    def test():
        _unchanged(unchanged)
        value = np.asarray(get(), dtype=np.float64)
        _shape_of(name, value, point.shape)
        reference = scale * gradcheck.numerical_gradient(loss, point.copy())
        err = gradcheck.relative_error(value, reference)
        # The rounding error of a difference quotient, allowed absolutely
        # (as check_gradients does): a gradient of 0 is judged by it.
        f0 = abs(float(loss(point.copy())))
        allowance = abs(scale) * 100 * np.finfo(float).eps * max(
            f0, 1.0) / 1e-5
        diff = float(np.max(np.abs(value - reference)))
        bound = tol * float(np.max(np.abs(value))
                            + np.max(np.abs(reference))) + allowance
        if not diff <= bound:
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


# --- graded check cells (nbgrader) ------------------------------------------


class Grade:
    """The points of one graded check cell: one per verdict name, earned
    when every verdict of that name passed (a hidden test counts towards
    the name it checks)."""

    def __init__(self, points: int) -> None:
        self.points = points
        self.verdicts: list[tuple[str, bool, str]] = []
        self.refused: list[str] = []

    def hidden(self, name: str, test: Callable[[], object]) -> bool:
        """A hidden test of the point ``name`` (an instructor's check that
        students don't see)."""
        return run(f"{name} (hidden test)", test, counts_as=name)

    @property
    def score(self) -> float:
        if self.refused:
            return 0.0
        names: dict[str, bool] = {}
        for name, passed, _ in self.verdicts:
            names[name] = names.get(name, True) and passed
        return float(min(self.points, sum(names.values())))


def _inputs():
    """The sources executed so far in this IPython kernel, or None."""
    shell = sys.modules.get("IPython")
    shell = shell and shell.get_ipython()
    if shell is None:
        return None, {}
    return list(shell.history_manager.input_hist_parsed), shell.user_ns


GRADING_CALL = "checks.grading("


@contextlib.contextmanager
def grading(points: int, forbid=(), after: str | None = None):
    """Grade one check cell for nbgrader, one point per verdict.

    Inside the ``with`` block, every verdict prints as it comes and is
    counted. At the end the cell prints its score; it raises CheckFailed
    (0 points) with every verdict when none passed, and otherwise the
    cell's last line, ``grade.score``, gives nbgrader the points as a
    partial grade. The student's output to stderr and warnings print to
    stdout, so that they don't cost a passing check its points.

    Before the checks, it reads the cells executed so far (in IPython):
    any cell that assigns to an attribute of a module (a monkeypatch),
    and any cell of this task that uses one of ``forbid`` (dotted names
    in scratchnet, the package's own answer to this task), make the cell
    score 0 with a verdict that says why. The task's cells are those
    after the last cell whose fingerprint is ``after`` (a locked cell),
    or after the previous graded check.
    """
    global _RECORD
    points = as_int("points", points)
    if isinstance(forbid, str):
        raise TypeError("forbid must be a sequence of names, got a str")
    forbid = tuple(forbid)
    grade = Grade(points)
    inputs, namespace = _inputs()
    if inputs is not None:
        starts = [k for k, text in enumerate(inputs[:-1])
                  if GRADING_CALL in text
                  or _scan.fingerprint(text) == after]
        window = starts[-1] + 1 if starts else 0
        grade.refused = _scan.runtime_findings(inputs, namespace, window,
                                               forbid)
    out = sys.stdout

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{category.__name__}: {message}", file=out)

    _RECORD = grade.verdicts
    try:
        with contextlib.redirect_stderr(out), \
                warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = show
            yield grade
    finally:
        _RECORD = None
    for reason in grade.refused:
        print(f"0 points: {reason}")
    score = grade.score
    print(f"score: {score:g} of {points}")
    if score == 0:
        lines = [v for _, _, v in grade.verdicts] + [
            f"0 points: {r}" for r in grade.refused]
        raise CheckFailed("\n".join(lines) or "no check ran")
