"""Assignments: student notebooks leak nothing; keys and checks work.

Marks are per test: ``book`` for those that need the built book, none
for the rest (the fast subset): the ``generated`` fixture writes every
chapter's assignment without executing it. Executed submissions are
book/test_nbgrader.py's: blank, correct and wrong ones through real nbgrader.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from conftest import ROOT
from scratchnet import assign

CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.md")
                  if assign.load(p).regions)


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """Every chapter's assignment, without executing the keys (the book
    build executes them; test_nbgrader.py runs blank, correct and wrong
    submissions through real nbgrader)."""
    out = tmp_path_factory.mktemp("assignments")
    counts = {}
    for name in CHAPTERS:
        counts[name] = assign.write(ROOT / "book" / f"{name}.md", out,
                                    execute_key=False)
    return out, counts


def all_strings(obj):
    """Every string in a notebook's JSON, keys and metadata included."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from all_strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from all_strings(v)
    elif obj is not None:
        yield str(obj)


def string_values(obj):
    """The string values (not the keys) of a JSON object."""
    if isinstance(obj, dict):
        for v in obj.values():
            yield from string_values(v)
    elif isinstance(obj, list):
        yield from (x for v in obj for x in string_values(v))
    elif isinstance(obj, str):
        yield obj


def code_of(line):
    return line.split("#", 1)[0].strip()


def test_every_backprop_chapter_has_stubs_and_checks(generated):
    out, counts = generated
    for name in CHAPTERS:
        assert counts[name]["stubs"] >= 1 and counts[name]["checks"] >= 1
        assert (out / f"{name}-student.ipynb").is_file()
        assert (out / f"{name}-key.ipynb").is_file()
    print("\n" + json.dumps(counts))
    marked = "\n".join(
        line for name in CHAPTERS for r in assign.load(
            ROOT / "book" / f"{name}.md").regions for line in r.lines)
    for piece in ("dZ2[range(m), y] -= 1", "np.dot(A1.T, dZ2) / m",
                  "db2 = np.sum(dZ2", "dA1 = dZ2 @ W2.T",
                  "dZ1[Z1 <= 0] = 0", "np.dot(X.T, dZ1) / m",
                  "db1 = np.sum(dZ1", "params[key] -= lr * grads[key]"):
        assert piece in marked, piece


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_solution_leaks_into_the_student_notebook(generated, name):
    out, _ = generated
    chapter = assign.load(ROOT / "book" / f"{name}.md")
    raw = (out / f"{name}-student.ipynb").read_text()
    text = "\n".join(all_strings(json.loads(raw)))
    for region in chapter.regions:
        for line in region.lines:
            code = code_of(line)
            if code:
                assert code not in text, (name, code)
    student = nbformat.read(out / f"{name}-student.ipynb", as_version=4)
    stubs = [c for c in student.cells
             if "raise NotImplementedError(" in c.get("source", "")]
    assert len(stubs) == len(chapter.solution_cells())
    assert all(c.outputs == [] for c in stubs)
    assert "BEGIN SOLUTION" not in text and "### HINT" not in text
    assert "{solution}" not in text            # exercise solutions removed
    assert not any("hidden" in c.metadata or "forbid" in c.metadata
                   for c in student.cells)


@pytest.mark.book
@pytest.mark.xdist_group("built")
def test_markers_are_invisible_in_the_html(built_html):
    html = built_html / "_build" / "html" / "book"
    for name in CHAPTERS:
        text = (html / f"{name}.html").read_text()
        assert "BEGIN SOLUTION" not in text and "HINT:" not in text
        assert "END SOLUTION" not in text


def test_assign_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="path must be an existing MyST"):
        assign.load(tmp_path / "missing.md")
    bad = tmp_path / "bad.md"
    bad.write_text((ROOT / "book" / "shapes.md").read_text().replace(
        "import numpy as np", "### BEGIN SOLUTION\nimport numpy as np", 1))
    with pytest.raises(ValueError, match="BEGIN SOLUTION without"):
        assign.load(bad)


# Fast tests of assign.py on small in-memory cells (no execution).

MARKED = "\n".join([
    "x = 1",
    "### HINT: add one to x",
    "### BEGIN SOLUTION",
    "y = x + 1",
    "### END SOLUTION",
    "for i in range(2):",
    "    ### BEGIN SOLUTION",
    "    z = i",
    "    ### END SOLUTION",
    "print(y)  ### BEGIN SOLUTION is not a marker here",
])


def test_find_regions_reads_hints_lines_and_indents():
    cell = nbformat.v4.new_code_cell(MARKED)
    regions = assign.find_regions(7, cell)
    assert [(r.cell, r.lines, r.hint, r.indent) for r in regions] == [
        (7, ["y = x + 1"], "add one to x", ""),
        (7, ["    z = i"], assign.DEFAULT_HINT, "    "),
    ]


