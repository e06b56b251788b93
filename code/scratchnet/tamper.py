"""The tamper report: what in a submitted notebook a person should read.

Usage (in an nbgrader course folder, after ``nbgrader collect`` or with
the submissions in ``submitted/``)::

    python -m scratchnet.tamper backprop-output [--course .]

For each student's submission of the assignment it compares the notebook
with the released one (``release/<assignment>/``) and reads the code of
every cell that the student could write. It flags:

* locked cells (read-only or graded checks) that were deleted, edited or
  turned into another type, and cells the student added;
* a change to a library in a student's cell: an assignment to, or
  deletion of, an attribute of a module or of what a module defines
  (``checks.raise_on_failure = ...``), ``sys.modules[...] = ...``;
* a use of the package's own implementation of a task
  (``twolayer.backward`` where the task is to write ``backward``), as the
  check cells' ``forbid`` lists name them, followed through imports and
  plain assignments (``f = twolayer.backward``);
* dynamic code (``exec``, ``eval``, ``getattr``, ``__import__``, ...),
  which can hide both.

nbgrader restores locked cells before it grades, and graded check cells
give no points for the last two (:func:`scratchnet.checks.grading`); the
report shows what was tried, and what the grader could not see.

What it cannot catch: a name built at run time inside code it flags as
dynamic only says "read it"; an answer copied from a variable the
chapter already holds (``probs = cache["P"]``, the chapter's ``P_ref``)
or typed in as numbers; code that reads the answer from a file or the
network. Read the flagged notebooks, and the code of any score that looks
too good.

Exit status: 0 when nothing is flagged, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import _scan


def _nbformat():
    try:
        import nbformat
    except ImportError as err:  # pragma: no cover
        raise ImportError(
            "scratchnet.tamper needs nbformat: "
            "pip install 'backprop-again[assign]'") from err
    return nbformat


@dataclass
class Finding:
    student: str
    cell: int
    what: str

    def __str__(self) -> str:
        where = f"cell {self.cell}" if self.cell >= 0 else "notebook"
        return f"{self.student}: {where}: {self.what}"


@dataclass
class Report:
    assignment: str
    students: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def flagged(self) -> list[str]:
        return sorted({f.student for f in self.findings})

    def text(self) -> str:
        lines = [f"tamper report for {self.assignment}: "
                 f"{len(self.students)} submissions, "
                 f"{len(self.flagged())} flagged"]
        lines += [f"  {f}" for f in self.findings]
        return "\n".join(lines)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _forbidden(release) -> set[str]:
    """The ``forbid`` names of every graded check of the notebook."""
    names: set[str] = set()
    for cell in release.cells:
        if cell.cell_type != "code" or not _meta(cell).get("grade"):
            continue
        tree = _scan._parse(cell.source)
        for node in ast.walk(tree) if tree else ():
            if not (isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "grading"):
                continue
            for kw in node.keywords:
                if kw.arg == "forbid":
                    names |= {f"scratchnet.{n}"
                              for n in ast.literal_eval(kw.value)}
    return names


def check_submission(student: str, submitted, release,
                     forbidden: set[str]) -> list[Finding]:
    """The findings in one submitted notebook."""
    findings: list[Finding] = []
    locked = {_meta(c)["grade_id"]: c for c in release.cells
              if _meta(c).get("locked") or _meta(c).get("grade")}
    released_ids = {_meta(c).get("grade_id") for c in release.cells}
    cell_ids = {c.get("id") for c in release.cells}
    seen = set()
    bindings = _scan.Bindings()
    for k, cell in enumerate(submitted.cells):
        gid = _meta(cell).get("grade_id")
        if gid in locked:
            seen.add(gid)
            old = locked[gid]
            if cell.cell_type != old.cell_type:
                findings.append(Finding(
                    student, k, f"the locked cell {gid} became a "
                    f"{cell.cell_type} cell"))
            elif cell.source.strip() != old.source.strip():
                findings.append(Finding(
                    student, k, f"the locked cell {gid} was edited"))
        elif gid is None and cell.get("id") not in cell_ids:
            first = (cell.source.strip().split("\n") or [""])[0][:60]
            findings.append(Finding(
                student, k, f"an added {cell.cell_type} cell: {first!r}"))
        elif gid is not None and gid not in released_ids:
            findings.append(Finding(
                student, k, f"a cell with an unknown grade_id {gid!r}"))
        if cell.cell_type != "code":
            continue
        tree = _scan._parse(cell.source)
        if tree is None:
            if gid not in locked:
                findings.append(Finding(student, k,
                                        "code that does not parse"))
            continue
        if gid in locked and cell.source.strip() == \
                locked[gid].source.strip():
            bindings.learn(tree)            # the chapter's own imports
            continue
        for what in _scan.static_findings(tree, bindings, forbidden):
            findings.append(Finding(student, k, what))
        bindings.learn(tree)
    for gid in locked:
        if gid not in seen:
            findings.append(Finding(student, -1,
                                    f"the locked cell {gid} was deleted"))
    return findings


def report(course: Path, assignment: str) -> Report:
    """Check every submission of ``assignment`` in the course folder."""
    nbformat = _nbformat()
    course = Path(course)
    release_dir = course / "release" / assignment
    releases = sorted(release_dir.glob("*.ipynb"))
    if not releases:
        raise ValueError(
            f"assignment {assignment!r} has no released notebook in "
            f"{release_dir}: run nbgrader generate_assignment first")
    result = Report(assignment)
    submitted = course / "submitted"
    for folder in sorted(submitted.glob(f"*/{assignment}")):
        student = folder.parent.name
        result.students.append(student)
        for path in releases:
            release = nbformat.read(path, as_version=4)
            target = folder / path.name
            if not target.is_file():
                result.findings.append(Finding(
                    student, -1, f"no {path.name} in the submission"))
                continue
            try:
                nb = nbformat.read(target, as_version=4)
            except Exception as err:  # noqa: BLE001 (any unreadable file)
                result.findings.append(Finding(
                    student, -1, f"{path.name} does not read: {err}"))
                continue
            result.findings += check_submission(student, nb, release,
                                                _forbidden(release))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scratchnet.tamper",
        description="Flag what in the submissions of an nbgrader "
                    "assignment a person should read.")
    parser.add_argument("assignment", help="the assignment, e.g. "
                                           "backprop-output")
    parser.add_argument("--course", type=Path, default=Path("."),
                        help="the nbgrader course folder (default: .)")
    args = parser.parse_args(argv)
    result = report(args.course, args.assignment)
    print(result.text())
    return 1 if result.findings else 0


if __name__ == "__main__":
    sys.exit(main())
