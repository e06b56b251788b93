"""The checks fail on wrong answers: a table of the bugs students write.

Each wrong answer is a whole backward pass, written here as a student
would write it (the lecture's lines with one slip), never derived from
``scratchnet.twolayer``. Every one must fail ``checks.backward`` and
``gradcheck.check_gradients`` at the default initialisation (scale 0.01,
zero biases: the spiral's origin rows then sit exactly on the ReLU kink)
and at scale 1; the right answer must pass both.
"""

from __future__ import annotations

import numpy as np
import pytest
from reference import lecture_backward, masked_backward
from scratchnet import checks, data, gradcheck, twolayer
from scratchnet._scan import fingerprint


def student_backward(bug: str = ""):
    """The lecture's backward pass, with the slip named by ``bug``."""

    def backward(params, cache, y, reg=0.0):
        X, Z1, A1, P = cache["X"], cache["Z1"], cache["A1"], cache["P"]
        W2 = params["W2"]
        m = y.shape[0]
        dZ2 = P if bug == "temp = P alias" else P.copy()
        if bug == "= 1 for -= 1":
            dZ2[range(m), y] = 1
        else:
            dZ2[range(m), y] -= 1
        if bug == "missing transpose in dW2":
            dW2 = np.dot(dZ2.T, A1) / m
        elif bug == "missing / m":
            dW2 = np.dot(A1.T, dZ2)
        else:
            dW2 = np.dot(A1.T, dZ2) / m
        if bug == "db2 summed over axis 1":
            db2 = np.sum(dZ2, axis=1, keepdims=True) / m
        else:
            db2 = np.sum(dZ2, axis=0, keepdims=True) / m
        dA1 = dZ2 @ W2.T
        dZ1 = dA1.copy()
        if bug == "mask < for <=":
            dZ1[Z1 < 0] = 0
        elif bug != "unmasked dZ1":
            dZ1[Z1 <= 0] = 0
        if bug == "missing transpose in dW1":
            dW1 = np.dot(X, dZ1) / m
        else:
            dW1 = np.dot(X.T, dZ1) / m
        if bug == "db1 summed over axis 1, kept (1, h)":
            db1 = np.sum(dZ1, axis=1, keepdims=True).T[:, : dZ1.shape[1]]
            db1 = db1 / m
        else:
            db1 = np.sum(dZ1, axis=0, keepdims=True) / m
        grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
        if bug == "db1 = 100 db1 + 1":
            grads["b1"] = 100 * grads["b1"] + 1
        if bug == "dW1 scaled by 1.01":
            grads["W1"] = 1.01 * grads["W1"]
        if bug == "db2 scaled by 1.01":
            grads["b2"] = 1.01 * grads["b2"]
        return grads

    return backward


WRONG = [
    "db1 = 100 db1 + 1",
    "missing transpose in dW2",
    "missing transpose in dW1",
    "missing / m",
    "= 1 for -= 1",
    "temp = P alias",
    "unmasked dZ1",
    "mask < for <=",
    "db2 summed over axis 1",
    "db1 summed over axis 1, kept (1, h)",
    "dW1 scaled by 1.01",
    "db2 scaled by 1.01",
]
#: Wrong answers that do not even run or return the wrong shapes: only
#: checks.backward sees them (check_gradients raises, by design).
CRASH_OR_SHAPE = {"missing transpose in dW2", "missing transpose in dW1",
                  "db2 summed over axis 1"}
SCALES = {"default init (scale 0.01)": None, "scale 1": 1.0}


@pytest.fixture(scope="module")
def spiral():
    return data.make_spiral(seed=0)


def init(scale):
    if scale is None:
        return twolayer.init_params(2, 4, 3, seed=0)
    return twolayer.init_params(2, 4, 3, seed=0, scale=scale)


def test_the_origin_rows_sit_on_the_kink_at_the_default_init(spiral):
    """Why the table needs the default init: 3 rows x h = 4 exact zeros."""
    X, y = spiral
    _, cache = twolayer.forward(init(None), X)
    assert int(np.sum(cache["Z1"] == 0)) == 12


