"""Assemble the folder a publisher deploys, and check it.

Usage: python scripts/publish_site.py [BOOK_ROOT]

Run after ``make book pdf notebooks assignments`` (``make site`` runs them
all). It puts next to the HTML book, in ``_build/html/``:

* the PDF, ``backprop-again.pdf`` (from ``_build/pdf/``);
* the notebooks' zip, ``backprop-again-notebooks.zip`` (``_build/notebooks``);
* the assignments' zip, ``backprop-again-assignments.zip``: the student
  notebooks, the answer keys and the nbgrader sources of ``assignments/``.

Then it checks the folder as a static host serves it: every internal link
and every asset (``href``, ``src``) of every HTML page points to a file
that exists inside the folder, and none points outside it (``../`` out of
the folder, ``file:``, or an absolute path). Links to other sites
(``https://...``) are allowed in ``<a>`` only; assets must be local.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from bs4 import BeautifulSoup
from build_pdf import PDF_NAME as PDF  # scripts/build_pdf.py
from notebooks import ZIP_NAME as NOTEBOOKS_ZIP  # scripts/notebooks.py

ASSIGNMENTS_ZIP = "backprop-again-assignments.zip"


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
    files = sorted(p for p in (root / "assignments").rglob("*")
                   if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    if not files:
        raise SystemExit("assignments/ is empty: run make assignments")
    with zipfile.ZipFile(html / ASSIGNMENTS_ZIP, "w",
                         zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            zf.write(path, arcname=str(Path("backprop-again-assignments")
                                       / path.relative_to(
                                           root / "assignments")))
    return html


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


def main(root: Path) -> int:
    html = assemble(root)
    checked, problems = check(html)
    if checked == 0:
        problems.append("no link was checked")
    if problems:
        print("\n".join(problems[:50]), file=sys.stderr)
        print(f"{len(problems)} broken or outside links", file=sys.stderr)
        return 1
    print(f"site: {html} ({checked} links and assets checked), with "
          f"{PDF}, {NOTEBOOKS_ZIP} and {ASSIGNMENTS_ZIP}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
