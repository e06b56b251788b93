"""Turn a chapter into a student assignment and an answer key.

``make assignments`` runs this on every chapter, through
``scripts/assignments.py``, which also turns the MyST markdown into the
plain Jupyter markdown that the book's downloads have.

Solutions are marked in the chapter's MyST source in two ways:

* a code cell tagged ``solution`` is a solution as a whole;
* inside any code cell, the lines between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` (nbgrader's markers) are a solution region.

A line ``### HINT: ...`` just before ``### BEGIN SOLUTION`` (or anywhere
in a ``solution`` cell) becomes the message of the stub's
``NotImplementedError``. Cells tagged ``check`` test the cell above them
with :mod:`scratchnet.checks`.

For each chapter that has solutions this writes

* ``<chapter>-key.ipynb``: the whole chapter, markers removed, executed;
* ``<chapter>-student.ipynb``: every solution region replaced by a stub
  that raises ``NotImplementedError(hint)``, the outputs of solution cells
  and of every cell after the first stub cleared, and the solutions of the
  chapter's exercises removed. Checks stay.
* ``nbgrader/source/<chapter>/<chapter>.ipynb``: an nbgrader source
  (nbgrader's markers and cell metadata; check cells are locked
  autograded tests, graded by :func:`scratchnet.checks.grading` with one
  point per verdict, worth their ``points`` option).

A check cell's options can also name the package's own implementation
of its task (``forbid: [twolayer.backward]``: a student's code that uses
it gets no points) and give a hidden test (``hidden: |`` and code that
calls ``grade.hidden(name, test)``), which only the nbgrader source
carries: plain NumPy that recomputes the expected value.

Needs jupytext and nbclient (``pip install backprop-again[assign]``).
"""

from __future__ import annotations

import ast
import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import _scan

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HINT = "### HINT:"
DEFAULT_HINT = "replace this line with your code"
_MARKER = re.compile(r"^\s*### (BEGIN SOLUTION|END SOLUTION|HINT:.*)\s*$")
_SOLUTION_BLOCK = re.compile(r"^```\{solution\}.*?^```[ \t]*$\n?",
                             re.S | re.M)
_EXERCISE_BLOCK = re.compile(r"^```\{exercise\}.*?^```[ \t]*$\n?",
                             re.S | re.M)
#: Cell options that only the nbgrader source uses.
GRADER_KEYS = ("forbid", "hidden")
#: The text of the cell where a student answers an exercise.
ANSWER = "*Your answer:*"


def _imports():
    try:
        import jupytext
        import nbformat
        from nbclient import NotebookClient
    except ImportError as err:  # pragma: no cover
        raise ImportError(
            "scratchnet.assign needs jupytext and nbclient: "
            "pip install 'backprop-again[assign]'") from err
    return jupytext, nbformat, NotebookClient


@dataclass
class Region:
    """One solution: its lines, the hint, and the indentation of a stub."""

    cell: int
    lines: list[str]
    hint: str
    indent: str


@dataclass
class Chapter:
    path: Path
    nb: object
    regions: list[Region] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    def solution_cells(self) -> set[int]:
        return {r.cell for r in self.regions}

    def check_cells(self) -> list[int]:
        return [i for i, c in enumerate(self.nb.cells)
                if "check" in c.metadata.get("tags", [])]


def is_marker(line: str) -> bool:
    return bool(_MARKER.match(line))


def strip_markers(source: str) -> str:
    """The source as the book shows it: without marker or hint lines."""
    return "\n".join(line for line in source.split("\n")
                     if not is_marker(line))


def _hint_text(line: str) -> str:
    return line.strip()[len(HINT):].strip()


def find_regions(index: int, cell) -> list[Region]:
    """The solution regions of one notebook cell."""
    lines = cell.source.split("\n")
    if "solution" in cell.metadata.get("tags", []):
        hints = [_hint_text(x) for x in lines if x.strip().startswith(HINT)]
        body = [x for x in lines if not is_marker(x)]
        return [Region(index, body, hints[0] if hints else DEFAULT_HINT,
                       "")]
    regions, current, hint, indent = [], None, None, ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith(HINT):
            hint = _hint_text(line)
        elif stripped == BEGIN:
            if current is not None:
                raise ValueError(f"cell {index}, line {number}: "
                                 f"{BEGIN} inside another solution")
            current, indent = [], line[: len(line) - len(line.lstrip())]
        elif stripped == END:
            if current is None:
                raise ValueError(f"cell {index}, line {number}: "
                                 f"{END} without {BEGIN}")
            regions.append(Region(index, current, hint or DEFAULT_HINT,
                                  indent))
            current, hint = None, None
        elif current is not None:
            current.append(line)
    if current is not None:
        raise ValueError(f"cell {index}: {BEGIN} without {END}")
    return regions


