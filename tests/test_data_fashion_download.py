"""load_fashion_mnist(download=True) against a local HTTP server.

The server (``http.server`` in a thread) serves the files of Debian's
``dataset-fashion-mnist`` (copied, so their checksums are the real ones),
and on request misbehaves: wrong bytes, a truncated body, a server error,
a dropped connection. Each failure must raise a clear error and leave the
folder without a partial file; a good download must be read back, and a
second call must make no request.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import re
import threading
from pathlib import Path

import pytest
from conftest import IN_CI
from scratchnet import data

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


class Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    mode: dict[str, str] = {}
    requests: list[str] = []

    def log_message(self, *args):           # quiet
        pass

    def do_GET(self):                       # noqa: N802 (http.server)
        name = self.path.rsplit("/", 1)[-1]
        self.requests.append(name)
        mode = self.mode.get(name, "ok")
        if mode == "error" or name not in self.files:
            self.send_error(500 if mode == "error" else 404)
            return
        body = self.files[name]
        if mode == "wrong":
            body = gzip.compress(b"not the data set" * 100)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncated":             # promise more than we send
            self.wfile.write(body[: len(body) // 2])
        elif mode == "dropped":             # cut the connection
            self.wfile.write(body[:1000])
            self.wfile.flush()
            self.connection.shutdown(2)
        else:
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    if not all((DEBIAN / f).is_file() for f in TEST_FILES):
        if IN_CI:
            pytest.fail("dataset-fashion-mnist is not installed (CI=true)")
        pytest.skip("dataset-fashion-mnist is not installed")
    Handler.files = {f: (DEBIAN / f).read_bytes() for f in TEST_FILES}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/fashion"
    httpd.shutdown()


@pytest.fixture
def fresh(server, monkeypatch):
    Handler.mode, Handler.requests = {}, []
    monkeypatch.delenv("SCRATCHNET_DATA", raising=False)
    monkeypatch.delenv("SCRATCHNET_FASHION_URL", raising=False)
    return server


def test_a_download_is_verified_read_and_then_cached(fresh, tmp_path):
    X, y = data.load_fashion_mnist("test", path=tmp_path, download=True,
                                   url=fresh)
    assert X.shape == (10000, 784) and y.shape == (10000,)
    assert sorted(Handler.requests) == sorted(TEST_FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TEST_FILES)
    X2, y2 = data.load_fashion_mnist("test", path=tmp_path, download=True,
                                     url=fresh)
    assert len(Handler.requests) == 2          # no new request
    assert (X2 == X).all() and (y2 == y).all()


def test_the_variables_name_the_mirror_and_the_one_folder(
        fresh, tmp_path, monkeypatch):
    monkeypatch.setenv("SCRATCHNET_FASHION_URL", fresh)
    monkeypatch.setenv("SCRATCHNET_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(data, "FASHION_MNIST_DIR", tmp_path / "debian")
    _, y = data.load_fashion_mnist("test", download=True)
    assert y.shape == (10000,)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == \
        sorted(TEST_FILES)


def test_without_a_variable_it_downloads_into_the_user_cache(
        fresh, tmp_path, monkeypatch):
    monkeypatch.setattr(data, "FASHION_MNIST_DIR", tmp_path / "debian")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data.load_fashion_mnist("test", download=True, url=fresh)
    folder = tmp_path / "cache" / "backprop-again" / "fashion-mnist"
    assert data._fashion_cache_dir() == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(TEST_FILES)


def test_debians_files_are_read_first_and_nothing_is_fetched(
        fresh, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data.load_fashion_mnist("test", download=True, url=fresh)
    assert Handler.requests == []
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("mode, message", [
    ("wrong", r"is not the expected file: its MD5 is [0-9a-f]{32}, "
              r"expected bef4ecab320f06d8554ea6380940ec79"),
    ("truncated", r"stopped after \d+ of \d+ bytes|failed after \d+ bytes"),
    ("error", r"the server answered 500"),
    ("dropped", r"failed after \d+ bytes|stopped after \d+ of \d+ bytes"),
])
def test_a_failed_download_raises_and_leaves_no_file(fresh, tmp_path, mode,
                                                     message):
    Handler.mode = {"t10k-images-idx3-ubyte.gz": mode}
    with pytest.raises(OSError, match=message) as info:
        data.load_fashion_mnist("test", path=tmp_path, download=True,
                                url=fresh)
    assert f"{fresh}/t10k-images-idx3-ubyte.gz" in str(info.value)
    assert list(tmp_path.iterdir()) == []      # no partial, no temporary


def test_a_recompressed_mirror_is_accepted_by_its_content(fresh, tmp_path):
    """Debian's own files are compressed anew: their MD5 is not the
    README's, the SHA-256 of their content is the code's."""
    name = "t10k-labels-idx1-ubyte.gz"
    md5, sha256 = data.FASHION_CHECKSUMS[name]
    raw = Handler.files[name]
    assert hashlib.md5(raw).hexdigest() != md5
    assert hashlib.sha256(gzip.decompress(raw)).hexdigest() == sha256


def test_without_download_a_missing_file_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(
            "download=True")):
        data.load_fashion_mnist("test", path=tmp_path)


def test_the_checksums_are_well_formed_and_match_debians_content():
    for name, (md5, sha256) in data.FASHION_CHECKSUMS.items():
        assert re.fullmatch(r"[0-9a-f]{32}", md5), name
        assert re.fullmatch(r"[0-9a-f]{64}", sha256), name
        path = DEBIAN / name
        if path.is_file():
            content = gzip.decompress(path.read_bytes())
            assert hashlib.sha256(content).hexdigest() == sha256, name


def test_download_and_url_are_checked(tmp_path):
    with pytest.raises(TypeError, match="download must be True or False"):
        data.load_fashion_mnist("test", path=tmp_path, download="yes")
    with pytest.raises(TypeError, match="url must be a non-empty str"):
        data.load_fashion_mnist("test", path=tmp_path, url=3)
