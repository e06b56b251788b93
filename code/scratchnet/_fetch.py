"""Download one file, verify it, and put it in place atomically.

Used by :func:`scratchnet.data.load_fashion_mnist` with ``download=True``.
The bytes go to a hidden temporary file in the target folder; only a
download that is complete and whose checksum is right is renamed to the
file's name, so an interrupted, truncated or corrupt download leaves no
file behind (the temporary one is removed) and raises an error that names
the URL, the expected and the actual checksum.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

CHUNK = 1 << 16
TIMEOUT = 60


class DownloadError(OSError):
    """A download that failed, or whose bytes are not the expected ones."""


def _progress(total: int | None, name: str):
    """A progress bar: in a notebook, or on a terminal; none otherwise."""
    from tqdm import std
    if "ipykernel" in sys.modules:
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm
            return tqdm(total=total, unit="B", unit_scale=True, desc=name)
        except ImportError:
            return std.tqdm(total=total, unit="B", unit_scale=True,
                            desc=name, file=sys.stdout, disable=False)
    return std.tqdm(total=total, unit="B", unit_scale=True, desc=name,
                    disable=None)          # None: off when not a terminal


def _content_sha256(data: bytes) -> str | None:
    """The SHA-256 of a gzip file's content, or None if it isn't one."""
    try:
        return hashlib.sha256(gzip.decompress(data)).hexdigest()
    except (OSError, EOFError, zlib.error):
        return None


def fetch(url: str, target: Path, md5: str, content_sha256: str) -> Path:
    """Download ``url`` to the file ``target`` and verify it.

    The download is accepted when the MD5 of its bytes is ``md5`` (the
    checksum the data set publishes) or, for a gzip file compressed
    anew by a mirror, when the SHA-256 of its decompressed content is
    ``content_sha256``. Returns ``target``.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, part = tempfile.mkstemp(dir=target.parent,
                                    prefix=f".{target.name}.", suffix=".part")
    try:
        digest, size, expected_size = hashlib.md5(), 0, None
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
                    length = answer.headers.get("Content-Length")
                    expected_size = int(length) if length else None
                    bar = _progress(expected_size, target.name)
                    try:
                        while chunk := answer.read(CHUNK):
                            out.write(chunk)
                            digest.update(chunk)
                            size += len(chunk)
                            bar.update(len(chunk))
                    finally:
                        bar.close()
            except urllib.error.HTTPError as err:
                raise DownloadError(
                    f"downloading {url} failed: the server answered "
                    f"{err.code} {err.reason}") from err
            except (urllib.error.URLError, OSError,
                    http.client.HTTPException) as err:
                raise DownloadError(
                    f"downloading {url} failed after {size} bytes: "
                    f"{type(err).__name__}: {err}") from err
        if expected_size is not None and size != expected_size:
            raise DownloadError(
                f"downloading {url} stopped after {size} of "
                f"{expected_size} bytes (a truncated response)")
        actual = digest.hexdigest()
        if actual != md5:
            content = _content_sha256(Path(part).read_bytes())
            if content != content_sha256:
                raise DownloadError(
                    f"{url} is not the expected file: its MD5 is {actual}, "
                    f"expected {md5} (and the SHA-256 of its content is "
                    f"{content}, expected {content_sha256})")
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    return target