def load(path) -> Chapter:
    """Read a chapter and find its solution regions."""
    jupytext, _, _ = _imports()
    path = Path(path)
    if path.suffix != ".md" or not path.is_file():
        raise ValueError(
            f"path must be an existing MyST .md chapter, got {str(path)!r}")
    nb = jupytext.read(path)
    chapter = Chapter(path, nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            chapter.regions += find_regions(i, cell)
    return chapter


def stub(region: Region) -> list[str]:
    hint = json.dumps(region.hint)
    return [f"{region.indent}# YOUR CODE HERE",
            f"{region.indent}raise NotImplementedError({hint})"]


def student_source(cell, regions: list[Region]) -> str:
    """Replace every solution region of a cell by its stub."""
    if "solution" in cell.metadata.get("tags", []):
        return "\n".join(stub(regions[0]))
    out, inside, k = [], False, 0
    for line in cell.source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            inside = True
            out += stub(regions[k])
            k += 1
        elif stripped == END:
            inside = False
        elif not inside and not stripped.startswith(HINT):
            out.append(line)
    return "\n".join(out)


def key_notebook(chapter: Chapter, executed=None):
    """The answer key: the chapter (executed, if given) without markers
    and without the options that only the grader reads."""
    nb = copy.deepcopy(executed if executed is not None else chapter.nb)
    if len(nb.cells) != len(chapter.nb.cells):
        raise ValueError(
            f"{chapter.path}: the executed notebook has {len(nb.cells)} "
            f"cells, the chapter {len(chapter.nb.cells)}")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_markers(cell.source)
        for key in GRADER_KEYS:
            cell.metadata.pop(key, None)
    return nb


def execute(nb, cwd: Path, timeout: int = 600, allow_errors=False):
    _, _, NotebookClient = _imports()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   allow_errors=allow_errors,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def _with_answer_cells(nb, answer_metadata) -> None:
    """Drop the exercises' written solutions, and give each exercise a
    cell for the student's answer right after it."""
    _, nbformat, _ = _imports()
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        source = _SOLUTION_BLOCK.sub("", cell.source)
        pieces, last = [], 0
        for match in _EXERCISE_BLOCK.finditer(source):
            pieces.append(source[last:match.end()])
            last = match.end()
        rest = source[last:]
        if not pieces:
            cell.source = source
            cells.append(cell)
            continue
        pieces.append(rest)
        for k, piece in enumerate(pieces):
            part = copy.deepcopy(cell)
            part.source = piece.strip("\n")
            if "nbgrader" in part.metadata and k:
                part.metadata["nbgrader"]["grade_id"] += f"-{k}"
            if k == len(pieces) - 1:
                if piece.strip():
                    cells.append(part)
                break
            cells.append(part)
            label = re.search(r"^:label:\s*(\S+)", piece, re.M)
            answer = nbformat.v4.new_markdown_cell(ANSWER)
            answer.metadata.update(answer_metadata(
                label.group(1) if label else f"exercise-{k}"))
            cells.append(answer)
    nb.cells = cells


def student_notebook(chapter: Chapter, executed_key):
    """The student's notebook, built from the executed answer key."""
    nb = copy.deepcopy(executed_key)
    by_cell: dict[int, list[Region]] = {}
    for region in chapter.regions:
        by_cell.setdefault(region.cell, []).append(region)
    first_stub = min(by_cell) if by_cell else len(nb.cells)
    for i, cell in enumerate(nb.cells):
        for key in GRADER_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        if i in by_cell:
            cell.source = student_source(chapter.nb.cells[i], by_cell[i])
        if i in by_cell or i >= first_stub:
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    _with_answer_cells(nb, lambda label: {"answer": label})
    return nb


def check_points(chapter: Chapter) -> dict[int, int]:
    """Points of each check cell, from its ``points`` option (in MyST,
    ``:points: 4`` under ``:tags: [check]``): one per verdict the cell
    prints, so a check of four gradients is worth 4 (the test suite
    compares the two on the executed answer key)."""
    points = {}
    for i in chapter.check_cells():
        value = chapter.nb.cells[i].metadata.get("points")
        if isinstance(value, bool) or not isinstance(value, int) \
                or value < 1:
            raise ValueError(
                f"{chapter.path}: check cell {i} must have a points option "
                f"that is a positive int (:points: 1), got {value!r}")
        points[i] = value
    return points


def forbidden_names(chapter: Chapter, i: int) -> tuple[str, ...]:
    """The ``forbid`` option of check cell ``i``: names in scratchnet."""
    value = chapter.nb.cells[i].metadata.get("forbid", [])
    if not (isinstance(value, list)
            and all(isinstance(v, str) for v in value)):
        raise ValueError(
            f"{chapter.path}: check cell {i}'s forbid option must be a list "
            f"of names such as [twolayer.backward], got {value!r}")
    for name in value:
        _scan.resolve_forbidden([name])     # a name that exists
    return tuple(value)


def task_windows(chapter: Chapter) -> dict[int, tuple[int | None, list]]:
    """For each check cell: the code cell after which its task begins
    (the locked cell before the task's first solution cell, or None
    after a check cell), and the code cells of the task."""
    checks = set(chapter.check_cells())
    solutions = chapter.solution_cells()
    windows, cells = {}, []
    for i, cell in enumerate(chapter.nb.cells):
        if cell.cell_type != "code":
            continue
        if i not in checks:
            cells.append(i)
            continue
        first = next((k for k, j in enumerate(cells) if j in solutions),
                     len(cells))
        anchor = cells[first - 1] if first else None
        windows[i] = (anchor, cells[first:])
        cells = []
    return windows


def verify_tasks(chapter: Chapter) -> None:
    """Refuse a chapter whose own cells a graded check would hold against
    a student: a cell (or a solution cell's given lines) that changes a
    library, or a locked cell inside a task that uses what its check
    forbids."""
    by_cell: dict[int, list[Region]] = {}
    for region in chapter.regions:
        by_cell.setdefault(region.cell, []).append(region)
    trees, bindings = {}, _scan.Bindings()
    for i, cell in enumerate(chapter.nb.cells):
        if cell.cell_type == "code" and i not in chapter.check_cells():
            source = (student_source(cell, by_cell[i]) if i in by_cell
                      else cell.source)
            trees[i] = ast.parse(source)
            bindings.learn(trees[i])
            changes = [f for f in _scan.static_findings(
                trees[i], bindings, set(), dynamic=False)]
            if changes:
                raise ValueError(f"{chapter.path}: cell {i}: {changes[0]}")
    for i, (_, window) in task_windows(chapter).items():
        forbidden = {f"scratchnet.{n}" for n in forbidden_names(chapter, i)}
        for k in window:
            # The student's cell as handed out, and as the key fills it.
            key = ast.parse(strip_markers(chapter.nb.cells[k].source))
            found = [f for tree in (trees[k], key)
                     for f in _scan.static_findings(
                         tree, bindings, forbidden, dynamic=False)]
            if found:
                raise ValueError(
                    f"{chapter.path}: cell {k}, in the task of check cell "
                    f"{i}: {found[0]}; a student would lose the check's "
                    "points for it")


def _grading_source(cell, points: int, forbid: tuple[str, ...],
                    after: str | None) -> str:
    """A check cell as nbgrader grades it: a fresh checker, one point
    per verdict, and the hidden test. ``after``: the fingerprint of the
    cell after which the task's cells begin."""
    def indent(text: str) -> list[str]:
        return [f"    {line}".rstrip() for line in text.strip("\n")
                .split("\n")]

    lines = [
        "from importlib import reload",
        "",
        "import scratchnet.checks",
        "",
        "checks = reload(scratchnet.checks)  # a fresh checker",
        f"with checks.grading({points}, forbid={forbid!r},",
        f"                    after={after!r}) as grade:",
        *indent(cell.source)]
    hidden = cell.metadata.get("hidden", "")
    if hidden:
        lines += ["    ### BEGIN HIDDEN TESTS", *indent(hidden),
                  "    ### END HIDDEN TESTS"]
    return "\n".join([*lines, "grade.score"])


def _nbgrader_solution_source(cell) -> str:
    """nbgrader's markers kept; hints become comments above them."""
    lines = cell.source.split("\n")
    if "solution" in cell.metadata.get("tags", []):
        body = [x for x in lines if not is_marker(x)]
        hints = [f"# HINT: {_hint_text(x)}" for x in lines
                 if x.strip().startswith(HINT)]
        return "\n".join(hints + [BEGIN, *body, END])
    out = []
    for line in lines:
        if line.strip().startswith(HINT):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# HINT: {_hint_text(line)}")
        else:
            out.append(line)
    return "\n".join(out)


def nbgrader_notebook(chapter: Chapter, points: dict[int, int]):
    """The chapter as an nbgrader source notebook.

    Solution cells keep nbgrader's markers (``solution: true``); check
    cells are locked autograded tests worth ``points[i]``, graded per
    verdict by :func:`scratchnet.checks.grading`, with their hidden
    tests; every other cell is read-only, except one answer cell after
    each exercise. The exercises' written solutions are removed. Outputs
    are cleared.
    """
    verify_tasks(chapter)
    windows = task_windows(chapter)
    nb = copy.deepcopy(chapter.nb)
    solutions = chapter.solution_cells()
    counters: dict[str, int] = {}

    def grade_id(kind: str) -> str:
        counters[kind] = counters.get(kind, 0) + 1
        return f"{chapter.name}-{kind}-{counters[kind]}"

    for i, cell in enumerate(nb.cells):
        meta = {"schema_version": 3, "solution": False, "grade": False,
                "locked": True}
        if cell.cell_type == "markdown":
            meta["grade_id"] = grade_id("text")
        elif i in solutions:
            cell.source = _nbgrader_solution_source(cell)
            meta.update(solution=True, locked=False,
                        grade_id=grade_id("solution"))
        elif i in points:
            anchor = windows[i][0]
            cell.source = _grading_source(
                cell, points[i], forbidden_names(chapter, i),
                None if anchor is None else _scan.fingerprint(
                    nb.cells[anchor].source))
            meta.update(grade=True, points=points[i],
                        grade_id=grade_id("check"))
        else:
            meta["grade_id"] = grade_id("code")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in GRADER_KEYS:
            cell.metadata.pop(key, None)
        cell.metadata["nbgrader"] = meta
    nb.metadata.pop("jupytext", None)
    _with_answer_cells(nb, lambda label: {"answer": label})
    return nb


def write(path, out_dir, execute_key: bool = True, executed=None,
          convert=None) -> dict | None:
    """Write the student notebook, the answer key and the nbgrader source
    of one chapter.

    executed : the chapter as the book build executed it (then it is not
        executed again)
    convert : ``convert(nb, kind)`` turns a notebook's MyST markdown into
        what readers see, for kind "key", "student" or "nbgrader"

    Returns counts (stubs, checks, points) or None if the chapter has no
    solutions. The nbgrader source goes to
    ``<out_dir>/nbgrader/source/<chapter>/<chapter>.ipynb``.
    """
    _, nbformat, _ = _imports()
    chapter = load(path)
    if not chapter.regions:
        return None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    key = key_notebook(chapter, executed)
    if executed is None and execute_key:
        execute(key, chapter.path.resolve().parent)
    student = student_notebook(chapter, key)
    points = check_points(chapter)
    source_nb = nbgrader_notebook(chapter, points)
    if convert is not None:
        key = convert(key, "key")
        student = convert(student, "student")
        source_nb = convert(source_nb, "nbgrader")
    nbformat.write(key, out_dir / f"{chapter.name}-key.ipynb")
    nbformat.write(student, out_dir / f"{chapter.name}-student.ipynb")
    source = out_dir / "nbgrader" / "source" / chapter.name
    source.mkdir(parents=True, exist_ok=True)
    nbformat.write(source_nb, source / f"{chapter.name}.ipynb")
    return {"chapter": chapter.name, "stubs": len(chapter.regions),
            "checks": len(chapter.check_cells()),
            "points": sum(points.values())}
