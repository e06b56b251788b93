"""The book's players, made from what scratchnet computes.

Each function returns a :class:`scratchnet.viz.Player`; display it in a
notebook. The frames are snapshots of training (a ``viz.Recorder`` given
to ``twolayer.train`` or ``training.fit`` as ``on_epoch``), or the steps
of a forward and backward pass of :mod:`scratchnet.twolayer`, or the
steps of the optimizers of :mod:`scratchnet.optim`.
"""

from __future__ import annotations

import math

import numpy as np

from . import optim, twolayer
from .viz import COLORS, Image, Line, Panel, Player, Points, Rect, Text

__all__ = ["training", "lr_sweep", "backward_pass", "optimizer_paths",
           "first_layer_weights", "boundary_grid"]

# Light tints of the classes' colours (viz.COLORS), for their regions.
TINTS = ("#BFDCEC", "#F9E7BF", "#BFE7DC", "#F4D7BF", "#F2DEE9")
INK = "#222222"


def _percent(v: float) -> str:
    return f"{100 * v:.1f} %"


def boundary_grid(X, n: int = 64, margin: float = 0.1):
    """The grid a boundary is drawn on: n x n points over X's range.

    Returns (points (n*n, 2), extent (x0, x1, y0, y1)); row 0 of the
    grid is the top (the largest y), as an image is drawn.
    """
    X = np.asarray(X, dtype=np.float64)
    span = X.max(axis=0) - X.min(axis=0)
    lo = X.min(axis=0) - margin * span
    hi = X.max(axis=0) + margin * span
    xs = np.linspace(lo[0], hi[0], n)
    ys = np.linspace(hi[1], lo[1], n)
    g0, g1 = np.meshgrid(xs, ys)
    return np.c_[g0.ravel(), g1.ravel()], (lo[0], hi[0], lo[1], hi[1])


def _regions(params, grid, extent, n: int, k: int) -> Image:
    labels = twolayer.predict(params, grid).reshape(n, n)
    return Image(labels, extent, colors=TINTS[:k], smooth=True)


def _data_marks(X, y):
    return (Points(X[:, 0], X[:, 1], [COLORS[c] for c in y], size=2.2,
                   edge="#ffffff"),)


def _log_ticks(lo: float, hi: float):
    """(value, label) ticks at powers of ten in [lo, hi] (log10 units)."""
    return tuple((float(e), f"{10.0 ** e:g}")
                 for e in range(math.floor(lo), math.ceil(hi) + 1)
                 if lo - 1e-9 <= e <= hi + 1e-9)


