"""Tests that kill the one-line bugs a mutation audit found the fast subset
missed (109 tried on 13de477, 33 survived): each names its mutant."""

from __future__ import annotations

import numpy as np
import pytest
from scratchnet import _scan, checks, data, gradcheck, nn, twolayer
from scratchnet._scan import fingerprint
from scratchnet.functional import cross_entropy


def _masked_backward(strict: bool):
    """The lecture's backward; strict=False uses the wrong mask Z1 < 0."""
    def backward(params, cache, y, reg=0.0):
        X, Z1, A1, P = cache["X"], cache["Z1"], cache["A1"], cache["P"]
        m = y.shape[0]
        dZ2 = P.copy()
        dZ2[np.arange(m), y] -= 1
        dA1 = dZ2 @ params["W2"].T
        dZ1 = dA1.copy()
        dZ1[(Z1 <= 0) if strict else (Z1 < 0)] = 0
        return {"W1": X.T @ dZ1 / m, "b1": dZ1.sum(0, keepdims=True) / m,
                "W2": A1.T @ dZ2 / m, "b2": dZ2.sum(0, keepdims=True) / m}
    return backward


# F5 functional.py: the "probabilities in [0, 1]" check
def test_cross_entropy_of_positive_logits_says_pass_softmax():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        cross_entropy(np.array([[3.0, 0.5]]), np.array([0]))


# G4 gradcheck.py: relative_error's floor
def test_relative_error_floor_bounds_the_denominator():
    assert gradcheck.relative_error([1e-12], [0.0], floor=1e-6) == \
        pytest.approx(1e-6)


# G8 gradcheck.py: check_gradients works on a copy of params
def test_check_gradients_accepts_read_only_params():
    X, y = data.make_spiral(n_per_class=5, seed=0)
    params = twolayer.init_params(2, 3, 3, seed=0, scale=1.0)
    for v in params.values():
        v.flags.writeable = False
    assert gradcheck.check_gradients(params, X, y).passed


# G9 gradcheck.py: a gradient of the wrong shape is refused
def test_check_gradients_refuses_a_flattened_db1():
    X, y = data.make_spiral(n_per_class=5, seed=0)
    params = twolayer.init_params(2, 3, 3, seed=0, scale=1.0)

    def flat_b1(p, cache, labels, reg=0.0):
        g = twolayer.backward(p, cache, labels, reg)
        g["b1"] = g["b1"].ravel()
        return g
    with pytest.raises(ValueError, match="db1 has shape"):
        gradcheck.check_gradients(params, X, y, backward=flat_b1)


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
    assert checks.backward(lambda: _masked_backward(True), params, X, y)
    assert checks.backward(lambda: _masked_backward(False), params, X, y) \
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


# K5 _checks.py: a bool is not an integer size
def test_a_bool_size_is_refused():
    with pytest.raises(TypeError, match="h must be an integer, got bool"):
        twolayer.init_params(2, True, 3)


# D5 data.py: a given std of 0 is refused, not divided by
def test_standardize_refuses_a_given_zero_std():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="std must be > 0"):
        data.standardize(X, mean=np.zeros((1, 2)),
                         std=np.array([[1.0, 0.0]]))


# D9 data.py: a spiral needs two classes
def test_a_spiral_of_one_class_is_refused():
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        data.make_spiral(n_classes=1)


# L5 linear.py: at least two classes, as twolayer.train has
def test_train_linear_has_two_outputs_for_one_label():
    from scratchnet.linear import train_linear
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    params, _ = train_linear(X, np.zeros(3, dtype=np.int64), epochs=1)
    assert params["W"].shape == (2, 2) and params["b"].shape == (1, 2)


# N5 nn.py: the row max covers every column, so huge logits stay finite
def test_softmax_cross_entropy_is_stable_for_a_huge_last_logit():
    from scratchnet.nn import SoftmaxCrossEntropy
    loss = SoftmaxCrossEntropy().forward(np.array([[0.0, 0.0, 1000.0]]),
                                         np.array([2]))
    assert loss == pytest.approx(0.0, abs=1e-12)


# N8 nn.py: forward returns a result the next forward does not overwrite
def test_sequential_forward_results_are_independent():
    from scratchnet.nn import Dense, Sequential
    model = Sequential(Dense(2, 3))
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    first = model.forward(X)
    before = first.copy()
    model.forward(2 * X)
    np.testing.assert_array_equal(first, before)


