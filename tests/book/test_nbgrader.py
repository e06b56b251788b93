"""The instructor's route with the real nbgrader, on every assignment.

The course folder is made as ``make course`` makes it (the book built
from scratch, ``scripts/assignments.py``, then ``scripts/course.py``).
For each of the five assignments, students hand in: a blank notebook,
the correct answers, three typical wrong answers, and three cheats (a
monkeypatch of the checker in a solution cell, the same in an added
cell, and the package's own implementation of the tasks). ``nbgrader
autograde``, the tamper report, ``nbgrader generate_feedback`` and
``nbgrader export`` then run as the instructors' page says.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from scratchnet import assign

pytestmark = [pytest.mark.slow, pytest.mark.book,
              pytest.mark.xdist_group("nbgrader")]

NBGRADER = Path(sys.executable).parent / "nbgrader"
NAMES = ["autograd", "backprop-hidden", "backprop-output", "forward", "loss",
         "training"]

#: Typical wrong answers: label -> (assignment, solution text, wrong text,
#: the points it must lose: those of the verdicts of its own task).
WRONG = {
    "probs summed over the columns": (
        "forward", "np.sum(Z2_exp, axis=1, keepdims=True)",
        "np.sum(Z2_exp, axis=0, keepdims=True)", 1),
    "softmax without the shift": (
        "forward", "shifted = Z - np.max(Z, axis=1, keepdims=True)",
        "shifted = Z", 1),
    "softmax shifted by the global maximum": (
        "forward", "shifted = Z - np.max(Z, axis=1, keepdims=True)",
        "shifted = Z - np.max(Z)", 1),
    "a sum for the mean": ("loss", "L = np.mean(correct_logprobs)",
                           "L = np.sum(correct_logprobs)", 1),
    "no minus sign": ("loss", "correct_logprobs = -np.log(",
                      "correct_logprobs = np.log(", 1),
    "every probability, not the true class's": (
        "loss", "-np.log(P[range(m), y])", "-np.log(P)", 1),
    "= 1 for -= 1": ("backprop-output",
                     "dZ2[range(m), y] -= 1             #",
                     "dZ2[range(m), y] = 1              #", 1),
    "bias summed over the wrong axis": (
        "backprop-output",
        "db2 = np.sum(dZ2, axis=0, keepdims=True) / m      # (1, 3)",
        "db2 = np.sum(dZ2, axis=1, keepdims=True).T[:, :3] / m  # (1, 3)",
        1),
    "missing transpose": ("backprop-output", "dW2 = A1.T @ dZ2 / m",
                          "dW2 = dZ2.T @ A1 / m", 1),
    "dA1 without the transpose": (
        "backprop-hidden", "dA1 = dZ2 @ W2.T                          #",
        "dA1 = dZ2 @ W2                            #", 1),
    "unmasked dZ1": ("backprop-hidden", "dZ1[Z1 <= 0] = 0                  #",
                     "pass                              #", 1),
    "missing / m": ("backprop-hidden", "dW1 = np.dot(X.T, dZ1) / m",
                    "dW1 = np.dot(X.T, dZ1)", 1),
    "tanh's rule without the square": (
        "autograd", "return ((1 - t ** 2) * G,)", "return ((1 - t) * G,)", 1),
    "the sigmoid's rule ignoring G": (
        "autograd", "return (s * (1 - s) * G,)", "return (s * (1 - s),)", 1),
    "tanh's rule with the forward value": (
        "autograd", "return ((1 - t ** 2) * G,)", "return (t * G,)", 1),
    "update with the wrong sign": ("training",
                                   "params[key] -= lr * grads[key]",
                                   "params[key] += lr * grads[key]", 1),
    "no learning rate": ("training", "params[key] -= lr * grads[key]",
                         "params[key] -= grads[key]", 1),
    "a new array, not in place": (
        "training", "params[key] -= lr * grads[key]",
        "params[key] = params[key] - lr * grads[key]", 1),
}

#: The aliasing bug: P itself becomes P - Y. Its own check must fail,
#: with a verdict that names P.
ALIAS = ("backprop-output", "dZ2 = P.copy()                    # (300, 3)",
         "dZ2 = P                           # (300, 3)")

#: The tasks done with the package's own answer: (assignment, solution
#: text, shortcut, the check cells that must then give no points).
SHORTCUTS = {
    "autograd": [
        ("return ((1 - t ** 2) * G,)",
         "layer = nn.Tanh()\n        layer.forward(x.data)\n"
         "        return (layer.backward(G),)", 0),
        ("return (s * (1 - s) * G,)",
         "layer = nn.Sigmoid()\n        layer.forward(x.data)\n"
         "        return (layer.backward(G),)", 1)],
    "forward": [("Z2_exp = np.exp(Z2)", "probs = functional.softmax(Z2)",
                 0),
                ("shifted = Z - np.max(Z, axis=1, keepdims=True)",
                 "return functional.softmax(Z)", 1)],
    "loss": [("L = np.mean(correct_logprobs)",
              "L = functional.cross_entropy(P, y)", 0)],
    "backprop-output": [
        ("dW2 = np.dot(A1.T, dZ2) / m",
         "dW2 = twolayer.backward(params, cache, y)['W2']", 1),
        ("db2 = np.sum(dZ2, axis=0, keepdims=True) / m      # (1, 3)",
         "from scratchnet.twolayer import backward as b\n"
         "db2 = b(params, cache, y)['b2']", 2),
        ("    dW2 = A1.T @ dZ2 / m",
         "    dW2 = twolayer.backward(params, {'X': X, 'Z1': cache['Z1'], "
         "'A1': A1, 'P': P}, y)['W2']", 3)],
    "backprop-hidden": [
        ("dZ1[Z1 <= 0] = 0                  #",
         "dZ1 = functional.relu_backward(dA1, Z1)  #", 1),
        ("dW1 = np.dot(X.T, dZ1) / m",
         "g = twolayer.backward(params, cache, y)\ndW1 = g['W1']", 2),
        ("    dZ2 = P.copy()\n", "    return twolayer.backward(params, "
         "cache, y)\n    dZ2 = P.copy()\n", 3)],
    "training": [("params[key] -= lr * grads[key]",
                  "twolayer.sgd_step(params, grads, lr); break", 0)],
}

MONKEYPATCH = ("import scratchnet.gradcheck\n"
               "checks.raise_on_failure = lambda *a, **k: None\n"
               "scratchnet.gradcheck.relative_error = lambda *a, **k: 0.0\n"
               "np.allclose = lambda *a, **k: True\n")


def nbgrader(*args, cwd: Path, check=True) -> subprocess.CompletedProcess:
    # nbgrader runs alembic (its database migrations) from PATH.
    env = dict(os.environ, PATH=f"{NBGRADER.parent}{os.pathsep}"
               f"{os.environ.get('PATH', '')}")
    result = subprocess.run([str(NBGRADER), *args], cwd=cwd, text=True,
                            capture_output=True, timeout=1800, env=env)
    if check:
        assert result.returncode == 0, (result.stdout
                                        + result.stderr)[-4000:]
    return result


def script(book: Path, name: str, *args) -> None:
    result = subprocess.run(
        [sys.executable, str(book / "scripts" / name), str(book), *args],
        text=True, capture_output=True, timeout=900)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


@pytest.fixture(scope="session")
def course(built_html, tmp_path_factory):
    """A course made as `make course` makes it, from the built book."""
    out = tmp_path_factory.mktemp("assignments")
    root = tmp_path_factory.mktemp("course")
    script(built_html, "assignments.py", "--out", str(out))
    script(built_html, "course.py", "--course", str(root),
           "--assignments", str(out))
    points = {}
    for name in NAMES:
        nb = nbformat.read(root / "source" / name / f"{name}.ipynb",
                           as_version=4)
        points[name] = sum(c.metadata["nbgrader"]["points"]
                           for c in nb.cells
                           if c.metadata.get("nbgrader", {}).get("grade"))
    print("\npoints per assignment:", json.dumps(points))
    return root, points, out


def released(root: Path, name: str):
    return nbformat.read(root / "release" / name / f"{name}.ipynb",
                         as_version=4)


def check_cell_points(root: Path, name: str) -> list[int]:
    source = nbformat.read(root / "source" / name / f"{name}.ipynb",
                           as_version=4)
    return [c.metadata["nbgrader"]["points"] for c in source.cells
            if c.metadata.get("nbgrader", {}).get("grade")]


def filled(root: Path, name: str, changes=()):
    """The released notebook with every stub filled in as the source's
    solution, each (old, new) of ``changes`` made once."""
    source = nbformat.read(root / "source" / name / f"{name}.ipynb",
                           as_version=4)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in source.cells
             if "nbgrader" in c.metadata}
    nb = released(root, name)
    done = [0] * len(changes)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = assign.strip_markers(
                by_id[meta["grade_id"]].source)
            for k, (old, new) in enumerate(changes):
                if not done[k] and old in cell.source:
                    cell.source = cell.source.replace(old, new, 1)
                    done[k] = 1
    assert all(done), (name, changes, done)
    return nb


def first_solution(nb):
    return next(k for k, c in enumerate(nb.cells)
                if c.metadata.get("nbgrader", {}).get("solution"))


def submissions(root: Path, name: str) -> dict:
    """Every student's notebook for one assignment."""
    students = {"blank": released(root, name), "correct": filled(root, name)}
    for k, (chapter, old, new, _) in enumerate(WRONG.values()):
        if chapter == name:
            students[f"wrong-{k}"] = filled(root, name, [(old, new)])
    first = next(label for label, w in WRONG.items() if w[0] == name)
    wrong = [WRONG[first][1:3]]
    patched = filled(root, name, wrong)
    k = first_solution(patched)
    patched.cells[k].source = MONKEYPATCH + patched.cells[k].source
    students["monkeypatch"] = patched
    added = filled(root, name, wrong)
    cell = nbformat.v4.new_code_cell(MONKEYPATCH)
    added.cells.insert(first_solution(added) + 1, cell)
    students["added-cell"] = added
    students["package"] = filled(
        root, name, [(old, new) for old, new, _ in SHORTCUTS[name]])
    if name == ALIAS[0]:
        students["alias"] = filled(root, name, [ALIAS[1:]])
    return students


