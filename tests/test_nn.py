"""scratchnet.nn, optim and training: gradients, formulas, fit, save/load."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scratchnet import data, nn, optim, training, twolayer
from scratchnet.gradcheck import numerical_gradient, relative_error


def loss_of(model, X, y):
    return (nn.SoftmaxCrossEntropy().forward(model.forward(X), y)
            + model.penalty())


def grads_of(model, X, y):
    fn = nn.SoftmaxCrossEntropy()
    fn.forward(model.forward(X), y)
    dx = model.backward(fn.backward())
    return dx


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 6), d=st.integers(1, 4), h=st.integers(1, 5),
       n=st.integers(2, 4), act=st.sampled_from(["ReLU", "Sigmoid",
                                                  "Tanh"]),
       depth=st.integers(1, 3), wd=st.sampled_from([0.0, 0.3]),
       seed=st.integers(0, 2**31 - 1))
def test_every_layer_and_the_whole_model_against_finite_differences(
        m, d, h, n, act, depth, wd, seed):
    rng = np.random.default_rng(seed)
    layers, width = [], d
    for k in range(depth):
        layers += [nn.Dense(width, h, init="xavier", seed=seed % 1000 + k,
                            weight_decay=wd), getattr(nn, act)()]
        width = h
    layers.append(nn.Dense(width, n, seed=seed % 1000 + 99,
                           weight_decay=wd))
    model = nn.Sequential(*layers)
    for layer in model.layers:
        if "b" in layer.params:
            layer.params["b"][...] = rng.normal(size=layer.params["b"].shape)
    X = rng.normal(size=(m, d))
    y = rng.integers(0, n, size=m)
    dx = grads_of(model, X, y)
    # The input gradient, and every parameter's, away from ReLU kinks.
    num_dx = numerical_gradient(lambda v: loss_of(model, v, y), X.copy())
    pre = X
    kink = False
    for layer in model.layers:
        if isinstance(layer, nn.ReLU) and np.any(np.abs(pre) < 1e-4):
            kink = True
        pre = layer.forward(pre).copy() if not isinstance(
            layer, nn.ReLU) else np.maximum(pre, 0)
    if kink:
        return
    grads_of(model, X, y)
    assert relative_error(dx, num_dx) < 1e-7
    for name, param, grad in model.parameters():
        analytic = grad.copy()
        numeric = numerical_gradient(lambda _: loss_of(model, X, y), param)
        assert relative_error(analytic, numeric) < 1e-7, name


def test_sequential_equals_the_lecture_network():
    X, y = data.make_spiral(seed=0)
    params = twolayer.init_params(2, 7, 3, seed=3, scale=1.0)
    params["b1"] += 0.2
    params["b2"] -= 0.3
    model = nn.Sequential(nn.Dense(2, 7, weight_decay=1e-2), nn.ReLU(),
                          nn.Dense(7, 3, weight_decay=1e-2))
    for i, (W, b) in ((0, ("W1", "b1")), (2, ("W2", "b2"))):
        model.layers[i].params["W"][...] = params[W]
        model.layers[i].params["b"][...] = params[b]
    loss_fn = nn.SoftmaxCrossEntropy()
    scores = model.forward(X)
    L = loss_fn.forward(scores, y) + model.penalty()
    model.backward(loss_fn.backward())
    P, cache = twolayer.forward(params, X)
    grads = twolayer.backward(params, cache, y, reg=1e-2)
    np.testing.assert_allclose(scores, cache["Z2"], rtol=0, atol=1e-13)
    np.testing.assert_allclose(loss_fn.probabilities(scores), P,
                               atol=1e-15)
    assert L == pytest.approx(twolayer.loss(P, y, params, reg=1e-2),
                              rel=1e-14)
    for i, (W, b) in ((0, ("W1", "b1")), (2, ("W2", "b2"))):
        np.testing.assert_allclose(model.layers[i].grads["W"], grads[W],
                                   rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(model.layers[i].grads["b"], grads[b],
                                   rtol=1e-12, atol=1e-16)


def tiny():
    p = np.array([[1.0, -2.0]])
    g = np.array([[0.5, 0.25]])
    return p, g


@pytest.mark.parametrize("layers", [
    lambda: (nn.Dense(2, 4, seed=1), nn.ReLU(), nn.Dense(4, 3, seed=2)),
    lambda: (nn.ReLU(), nn.Dense(2, 3, seed=1)),            # ReLU first
    lambda: (nn.Dense(2, 4, seed=1), nn.Tanh(), nn.ReLU(),
             nn.Dense(4, 3, seed=2)),                    # after a Tanh
    lambda: (nn.Dense(2, 3, seed=1), nn.ReLU()),             # ReLU last
], ids=["between", "first", "after Tanh", "last"])
def test_sequential_equals_its_layers_one_by_one(layers):
    """The result equals the layers' public doors one by one, and the
    caller's x and gradient are left alone."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 2))
    ref = nn.Sequential(*layers())
    out = x
    for layer in ref.layers:
        out = layer.forward(out)
    g = rng.normal(size=out.shape)
    dx_ref = g
    for layer in reversed(ref.layers):
        dx_ref = layer.backward(dx_ref)
    model = nn.Sequential(*layers())
    x_copy, g_copy = x.copy(), g.copy()
    np.testing.assert_array_equal(model.forward(x), out)
    np.testing.assert_array_equal(model.backward(g), dx_ref)
    np.testing.assert_array_equal(model.flat_grads, ref.flat_grads)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(g, g_copy)


