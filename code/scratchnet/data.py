"""Data sets and preprocessing: the spiral, the fish, Fashion-MNIST,
one-hot, scaling.

Every random draw comes from ``np.random.default_rng(seed)``; nothing
here touches NumPy's global random state. Nothing here downloads
anything: Fashion-MNIST is read from files already on disk.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from ._checks import as_float_matrix, as_int, as_labels, as_real

__all__ = ["make_spiral", "make_fish", "FISH_CLASSES", "FISH_TABLE",
           "load_fashion_mnist", "FASHION_CLASSES", "FASHION_MNIST_DIR",
           "FASHION_MNIST_URL", "FASHION_CHECKSUMS",
           "one_hot", "standardize", "train_test_split"]


def make_spiral(n_per_class: int = 100, n_classes: int = 3,
                noise: float = 0.2, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """The CS231n spiral: ``n_classes`` interleaved arms in the plane.

    For class ``j`` with ``N = n_per_class`` points::

        r = linspace(0, 1, N)
        t = linspace(4j, 4(j+1), N) + noise * randn(N)
        X[rows of class j] = [r sin t, r cos t]

    Returns
    -------
    X : float64 array, shape (n_per_class * n_classes, 2)
    y : int64 array, shape (n_per_class * n_classes,)
    """
    N = as_int("n_per_class", n_per_class)
    K = as_int("n_classes", n_classes, minimum=2)
    noise = as_real("noise", noise, nonnegative=True)
    rng = np.random.default_rng(as_int("seed", seed, minimum=0))
    X = np.zeros((N * K, 2), dtype=np.float64)
    y = np.zeros(N * K, dtype=np.int64)
    for j in range(K):
        rows = slice(N * j, N * (j + 1))
        r = np.linspace(0.0, 1.0, N)
        t = (np.linspace(4.0 * j, 4.0 * (j + 1), N)
             + noise * rng.standard_normal(N))
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = j
    return X, y


#: The lecture's table: two measured fish per class, (width, height) in cm.
FISH_TABLE = {
    "Salmon": [(5.0, 20.0), (6.0, 21.0)],
    "Tuna": [(10.0, 50.0), (15.0, 60.0)],
    "Hammer shark": [(30.0, 200.0), (40.0, 300.0)],
}
#: Class names in label order: label 0 is Salmon, 1 Tuna, 2 Hammer shark.
FISH_CLASSES = tuple(FISH_TABLE)


def make_fish(n_per_class: int = 50, spread: float = 0.25, seed: int = 0
              ) -> tuple[np.ndarray, np.ndarray]:
    """A *synthetic* fish data set around the lecture's measurements.

    For each class the centre is the geometric mean of the lecture's two
    fish; each synthetic fish multiplies the centre's width and height by
    ``exp(spread * z)`` with ``z`` standard normal, so sizes stay positive
    and vary by roughly ``spread`` (relative).

    Returns
    -------
    X : float64 array, shape (n_per_class * 3, 2), columns (width, height)
        in cm
    y : int64 array, shape (n_per_class * 3,), labels into FISH_CLASSES
    """
    N = as_int("n_per_class", n_per_class)
    spread = as_real("spread", spread, nonnegative=True)
    rng = np.random.default_rng(as_int("seed", seed, minimum=0))
    X = np.zeros((N * len(FISH_CLASSES), 2), dtype=np.float64)
    y = np.zeros(N * len(FISH_CLASSES), dtype=np.int64)
    for j, name in enumerate(FISH_CLASSES):
        centre = np.exp(np.log(np.array(FISH_TABLE[name])).mean(axis=0))
        rows = slice(N * j, N * (j + 1))
        X[rows] = centre * np.exp(spread * rng.standard_normal((N, 2)))
        y[rows] = j
    return X, y


#: Fashion-MNIST's class names in label order: label 0 is T-shirt/top.
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
#: Where Debian's package ``dataset-fashion-mnist`` puts the four files.
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
#: The data set's own location, as its README links the files.
FASHION_MNIST_URL = ("http://fashion-mnist.s3-website.eu-central-1"
                     ".amazonaws.com")
#: For each file: the MD5 that the data set's README gives for the .gz
#: file (torchvision checks the same), and the SHA-256 of the
#: decompressed content, which a mirror that compresses the file anew
#: keeps. The second was computed from Debian's dataset-fashion-mnist;
#: for the two label files, the README's own .gz files (MD5 as above)
#: were checked to hold the same content.
FASHION_CHECKSUMS = {
    "train-images-idx3-ubyte.gz": (
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    "train-labels-idx1-ubyte.gz": (
        "25c81989df183df01b3e8a0aad5dffbe",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    "t10k-images-idx3-ubyte.gz": (
        "bef4ecab320f06d8554ea6380940ec79",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    "t10k-labels-idx1-ubyte.gz": (
        "bb300cfdad3c16e7a12a480ee83cd310",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
}

_FASHION_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_IMAGE_MAGIC = 2051     # 0x00000803: unsigned bytes, 3 dimensions
_LABEL_MAGIC = 2049     # 0x00000801: unsigned bytes, 1 dimension
_SIDE = 28


def load_fashion_mnist(kind: str = "train",
                       path: str | os.PathLike | None = None,
                       download: bool = False, url: str | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST: 28x28 grey images of clothes, in 10 classes.

    Reads the official IDX files (Zalando's originals, as Debian's
    package ``dataset-fashion-mnist`` installs them) and checks them:
    magic numbers, 28x28 images, as many images as labels, the exact
    file sizes and labels in ``0 .. 9``. Each file may be gzipped
    (``train-images-idx3-ubyte.gz``, preferred when both exist) or not
    (``train-images-idx3-ubyte``).

    Where it looks: ``path`` if given; else the folder named by the
    environment variable ``SCRATCHNET_DATA`` when it is set (then the
    only folder looked in and downloaded into); else Debian's
    ``FASHION_MNIST_DIR`` and then the cache folder, ``fashion-mnist``
    in the platform's user cache folder (``~/.cache/backprop-again`` on
    Linux).

    With ``download=True``, the files that are found nowhere are fetched
    from the data set's own location (``FASHION_MNIST_URL``; ``url``, or
    else the environment variable ``SCRATCHNET_FASHION_URL``, replaces
    it, for a mirror), with a progress bar on a terminal or in a
    notebook, into ``path``, ``SCRATCHNET_DATA`` or the cache folder.
    Each download is verified against the checksums in
    ``FASHION_CHECKSUMS`` and written atomically: a failed or corrupt
    download leaves no file and raises an error naming the URL and the
    checksums. A second call reads the files it finds and makes no
    request.

    Parameters
    ----------
    kind : ``"train"`` (60,000 images) or ``"test"`` (10,000 images)
    path : the folder that holds the four files itself, or None
    download : fetch the files that are not found (default: False)
    url : the base URL to fetch them from (default: see above)

    Returns
    -------
    X : float64 array, shape (m, 784), each row one image read row by
        row, pixels scaled from 0 .. 255 to [0, 1] (m = 60000 or 10000
        for the official files; about 376 MB for the training set)
    y : int64 array, shape (m,), labels into FASHION_CLASSES
    """
    if not isinstance(kind, str) or kind not in _FASHION_FILES:
        raise ValueError(
            f'kind must be "train" or "test", got {kind!r}')
    if not isinstance(download, bool):
        raise TypeError(
            f"download must be True or False, got {type(download).__name__}")
    if url is not None and not (isinstance(url, str) and url):
        raise TypeError(f"url must be a non-empty str or None, got {url!r}")
    if path is not None:
        folders, source = [Path(path)], "the path argument"
    elif os.environ.get("SCRATCHNET_DATA"):
        folders = [Path(os.environ["SCRATCHNET_DATA"])]
        source = "SCRATCHNET_DATA"
    else:
        folders = [FASHION_MNIST_DIR, _fashion_cache_dir()]
        source = "the default folders"
    base = (url or os.environ.get("SCRATCHNET_FASHION_URL")
            or FASHION_MNIST_URL).rstrip("/")
    image_name, label_name = _FASHION_FILES[kind]
    image_file, label_file = (
        _find_file(folders, name, source, download, base)
        for name in (image_name, label_name))
    images = _read_idx(image_file, _IMAGE_MAGIC, "images")
    labels = _read_idx(label_file, _LABEL_MAGIC, "labels")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{image_file} has {images.shape[0]} images but {label_file} "
            f"has {labels.shape[0]} labels: the counts must be equal")
    if labels.size and labels.max() >= len(FASHION_CLASSES):
        bad = np.flatnonzero(labels >= len(FASHION_CLASSES))
        raise ValueError(
            f"{label_file}: labels must be in 0 .. "
            f"{len(FASHION_CLASSES) - 1}, got {labels[bad[0]]} at index "
            f"{bad[0]} ({bad.size} labels out of range)")
    X = images.reshape(images.shape[0], _SIDE * _SIDE).astype(np.float64)
    X /= 255.0
    return X, labels.astype(np.int64)