#: The assignments graded in each of two copies of the course, at once:
#: each copy has its own gradebook, so the two nbgrader processes never
#: write to the same database. About the same work on each side.
HALVES = (("training", "loss", "forward"),
          ("autograd", "backprop-output", "backprop-hidden"))


def grade_half(root: Path, names) -> dict:
    """autograde, the tamper report and generate_feedback for each of
    ``names``, then export: the route of the instructors' page."""
    reports = {}
    for name in names:
        nbgrader("autograde", name, "--force", cwd=root)
        reports[name] = subprocess.run(
            [sys.executable, "-m", "scratchnet.tamper", name, "--course",
             str(root)], text=True, capture_output=True, timeout=300)
        nbgrader("generate_feedback", name, "--force", cwd=root)
    nbgrader("export", cwd=root)
    return reports


@pytest.fixture(scope="session")
def graded(course):
    """Every submission autograded, the tamper reports, the feedback and
    grades.csv, as the instructors' page runs them. Returns each
    assignment's course folder, the points, the scores and the reports."""
    root, points, _ = course
    for name in NAMES:
        for student, nb in submissions(root, name).items():
            folder = root / "submitted" / f"{student}-{name}" / name
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
    assert sorted(n for half in HALVES for n in half) == NAMES
    copies = []
    for k, half in enumerate(HALVES):
        copy = root.parent / f"{root.name}-half{k}"
        shutil.copytree(root, copy)
        copies.append((copy, half))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: grade_half(*c), copies))
    reports = {k: v for r in results for k, v in r.items()}
    where = {name: copy for copy, half in copies for name in half}
    scores = {}
    for copy, half in copies:
        with open(copy / "grades.csv") as f:
            for row in csv.DictReader(f):
                if row["assignment"] not in half:
                    continue
                student = row["student_id"].rsplit(
                    "-" + row["assignment"], 1)
                scores[student[0], row["assignment"]] = (
                    float(row["score"]), float(row["max_score"]))
    print("\nscores:", json.dumps({f"{s}/{a}": v for (s, a), v in
                                   sorted(scores.items())}))
    return where, points, scores, reports


