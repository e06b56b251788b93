"""Shared fixtures and helpers for the test suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
    for name in ("book", "code"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The whole book built once from scratch (no cache) in a temp copy."""
    book = copy_book(tmp_path_factory.mktemp("book"))
    result = jupyter_book(book)
    (book / "build.log").write_text(result.stdout + result.stderr)
    return book, result