def test_sgd_formula():
    p, g = tiny()
    optim.SGD([("p", p, g)], lr=0.1).step()
    np.testing.assert_allclose(p, [[0.95, -2.025]])


def test_momentum_formula():
    p, g = tiny()
    opt = optim.SGD([("p", p, g)], lr=0.1, momentum=0.9)
    opt.step()                      # v = g;          p = p0 - 0.1 g
    opt.step()                      # v = 0.9 g + g;  p -= 0.1 * 1.9 g
    np.testing.assert_allclose(p, [[1.0 - 0.1 * 0.5 * 2.9,
                                    -2.0 - 0.1 * 0.25 * 2.9]])


def test_adam_formula():
    p, g = tiny()
    opt = optim.Adam([("p", p, g)], lr=0.01, beta1=0.9, beta2=0.999,
                     eps=1e-8)
    opt.step()
    # t = 1: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps).
    np.testing.assert_allclose(p, [[1.0 - 0.01 * 0.5 / (0.5 + 1e-8),
                                    -2.0 - 0.01 * 0.25 / (0.25 + 1e-8)]])
    g[...] = [[-0.5, 0.0]]
    opt.step()
    m = 0.9 * 0.1 * np.array([0.5, 0.25]) + 0.1 * np.array([-0.5, 0.0])
    v = (0.999 * 0.001 * np.array([0.25, 0.0625])
         + 0.001 * np.array([0.25, 0.0]))
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    first = np.array([1.0 - 0.01 * 0.5 / (0.5 + 1e-8),
                      -2.0 - 0.01 * 0.25 / (0.25 + 1e-8)])
    np.testing.assert_allclose(p[0], first - 0.01 * m_hat
                               / (np.sqrt(v_hat) + 1e-8))


def test_schedules():
    p, g = tiny()
    opt = optim.SGD([("p", p, g)], lr=1.0)
    step = optim.StepLR(opt, step_size=2, gamma=0.5)
    assert [step.step() for _ in range(4)] == [1.0, 0.5, 0.5, 0.25]
    opt2 = optim.SGD([("p", p, g)], lr=1.0)
    cos = optim.CosineLR(opt2, t_max=4, lr_min=0.0)
    rates = [cos.step() for _ in range(5)]
    np.testing.assert_allclose(rates, [(1 + np.cos(np.pi * t / 4)) / 2
                                       for t in (1, 2, 3, 4, 4)])


def spiral_model(seed=0):
    return nn.Sequential(nn.Dense(2, 100, seed=seed), nn.ReLU(),
                         nn.Dense(100, 3, seed=seed + 1))


def test_fit_learns_the_spiral_and_reports_history():
    X, y = data.make_spiral(seed=0)
    Xv, yv = data.make_spiral(seed=1)
    model = spiral_model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    hist = training.fit(model, X, y, epochs=150, batch_size=64,
                        optimizer=opt, validation=(Xv, yv), progress=False)
    assert set(hist) == {"loss", "accuracy", "val_loss", "val_accuracy",
                         "lr"}
    assert all(len(v) == 150 for v in hist.values())
    assert hist["loss"][-1] < 0.3 * hist["loss"][0]
    assert hist["accuracy"][-1] >= 0.95 and hist["val_accuracy"][-1] >= 0.9


