"""The reader's copy: every chapter as an executed notebook in plain
Jupyter markdown.

myst-nb writes each executed chapter to ``_build/jupyter_execute/``, with
its markdown cells in MyST: roles (``{glue:text}``, ``{eq}``, ``{ref}``,
``{numref}``, ``{cite}``), labels, directives and the assignment markers,
which Jupyter shows as raw text. After the HTML build, this extension
turns each of them into what the HTML page shows, reading the numbers off
the built pages themselves:

* glued values become their formatted numbers, equation references
  "(5.4)", cross-references the target's title with its number
  ("*Gradient descent and training* (Chapter 8)"), citations the page's
  citation text, and display maths gets its number as ``\\tag``;
* admonitions become blockquotes, exercises headings with their number,
  solutions collapsed ``<details>`` blocks, list-tables markdown tables,
  literalincludes the code they include; figure captions follow their
  cell; labels, the "Run this chapter" box and marker lines go;
* every output stays (myst-nb has already moved the values glued with
  ``display=False`` out of the notebook, into ``<chapter>.glue.json``);
  the cells tagged ``remove-cell``, which the HTML page does not show
  either (the glue calls), go.

The notebooks are written to ``_build/reader/`` and over the HTML's own
``_downloads`` copies, so a download is the reader's copy whatever ran
before. ``make notebooks`` zips ``_build/reader/``. The build fails on any
construct it cannot convert.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from minus_signs import typeset
from myst_nb.core.variables import format_plain_text
from scratchnet.assign import GRADER_KEYS, strip_markers
from sphinx.errors import ExtensionError

READER_DIR = "reader"
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
LABEL = re.compile(r"^\([\w-]+\)=\s*$")
FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w-]+)\}\s*(.*)$")
MATH_LABEL = re.compile(r"^\$\$\s*\(([\w-]+)\)\s*$")


class ConversionError(ExtensionError):
    pass


# --- what the HTML shows -------------------------------------------------


class Rendered:
    """Numbers and titles as the built HTML pages show them."""

    def __init__(self, outdir: Path, docnames) -> None:
        self.equations: dict[str, str] = {}
        self.numrefs: dict[str, str] = {}
        self.refs: dict[str, str] = {}
        self.exercises: dict[str, str] = {}
        self.figures: dict[str, str] = {}
        self.tables: dict[str, str] = {}
        self.citations: dict[str, list[str]] = {}
        #: label -> the number of its section, "8" or "8.2"
        self.numbers: dict[str, str] = {}
        for docname in docnames:
            page = outdir / f"{docname}.html"
            if page.is_file():
                self._read(docname, BeautifulSoup(page.read_text(),
                                                  "html.parser"))

    def _read(self, docname, soup) -> None:
        for div in soup.select("div.math[id^=equation-]"):
            eqno = div.select_one("span.eqno")
            if eqno is not None:
                label = div["id"][len("equation-"):]
                self.equations[label] = eqno.get_text().strip("#¶ \n")
        for a in soup.select("a.reference.internal"):
            if "#" not in a.get("href", ""):
                continue
            fragment = a["href"].split("#", 1)[1]
            for kind, found in (("std-numref", self.numrefs),
                                ("std-ref", self.refs)):
                span = a.select_one(f"span.{kind}")
                if span is not None:
                    found[fragment] = " ".join(span.get_text().split())
        for anchor in soup.select("span[id], section[id]"):
            heading = (anchor.find(re.compile(r"^h[1-6]$"))
                       if anchor.name == "section" else
                       anchor.find_next_sibling())
            if heading is None or not re.match(r"^h[1-6]$", heading.name):
                continue
            number = heading.select_one("span.section-number")
            if number is not None:
                self.numbers[anchor["id"]] = number.get_text().strip(". ")
        for div in soup.select("div.exercise[id]"):
            title = div.select_one(".admonition-title")
            self.exercises[div["id"]] = " ".join(title.get_text().split())
        for fig in soup.select("figure[id], div.figure[id]"):
            number = fig.select_one("span.caption-number")
            if number is not None:
                self.figures[fig["id"]] = number.get_text().strip()
        for table in soup.select("table[id]"):
            number = table.select_one("span.caption-number")
            if number is not None:
                self.tables[table["id"]] = number.get_text().strip()
        self.citations[docname] = [
            " ".join(span.get_text().split())
            for span in soup.select("span.bibtex-citation")]

    def ref_title(self, label: str) -> str:
        if label not in self.refs:
            raise ConversionError(f"no title for the reference {label!r}")
        return self.refs[label]


# --- markdown -------------------------------------------------------------


class Converter:
    """Turns one chapter's MyST markdown cells into plain markdown."""

    def __init__(self, docname: str, rendered: Rendered, glued: dict,
                 srcdir: Path, listings: bool = True) -> None:
        self.docname = docname
        self.listings = listings         # include the package's code
        self.rendered = rendered
        self.glued = glued
        self.srcdir = srcdir
        self.cites = list(rendered.citations.get(docname, []))

    def fail(self, what: str):
        raise ConversionError(f"{self.docname}: {what}")

    def role(self, match: re.Match) -> str:
        name, text = match.group(1), match.group(2)
        if name == "glue:text":
            key, _, fmt = text.partition(":")
            if key not in self.glued:
                self.fail(f"no glued value {key!r}")
            # as the page shows it: a minus sign, not a hyphen
            return typeset(format_plain_text(self.glued[key], fmt or "s"))
        if name == "eq":
            if text not in self.rendered.equations:
                self.fail(f"no number for the equation {text!r}")
            return self.rendered.equations[text]
        if name in ("ref", "numref"):
            explicit = re.match(r"^(.*?)\s*<([\w-]+)>$", text)
            if name == "numref":
                if explicit:
                    return explicit.group(1)
                if text not in self.rendered.numrefs:
                    self.fail(f"no number for {text!r}")
                return self.rendered.numrefs[text]
            label = explicit.group(2) if explicit else text
            title = (explicit.group(1) if explicit
                     else f"*{self.rendered.ref_title(text)}*")
            number = self.rendered.numbers.get(label)
            if number is None:           # the appendix: no number
                return title
            kind = "Section" if "." in number else "Chapter"
            return f"{title} ({kind} {number})"
        if name == "cite":
            if not self.cites:
                self.fail(f"more citations than the page shows ({text})")
            return self.cites.pop(0)
        if name == "nb-download":
            return ""
        self.fail(f"cannot convert the role {{{name}}}")

    def inline(self, text: str) -> str:
        return ROLE.sub(self.role, text)

    def markdown(self, source: str) -> str:
        out = self.blocks(source.split("\n"))
        text = "\n".join(out).strip("\n")
        return re.sub(r"\n{3,}", "\n\n", text)

    def blocks(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if LABEL.match(line):
                i += 1
                continue
            fence = FENCE.match(line)
            if fence:
                marks, name, args = fence.groups()
                j = i + 1
                while j < len(lines) and lines[j].strip() != marks:
                    j += 1
                if j == len(lines):
                    self.fail(f"unclosed directive {{{name}}}")
                out += self.directive(name, args.strip(), lines[i + 1:j])
                i = j + 1
                continue
            if line.strip() == "$$":
                j = i + 1
                while j < len(lines) and not lines[j].startswith("$$"):
                    j += 1
                if j == len(lines):
                    self.fail("unclosed $$")
                body = lines[i + 1:j]
                closing = MATH_LABEL.match(lines[j])
                if closing:
                    label = closing.group(1)
                    if label not in self.rendered.equations:
                        self.fail(f"no number for the equation {label!r}")
                    number = self.rendered.equations[label].strip("()")
                    body = body + [f"\\tag{{{number}}}"]
                elif lines[j].strip() != "$$":
                    self.fail(f"cannot read the maths' end {lines[j]!r}")
                out += ["$$", *body, "$$"]
                i = j + 1
                continue
            out.append(self.inline(line))
            i += 1
        return out

    def directive(self, name: str, args: str, body: list[str]) -> list[str]:
        options: dict[str, str] = {}
        while body and re.match(r"^:[\w-]+:", body[0]):
            key, _, value = body.pop(0)[1:].partition(":")
            options[key] = value.strip()
        text = self.blocks(body)
        if name in ("admonition", "note", "tip", "warning", "important"):
            if any("{nb-download}" in line for line in body):
                return []            # "Run this chapter": this is the copy
            title = self.inline(args) if args else name.capitalize()
            return ["", *quote([f"**{title}**", "", *text]), ""]
        if name == "exercise":
            label = options.get("label", "")
            title = self.rendered.exercises.get(label)
            if title is None:
                self.fail(f"no number for the exercise {label!r}")
            return ["", f"### {title}", "", *text, ""]
        if name == "solution":
            title = self.rendered.exercises.get(args)
            if title is None:
                self.fail(f"no exercise {args!r} for a solution")
            return ["", "<details>", f"<summary>Solution to {title}"
                    "</summary>", "", *text, "", "</details>", ""]
        if name == "list-table":
            label = options.get("name", "")
            number = self.rendered.tables.get(label, "")
            rows = parse_list_table(text)
            head = int(options.get("header-rows", "0") or 0)
            return ["", f"**{number}** {self.inline(args)}".strip(), "",
                    *markdown_table(rows, head), ""]
        if name == "literalinclude":
            if not self.listings:           # a handout: not the answer
                what = options.get("pyobject") or Path(args).name
                return ["", f"*(The book shows the package's `{what}` "
                        "here, after the assignment.)*", ""]
            return ["", *self.literalinclude(args, options), ""]
        if name == "raw" and args == "html":
            return body
        if name == "only":                   # the HTML's content, not print's
            return text if "html" in args.split() else []
        self.fail(f"cannot convert the directive {{{name}}}")

    def literalinclude(self, path: str, options: dict) -> list[str]:
        file = (self.srcdir / Path(self.docname).parent / path).resolve()
        source = file.read_text()
        obj = options.get("pyobject")
        if obj:
            node = ast.parse(source)
            for name in obj.split("."):          # "Class.method" too
                found = [n for n in ast.iter_child_nodes(node)
                         if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                         and n.name == name]
                if not found:
                    self.fail(f"no {obj} in {path}")
                node = found[0]
            lines = source.split("\n")
            start = min([node.lineno]
                        + [d.lineno for d in node.decorator_list])
            source = "\n".join(lines[start - 1:node.end_lineno])
        language = options.get("language", "")
        return [f"```{language}", *source.rstrip("\n").split("\n"), "```"]


def quote(lines: list[str]) -> list[str]:
    return [f"> {line}".rstrip() for line in lines]


def parse_list_table(lines: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    for line in lines:
        if line.startswith("* - "):
            rows.append([line[4:].strip()])
        elif line.startswith("  - "):
            rows[-1].append(line[4:].strip())
        elif line.strip() and rows:
            rows[-1][-1] += " " + line.strip()
    return rows


def markdown_table(rows: list[list[str]], head: int) -> list[str]:
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]

    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    header = rows[0] if head else [""] * width
    body = rows[1:] if head else rows
    return [line(header), "|" + "---|" * width, *map(line, body)]


# --- notebooks ------------------------------------------------------------


def glued_values(nb, glue_file: Path) -> dict[str, str]:
    """Every glued value's text: myst-nb keeps the values glued with
    ``display=False`` in ``<chapter>.glue.json``, the others in the
    outputs."""
    values = {}
    if glue_file.is_file():
        for key, out in json.loads(glue_file.read_text()).items():
            if "text/plain" in out.get("data", {}):
                values[key] = out["data"]["text/plain"]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if meta and "text/plain" in out.get("data", {}):
                values[meta["name"]] = out["data"]["text/plain"]
    return values


INTRO = ("*Backprop, Again*: **{title}**, the chapter as an executed "
         "notebook. It runs on any machine with Python 3.11 or newer: its "
         "first cell installs the book's package, `backprop-again` "
         "(imported as `scratchnet`), unless that version is already "
         "installed.")

#: The first code cell of every download: the package the chapter was
#: built with, installed only when it is missing or of another version.
INSTALL = """\
# The book's package, {dist} {version}, imported as scratchnet. This cell
# installs it unless that version is already installed. Without a network,
# install the wheel that the book's site has beside the notebooks instead:
#     %pip install {wheel}
from importlib.metadata import PackageNotFoundError, version
{imports}
try:
    installed = version("{dist}")
except PackageNotFoundError:
    installed = None
if installed != "{version}"{extra_check}:
    %pip install --quiet "{requirement}"\
"""
DIST = "backprop-again"


def install_cell(docname: str, srcdir: Path):
    """The download's first code cell, for the package's version now."""
    from scratchnet import __version__
    source = (srcdir / f"{docname}.md").read_text()
    book = "sklearn" in source          # the [book] extra: scikit-learn
    extra = "[book]" if book else ""
    cell = nbformat.v4.new_code_cell(INSTALL.format(
        imports="from importlib.util import find_spec\n" if book else "",
        extra_check=' or find_spec("sklearn") is None' if book else "",
        dist=DIST, version=__version__,
        wheel=f"{DIST.replace('-', '_')}-{__version__}-py3-none-any.whl",
        requirement=f"{DIST}{extra}=={__version__}"))
    cell.metadata["tags"] = ["install"]
    return cell


def convert(nb, converter: Converter, rendered: Rendered, intro: str,
            strip: bool = True):
    """A notebook's MyST markdown cells as plain markdown, in place of
    the old ones (each keeps its metadata), with figure captions after
    their cells and ``intro`` (with ``{title}``) as the first cell.

    strip : remove the assignment markers from code cells (the nbgrader
        source keeps them)
    """
    nb = copy.deepcopy(nb)
    cells = []

    def added(text: str, near):
        cell = nbformat.v4.new_markdown_cell(text)
        meta = near.metadata.get("nbgrader") if near is not None else None
        if meta is not None:
            cell.metadata["nbgrader"] = {
                "schema_version": 3, "solution": False, "grade": False,
                "locked": True, "grade_id": f"{meta['grade_id']}-caption"}
        return cell

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = converter.markdown(cell.source)
            if text.strip():
                cell.source = text
                cell.pop("id", None)
                cells.append(cell)
            continue
        if cell.cell_type != "code":
            continue
        if "remove-cell" in cell.metadata.get("tags", []):
            continue            # the book's bookkeeping (glue): not shown
        if strip:
            cell.source = strip_markers(cell.source)
        cell.outputs = [o for o in cell.get("outputs", [])
                        if "scrapbook" not in o.get("metadata", {})]
        figure = cell.metadata.get("mystnb", {}).get("figure")
        cell.metadata.pop("mystnb", None)
        for key in GRADER_KEYS:
            cell.metadata.pop(key, None)
        cells.append(cell)
        if figure:
            number = rendered.figures.get(figure.get("name", ""), "")
            caption = converter.inline(" ".join(
                str(figure.get("caption", "")).split()))
            cells.append(added(f"*{number}* {caption}".strip(), cell))
    if converter.cites:
        converter.fail(f"{len(converter.cites)} citations left unmatched")
    title = next((c.source.split("\n", 1)[0].lstrip("# ").strip()
                  for c in cells if c.cell_type == "markdown"
                  and c.source.startswith("# ")), converter.docname)
    first = added(intro.format(title=title), cells[0] if cells else None)
    if "nbgrader" in first.metadata:
        first.metadata["nbgrader"]["grade_id"] = (
            f"{Path(converter.docname).name}-intro")
    nb.cells = [first, *cells]
    for key in ("jupytext", "mystnb", "widgets"):
        nb.metadata.pop(key, None)
    for k, cell in enumerate(nb.cells):     # the same ids on every build
        cell["id"] = f"cell-{k}"
    out = nbformat.v4.new_notebook(cells=nb.cells, metadata=nb.metadata)
    nbformat.validate(out)
    return out


def reader_notebook(nb, converter: Converter, rendered: Rendered):
    """The reader's copy of one executed chapter: its first code cell
    installs the book's package."""
    out = convert(nb, converter, rendered, INTRO)
    out.cells.insert(1, install_cell(converter.docname, converter.srcdir))
    for k, cell in enumerate(out.cells):     # the same ids on every build
        cell["id"] = f"cell-{k}"
    return out


def chapter_converter(rendered: Rendered, outdir: Path, srcdir: Path,
                      docname: str, listings: bool = True) -> Converter:
    """The converter of one chapter of a built book (``outdir`` is its
    HTML folder, next to ``jupyter_execute``); without ``listings``, the
    package's code that the chapter includes is left out (a handout)."""
    executed = outdir.parent / "jupyter_execute"
    nb = nbformat.read(executed / f"{docname}.ipynb", as_version=4)
    glued = glued_values(nb, executed / f"{docname}.glue.json")
    return Converter(docname, rendered, glued, srcdir, listings)


def write_reader_notebooks(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    write_all(Path(app.outdir), Path(app.srcdir), sorted(app.env.found_docs))


def write_all(outdir: Path, srcdir: Path, docnames: list[str]) -> dict:
    """Write every chapter's reader's copy; returns {file name: path}."""
    build = outdir.parent
    executed = build / "jupyter_execute"
    target = build / READER_DIR
    target.mkdir(exist_ok=True)
    rendered = Rendered(outdir, docnames)
    written = {}
    for docname in docnames:
        source = executed / f"{docname}.ipynb"
        if not source.is_file():
            continue
        nb = nbformat.read(source, as_version=4)
        if not any(c.cell_type == "code" for c in nb.cells):
            continue
        glued = glued_values(nb, executed / f"{docname}.glue.json")
        converter = Converter(docname, rendered, glued, srcdir)
        reader = reader_notebook(nb, converter, rendered)
        path = target / f"{Path(docname).name}.ipynb"
        nbformat.write(reader, path)
        written[path.name] = path
    for download in (outdir / "_downloads").glob("*/*.ipynb"):
        if download.name not in written:
            raise ConversionError(f"no reader's copy for {download}")
        download.write_bytes(written[download.name].read_bytes())
    return written


def setup(app):
    app.connect("build-finished", write_reader_notebooks)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
