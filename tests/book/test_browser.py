"""The HTML book in a real browser: offline, typeset, searchable.

Headless Chromium from Debian, driven by Playwright, loads every page of
the book served on 127.0.0.1 and checks what a reader sees.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import jupytext
import nbformat
import pytest
from conftest import ROOT, notebook_chapters, require_tool, toc_files

pytestmark = [pytest.mark.book, pytest.mark.xdist_group("built")]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_html):
    root = built_html / "_build" / "html"
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    require_tool(CHROMIUM, "apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                     headless=True)
        yield browser
        browser.close()


class Visit:
    """A page visit that records console errors and every request."""

    def __init__(self, browser, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error"
                     and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    def foreign(self):
        return [u for u in self.requests
                if not u.startswith(("data:", "blob:"))
                and urlparse(u).hostname != "127.0.0.1"]

    def close(self):
        self.context.close()


PAGES = toc_files()


def test_every_page_loads_offline_typeset_and_complete(server, browser):
    base, root = server
    visit = Visit(browser)
    page = visit.page
    report = {"pages": 0, "images": 0, "math": 0}
    try:
        for name in PAGES + ["genindex", "search"]:
            visit.errors.clear()
            page.goto(f"{base}/{name}.html", wait_until="networkidle")
            report["pages"] += 1
            has_math = page.locator(".math").count() > 0
            if has_math:
                page.wait_for_function(
                    "() => document.querySelectorAll('.math').length <= "
                    "document.querySelectorAll('mjx-container').length",
                    timeout=30000)
                report["math"] += page.locator("mjx-container").count()
                text = page.inner_text("article")
                assert "$$" not in text, name
                assert "\\frac" not in text and "\\partial" not in text, name
            images = page.evaluate(
                "() => Array.from(document.images).map(i => "
                "[i.currentSrc, i.complete && i.naturalWidth > 0])")
            broken = [src for src, ok in images if not ok]
            assert not broken, (name, broken)
            report["images"] += len(images)
            assert not visit.errors, (name, visit.errors)
        assert not visit.foreign(), visit.foreign()
    finally:
        visit.close()
    (root.parent / "browser-report.json").write_text(json.dumps(report))
    print(f"\nbrowser: {report}")
    assert report["math"] > 100 and report["images"] >= 13


def test_copy_button_copies_the_code_alone(server, browser):
    base, _ = server
    visit = Visit(browser, permissions=["clipboard-read",
                                        "clipboard-write"])
    try:
        visit.page.goto(f"{base}/book/forward.html",
                        wait_until="networkidle")
        cell = visit.page.locator("div.cell").nth(1)
        cell.hover()
        cell.locator("button.copybtn").first.click()
        copied = visit.page.evaluate("navigator.clipboard.readText()")
    finally:
        visit.close()
    nb = jupytext.read(ROOT / "book" / "forward.md")
    shown = [c for c in nb.cells if c.cell_type == "code"
             and "remove-cell" not in c.metadata.get("tags", [])]
    source = shown[1].source
    assert copied.strip() == source.strip()
    assert ">>>" not in copied and "(300, 4)" in copied


def test_search_finds_relu(server, browser):
    base, _ = server
    visit = Visit(browser)
    try:
        visit.page.goto(f"{base}/search.html?q=ReLU",
                        wait_until="networkidle")
        visit.page.wait_for_selector("ul.search li", timeout=30000)
        hits = visit.page.locator("ul.search li").count()
        assert not visit.foreign()
    finally:
        visit.close()
    assert hits >= 3


CHAPTERS = notebook_chapters()


@pytest.fixture(scope="module")
def downloads(server, browser, tmp_path_factory):
    """Each chapter's executed notebook, downloaded from its link."""
    base, _ = server
    out = tmp_path_factory.mktemp("downloads")
    visit = Visit(browser, accept_downloads=True)
    try:
        for name in CHAPTERS:
            visit.page.goto(f"{base}/{name}.html", wait_until="networkidle")
            link = visit.page.locator("a.download",
                                      has_text=Path(name).name + ".ipynb")
            with visit.page.expect_download() as info:
                link.first.click()
            info.value.save_as(out / (Path(name).name + ".ipynb"))
    finally:
        visit.close()
    return out


