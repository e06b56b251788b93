"""Assemble the folder a publisher deploys, and check it.

Usage: python scripts/publish_site.py [BOOK_ROOT]

Run after ``make book pdf notebooks assignments`` (``make site`` runs them
all). It puts next to the HTML book, in ``_build/html/``:

* the PDF, ``backprop-again.pdf`` (from ``_build/pdf/``);
* the notebooks' zip, ``backprop-again-notebooks.zip`` (``_build/notebooks``),
  and the package's wheel (``_build/dist``), which the intro links;
* the handouts' zip, ``backprop-again-handouts.zip``: the student
  notebooks of ``assignments/`` and nothing else. The answer keys and the
  nbgrader sources hold the solutions: they stay with the instructor
  (``make assignments``, ``make course``) and are never deployed;
  :func:`leaks` fails the site if any reaches it.

Then it checks the folder as a static host serves it: every internal link
and every asset (``href``, ``src``) of every HTML page points to a file
that exists inside the folder, and none points outside it (``../`` out of
the folder, ``file:``, or an absolute path). Links to other sites
(``https://...``) are allowed in ``<a>`` only; assets must be local.
"""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from bs4 import BeautifulSoup
from build_pdf import PDF_NAME as PDF  # scripts/build_pdf.py
from notebooks import DIST_DIR  # scripts/notebooks.py
from notebooks import ZIP_NAME as NOTEBOOKS_ZIP

HANDOUTS_ZIP = "backprop-again-handouts.zip"
#: What only instructors may have: answer keys and nbgrader sources.
INSTRUCTORS_ONLY = ("-key.ipynb", "nbgrader/", "/source/", "gradebook")


def assemble(root: Path) -> Path:
    html = root / "_build" / "html"
    if not (html / "index.html").is_file():
        raise SystemExit(f"{html}/index.html is missing: run make book")
    needed = {
        root / "_build" / "pdf" / PDF: "make pdf",
        root / "_build" / "notebooks" / NOTEBOOKS_ZIP: "make notebooks",
        root / "assignments": "make assignments",
    }
    for path, command in needed.items():
        if not path.exists():
            raise SystemExit(f"{path} is missing: run {command}")
    shutil.copy2(root / "_build" / "pdf" / PDF, html / PDF)
    shutil.copy2(root / "_build" / "notebooks" / NOTEBOOKS_ZIP,
                 html / NOTEBOOKS_ZIP)
    for old in html.glob("*.whl"):
        old.unlink()
    for wheel in (root / DIST_DIR).glob("*.whl"):
        shutil.copy2(wheel, html / wheel.name)
    files = sorted((root / "assignments").glob("*-student.ipynb"))
    if not files:
        raise SystemExit("assignments/ has no handouts: run make "
                         "assignments")
    (html / "backprop-again-assignments.zip").unlink(missing_ok=True)
    with zipfile.ZipFile(html / HANDOUTS_ZIP, "w",
                         zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            zf.write(path, arcname=f"backprop-again-handouts/{path.name}")
    return html


def leaks(html: Path, solutions: dict[str, list[str]]) -> list[str]:
    """Every file of the site, and every member of its zips, that is an
    answer key or an nbgrader source, or a handout that holds a line of
    its chapter's ``solutions`` (chapter -> solution lines; the book's
    own pages and executed chapters show them, and are not handouts)."""
    found = []

    def look(name: str, data: bytes) -> None:
        if any(mark in name for mark in INSTRUCTORS_ONLY):
            found.append(f"{name}: for instructors only")
        elif name.endswith("-student.ipynb"):
            chapter = Path(name).name[:-len("-student.ipynb")]
            text = data.decode(errors="replace")
            for line in solutions.get(chapter, []):
                if line in text:
                    found.append(f"{name}: holds the solution line "
                                 f"{line!r}")
        if name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for member in zf.namelist():
                    look(f"{name}!{member}", zf.read(member))

    for path in sorted(p for p in html.rglob("*") if p.is_file()):
        look(str(path.relative_to(html)), path.read_bytes())
    return found


ASSET_TAGS = {"img": "src", "script": "src", "link": "href",
              "source": "src", "iframe": "src"}


def check(html: Path) -> tuple[int, list[str]]:
    """Every link and asset of every page: (how many checked, problems)."""
    html = html.resolve()
    problems: list[str] = []
    checked = 0
    # The pages, not the theme's template fragments in _static/.
    pages = sorted(p for p in html.rglob("*.html")
                   if "_static" not in p.relative_to(html).parts)
    for page in pages:
        soup = BeautifulSoup(page.read_text(errors="replace"), "html.parser")
        refs = [(tag.name, tag.get("href")) for tag in soup.find_all("a")]
        refs += [(name, tag.get(attr)) for name, attr in ASSET_TAGS.items()
                 for tag in soup.find_all(name)]
        for tag, ref in refs:
            if not ref or ref.startswith(("#", "mailto:", "data:",
                                          "javascript:")):
                continue
            url = urlparse(ref)
            where = f"{page.relative_to(html)}: {tag} {ref}"
            if url.scheme in ("http", "https") or ref.startswith("//"):
                if tag != "a":
                    problems.append(f"{where}: an asset from another host")
                continue
            if url.scheme or ref.startswith("/"):
                problems.append(f"{where}: not a relative link")
                continue
            target = (page.parent / unquote(url.path)).resolve()
            checked += 1
            if html not in target.parents and target != html:
                problems.append(f"{where}: points outside the site")
            elif not target.exists():
                problems.append(f"{where}: no such file")
    if not pages:
        problems.append(f"{html} has no HTML pages")
    return checked, problems


def solution_lines(root: Path) -> dict[str, list[str]]:
    """Each chapter's solution lines: their code without comments, at
    least 7 characters (shorter ones such as ``m = 1`` are not telling).
    A line that the chapter also gives outside its solutions (the setup
    cell of backprop-hidden computes the last chapter's dZ2) is left out:
    it is the chapter's, not an answer."""
    from scratchnet import assign
    lines = {}
    for path in sorted((root / "book").glob("*.md")):
        chapter = assign.load(path)
        given = "\n".join(
            assign.student_source(c, [r for r in chapter.regions
                                      if r.cell == i])
            if i in chapter.solution_cells() else c.source
            for i, c in enumerate(chapter.nb.cells)
            if c.cell_type == "code")
        codes = {line.split("#", 1)[0].strip()
                 for region in chapter.regions for line in region.lines}
        found = sorted(c for c in codes if len(c) > 6 and c not in given)
        if found:
            lines[path.stem] = found
    return lines


def main(root: Path) -> int:
    html = assemble(root)
    checked, problems = check(html)
    problems += leaks(html, solution_lines(root))
    if checked == 0:
        problems.append("no link was checked")
    if problems:
        print("\n".join(problems[:50]), file=sys.stderr)
        print(f"{len(problems)} broken or outside links", file=sys.stderr)
        return 1
    print(f"site: {html} ({checked} links and assets checked), with "
          f"{PDF}, {NOTEBOOKS_ZIP} and {HANDOUTS_ZIP}; no answer key")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