# O7 optim.py: a subset of a model's parameters updates only that subset
def test_an_optimizer_of_some_parameters_leaves_the_others_alone():
    from scratchnet.nn import Dense, ReLU, Sequential
    from scratchnet.optim import SGD
    model = Sequential(Dense(2, 3), ReLU(), Dense(3, 2))
    params = model.parameters()
    del params[:2]                        # freeze the first layer
    first = model.layers[0].params["W"].copy()
    model.flat_grads[...] = 1.0
    SGD(params, lr=0.1).step()
    np.testing.assert_array_equal(model.layers[0].params["W"], first)


# TR6 training.py: load refuses weights that are not float64
def test_load_refuses_float32_weights(tmp_path):
    from scratchnet.nn import Dense, Sequential
    from scratchnet.training import load, save
    path = save(Sequential(Dense(2, 3)), tmp_path / "m.npz")
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["layer0.W"] = arrays["layer0.W"].astype(np.float32)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="must be float64"):
        load(path)


# TR7 training.py: fit steps the schedule after every epoch
def test_fit_steps_the_schedule():
    from scratchnet.nn import Dense, Sequential
    from scratchnet.optim import SGD, StepLR
    from scratchnet.training import fit
    X, y = data.make_spiral(n_per_class=5, seed=0)
    model = Sequential(Dense(2, 3))
    opt = SGD(model.parameters(), lr=0.1)
    history = fit(model, X, y, epochs=3, batch_size=15, optimizer=opt,
                  schedule=StepLR(opt, step_size=1, gamma=0.5),
                  progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])


# TR8 training.py: the validation accuracy is predict's
def test_validation_accuracy_is_the_fraction_predict_gets_right():
    from scratchnet.nn import Dense, Sequential
    from scratchnet.optim import SGD
    from scratchnet.training import fit
    X, y = data.make_spiral(n_per_class=5, seed=0)
    Xv, yv = data.make_spiral(n_per_class=7, seed=1)
    for make in (lambda: Sequential(Dense(2, 3, seed=1)),
                 lambda: Sequential(Dense(2, 3, seed=1), nn.Tanh())):
        model = make()
        hist = fit(model, X, y, 1, 15, SGD(model.parameters(), lr=1e-9),
                   validation=(Xv, yv), progress=False)
        assert hist["val_accuracy"][0] == pytest.approx(
            np.mean(model.predict(Xv) == yv))


# S2 _scan.py: an augmented assignment to a library is a change too
def test_an_augmented_assignment_to_a_library_is_found():
    found = _scan.runtime_findings(["checks.BACKWARD_HINTS |= {}", "cur"],
                                   {"checks": checks}, 0, ())
    assert len(found) == 1 and "changes a library" in found[0]


# S6 _scan.py: `from m import f as g` binds g
def test_the_tamper_reader_follows_an_import_alias():
    import ast
    bindings = _scan.Bindings()
    tree = ast.parse("from scratchnet.twolayer import backward as bw\n"
                     "g = bw(p, c, y)")
    bindings.learn(tree)
    found = _scan.static_findings(tree, bindings,
                                  {"scratchnet.twolayer.backward"})
    assert any("own implementation" in f for f in found), found


# S7 _scan.py: `sys.modules[...] = ...` is flagged even with no import seen
def test_the_tamper_reader_flags_sys_modules_without_its_import():
    import ast
    found = _scan.static_findings(
        ast.parse("sys.modules['scratchnet.checks'] = None"),
        _scan.Bindings(), set())
    assert any("changes a library" in f for f in found), found


def _nb(*cells):
    import nbformat
    nb = nbformat.v4.new_notebook()
    for gid, source in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade_id": gid, "locked": True,
                                     "grade": False, "solution": False}
        nb.cells.append(cell)
    return nb


# TA1 tamper.py: a locked cell with only a trailing newline is not "edited"
def test_tamper_ignores_trailing_blank_space_in_a_locked_cell():
    from scratchnet import tamper
    release = _nb(("setup", "import numpy as np"))
    submitted = _nb(("setup", "import numpy as np\n"))
    assert tamper.check_submission("s", submitted, release, set()) == []


def _cell(source, gid=None, locked=True, **meta):
    import nbformat
    cell = nbformat.v4.new_code_cell(source, metadata=meta)
    if gid is not None:
        cell.metadata["nbgrader"] = {"grade_id": gid, "locked": locked,
                                     "grade": False, "solution": not locked}
    return cell