@pytest.mark.parametrize("scale", SCALES.values(), ids=SCALES.keys())
def test_the_right_answer_passes(spiral, scale, capsys):
    X, y = spiral
    params = init(scale)
    assert checks.backward(lambda: student_backward(), params, X, y)
    out = capsys.readouterr().out
    assert out.count("passed") == 5 and "FAILED" not in out, out
    report = gradcheck.check_gradients(params, X, y,
                                       backward=student_backward())
    assert report.passed, report
    assert all(p.n_checked == p.shape[0] * p.shape[1]
               for p in report.params.values())


@pytest.mark.parametrize("scale", SCALES.values(), ids=SCALES.keys())
@pytest.mark.parametrize("bug", WRONG)
def test_every_wrong_answer_fails_its_check(spiral, scale, bug, capsys):
    X, y = spiral
    params = init(scale)
    snapshot = {k: v.copy() for k, v in params.items()}
    assert checks.backward(lambda: student_backward(bug), params, X, y) \
        is False
    out = capsys.readouterr().out
    assert "FAILED" in out and "Traceback" not in out, out
    for k in params:                     # the check leaves params alone
        np.testing.assert_array_equal(params[k], snapshot[k])
    if bug not in CRASH_OR_SHAPE:
        # With `<`, only the kink rows change, and at zero biases the
        # three origin rows' contributions cancel in the batch: the batch
        # gradient is right. On one origin row alone it is not.
        rows = slice(0, 1) if bug == "mask < for <=" else slice(None)
        report = gradcheck.check_gradients(params, X[rows], y[rows],
                                           backward=student_backward(bug))
        assert not report.passed, report
        assert "FAILED" in str(report)


def test_the_issue_snippet_fails_db1(spiral, capsys):
    X, y = spiral
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)

    def bad(params, cache, y, reg=0.0):
        g = twolayer.backward(params, cache, y, reg)
        g["b1"] = 100 * g["b1"] + 1
        return g

    assert checks.backward(lambda: bad, params, X, y) is False
    out = capsys.readouterr().out
    assert "db1: FAILED" in out and "dW2: passed" in out, out


def test_a_kink_entry_is_checked_one_sided(spiral):
    """With zero biases every entry of b1 is a kink entry; each is still
    compared, with the one-sided difference from the left."""
    X, y = spiral
    for rows in (slice(None), slice(0, 1)):      # the batch, an origin row
        report = gradcheck.check_gradients(init(1.0), X[rows], y[rows])
        b1 = report["b1"]
        assert (b1.n_checked, b1.n_kink, b1.n_frozen) == (4, 4, 0)
        assert b1.max_rel_error < 1e-8
    # On the origin row alone the analytic db1 is 0 and the centered
    # difference averages both sides, half the slope: clearly off.
    assert b1.kink_rel_error > 0.1


def test_no_verdict_passes_on_nothing():
    # The old bug's numbers: 0 entries compared, an error of 0.0.
    p = gradcheck.ParamCheck("b1", (1, 4), 0.0, 0, 0, float("nan"), 1e-6,
                             max_abs_error=0.0)
    assert not p.passed and "no entry" in p.reason
    report = gradcheck.GradCheckReport(params={"b1": p})
    assert not report.passed
    assert not gradcheck.GradCheckReport().passed


def off_by(factor):
    def backward(params, cache, y, reg=0.0):
        grads = twolayer.backward(params, cache, y, reg)
        grads["W2"] = grads["W2"] * factor
        return grads
    return backward


def test_tolerance_is_the_verdict(spiral):
    """A dW2 off by a relative 1e-4 passes at tol 1e-3 and fails at the
    default 1e-6; the correct one passes even at 1e-14, because an error
    at rounding level is allowed absolutely."""
    X, y = spiral
    params = init(1.0)
    report = gradcheck.check_gradients(params, X, y, tol=1e-6)
    assert report.passed and "tolerance 1e-06" in str(report)
    assert "for rounding" in str(report)
    loose = gradcheck.check_gradients(params, X, y, tol=1e-3,
                                      backward=off_by(1 + 2e-4))
    assert loose.passed
    strict = gradcheck.check_gradients(params, X, y,
                                       backward=off_by(1 + 2e-4))
    assert not strict.passed and not strict["W2"].passed
    assert strict["W1"].passed
    assert gradcheck.check_gradients(params, X, y, tol=1e-14).passed


