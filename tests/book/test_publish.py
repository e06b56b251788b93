"""The reader's copy and the published site, built in the publisher's order.

A publisher runs ``make book``, then ``make pdf``, then ``make notebooks``,
and may build the book again before ``make site``. These tests take the
book built once from scratch (``built_html``), build its PDF
(``built_pdf``), collect the notebooks, build the HTML again, write the
assignments and assemble the site: book -> pdf -> notebooks -> book ->
site. Then every downloaded notebook must be a reader's copy: executed,
in plain Jupyter markdown, with a first cell that installs the book's
package (test_reader_machine.py runs them on a bare environment).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, jupyter_book, notebook_chapters

sys.path.insert(0, str(ROOT / "scripts"))
import publish_site  # noqa: E402  (scripts/publish_site.py)

pytestmark = [pytest.mark.book, pytest.mark.xdist_group("built")]

CHAPTERS = [Path(c).name for c in notebook_chapters()]

#: What Jupyter would show as raw text: MyST roles, directives, labels,
#: fences of colons, and the assignment markers.
RAW_MYST = re.compile(
    r"\{[\w:-]+\}`|`{3,}\{[\w-]+\}|^:{3,}|^\([\w-]+\)=\s*$"
    r"|### (BEGIN SOLUTION|END SOLUTION|HINT:)|^:(tags|label|class|name):",
    re.M)


def run(*cmd, cwd):
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, text=True,
                            capture_output=True, timeout=1800)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result


@pytest.fixture(scope="session")
def published(built_pdf):
    """book (built_html) -> pdf (built_pdf) -> notebooks -> book -> site."""
    pdf, _ = built_pdf
    book = pdf.parents[2]
    run(sys.executable, book / "scripts" / "notebooks.py", book, cwd=book)
    again = jupyter_book(book)
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    run(sys.executable, book / "scripts" / "assignments.py", book,
        cwd=book)
    run(sys.executable, book / "scripts" / "publish_site.py", book,
        cwd=book)
    return book


def downloads(book: Path) -> dict[str, Path]:
    found = {p.name: p for p in
             (book / "_build/html/_downloads").glob("*/*.ipynb")}
    assert sorted(found) == sorted(f"{c}.ipynb" for c in CHAPTERS)
    return found


def test_every_download_is_an_executed_reader_copy(published):
    for name, path in downloads(published).items():
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and any(c.outputs for c in code), name
        raw = [m.group(0) for c in nb.cells
               for m in RAW_MYST.finditer(c.source)]
        assert not raw, (name, raw[:5])


def html_of(book: Path, chapter: str) -> BeautifulSoup:
    page = book / "_build/html/book" / f"{chapter}.html"
    return BeautifulSoup(page.read_text(), "html.parser")


def test_downloads_show_what_the_page_shows(published):
    source_maths = chapter_refs = 0
    for name, path in downloads(published).items():
        chapter = name[:-len(".ipynb")]
        nb = nbformat.read(path, as_version=4)
        soup = html_of(published, chapter)
        # Every figure of the page's cell outputs is in the notebook.
        page_images = len(soup.select("div.cell_output img"))
        nb_images = sum(1 for c in nb.cells if c.cell_type == "code"
                        for o in c.outputs
                        if any(k.startswith("image/")
                               for k in o.get("data", {})))
        assert nb_images == page_images, (name, nb_images, page_images)
        # No line of code the page does not show, but the first cell's,
        # which installs the book's package.
        shown = "\n".join(b.get_text() for b in
                          soup.select("div.cell_input pre"))
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].metadata.get("tags") == ["install"], name
        assert "%pip install" in code[0].source, name
        for cell in code[1:]:
            if cell.cell_type == "code":
                for line in cell.source.split("\n"):
                    assert line.strip() in shown, (name, line)
        # The chapter's display maths, numbered as on the page.
        md = (ROOT / "book" / f"{chapter}.md").read_text()
        text = "\n".join(c.source for c in nb.cells
                         if c.cell_type == "markdown")
        n_source = len(re.findall(r"^\$\$\s*(\([\w-]+\))?\s*$", md,
                                  re.M)) // 2
        assert text.count("$$") // 2 == n_source, name
        source_maths += n_source
        labelled = len(re.findall(r"^\$\$\s*\([\w-]+\)\s*$", md, re.M))
        for number in re.findall(r"\\tag\{([\d.]+)\}", text):
            assert f"({number})" in soup.get_text(), (name, number)
        assert len(re.findall(r"\\tag\{", text)) == labelled, name
        # Cross-references: the target's title, with its chapter or
        # section number (bug: a bare title that reads as a broken
        # sentence).
        for span in soup.select("a.reference.internal span.std-ref"):
            ref = " ".join(span.get_text().split())
            if re.search(rf"{re.escape(ref)}\*? \((Chapter|Section) "
                         r"[\d.]+\)", text):
                chapter_refs += 1
        # Glued numbers: every pasted value of the page is in the text.
        for span in soup.select("span.pasted-text"):
            assert span.get_text() in text, (name, span.get_text())
        # Exercises as numbered headings, solutions collapsed.
        for title in soup.select("div.exercise .admonition-title"):
            heading = " ".join(title.get_text().split())
            assert f"### {heading}" in text, (name, heading)
            assert f"<summary>Solution to {heading}</summary>" in text, (
                name, heading)
    assert source_maths > 20
    assert chapter_refs > 10


def test_handouts_read_like_the_book(published):
    """The handouts, the answer keys and the nbgrader sources: plain
    Jupyter markdown with the page's numbers, exercises as headings each
    followed by an answer cell, and nothing that links to the solved
    chapter. The same scan finds a role planted in a copy."""
    out = published / "assignments"
    books = {"student": sorted(out.glob("*-student.ipynb")),
             "key": sorted(out.glob("*-key.ipynb")),
             "nbgrader": sorted(out.glob("nbgrader/source/*/*.ipynb"))}
    assert all(len(paths) == 6 for paths in books.values()), books

    def raw(nb, kind):
        cells = [c for c in nb.cells if kind != "nbgrader"
                 or c.cell_type == "markdown"]
        return [m.group(0) for c in cells
                for m in RAW_MYST.finditer(c.source)]

    for kind, paths in books.items():
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            assert raw(nb, kind) == [], (path.name, raw(nb, kind)[:5])
            text = "\n".join(c.source for c in nb.cells
                             if c.cell_type == "markdown")
            chapter = path.name.split("-student")[0].split("-key")[0]
            chapter = chapter.removesuffix(".ipynb")
            soup = html_of(published, chapter)
            for span in soup.select("span.pasted-text"):
                if kind != "key" and span.find_parent("div",
                                                      class_="solution"):
                    continue        # a written solution: the key's only
                assert span.get_text() in text, (path.name, span.get_text())
            assert "executed notebook, " not in text and \
                "Run this chapter" not in text, path.name
            headings = [" ".join(t.get_text().split()) for t in
                        soup.select("div.exercise .admonition-title")]
            assert headings, path.name
            for heading in headings:
                assert f"### {heading}" in text, (path.name, heading)
            if kind == "key":
                assert "<summary>Solution to" in text, path.name
            else:
                assert "Solution to" not in text, path.name
                answers = [c for c in nb.cells if c.metadata.get("answer")]
                assert len(answers) == len(headings), path.name
    planted = nbformat.read(books["student"][0], as_version=4)
    planted.cells[1].source += "\nsee {ref}`ch-loss`"
    assert raw(planted, "student") == ["{ref}`"]


def test_make_notebooks_zips_the_same_notebooks(published):
    archive = published / "_build/notebooks/backprop-again-notebooks.zip"
    with zipfile.ZipFile(archive) as zf:
        zipped = {Path(n).name: zf.read(n) for n in zf.namelist()}
    for name, path in downloads(published).items():
        assert zipped[name] == path.read_bytes(), name


def test_the_site_holds_everything_and_links_resolve(published):
    html = published / "_build/html"
    for name in ("backprop-again.pdf", "backprop-again-notebooks.zip",
                 "backprop-again-handouts.zip"):
        assert (html / name).is_file(), name
    assert (html / "backprop-again.pdf").read_bytes()[:5] == b"%PDF-"
    with zipfile.ZipFile(html / "backprop-again-handouts.zip") as zf:
        names = zf.namelist()
    assert sorted(Path(n).name for n in names) == sorted(
        p.name for p in (published / "assignments").glob("*-student.ipynb"))
    assert len(names) == 6
    # The package's wheel, linked from the intro, and in the notebooks'
    # zip with a README that says how to install it.
    from scratchnet import __version__
    wheel = f"backprop_again-{__version__}-py3-none-any.whl"
    assert (html / wheel).is_file()
    assert f'href="../{wheel}"' in (html / "book/intro.html").read_text()
    with zipfile.ZipFile(html / "backprop-again-notebooks.zip") as zf:
        members = {Path(n).name: n for n in zf.namelist()}
        readme = zf.read(members["README.md"]).decode()
    assert wheel in members and f"pip install {wheel}" in readme
    checked, problems = publish_site.check(html)
    assert not problems and checked > 500, (checked, problems[:10])


def test_no_answer_key_or_solution_reaches_the_site(published, tmp_path):
    """The whole site, every zip member included: no answer key, no
    nbgrader source, no handout with a solution line. Then the same scan
    finds each kind of leak planted in a copy of the site."""
    html = published / "_build/html"
    solutions = publish_site.solution_lines(published)
    assert sorted(solutions) == ["autograd", "backprop-hidden",
                                 "backprop-output", "forward", "loss",
                                 "training"]
    assert "dZ2[range(m), y] -= 1" in solutions["backprop-output"]
    assert publish_site.leaks(html, solutions) == []
    keys = sorted((published / "assignments").glob("*-key.ipynb"))
    assert len(keys) == 6
    # A key as a file, a key and a source inside a zip, and a handout
    # with one solution line put back: each is found.
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    shutil.copy2(keys[0], site / "sub" / keys[0].name)
    with zipfile.ZipFile(site / "bundle.zip", "w") as zf:
        zf.write(keys[1], arcname=f"x/{keys[1].name}")
        zf.writestr("x/nbgrader/source/loss/loss.ipynb", "{}")
    student = (published / "assignments/loss-student.ipynb").read_text()
    assert publish_site.leaks(site, solutions)
    planted = student.replace("raise NotImplementedError",
                              "L = np.mean(correct_logprobs)\\n#", 1)
    (site / "loss-student.ipynb").write_text(planted)
    found = publish_site.leaks(site, solutions)
    assert len(found) == 4, found
    assert any("loss-student.ipynb: holds the solution" in f for f in found)


def test_downloads_carry_each_player_light_with_its_poster(published):
    """The reader's notebook keeps each player in its saved outputs: the
    player (with a poster for untrusted notebooks), the stills and a line
    of text, at most 300 KB a player."""
    found = downloads(published)
    counts = {"training.ipynb": 2, "backprop-hidden.ipynb": 1,
              "optimizers.ipynb": 1, "fashion.ipynb": 1}
    for name, want in counts.items():
        nb = nbformat.read(found[name], as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs
                   if "sn-player" in o.get("data", {}).get("text/html", "")]
        assert len(outputs) == want, name
        for o in outputs:
            data = o["data"]
            assert set(data) == {"text/html", "image/png", "text/plain"}
            size = sum(len(v) for v in data.values())
            assert size <= 300_000, (name, size)
            html = data["text/html"]
            assert re.search(r'<img class="sn-poster" src="data:image/svg'
                             r'\+xml;base64,[^"]+" alt="[^"]{80,}"', html)
            assert "/work/" not in html and "http" not in html.replace(
                "http://www.w3.org/2000/svg", "")