def test_a_solution_cell_is_one_region_without_markers():
    cell = nbformat.v4.new_code_cell(
        "### HINT: define f\ndef f(x):\n    return 2 * x",
        metadata={"tags": ["solution"]})
    (region,) = assign.find_regions(0, cell)
    assert region.lines == ["def f(x):", "    return 2 * x"]
    assert region.hint == "define f" and region.indent == ""
    assert assign.student_source(cell, [region]) == (
        '# YOUR CODE HERE\nraise NotImplementedError("define f")')


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
     "cell 3, line 2: ### BEGIN SOLUTION inside another solution"),
    ("x = 1\n### END SOLUTION", "cell 3, line 2: ### END SOLUTION without"),
    ("### BEGIN SOLUTION\nx = 1", "cell 3: ### BEGIN SOLUTION without"),
])
def test_find_regions_rejects_unbalanced_markers(source, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        assign.find_regions(3, nbformat.v4.new_code_cell(source))


def test_strip_markers_keeps_everything_but_marker_lines():
    assert assign.strip_markers(MARKED) == "\n".join([
        "x = 1",
        "y = x + 1",
        "for i in range(2):",
        "    z = i",
        "print(y)  ### BEGIN SOLUTION is not a marker here",
    ])


def test_student_source_puts_an_indented_stub_in_each_region():
    cell = nbformat.v4.new_code_cell(MARKED)
    regions = assign.find_regions(0, cell)
    assert assign.student_source(cell, regions) == "\n".join([
        "x = 1",
        "# YOUR CODE HERE",
        'raise NotImplementedError("add one to x")',
        "for i in range(2):",
        "    # YOUR CODE HERE",
        '    raise NotImplementedError("replace this line with your code")',
        "print(y)  ### BEGIN SOLUTION is not a marker here",
    ])


def test_student_notebook_clears_solutions_and_later_outputs():
    out = [nbformat.v4.new_output("stream", text="seen")]
    cells = [
        nbformat.v4.new_code_cell("a = 1", outputs=list(out)),
        nbformat.v4.new_code_cell(MARKED, outputs=list(out)),
        nbformat.v4.new_markdown_cell(
            "Exercise.\n\n```{solution} ex-1\n:class: dropdown\n\n"
            "The answer is 42.\n```\nAfter."),
        nbformat.v4.new_code_cell("b = 2", outputs=list(out)),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    chapter = assign.Chapter(ROOT / "x.md", nb,
                             assign.find_regions(1, cells[1]))
    key = assign.key_notebook(chapter)
    assert key.cells[1].source == assign.strip_markers(MARKED)
    student = assign.student_notebook(chapter, key)
    assert student.cells[0].outputs == out          # before the first stub
    assert student.cells[1].outputs == [] and student.cells[3].outputs == []
    assert "y = x + 1" not in student.cells[1].source
    assert student.cells[2].source == "Exercise.\n\nAfter."
    assert nb.cells[1].outputs == out                # the input is intact


def test_write_without_execution(tmp_path):
    chapter = tmp_path / "tiny.md"
    chapter.write_text("\n".join([
        "---", "jupytext:", "  text_representation:",
        "    extension: .md", "    format_name: myst", "kernelspec:",
        "  display_name: Python 3", "  language: python",
        "  name: python3", "---", "", "# Tiny", "",
        "```{code-cell} ipython3", MARKED, "```", "",
        "```{code-cell} ipython3", ":tags: [check]", ":points: 1", "",
        "print(y)", "```", ""]))
    counts = assign.write(chapter, tmp_path / "out", execute_key=False)
    assert counts == {"chapter": "tiny", "stubs": 2, "checks": 1,
                      "points": 1}
    key = (tmp_path / "out" / "tiny-key.ipynb").read_text()
    student = (tmp_path / "out" / "tiny-student.ipynb").read_text()
    assert "y = x + 1" in key and "### END SOLUTION" not in key
    assert "y = x + 1" not in student and "add one to x" in student


def test_a_check_cell_without_points_is_an_error(tmp_path):
    chapter = tmp_path / "nopoints.md"
    chapter.write_text("\n".join([
        "---", "jupytext:", "  text_representation:",
        "    extension: .md", "    format_name: myst", "kernelspec:",
        "  display_name: Python 3", "  language: python",
        "  name: python3", "---", "", "# No points", "",
        "```{code-cell} ipython3", MARKED, "```", "",
        "```{code-cell} ipython3", ":tags: [check]", "", "print(y)",
        "```", ""]))
    with pytest.raises(ValueError, match="points option"):
        assign.write(chapter, tmp_path / "out", execute_key=False)


@pytest.mark.book
@pytest.mark.xdist_group("built")
def test_points_are_the_verdicts_each_check_prints(built_html):
    """On the chapters as the book build executed them."""
    for name in CHAPTERS:
        chapter = assign.load(ROOT / "book" / f"{name}.md")
        executed = nbformat.read(built_html / "_build" / "jupyter_execute"
                                 / "book" / f"{name}.ipynb", as_version=4)
        for i, points in assign.check_points(chapter).items():
            text = "".join(o.get("text", "") for o in
                           executed.cells[i].outputs
                           if o.output_type == "stream")
            verdicts = [line for line in text.splitlines()
                        if line.endswith(": passed")]
            assert len(verdicts) == points, (name, i, text)


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_nbgrader_source_locks_all_but_the_solutions(name):
    """Fast: the metadata of every cell, without nbgrader or a kernel."""
    chapter = assign.load(ROOT / "book" / f"{name}.md")
    points = assign.check_points(chapter)
    nb = assign.nbgrader_notebook(chapter, points)
    solutions = graded = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            assert cell.source == assign.ANSWER      # an exercise's answer
            continue
        if meta["solution"]:
            solutions += 1
            assert not meta["locked"] and not meta["grade"]
            assert assign.BEGIN in cell.source
        elif meta["grade"]:
            graded += meta["points"]
            assert meta["locked"]
            assert "checks.grading(" in cell.source
            assert "### BEGIN HIDDEN TESTS" in cell.source
        else:
            assert meta["locked"], cell.source[:60]
            assert assign.BEGIN not in cell.source
    assert solutions == len(chapter.solution_cells())
    assert graded == sum(points.values())


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