def unbalanced():
    """The issue's point: an unbalanced subset of the spiral, W2 = 0 and
    b2 the log of the class proportions, so the true db2 is 0."""
    X, y = data.make_spiral(100, 3, seed=0)
    rows = np.r_[0:100, 100:160, 200:240]
    X, y = X[rows], y[rows]
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)
    params["b1"][...] = 0.3
    params["W2"][...] = 0.0
    params["b2"][...] = np.log(np.bincount(y) / len(y))
    return params, X, y


def test_a_correct_gradient_of_zero_passes(spiral):
    params, X, y = unbalanced()
    true = twolayer.backward(params, twolayer.forward(params, X)[1], y)
    assert np.max(np.abs(true["b2"])) < 1e-15
    report = gradcheck.check_gradients(params, X, y)
    assert report.passed, report
    # Shifted so that max |db2| = 3.5e-6: at rounding level, still right.
    params["b2"] += np.array([[3.5e-6 * 3.0, 0.0, 0.0]])
    true = twolayer.backward(params, twolayer.forward(params, X)[1], y)
    assert 1e-6 < np.max(np.abs(true["b2"])) < 1e-5
    assert gradcheck.check_gradients(params, X, y).passed
    # A wrong db2 of the same tiny size still fails.
    def tiny_bug(params, cache, y, reg=0.0):
        grads = twolayer.backward(params, cache, y, reg)
        grads["b2"] = grads["b2"] + 1e-4
        return grads
    assert not gradcheck.check_gradients(params, X, y,
                                         backward=tiny_bug).passed


def test_a_unit_on_its_kink_for_every_row_is_checked(capsys):
    """W1[:, j] = b1[j] = 0 puts every row on unit j's kink, from both
    sides: those entries are compared with the pattern held, and the
    correct backward passes, the wrong-mask one does not."""
    X, y = data.make_spiral(100, 3, seed=0)
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)
    params["b1"] += 0.1
    params["W1"][:, 2] = 0.0
    params["b1"][:, 2] = 0.0
    report = gradcheck.check_gradients(params, X, y)
    assert report.passed, report
    assert report["W1"].n_frozen == 2 and report["b1"].n_kink == 1
    assert checks.backward(lambda: twolayer.backward, params, X, y)
    out = capsys.readouterr().out
    assert out.count("passed") == 5, out

    def unmasked(params, cache, y, reg=0.0):
        m = y.shape[0]
        dZ2 = cache["P"].copy()
        dZ2[np.arange(m), y] -= 1
        dZ1 = dZ2 @ params["W2"].T              # no mask at all
        grads = twolayer.backward(params, cache, y, reg)
        grads["W1"] = cache["X"].T @ dZ1 / m
        grads["b1"] = dZ1.sum(axis=0, keepdims=True) / m
        return grads

    assert not gradcheck.check_gradients(params, X, y,
                                         backward=unmasked).passed


@pytest.mark.parametrize("error, fragment", [
    (lambda: np.ones((3, 2)) @ np.ones((3, 4)), "ValueError: matmul"),
    (lambda: None + 1, "TypeError"),
    (lambda: [1, 2][5], "IndexError"),
    (lambda: {}["W1"], "KeyError"),
    (lambda: 1 / 0, "ZeroDivisionError"),
])
def test_any_student_error_is_a_failing_verdict(error, fragment, capsys):
    assert checks.run("dW1", error) is False
    out = capsys.readouterr().out
    assert out.startswith("dW1: FAILED: your code raised"), out
    assert fragment in out, out


