"""scratchnet.tamper on small notebooks made here: each kind of change to
a released notebook is reported, an honest submission is not."""

from __future__ import annotations

import copy

import nbformat
from scratchnet import tamper


def cell(kind, source, **nbgrader):
    make = (nbformat.v4.new_code_cell if kind == "code"
            else nbformat.v4.new_markdown_cell)
    c = make(source)
    if nbgrader:
        c.metadata["nbgrader"] = {"schema_version": 3, "solution": False,
                                  "grade": False, "locked": False,
                                  **nbgrader}
    return c


def release():
    nb = nbformat.v4.new_notebook(cells=[
        cell("markdown", "# Title", grade_id="t", locked=True),
        cell("code", "import numpy as np\nfrom scratchnet import checks, "
             "twolayer", grade_id="setup", locked=True),
        cell("code", "# YOUR CODE HERE\nraise NotImplementedError()",
             grade_id="answer", solution=True),
        cell("code", "checks = 1\nwith checks.grading(1, forbid=("
             "'twolayer.backward',), after=None) as grade:\n    pass\n"
             "grade.score", grade_id="check", grade=True, locked=True,
             points=1),
    ])
    for k, c in enumerate(nb.cells):
        c["id"] = f"cell-{k}"
    return nb


def findings(submitted):
    rel = release()
    return [f.what for f in tamper.check_submission(
        "s", submitted, rel, tamper._forbidden(rel))]


def test_an_honest_submission_is_not_reported():
    nb = release()
    nb.cells[2].source = "dW2 = A1.T @ dZ2 / m"
    assert findings(nb) == []


def test_each_change_to_a_locked_cell_is_reported():
    nb = release()
    nb.cells[3].source += "\nprint('edited')"
    assert findings(nb) == ["the locked cell check was edited"]
    nb = release()
    del nb.cells[1]
    assert "the locked cell setup was deleted" in findings(nb)
    nb = release()
    nb.cells[0] = cell("code", "# Title", grade_id="t", locked=True)
    nb.cells[0]["id"] = "cell-0"
    assert findings(nb) == ["the locked cell t became a code cell"]


def test_an_added_cell_and_what_it_does_are_reported():
    nb = release()
    extra = cell("code", "checks.run = print")
    nb.cells.insert(3, extra)
    found = findings(nb)
    assert any(f.startswith("an added code cell") for f in found), found
    assert any("changes a library" in f for f in found), found


def test_the_package_answer_is_reported_through_an_alias():
    nb = release()
    nb.cells[2].source = ("f = twolayer.backward\n"
                          "grads = f(params, cache, y)")
    assert any("scratchnet.twolayer.backward" in f for f in findings(nb))


def test_a_report_over_a_course_folder(tmp_path):
    course = tmp_path
    (course / "release" / "a").mkdir(parents=True)
    nbformat.write(release(), course / "release" / "a" / "a.ipynb")
    honest, cheat = release(), release()
    cheat.cells[2].source = "checks.gradient = print"
    for name, nb in (("honest", honest), ("cheat", cheat)):
        (course / "submitted" / name / "a").mkdir(parents=True)
        nbformat.write(copy.deepcopy(nb),
                       course / "submitted" / name / "a" / "a.ipynb")
    report = tamper.report(course, "a")
    assert report.students == ["cheat", "honest"]
    assert report.flagged() == ["cheat"]
    assert tamper.main(["a", "--course", str(course)]) == 1
