"""Helpers for the book's notebooks that also work outside the book.

The chapters glue computed numbers into their prose with myst-nb's
``glue``. A reader who copies a cell into a notebook without myst-nb
installed should not get an ImportError, so the chapters import ``glue``
from here: it is myst-nb's own when myst-nb is installed, and otherwise a
stand-in that shows the value (when ``display=True``) and returns it.
"""

from __future__ import annotations

__all__ = ["glue", "run_solution"]

import contextlib
import io
import re
import textwrap
from pathlib import Path

try:
    from myst_nb import glue as _myst_glue
except ImportError:  # pragma: no cover - exercised without myst-nb
    _myst_glue = None


def glue(name: str, variable, display: bool = True):
    """Record ``variable`` under ``name`` for the book's ``{glue}`` roles.

    name : str, the key the prose refers to
    variable : any value; display : also show it in the cell's output
    """
    if not isinstance(name, str) or not name:
        raise TypeError(
            f"name must be a non-empty str, got {type(name).__name__}")
    if _myst_glue is not None:
        return _myst_glue(name, variable, display=display)
    if display:
        try:
            from IPython.display import display as show
        except ImportError:
            print(variable)
        else:
            show(variable)
    return None


def run_solution(chapter, label: str, namespace: dict) -> str:
    """What the code of exercise ``label``'s solution prints.

    chapter : the chapter's MyST file; label : the exercise's label, as
    in ``{solution} label``; namespace : the chapter's variables (the
    code runs in a copy, so it changes none of them). The code is the
    solution's indented block, exactly as the reader sees it; its
    printed lines come back joined by "; ".
    """
    text = Path(chapter).read_text()
    match = re.search(r"^```\{solution\} " + re.escape(label)
                      + r"\n(.*?)^```$", text, re.M | re.S)
    if match is None:
        raise ValueError(f"label must name a solution of {chapter}, "
                         f"got {label!r}")
    lines, block = match.group(1).splitlines(), []
    for line in lines:
        if line.startswith("    ") or (block and not line.strip()):
            block.append(line)
        elif block:
            break
    if not block:
        raise ValueError(f"the solution of {label!r} holds no code block")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(textwrap.dedent("\n".join(block)), label, "exec"),
             dict(namespace))
    return "; ".join(line.strip() for line in out.getvalue().splitlines()
                     if line.strip())
