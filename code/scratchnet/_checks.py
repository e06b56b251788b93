"""Input checks shared by every public function of scratchnet.

Each check raises ``TypeError`` or ``ValueError`` with a message that
names the argument, what was expected and what was received, so that a
``y`` of shape ``(m, 1)`` or a NaN in ``X`` fails loudly instead of
broadcasting into nonsense.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

PARAM_NAMES = ("W1", "b1", "W2", "b2")


class DivergenceError(ValueError):
    """Training produced a NaN or infinite loss (twolayer.train and
    training.fit raise it; both modules name this one class)."""


def as_float_matrix(name: str, x, *, ndim: int = 2,
                    allow_empty: bool = False) -> np.ndarray:
    """Return ``x`` as a finite float64 array with ``ndim`` dimensions."""
    if (type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == ndim
            and (x.size or allow_empty) and np.isfinite(x.sum())):
        return x       # the common case, cheaply: a finite sum has no NaN
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(
            f"{name} must be a numeric array, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a numeric array, got {type(x).__name__}"
        ) from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or arr.dtype == bool):
        raise TypeError(
            f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must be {ndim}-D, got {arr.ndim}-D array of shape "
            f"{arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(
            f"{name} must not be empty, got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} must be finite, got {bad} NaN or inf entries")
    return arr


def as_labels(name: str, y, *, m: int | None = None,
              n_classes: int | None = None) -> np.ndarray:
    """Return ``y`` as a 1-D int64 array of class labels.

    ``m`` is the number of rows it must have; ``n_classes`` bounds the
    labels to ``0 .. n_classes-1``.
    """
    if (type(y) is np.ndarray and y.dtype == np.int64 and y.ndim == 1
            and y.size and (m is None or y.shape[0] == m)
            and (y.min() >= 0 if n_classes is None
                 else y.view(np.uint64).max() < n_classes)):
        # the common case, without a copy; read as uint64, a negative
        # label is above 2**63, so one max checks both bounds
        return y
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(
            f"{name} must be an integer array, got {type(y).__name__}")
    arr = np.asarray(y)
    if arr.ndim != 1:
        hint = (" (a column vector: use y.ravel() or y[:, 0])"
                if arr.ndim == 2 and arr.shape[-1] == 1 else "")
        raise ValueError(
            f"{name} must be 1-D of shape (m,), got shape {arr.shape}"
            f"{hint}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(
            f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise TypeError(
                f"{name} must hold integer class labels, got non-integer "
                f"values of dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if m is not None and arr.shape[0] != m:
        raise ValueError(
            f"{name} must have {m} entries, one per row of X, got "
            f"{arr.shape[0]}")
    if arr.min() < 0:
        raise ValueError(
            f"{name} must hold labels >= 0, got minimum {arr.min()}")
    if n_classes is not None and arr.max() >= n_classes:
        raise ValueError(
            f"{name} must hold labels < {n_classes} (the number of "
            f"classes), got maximum {arr.max()}")
    return arr


def as_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def as_hook(name: str, fn):
    """None, or a callable: a hook such as ``on_epoch``."""
    if fn is not None and not callable(fn):
        raise TypeError(f"{name} must be a function or None, got "
                        f"{type(fn).__name__}")
    return fn


def as_real(name: str, value, *, positive: bool = False,
            nonnegative: bool = False) -> float:
    """Return ``value`` as a finite float, optionally > 0 or >= 0."""
    if (type(value) is float and -np.inf < value < np.inf
            and not (positive and value <= 0)
            and not (nonnegative and value < 0)):
        return value   # the common case
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if nonnegative and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _params_fast(params, finite: bool = True):
    """The shapes of a well-formed parameter dict, in a few cheap tests;
    None if anything is off (then check_params says what). With
    ``finite=False`` the values are not looked at (the caller checks a
    result computed from them instead)."""
    try:
        W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], \
            params["b2"]
    except (KeyError, TypeError):
        return None
    nd, f8 = np.ndarray, np.float64
    if not (type(W1) is nd and type(b1) is nd and type(W2) is nd
            and type(b2) is nd and W1.dtype == f8 and b1.dtype == f8
            and W2.dtype == f8 and b2.dtype == f8 and W1.ndim == 2
            and W2.ndim == 2):
        return None
    (d, h), (h2, n) = W1.shape, W2.shape
    if (h2 != h or b1.shape != (1, h) or b2.shape != (1, n)
            or not d * h * n):
        return None
    # One finite total: NaN and inf propagate through a sum.
    if finite and not np.isfinite(W1.sum() + b1.sum() + W2.sum() + b2.sum()):
        return None
    return {"d": d, "h": h, "n": n}


def check_params(params, *, name: str = "params") -> dict:
    """Check a two-layer parameter dict and return its shapes.

    Returns ``{"d": d, "h": h, "n": n}``.
    """
    dims = _params_fast(params)
    if dims is not None:
        return dims
    if not isinstance(params, Mapping):
        raise TypeError(
            f"{name} must be a dict with keys {PARAM_NAMES}, got "
            f"{type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(
            f"{name} must have keys {PARAM_NAMES}, missing {missing}")
    for key in PARAM_NAMES:
        value = params[key]
        if not isinstance(value, np.ndarray):
            raise TypeError(
                f"{name}['{key}'] must be a numpy array, got "
                f"{type(value).__name__}")
        as_float_matrix(f"{name}['{key}']", value)
    d, h = params["W1"].shape
    h2, n = params["W2"].shape
    expected = {"b1": (1, h), "W2": (h, params["W2"].shape[1]),
                "b2": (1, n)}
    if h2 != h:
        raise ValueError(
            f"{name}['W2'] must have shape ({h}, n) to follow W1 of shape "
            f"{params['W1'].shape}, got {params['W2'].shape}")
    for key, shape in expected.items():
        if params[key].shape != shape:
            raise ValueError(
                f"{name}['{key}'] must have shape {shape}, got "
                f"{params[key].shape}")
    return {"d": d, "h": h, "n": n}
