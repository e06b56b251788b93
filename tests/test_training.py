"""Training: the CS231n case-study result, divergence, determinism."""

import numpy as np
import pytest
from scratchnet import data, linear, nn, optim, training, twolayer
from scratchnet.functional import accuracy


@pytest.fixture(scope="module")
def spiral():
    return data.make_spiral(seed=0)


@pytest.fixture(scope="module")
def trained(spiral):
    X, y = spiral
    return twolayer.train(X, y, h=100, lr=1.0, epochs=10000, reg=1e-3,
                          seed=0)


def test_cs231n_two_layer_net_reaches_97_percent(spiral, trained):
    X, y = spiral
    params, history = trained
    acc = np.mean(twolayer.predict(params, X) == y)
    assert acc >= 0.97, acc
    assert len(history) == 10000
    assert history[-1] < 0.5 * history[0]


def test_linear_classifier_stays_near_one_half(spiral):
    X, y = spiral
    params, history = linear.train_linear(X, y, lr=1.0, epochs=200,
                                          reg=1e-3)
    acc = np.mean(linear.predict_linear(params, X) == y)
    assert 0.4 <= acc <= 0.6, acc


def test_training_is_deterministic(spiral):
    X, y = spiral
    a = twolayer.train(X, y, h=10, epochs=50, seed=3)
    b = twolayer.train(X, y, h=10, epochs=50, seed=3)
    assert a[1] == b[1]
    assert all(np.array_equal(a[0][k], b[0][k]) for k in a[0])


def test_divergence_raises_and_names_the_learning_rate(spiral):
    X, y = spiral
    with pytest.raises(twolayer.DivergenceError,
                       match="lower the learning rate") as info:
        twolayer.train(X * 1e3, y, h=20, lr=1e6, epochs=200, scale=1.0)
    assert isinstance(info.value, ValueError)


def test_sgd_step_updates_in_place():
    params = twolayer.init_params(2, 3, 3, seed=0)
    before = {k: v.copy() for k, v in params.items()}
    ids = {k: id(v) for k, v in params.items()}
    grads = {k: np.ones_like(v) for k, v in params.items()}
    assert twolayer.sgd_step(params, grads, 0.5) is None
    for k in params:
        assert id(params[k]) == ids[k]
        np.testing.assert_array_equal(params[k], before[k] - 0.5)


def test_train_does_not_modify_given_params(spiral):
    X, y = spiral
    start = twolayer.init_params(2, 5, 3, seed=1)
    copy = {k: v.copy() for k, v in start.items()}
    twolayer.train(X, y, h=5, epochs=5, params=start)
    assert all(np.array_equal(start[k], copy[k]) for k in start)


def test_backward_matches_the_formula_with_one_hot(spiral):
    # The literal lecture code (P.copy(); -= 1) equals P - one_hot(y).
    X, y = spiral
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)
    P, cache = twolayer.forward(params, X)
    grads = twolayer.backward(params, cache, y)
    dZ2 = (P - data.one_hot(y, 3)) / len(y)
    np.testing.assert_allclose(grads["b2"], dZ2.sum(0, keepdims=True),
                               atol=1e-15)
    np.testing.assert_allclose(grads["W2"], cache["A1"].T @ dZ2,
                               atol=1e-15)


def test_accuracy():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(scores, np.array([1, 0, 0])) == pytest.approx(2 / 3)


def test_log_every_prints(spiral, capsys):
    X, y = spiral
    twolayer.train(X, y, h=3, epochs=3, log_every=1)
    assert capsys.readouterr().out.count("loss") == 3
    twolayer.train(X, y, h=3, epochs=3)
    assert capsys.readouterr().out == ""


def test_fit_called_again_gives_what_one_long_fit_gives():
    # the tuned step keeps arrays for a few batch sizes; batch sizes and
    # validation sets that alternate must not mix them up
    X, y = data.make_spiral(seed=0)
    Xv, yv = data.make_spiral(seed=1)
    runs = []
    for alternate in (False, True):
        model = nn.Sequential(nn.Dense(2, 16, seed=0), nn.ReLU(),
                              nn.Dense(16, 3, seed=1))
        opt = optim.Adam(model.parameters(), lr=0.01)
        hists = []
        for batch, val in ((300, None), (64, (Xv[:50], yv[:50])),
                           (300, (Xv, yv)), (64, None), (7, (Xv, yv))):
            if alternate:       # a fit of other sizes in between
                training.fit(nn.Sequential(nn.Dense(2, 3)), X[:11],
                             y[:11], 1, 5, optim.SGD(
                                 nn.Sequential(nn.Dense(2, 3))
                                 .parameters()), progress=False)
            hists.append(training.fit(model, X, y, 3, batch, opt,
                                      validation=val, evaluate_train=True,
                                      progress=False))
        runs.append(hists)
    assert runs[0] == runs[1]


