"""Collect every chapter's reader's notebook, and one zip of them all.

Usage: python scripts/notebooks.py [BOOK_ROOT]

The HTML build writes each chapter, executed and in plain Jupyter
markdown, to ``_build/reader/`` (``book/_ext/reader_notebooks.py``): the
same notebooks the chapters' download links serve. This copies them to
``_build/notebooks/``, builds the book's package (``python -m build``:
the wheel and the sdist, in ``_build/dist/``) and zips the notebooks, the
wheel and a README as ``backprop-again-notebooks.zip``.
Run it after the HTML build (``make notebooks`` does both); the PDF build
does not touch ``_build/reader/``, so the order of the two does not
matter.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import yaml

ZIP_NAME = "backprop-again-notebooks.zip"
DIST_DIR = Path("_build") / "dist"

README = """\
# Backprop, Again: the chapters as notebooks

Each notebook is a chapter of the book, executed, with its outputs. Open
it in Jupyter (Python 3.11 or newer) and run it: its first cell installs
the book's package, backprop-again {version} (imported as scratchnet),
unless that version is already installed.

Without a network, install the package from the wheel in this folder
first, in the environment of your notebooks:

    pip install {wheel}

(scikit-learn too for the digits chapter: pip install scikit-learn.)
The Fashion-MNIST chapter downloads its data set, about 30 MB, on its
first run, into a cache folder; set SCRATCHNET_DATA to a folder that
holds the four files to use a copy you have.
"""


def build_dist(root: Path) -> Path:
    """The package's wheel and sdist in _build/dist; returns the wheel."""
    out = root / DIST_DIR
    shutil.rmtree(out, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out),
         str(root / "code")], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit("python -m build failed")
    wheels = sorted(out.glob("*.whl"))
    if len(wheels) != 1 or not list(out.glob("*.tar.gz")):
        raise SystemExit(f"expected one wheel and one sdist in {out}")
    return wheels[0]


def toc_files(root: Path) -> list[str]:
    """Every file of the table of contents, in order (without .md)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part["chapters"]:
            files.append(chapter["file"])
            files += [s["file"] for s in chapter.get("sections", [])]
    return files


def executed_pages(root: Path) -> list[str]:
    """The toc files that are notebooks (they have code cells)."""
    return [f for f in toc_files(root)
            if "```{code-cell}" in (root / f"{f}.md").read_text()]


def chapters(root: Path) -> list[str]:
    """The notebooks offered to readers: those with a download link (the
    instructors' page executes a hidden cell, and offers none)."""
    return [f for f in executed_pages(root)
            if "{nb-download}" in (root / f"{f}.md").read_text()]


def collect(root: Path) -> Path:
    reader = root / "_build" / "reader"
    out = root / "_build" / "notebooks"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    paths = []
    for chapter in chapters(root):
        source = reader / Path(chapter).with_suffix(".ipynb").name
        if not source.is_file():
            raise SystemExit(
                f"{source} is missing: build the book first (make book)")
        nb = nbformat.read(source, as_version=4)
        if not any(c.get("outputs") for c in nb.cells
                   if c.cell_type == "code"):
            raise SystemExit(f"{source} has no outputs: it was not executed")
        target = out / Path(chapter).with_suffix(".ipynb").name
        shutil.copy2(source, target)
        paths.append(target)
    wheel = build_dist(root)
    version = wheel.name.split("-")[1]
    archive = out / ZIP_NAME
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in paths:
            zf.write(path, arcname=f"backprop-again/{path.name}")
        zf.write(wheel, arcname=f"backprop-again/{wheel.name}")
        zf.writestr("backprop-again/README.md",
                    README.format(version=version, wheel=wheel.name))
    print(f"{len(paths)} notebooks, {wheel.name} and a README in {archive}")
    return archive


if __name__ == "__main__":
    collect(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve())