def _notebook(*cells):
    import nbformat
    return nbformat.v4.new_notebook(cells=list(cells))


RELEASE = ("from scratchnet import checks", "x = 0")


def _release():
    return _notebook(_cell(RELEASE[0], "setup"),
                     _cell(RELEASE[1], "sol", locked=False))


# TA2 tamper.py: a student's solution cell is read, not looked up as locked
def test_tamper_reads_a_solution_cell():
    from scratchnet import tamper
    honest = _notebook(_cell(RELEASE[0], "setup"), _cell("x = 1", "sol",
                                                         locked=False))
    assert tamper.check_submission("s", honest, _release(), set()) == []
    cheat = _notebook(_cell(RELEASE[0], "setup"),
                      _cell("checks.run = print", "sol", locked=False))
    found = tamper.check_submission("s", cheat, _release(), set())
    assert ["changes a library" in f.what for f in found] == [True]


# TA5, TA6 tamper.py: a deleted locked cell and a forged grade_id
def test_tamper_flags_a_deleted_locked_cell_and_a_forged_grade_id():
    from scratchnet import tamper
    submitted = _notebook(_cell("x = 1", "sol", locked=False),
                          _cell("y = 2", "forged", locked=False))
    found = [f.what for f in tamper.check_submission("s", submitted,
                                                     _release(), set())]
    assert found == ["a cell with an unknown grade_id 'forged'",
                     "the locked cell setup was deleted"]


# TA3, TA4 tamper.py: the exit status and the count of flagged students
def test_tamper_main_exits_1_and_counts_flagged_students(tmp_path, capsys):
    import nbformat
    from scratchnet import tamper
    (tmp_path / "release" / "a1").mkdir(parents=True)
    nbformat.write(_release(), tmp_path / "release" / "a1" / "a1.ipynb")
    folder = tmp_path / "submitted" / "alice" / "a1"
    folder.mkdir(parents=True)
    nbformat.write(_notebook(_cell("import os"), _cell("x = 1", "sol",
                                                       locked=False)),
                   folder / "a1.ipynb")        # 2 findings: added, deleted
    assert tamper.main(["a1", "--course", str(tmp_path)]) == 1
    assert "1 submissions, 1 flagged" in capsys.readouterr().out


def _chapter(*cells):
    from pathlib import Path

    from scratchnet import assign
    nb = _notebook(*cells)
    regions = [r for i, c in enumerate(nb.cells)
               for r in assign.find_regions(i, c)]
    return assign.Chapter(Path("x.md"), nb, regions)


SOLVED = "### BEGIN SOLUTION\ny = 1\n### END SOLUTION"


# A2 assign.py: outputs are cleared from the *first* stub on
def test_student_notebook_clears_outputs_between_two_stubs():
    import nbformat
    from scratchnet import assign
    out = [nbformat.v4.new_output("stream", text="seen")]
    chapter = _chapter(_cell(SOLVED), _cell("print(y)"), _cell(SOLVED))
    chapter.nb.cells[1].outputs = out
    student = assign.student_notebook(chapter, assign.key_notebook(chapter))
    assert student.cells[1].outputs == []


# A3 assign.py: a check worth 0 points is refused
def test_a_check_cell_worth_zero_points_is_an_error():
    from scratchnet import assign
    chapter = _chapter(_cell(SOLVED), _cell("print(y)", tags=["check"],
                                            points=0))
    with pytest.raises(ValueError, match="points option"):
        assign.check_points(chapter)


# A4 assign.py: a task's anchor is the locked cell before its solution
def test_task_window_anchor_is_the_cell_before_the_solution():
    from scratchnet import assign
    chapter = _chapter(_cell("x = 0"), _cell(SOLVED), _cell("z = y"),
                       _cell("print(z)", tags=["check"], points=1))
    assert assign.task_windows(chapter) == {3: (0, [1, 2])}


# A5 assign.py: the hidden test never reaches the student notebook
def test_the_student_notebook_has_no_hidden_tests():
    from scratchnet import assign
    chapter = _chapter(_cell(SOLVED), _cell(
        "print(y)", tags=["check"], points=1, hidden="assert y == 1",
        forbid=["twolayer.backward"]))
    student = assign.student_notebook(chapter, chapter.nb)
    assert all("hidden" not in c.metadata and "forbid" not in c.metadata
               for c in student.cells)
