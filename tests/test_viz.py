"""scratchnet.viz and scratchnet.players: the recording hook, the player,
and the five figures' data against what scratchnet (or plain NumPy)
computes for the same frames."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from reference import lecture_backward, mean_ce
from scratchnet import nn, optim, players, training, twolayer, viz

SMALL = dict(h=8, lr=1.0, epochs=40, reg=1e-3)


# --- the hook: recording does not change training --------------------

def test_recording_does_not_change_twolayer_training(spiral):
    X, y = spiral
    recorder = viz.Recorder([0, 1, 7, 40])
    p1, h1 = twolayer.train(X, y, **SMALL, on_epoch=recorder)
    p2, h2 = twolayer.train(X, y, **SMALL)
    assert h1 == h2
    for k in p1:
        assert np.array_equal(p1[k], p2[k])
    assert sorted(recorder.snapshots) == [0, 1, 7, 40]
    # epoch k is the state after k updates: as training for k epochs
    for k in (0, 1, 7):
        pk, _ = twolayer.train(X, y, **dict(SMALL, epochs=max(k, 1)))
        want = pk if k else twolayer.init_params(2, 8, 3, seed=0)
        for key in want:
            assert np.array_equal(recorder.snapshots[k][key], want[key])
    for key in p1:                       # the last is the result, copied
        assert np.array_equal(recorder.snapshots[40][key], p1[key])
        assert recorder.snapshots[40][key] is not p1[key]


def _model(activation=nn.ReLU):
    return nn.Sequential(nn.Dense(2, 6, seed=0), activation(),
                         nn.Dense(6, 3, seed=1))


@pytest.mark.parametrize("activation", [nn.ReLU, nn.Tanh])  # fast, layers
def test_recording_does_not_change_fit(spiral, activation):
    X, y = spiral
    runs = []
    for hook in (None, viz.Recorder(range(6))):
        model = _model(activation)
        opt = optim.Adam(model.parameters(flat=True), lr=0.01)
        hist = training.fit(model, X, y, epochs=5, batch_size=64,
                            optimizer=opt, on_epoch=hook)
        runs.append((model, hist, hook))
    (m1, h1, _), (m2, h2, recorder) = runs
    assert h1 == h2
    assert np.array_equal(m1.flat_params, m2.flat_params)
    assert sorted(recorder.snapshots) == list(range(6))
    last = dict((n, p) for n, p, _ in m2.parameters())
    for name, value in recorder.snapshots[5].items():
        assert np.array_equal(value, last[name])
    first = _model(activation)
    for name, p, _ in first.parameters():
        assert np.array_equal(recorder.snapshots[0][name], p)


def test_the_hook_sees_every_epoch_in_order(spiral):
    X, y = spiral
    seen = []
    twolayer.train(X, y, **dict(SMALL, epochs=3),
                   on_epoch=lambda e, p: seen.append(e))
    assert seen == [0, 1, 2, 3]
    seen.clear()
    model = _model()
    training.fit(model, X, y, epochs=3, batch_size=100,
                 optimizer=optim.SGD(model.parameters(), lr=0.1),
                 on_epoch=lambda e, m: seen.append((e, m is model)))
    assert seen == [(0, True), (1, True), (2, True), (3, True)]


def test_a_hook_that_is_not_a_function_is_refused(spiral):
    X, y = spiral
    with pytest.raises(TypeError, match="on_epoch must be a function"):
        twolayer.train(X, y, **SMALL, on_epoch=[0, 10])
    model = _model()
    with pytest.raises(TypeError, match="on_epoch must be a function"):
        training.fit(model, X, y, 1, 10, optim.SGD(model.parameters()),
                     on_epoch="epoch")


def test_recorder_refuses_bad_epochs():
    for bad in ([], [1.5], [-1], [[1, 2]]):
        with pytest.raises(ValueError, match="epochs must be"):
            viz.Recorder(bad)
    with pytest.raises(TypeError, match="state must be"):
        viz.snapshot([np.zeros(2)])


# --- trace: the gradients on the way -----------------------------------

def test_backward_trace_holds_the_intermediate_gradients(spiral):
    X, y = spiral
    params = twolayer.init_params(2, 5, 3, seed=2, scale=1.0)
    P, cache = twolayer.forward(params, X)
    trace = {}
    grads = twolayer.backward(params, cache, y, trace=trace)
    m = len(y)
    Y = np.eye(3)[y]
    np.testing.assert_allclose(trace["dZ2"], P - Y, atol=1e-15)
    np.testing.assert_allclose(trace["dA1"], (P - Y) @ params["W2"].T,
                               atol=1e-14)
    np.testing.assert_allclose(trace["dZ1"], trace["dA1"]
                               * (cache["Z1"] > 0), atol=1e-14)
    want = lecture_backward(params, cache, y)
    for k in want:
        np.testing.assert_allclose(grads[k], want[k], rtol=1e-12,
                                   atol=1e-15)
    assert trace["dZ1"].shape == (m, 5)
    # the trace's arrays are the caller's: the cache is untouched
    trace["dZ2"][:] = 7.0
    assert not np.shares_memory(trace["dZ2"], cache["P"])
    with pytest.raises(TypeError, match="trace must be a dict"):
        twolayer.backward(params, cache, y, trace=[])


# --- the player ----------------------------------------------------------

def _tiny_player(labels=("a", "b", "c"), alt="three dots"):
    panel = viz.Panel((10, 10, 100, 100))
    frames = [[[viz.Points([i / 3], [0.5], "#ff0000")]] for i in range(3)]
    return viz.Player([panel], frames, list(labels), alt=alt,
                      size=(120, 120), table=(("i",), [[0], [1], [2]]))


def _payload(page: str) -> dict:
    raw = re.search(r'<script type="application/json" class="sn-frames">'
                    r"(.*?)</script>", page, re.S).group(1)
    return json.loads(raw)


def test_a_player_is_html_with_poster_controls_data_and_script():
    player = _tiny_player()
    bundle, meta = player._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    page = bundle["text/html"]
    assert page.startswith(f'<div class="sn-player" id="{player.id}">')
    poster = re.search(r'<img class="sn-poster" src="data:image/svg\+xml;'
                       r'base64,([^"]+)" alt="three dots"', page)
    svg = base64.b64decode(poster.group(1)).decode()
    assert svg.startswith("<svg") and 'aria-label="three dots"' in svg
    assert svg.count("<path") == 1 and 'M76.7 ' in svg  # frame "c"
    assert '<button type="button" class="sn-play">Play</button>' in page
    assert ('<input type="range" min="0" max="2" step="1" value="2" '
            'aria-label="Frame" aria-valuetext="c">') in page
    assert page.count("<tr>") == 1 + 3            # head and three frames
    data = _payload(page)
    assert data["labels"] == ["a", "b", "c"] and data["poster"] == 2
    assert len(data["frames"]) == 3 and "M43.3 " in data["frames"][1][0]
    # nothing to fetch: no URL at all (the SVG is in the poster's data),
    # the script inline
    assert re.findall(r"https?://", page) == []
    assert "<script src" not in page
    assert bundle["text/plain"].count("\n") == 0
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_frames_json_cannot_close_its_script():
    player = _tiny_player(labels=("</script><b>", "b", "c"))
    page = player.to_html()
    assert page.count("</script>") == 2
    assert _payload(page)["labels"][0] == "</script><b>"


def test_the_id_is_a_hash_of_the_content_not_of_a_name():
    a, b = _tiny_player(), _tiny_player()
    a.title = "fig-train"                 # a name does not change the id
    assert a.id == b.id and re.fullmatch(r"sn-[0-9a-f]{12}", a.id)
    assert _tiny_player(labels=("a", "b", "d")).id != a.id
    assert _tiny_player(alt="four dots").id != a.id


def test_player_refuses_what_it_cannot_show():
    panel = viz.Panel((0, 0, 10, 10))
    with pytest.raises(ValueError, match="one list of marks per panel"):
        viz.Player([panel], [[[], []]], ["a"], alt="x", size=(10, 10))
    with pytest.raises(ValueError, match="labels must hold one string"):
        viz.Player([panel], [[[]]], ["a", "b"], alt="x", size=(10, 10))
    with pytest.raises(ValueError, match="alt must be"):
        viz.Player([panel], [[[]]], ["a"], alt=" ", size=(10, 10))
    with pytest.raises(ValueError, match="frames must hold"):
        viz.Player([panel], [], [], alt="x", size=(10, 10))
    with pytest.raises(ValueError, match="poster must index"):
        viz.Player([panel], [[[]]], ["a"], alt="x", size=(10, 10),
                   poster=3)
    with pytest.raises(TypeError, match="a mark must be"):
        viz.Player([panel], [[["text"]]], ["a"], alt="x",
                   size=(10, 10)).to_html()


def test_a_long_line_is_drawn_with_its_envelope():
    f = viz._Frame(viz.Panel((0, 0, 100, 50), xlim=(0, 10000),
                             ylim=(-1, 1)))
    t = np.arange(10000)
    y = np.sin(t / 50.0) + (t == 5000) * 0.9      # one spike
    xs, ys = viz._envelope(f.x(t), f.y(y))
    assert len(xs) <= 2 * 51
    assert np.isclose(ys.min(), f.y(y.max()))     # the spike is kept
    assert np.isclose(ys.max(), f.y(y.min()))
    assert np.all(np.diff(xs) >= 0)


def _decode(uri: str) -> np.ndarray:
    from PIL import Image as PILImage

    raw = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(PILImage.open(io.BytesIO(raw)))


# --- the book's five figures: their data is scratchnet's ----------------

@pytest.fixture(scope="module")
def training_player(spiral):
    X, y = spiral
    recorder = viz.Recorder([0, 5, 30])
    _, history = twolayer.train(X, y, **dict(SMALL, epochs=30),
                                on_epoch=recorder)
    return recorder, history, players.training(recorder, X, y, history,
                                               reg=1e-3, resolution=16)


def test_training_frames_are_the_recorded_states(spiral, training_player):
    X, y = spiral
    recorder, history, player = training_player
    grid, extent = players.boundary_grid(X, 16)
    assert player.data["step"] == [0, 5, 30]
    for i, e in enumerate([0, 5, 30]):
        p = recorder.snapshots[e]
        A1 = np.maximum(0, X @ p["W1"] + p["b1"])      # plain NumPy
        Z2 = A1 @ p["W2"] + p["b2"]
        want = mean_ce(Z2, y) + 0.5e-3 * (np.sum(p["W1"] ** 2)
                                          + np.sum(p["W2"] ** 2))
        assert player.data["loss"][i] == pytest.approx(want, rel=1e-12)
        if e < 30:               # the loss before update e is frame e's
            assert player.data["loss"][i] == pytest.approx(history[e],
                                                           rel=1e-12)
        acc = np.mean(np.argmax(Z2, axis=1) == y)
        assert player.data["accuracy"][i] == acc
        G = np.maximum(0, grid @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        regions = player.frames[i][0][0]
        assert np.array_equal(regions.values,
                              np.argmax(G, axis=1).reshape(16, 16))
        # the PNG that the page shows has those classes' colours
        uri = re.search(r'href="(data:image/png[^"]+)"',
                        player._frame_svgs()[i][0]).group(1)
        tints = np.array([[int(c[k:k + 2], 16) for k in (1, 3, 5)]
                          for c in players.TINTS[:3]])
        assert np.array_equal(_decode(uri)[..., :3], tints[regions.values])
        assert f"accuracy {100 * acc:.1f} %" in player.labels[i]
    # the grid's top row is the largest y, as an image is drawn
    assert grid[0, 1] == extent[3] and grid[-1, 1] == extent[2]


def test_lr_sweep_frames_are_each_runs_states(spiral):
    X, y = spiral
    runs, histories = {}, {}
    for lr in (0.1, 1.0):
        runs[lr] = viz.Recorder([0, 3, 10])
        _, histories[lr] = twolayer.train(X, y, **dict(SMALL, lr=lr,
                                                       epochs=10),
                                          on_epoch=runs[lr])
    player = players.lr_sweep(runs, X, y, histories, reg=1e-3,
                              resolution=12)
    grid, _ = players.boundary_grid(X, 12)
    for i, e in enumerate([0, 3, 10]):
        for j, lr in enumerate((0.1, 1.0)):
            p = runs[lr].snapshots[e]
            assert np.array_equal(player.frames[i][j][0].values,
                                  twolayer.predict(p, grid).reshape(12, 12))
            L = twolayer.loss(twolayer.forward(p, X)[0], y, p, 1e-3)
            assert f"η = {lr:g}: loss {L:.3f}" in player.labels[i]
            if e < 10:
                assert L == pytest.approx(histories[lr][e], rel=1e-12)
    with pytest.raises(ValueError, match="the same epochs"):
        other = viz.Recorder([0, 4])
        twolayer.train(X, y, **dict(SMALL, epochs=4), on_epoch=other)
        players.lr_sweep({0.1: runs[0.1], 1.0: other}, X, y, histories)


def test_backward_pass_frames_are_twolayers_steps(spiral):
    X, y = spiral
    rows = [0, 100, 200]
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)
    eqs = {k: f"9.{i}" for i, k in enumerate(
        ["eq-z1", "eq-a1", "eq-z2", "eq-softmax", "eq-ce", "eq-dz2",
         "eq-dw2", "eq-db2", "eq-da1", "eq-dz1", "eq-dw1"])}
    player = players.backward_pass(params, X[rows], y[rows], eqs)
    Xb, yb = X[rows], y[rows]
    Z1 = Xb @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ params["W2"] + params["b2"]
    P = np.exp(Z2 - Z2.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    cache = {"X": Xb, "Z1": Z1, "A1": A1, "P": P}
    g = lecture_backward(params, cache, yb)
    dZ2 = P - np.eye(3)[yb]
    want = {"X": Xb, "Z1": Z1, "A1": A1, "Z2": Z2, "P": P,
            "L": np.array([[mean_ce(Z2, yb)]]), "dZ2": dZ2,
            "dW2": g["W2"], "db2": g["b2"], "dA1": dZ2 @ params["W2"].T,
            "dZ1": (dZ2 @ params["W2"].T) * (Z1 > 0), "dW1": g["W1"],
            "db1": g["b1"]}
    assert list(player.data) == list(want)       # forward, then back
    for name, value in want.items():
        np.testing.assert_allclose(player.data[name], value, rtol=1e-12,
                                   atol=1e-15, err_msg=name)
    assert player.labels[0].startswith("forward 1 of 6: the input")
    assert player.labels[7] == ("backward 2 of 7: dW2 = A1ᵀ dZ2 / m, "
                                "eq. (9.6); shape (4, 3)")
    assert player.labels[-1].endswith("eq. (9.10); shape (1, 4)")
    # each frame's table of numbers shows that frame's values
    texts = [m.text for m in player.frames[7][2]
             if isinstance(m, viz.Text)]
    assert texts == [f"{v:.3g}".replace("-", "−")
                     for v in g["W2"].ravel()]


def test_optimizer_paths_are_the_optimizers_steps():
    player = players.optimizer_paths({
        "SGD": lambda p: optim.SGD(p, lr=0.05),
        "Adam": lambda p: optim.Adam(p, lr=0.2)},
        curvature=(1.0, 10.0), start=(-3.0, 1.0), steps=6, every=3)
    h = np.array([1.0, 10.0])
    w = np.array([-3.0, 1.0])
    sgd = [w.copy()]
    for _ in range(6):
        w = w - 0.05 * h * w
        sgd.append(w)
    np.testing.assert_allclose(player.data["SGD"], sgd, rtol=1e-15)
    w, m, v = np.array([-3.0, 1.0]), np.zeros(2), np.zeros(2)
    adam = [w.copy()]
    for t in range(1, 7):
        g = h * w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.2 * (m / (1 - 0.9 ** t)) / (
            np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        adam.append(w)
    np.testing.assert_allclose(player.data["Adam"], adam, rtol=1e-12)
    assert len(player.frames) == 3                  # steps 0, 3, 6
    assert player.labels[1].startswith("step 3: SGD f = ")
    f3 = 0.5 * np.sum(h * sgd[3] ** 2)
    assert f"SGD f = {f3:.3g}" in player.labels[1]
    with pytest.raises(TypeError, match="must return a scratchnet"):
        players.optimizer_paths({"x": lambda p: None}, steps=1)


def test_first_layer_weights_are_the_recorded_columns(spiral):
    X, y = spiral
    model = _model()
    recorder = viz.Recorder([0, 2])
    hist = training.fit(model, X, y, epochs=2, batch_size=50,
                        optimizer=optim.SGD(model.parameters(), lr=0.1),
                        validation=(X, y), on_epoch=recorder)
    player = players.first_layer_weights(recorder, units=[1, 4],
                                         shape=(1, 2),
                                         accuracy=hist["val_accuracy"])
    W = model.layers[0].params["W"]
    for j, u in enumerate([1, 4]):
        image = player.frames[1][j][0]
        assert np.array_equal(image.values, W[:, u].reshape(1, 2))
        assert image.vmax == -image.vmin == np.max(np.abs(W[:, u]))
    assert player.labels[0] == "epoch 0: the initial random weights"
    assert player.labels[1] == (f"epoch 2: validation accuracy "
                                f"{100 * hist['val_accuracy'][1]:.1f} %")
    with pytest.raises(ValueError, match="units must name 1 to 8"):
        players.first_layer_weights(recorder, units=range(9),
                                    shape=(1, 2))


# --- from a mutation audit: each test caught a one-line bug that the
# tests above let through (a wrong sign, axis, index or order) ---------

EQS = {k: f"9.{i}" for i, k in enumerate(
    ["eq-z1", "eq-a1", "eq-z2", "eq-softmax", "eq-ce", "eq-dz2",
     "eq-dw2", "eq-db2", "eq-da1", "eq-dz1", "eq-dw1"])}


# V6: grey images (first_layer_weights): white positive, black negative
def test_grey_is_black_at_vmin_and_white_at_vmax():
    mark = viz.Image(np.array([[-2.0, 0.0, 2.0]]), (0, 1, 0, 1),
                     cmap="gray", vmin=-2.0, vmax=2.0)
    assert viz._rgb(mark.values, mark).tolist() == [[0, 128, 255]]


# V7: a colormap runs from vmin to vmax (backward pass: positive is red)
def test_a_colormap_maps_vmin_to_its_start_and_vmax_to_its_end():
    import matplotlib
    cmap = matplotlib.colormaps["RdBu_r"]
    mark = viz.Image(np.array([[-3.0, 3.0]]), (0, 1, 0, 1), cmap="RdBu_r",
                     vmin=-3.0, vmax=3.0)
    want = [list(cmap(0.0, bytes=True)[:3]), list(cmap(1.0, bytes=True)[:3])]
    assert viz._rgb(mark.values, mark).tolist() == [want]


# V10: an Image covers its extent in the SVG, with a positive height
def test_an_image_is_placed_over_its_extent():
    f = viz._Frame(viz.Panel((10, 20, 100, 50), xlim=(0, 10), ylim=(0, 5)))
    svg = viz._svg_mark(viz.Image(np.zeros((2, 2)), (2, 6, 1, 4)), f)
    a = {k: v for k, v in re.findall(r'\b(x|y|width|height)="([^"]*)"', svg)}
    # x 2..6 -> 30..70 px; y 4 (top) -> 30 px, y 1 (bottom) -> 60 px
    assert [float(a[k]) for k in ("x", "y", "width", "height")] == [
        30.0, 30.0, 40.0, 30.0]


# V11: the envelope keeps a point in every 2 px column
def test_the_envelope_keeps_every_2px_column():
    f = viz._Frame(viz.Panel((0, 0, 100, 50), xlim=(0, 10000),
                             ylim=(-1, 1)))
    t = np.arange(10000)
    xs, _ = viz._envelope(f.x(t), f.y(np.sin(t / 50.0)))
    assert np.array_equal(np.unique(np.floor(xs / 2)),
                          np.unique(np.floor(f.x(t) / 2)))


# V13, V14: a poster other than the last frame
@pytest.mark.parametrize("poster", [1, -2])
def test_the_poster_readout_and_slider_are_the_chosen_frame(poster):
    panel = viz.Panel((10, 10, 100, 100))
    frames = [[[viz.Points([i / 3], [0.5], "#ff0000")]] for i in range(3)]
    page = viz.Player([panel], frames, ["a", "b", "c"], alt="three dots",
                      size=(120, 120), poster=poster).to_html()
    svg = base64.b64decode(re.search(
        r'class="sn-poster" src="data:image/svg\+xml;base64,([^"]+)"',
        page).group(1)).decode()
    assert "M43.3 " in svg and "M76.7 " not in svg          # frame "b"
    assert 'value="1" aria-label="Frame" aria-valuetext="b"' in page
    assert '<output aria-live="polite">b</output>' in page
    assert _payload(page)["poster"] == 1


# V16: each still shows its own frame, titled with its own label
def test_each_still_shows_its_frame_and_label(monkeypatch):
    from matplotlib.figure import SubFigure
    titles, drawn = [], []
    suptitle, mpl_panel = SubFigure.suptitle, viz._mpl_panel
    monkeypatch.setattr(SubFigure, "suptitle", lambda self, t, **kw: (
        titles.append(t), suptitle(self, t, **kw))[1])
    monkeypatch.setattr(viz, "_mpl_panel", lambda ax, panel, marks, s: (
        drawn.append(marks), mpl_panel(ax, panel, marks, s))[1])
    player = _tiny_player()
    player.stills = [0, 2]
    player.small_multiples(dpi=40)
    assert titles == ["a", "c"]
    assert [list(m[0].x) for m in drawn] == [[0.0], [2 / 3]]


# V17, V19: in the stills, image row 0 is at the top and dots lie over it
def test_the_stills_draw_row_0_at_the_top_and_dots_over_images():
    from PIL import Image as PILImage
    panel = viz.Panel((0, 0, 200, 200), axes=False, marks=(viz.Image(
        np.array([[0], [1]]), (0, 1, 0, 1), colors=("#ff0000", "#0000ff")),),
        over=(viz.Points([0.5], [0.75], "#00ff00", size=20),))
    player = viz.Player([panel], [[[]]], ["x"], alt="x", size=(200, 200))
    rgb = np.asarray(PILImage.open(io.BytesIO(player.small_multiples(
        dpi=50))).convert("RGB")).astype(int)

    def rows(colour):
        return np.nonzero(np.all(np.abs(rgb - colour) < 40, axis=-1))[0]

    red, blue, green = rows((255, 0, 0)), rows((0, 0, 255)), rows((0, 255, 0))
    assert red.size and blue.size and red.mean() < blue.mean()
    assert green.size > 0


# P3: the grid covers the data, with the margin on both sides
def test_the_boundary_grid_covers_the_data_with_its_margin(spiral):
    X, _ = spiral
    grid, (x0, x1, y0, y1) = players.boundary_grid(X, 8, margin=0.1)
    span = X.max(0) - X.min(0)
    np.testing.assert_allclose([x0, y0], X.min(0) - 0.1 * span)
    np.testing.assert_allclose([x1, y1], X.max(0) + 0.1 * span)
    assert (grid[:, 0].min(), grid[:, 0].max()) == (x0, x1)
    assert (grid[:, 1].min(), grid[:, 1].max()) == (y0, y1)


# P4: the training player's cursor sits at the frame's step and loss
def test_training_cursor_is_at_the_frames_step_and_log_loss(spiral):
    X, y = spiral
    recorder = viz.Recorder([0, 5, 30])
    _, history = twolayer.train(X, y, **dict(SMALL, epochs=30),
                                on_epoch=recorder)
    player = players.training(recorder, X, y, history, reg=1e-3,
                              resolution=4)
    for i, e in enumerate([0, 5, 30]):
        line, dot = player.frames[i][1]
        assert list(line.x) == [e, e] and list(dot.x) == [e]
        assert dot.y[0] == pytest.approx(np.log10(player.data["loss"][i]))


# P5: the lr sweep's dots are each run's loss at the frame's step
def test_lr_sweep_cursor_dots_are_each_runs_loss_at_the_step(spiral):
    X, y = spiral
    runs, histories = {}, {}
    for lr in (0.1, 1.0):
        runs[lr] = viz.Recorder([0, 3, 10])
        _, histories[lr] = twolayer.train(
            X, y, **dict(SMALL, lr=lr, epochs=10), on_epoch=runs[lr])
    player = players.lr_sweep(runs, X, y, histories, reg=1e-3, resolution=4)
    for i, e in enumerate([0, 3, 10]):
        dots = [m for m in player.frames[i][2] if isinstance(m, viz.Points)]
        if e < 10:
            assert [list(d.x) for d in dots] == [[e], [e]]
            assert [d.y[0] for d in dots] == pytest.approx(
                [np.log10(histories[lr][e]) for lr in (0.1, 1.0)])
        else:                          # after the last step: no loss yet
            assert dots == []


# P7: six forward steps, then seven backward, each in its colour
def test_backward_pass_is_six_forward_then_seven_backward_steps(spiral):
    X, y = spiral
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)
    player = players.backward_pass(params, X[[0, 100, 200]],
                                   y[[0, 100, 200]], EQS)
    assert [s.split(" ", 1)[0] for s in player.labels] == (
        ["forward"] * 6 + ["backward"] * 7)
    assert player.labels[6].startswith("backward 1 of 7: dZ2 = P − Y")
    here = [m for m in player.frames[6][0]
            if isinstance(m, viz.Rect) and m.width == 3]
    assert [m.stroke for m in here] == ["#D55E00"]


# P9: each number of a step's table sits in its own cell
def test_backward_pass_numbers_sit_in_their_cells(spiral):
    X, y = spiral
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)
    player = players.backward_pass(params, X[[0, 100, 200]],
                                   y[[0, 100, 200]], EQS)
    heat = player.frames[7][2]                         # dW2, (4, 3)
    image = heat[0]
    x0, x1, y0, y1 = image.extent
    rows, cols = image.values.shape
    texts = [m for m in heat if isinstance(m, viz.Text)]
    assert len(texts) == rows * cols
    for (i, j), t in zip(np.ndindex(rows, cols), texts, strict=True):
        assert t.x == pytest.approx(x0 + (j + 0.5) * (x1 - x0) / cols)
        assert t.y == pytest.approx(y1 - (i + 0.5) * (y1 - y0) / rows)


# P10, P11: each frame draws the path up to its step, and a dot at it
def test_optimizer_paths_frames_draw_each_path_up_to_the_step():
    player = players.optimizer_paths(
        {"SGD": lambda p: optim.SGD(p, lr=0.05)}, curvature=(1.0, 10.0),
        start=(-3.0, 1.0), steps=6, every=3)
    path = player.data["SGD"]
    for i, k in enumerate((0, 3, 6)):
        line, dot = player.frames[i][0]
        np.testing.assert_array_equal(line.x, path[:k + 1, 0])
        np.testing.assert_array_equal(line.y, path[:k + 1, 1])
        assert (dot.x[0], dot.y[0]) == (path[k, 0], path[k, 1])


# T3: the trace is filled on the checked path too (a plain dict cache)
def test_backward_fills_the_trace_for_a_plain_dict_cache(spiral):
    X, y = spiral
    params = twolayer.init_params(2, 5, 3, seed=2, scale=1.0)
    _, cache = twolayer.forward(params, X)
    fast, slow = {}, {}
    twolayer.backward(params, cache, y, trace=fast)
    twolayer.backward(params, dict(cache), y, trace=slow)   # checked path
    assert set(slow) == set(fast) == {"dZ2", "dA1", "dZ1"}
    for k in fast:
        np.testing.assert_array_equal(slow[k], fast[k])


# F3: the epoch that stops training early is recorded too
def test_the_hook_sees_the_epoch_that_stops_training(spiral):
    X, y = spiral
    model = _model()
    recorder = viz.Recorder(range(20))
    hist = training.fit(model, X, y, epochs=19, batch_size=100,
                        optimizer=optim.SGD(model.parameters(), lr=0.1),
                        target=0.0, on_epoch=recorder)
    assert len(hist["loss"]) == 1                  # stopped after epoch 1
    assert sorted(recorder.snapshots) == [0, 1]
    for name, p, _ in model.parameters():
        assert np.array_equal(recorder.snapshots[1][name], p)
