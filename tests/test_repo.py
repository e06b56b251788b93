"""The publishing workflow stays in step with CI."""

from __future__ import annotations

import re
import sys

import pytest
import yaml
from conftest import ROOT


def ci_packages() -> set[str]:
    text = (ROOT / ".ci/run").read_text()
    block = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M).group(1)
    return set(block.split()) | {"npm"}


def workflow_packages() -> set[str]:
    flow = yaml.safe_load((ROOT / ".github/workflows/publish.yml")
                          .read_text())
    steps = flow["jobs"]["build"]["steps"]
    script = next(s["run"] for s in steps if "apt-get install" in
                  s.get("run", ""))
    words = script.replace("\\\n", " ").split("apt-get install", 1)[1]
    return {w for w in words.split() if not w.startswith("-")}


def test_the_workflow_installs_what_ci_installs():
    ci, flow = ci_packages(), workflow_packages()
    assert len(ci) > 5
    assert ci == flow, (ci - flow, flow - ci)


def test_the_workflow_runs_make_site_and_deploys_pages():
    text = (ROOT / ".github/workflows/publish.yml").read_text()
    assert "run: make site" in text
    assert "actions/upload-pages-artifact@" in text
    assert "actions/deploy-pages@" in text
    assert "path: _build/html" in text


def test_the_site_check_finds_broken_and_outside_links(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import publish_site

    site = tmp_path / "html"
    (site / "book").mkdir(parents=True)
    (site / "_static").mkdir()
    (site / "_static" / "style.css").write_text("")
    (site / "_static" / "macros.html").write_text(
        "<script src=\"{{ pathto('x.js') }}\"></script>")   # not a page
    (site / "index.html").write_text(
        '<a href="book/intro.html">in</a><a href="https://example.org">'
        'out</a><link href="_static/style.css">')
    (site / "book" / "intro.html").write_text(
        '<a href="../index.html#top">home</a><img src="../_static/style.css">')
    assert publish_site.check(site) == (4, [])
    (site / "book" / "intro.html").write_text(
        '<a href="missing.html">x</a><a href="../../elsewhere.html">y</a>'
        '<script src="https://cdn.example.org/x.js"></script>'
        '<a href="/etc/passwd">z</a>')
    checked, problems = publish_site.check(site)
    assert [p.rsplit(": ", 1)[1] for p in problems] == [
        "no such file", "points outside the site", "not a relative link",
        "an asset from another host"]


def test_the_pdf_build_reads_missing_glyphs_and_undefined_references():
    import build_pdf  # scripts/ is on the path (conftest)

    assert build_pdf.log_problems("Output written on book.pdf\n") == []
    glyph = "Missing character: There is no ∂ in font DejaVu Serif!\n"
    assert build_pdf.log_problems(glyph) == [glyph.strip()]
    # TeX wraps the log at 79 columns, in the middle of the reference.
    wrapped = ("LaTeX Warning: Reference `book/bibliography:fig-digits-e"
               "rrors' on page 10\n3 undefined on input line 8131.\n\n"
               "LaTeX Warning: There were undefined references.\n")
    assert build_pdf.log_problems(wrapped) == [
        "Reference `book/bibliography:fig-digits-errors' on page 103"]


def test_clean_outputs_finds_any_temporary_folder():
    import tempfile
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import clean_outputs
    tmp = tempfile.gettempdir()
    text = f"ValueError: {tmp}/tmpk2x9_q/spiral.npz is not a readable"
    assert any("temporary folder" in p
               for p in clean_outputs.problems(text, []))
    assert clean_outputs.problems("ValueError: spiral.npz is not", []) == []


def test_the_repository_url_comes_from_the_variable_or_the_remote(
        tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import book_meta
    monkeypatch.setenv("BOOK_REPOSITORY_URL", "https://github.com/a/b")
    assert book_meta.repository_url(str(tmp_path)) == "https://github.com/a/b"
    monkeypatch.delenv("BOOK_REPOSITORY_URL")
    assert book_meta.repository_url(str(tmp_path)) == ""   # not a checkout
    import subprocess
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin",
                    "git@github.com:someone/fork.git"], check=True)
    assert book_meta.repository_url(str(tmp_path)) == \
        "https://github.com/someone/fork"
    monkeypatch.setenv("BOOK_REPOSITORY_URL", "not a url")
    assert book_meta.repository_url(str(tmp_path)) == ""


def test_the_site_url_and_the_pdf_title_page(monkeypatch):
    """Bug caught: a PDF title page without its licences or URLs, or a
    site URL that is not one."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import book_meta
    monkeypatch.setenv("BOOK_SITE_URL", "https://a.github.io/b/")
    assert book_meta.site_url() == "https://a.github.io/b"
    monkeypatch.setenv("BOOK_SITE_URL", "file:///home/me/site")
    assert book_meta.site_url() == ""
    page = book_meta.title_page("0.1.0", "https://a.github.io/b",
                                "https://github.com/a/b")
    assert "CC-BY-4.0" in page and "MIT" in page
    assert r"\url{https://a.github.io/b/}" in page
    assert r"\url{https://github.com/a/b}" in page
    assert "url" not in book_meta.title_page("0.1.0", "", "")
    flow = yaml.safe_load((ROOT / ".github/workflows/publish.yml")
                          .read_text())
    steps = flow["jobs"]["build"]["steps"]
    pages = next(i for i, s in enumerate(steps)
                 if s.get("uses", "").startswith("actions/configure-pages"))
    build = next(i for i, s in enumerate(steps)
                 if s.get("run") == "make site")
    assert pages < build and steps[pages]["id"] == "pages"
    assert steps[build]["env"]["BOOK_SITE_URL"] == \
        "${{ steps.pages.outputs.base_url }}"


def test_every_local_extension_is_loaded():
    """The config lists Sphinx's extensions by hand: a local extension
    left out of that list is silently never loaded (bug seen:
    minus_signs)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]
    local = set(config["local_extensions"])
    loaded = set(config["config"]["extensions"])
    assert len(local) >= 10
    assert local <= loaded, local - loaded


def test_the_release_workflow_publishes_on_a_version_tag():
    flow = yaml.safe_load((ROOT / ".github/workflows/release.yml")
                          .read_text())
    assert flow[True]["push"]["tags"] == ["v*"]     # "on" reads as True
    publish = flow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"] == \
        "pypa/gh-action-pypi-publish@release/v1"


@pytest.mark.slow
def test_loadgroup_keeps_a_group_on_one_worker(tmp_path):
    """The suite relies on --dist loadgroup (one book build, one course):
    with a pytest that breaks it, two workers would split a group."""
    (tmp_path / "test_g.py").write_text(
        "import os, pytest\n"
        "pytestmark = pytest.mark.xdist_group('g')\n"
        "@pytest.mark.parametrize('k', range(8))\n"
        "def test_k(k):\n"
        "    with open(os.environ['OUT'], 'a') as f:\n"
        "        f.write(os.environ['PYTEST_XDIST_WORKER'] + '\\n')\n")
    out = tmp_path / "workers.txt"
    import os
    import subprocess
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-n", "2", "--dist", "loadgroup", str(tmp_path / "test_g.py")],
        capture_output=True, text=True, cwd=tmp_path,
        env=dict(os.environ, OUT=str(out)), timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    assert len(set(out.read_text().split())) == 1