def test_fit_is_deterministic_and_stops_early():
    X, y = data.make_spiral(seed=0)
    a, b = spiral_model(), spiral_model()
    ha = training.fit(a, X, y, 5, 32, optim.SGD(a.parameters(), lr=0.5),
                      progress=False)
    hb = training.fit(b, X, y, 5, 32, optim.SGD(b.parameters(), lr=0.5),
                      progress=False)
    assert ha == hb
    c = spiral_model()
    hc = training.fit(c, X, y, 500, 32, optim.Adam(c.parameters(), 0.02),
                      target=0.9, progress=False)
    assert len(hc["accuracy"]) < 500 and hc["accuracy"][-1] >= 0.9
    # Labels unrelated to X: the validation loss rises as the model
    # learns, so patience stops the fit.
    d = spiral_model()
    y_noise = np.random.default_rng(0).permutation(y)
    hd = training.fit(d, X, y, 500, 32, optim.Adam(d.parameters(), 0.02),
                      validation=(X, y_noise), patience=3, progress=False)
    assert_stopped_by_patience(hd["val_loss"], 3, 500)
    # A held-out spiral: the validation loss falls with ups and downs,
    # so the count of epochs without improvement must restart at each
    # new best.
    e = spiral_model()
    Xv, yv = data.make_spiral(seed=1)
    he = training.fit(e, X, y, 500, 32, optim.Adam(e.parameters(), 0.05),
                      validation=(Xv, yv), patience=3, progress=False)
    v = assert_stopped_by_patience(he["val_loss"], 3, 500)
    best = int(np.argmin(v))
    assert any(v[i] >= v[:i].min() for i in range(1, best)), v


def assert_stopped_by_patience(val_loss, patience, epochs):
    """The fit stopped exactly ``patience`` epochs after the best (the
    first lowest) validation loss, with no lower one since."""
    v = np.asarray(val_loss)
    best = int(np.argmin(v))
    assert len(v) < epochs, len(v)
    assert len(v) - 1 - best == patience, (best, v)
    return v


def test_fit_diverges_loudly():
    X, y = data.make_spiral(seed=0)
    model = spiral_model()
    with pytest.raises(training.DivergenceError, match="lower the learning"):
        training.fit(model, X * 1e3, y, 50, 300,
                     optim.SGD(model.parameters(), lr=1e6), progress=False)


def test_save_and_load_give_identical_predictions(tmp_path):
    X, y = data.make_spiral(seed=0)
    model = nn.Sequential(nn.Dense(2, 16, seed=1), nn.Tanh(),
                          nn.Dense(16, 8, init="xavier", seed=2,
                                   weight_decay=1e-3), nn.Sigmoid(),
                          nn.Dense(8, 3, seed=3))
    training.fit(model, X, y, 3, 50, optim.SGD(model.parameters(), 0.1),
                 progress=False)
    path = training.save(model, tmp_path / "model.npz")
    loaded = training.load(path)
    assert loaded.config() == model.config()
    np.testing.assert_array_equal(loaded.forward(X), model.forward(X))


def test_corrupt_truncated_and_wrong_files_raise(tmp_path):
    X, y = data.make_spiral(seed=0)
    model = spiral_model()
    path = training.save(model, tmp_path / "good.npz")
    raw = path.read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        training.load(truncated)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="truncated or corrupt"):
        training.load(garbage)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.ones(3))
    with pytest.raises(ValueError, match="not a saved scratchnet model"):
        training.load(other)
    # Right format, weights of the wrong shape.
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["layer2.W"] = np.ones((5, 3))
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, **arrays)
    with pytest.raises(ValueError, match=r"layer2.W must be float64 of "
                                         r"shape \(100, 3\)"):
        training.load(wrong)


def test_save_never_replaces_a_good_file_with_a_partial_one(tmp_path,
                                                           monkeypatch):
    model = spiral_model()
    path = training.save(model, tmp_path / "model.npz")
    before = path.read_bytes()

    def broken_savez(f, **arrays):
        f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        training.save(spiral_model(seed=5), path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]      # no temporary left


