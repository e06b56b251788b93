"""Fail the build when a cell's output would embarrass the page.

An executed cell may print things a reader should never see: a warning
(``TqdmWarning: IProgress not found ...``, a ``DeprecationWarning``), or a
path of the machine that built the book (its source folder, the
virtualenv, the home folder, any temporary folder). This extension reads
the outputs of every executed cell and logs a Sphinx warning for each
such output; the book is built with ``-W``, so the build fails and names
the page.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from docutils import nodes
from solution_markers import in_cell_part
from sphinx.util import logging

logger = logging.getLogger(__name__)

WARNING = re.compile(r"\b[A-Z]\w*Warning\b")
#: Any temporary folder (``/tmp/tmpab12cd``), not only the build's own.
TEMPORARY = re.compile(re.escape(tempfile.gettempdir()) + r"/[\w.-]+")


def machine_paths(srcdir) -> list[str]:
    """Folders of the building machine whose names must not be printed."""
    found = {str(Path(srcdir).resolve()), str(Path(sys.prefix).resolve()),
             os.path.expanduser("~")}
    found |= {str(Path(p).resolve()) for p in sys.path
              if p and len(Path(p).resolve().parts) > 2}
    return sorted((p for p in found if len(p) > 1), key=len, reverse=True)


def problems(text: str, paths: list[str]) -> list[str]:
    """What is wrong with one output's text (empty if nothing)."""
    found = [f"a warning ({m.group(0)})" for m in WARNING.finditer(text)]
    found += [f"a path of the build machine ({p})" for p in paths
              if p in text]
    found += [f"a temporary folder ({m.group(0)})"
              for m in TEMPORARY.finditer(text)]
    return found


def _check(app, doctree) -> None:
    paths = machine_paths(app.srcdir)
    for block in doctree.findall(nodes.literal_block):
        if not in_cell_part(block, "cell_output"):
            continue
        text = block.astext()
        found = problems(text, paths)
        if "stderr" in block.get("classes", []) and not found:
            found = ["output on stderr"]
        if found:
            logger.warning("a cell's output shows %s: %r",
                           "; ".join(found), text[:200], location=block)


def setup(app):
    app.connect("doctree-read", _check)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
