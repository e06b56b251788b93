"""The PDF of the notes: built, complete, and with no missing glyph."""

from __future__ import annotations

import re
import subprocess

import jupytext
import pytest
from conftest import ROOT, toc_files

pytestmark = [pytest.mark.book, pytest.mark.xdist_group("built")]


def pdftotext(pdf):
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def page_count(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def titles():
    out = []
    for name in toc_files():
        md = (ROOT / f"{name}.md").read_text()
        if name.endswith("intro"):
            continue
        out.append(re.search(r"^# (.+)$", md, re.M).group(1).strip())
    return out


def test_pdf_page_count(built_pdf):
    pdf, seconds = built_pdf
    pages = page_count(pdf)
    print(f"\nPDF: {pages} pages, built in {seconds:.0f} s")
    (pdf.parent / "pages.txt").write_text(str(pages))
    assert 40 <= pages <= 200


def test_every_chapter_title_and_a_sample_equation_are_in_the_text(
        built_pdf):
    pdf, _ = built_pdf
    text = re.sub(r"\s+", " ", pdftotext(pdf)).replace("\u2019", "'")
    for title in titles():
        assert title.replace("$", "") in text, title
    # A numbered equation, the softmax Jacobian's code, code output, and an
    # exercise.
    assert re.search(r"\(5\.\d+\)", text)
    assert "dZ2[range(m), y] -= 1" in text
    assert "Exercise" in text and "Solution to Exercise" in text


def test_no_figure_is_missing(built_pdf):
    pdf, _ = built_pdf
    log = (pdf.parent / "_build/latex/book.log").read_text(errors="replace")
    assert not re.search(r"File `[^']+' not found", log)
    assert "Unable to load picture" not in log
    figures = 0
    for name in toc_files():
        md = (ROOT / f"{name}.md").read_text()
        figures += md.count("  figure:\n")
    listed = subprocess.run(["pdfimages", "-list", str(pdf)],
                            capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    images = [row for row in listed if row.split()[2] == "image"]
    print(f"\n{figures} figures in the sources, {len(images)} images in PDF")
    assert len(images) >= figures > 0


def test_no_glyph_is_missing(built_pdf):
    pdf, _ = built_pdf
    log = (pdf.parent / "_build/latex/book.log").read_text(errors="replace")
    assert "Missing character" not in log
    # Symbols of the text and of the maths (unicode-math's italic partial
    # and eta) came through.
    text = pdftotext(pdf)
    for symbol in ("\U0001d715", "\U0001d702", "≤", "→", "×"):
        assert symbol in text, symbol


def test_code_cells_are_in_the_pdf(built_pdf):
    pdf, _ = built_pdf
    text = pdftotext(pdf)
    nb = jupytext.read(ROOT / "book" / "backprop-hidden.md")
    setup = [c for c in nb.cells if c.cell_type == "code"][0].source
    first = setup.splitlines()[0]
    assert first in text


def test_figures_are_printed_at_2x_or_more(built_pdf):
    """pdfimages reports each image's resolution as placed on the page."""
    pdf, _ = built_pdf
    rows = subprocess.run(["pdfimages", "-list", str(pdf)],
                          capture_output=True, text=True,
                          check=True).stdout.splitlines()[2:]
    ppi = [min(int(r.split()[12]), int(r.split()[13])) for r in rows
           if r.split()[2] == "image"]
    print(f"\n{len(ppi)} images, least {min(ppi)} ppi")
    assert len(ppi) >= 19 and min(ppi) >= 190, sorted(ppi)[:5]


def test_one_bibliography_in_its_own_chapter(built_pdf):
    pdf, _ = built_pdf
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    headed = [i for i, page in enumerate(pages)
              if "BIBLIOGRAPHY" in [line.strip() for line in
                                    page.splitlines()]]
    assert len(headed) == 1, [i + 1 for i in headed]
    # The list starts on the chapter's own page, not after an empty one.
    assert "Kingma" in pages[headed[0]] and "Polyak" in pages[headed[0]]
    toc = "\n".join(pdf_pages(pdf)[:8])
    assert len(re.findall(r"^\s*Bibliography\s+\d+$", toc, re.M)) == 1


def pdf_pages(pdf) -> list[str]:
    """The PDF's text, page by page, laid out as printed."""
    return pdftotext(pdf).split("\f")


def printed_number(page: str) -> int | None:
    """The page number printed in the page's footer."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    found = re.match(r"^(\d+)\b|.*\b(\d+)$", lines[-1]) if lines else None
    return int(found.group(1) or found.group(2)) if found else None


EXERCISE = re.compile(r"^\W*Exercise (\d+\.\d+)\s*$", re.M)
SOLUTION = re.compile(r"^\W*Solution to Exercise (\d+\.\d+)\s*$", re.M)
POINTER = re.compile(r"Solution on page (\d+)\.")


def html_exercise_numbers(book) -> list[str]:
    numbers = []
    for name in toc_files(book):
        html = (book / "_build/html" / f"{name}.html").read_text()
        numbers += re.findall(r'admonition-title"><span class="caption-'
                              r'number">Exercise (\d+\.\d+)', html)
    return numbers


def test_exercise_numbers_are_the_htmls(built_pdf):
    pdf, _ = built_pdf
    book = pdf.parents[2]
    printed = EXERCISE.findall(pdftotext(pdf))
    html = html_exercise_numbers(book)
    print(f"\n{len(printed)} exercises, numbered as in the HTML")
    assert len(html) >= 30, html
    assert printed == html


def test_solutions_are_collected_after_their_exercises(built_pdf):
    """Every solution is in the chapter "Solutions to the exercises", in
    the exercises' order, after its exercise; every exercise names the
    page of its solution, and that page holds it."""
    pdf, _ = built_pdf
    pages = pdf_pages(pdf)
    start = [i for i, page in enumerate(pages)
             if "SOLUTIONS TO THE EXERCISES" in page]
    assert len(start) == 1, start
    exercises, solutions, pointers = {}, {}, {}
    for i, page in enumerate(pages):
        for number in EXERCISE.findall(page):
            exercises[number] = i
        for number in SOLUTION.findall(page):
            assert number not in solutions, f"two solutions to {number}"
            solutions[number] = i
    text = pdftotext(pdf)
    for match in EXERCISE.finditer(text):
        after = text[match.end():match.end() + 3000]
        pointer = POINTER.search(after)
        assert pointer, f"Exercise {match.group(1)} names no solution page"
        pointers[match.group(1)] = int(pointer.group(1))
    print(f"\n{len(solutions)} solutions from page {start[0] + 1} on")
    assert solutions and list(solutions) == list(exercises)
    for number, page in solutions.items():
        assert page >= start[0] > exercises[number], number
        assert printed_number(pages[page]) == pointers[number], (
            f"Exercise {number} points to page {pointers[number]}, its "
            f"solution is printed on page {printed_number(pages[page])}")


def test_no_blank_page_and_no_orphan_line(built_pdf):
    """No page inside the book is blank, and none holds only a line or two
    carried over from the page before (a figure's page holds its
    caption)."""
    pdf, _ = built_pdf
    pages = pdf_pages(pdf)[:page_count(pdf)]
    thin = []
    for number, page in enumerate(pages[1:], start=2):
        lines = [line for line in page.splitlines() if line.strip()]
        body = lines[1:-1]             # without the running head and footer
        if re.search(r"^\s*(Part [IVX]+|Fig\. \d)", page, re.M):
            continue
        if len(body) < 2:
            thin.append((number, [line.strip()[:50] for line in body]))
    assert not thin, thin


def test_chapter_numbers_stand_apart_from_titles_in_the_contents(built_pdf):
    pdf, _ = built_pdf
    toc = "\n".join(pdf_pages(pdf)[:8])
    numbered = re.findall(r"^(\d+)(\s*)([A-Z][^.]*?)\s{2,}\d+$", toc, re.M)
    assert len(numbered) >= 12, numbered
    assert all(gap for _, gap, _ in numbered), numbered


def test_citations_and_the_list_use_one_style(built_pdf):
    """The list labels each entry "[Author, year]" as the text cites it,
    and keeps the titles' capitals."""
    pdf, _ = built_pdf
    pages = pdf_pages(pdf)
    listed = [page for page in pages
              if "BIBLIOGRAPHY" in [line.strip() for line in
                                    page.splitlines()]]
    assert len(listed) == 1
    entries = re.sub(r"\s+", " ", listed[0])
    labels = re.findall(r"\[([A-Z][^\]]*?, (?:1[89]|20)\d\d[a-z]?)\]",
                        entries)
    text = re.sub(r"\s+", " ", "\n".join(
        page for page in pages if page is not listed[0]))
    cited = set(re.findall(r"\[([A-Z][^\]]*?, (?:1[89]|20)\d\d[a-z]?)\]",
                           text))
    assert len(labels) >= 7 and len(cited) >= 5, (labels, cited)
    assert cited <= set(labels), cited - set(labels)
    # pybtex's alpha labels, such as [GB10] or [KStanfordCS231ncstaff16].
    assert not re.search(r"\[[A-Z][A-Za-z0-9]*\d\d\]", entries), entries
    assert "Adam: A Method for Stochastic Optimization" in entries


def test_front_matter_appendix_and_notation_table(built_pdf):
    """The introduction has a title, a line in the contents and its own
    running head; the appendix's chapters are unnumbered, as in the HTML;
    the notation table's columns are wide enough for their words."""
    pdf, _ = built_pdf
    pages = pdf_pages(pdf)
    toc = "\n".join(pages[:8])
    assert re.search(r"^Introduction\s+1$", toc, re.M), toc[:500]
    intro = [page for page in pages[:12] if "INTRODUCTION" in page]
    assert len(intro) >= 2          # its opening page and a running head
    for title in ("Notation and shapes", "For instructors",
                  "Solutions to the exercises", "Bibliography"):
        assert re.search(rf"^{title}\s+\d+$", toc, re.M), title
    notation = next(page for page in pages if "NOTATION AND SHAPES" in page)
    header = re.search(r"^\s*Symbol\s+Meaning\s+Shape\s+Code\s+Defined in",
                       notation, re.M)
    assert header, notation[:800]
    assert re.search(r"\(𝑚, 𝑑\)|\(m, d\)", notation)
    # Its table is "Table 1", as in the HTML, not the last chapter's
    # number (bug: "Table 14.1" in an unnumbered appendix).
    assert re.search(r"^\s*Table 1: Every symbol of the book", notation,
                     re.M), notation[:300]


# The players' captions (book chapters, mystnb figure metadata): each is a
# figure of small multiples in the PDF, found by the start of its caption.
PLAYER_CAPTIONS = {
    "training": ["Four learning rates on one slider",
                 "The training run of Fig"],
    "backprop-hidden": ["One forward and one backward pass of twolayer"],
    "optimizers": ["Gradient descent ("],
    "fashion": ["The weights into eight hidden units of the model"],
}


def test_each_player_is_a_numbered_figure_of_stills(built_pdf):
    pdf, _ = built_pdf
    text = re.sub(r"\s+", " ", pdftotext(pdf))
    for chapter, captions in PLAYER_CAPTIONS.items():
        for caption in captions:
            found = re.search(r"Fig\. (\d+)\.(\d+): " + re.escape(caption),
                              text)
            assert found, (chapter, caption)
    # no raw text in place of a figure, no empty box
    assert "<Player" not in text and "IPython.core.display" not in text
    log = (pdf.parent / "_build/latex/book.log").read_text(errors="replace")
    assert "sn-player" not in log