def _fashion_cache_dir() -> Path:
    """Where downloaded Fashion-MNIST files go when neither ``path`` nor
    ``SCRATCHNET_DATA`` says: the platform's user cache folder."""
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("backprop-again")) / "fashion-mnist"


def _find_file(folders: list[Path], name: str, source: str,
               download: bool, base: str) -> Path:
    """The file ``name.gz`` or ``name`` in the first of ``folders`` that
    has it, else downloaded into the last one, else a clear error."""
    for folder in folders:
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.is_file():
                return candidate
    if download:
        from ._fetch import fetch
        md5, sha256 = FASHION_CHECKSUMS[f"{name}.gz"]
        return fetch(f"{base}/{name}.gz", folders[-1] / f"{name}.gz", md5,
                     sha256)
    where = ", ".join(
        f"{f}" + ("" if f.is_dir() else " (the folder does not exist)")
        for f in folders)
    raise FileNotFoundError(
        f"Fashion-MNIST file {name}.gz (or {name}) not found in {where}, "
        f"the folder{'s' if len(folders) > 1 else ''} given by {source}. "
        f"Call load_fashion_mnist(..., "
        f"download=True) to fetch it, install the files with "
        f"`sudo apt-get install dataset-fashion-mnist` (they go to "
        f"{FASHION_MNIST_DIR}), or set SCRATCHNET_DATA to the folder that "
        f"holds them")


