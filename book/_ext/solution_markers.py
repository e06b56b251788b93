"""Hide the assignment markers from the book.

Chapters mark solutions with nbgrader's ``### BEGIN SOLUTION`` and
``### END SOLUTION`` lines and give hints with ``### HINT: ...`` (see
``scratchnet.assign``). They are comments, so the cells execute as they
are; this extension removes those lines from every code block before it
is written, so neither the HTML nor the PDF (nor the copy button) shows
them.

It also gives the code in exercise solutions its syntax colour. MyST
writes an indented block (the form that nests in a fenced ``solution``
directive without more backticks) as plain text; a block that parses as
Python is marked as Python.
"""

from __future__ import annotations

import ast

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


def _is_python(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _colour_solutions(app, doctree) -> None:
    from sphinx_exercise.nodes import solution_node

    for solution in doctree.findall(solution_node):
        for block in solution.findall(nodes.literal_block):
            if (block.get("language", "none") == "none"
                    and _is_python(block.astext())):
                block["language"] = "python"


def setup(app):
    app.connect("doctree-read", _strip)
    app.connect("doctree-read", _colour_solutions)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
