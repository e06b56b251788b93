"""Accessibility fixes to the HTML pages that the themes write.

After the HTML build, for every page of the book:

* the citation list's entries get ``role="listitem"``: docutils writes
  ``role="doc-biblioentry"`` (deprecated in ARIA 1.3) inside a
  ``role="list"``, which needs list items (axe: aria-required-children);
* the search buttons lose ``aria-label="Search"``, so that their name is
  their visible text, "Search Ctrl+K" (axe: label-content-name-mismatch);
* the colour-mode button's icons lose their ``title`` (fontawesome turns
  it into text inside the button that its label "Color mode" does not
  contain; the label says what the button does).

The header's download menu offers what a reader wants: the chapter as
the executed notebook (the same file as the chapter's own download link)
and the book's PDF (``backprop-again.pdf``, which ``make site`` puts at
the site's root), instead of the theme's raw MyST source and the
browser's print dialog.

And the root ``index.html``, which only redirects to the first page, is
written as a whole document with a language and a title (axe:
html-has-lang, document-title); sphinx-external-toc writes a bare
``<meta>`` line there otherwise.
"""

from __future__ import annotations

import re
from pathlib import Path

BUTTON = re.compile(r"<button\b[^>]*>")
ICON_TITLE = re.compile(r'(<i class="theme-switch [^"]*" data-mode="\w+")'
                        r'\s+title="[^"]*"')


def _search_button(match: re.Match) -> str:
    tag = match.group(0)
    if "search-button__button" in tag:
        tag = tag.replace(' aria-label="Search"', "")
    return tag


INDEX = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta http-equiv="refresh" content="0; url={target}">
</head>
<body>
<p><a href="{target}">{title}</a></p>
</body>
</html>
"""


def polish(text: str) -> str:
    text = text.replace('role="doc-biblioentry"', 'role="listitem"')
    text = BUTTON.sub(_search_button, text)
    return ICON_TITLE.sub(r"\1", text)


def _polish_pages(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        if "_static" in page.relative_to(outdir).parts:
            continue
        text = page.read_text(encoding="utf-8")
        fixed = polish(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")
    root = app.config.master_doc
    (outdir / "index.html").write_text(INDEX.format(
        lang=app.config.language or "en", title=app.config.project,
        target=f"{root}.html"), encoding="utf-8")


PDF = "backprop-again.pdf"


def notebook_download(app, pagename: str) -> str | None:
    """The page's executed notebook under ``_downloads``, or None."""
    name = f"{Path(pagename).name}.ipynb"
    for source, (docnames, dest) in app.env.dlfiles.items():
        if pagename in docnames and Path(source).name == name:
            return f"_downloads/{dest}"
    return None


def download_menu(app, pagename, templatename, context, doctree) -> None:
    pathto = context["pathto"]
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        buttons = []
        notebook = notebook_download(app, pagename)
        if notebook:
            buttons.append({
                "type": "link", "url": pathto(notebook, 1),
                "text": ".ipynb", "icon": "fas fa-code",
                "tooltip": "Download this chapter as an executed notebook",
                "label": "download-notebook-button"})
        buttons.append({
            "type": "link", "url": pathto(PDF, 1), "text": "PDF",
            "icon": "fas fa-file-pdf",
            "tooltip": "Download the whole book as a PDF",
            "label": "download-pdf-button"})
        group["buttons"] = buttons
        group["tooltip"] = "Download"


def setup(app):
    # After sphinx-external-toc's own index.html (priority 500).
    app.connect("build-finished", _polish_pages, priority=900)
    # After sphinx-book-theme has made its header buttons (priority 500).
    app.connect("html-page-context", download_menu, priority=900)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