def test_a_shape_error_inside_backward_is_a_verdict(spiral, capsys):
    X, y = spiral

    def backward(params, cache, y):
        return {"W1": cache["X"] @ cache["Z1"]}       # (m,d)(m,h)

    assert checks.backward(lambda: backward, init(1.0), X, y) is False
    out = capsys.readouterr().out
    assert "backward: FAILED: your code raised ValueError" in out, out


def test_gradient_and_value_checks_quote_student_errors(capsys):
    at = np.array([[0.5, -1.0]])
    assert checks.gradient("g", lambda: np.ones(3) @ np.ones(4),
                           lambda v: float(np.sum(v ** 2)), at) is False
    assert checks.value("v", lambda: [][0], [1.0]) is False
    out = capsys.readouterr().out
    assert "g: FAILED: your code raised ValueError" in out
    assert "v: FAILED: your code raised IndexError" in out


def test_a_graded_cell_gives_one_point_per_verdict_name(spiral, capsys):
    X, y = spiral
    with checks.grading(5) as grade:
        checks.backward(lambda: student_backward("missing / m"),
                        init(1.0), X, y)
    out = capsys.readouterr().out
    # dW2 misses its / m: 4 of the 5 verdicts pass, and every verdict
    # printed before the score.
    assert grade.score == 4.0, out
    assert out.index("dW2: FAILED") < out.index("db2: passed") < \
        out.index("score: 4 of 5")
    assert out.count(": passed") == 4


def test_a_graded_cell_with_no_point_raises_every_verdict(capsys):
    with pytest.raises(checks.CheckFailed) as info:
        with checks.grading(2):
            checks.run("a", lambda: 1 / 0)
            checks.run("b", lambda: (_ for _ in ()).throw(
                NotImplementedError("copy P")))
    message = str(info.value)
    assert "a: FAILED: your code raised ZeroDivisionError" in message
    assert "b: not implemented yet" in message


def test_a_hidden_test_takes_the_point_of_its_name(capsys):
    with checks.grading(2) as grade:
        checks.run("dW1", lambda: None)
        checks.run("db1", lambda: None)
        grade.hidden("dW1", lambda: (_ for _ in ()).throw(
            AssertionError("off by 1e-08")))
    assert grade.score == 1.0
    assert "dW1 (hidden test): FAILED: off by 1e-08" in \
        capsys.readouterr().out


def test_a_graded_cell_never_scores_above_its_points(capsys):
    with checks.grading(1) as grade:
        for name in "abc":
            checks.run(name, lambda: None)
    assert grade.score == 1.0


def test_stderr_and_warnings_of_a_passing_check_go_to_stdout(capsys):
    import sys
    import warnings

    def noisy():
        print("debug", file=sys.stderr)
        warnings.warn("careful", RuntimeWarning, stacklevel=1)

    with checks.grading(1) as grade:
        checks.run("x", noisy)
    captured = capsys.readouterr()
    assert grade.score == 1.0 and captured.err == ""
    assert "debug" in captured.out and "RuntimeWarning: careful" in \
        captured.out


def test_a_gradient_check_fails_a_wrong_gradient_and_passes_a_right_one(
        capsys):
    at = np.array([[0.5, -1.0, 2.0]])

    def loss(v):
        return float(np.sum(v ** 3))

    assert checks.gradient("g", lambda: 3 * at ** 2, loss, at) is True
    assert checks.gradient("g", lambda: 3 * at ** 2 * 1.001, loss,
                           at) is False
    assert checks.gradient("g", lambda: np.zeros((1, 3)), loss, at) is False
    out = capsys.readouterr().out
    assert out.count("g: passed") == 1 and out.count("relative error") == 2


def test_a_passing_hidden_test_does_not_rescue_a_failed_verdict(capsys):
    with checks.grading(2) as grade:
        checks.run("dW1", lambda: 1 / 0)
        checks.run("db1", lambda: None)
        grade.hidden("dW1", lambda: None)
    assert grade.score == 1.0