def separable():
    X = np.array([[-2.0, 0.0], [-1.0, 0.5], [1.0, -0.5], [2.0, 0.0],
                  [-1.5, -1.0]])
    y = np.array([0, 0, 1, 1, 0])
    return X, y


def test_fit_stops_when_the_accuracy_reaches_the_target_exactly():
    X, y = separable()
    model = nn.Sequential(nn.Dense(2, 2, seed=0))
    history = training.fit(model, X, y, epochs=500, batch_size=5,
                           optimizer=optim.SGD(model.parameters(), lr=0.5),
                           target=1.0)
    assert history["accuracy"][-1] == 1.0
    assert len(history["accuracy"]) < 500
    assert all(a < 1.0 for a in history["accuracy"][:-1])


def test_fit_weights_a_short_last_batch_by_its_rows():
    """Five rows in batches of 2: the epoch's loss is the mean over the
    rows (2, 2 and 1), each batch's loss taken before its update."""
    X, y = separable()
    model = nn.Sequential(nn.Dense(2, 2, seed=0))
    twin = nn.Sequential(nn.Dense(2, 2, seed=0))
    sgd = optim.SGD(twin.parameters(), lr=0.1)
    history = training.fit(model, X, y, epochs=1, batch_size=2, seed=3,
                           optimizer=optim.SGD(model.parameters(), lr=0.1))
    order = np.random.default_rng(3).permutation(5)
    total = 0.0
    for start in (0, 2, 4):
        rows = order[start:start + 2]
        fn = nn.SoftmaxCrossEntropy()
        loss = fn.forward(twin.forward(X[rows]), y[rows])
        twin.backward(fn.backward())
        sgd.step()
        total += loss * len(rows)
    assert history["loss"][0] == pytest.approx(total / 5, rel=1e-12)


def test_cosine_schedule_ends_at_lr_min():
    model = nn.Sequential(nn.Dense(2, 2, seed=0))
    sgd = optim.SGD(model.parameters(), lr=1.0)
    schedule = optim.CosineLR(sgd, t_max=4, lr_min=0.1)
    rates = [schedule.step() for _ in range(6)]
    assert rates[1] == pytest.approx(0.1 + 0.9 * 0.5)
    assert rates[3:] == pytest.approx([0.1, 0.1, 0.1])


def spiral_model(dtype=np.float64):
    return nn.Sequential(nn.Dense(2, 100, seed=0, weight_decay=1e-3),
                         nn.ReLU(),
                         nn.Dense(100, 3, seed=1, weight_decay=1e-3),
                         dtype=dtype)


def test_float32_training_reaches_the_accuracy_of_float64():
    X, y = data.make_spiral(seed=0)
    acc = {}
    for dtype in (np.float64, np.float32):
        model = spiral_model(dtype)
        training.fit(model, X, y, 2000, len(y),
                     optim.SGD(model.parameters(), lr=1.0), progress=False)
        assert model.flat_params.dtype == dtype
        assert model.forward(X).dtype == dtype
        acc[dtype] = np.mean(model.predict(X) == y)
    assert acc[np.float64] > 0.95
    assert abs(acc[np.float32] - acc[np.float64]) <= 0.01


def test_float32_digits_reaches_the_test_accuracy_of_float64():
    from sklearn.datasets import load_digits
    digits = load_digits()
    X_tr, X_te, y_tr, y_te = data.train_test_split(
        digits.data, digits.target, test_fraction=0.2, seed=0)
    X_tr, mean, std = data.standardize(X_tr)
    X_te, _, _ = data.standardize(X_te, mean, std)
    acc = {}
    for dtype in (np.float64, np.float32):
        model = nn.Sequential(nn.Dense(64, 64, seed=0), nn.ReLU(),
                              nn.Dense(64, 10, seed=1), dtype=dtype)
        hist = training.fit(model, X_tr, y_tr, 15, 32,
                            optim.Adam(model.parameters(), lr=1e-3),
                            validation=(X_te, y_te), progress=False)
        acc[dtype] = hist["val_accuracy"][-1]
    assert acc[np.float64] > 0.95
    assert abs(acc[np.float32] - acc[np.float64]) <= 0.01


def test_a_float32_model_saves_and_loads_as_float32(tmp_path):
    model = spiral_model(np.float32)
    path = training.save(model, tmp_path / "m.npz")
    back = training.load(path)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back.flat_params, model.flat_params)