def test_a_dense_layer_in_a_sequential_keeps_its_own_weight_decay():
    # The layer's public backward and penalty include lambda W, inside a
    # Sequential or not.
    X = np.random.default_rng(0).standard_normal((5, 3))
    grad = np.random.default_rng(1).standard_normal((5, 4))
    alone = nn.Dense(3, 4, seed=2, weight_decay=0.5)
    inside = nn.Dense(3, 4, seed=2, weight_decay=0.5)
    model = nn.Sequential(inside, nn.ReLU(), nn.Dense(4, 2, seed=3))
    assert model.penalty() == pytest.approx(alone.penalty(), rel=1e-14)
    for layer in (alone, inside):
        layer.forward(X)
        layer.backward(grad)
    np.testing.assert_allclose(inside.grads["W"], alone.grads["W"],
                               rtol=1e-14)
    assert np.any(alone.grads["W"] != (X.T @ grad))     # decay is in it


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_narrow_dense_layer_gives_the_input_gradient_of_the_formula(
        dtype):
    # (300, 3) (3, 100): a narrow W, where a copy of W^T once ran
    rng = np.random.default_rng(0)
    layer = nn.Sequential(nn.Dense(100, 3, seed=1), dtype=dtype).layers[0]
    x = rng.standard_normal((300, 100)).astype(dtype)
    grad = rng.standard_normal((300, 3)).astype(dtype)
    layer.forward(x)
    for _ in range(2):                      # the copy is made every time
        dx = layer.backward(grad)
        np.testing.assert_allclose(dx, grad @ layer.params["W"].T,
                                   rtol=1e-5 if dtype == np.float32
                                   else 1e-12, atol=1e-6)
        layer.params["W"] *= 2.0


def test_fit_reports_the_accuracy_predict_gives_when_scores_tie():
    """The issue's case: a last layer of zeros ties every row's scores.
    fit must report what predict gives (argmax, the first class wins),
    not stop at once with accuracy 1.0."""
    X, y = data.make_spiral(100, 3, seed=0)
    model = nn.Sequential(nn.Dense(2, 100, seed=0), nn.ReLU(),
                          nn.Dense(100, 3, seed=1))
    for p in model.layers[2].params.values():
        p[...] = 0.0
    before = float(np.mean(model.predict(X) == y))
    assert before == pytest.approx(1 / 3)
    history = training.fit(model, X, y, epochs=3, batch_size=len(X),
                           optimizer=optim.SGD(model.parameters(), lr=1.0),
                           target=0.97)
    assert history["accuracy"][0] == before
    assert len(history["accuracy"]) == 3


# -- the two traps of a student writing a layer ------------------------

def test_public_doors_return_arrays_the_caller_owns():
    """Trap (a): a second call must not overwrite the first result."""
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    g1, g2 = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    for layer in (nn.Dense(3, 5, seed=1), nn.ReLU(), nn.Tanh(),
                  nn.Sigmoid()):
        shape = (4, 5) if isinstance(layer, nn.Dense) else (4, 3)
        z1 = layer.forward(x1)
        kept = z1.copy()
        z2 = layer.forward(x2)
        assert z1 is not z2 and not np.shares_memory(z1, z2)
        np.testing.assert_array_equal(z1, kept)
        d1 = layer.backward(g1[:, :shape[1]])
        kept = d1.copy()
        z1 += 100.0                    # the caller changes its result
        d2 = layer.backward(g2[:, :shape[1]])
        assert not np.shares_memory(d1, d2)
        np.testing.assert_array_equal(d1, kept)
        np.testing.assert_array_equal(layer.backward(g1[:, :shape[1]]),
                                      kept)   # z1 += 100 changed nothing
    fn = nn.SoftmaxCrossEntropy()
    fn.forward(x1, [0, 1, 2, 0])
    b1 = fn.backward()
    b1[...] = 0.0
    assert np.any(fn.backward() != 0.0)
    model = nn.Sequential(nn.Dense(3, 5, seed=1), nn.ReLU(),
                          nn.Dense(5, 2, seed=2))
    s1 = model.forward(x1)
    s2 = model.forward(x2)
    assert not np.shares_memory(s1, s2)
    x = x2.copy()
    model.forward(x)
    x[...] = 0.0                       # the caller reuses its x
    model.backward(np.ones((4, 2)))
    expected = nn.Sequential(nn.Dense(3, 5, seed=1), nn.ReLU(),
                             nn.Dense(5, 2, seed=2))
    expected.forward(x2)
    expected.backward(np.ones((4, 2)))
    np.testing.assert_array_equal(model.flat_grads, expected.flat_grads)


class Scale(nn.Layer):
    """Exercise ex-lay-1's layer, as a student writes it: y = c x."""

    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        return self.c * x

    def backward(self, grad):
        return self.c * grad