def test_every_assignment_has_its_points_and_locked_checks(course):
    root, points, _ = course
    assert points == {"autograd": 2, "backprop-hidden": 9,
                      "backprop-output": 5, "forward": 2, "loss": 1,
                      "training": 1}
    for name in NAMES:
        nb = nbformat.read(root / "source" / name / f"{name}.ipynb",
                           as_version=4)
        ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
               if "nbgrader" in c.metadata]
        assert len(ids) == len(set(ids))
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:                     # an exercise's answer
                assert cell.source == assign.ANSWER
            elif meta["grade"]:
                assert meta["locked"] and not meta["solution"]
                assert "BEGIN HIDDEN TESTS" in cell.source
            elif assign.BEGIN in cell.source:
                assert meta["solution"] and not meta["locked"]
            else:
                assert meta["locked"] and not meta["solution"]


def test_the_released_notebooks_leak_nothing(course):
    root, points, _ = course
    for name in points:
        text = json.dumps(released(root, name).cells)
        source = nbformat.read(root / "source" / name / f"{name}.ipynb",
                               as_version=4)
        lines = [line for cell in source.cells
                 if cell.metadata.get("nbgrader", {}).get("solution")
                 for part in cell.source.split(assign.BEGIN)[1:]
                 for line in part.split(assign.END)[0].split("\n")]
        codes = [c for c in (line.split("#", 1)[0].strip() for line in lines)
                 if len(c) > 6]
        assert codes, name
        for code in codes:
            assert code not in text, (name, code)
        assert "HIDDEN TESTS" not in text and "grade.hidden" not in text
        assert "Solution to" not in text and "<details>" not in text
        for cell in released(root, name).cells:
            assert not cell.get("outputs"), name


