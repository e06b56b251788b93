"""Mini-batch training for :mod:`scratchnet.nn` models, and save/load."""

from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from . import fast
from ._checks import DivergenceError, as_hook, as_int, as_labels
from .nn import Sequential, SoftmaxCrossEntropy
from .optim import Optimizer

__all__ = ["fit", "LayerStep", "save", "load", "DivergenceError"]

FORMAT = "scratchnet.nn/1"


def fit(model: Sequential, X, y, epochs: int, batch_size: int,
        optimizer: Optimizer, validation=None, schedule=None,
        seed: int = 0, patience: int | None = None, target=None,
        progress: bool | None = None,
        evaluate_train: bool = False,
        on_epoch=None) -> dict[str, list[float]]:
    """Train ``model`` with mini-batches; return the history per epoch.

    history keys: "loss" (mean training loss over the epoch's batches,
    penalty included), "accuracy" (see ``evaluate_train``), "lr" (the
    learning rate used), and with ``validation=(Xv, yv)`` also
    "val_loss" and "val_accuracy".

    ``evaluate_train``: False (the default) makes "accuracy" the
    fraction of training rows that the epoch's batches classified
    correctly, from the scores that each step computes anyway (before
    its update; a row counts as right when ``predict`` would give its
    class: argmax, the first of tied scores). True adds a forward pass
    over all of X after every epoch and makes it the accuracy of the
    model at the end of the epoch.

    The epochs' orders are permutations drawn from one
    ``np.random.default_rng(seed)``, so the same seed gives the same
    orders. With ``batch_size >= len(X)`` every epoch is all of X in its
    order, unshuffled (the mean gradient does not depend on the order).
    X and the validation X are checked once and converted to
    ``model.dtype``. ``schedule`` (StepLR, CosineLR) is stepped after
    every epoch. With ``patience`` and a validation set, training stops
    when the validation loss has not improved for that many epochs.
    With ``target``, training stops at the first epoch whose accuracy
    (validation accuracy if given) reaches it. ``progress``: show a
    tqdm bar (None: only on a terminal, so the book build stays quiet).
    ``on_epoch(epoch, model)``, if given, is called with epoch 0 before
    training and with epoch k at the end of the k-th epoch (after its
    history entries): a hook to record training (``viz.Recorder``). The
    model's arrays are live: the hook copies what it keeps and must not
    change them.

    Models of Dense and ReLU layers train through the tuned step of
    :mod:`scratchnet.fast`; any other model through its own layers.
    Both compute the same numbers.
    """
    if not isinstance(model, Sequential):
        raise TypeError(
            f"model must be a scratchnet.nn.Sequential, got "
            f"{type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a scratchnet.optim optimizer, got "
            f"{type(optimizer).__name__}")
    # Checked once, here; not copied (fit reads X and keeps nothing).
    X = model.check_x(X, "X", copy=False)
    y = as_labels("y", y, m=X.shape[0])
    epochs = as_int("epochs", epochs)
    batch_size = as_int("batch_size", batch_size)
    seed = as_int("seed", seed, minimum=0)
    on_epoch = as_hook("on_epoch", on_epoch)
    if not isinstance(evaluate_train, bool):
        raise TypeError(f"evaluate_train must be True or False, got "
                        f"{type(evaluate_train).__name__}")
    if validation is not None:
        if not isinstance(validation, tuple) or len(validation) != 2:
            raise TypeError(
                "validation must be a tuple (X_val, y_val), got "
                f"{type(validation).__name__}")
        Xv = model.check_x(validation[0], "validation X", copy=False)
        yv = as_labels("validation y", validation[1], m=Xv.shape[0])
    if patience is not None:
        patience = as_int("patience", patience)
        if validation is None:
            raise ValueError("patience needs a validation set, got "
                             "validation=None")
    step = fast.Step(model) if fast.supports(model) else LayerStep(model)
    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "lr": []}
    if validation is not None:
        history.update(val_loss=[], val_accuracy=[])
    if progress:     # a widget in a notebook (with ipywidgets), or text
        from tqdm.auto import tqdm
    else:            # text on a terminal only; tqdm.auto would warn in a
        from tqdm.std import tqdm  # notebook without ipywidgets
    bar = (range(epochs) if progress is False else   # no bar at all
           tqdm(range(epochs), disable=None if progress is None
                else not progress, leave=False, desc="fit"))
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    best, since_best = np.inf, 0
    if on_epoch is not None:
        on_epoch(0, model)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in bar:
            total, correct = 0.0, 0
            history["lr"].append(optimizer.lr)
            order = rng.permutation(m) if batch_size < m else None
            for start in range(0, m, batch_size):
                if order is None:
                    Xb, yb = X, y
                else:
                    rows = order[start:start + batch_size]
                    Xb, yb = X[rows], y[rows]
                loss, n_correct = step(Xb, yb)
                if not math.isfinite(loss):
                    raise DivergenceError(
                        f"training diverged at epoch {epoch}: the loss is "
                        f"{loss}; lower the learning rate "
                        f"(lr={optimizer.lr})")
                optimizer.step()
                total += loss * yb.shape[0]
                correct += n_correct
            history["loss"].append(total / m)
            if evaluate_train:
                correct = step.evaluate(X, y)[1]
            history["accuracy"].append(correct / m)
            reached = history["accuracy"][-1]
            if validation is not None:
                val_loss, n_correct = step.evaluate(Xv, yv)
                if not math.isfinite(val_loss):   # the weights overflowed
                    raise DivergenceError(
                        f"training diverged at epoch {epoch} (the "
                        f"validation loss is {val_loss}); lower the "
                        f"learning rate (lr={optimizer.lr})")
                reached = n_correct / Xv.shape[0]
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(reached)
                if val_loss < best:
                    best, since_best = val_loss, 0
                else:
                    since_best += 1
            if schedule is not None:
                schedule.step()
            if on_epoch is not None:
                on_epoch(epoch + 1, model)
            if progress is not False and not bar.disable:
                bar.set_postfix(loss=f"{history['loss'][-1]:.4f}")
            if patience is not None and since_best >= patience:
                break
            if target is not None and reached >= target:
                break
    if progress is not False:
        bar.close()
    return history