def test_each_chapter_offers_its_executed_notebook(downloads):
    for name in CHAPTERS:
        nb = nbformat.read(downloads / (Path(name).name + ".ipynb"),
                           as_version=4)
        nbformat.validate(nb)
        outputs = [c for c in nb.cells
                   if c.cell_type == "code" and c.get("outputs")]
        assert outputs, name


def test_pdf_link_works(server, browser, built_pdf):
    base, root = server
    visit = Visit(browser)
    try:
        visit.page.goto(f"{base}/book/intro.html", wait_until="networkidle")
        href = visit.page.locator("a", has_text="PDF of the notes") \
            .first.get_attribute("href")
        response = visit.page.request.get(f"{base}/book/{href}")
        assert response.status == 200
        assert response.body()[:5] == b"%PDF-"
    finally:
        visit.close()


def test_the_download_menu_offers_the_notebook_and_the_pdf(server,
                                                           browser):
    """The header's menu: the executed notebook (the chapter's own
    download) and the book's PDF, not the raw MyST source or the
    browser's print (bug caught: the theme's menu left as it is)."""
    base, root = server
    visit = Visit(browser)
    try:
        visit.page.goto(f"{base}/book/layers.html", wait_until="networkidle")
        menu = visit.page.locator(".dropdown-download-buttons a")
        texts = [" ".join(t.split()) for t in menu.all_inner_texts()]
        assert texts == [".ipynb", "PDF"], texts
        notebook = menu.nth(0).get_attribute("href")
        own = visit.page.locator("a.reference.download",
                                 has_text="layers.ipynb").first
        assert notebook == own.get_attribute("href")
        assert (root / "book" / notebook).resolve().is_file()
        assert menu.nth(1).get_attribute("href") == "../backprop-again.pdf"
        assert visit.page.locator(".dropdown-download-buttons "
                                  "button[onclick*=print]").count() == 0
    finally:
        visit.close()


def test_a_solution_title_opens_its_solution_on_a_phone(server, browser):
    """Tapping "Solution to Exercise 2.1" anywhere, its link included,
    opens the solution and stays on it (bug caught: the link jumps to the
    exercise and leaves the solution closed)."""
    base, _ = server
    visit = Visit(browser, viewport={"width": 390, "height": 844},
                  is_mobile=True, has_touch=True)
    try:
        visit.page.goto(f"{base}/book/network.html", wait_until="networkidle")
        solution = visit.page.locator("div.solution.dropdown").first
        content = solution.locator("section#solution-content")
        assert not content.is_visible()
        link = solution.locator("p.admonition-title a.reference")
        link.scroll_into_view_if_needed()
        box = link.bounding_box()              # a finger on the link
        visit.page.touchscreen.tap(box["x"] + box["width"] / 2,
                                   box["y"] + box["height"] / 2)
        content.wait_for(state="visible", timeout=5000)
        assert "#" not in visit.page.url
    finally:
        visit.close()


def test_the_sites_root_page_has_a_title_and_a_favicon(server, browser):
    base, root = server
    visit = Visit(browser)
    try:
        response = visit.page.request.get(f"{base}/favicon.ico")
        assert response.status == 200
        assert response.body()[:4] == b"\x00\x00\x01\x00"    # an ICO
        index = visit.page.request.get(f"{base}/index.html").text()
        assert "<title>Backprop, Again</title>" in index, index[:300]
    finally:
        visit.close()


def test_screenshot_of_a_chapter(server, browser):
    base, _ = server
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    visit = Visit(browser, viewport={"width": 1280, "height": 1600})
    try:
        visit.page.goto(f"{base}/book/backprop-output.html",
                        wait_until="networkidle")
        visit.page.wait_for_selector("mjx-container", state="attached")
        path = shots / "backprop-output.png"
        visit.page.screenshot(path=str(path), full_page=False)
    finally:
        visit.close()
    assert path.stat().st_size > 10_000
    print(f"\nscreenshot: {path}")


AXE = ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"

#: axe rules that cannot be fixed here, each with its reason. Empty: every
#: serious or critical violation of the book's pages is fixed.
AXE_ALLOWED: dict[str, str] = {}


