"""The instructor's workflow with the real nbgrader, on every source.

In a temporary course folder: ``nbgrader generate_assignment`` on the
sources that ``make assignments`` writes, a leak scan of the released
notebooks, then blank, wrong and correct submissions through ``nbgrader
autograde`` and ``nbgrader export``, and ``nbgrader validate`` on each.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from scratchnet import assign

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader")]

NBGRADER = Path(sys.executable).parent / "nbgrader"
COURSE_ID = "backprop-again"

#: Wrong answers: (chapter, solution text, wrong text, the check cells,
#: counted from 0 in the chapter, whose points the answer must lose).
WRONG = {
    "missing transpose": ("backprop-output", "dW2 = A1.T @ dZ2 / m",
                          "dW2 = dZ2.T @ A1 / m", [3]),
    "missing / m": ("backprop-hidden", "dW1 = np.dot(X.T, dZ1) / m",
                    "dW1 = np.dot(X.T, dZ1)", [2]),
    "= 1 for -= 1": ("backprop-output", "dZ2[range(m), y] -= 1             #",
                     "dZ2[range(m), y] = 1              #", [0]),
    "unmasked dZ1": ("backprop-hidden", "dZ1[Z1 <= 0] = 0                  #",
                     "pass                              #", [1]),
    "update with the wrong sign": ("training",
                                   "params[key] -= lr * grads[key]",
                                   "params[key] += lr * grads[key]", [0]),
    "bias summed over the wrong axis": (
        "backprop-output",
        "db2 = np.sum(dZ2, axis=0, keepdims=True) / m      # (1, 3)",
        "db2 = np.sum(dZ2, axis=1, keepdims=True).T[:, :3] / m  # (1, 3)",
        [2]),
}


def chapters_with_solutions() -> list[str]:
    return sorted(p.stem for p in (ROOT / "book").glob("*.md")
                  if assign.load(p).regions)


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


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A course folder with every chapter's source, generated."""
    root = tmp_path_factory.mktemp("course")
    out = tmp_path_factory.mktemp("assignments")
    points = {}
    for name in chapters_with_solutions():
        # The sources need no executed key (nbgrader clears outputs).
        counts = assign.write(ROOT / "book" / f"{name}.md", out,
                              execute_key=False)
        points[name] = counts["points"]
    shutil.copytree(out / "nbgrader" / "source", root / "source")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        "c.ExecutePreprocessor.timeout = 600\n")
    for name in points:
        nbgrader("generate_assignment", name, "--force", cwd=root)
    print("\npoints per assignment:", json.dumps(points))
    return root, points, out


def released(root: Path, name: str):
    return nbformat.read(root / "release" / name / f"{name}.ipynb",
                         as_version=4)


def test_every_chapter_with_solutions_has_a_source(course):
    root, points, _ = course
    assert set(points) == {"backprop-hidden", "backprop-output", "forward",
                           "loss", "training"}
    for name, total in points.items():
        nb = nbformat.read(root / "source" / name / f"{name}.ipynb",
                           as_version=4)
        ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
        assert len(ids) == len(set(ids)) == len(nb.cells)
        graded = [c.metadata["nbgrader"] for c in nb.cells
                  if c.metadata["nbgrader"]["grade"]]
        assert all(g["locked"] and not g["solution"] and g["points"] >= 1
                   for g in graded)
        assert sum(g["points"] for g in graded) == total
        for cell in nb.cells:
            meta = cell.metadata["nbgrader"]
            assert meta["schema_version"] == 3
            if assign.BEGIN in cell.source:
                assert meta["solution"] and not meta["locked"]
            elif not meta["grade"]:
                assert meta["locked"] and not meta["solution"]