def test_blank_scores_zero_and_correct_full_marks(graded):
    _, points, scores, _ = graded
    for name, total in points.items():
        assert scores["blank", name] == (0.0, total), name
        assert scores["correct", name] == (total, total), name


@pytest.mark.parametrize("label", list(WRONG))
def test_each_wrong_answer_loses_its_checks_points(graded, label):
    _, points, scores, _ = graded
    k = list(WRONG).index(label)
    name, _, _, lost = WRONG[label]
    expected = points[name] - lost
    assert scores[f"wrong-{k}", name] == (expected, points[name]), label


def test_the_aliasing_bug_fails_at_dZ2_and_names_P(graded):
    where, points, scores, _ = graded
    name = ALIAS[0]
    assert scores["alias", name][0] <= points[name] - 1
    nb = nbformat.read(where[name] / "autograded" / f"alias-{name}" / name /
                       f"{name}.ipynb", as_version=4)
    checks_out = [json.dumps(c.outputs) for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade")]
    assert "dZ2: FAILED: P was changed by your cell" in checks_out[0]


@pytest.mark.parametrize("cheat", ["monkeypatch", "added-cell"])
def test_a_monkeypatch_scores_nothing_and_is_reported(graded, cheat):
    _, points, scores, reports = graded
    for name in NAMES:
        assert scores[cheat, name] == (0.0, points[name]), name
        report = reports[name]
        assert report.returncode == 1, report.stdout + report.stderr
        mine = [line for line in report.stdout.split("\n")
                if line.strip().startswith(f"{cheat}-{name}:")]
        assert any("changes a library" in line for line in mine), mine
        if cheat == "added-cell":
            assert any("an added code cell" in line for line in mine)


def test_the_package_answer_scores_nothing_for_its_task(graded):
    where, points, scores, reports = graded
    for name, shortcuts in SHORTCUTS.items():
        cell_points = check_cell_points(where[name], name)
        faked = {i for _, _, i in shortcuts}
        expected = points[name] - sum(cell_points[i] for i in faked)
        assert scores["package", name] == (expected, points[name]), name
        mine = [line for line in reports[name].stdout.split("\n")
                if line.strip().startswith(f"package-{name}:")]
        assert any("own implementation" in line for line in mine), mine
        nb = nbformat.read(where[name] / "autograded" / f"package-{name}"
                           / name / f"{name}.ipynb", as_version=4)
        assert "the package's own implementation of what this task asks" \
            in json.dumps([c.outputs for c in nb.cells
                           if c.cell_type == "code"])


def test_honest_students_are_not_in_the_tamper_report(graded):
    _, points, scores, reports = graded
    for name in NAMES:
        flagged = {line.strip().split(":")[0].rsplit("-" + name, 1)[0]
                   for line in reports[name].stdout.split("\n")[1:]
                   if line.strip()}
        assert flagged <= {"monkeypatch", "added-cell", "package"}, (
            name, reports[name].stdout)
        assert {"monkeypatch", "added-cell", "package"} <= flagged, name


def test_feedback_is_written_for_every_student(graded):
    where, points, _, _ = graded
    for name in NAMES:
        feedback = where[name] / "feedback"
        pages = sorted(feedback.glob(f"*/{name}/{name}.html"))
        assert len(pages) >= 7, (name, pages)
        text = (feedback / f"package-{name}" / name /
                f"{name}.html").read_text()
        assert "own implementation" in text


def validate(root: Path, nb, tmp: Path, *args) -> str:
    path = tmp / "submission.ipynb"
    nbformat.write(nb, path)
    return nbgrader("validate", str(path), *args, cwd=root,
                    check=False).stdout


def test_validate_tells_the_student_what_failed(graded, tmp_path):
    where, points, _, _ = graded
    name = "backprop-output"
    root = where[name]
    assert "Success!" not in validate(root, released(root, name), tmp_path)
    assert "Success!" in validate(root, filled(root, name), tmp_path)
    _, old, new, _ = WRONG["bias summed over the wrong axis"]
    wrong = filled(root, name, [(old, new)])
    out = validate(root, wrong, tmp_path, "--Validator.width=250")
    assert "Success!" not in out
    assert "db2: FAILED" in out
    assert "keep (1, 3), divide by m" in out      # the whole hint
    _, old, new, _ = WRONG["missing transpose"]
    out = validate(root, filled(root, name, [(old, new)]), tmp_path)
    assert "Partial credit" in out
