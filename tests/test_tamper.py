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