def test_the_released_notebooks_leak_nothing(course):
    root, points, _ = course
    for name in points:
        chapter = assign.load(ROOT / "book" / f"{name}.md")
        text = json.dumps(released(root, name).cells)
        for region in chapter.regions:
            for line in region.lines:
                code = line.split("#", 1)[0].strip()
                if len(code) > 6:
                    assert code not in text, (name, code)
        markdown = "\n".join(c.source for c in released(root, name).cells
                             if c.cell_type == "markdown")
        blocks = assign._SOLUTION_BLOCK.findall(
            (ROOT / "book" / f"{name}.md").read_text())
        assert blocks, name
        for block in blocks:
            # The written solution, after its fence and options.
            body = "\n".join(line for line in block.split("\n")[1:-2]
                             if not line.startswith(":")).strip()
            assert body and body not in markdown, (name, body[:80])
        assert "{solution}" not in text
        for cell in released(root, name).cells:
            assert not cell.get("outputs"), name


def filled(root: Path, name: str, wrong: tuple[str, str] | None = None):
    """The released notebook with every stub filled in as the source's
    solution (one replacement wrong, if given)."""
    source = nbformat.read(root / "source" / name / f"{name}.ipynb",
                           as_version=4)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in source.cells}
    nb = released(root, name)
    replaced = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = assign.strip_markers(
                by_id[meta["grade_id"]].source)
            if wrong and wrong[0] in cell.source:
                cell.source = cell.source.replace(*wrong)
                replaced += 1
    assert wrong is None or replaced == 1, (name, wrong, replaced)
    return nb


def submit(root: Path, student: str, name: str, nb) -> None:
    folder = root / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


def check_cell_points(root: Path, name: str) -> list[int]:
    source = nbformat.read(root / "source" / name / f"{name}.ipynb",
                           as_version=4)
    return [c.metadata["nbgrader"]["points"] for c in source.cells
            if c.metadata["nbgrader"]["grade"]]


@pytest.fixture(scope="session")
def graded(course):
    """Scores of every submission, from nbgrader export."""
    root, points, _ = course
    students = {}
    for name in points:
        submit(root, f"blank-{name}", name, released(root, name))
        students[f"blank-{name}"] = name
        submit(root, f"correct-{name}", name, filled(root, name))
        students[f"correct-{name}"] = name
    for k, (label, (name, old, new, _)) in enumerate(WRONG.items()):
        submit(root, f"wrong-{k}", name, filled(root, name, (old, new)))
        students[f"wrong-{k}"] = label
    for name in points:
        nbgrader("autograde", name, "--force", cwd=root)
    nbgrader("export", cwd=root)
    scores = {}
    with open(root / "grades.csv") as f:
        for row in csv.DictReader(f):
            scores[row["student_id"], row["assignment"]] = (
                float(row["score"]), float(row["max_score"]))
    print("\nscores:", json.dumps({f"{s}/{a}": v for (s, a), v in
                                   sorted(scores.items())}))
    return root, points, scores


def test_blank_scores_zero_and_correct_full_marks(graded):
    root, points, scores = graded
    for name, total in points.items():
        assert scores[f"blank-{name}", name] == (0.0, total), name
        assert scores[f"correct-{name}", name] == (total, total), name


@pytest.mark.parametrize("label", list(WRONG))
def test_each_wrong_answer_loses_its_checks_points(graded, label):
    root, points, scores = graded
    k = list(WRONG).index(label)
    name, _, _, lost = WRONG[label]
    cell_points = check_cell_points(root, name)
    expected = points[name] - sum(cell_points[i] for i in lost)
    assert scores[f"wrong-{k}", name] == (expected, points[name]), label


def validate(root: Path, nb, tmp: Path) -> subprocess.CompletedProcess:
    path = tmp / "submission.ipynb"
    nbformat.write(nb, path)
    return nbgrader("validate", str(path), cwd=root, check=False)


def test_validate_fails_blank_and_wrong_and_passes_correct(graded,
                                                           tmp_path):
    root, points, _ = graded
    for name in points:
        blank = validate(root, released(root, name), tmp_path)
        assert "Success!" not in blank.stdout, (name, blank.stdout[-2000:])
        correct = validate(root, filled(root, name), tmp_path)
        assert "Success!" in correct.stdout, (name,
                                              correct.stdout[-3000:])
    for label, (name, old, new, _) in WRONG.items():
        wrong = validate(root, filled(root, name, (old, new)), tmp_path)
        out = wrong.stdout
        assert "Success!" not in out, (label, out[-2000:])
        assert re.search(r"FAILED|Error|error", out), (label, out[-2000:])
