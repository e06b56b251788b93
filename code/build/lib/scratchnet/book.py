"""Helpers for the book's notebooks that also work outside the book.

The chapters glue computed numbers into their prose with myst-nb's
``glue``. A reader who copies a cell into a notebook without myst-nb
installed should not get an ImportError, so the chapters import ``glue``
from here: it is myst-nb's own when myst-nb is installed, and otherwise a
stand-in that shows the value (when ``display=True``) and returns it.
"""

from __future__ import annotations

__all__ = ["glue"]

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
