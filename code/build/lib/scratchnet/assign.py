"""Turn a chapter into a student assignment and an answer key.

Usage::

    python -m scratchnet.assign book/backprop-output.md -o assignments/

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
  autograded tests that raise on failure, worth their ``points`` option).

Needs jupytext and nbclient (``pip install scratchnet[assign]``).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HINT = "### HINT:"
DEFAULT_HINT = "replace this line with your code"
_MARKER = re.compile(r"^\s*### (BEGIN SOLUTION|END SOLUTION|HINT:.*)\s*$")
_SOLUTION_BLOCK = re.compile(r"^```\{solution\}.*?^```[ \t]*$\n?",
                             re.S | re.M)


def _imports():
    try:
        import jupytext
        import nbformat
        from nbclient import NotebookClient
    except ImportError as err:  # pragma: no cover
        raise ImportError(
            "scratchnet.assign needs jupytext and nbclient: "
            "pip install 'scratchnet[assign]'") from err
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


def key_notebook(chapter: Chapter):
    nb = copy.deepcopy(chapter.nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_markers(cell.source)
    return nb


def execute(nb, cwd: Path, timeout: int = 600, allow_errors=False):
    _, _, NotebookClient = _imports()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   allow_errors=allow_errors,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def student_notebook(chapter: Chapter, executed_key):
    """The student's notebook, built from the executed answer key."""
    nb = copy.deepcopy(executed_key)
    by_cell: dict[int, list[Region]] = {}
    for region in chapter.regions:
        by_cell.setdefault(region.cell, []).append(region)
    first_stub = min(by_cell) if by_cell else len(nb.cells)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = _SOLUTION_BLOCK.sub("", cell.source)
            continue
        if cell.cell_type != "code":
            continue
        if i in by_cell:
            cell.source = student_source(chapter.nb.cells[i], by_cell[i])
        if i in by_cell or i >= first_stub:
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


STRICT_LINE = "checks.raise_on_failure()  # a failed check raises"


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
    cells are locked autograded tests worth ``points[i]``, made to raise
    on failure; every other cell is read-only. The exercises' written
    solutions are removed. Outputs are cleared.
    """
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
            cell.source = _SOLUTION_BLOCK.sub("", cell.source)
            meta["grade_id"] = grade_id("text")
        elif i in solutions:
            cell.source = _nbgrader_solution_source(cell)
            meta.update(solution=True, locked=False,
                        grade_id=grade_id("solution"))
        elif i in points:
            cell.source = f"{STRICT_LINE}\n{cell.source}"
            meta.update(grade=True, points=points[i],
                        grade_id=grade_id("check"))
        else:
            meta["grade_id"] = grade_id("code")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata["nbgrader"] = meta
    nb.metadata.pop("jupytext", None)
    return nb


def write(path, out_dir, execute_key: bool = True) -> dict | None:
    """Write the student notebook, the answer key and the nbgrader source
    of one chapter.

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
    key = key_notebook(chapter)
    if execute_key:
        execute(key, chapter.path.resolve().parent)
    student = student_notebook(chapter, key)
    nbformat.write(key, out_dir / f"{chapter.name}-key.ipynb")
    nbformat.write(student, out_dir / f"{chapter.name}-student.ipynb")
    points = check_points(chapter)
    source = out_dir / "nbgrader" / "source" / chapter.name
    source.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbgrader_notebook(chapter, points),
                   source / f"{chapter.name}.ipynb")
    return {"chapter": chapter.name, "stubs": len(chapter.regions),
            "checks": len(chapter.check_cells()),
            "points": sum(points.values())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scratchnet.assign",
        description="Write a student notebook and an answer key for each "
                    "chapter that marks solutions.")
    parser.add_argument("chapters", nargs="+", type=Path,
                        help="MyST chapters (book/*.md)")
    parser.add_argument("-o", "--out", type=Path, default=Path("assignments"),
                        help="output folder (default: assignments/)")
    parser.add_argument("--no-execute", action="store_true",
                        help="do not execute the answer key")
    args = parser.parse_args(argv)
    for path in args.chapters:
        counts = write(path, args.out, execute_key=not args.no_execute)
        if counts is None:
            print(f"{path}: no solutions marked, skipped")
        else:
            print(f"{path}: {counts['stubs']} stubs, {counts['checks']} "
                  f"check cells, {counts['points']} points -> {args.out}/"
                  f"{counts['chapter']}-{{student,key}}.ipynb and "
                  f"{args.out}/nbgrader/source/{counts['chapter']}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