def test_a_graded_cell_refuses_a_monkeypatch_in_an_earlier_cell(
        monkeypatch, capsys):
    """As in a kernel: the cells so far, the current one last."""
    inputs = ["from scratchnet import checks",
              "checks.raise_on_failure = lambda *a, **k: None",
              "with checks.grading(1) as grade: ..."]
    monkeypatch.setattr(checks, "_inputs",
                        lambda: (inputs, {"checks": checks}))
    with pytest.raises(checks.CheckFailed, match="changes a library"):
        with checks.grading(1) as grade:
            checks.run("L", lambda: None)
    assert grade.score == 0.0
    out = capsys.readouterr().out
    assert "L: passed" in out and "0 points: a cell changes a library" in out


# checks.backward (bug: the per-parameter verdict never fails)
def test_checks_backward_fails_a_wrong_parameter_gradient(spiral, capsys):
    X, y = spiral
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)

    def wrong(params, cache, y):
        grads = lecture_backward(params, cache, y)
        grads["W2"] = 2.0 * grads["W2"]           # right shape, wrong value
        return grads

    assert checks.backward(lambda: lecture_backward, params, X, y) is True
    out = capsys.readouterr().out
    assert "dW2: passed" in out and "FAILED" not in out, out
    assert checks.backward(lambda: wrong, params, X, y) is False
    out = capsys.readouterr().out
    assert "dW2: FAILED" in out, out
    for key in ("W1", "b1", "b2"):
        assert f"d{key}: passed" in out, out


# C1 checks.py: gradient() multiplies the reference by scale
def test_checks_gradient_uses_scale(capsys):
    at = np.array([[1.0, -2.0, 3.0]])
    assert checks.gradient("dZ", lambda: 3 * at,
                           lambda z: 0.5 * float(np.sum(z * z)), at,
                           scale=3.0)


# C2 checks.py: value()'s default tolerance is tight
def test_checks_value_default_rtol_is_tight(capsys):
    assert checks.value("v", lambda: 1.0001, 1.0) is False


# C3 checks.py: the kink rows are found by row, wherever they are
def test_checks_backward_finds_kink_rows_at_the_end(capsys):
    X, y = data.make_spiral(seed=0)
    X, y = X[::-1].copy(), y[::-1].copy()     # origin rows now 99, 199, 299
    params = twolayer.init_params(2, 4, 3, seed=0)
    assert checks.backward(lambda: masked_backward(True), params, X, y)
    assert checks.backward(lambda: masked_backward(False), params, X, y) \
        is False


# C6 checks.py: the task starts *after* the anchor cell
def test_grading_does_not_hold_the_anchor_cell_against_the_task(
        monkeypatch, capsys):
    inputs = ["f = twolayer.backward", "z = 1", "checks.grading(1)"]
    monkeypatch.setattr(checks, "_inputs",
                        lambda: (inputs, {"twolayer": twolayer}))
    with checks.grading(1, forbid=["twolayer.backward"],
                        after=fingerprint(inputs[0])) as grade:
        checks.run("t", lambda: None)
    assert grade.refused == [] and grade.score == 1.0


# C7 checks.py: the current cell is not a "previous graded check"
def test_grading_refuses_the_package_answer_in_the_task(monkeypatch,
                                                        capsys):
    inputs = ["z = 1", "f = twolayer.backward", "checks.grading(1)"]
    monkeypatch.setattr(checks, "_inputs",
                        lambda: (inputs, {"twolayer": twolayer}))
    with pytest.raises(checks.CheckFailed, match="twolayer.backward"):
        with checks.grading(1, forbid=["twolayer.backward"]):
            checks.run("t", lambda: None)


# C8 checks.py: a refused cell scores 0 even when its checks pass
def test_a_monkeypatch_makes_the_graded_cell_score_zero(monkeypatch,
                                                        capsys):
    inputs = ["checks.run = print", "checks.grading(1)"]
    monkeypatch.setattr(checks, "_inputs",
                        lambda: (inputs, {"checks": checks}))
    with pytest.raises(checks.CheckFailed, match="changes a library"):
        with checks.grading(1) as grade:
            checks.run("t", lambda: None)
    assert grade.score == 0.0
