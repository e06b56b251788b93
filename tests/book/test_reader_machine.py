"""A downloaded chapter on a reader's machine that never saw the repository.

A fresh virtual environment gets only Jupyter's kernel machinery
(ipykernel and nbclient): no scratchnet, no NumPy, no matplotlib. pip is
pointed at a local folder of wheels instead of the package index
(``PIP_NO_INDEX=1``, ``PIP_FIND_LINKS``), standing in for it: the
dependencies, fetched once into ``.cache/wheelhouse/``, and the book's
own wheel, built here. Each downloaded notebook then runs top to bottom in
nbclient, in an empty folder: the first one installs the package from its
first cell, the later ones find it and install nothing. The Fashion-MNIST
chapter downloads its files from a local HTTP server (``http.server`` in a
thread) named by ``SCRATCHNET_FASHION_URL``.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest
import yaml
from conftest import IN_CI, ROOT, notebook_chapters

pytestmark = [pytest.mark.book, pytest.mark.slow,
              pytest.mark.xdist_group("reader")]

WHEELHOUSE = ROOT / ".cache" / "wheelhouse"
#: What the reader's environment has before the first notebook runs.
KERNEL = ["ipykernel", "nbclient"]
#: The package's dependencies, [book] extra included.
DEPENDENCIES = ["numpy>=1.26,<3", "matplotlib>=3.8,<4", "tqdm>=4.66,<5",
                "platformdirs>=3,<5", "scikit-learn>=1.4,<2"]
DEBIAN = Path("/usr/share/datasets/fashion-mnist")
#: Part I (the lecture's network) and the Fashion-MNIST chapter; the other
#: chapters of part II run in the same way in the book's own tests.
PART_I = [Path(c["file"]).name for c in yaml.safe_load(
    (ROOT / "_toc.yml").read_text())["parts"][0]["chapters"]]
CHAPTERS = [c for c in (Path(n).name for n in notebook_chapters())
            if c in PART_I]

RUNNER = """
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
for cell in nb.cells:
    if cell.cell_type == "code":
        cell.outputs = []
NotebookClient(nb, timeout=900, kernel_name="python3",
               resources={"metadata": {"path": "."}}).execute()
errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
          if o.output_type == "error"]
install = next(c for c in nb.cells if "install" in c.metadata.get("tags", []))
print(json.dumps({"errors": [e["ename"] + ": " + e["evalue"][:300]
                             for e in errors],
                  "install_output": install.outputs}))
"""


def run(*cmd, env=None, cwd=None, timeout=1800):
    result = subprocess.run([str(c) for c in cmd], capture_output=True,
                            text=True, env=env, cwd=cwd, timeout=timeout)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory):
    """The dependencies' wheels (fetched once) and the book's wheel."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--dest",
         str(WHEELHOUSE), "--only-binary", ":all:", *KERNEL,
         *DEPENDENCIES], capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        message = ("cannot fetch the wheels of the reader's environment: "
                   + result.stderr[-500:])
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("wheelhouse")
    for wheel in WHEELHOUSE.glob("*.whl"):
        os.link(wheel, folder / wheel.name)
    code = shutil.copytree(ROOT / "code", tmp_path_factory.mktemp("src")
                           / "code", ignore=shutil.ignore_patterns(
                               "build", "*.egg-info", "__pycache__"))
    run(sys.executable, "-m", "build", "--wheel", "--outdir", folder, code)
    assert list(folder.glob("backprop_again-*-py3-none-any.whl"))
    return folder


@pytest.fixture(scope="session")
def fashion_server():
    files = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    if not all((DEBIAN / f).is_file() for f in files):
        if IN_CI:
            pytest.fail("dataset-fashion-mnist is not installed (CI=true)")
        pytest.skip("dataset-fashion-mnist is not installed")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=str(DEBIAN))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def reader(tmp_path_factory, wheelhouse):
    """A fresh environment with the kernel machinery only, and the
    variables of a machine whose package index is the wheelhouse."""
    home = tmp_path_factory.mktemp("reader")
    run(sys.executable, "-m", "venv", home / "env")
    python = home / "env" / "bin" / "python"
    env = {"PATH": f"{python.parent}{os.pathsep}/usr/bin:/bin",
           "HOME": str(home), "MPLBACKEND": "Agg",
           "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "XDG_CACHE_HOME": str(home / "cache"),
           "OPENBLAS_NUM_THREADS": "1"}
    run(python, "-m", "pip", "install", "--quiet", *KERNEL, env=env)
    for module in ("numpy", "matplotlib", "scratchnet"):
        absent = subprocess.run([str(python), "-c", f"import {module}"],
                                capture_output=True, env=env)
        assert absent.returncode != 0, f"{module} is already there"
    return python, env, home


def downloads(book: Path) -> dict[str, Path]:
    return {p.stem: p for p in
            (book / "_build/html/_downloads").glob("*/*.ipynb")}


def run_download(built_html, reader, chapter, extra_env=None):
    python, env, home = reader
    folder = home / "work" / chapter
    folder.mkdir(parents=True)
    nb = downloads(built_html)[chapter]
    shutil.copy2(nb, folder / nb.name)
    (home / "run.py").write_text(RUNNER)
    result = run(python, home / "run.py", nb.name,
                 env={**env, **(extra_env or {})}, cwd=folder,
                 timeout=1800)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], (chapter, report["errors"])
    return report


def test_the_first_notebook_installs_the_pinned_package(built_html,
                                                        reader):
    report = run_download(built_html, reader, "shapes")
    text = json.dumps(report["install_output"])
    assert "restart the kernel" in text or "Successfully" in text, text
    python, env, _ = reader
    version = run(python, "-c", "from importlib.metadata import version; "
                  "print(version('backprop-again'))", env=env)
    from scratchnet import __version__
    assert version.stdout.strip() == __version__


@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if c != "shapes"])
def test_every_download_runs_and_installs_nothing_more(built_html, reader,
                                                       chapter):
    if "backprop-again" not in run(
            reader[0], "-m", "pip", "list", env=reader[1]).stdout:
        pytest.skip("the first notebook did not install the package")
    report = run_download(built_html, reader, chapter)
    assert report["install_output"] == [], (chapter,
                                            report["install_output"])


def test_the_fashion_chapter_downloads_its_data(built_html, reader,
                                                fashion_server):
    # This machine has Debian's copy: SCRATCHNET_DATA names the one
    # folder looked in, empty, as on a reader's machine.
    _, _, home = reader
    run_download(built_html, reader, "fashion",
                 {"SCRATCHNET_FASHION_URL": fashion_server,
                  "SCRATCHNET_DATA": str(home / "data")})
    assert len(list((home / "data").glob("*-ubyte.gz"))) == 4