def _read_idx(file: Path, magic: int, what: str) -> np.ndarray:
    """The unsigned bytes of an IDX file, checked, as a read-only array.

    ``magic`` is 2051 (images: shape (count, 28, 28)) or 2049 (labels:
    shape (count,)). The header is big-endian 32-bit integers: the magic
    number, the count and, for images, the rows and the columns.
    """
    raw = file.read_bytes()
    if file.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(
                f"{file} is not a complete gzip file: {exc}") from exc
    ndim = 3 if magic == _IMAGE_MAGIC else 1
    header = 4 * (1 + ndim)
    if len(raw) < 4:
        raise ValueError(
            f"{file} is truncated: expected at least {header} header "
            f"bytes, found {len(raw)}")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise ValueError(
            f"{file} has magic number {found}, expected {magic} (IDX "
            f"{what}: unsigned bytes in {ndim} dimension"
            f"{'s' if ndim > 1 else ''})")
    if len(raw) < header:
        raise ValueError(
            f"{file} is truncated: expected {header} header bytes, found "
            f"{len(raw)}")
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4)
    count = int(dims[0])
    if ndim == 3 and tuple(dims[1:]) != (_SIDE, _SIDE):
        raise ValueError(
            f"{file}: images must be {_SIDE}x{_SIDE}, got "
            f"{dims[1]}x{dims[2]}")
    shape = (count, *(int(d) for d in dims[1:]))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        problem = "is truncated" if len(raw) < expected else "is too long"
        raise ValueError(
            f"{file} {problem}: expected {expected} bytes for {count} "
            f"{what}, found {len(raw)}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def one_hot(y, n_classes: int) -> np.ndarray:
    """One-hot encode labels.

    Parameters
    ----------
    y : int array, shape (m,), labels in ``0 .. n_classes-1``
    n_classes : int, the number of classes n

    Returns
    -------
    Y : float64 array, shape (m, n), ``Y[i, y[i]] = 1`` and 0 elsewhere
    """
    n = as_int("n_classes", n_classes)
    y = as_labels("y", y, n_classes=n)
    Y = np.zeros((y.shape[0], n), dtype=np.float64)
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def standardize(X, mean=None, std=None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale each column to zero mean and unit variance.

    Fit on training data (``mean=None, std=None``), then pass the returned
    ``mean`` and ``std`` to apply the same scaling to test data. Columns
    with zero spread are left unscaled (their std is treated as 1).

    Parameters
    ----------
    X : array, shape (m, d)
    mean, std : arrays of shape (1, d), or None to fit them on X

    Returns
    -------
    Xs : float64 array, shape (m, d)
    mean, std : float64 arrays, shape (1, d)
    """
    X = as_float_matrix("X", X)
    if (mean is None) != (std is None):
        raise ValueError(
            "mean and std must be given together or both be None, got "
            f"mean={'None' if mean is None else 'array'} and "
            f"std={'None' if std is None else 'array'}")
    if mean is None:
        mean = X.mean(axis=0, keepdims=True)
        std = X.std(axis=0, keepdims=True)
        std = np.where(std > 0, std, 1.0)
    else:
        mean = as_float_matrix("mean", mean)
        std = as_float_matrix("std", std)
        for name, arr in (("mean", mean), ("std", std)):
            if arr.shape != (1, X.shape[1]):
                raise ValueError(
                    f"{name} must have shape (1, {X.shape[1]}) to match X "
                    f"of shape {X.shape}, got {arr.shape}")
        if np.any(std <= 0):
            raise ValueError(
                f"std must be > 0 in every column, got {std.ravel()}")
    return (X - mean) / std, mean, std


def train_test_split(X, y, test_fraction: float = 0.2, seed: int = 0
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                np.ndarray]:
    """A stratified, seeded split into training and test parts.

    Each class contributes ``round(test_fraction * count)`` rows (at least
    one, and never all of them) to the test part.

    Parameters
    ----------
    X : array, shape (m, d)
    y : int array, shape (m,)
    test_fraction : float in (0, 1)

    Returns
    -------
    X_train, X_test, y_train, y_test
    """
    X = as_float_matrix("X", X)
    y = as_labels("y", y, m=X.shape[0])
    test_fraction = as_real("test_fraction", test_fraction)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(
            f"test_fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(as_int("seed", seed, minimum=0))
    test_rows = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        if rows.size < 2:
            raise ValueError(
                f"y must have at least 2 rows of each class to stratify, "
                f"got {rows.size} of class {label}")
        k = int(round(test_fraction * rows.size))
        k = min(max(k, 1), rows.size - 1)
        test_rows.append(rng.permutation(rows)[:k])
    test = np.zeros(y.shape[0], dtype=bool)
    test[np.concatenate(test_rows)] = True
    train_idx = rng.permutation(np.flatnonzero(~test))
    test_idx = rng.permutation(np.flatnonzero(test))
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