def _step_ticks(last: int, count: int = 4):
    step = max(1, last // count)
    return tuple((float(v), f"{v:,}") for v in range(0, last + 1, step))


def training(recorder, X, y, history, reg: float = 0.0,
             resolution: int = 64) -> Player:
    """The spiral's decision regions through training, beside the loss.

    recorder : a viz.Recorder given to ``twolayer.train`` (its snapshots
    are params dicts); X (m, 2), y (m,) : the training data; history :
    the loss per step that train returned. Each frame's loss and
    accuracy are computed here from its snapshot.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    k = int(y.max()) + 1
    grid, extent = boundary_grid(X, resolution)
    epochs = sorted(recorder.snapshots)
    losses = np.asarray(history, dtype=np.float64)
    log = np.log10(losses)
    lo, hi = math.floor(log.min()), math.ceil(log.max() * 10) / 10
    box = Panel((40, 30, 250, 250), xlim=extent[:2], ylim=extent[2:],
                title="decision regions", over=_data_marks(X, y))
    # a little room right of the last step, for the marker at it
    curve = Panel((400, 30, 260, 220), xlim=(0, 1.03 * len(losses)),
                  ylim=(lo, hi), title="loss per step",
                  marks=(Line(np.arange(len(losses)), log, "#0072B2", 1.5),),
                  xlabel="step", ylabel="loss (log scale)",
                  xticks=_step_ticks(len(losses)),
                  yticks=_log_ticks(lo, hi))
    frames, labels, rows, accs, exact = [], [], [], [], []
    for e in epochs:
        p = recorder.snapshots[e]
        P, _ = twolayer.forward(p, X)
        L = twolayer.loss(P, y, p, reg)
        acc = float(np.mean(twolayer.predict(p, X) == y))
        accs.append(acc)
        exact.append(L)
        frames.append([
            [_regions(p, grid, extent, resolution, k)],
            [Line([e, e], [lo, hi], "#777777", 1, "3 3"),
             Points([e], [math.log10(L)], "#D55E00", 5, "#ffffff")],
        ])
        labels.append(f"step {e:,}: loss {L:.3f}, accuracy {_percent(acc)}")
        rows.append((f"{e:,}", f"{L:.4f}", _percent(acc)))
    return Player(
        [box, curve], frames, labels, size=(680, 320),
        alt=("The spiral's three classes as dots, with the plane shaded "
             "by the class the network predicts, beside the training "
             "loss on a log scale. A slider moves through the "
             f"{len(epochs)} recorded steps from {epochs[0]:,} to "
             f"{epochs[-1]:,}: the regions start as broad straight "
             "bands and curl into three spiral arms as the loss falls."),
        table=(("step", "loss", "accuracy"), rows), title="training",
        data={"step": epochs, "loss": exact, "accuracy": accs})


def lr_sweep(runs, X, y, histories, reg: float = 0.0,
             resolution: int = 40) -> Player:
    """Several learning rates side by side, on one slider.

    runs : {lr: viz.Recorder} for ``twolayer.train`` runs that recorded
    the same epochs; histories : {lr: the loss per step}. Up to four
    rates.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    k = int(y.max()) + 1
    rates = list(runs)
    if not 1 <= len(rates) <= 4:
        raise ValueError(f"runs must hold 1 to 4 learning rates, got "
                         f"{len(rates)}")
    epochs = sorted(runs[rates[0]].snapshots)
    if any(sorted(runs[r].snapshots) != epochs for r in rates):
        raise ValueError("runs must have recorded the same epochs")
    grid, extent = boundary_grid(X, resolution)
    styles = (("#0072B2", None), ("#E69F00", "6 3"), ("#009E73", None),
              ("#CC79A7", "2 2"))
    logs = {r: np.log10(np.asarray(histories[r], dtype=np.float64))
            for r in rates}
    lo = math.floor(min(v.min() for v in logs.values()))
    hi = math.ceil(max(v.max() for v in logs.values()))
    steps = len(histories[rates[0]])
    panels = [Panel((20 + 165 * i, 30, 145, 145), xlim=extent[:2],
                    ylim=extent[2:], title=f"η = {r:g}",
                    over=_data_marks(X, y))
              for i, r in enumerate(rates)]
    panels.append(Panel(
        (80, 225, 560, 175), xlim=(0, 1.02 * steps), ylim=(lo, hi),
        title="loss per step",
        marks=tuple(Line(np.arange(steps), logs[r], c, 1.2, d)
                    for r, (c, d) in zip(rates, styles, strict=False)),
        xlabel="step", ylabel="loss (log)", xticks=_step_ticks(steps),
        yticks=_log_ticks(lo, hi)))
    legend = Panel((80, 440, 560, 20), axes=False, marks=tuple(
        m for i, (r, (c, d)) in enumerate(zip(rates, styles, strict=False))
        for m in (Line([i * 140, i * 140 + 30], [0.5, 0.5], c, 2, d),
                  Text(i * 140 + 36, 0.5, f"η = {r:g}", 12, INK,
                       "start"))), xlim=(0, 560))
    panels.append(legend)
    frames, labels, rows = [], [], []
    for e in epochs:
        frame, parts, row = [], [], [f"{e:,}"]
        for r in rates:
            p = runs[r].snapshots[e]
            L = twolayer.loss(twolayer.forward(p, X)[0], y, p, reg)
            acc = float(np.mean(twolayer.predict(p, X) == y))
            frame.append([_regions(p, grid, extent, resolution, k)])
            parts.append(f"η = {r:g}: loss {L:.3f}, {_percent(acc)}")
            row += [f"{L:.3f}", _percent(acc)]
        frame.append([Line([e, e], [lo, hi], "#555555", 1, "3 3")]
                     + [Points([e], [logs[r][e]], c, 3.5, "#ffffff")
                        for r, (c, _) in zip(rates, styles, strict=False)
                        if e < steps])
        frame.append([])
        frames.append(frame)
        labels.append(f"step {e:,}. " + "; ".join(parts))
        rows.append(row)
    columns = ["step"] + [f"{name} (η = {r:g})" for r in rates
                          for name in ("loss", "accuracy")]
    return Player(
        panels, frames, labels, size=(680, 470),
        alt=(f"Decision regions over the spiral for {len(rates)} "
             "learning rates side by side, with their training losses on "
             "a log scale below and a cursor at the current step. "
             f"A slider moves through {len(epochs)} steps from "
             f"{epochs[0]:,} to {epochs[-1]:,}."),
        table=(columns, rows), title="learning rates", columns=1,
        stills=(len(epochs) - 1,))


# --- the backward pass, one equation at a time -------------------------

# (node, where it sits in the diagram, its equation as text)
_NODES = {
    "X": (40, 60), "Z1": (170, 60), "A1": (290, 60), "Z2": (410, 60),
    "P": (530, 60), "L": (640, 60), "W1": (140, 128), "b1": (200, 128),
    "W2": (380, 128), "b2": (440, 128),
}
_EDGES = (("X", "Z1"), ("W1", "Z1"), ("b1", "Z1"), ("Z1", "A1"),
          ("A1", "Z2"), ("W2", "Z2"), ("b2", "Z2"), ("Z2", "P"),
          ("P", "L"))
_STEPS = (
    # (name, node it belongs to, equation label, equation as text)
    ("X", "X", None, "the input batch X"),
    ("Z1", "Z1", "eq-z1", "Z1 = X W1 + b1"),
    ("A1", "A1", "eq-a1", "A1 = max(0, Z1)"),
    ("Z2", "Z2", "eq-z2", "Z2 = A1 W2 + b2"),
    ("P", "P", "eq-softmax", "P = softmax(Z2), row by row"),
    ("L", "L", "eq-ce", "L = mean of −log P[i, y_i]"),
    ("dZ2", "Z2", "eq-dz2", "dZ2 = P − Y"),
    ("dW2", "W2", "eq-dw2", "dW2 = A1ᵀ dZ2 / m"),
    ("db2", "b2", "eq-db2", "db2 = column sums of dZ2 / m"),
    ("dA1", "A1", "eq-da1", "dA1 = dZ2 W2ᵀ"),
    ("dZ1", "Z1", "eq-dz1", "dZ1 = dA1 where Z1 > 0, else 0"),
    ("dW1", "W1", "eq-dw1", "dW1 = Xᵀ dZ1 / m"),
    ("db1", "b1", "eq-dw1", "db1 = column sums of dZ1 / m"),
)
FORWARD, BACKWARD = "#BFDCEC", "#F9D9BF"


def backward_steps(params, X, y) -> list[tuple[str, np.ndarray]]:
    """(name, value) of each step of a forward and backward pass of
    ``twolayer`` (no weight decay), in the order they are computed."""
    P, cache = twolayer.forward(params, X)
    trace: dict = {}
    grads = twolayer.backward(params, cache, y, trace=trace)
    L = twolayer.loss(P, y)
    values = {"X": cache["X"], "Z1": cache["Z1"], "A1": cache["A1"],
              "Z2": cache["Z2"], "P": P, "L": np.array([[L]]),
              "dZ2": trace["dZ2"], "dW2": grads["W2"], "db2": grads["b2"],
              "dA1": trace["dA1"], "dZ1": trace["dZ1"],
              "dW1": grads["W1"], "db1": grads["b1"]}
    return [(name, np.array(values[name], copy=True))
            for name, *_ in _STEPS]


def _heat(values: np.ndarray, centre: float = 340.0):
    """A matrix as coloured cells with its numbers, centred at x."""
    rows, cols = values.shape
    cw, ch = 62.0, 26.0
    x0 = centre - cols * cw / 2
    top = 140.0
    a = float(np.max(np.abs(values))) or 1.0
    marks = [Image(values, (x0, x0 + cols * cw, top - rows * ch, top),
                   cmap="RdBu_r", vmin=-a, vmax=a)]
    for i in range(rows):
        for j in range(cols):
            v = values[i, j]
            ink = "#ffffff" if abs(v) > 0.6 * a else INK
            marks.append(Text(x0 + (j + 0.5) * cw, top - (i + 0.5) * ch,
                              f"{v:.3g}".replace("-", "−"), 11, ink))
    marks.append(Rect(x0, top - rows * ch, x0 + cols * cw, top,
                      stroke="#555555"))
    return marks


def backward_pass(params, X, y, equations: dict[str, str]) -> Player:
    """The forward and backward pass of ``twolayer`` on a tiny batch,
    one step per frame, on the network's diagram.

    params : a twolayer params dict; X (m, d), y (m,) : a batch of at
    most 4 rows; equations : {label: number} of the book's equations,
    such as {"eq-z1": "3.1"}, to name each step's equation.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.shape[0] > 4 or max(params["W1"].shape) > 4:
        raise ValueError(f"backward_pass draws a tiny batch: at most 4 "
                         f"rows and 4 units, got X {X.shape} and W1 "
                         f"{params['W1'].shape}")
    steps = backward_steps(params, X, y)
    diagram = [Line([_NODES[a][0], _NODES[b][0]],
                    [_NODES[a][1], _NODES[b][1]], "#999999", 1.2)
               for a, b in _EDGES]
    for node, (x, yy) in _NODES.items():
        diagram += [Rect(x - 24, yy - 14, x + 24, yy + 14, "#ffffff",
                         "#777777"),
                    Text(x, yy, node, 13, INK)]
    panels = [Panel((0, 0, 680, 160), xlim=(0, 680), ylim=(0, 160),
                    axes=False, marks=tuple(diagram)),
              Panel((0, 160, 680, 40), xlim=(0, 680), ylim=(0, 40),
                    axes=False),
              Panel((0, 200, 680, 150), xlim=(0, 680), ylim=(0, 150),
                    axes=False)]
    frames, labels, rows = [], [], []
    n_forward = 6
    for k, ((name, node, label, text), (_, value)) in enumerate(
            zip(_STEPS, steps, strict=True)):
        backward = k >= n_forward
        x, yy = _NODES[node]
        number = f", eq. ({equations[label]})" if label else ""
        shape = f"({value.shape[0]}, {value.shape[1]})"
        if name == "L":
            shape = "a number"
        done = [Rect(_NODES[n][0] - 24, _NODES[n][1] - 14,
                     _NODES[n][0] + 24, _NODES[n][1] + 14,
                     BACKWARD if j >= n_forward else FORWARD, "#777777")
                for j, (_, n, *_) in enumerate(_STEPS[:k])
                if (j >= n_forward) == backward]
        done += [Text(_NODES[n][0], _NODES[n][1], s, 13, INK)
                 for j, (s, n, *_) in enumerate(_STEPS[:k])
                 if (j >= n_forward) == backward]
        here = [Rect(x - 28, yy - 17, x + 28, yy + 17,
                     BACKWARD if backward else FORWARD,
                     "#D55E00" if backward else "#0072B2", 3),
                Text(x, yy, name, 13, INK, bold=True)]
        phase = "backward" if backward else "forward"
        stage = (f"{phase} {k - n_forward + 1} of {len(_STEPS) - n_forward}"
                 if backward else f"forward {k + 1} of {n_forward}")
        frames.append([done + here,
                       [Text(340, 20, f"{text}{number}, shape {shape}",
                             14, INK)],
                       _heat(value)])
        labels.append(f"{stage}: {text}{number}; shape {shape}")
        rows.append((k + 1, name, equations.get(label, "") if label else "",
                     shape, f"{value.min():.3g}", f"{value.max():.3g}"))
    return Player(
        panels, frames, labels, size=(680, 350), interval=900,
        alt=("The two-layer network as a diagram: X, Z1, A1, Z2, P and L "
             "in a row, with W1, b1, W2 and b2 above. A slider steps "
             "through the forward pass, then the backward pass from the "
             "loss to W1; each step highlights its node, names its "
             "equation and shape, and shows its values for a batch of "
             f"{X.shape[0]} points as a coloured table."),
        table=(("step", "value", "equation", "shape", "min", "max"), rows),
        title="backward pass", stills=(4, 10), columns=1,
        data=dict(steps))


# --- optimizers on a 2-D surface ----------------------------------------

def optimizer_paths(makers, curvature=(1.0, 20.0), start=(-4.5, 1.2),
                    steps: int = 60, every: int = 2) -> Player:
    """Paths of optimizers on f(w) = (a w0² + b w1²) / 2, an elongated
    valley with (a, b) = curvature, from the same start, together.

    makers : {name: function of the (name, w, grad) triples that returns
    a scratchnet.optim optimizer}, at most four.
    """
    a, b = (float(c) for c in curvature)
    h = np.array([a, b])

    def f(w):
        return 0.5 * float(np.sum(h * w * w))

    paths = {}
    for name, make in makers.items():
        w = np.array(start, dtype=np.float64)
        g = np.zeros_like(w)
        opt = make([("w", w, g)])
        if not isinstance(opt, optim.Optimizer):
            raise TypeError(f"makers[{name!r}] must return a scratchnet "
                            f"optimizer, got {type(opt).__name__}")
        path = [w.copy()]
        for _ in range(steps):
            g[...] = h * w                     # the gradient of f
            opt.step()
            path.append(w.copy())
        paths[name] = np.array(path)
    x_max = 1.1 * abs(start[0])
    y_max = x_max * 0.4
    colors = (("#0072B2", None), ("#D55E00", "6 3"), ("#009E73", "2 2"),
              ("#CC79A7", None))
    t = np.linspace(0, 2 * np.pi, 120)
    contours = tuple(Line(np.sqrt(2 * c / a) * np.cos(t),
                          np.sqrt(2 * c / b) * np.sin(t), "#cccccc", 1)
                     for c in (0.05, 0.3, 1, 3, 8, 15))
    panel = Panel((40, 20, 600, 240), xlim=(-x_max, x_max),
                  ylim=(-y_max, y_max), marks=contours + (
                      Points([0], [0], "#222222", 3),),
                  xlabel="w₀", ylabel="w₁",
                  xticks=tuple((v, f"{v:g}") for v in range(
                      -int(x_max), int(x_max) + 1, 2)),
                  yticks=tuple((v, f"{v:g}") for v in (-1, 0, 1)))
    legend = Panel((40, 295, 600, 20), axes=False, xlim=(0, 600),
                   marks=tuple(m for i, (name, (c, d)) in enumerate(
                       zip(paths, colors, strict=False))
                       for m in (Line([i * 200, i * 200 + 28], [0.5, 0.5],
                                      c, 2.5, d),
                                 Text(i * 200 + 34, 0.5, name, 12, INK,
                                      "start"))))
    frames, labels, rows = [], [], []
    for k in range(0, steps + 1, every):
        marks = []
        parts = []
        for (name, path), (c, d) in zip(paths.items(), colors, strict=False):
            marks.append(Line(path[:k + 1, 0], path[:k + 1, 1], c, 2, d))
            marks.append(Points([path[k, 0]], [path[k, 1]], c, 4.5,
                                "#ffffff"))
            parts.append(f"{name} f = {f(path[k]):.3g}")
        frames.append([marks, []])
        labels.append(f"step {k}: " + ", ".join(parts))
        rows.append([k] + [f"{f(p[k]):.3g}" for p in paths.values()])
    return Player(
        [panel, legend], frames, labels, size=(680, 330), interval=250,
        alt=("Contours of an elongated valley, f(w) = (w₀² + "
             f"{b:g} w₁²) / 2, with the paths of "
             f"{', '.join(paths)} from the same start at "
             f"({start[0]:g}, {start[1]:g}) towards the minimum at the "
             f"origin. A slider moves through {steps} steps."),
        table=(["step"] + [f"f, {name}" for name in paths], rows),
        title="optimizer paths", data=paths)


# --- first-layer weights through training --------------------------------

def first_layer_weights(recorder, units, shape=(28, 28), key: str = "0.W",
                        accuracy=None, epochs=None) -> Player:
    """The first layer's weights into a few hidden units, as images,
    through training.

    recorder : a viz.Recorder given to ``training.fit``; units : the
    hidden units (columns of the weights ``key``) to show, at most 8;
    shape : an input's image shape; accuracy : the validation accuracy
    per epoch (``history["val_accuracy"]``) for the readout; epochs :
    the recorded epochs to show (default: all).
    """
    units = [int(u) for u in units]
    if not 1 <= len(units) <= 8:
        raise ValueError(f"units must name 1 to 8 hidden units, got "
                         f"{len(units)}")
    recorded = sorted(recorder.snapshots)
    epochs = recorded if epochs is None else sorted(int(e) for e in epochs)
    missing = sorted(set(epochs) - set(recorded))
    if missing:
        raise ValueError(f"epochs {missing} were not recorded")
    size = 76
    panels = [Panel((10 + i * (size + 8), 28, size, size),
                    xlim=(0, 1), ylim=(0, 1), title=f"unit {u}")
              for i, u in enumerate(units)]
    width = 20 + len(units) * (size + 8)
    frames, labels, rows = [], [], []
    for e in epochs:
        W = recorder.snapshots[e][key]
        frame = []
        for u in units:
            w = W[:, u].reshape(shape).astype(np.float64)
            a = float(np.max(np.abs(w))) or 1.0
            frame.append([Image(w, (0, 1, 0, 1), cmap="gray", vmin=-a,
                                vmax=a)])
        frames.append(frame)
        if e == 0:
            text = "epoch 0: the initial random weights"
        elif accuracy is not None:
            text = (f"epoch {e}: validation accuracy "
                    f"{_percent(accuracy[e - 1])}")
        else:
            text = f"epoch {e}"
        labels.append(text)
        rows.append((e, "" if e == 0 or accuracy is None
                     else _percent(accuracy[e - 1])))
    return Player(
        panels, frames, labels, size=(width, 116), interval=500,
        alt=(f"The weights from the {shape[0]} by {shape[1]} pixels into "
             f"{len(units)} hidden units, each drawn as a grey image "
             "(white positive, black negative). A slider moves through "
             f"epochs {epochs[0]} to {epochs[-1]}: the images start as "
             "noise and turn into smooth shapes of light and dark."),
        table=(("epoch", "validation accuracy"), rows),
        title="first-layer weights", columns=1,
        stills=(0, len(epochs) // 3, len(epochs) - 1))
