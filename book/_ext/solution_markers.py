"""Hide the assignment markers from the book.

Chapters mark solutions with nbgrader's ``### BEGIN SOLUTION`` and
``### END SOLUTION`` lines and give hints with ``### HINT: ...`` (see
``scratchnet.assign``). They are comments, so the cells execute as they
are; this extension removes those lines from every code block before it
is written, so neither the HTML nor the PDF (nor the copy button) shows
them.
"""

from __future__ import annotations

from docutils import nodes
from scratchnet.assign import is_marker, strip_markers


def in_cell_part(node, part: str) -> bool:
    """Whether node lies in a notebook cell's ``part``: "cell_input" (the
    code) or "cell_output" (what it printed or drew)."""
    while node is not None:
        if part in node.get("classes", []):
            return True
        node = node.parent
    return False


def _strip(app, doctree) -> None:
    # Only the inputs of executed cells: a fenced example in the prose
    # (such as the one on the instructors' page) keeps its markers.
    for block in list(doctree.findall(nodes.literal_block)):
        if not in_cell_part(block, "cell_input"):
            continue
        text = block.astext()
        if any(is_marker(line) for line in text.split("\n")):
            clean = strip_markers(text)
            block.children = [nodes.Text(clean)]
            block.rawsource = clean


def setup(app):
    app.connect("doctree-read", _strip)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
