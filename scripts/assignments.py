"""The assignments of a built book: handouts, answer keys, nbgrader sources.

Usage: python scripts/assignments.py [BOOK_ROOT] [--out FOLDER]

Run after the HTML build (``make assignments`` runs both). For every
chapter that marks solutions, ``scratchnet.assign`` writes to
``assignments/``:

* ``<chapter>-student.ipynb``, the handout: stubs for the solutions,
  the exercises without their written solutions, each followed by a
  cell for the answer;
* ``<chapter>-key.ipynb``, the answer key: the chapter as the book
  build executed it;
* ``nbgrader/source/<chapter>/<chapter>.ipynb``, the nbgrader source.

All three get the conversion that the book's downloads get
(``book/_ext/reader_notebooks.py``): glued numbers filled in,
references as the text the page shows, exercises as headed sections, and
no "Run this chapter" box; the handouts leave out the listings of the
package's code (``twolayer._backward`` is the answer to ``backward``).
Keys and sources are for instructors only: ``make site`` publishes the
handouts alone.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from scratchnet import assign

INTROS = {
    "key": ("*Backprop, Again*: **{title}**, the answer key of the "
            "assignment, executed. For instructors: do not hand it out."),
    "student": ("*Backprop, Again*: **{title}**, an assignment. Fill in "
                "every cell that raises `NotImplementedError` and run the "
                "check cell after it; answer each exercise in the cell "
                "below it. Install the book's package first: "
                "`pip install \"./code[book]\"` in the book's repository."),
}
INTROS["nbgrader"] = INTROS["student"]


def chapters(root: Path) -> list[Path]:
    return [p for p in sorted((root / "book").glob("*.md"))
            if assign.load(p).regions]


def build(root: Path, out: Path | None = None) -> dict:
    """Write every chapter's assignment; returns the counts by chapter."""
    sys.path.insert(0, str(root / "book" / "_ext"))
    import nbformat
    import reader_notebooks

    html = root / "_build" / "html"
    executed = root / "_build" / "jupyter_execute" / "book"
    if not (html / "index.html").is_file():
        raise SystemExit(f"{html}/index.html is missing: run make book")
    out = out or root / "assignments"
    shutil.rmtree(out, ignore_errors=True)
    counts = {}
    rendered = reader_notebooks.Rendered(
        html, [f"book/{p.stem}" for p in (root / "book").glob("*.md")])
    for path in chapters(root):
        docname = f"book/{path.stem}"

        def convert(nb, kind, docname=docname):
            converter = reader_notebooks.chapter_converter(
                rendered, html, root, docname, listings=kind == "key")
            return reader_notebooks.convert(
                nb, converter, rendered, INTROS[kind],
                strip=kind != "nbgrader")

        nb = nbformat.read(executed / f"{path.stem}.ipynb", as_version=4)
        counts[path.stem] = assign.write(path, out, executed=nb,
                                         convert=convert)
        print(f"{path.stem}: {counts[path.stem]['stubs']} stubs, "
              f"{counts[path.stem]['points']} points")
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path("."),
                        help="the book's root (default: .)")
    parser.add_argument("--out", type=Path, default=None,
                        help="the folder to write (default: "
                             "ROOT/assignments)")
    args = parser.parse_args(argv)
    build(args.root.resolve(), args.out and args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
