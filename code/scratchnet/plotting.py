"""Figures for the book: data, decision boundaries, loss curves.

Every function returns a matplotlib Figure and never calls
``plt.show()``. Colours are the Okabe-Ito palette, safe for colour-blind
readers, and each class also gets its own marker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ._checks import as_float_matrix, as_int, as_labels
from .viz import COLORS

__all__ = ["COLORS", "MARKERS", "plot_data", "plot_decision_boundary",
           "plot_loss", "plot_network", "plot_graph"]

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _axes(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    if not hasattr(ax, "figure") or not hasattr(ax, "scatter"):
        raise TypeError(
            f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax.figure, ax


def _check_2d_data(X, y):
    X = as_float_matrix("X", X)
    if X.shape[1] != 2:
        raise ValueError(
            f"X must have 2 columns to be plotted in the plane, got shape "
            f"{X.shape}")
    y = as_labels("y", y, m=X.shape[0], n_classes=len(COLORS))
    return X, y


def plot_data(X, y, ax=None, class_names: Sequence[str] | None = None,
              title: str | None = None, xlabel: str = "$x_1$",
              ylabel: str = "$x_2$"):
    """Scatter plot of 2-D points coloured by class.

    X : (m, 2); y : (m,) labels. Returns the Figure.
    """
    X, y = _check_2d_data(X, y)
    fig, ax = _axes(ax, (4.5, 4.5))
    for k in np.unique(y):
        rows = y == k
        label = class_names[k] if class_names is not None else f"class {k}"
        ax.scatter(X[rows, 0], X[rows, 1], s=18, c=COLORS[k],
                   marker=MARKERS[k], edgecolors="white", linewidths=0.4,
                   label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return fig


def plot_decision_boundary(model, X, y, ax=None, resolution: int = 200,
                           title: str | None = None, margin: float = 0.1,
                           **kwargs):
    """Shade the plane by predicted class and overlay the data.

    model : a two-layer params dict (W1, b1, W2, b2), or a callable that
        maps an (k, 2) array to (k,) labels
    X : (m, 2); y : (m,) labels. Extra keyword arguments go to plot_data.
    Returns the Figure.
    """
    from .twolayer import predict

    X, y = _check_2d_data(X, y)
    if isinstance(model, Mapping):
        params = model

        def model(points):
            return predict(params, points)
    elif not isinstance(model, Callable):
        raise TypeError(
            "model must be a params dict or a callable, got "
            f"{type(model).__name__}")
    if not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution}")
    fig, ax = _axes(ax, (4.5, 4.5))
    span = X.max(axis=0) - X.min(axis=0)
    lo = X.min(axis=0) - margin * span
    hi = X.max(axis=0) + margin * span
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[g0.ravel(), g1.ravel()]
    labels = np.asarray(model(grid)).reshape(g0.shape)
    n = max(int(labels.max()), int(y.max())) + 1
    ax.contourf(g0, g1, labels, levels=np.arange(n + 1) - 0.5,
                cmap=ListedColormap(COLORS[:n]), alpha=0.25)
    plot_data(X, y, ax=ax, title=title, **kwargs)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    return fig


def plot_loss(histories, ax=None, title: str | None = None,
              logy: bool = True, xlabel: str = "epoch"):
    """Loss per epoch (or per ``xlabel``: "step" for a loop of steps).

    histories : a sequence of losses, or a dict ``{label: sequence}`` to
    compare several runs. Returns the Figure.
    """
    if not isinstance(histories, Mapping):
        histories = {"loss": histories}
    if len(histories) == 0:
        raise ValueError("histories must not be empty, got no runs")
    fig, ax = _axes(ax, (5.5, 3.5))
    styles = ("-", "--", "-.", ":")
    for i, (label, hist) in enumerate(histories.items()):
        values = np.asarray(hist, dtype=np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(
                f"histories['{label}'] must be a non-empty 1-D sequence, "
                f"got shape {values.shape}")
        ax.plot(np.arange(values.size), values, styles[i % len(styles)],
                color=COLORS[i % len(COLORS)], label=str(label), lw=1.6)
    if not isinstance(xlabel, str):
        raise TypeError(f"xlabel must be a str, got {type(xlabel).__name__}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    if logy:
        ax.set_yscale("log")
    if len(histories) > 1:
        ax.legend()
    if title:
        ax.set_title(title)
    return fig


def plot_network(d: int = 2, h: int = 4, n: int = 3, m: str = "m",
                 ax=None):
    """A diagram of the two-layer network with the shape of every matrix.

    d, h, n : numbers of inputs, hidden neurons and classes (each drawn
    as a column of circles); m : the label used for the batch size.
    Returns the Figure.
    """
    d, h, n = (as_int(k, v) for k, v in (("d", d), ("h", h), ("n", n)))
    if max(d, h, n) > 12:
        raise ValueError(
            f"d, h and n must be <= 12 to be drawn, got {(d, h, n)}")
    fig, ax = _axes(ax, (7.0, 3.6))
    columns = [(0.0, d, COLORS[0]), (1.0, h, COLORS[1]),
               (2.0, n, COLORS[2])]
    top = max(d, h, n)
    pos = []
    for x, k, color in columns:
        ys = np.linspace(-(k - 1) / 2, (k - 1) / 2, k) * (2.4 / max(top, 2))
        pos.append((x, ys))
        ax.scatter(np.full(k, x), ys, s=380, c=color, zorder=3,
                   edgecolors="black", linewidths=0.8)
    for (x0, ys0), (x1, ys1) in zip(pos[:-1], pos[1:], strict=True):
        for a in ys0:
            for b in ys1:
                ax.plot([x0, x1], [a, b], color="0.6", lw=0.7, zorder=1)
    low = -1.7
    labels = [
        (0.0, f"$X$\n$({m}, {d})$"),
        (0.5, f"$W_1\\;({d}, {h})$\n$b_1\\;(1, {h})$"),
        (1.0, f"$Z_1, A_1$\n$({m}, {h})$"),
        (1.5, f"$W_2\\;({h}, {n})$\n$b_2\\;(1, {n})$"),
        (2.0, f"$Z_2, P$\n$({m}, {n})$"),
    ]
    for x, text in labels:
        ax.text(x, low, text, ha="center", va="top", fontsize=10)
    ax.text(0.0, 1.55, "input", ha="center", fontsize=10)
    ax.text(1.0, 1.55, "hidden (ReLU)", ha="center", fontsize=10)
    ax.text(2.0, 1.55, "output (softmax)", ha="center", fontsize=10)
    ax.set_xlim(-0.4, 2.4)
    ax.set_ylim(-2.4, 1.8)
    ax.axis("off")
    return fig


def plot_graph(root, names: Mapping | None = None, ax=None):
    """The computational graph that an autograd Tensor was made by.

    Each tensor is a box with its operation (or its name, for a leaf)
    and its shape; arrows run from the inputs of an operation to its
    result. Columns follow the forward pass, left to right: an operation
    one column after its latest input, a leaf just before its first use.

    root : a scratchnet.autograd.Tensor, usually the loss
    names : optional {id(tensor): label} for the leaves, e.g. "W1"
    """
    from .autograd import Tensor
    if not isinstance(root, Tensor):
        raise TypeError(f"root must be an autograd Tensor, got "
                        f"{type(root).__name__}")
    names = dict(names or {})
    depth: dict[int, int] = {}
    nodes: dict[int, object] = {}

    def visit(t):
        if id(t) not in depth:
            depth[id(t)] = 1 + max((visit(p) for p in t.parents),
                                   default=-1)
            nodes[id(t)] = t
        return depth[id(t)]

    visit(root)
    for key, t in nodes.items():            # a leaf sits just before its
        if not t.parents:                   # first use
            users = [depth[k] for k, u in nodes.items()
                     if any(p is t for p in u.parents)]
            depth[key] = min(users, default=1) - 1
    columns: dict[int, list[int]] = {}
    for key in nodes:
        columns.setdefault(depth[key], []).append(key)
    width = max(columns) + 1
    height = max(len(c) for c in columns.values())
    fig, ax = _axes(ax, (min(6.8, 1.1 * width + 0.5), 0.8 * height + 0.6))
    where = {}
    for col, keys in columns.items():
        for row, key in enumerate(keys):
            where[key] = (col, (len(keys) - 1) / 2 - row)
    for key, t in nodes.items():
        x, y = where[key]
        for p in t.parents:
            px, py = where[id(p)]
            ax.annotate("", xy=(x - 0.32, y), xytext=(px + 0.32, py),
                        arrowprops={"arrowstyle": "->", "color": "0.4"})
        label = names.get(key, t.op or "leaf")
        shape = "×".join(str(s) for s in t.shape) or "scalar"
        ax.text(x, y, f"{label}\n{shape}", ha="center", va="center",
                fontsize=10, bbox={"boxstyle": "round", "fc": "white",
                                   "ec": COLORS[0] if t.parents
                                   else COLORS[1]})
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-height / 2 - 0.1, height / 2 + 0.1)
    ax.axis("off")
    return fig
