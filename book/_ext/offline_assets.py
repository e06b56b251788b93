"""Fail the HTML build if MathJax is not served from the book itself.

The book must render offline, so ``mathjax_path`` points into the book's
own ``_static`` folder (filled by ``make mathjax`` from the npm package).
A missing copy would leave raw TeX on every page: stop with a clear error
instead.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.errors import ExtensionError


def _check_mathjax(app) -> None:
    if app.builder.format != "html":
        return
    path = app.config.mathjax_path
    if "://" in path or path.startswith("//"):
        raise ExtensionError(
            f"mathjax_path must be a local file for an offline book, got "
            f"{path!r}")
    for static in app.config.html_static_path:
        if (Path(app.confdir) / static / path).is_file():
            return
    raise ExtensionError(
        f"MathJax not found: no {path} under html_static_path "
        f"{app.config.html_static_path}; run `make mathjax` (needs npm)")


def setup(app):
    app.connect("builder-inited", _check_mathjax)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
