"""Re-execute the chapters when the code they import changes.

Jupyter Book's execution cache keys a notebook on its own code cells, so
an edit in ``code/`` would leave stale outputs in the book. This Sphinx
extension hashes the files named in ``code_fingerprint_paths`` (by
default ``code/`` and ``requirements.txt``) and

* stores the hash in the config value ``code_fingerprint``, registered
  with ``rebuild="env"``: a new hash makes Sphinx re-read every page;
* points myst-nb's execution cache at ``_build/.jupyter_cache/<hash>``,
  so a re-read page finds no cached outputs and is executed again, and
  removes the caches of older hashes.

An unchanged rebuild keeps the same hash, reads nothing and executes
nothing.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

SKIP_PARTS = {"__pycache__", ".pytest_cache", ".hypothesis"}
SKIP_SUFFIXES = {".pyc", ".pyo"}


def fingerprint(root: Path, paths: list[str]) -> str:
    """SHA-256 over the relative names and bytes of the watched files."""
    digest = hashlib.sha256()
    for rel in sorted(paths):
        base = (root / rel).resolve()
        if not base.exists():
            raise FileNotFoundError(
                f"code_fingerprint_paths names {rel!r}, which does not "
                f"exist under {root}")
        files = [base] if base.is_file() else sorted(
            p for p in base.rglob("*") if p.is_file())
        for path in files:
            parts = set(path.relative_to(base.parent).parts)
            if parts & SKIP_PARTS or path.suffix in SKIP_SUFFIXES:
                continue
            if any(part.endswith(".egg-info") for part in parts):
                continue
            digest.update(str(path.relative_to(base.parent)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _on_config_inited(app, config) -> None:
    root = Path(app.confdir)
    value = fingerprint(root, list(config.code_fingerprint_paths))
    config.code_fingerprint = value
    # One cache for every build of the book, wherever its output goes:
    # the PDF build writes to _build/pdf/ and reuses the HTML's outputs.
    caches = root / "_build" / ".jupyter_cache"
    current = caches / value[:16]
    if caches.is_dir():
        for old in caches.iterdir():
            if old.is_dir() and old.name != current.name and len(
                    old.name) == 16:
                shutil.rmtree(old, ignore_errors=True)
    config.nb_execution_cache_path = str(current)


def setup(app):
    app.add_config_value("code_fingerprint_paths",
                         ["code", "requirements.txt"], "env")
    app.add_config_value("code_fingerprint", "", "env")
    # Run after myst-nb has registered its own config values.
    app.connect("config-inited", _on_config_inited, priority=900)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