def axe_violations(page) -> list[dict]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make test` fetches axe-core "
                    "(npm install axe-core)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: "
        "['violations']})).violations.map(v => ({id: v.id, impact: "
        "v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))")


def test_axe_finds_no_serious_or_critical_violation(server, browser):
    base, root = server
    visit = Visit(browser)
    counts: dict[str, int] = {}
    serious = []
    # The root index.html only redirects; check it without following.
    index = (root / "index.html").read_text()
    visit.context.route("**/index.html", lambda route: route.fulfill(
        content_type="text/html",
        body=index.replace('http-equiv="refresh"', 'data-refresh')))
    try:
        for name in ["index"] + PAGES + ["genindex", "search"]:
            visit.page.goto(f"{base}/{name}.html", wait_until="networkidle")
            if visit.page.locator("div.math").count():
                visit.page.wait_for_function(
                    "() => document.querySelectorAll('div.math').length <= "
                    "document.querySelectorAll('div.math mjx-container')"
                    ".length", timeout=30000)
            # The theme marks scrolling regions focusable 300 ms after the
            # page changes (typesetting): test the page a reader has then.
            visit.page.wait_for_timeout(400)
            for v in axe_violations(visit.page):
                counts[v["impact"]] = counts.get(v["impact"], 0) + len(
                    v["nodes"])
                if (v["impact"] in ("serious", "critical")
                        and v["id"] not in AXE_ALLOWED):
                    serious.append((name, v["id"], v["nodes"][:3]))
    finally:
        visit.close()
    print(f"\naxe nodes by impact: {counts}")
    assert not serious, serious


def test_every_figure_has_a_real_description(server, browser):
    base, _ = server
    visit = Visit(browser)
    images = 0
    try:
        for name in PAGES:
            visit.page.goto(f"{base}/{name}.html", wait_until="networkidle")
            for alt in visit.page.eval_on_selector_all(
                    "article img", "els => els.map(e => e.alt)"):
                images += 1
                assert len(alt.strip()) >= 15, (name, alt)
                assert "/" not in alt and not alt.endswith(
                    (".png", ".svg", ".jpg")), (name, alt)
    finally:
        visit.close()
    assert images >= 19


def visible(page, selector):
    """The first element matching selector that is visible on screen."""
    for handle in page.query_selector_all(selector):
        if handle.is_visible():
            return handle
    raise AssertionError(f"no visible {selector}")


def on_screen(page, handle) -> bool:
    box = handle.bounding_box()
    size = page.viewport_size
    return (box is not None and box["width"] > 0 and box["x"] >= 0
            and box["x"] + box["width"] <= size["width"] + 1
            and box["y"] < size["height"])


def test_the_phone_menu_opens_the_chapter_list(server, browser):
    base, _ = server
    visit = Visit(browser, viewport={"width": 390, "height": 844},
                  is_mobile=True, has_touch=True)
    page = visit.page
    try:
        page.goto(f"{base}/book/forward.html", wait_until="networkidle")
        link = page.locator("#pst-primary-sidebar-modal a, "
                            "#pst-primary-sidebar a",
                            has_text="Gradient checking").first
        assert not link.is_visible()
        visible(page, ".primary-toggle").tap()
        link.wait_for(state="visible", timeout=5000)
        assert on_screen(page, link.element_handle())
        page.keyboard.press("Escape")
        # The page-contents button opens this page's sections.
        visible(page, ".secondary-toggle").tap()
        section = page.locator("#pst-secondary-sidebar-modal a, "
                               "#pst-secondary-sidebar a",
                               has_text="Softmax").first
        section.wait_for(state="visible", timeout=5000)
        assert on_screen(page, section.element_handle())
    finally:
        visit.close()


def test_the_desktop_menu_button_hides_and_shows_the_sidebar(server,
                                                             browser):
    base, _ = server
    visit = Visit(browser, viewport={"width": 1280, "height": 900})
    page = visit.page
    try:
        page.goto(f"{base}/book/forward.html", wait_until="networkidle")
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible()
        visible(page, ".primary-toggle").click()
        sidebar.wait_for(state="hidden", timeout=5000)
        visible(page, ".primary-toggle").click()
        sidebar.wait_for(state="visible", timeout=5000)
    finally:
        visit.close()


def figures_on_a_laptop(base, browser, visit=None):
    """Every figure of every page at 1280 px: (page, src, natural width
    in pixels, width shown in CSS px, width of the figure's own size)."""
    own_visit = visit is None
    visit = visit or Visit(browser, viewport={"width": 1280, "height": 900})
    figures = []
    try:
        for name in PAGES:
            visit.page.goto(f"{base}/{name}.html", wait_until="networkidle")
            rows = visit.page.eval_on_selector_all(
                "div.cell_output img",
                "els => els.map(e => [e.currentSrc, e.naturalWidth, "
                "e.clientWidth, parseFloat(e.style.width)])")
            figures += [(name, *row) for row in rows]
    finally:
        if own_visit:
            visit.close()
    return figures


def test_figures_are_sharp_and_the_favicon_loads(server, browser):
    """Raster figures carry at least twice the pixels they are shown at."""
    base, _ = server
    visit = Visit(browser, viewport={"width": 1280, "height": 900})
    ratios = []
    try:
        for name, src, natural, shown, _ in figures_on_a_laptop(
                base, browser, visit):
            if not src.endswith(".svg"):
                assert shown > 0, (name, src)
                ratios.append((natural / shown, name, src))
        icon = visit.page.get_attribute("link[rel='icon']", "href")
        response = visit.page.request.get(
            f"{base}/book/{icon}" if not icon.startswith("/") else icon)
        assert response.status == 200, icon
    finally:
        visit.close()
    assert len(ratios) >= 19
    worst = min(ratios)
    print(f"\nfigures: {len(ratios)}, least pixels per shown pixel "
          f"{worst[0]:.2f} ({worst[1]})")
    assert worst[0] >= 1.99, worst


def test_equations_and_pages_fit_a_phone(server, browser):
    """At 390 px at most 3 display equations need a sideways swipe (each
    with its scroll cue), the equation number sits under its equation,
    and no page is wider than the screen (bugs caught: an equation on one
    long line, a number beside its equation, an unbreakable inline
    path)."""
    base, _ = server
    visit = Visit(browser, viewport={"width": 390, "height": 844},
                  is_mobile=True)
    wide, too_wide, measured, numbers_beside = [], [], 0, []
    try:
        for name in PAGES:
            visit.page.goto(f"{base}/{name}.html", wait_until="networkidle")
            if visit.page.locator(".math").count():
                visit.page.wait_for_function(
                    "() => document.querySelectorAll('div.math').length <= "
                    "document.querySelectorAll('div.math mjx-container')"
                    ".length", timeout=30000)
            for over, overflow, background, below in (
                    visit.page.eval_on_selector_all(
                        "div.math",
                        "els => els.map(d => { const e = d.querySelector("
                        "'mjx-container'); const n = d.querySelector("
                        "'span.eqno'); return [e.scrollWidth > "
                        "e.clientWidth + 1, getComputedStyle(e).overflowX,"
                        " getComputedStyle(e).backgroundImage, !n || "
                        "n.getBoundingClientRect().top >= "
                        "e.getBoundingClientRect().bottom - 1]; })")):
                measured += 1
                if over:
                    wide.append(name)
                    assert overflow in ("auto", "scroll"), (name, overflow)
                    assert background.count("gradient") >= 2, name
                if not below:
                    numbers_beside.append(name)
            width = visit.page.evaluate(
                "() => document.documentElement.scrollWidth")
            if width > 391:
                too_wide.append((name, width))
    finally:
        visit.close()
    print(f"\n{measured} display equations, {len(wide)} scroll at 390 px")
    assert measured > 30, "too few equations: is the check running?"
    assert len(wide) <= 3, wide
    assert not numbers_beside, numbers_beside
    assert not too_wide, too_wide


# matplotlib's tick labels, legends and titles are 10 pt or more (the
# chapters set no smaller size: tests/book/test_chapters.py), drawn at
# figure.dpi = 100, so 10 pt is 13.9 px at a figure's own size. Shown at
# a scale s of that size, it is 10.4 s CSS points (0.75 pt per CSS px).
SMALLEST_FIGURE_TEXT_PT = 9.0


def test_figure_text_is_9_pt_or_more_on_a_laptop(server, browser):
    """No figure is shrunk so far that its 10 pt text prints under 9 pt."""
    base, _ = server
    scales = [(shown / own, name, src) for name, src, _, shown, own
              in figures_on_a_laptop(base, browser)]
    assert len(scales) >= 19, scales
    worst = min(scales)
    points = 10 * 100 / 72 * 0.75 * worst[0]
    print(f"\nsmallest figure text at 1280 px: {points:.1f} pt "
          f"(scale {worst[0]:.2f}, {worst[1]})")
    assert points >= SMALLEST_FIGURE_TEXT_PT, worst


def test_no_display_equation_is_clipped_on_a_laptop(server, browser):
    base, _ = server
    visit = Visit(browser, viewport={"width": 1280, "height": 900})
    equations, clipped = 0, []
    try:
        for name in PAGES:
            visit.page.goto(f"{base}/{name}.html", wait_until="networkidle")
            if not visit.page.locator("div.math").count():
                continue
            visit.page.wait_for_function(
                "() => document.querySelectorAll('div.math').length <= "
                "document.querySelectorAll('div.math mjx-container')"
                ".length", timeout=30000)
            for over, label in visit.page.eval_on_selector_all(
                    "div.math mjx-container",
                    "els => els.map(e => [e.scrollWidth > e.clientWidth + 1,"
                    " e.closest('div.math').id])"):
                equations += 1
                if over:
                    clipped.append((name, label))
    finally:
        visit.close()
    print(f"\n{equations} display equations at 1280 px, none clipped")
    assert equations >= 25
    assert not clipped, clipped


def test_one_search_box_and_no_empty_header_bar(server, browser):
    """One search box shows, on a laptop and on a phone, and it opens the
    search; no bar holds nothing but a search box."""
    base, _ = server
    for width in (1280, 390):
        visit = Visit(browser, viewport={"width": width, "height": 900})
        page = visit.page
        try:
            page.goto(f"{base}/book/forward.html", wait_until="networkidle")
            assert not page.locator("#pst-header").is_visible()
            boxes = [h for h in page.query_selector_all(
                ".search-button-field, .search-button__button")
                if h.is_visible()]
            assert len(boxes) == 1, (width, len(boxes))
            boxes[0].click()
            page.locator("input[name='q']:visible").first.wait_for(
                state="visible", timeout=5000)
        finally:
            visit.close()


def test_solution_code_has_syntax_colour(server, browser):
    base, root = server
    coloured = 0
    for name in PAGES:
        html = (root / f"{name}.html").read_text()
        for block in html.split('class="solution')[1:]:
            block = block.split("</section>")[0]
            for code in block.split('<div class="highlight-')[1:]:
                assert '<span class="k' in code or '<span class="n' in code, (
                    name, code[:200])
                coloured += 1
    print(f"\n{coloured} code blocks in solutions, all coloured")
    assert coloured >= 10


# --- the players (scratchnet.viz) ---------------------------------------

# chapter -> the figure names of its players
PLAYERS = {"training": ["fig-lr", "fig-train-player"],
           "backprop-hidden": ["fig-backward-player"],
           "optimizers": ["fig-optimizer-paths"],
           "fashion": ["fig-fashion-weights"]}


def player_state(page, fig):
    """(frame, readout, aria-valuetext, the live figure's markup)."""
    return page.evaluate(
        """(fig) => {
          const p = document.getElementById(fig)
            .querySelector('.sn-player');
          const s = p.querySelector('input[type=range]');
          return [p.getAttribute('data-frame'),
                  p.querySelector('output').textContent,
                  s.getAttribute('aria-valuetext'),
                  p.querySelector('.sn-stage').innerHTML];
        }""", fig)


def test_every_player_plays_offline_and_by_keyboard(server, browser):
    base, _ = server
    visit = Visit(browser, viewport={"width": 390, "height": 844},
                  reduced_motion="reduce")
    page = visit.page
    try:
        for chapter, figures in PLAYERS.items():
            page.goto(f"{base}/book/{chapter}.html",
                      wait_until="networkidle")
            for fig in figures:
                player = page.locator(f"#{fig} .sn-player")
                assert player.count() == 1, (chapter, fig)
                n = int(player.locator("input").get_attribute("max")) + 1
                assert n >= 8, (fig, n)
                # at 390 px the figure and the controls fit the column
                box = player.bounding_box()
                assert box["width"] <= 390, (fig, box)
                frame, text, aria, svg = player_state(page, fig)
                assert int(frame) == n - 1 and text == aria, fig
                # reduced motion: nothing moves on its own
                page.wait_for_timeout(1200)
                assert player_state(page, fig) == [frame, text, aria, svg]
                # the keyboard: Tab reaches play, the buttons and the slider
                player.locator(".sn-play").focus()
                page.keyboard.press("Tab")             # previous
                page.keyboard.press("Tab")             # the slider
                assert page.evaluate("document.activeElement.type") == \
                    "range", fig
                page.keyboard.press("Home")
                first = player_state(page, fig)
                assert first[0] == "0" and first[1] == first[2], fig
                assert first[3] != svg and first[1] != text, fig
                page.keyboard.press("ArrowRight")
                second = player_state(page, fig)
                assert second[0] == "1" and second[3] != first[3], fig
                assert second[1] != first[1], fig
                page.keyboard.press("End")
                assert player_state(page, fig) == [frame, text, aria, svg]
                # Space on the focused play button plays: frames advance
                page.keyboard.press("Home")
                player.locator(".sn-play").focus()
                page.keyboard.press("Space")
                assert player.locator(".sn-play").inner_text() == "Pause"
                page.wait_for_function(
                    f"() => +document.getElementById('{fig}')"
                    ".querySelector('.sn-player').dataset.frame >= 2",
                    timeout=15000)
                player.locator(".sn-play").click()      # pause
                assert player.locator(".sn-play").inner_text() == "Play"
                # the data disclosure holds one row per frame
                rows = player.locator("details tbody tr").count()
                assert rows == n, (fig, rows)
            assert not visit.errors, (chapter, visit.errors)
        assert not visit.foreign(), visit.foreign()
    finally:
        visit.close()


def test_without_javascript_each_player_shows_its_poster(server, browser):
    base, _ = server
    visit = Visit(browser, java_script_enabled=False)
    page = visit.page
    try:
        for chapter, figures in PLAYERS.items():
            page.goto(f"{base}/book/{chapter}.html", wait_until="load")
            for fig in figures:
                poster = page.locator(f"#{fig} img.sn-poster")
                assert poster.count() == 1, fig
                assert len(poster.get_attribute("alt")) > 80, fig
                assert poster.evaluate("i => i.complete && "
                                       "i.naturalWidth > 0"), fig
                assert poster.is_visible(), fig
                assert not page.locator(
                    f"#{fig} .sn-controls").is_visible(), fig
        assert not visit.foreign(), visit.foreign()
    finally:
        visit.close()


def test_a_page_with_players_stays_light(server):
    _, root = server
    for chapter, figures in PLAYERS.items():
        page = (root / "book" / f"{chapter}.html").read_text()
        size = len(page.encode())
        assert size < 2_000_000, (chapter, size)
        # the player's script is in the pages with players, and only once
        # per player: not a static file that every page loads
        assert page.count("window.snPlayer=") == len(figures), chapter
    assert "snPlayer" not in (root / "book" / "loss.html").read_text()
    assert not list(root.glob("_static/*player*"))


def test_the_backward_player_names_the_books_equation_numbers(server):
    _, root = server
    numbers = {}
    for chapter in ("forward", "loss", "backprop-output",
                    "backprop-hidden"):
        page = (root / "book" / f"{chapter}.html").read_text()
        numbers.update(re.findall(
            r'id="equation-(eq-[a-z0-9-]+)".*?class="eqno">\(([0-9.]+)\)',
            page, re.S))
    page = (root / "book" / "backprop-hidden.html").read_text()
    raw = re.search(r'id="fig-backward-player".*?class="sn-frames">'
                    r"(.*?)</script>", page, re.S).group(1)
    labels = json.loads(raw)["labels"]
    want = ["eq-z1", "eq-a1", "eq-z2", "eq-softmax", "eq-ce", "eq-dz2",
            "eq-dw2", "eq-db2", "eq-da1", "eq-dz1", "eq-dw1", "eq-dw1"]
    shown = [re.search(r"eq\. \(([0-9.]+)\)", s).group(1)
             for s in labels[1:]]
    assert shown == [numbers[k] for k in want]


def test_the_training_players_last_frame_has_the_glued_accuracy(server):
    _, root = server
    page = (root / "book" / "training.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)
    glued = re.search(r"the network classifies\s+([0-9.]+)%", text)
    raw = re.search(r'id="fig-train-player".*?class="sn-frames">'
                    r"(.*?)</script>", page, re.S).group(1)
    last = json.loads(raw)["labels"][-1]
    assert glued and last.endswith(f"accuracy {glued.group(1)} %"), (
        glued, last)
