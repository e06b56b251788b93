"""data.load_fashion_mnist: small IDX files written here, and the real
files of Debian's ``dataset-fashion-mnist`` when they are installed.

The test files are built with ``struct`` and ``gzip`` alone (big-endian
32-bit header, then unsigned bytes), independently of the code under
test. Under CI=true the real files must be there.
"""

from __future__ import annotations

import gzip
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import IN_CI
from scratchnet import data

NAMES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
PACKAGE = "dataset-fashion-mnist"

# Three images whose pixels run through every value 0 .. 255, and labels
# at both ends of 0 .. 9.
PIXELS = bytes((7 * i) % 256 for i in range(3 * 28 * 28))
LABELS = bytes([0, 9, 4])


def idx(magic: int, dims: tuple[int, ...], body: bytes) -> bytes:
    """An IDX file: magic number and dimensions big-endian, then body."""
    return struct.pack(f">{1 + len(dims)}I", magic, *dims) + body


def put(folder: Path, name: str, payload: bytes, gz: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / (f"{name}.gz" if gz else name)
    file.write_bytes(gzip.compress(payload) if gz else payload)
    return file


def write_set(folder: Path, kind: str = "train", *, pixels=PIXELS,
              labels=LABELS, n_images=None, n_labels=None, rows=28,
              cols=28, image_magic=2051, label_magic=2049,
              gz=True) -> tuple[Path, Path]:
    """Write one kind's image and label files; by default a good pair."""
    n_images = len(pixels) // (rows * cols) if n_images is None else n_images
    n_labels = len(labels) if n_labels is None else n_labels
    images = put(folder, NAMES[kind][0],
                 idx(image_magic, (n_images, rows, cols), pixels), gz)
    labels = put(folder, NAMES[kind][1],
                 idx(label_magic, (n_labels,), labels), gz)
    return images, labels


def expected_X(pixels: bytes = PIXELS) -> np.ndarray:
    rows = [list(pixels[i:i + 784]) for i in range(0, len(pixels), 784)]
    return np.array(rows, dtype=np.float64) / 255.0


def test_fashion_classes_are_the_official_names_in_label_order():
    assert data.FASHION_CLASSES == (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
        "Shirt", "Sneaker", "Bag", "Ankle boot")
    assert data.FASHION_MNIST_DIR == Path(
        "/usr/share/datasets/fashion-mnist")


@pytest.mark.parametrize("kind", ["train", "test"])
@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_small_files_are_read_and_scaled_exactly(tmp_path, kind, gz):
    write_set(tmp_path, kind, gz=gz)
    X, y = data.load_fashion_mnist(kind, path=tmp_path)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.shape == (3, 784) and y.shape == (3,)
    np.testing.assert_array_equal(X, expected_X())
    assert X.min() == 0.0 and X.max() == 1.0
    assert X[0, 1] == 7 / 255 and X[2, 783] == ((7 * 2351) % 256) / 255
    assert y.tolist() == [0, 9, 4]


def test_a_string_path_works_and_gzip_wins_over_plain(tmp_path):
    write_set(tmp_path, gz=True)
    write_set(tmp_path, labels=bytes([1, 1, 1]), gz=False)
    X, y = data.load_fashion_mnist("train", path=str(tmp_path))
    assert y.tolist() == [0, 9, 4]


def test_path_beats_scratchnet_data_beats_the_default(tmp_path,
                                                      monkeypatch):
    for name, label in (("default", 1), ("env", 2), ("arg", 3)):
        write_set(tmp_path / name, labels=bytes([label] * 3))
    monkeypatch.setattr(data, "FASHION_MNIST_DIR", tmp_path / "default")
    monkeypatch.delenv("SCRATCHNET_DATA", raising=False)
    assert data.load_fashion_mnist()[1].tolist() == [1, 1, 1]
    monkeypatch.setenv("SCRATCHNET_DATA", "")            # empty: unset
    assert data.load_fashion_mnist()[1].tolist() == [1, 1, 1]
    monkeypatch.setenv("SCRATCHNET_DATA", str(tmp_path / "env"))
    assert data.load_fashion_mnist()[1].tolist() == [2, 2, 2]
    assert data.load_fashion_mnist(
        path=tmp_path / "arg")[1].tolist() == [3, 3, 3]


@pytest.mark.parametrize("kind", ["valid", "Train", "", None, 1])
def test_a_bad_kind_is_named(tmp_path, kind):
    write_set(tmp_path)
    with pytest.raises(ValueError, match=re.escape(
            f'kind must be "train" or "test", got {kind!r}')):
        data.load_fashion_mnist(kind, path=tmp_path)


@pytest.mark.parametrize("missing", [0, 1], ids=["images", "labels"])
@pytest.mark.parametrize("kind", ["train", "test"])
def test_a_missing_file_names_it_the_package_and_the_variable(
        tmp_path, kind, missing):
    files = write_set(tmp_path, kind)
    files[missing].unlink()
    name = NAMES[kind][missing]
    with pytest.raises(FileNotFoundError,
                       match=re.escape(f"{name}.gz (or {name}) not found")
                       ) as info:
        data.load_fashion_mnist(kind, path=tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    assert f"apt-get install {PACKAGE}" in message
    assert "SCRATCHNET_DATA" in message


def test_a_missing_folder_from_scratchnet_data_says_so(tmp_path,
                                                       monkeypatch):
    monkeypatch.setenv("SCRATCHNET_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=r"the folder does not "
                       r"exist\), the folder given by SCRATCHNET_DATA"):
        data.load_fashion_mnist("test")


def test_a_wrong_magic_number_says_expected_and_found(tmp_path):
    write_set(tmp_path, image_magic=2049)
    with pytest.raises(ValueError, match=re.escape(
            "train-images-idx3-ubyte.gz has magic number 2049, "
            "expected 2051")):
        data.load_fashion_mnist("train", path=tmp_path)
    write_set(tmp_path, "test", label_magic=2051, gz=False)
    with pytest.raises(ValueError, match=re.escape(
            "t10k-labels-idx1-ubyte has magic number 2051, "
            "expected 2049")):
        data.load_fashion_mnist("test", path=tmp_path)


@pytest.mark.parametrize("rows, cols", [(28, 32), (27, 28), (1, 784)])
def test_images_that_are_not_28x28_are_refused(tmp_path, rows, cols):
    write_set(tmp_path, rows=rows, cols=cols)
    with pytest.raises(ValueError, match=re.escape(
            f"train-images-idx3-ubyte.gz: images must be 28x28, got "
            f"{rows}x{cols}")):
        data.load_fashion_mnist("train", path=tmp_path)


def test_unequal_counts_name_both_files_and_counts(tmp_path):
    write_set(tmp_path, labels=LABELS[:2])
    with pytest.raises(ValueError, match=(
            r"train-images-idx3-ubyte\.gz has 3 images but \S*"
            r"train-labels-idx1-ubyte\.gz has 2 labels")):
        data.load_fashion_mnist("train", path=tmp_path)


@pytest.mark.parametrize("which, cut, expected, found", [
    ("images", 784, 16 + 3 * 784, 16 + 2 * 784),      # one image short
    ("images", 1, 16 + 3 * 784, 16 + 3 * 784 - 1),    # one byte short
    ("labels", 1, 8 + 3, 8 + 2),
])
def test_a_truncated_file_says_expected_and_found_bytes(
        tmp_path, which, cut, expected, found):
    if which == "images":
        write_set(tmp_path, pixels=PIXELS[:-cut], n_images=3)
        name = "train-images-idx3-ubyte.gz"
    else:
        write_set(tmp_path, labels=LABELS[:-cut], n_labels=3)
        name = "train-labels-idx1-ubyte.gz"
    with pytest.raises(ValueError, match=re.escape(
            f"{name} is truncated: expected {expected} bytes for 3 "
            f"{which}, found {found}")):
        data.load_fashion_mnist("train", path=tmp_path)


@pytest.mark.parametrize("size", [2, 10])
def test_a_truncated_header_is_refused(tmp_path, size):
    write_set(tmp_path)
    whole = idx(2051, (3, 28, 28), PIXELS)
    put(tmp_path, NAMES["train"][0], whole[:size])
    with pytest.raises(ValueError, match=(
            r"train-images-idx3-ubyte\.gz is truncated: expected (at "
            rf"least )?16 header bytes, found {size}")):
        data.load_fashion_mnist("train", path=tmp_path)


def test_extra_bytes_are_refused(tmp_path):
    write_set(tmp_path, labels=LABELS + b"\x00", n_labels=3)
    with pytest.raises(ValueError, match=re.escape(
            "train-labels-idx1-ubyte.gz is too long: expected 11 bytes "
            "for 3 labels, found 12")):
        data.load_fashion_mnist("train", path=tmp_path)


def test_a_cut_gzip_stream_is_named(tmp_path):
    images, _ = write_set(tmp_path)
    images.write_bytes(images.read_bytes()[:-20])
    with pytest.raises(ValueError, match=(
            r"train-images-idx3-ubyte\.gz is not a complete gzip file")):
        data.load_fashion_mnist("train", path=tmp_path)


@pytest.mark.parametrize("labels, bad, index, count", [
    (bytes([0, 10, 4]), 10, 1, 1),
    (bytes([255, 9, 12]), 255, 0, 2),
])
def test_labels_out_of_range_are_refused(tmp_path, labels, bad, index,
                                         count):
    write_set(tmp_path, labels=labels)
    with pytest.raises(ValueError, match=re.escape(
            f"train-labels-idx1-ubyte.gz: labels must be in 0 .. 9, got "
            f"{bad} at index {index} ({count} labels out of range)")):
        data.load_fashion_mnist("train", path=tmp_path)


@pytest.mark.parametrize("kind, m", [("train", 60000), ("test", 10000)])
def test_the_real_fashion_mnist(kind, m):
    """The installed files: shapes, dtypes, range, 10 balanced classes,
    and the first image and labels as the raw bytes hold them."""
    try:
        X, y = data.load_fashion_mnist(kind)
    except FileNotFoundError as exc:
        message = (f"Fashion-MNIST is not installed: install it with "
                   f"`apt-get install {PACKAGE}` ({exc})")
        if IN_CI:
            pytest.fail(message + " (CI=true: missing data is a failure)")
        pytest.skip(message)
    assert X.shape == (m, 784) and y.shape == (m,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y, minlength=10).tolist() == [m // 10] * 10
    folder = Path(os.environ.get("SCRATCHNET_DATA")
                  or data.FASHION_MNIST_DIR)
    image_file, label_file = (folder / f"{n}.gz" for n in NAMES[kind])
    if image_file.is_file() and label_file.is_file():
        with gzip.open(image_file) as f:
            assert struct.unpack(">4I", f.read(16)) == (2051, m, 28, 28)
            first = np.frombuffer(f.read(784), dtype=np.uint8)
        with gzip.open(label_file) as f:
            assert struct.unpack(">2I", f.read(8)) == (2049, m)
            head = list(f.read(20))
        np.testing.assert_array_equal(X[0], first / 255.0)
        assert y[:20].tolist() == head