class LayerStep:
    """``step(X, y) -> (loss, n_correct)`` through the model's own layers.

    The readable counterpart of :class:`scratchnet.fast.Step`, with the
    same doors: it fills the model's gradients (mean loss plus the L2
    penalty) and returns the loss, penalty included, and how many rows
    the scores classify right (argmax, as ``predict``); ``evaluate``
    runs the forward pass only. X and y must already be checked
    (``model.check_x``): this is an inner loop.
    """

    def __init__(self, model: Sequential) -> None:
        if not isinstance(model, Sequential):
            raise TypeError(f"model must be a scratchnet.nn.Sequential, "
                            f"got {type(model).__name__}")
        self.model = model
        self.loss_fn = SoftmaxCrossEntropy()

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        """(mean loss without the penalty, n_correct), forward only."""
        scores = self.model._forward(X)
        loss = self.loss_fn._forward(scores, y)
        return loss, int(np.count_nonzero(np.argmax(scores, axis=1) == y))

    def __call__(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        loss, n_correct = self.evaluate(X, y)
        self.model._backward(self.loss_fn._backward())
        return loss + self.model.penalty(), n_correct


def save(model: Sequential, path) -> Path:
    """Save architecture and weights to one ``.npz`` file, atomically.

    The weights are stored as float64 (exactly, for a float32 model) and
    the model's dtype beside them; files without it load as float64.

    The file is written to a temporary file in the same folder and then
    renamed over ``path``, so an existing good file is never replaced by
    a partial one.
    """
    if not isinstance(model, Sequential):
        raise TypeError(
            f"model must be a scratchnet.nn.Sequential, got "
            f"{type(model).__name__}")
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"path must end in .npz, got {str(path)!r}")
    arrays = {"format": np.array(FORMAT),
              "config": np.array(json.dumps(model.config())),
              "dtype": np.array(np.dtype(model.dtype).name)}
    for i, layer in enumerate(model.layers):
        for key, value in layer.params.items():   # float64: exact
            arrays[f"layer{i}.{key}"] = value.astype(np.float64)
    fd, tmp = tempfile.mkstemp(suffix=".npz.tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(path) -> Sequential:
    """Load a model saved by :func:`save`; never returns half a model.

    Raises ValueError for a file that is truncated, corrupt, not a saved
    model, or whose weights do not fit its architecture.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing .npz file, got "
                         f"{str(path)!r}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError,
            KeyError) as err:
        raise ValueError(
            f"{path} is not a readable .npz file (truncated or corrupt): "
            f"{err}") from err
    if str(arrays.get("format", "")) != FORMAT:
        raise ValueError(
            f"{path} is not a saved scratchnet model: expected format "
            f"{FORMAT!r}, got {str(arrays.get('format'))!r}")
    try:
        config = json.loads(str(arrays["config"]))
        dtype = str(arrays.get("dtype", "float64"))   # older files: f64
        if dtype not in ("float64", "float32"):
            raise TypeError(f"dtype must be float64 or float32, got "
                            f"{dtype!r}")
        model = Sequential.from_config(config, dtype=dtype)
    except (KeyError, json.JSONDecodeError, TypeError) as err:
        raise ValueError(f"{path} has a corrupt architecture: {err}") from err
    expected = {f"layer{i}.{k}": v.shape for i, layer in
                enumerate(model.layers) for k, v in layer.params.items()}
    extra = set(arrays) - set(expected) - {"format", "config", "dtype"}
    if extra:
        raise ValueError(f"{path} has unexpected arrays {sorted(extra)}")
    for key, shape in expected.items():
        if key not in arrays:
            raise ValueError(f"{path} lacks the weights {key!r}")
        value = arrays[key]
        if value.shape != shape or value.dtype != np.float64:
            raise ValueError(
                f"{path}: {key} must be float64 of shape {shape}, got "
                f"{value.dtype} of shape {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{path}: {key} holds NaN or inf")
    for i, layer in enumerate(model.layers):
        for key in layer.params:
            layer.params[key][...] = arrays[f"layer{i}.{key}"]
    return model