class LearnedScale(nn.Layer):
    """A learned c, kept in params; its backward assigns a new grad."""

    def __init__(self):
        super().__init__()
        self.params = {"c": np.ones((1, 1))}

    def forward(self, x):
        self.x = x
        return self.params["c"] * x

    def backward(self, grad):
        self.grads["c"] = np.sum(grad * self.x, keepdims=True).reshape(1, 1)
        return self.params["c"] * grad


class KeepsItsOwnC(LearnedScale):
    """Trap (b): a parameter kept under another attribute too."""

    def __init__(self):
        super().__init__()
        self.c = self.params["c"]


def test_a_layer_that_keeps_a_parameter_elsewhere_is_refused():
    with pytest.raises(ValueError) as info:
        nn.Sequential(nn.Dense(2, 3), KeepsItsOwnC(), nn.Dense(3, 3))
    for words in ("layers[1]", "KeepsItsOwnC", "'c'", "self.c",
                  "self.params['c']"):
        assert words in str(info.value)


def test_a_students_layers_work_inside_a_sequential_and_learn():
    X, y = data.make_spiral(n_per_class=50, seed=0)
    for flat in (True, False):
        model = nn.Sequential(nn.Dense(2, 30, seed=0), Scale(0.5),
                              nn.ReLU(), nn.Dense(30, 3, seed=1),
                              LearnedScale())
        c_before = model.layers[-1].params["c"].copy()
        hist = training.fit(model, X, y, 300, len(y),
                            optim.SGD(model.parameters(flat=flat), 1.0),
                            progress=False)
        assert hist["loss"][-1] < 0.6 * hist["loss"][0]
        assert np.mean(model.predict(X) == y) > 0.8
        assert model.layers[-1].params["c"] != c_before    # c learned
    # and their gradients are right
    Xs, ys = X[::10], y[::10]
    loss_fn = nn.SoftmaxCrossEntropy()
    loss_fn.forward(model.forward(Xs), ys)
    model.backward(loss_fn.backward())
    for name, param, grad in model.parameters():
        numeric = numerical_gradient(
            lambda _: loss_fn.forward(model.forward(Xs), ys), param)
        assert relative_error(grad.copy(), numeric) < 1e-6, name


def test_the_same_layer_twice_is_refused():
    relu = nn.ReLU()
    with pytest.raises(ValueError, match=r"layers\[2\].*ReLU\(\) a second"):
        nn.Sequential(nn.Dense(2, 2), relu, relu)


@pytest.mark.parametrize("init, variance", [
    ("he", lambda d, n: 2 / d),
    ("xavier", lambda d, n: 2 / (d + n)),      # Glorot and Bengio (2010)
    ("lecun", lambda d, n: 1 / d),
])
def test_dense_init_has_the_named_variance(init, variance):
    d, n = 400, 100
    W = nn.Dense(d, n, init=init, seed=3).params["W"]
    # 40,000 draws: the sample variance is within 3 % of the true one.
    assert W.var() == pytest.approx(variance(d, n), rel=0.03)
    assert abs(W.mean()) < 0.01 * np.sqrt(variance(d, n))


# SoftmaxCrossEntropy (bug: the max shift removed)
def test_softmax_cross_entropy_is_exact_for_huge_scores():
    scores = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 1000.0]])
    y = np.array([0, 0])
    fn = nn.SoftmaxCrossEntropy()
    # Row 0: P = (1, 0, 0), loss 0. Row 1: P = (0, 1/2, 1/2),
    # loss = log(e^-1000 + 2) + 1000 = 1000 + log 2.
    assert fn.forward(scores, y) == pytest.approx((1000.0 + np.log(2.0))
                                                  / 2, rel=1e-12)
    expected = np.array([[0.0, 0.0, 0.0], [-1.0, 0.5, 0.5]]) / 2
    np.testing.assert_allclose(fn.backward(), expected, atol=1e-15)


# N5 nn.py: the row max covers every column, so huge logits stay finite
def test_softmax_cross_entropy_is_stable_for_a_huge_last_logit():
    from scratchnet.nn import SoftmaxCrossEntropy
    loss = SoftmaxCrossEntropy().forward(np.array([[0.0, 0.0, 1000.0]]),
                                         np.array([2]))
    assert loss == pytest.approx(0.0, abs=1e-12)


# N8 nn.py: forward returns a result the next forward does not overwrite
def test_sequential_forward_results_are_independent():
    from scratchnet.nn import Dense, Sequential
    model = Sequential(Dense(2, 3))
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    first = model.forward(X)
    before = first.copy()
    model.forward(2 * X)
    np.testing.assert_array_equal(first, before)
