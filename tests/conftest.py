"""Shared fixtures and helpers for the test suite."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# One BLAS thread in every kernel and build the tests start: pytest runs
# on two workers on two cores, and two-thread BLAS kernels beside each
# other oversubscribe them (OpenBLAS threads spin while they wait). The
# book build pins its kernels to one thread too (figure_formats.py), so
# the numbers are the same as in `make book`.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                  "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

matplotlib.use("Agg")

# Reproducible and load-tolerant property tests: the same examples on
# every run, and no per-example time limit on a shared machine.
settings.register_profile("book", deadline=None, derandomize=True,
                          print_blob=True)
settings.load_profile("book")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))
import notebooks  # noqa: E402  (scripts/notebooks.py: the toc helpers)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def toc_files(root: Path = ROOT) -> list[str]:
    """Every file of the table of contents, in order (without .md)."""
    return notebooks.toc_files(root)


def executed_pages(root: Path = ROOT) -> list[str]:
    """The toc files with code cells, which the book build executes."""
    return notebooks.executed_pages(root)


def notebook_chapters(root: Path = ROOT) -> list[str]:
    """The toc files that are notebooks (they have code cells)."""
    return notebooks.chapters(root)


def jupyter_book(book: Path, *args: str, timeout: int = 1800
                 ) -> subprocess.CompletedProcess:
    """Run ``jupyter-book build`` on ``book`` with warnings as errors."""
    cmd = [str(BIN / "jupyter-book"), "build", str(book), "--builder",
           "html", "-W", "-n", "--keep-going", *args]
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=book)


def copy_book(dest: Path) -> Path:
    """Copy everything the book build reads into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("_config.yml", "_toc.yml", "requirements.txt"):
        shutil.copy2(ROOT / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info",
                                    ".ipynb_checkpoints", "_build")
    for name in ("book", "code", "scripts"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


def require_tool(path: str, install: str) -> None:
    """Skip (or, under CI=true, fail) when a system tool is missing."""
    if shutil.which(path) or Path(path).is_file():
        return
    message = f"{path} not found: install it with `{install}`"
    if IN_CI:
        pytest.fail(message + " (CI=true: a missing tool is a failure)")
    pytest.skip(message)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="module")
def spiral():
    """The spiral data set of the lecture (300 rows, 3 classes), seed 0."""
    from scratchnet import data
    return data.make_spiral(seed=0)


@contextlib.contextmanager
def shared_once(tmp_path_factory, worker_id: str, name: str):
    """A folder ``name`` shared by the test session's workers, and an
    exclusive lock on it: the first worker that needs it builds it, the
    others wait and reuse it (pytest-xdist runs a session fixture once
    per worker)."""
    if worker_id == "master":                 # no xdist: one process
        yield tmp_path_factory.mktemp(name)
        return
    root = tmp_path_factory.getbasetemp().parent     # this session's
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield root / name
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory, worker_id):
    """The whole book built once from scratch (no cache) in a temp copy."""
    with shared_once(tmp_path_factory, worker_id, "book") as book:
        log = book / "build.log"
        if not log.is_file():
            copy_book(book)
            if not (book / "book/_static/mathjax/tex-chtml.js").is_file():
                pytest.fail("MathJax is not vendored: run `make mathjax`")
            start = time.perf_counter()
            result = jupyter_book(book)
            (book / "build-seconds.txt").write_text(
                f"{time.perf_counter() - start:.1f}")
            (book / "build-returncode.txt").write_text(
                str(result.returncode))
            log.write_text(result.stdout + result.stderr)
        result = subprocess.CompletedProcess(
            "jupyter-book build", int((book / "build-returncode.txt")
                                      .read_text()), log.read_text(), "")
    return book, result


@pytest.fixture(scope="session")
def built_html(built_book):
    """The HTML book built from scratch; fails if the build failed."""
    book, result = built_book
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return book


@pytest.fixture(scope="session")
def built_pdf(built_html, tmp_path_factory, worker_id):
    """The PDF of the same book (needs TeX), with its build time."""
    require_tool("xelatex", "apt-get install texlive-xetex latexmk "
                 "texlive-fonts-recommended texlive-fonts-extra "
                 "fonts-dejavu")
    require_tool("latexmk", "apt-get install latexmk")
    require_tool("pdftotext", "apt-get install poppler-utils")
    pdf = built_html / "_build" / "pdf" / "backprop-again.pdf"
    seconds_file = built_html / "pdf-seconds.txt"
    with shared_once(tmp_path_factory, worker_id, "pdf-lock"):
        if not seconds_file.is_file():
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, str(built_html / "scripts" /
                                     "build_pdf.py"), str(built_html)],
                capture_output=True, text=True, timeout=1800)
            assert result.returncode == 0, (result.stdout
                                            + result.stderr)[-4000:]
            seconds_file.write_text(f"{time.perf_counter() - start:.1f}")
    return pdf, float(seconds_file.read_text())
