"""Data sets and preprocessing: the spiral, the fish, one-hot, scaling.

Every random draw comes from ``np.random.default_rng(seed)``; nothing
here touches NumPy's global random state.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_matrix, as_int, as_labels, as_real

__all__ = ["make_spiral", "make_fish", "FISH_CLASSES", "FISH_TABLE",
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
