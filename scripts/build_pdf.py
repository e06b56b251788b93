"""Build the PDF of the book and fail on any missing glyph.

Usage: python scripts/build_pdf.py [BOOK_ROOT]

Runs ``jupyter-book build --builder pdflatex`` (xelatex through
sphinx-jupyterbook-latex), then reads the LaTeX log: a "Missing
character" line means a glyph fell out of the PDF, and an undefined
reference prints as "??"; either fails the build.

The PDF build writes only what it owns: everything under ``_build/pdf/``
(its own doctrees and executed notebooks; the execution cache is shared,
so nothing runs twice). It never touches the HTML build's
``_build/jupyter_execute/``, from which the reader's notebooks are made.
The PDF is ``_build/pdf/{PDF_NAME}``, and is copied next to the HTML book,
as ``_build/html/{PDF_NAME}``, when the HTML book has been built, so that
the book's link to it works.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

PDF_NAME = "backprop-again.pdf"


def log_problems(log: str) -> list[str]:
    """What the LaTeX log says is missing from the PDF: glyphs that fell
    out ("Missing character") and references that print as "??"."""
    found = sorted({line.strip() for line in log.splitlines()
                    if "Missing character" in line})
    # TeX wraps its log at 79 columns, so the summary line is the sure sign.
    if "There were undefined references" in log:
        joined = log.replace("\n", "")
        found += sorted(set(re.findall(r"Reference `[^']*' on page \d+",
                                       joined))) or ["undefined references"]
    return found


def build_pdf(root: Path) -> Path:
    jb = Path(sys.executable).parent / "jupyter-book"
    start = time.perf_counter()
    own = root / "_build" / "pdf"
    subprocess.run([str(jb), "build", str(root), "--builder", "pdflatex",
                    "--path-output", str(own), "-W", "-n", "--keep-going"],
                   check=True, cwd=root)
    seconds = time.perf_counter() - start
    latex = own / "_build" / "latex"
    pdf = latex / "book.pdf"
    if not pdf.is_file():
        raise SystemExit(f"no PDF was written: {pdf} is missing")
    found = log_problems((latex / "book.log").read_text(errors="replace"))
    if found:
        raise SystemExit("the PDF is incomplete:\n" + "\n".join(found))
    final = own / PDF_NAME
    shutil.copy2(pdf, final)
    html = root / "_build" / "html"
    if html.is_dir():
        shutil.copy2(pdf, html / PDF_NAME)
    print(f"PDF: {final} built in {seconds:.0f} s")
    return final


if __name__ == "__main__":
    build_pdf(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve())
