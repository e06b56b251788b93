"""Every cell runs when pasted into a fresh notebook after the setup cell.

For each chapter, each code cell after the first (the setup cell) is run
in a kernel whose namespace was just wiped with ``%reset -f`` and refilled
by the setup cell alone, so a cell that leans on an earlier cell's
variables, or on another chapter, fails here.
"""

from __future__ import annotations

import jupytext
import nbformat
import pytest
from conftest import ROOT, notebook_chapters
from nbclient import NotebookClient

CHAPTERS = notebook_chapters()


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_cell_runs_after_the_setup_cell_alone(chapter, tmp_path):
    nb = jupytext.read(ROOT / f"{chapter}.md")
    code = [c for c in nb.cells if c.cell_type == "code"]
    # A check cell tests the cell above it, so it runs after that cell; a
    # removed cell (the glue calls) is not the reader's, and the setup
    # cell's own removed companion (the glue import) goes with it.
    setup = code[0]
    rest = [c for c in code[1:]
            if not {"check", "remove-cell"} & set(c.metadata.get("tags",
                                                                  []))]
    cells = []
    for i, cell in enumerate(rest, start=1):
        cells.append(nbformat.v4.new_code_cell("%reset -f"))
        cells.append(nbformat.v4.new_code_cell(setup.source))
        cells.append(nbformat.v4.new_code_cell(
            f"# {chapter}, code cell {i}\n" + cell.source))
    probe = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    NotebookClient(probe, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
