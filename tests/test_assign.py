"""Assignments: student notebooks leak nothing; keys and checks work.

Marks are per test: ``slow`` for the tests that execute notebooks (every
test of the module-scoped ``generated`` fixture, which executes each
chapter's answer key), ``book`` for those that need the built book, none
for the logic of assign.py on small in-memory cells (the fast subset).
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
    out = tmp_path_factory.mktemp("assignments")
    counts = {}
    for name in CHAPTERS:
        counts[name] = assign.write(ROOT / "book" / f"{name}.md", out)
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


@pytest.mark.slow
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


@pytest.mark.slow
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
    key = nbformat.read(out / f"{name}-key.ipynb", as_version=4)
    student = nbformat.read(out / f"{name}-student.ipynb", as_version=4)
    for i in chapter.solution_cells():
        assert student.cells[i].outputs == []
        for output in key.cells[i].outputs:
            for piece in string_values(output.get("data", {})):
                if len(piece) > 20:
                    assert piece not in text
    assert "BEGIN SOLUTION" not in text and "### HINT" not in text
    assert "{solution}" not in text            # exercise solutions removed


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTERS)
def test_the_answer_key_executes_cleanly(generated, name):
    out, _ = generated
    key = nbformat.read(out / f"{name}-key.ipynb", as_version=4)
    outputs = [o for c in key.cells if c.cell_type == "code"
               for o in c.outputs]
    assert outputs and not [o for o in outputs
                            if o.output_type == "error"]
    checks = [c for c in key.cells
              if "check" in c.metadata.get("tags", [])]
    for cell in checks:
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert "passed" in text and "FAILED" not in text, text


def run_student(nb, tmp_path):
    return assign.execute(nb, tmp_path, allow_errors=True)


def check_texts(nb):
    return ["".join(o.get("text", "") for o in c.outputs)
            for c in nb.cells if "check" in c.metadata.get("tags", [])]


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTERS)
def test_student_notebook_runs_to_the_first_stub_and_checks_report(
        generated, name, tmp_path):
    out, _ = generated
    nb = nbformat.read(out / f"{name}-student.ipynb", as_version=4)
    run_student(nb, tmp_path)
    errors = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
              and any(o.output_type == "error" for o in c.outputs)]
    first_stub = next(i for i, c in enumerate(nb.cells)
                      if "raise NotImplementedError(" in c.source)
    assert errors and errors[0] == first_stub
    first_error = [o for o in nb.cells[first_stub].outputs
                   if o.output_type == "error"][0]
    assert first_error.ename == "NotImplementedError"
    for i, cell in enumerate(nb.cells):
        if "check" in cell.metadata.get("tags", []):
            assert i not in errors, "a check cell raised"
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert re.search(r"not implemented yet|run the cell above", text)
            assert "passed" not in text


def fill(student, chapter, replacements=None):
    """Put the solutions (or given replacements) in place of the stubs."""
    replacements = replacements or {}
    k = 0
    for cell in student.cells:
        if cell.cell_type != "code" or "NotImplementedError(" not in \
                cell.source:
            continue
        lines, out = cell.source.split("\n"), []
        i = 0
        while i < len(lines):
            if lines[i].strip() == "# YOUR CODE HERE":
                region = chapter.regions[k]
                body = replacements.get(k, region.lines)
                out += [region.indent + b.strip() if b.strip() else b
                        for b in body] if k in replacements else body
                k += 1
                i += 2
            else:
                out.append(lines[i])
                i += 1
        cell.source = "\n".join(out)
    assert k == len(chapter.regions)
    return student


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTERS)
def test_filling_the_stubs_with_the_solutions_passes_every_check(
        generated, name, tmp_path):
    out, _ = generated
    chapter = assign.load(ROOT / "book" / f"{name}.md")
    nb = nbformat.read(out / f"{name}-student.ipynb", as_version=4)
    run_student(fill(nb, chapter), tmp_path)
    assert not [o for c in nb.cells if c.cell_type == "code"
                for o in c.outputs if o.output_type == "error"]
    texts = check_texts(nb)
    assert texts and all("passed" in t and "FAILED" not in t
                         for t in texts), texts


def region_index(chapter, needle):
    return next(k for k, r in enumerate(chapter.regions)
                if any(needle in line for line in r.lines)
                and len(r.lines) == 1)


@pytest.mark.slow
@pytest.mark.parametrize("wrong,expected", [
    ("dW2 = np.dot(dZ2.T, A1) / m", "dW2 has shape (3, 4), expected (4, 3)"),
    ("dW2 = np.dot(A1.T, dZ2)", "on dW2: check the transpose of A1 and the "
                                "division by m"),
])
def test_a_wrong_solution_fails_with_a_helpful_message(generated, tmp_path,
                                                       wrong, expected):
    out, _ = generated
    chapter = assign.load(ROOT / "book" / "backprop-output.md")
    k = region_index(chapter, "dW2 = np.dot(A1.T, dZ2) / m")
    nb = nbformat.read(out / "backprop-output-student.ipynb", as_version=4)
    run_student(fill(nb, chapter, {k: [wrong]}), tmp_path)
    texts = check_texts(nb)
    failing = [t for t in texts if "FAILED" in t]
    assert len(failing) == 1 and expected in failing[0], texts


@pytest.mark.slow
def test_a_wrong_relu_mask_names_the_mask(generated, tmp_path):
    out, _ = generated
    chapter = assign.load(ROOT / "book" / "backprop-hidden.md")
    k = next(i for i, r in enumerate(chapter.regions)
             if r.lines[0].strip().startswith("dZ1 = dA1.copy()"))
    nb = nbformat.read(out / "backprop-hidden-student.ipynb", as_version=4)
    run_student(fill(nb, chapter, {k: ["dZ1 = dA1.copy()"]}), tmp_path)
    failing = [t for t in check_texts(nb) if "FAILED" in t]
    assert any("dZ1" in t and "ReLU mask" in t for t in failing), failing


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


@pytest.mark.slow
def test_points_are_the_verdicts_each_check_prints(generated):
    out, _ = generated
    for name in CHAPTERS:
        chapter = assign.load(ROOT / "book" / f"{name}.md")
        key = nbformat.read(out / f"{name}-key.ipynb", as_version=4)
        for i, points in assign.check_points(chapter).items():
            text = "".join(o.get("text", "") for o in key.cells[i].outputs
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
