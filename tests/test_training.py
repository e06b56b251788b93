"""training.py: fit (batches, schedules, validation, early stopping), save
and load."""

import numpy as np
import pytest
from reference import stop_epochs
from scratchnet import data, nn, optim, training


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


class Recorder(nn.Layer):
    """An identity layer that records the first column of every input."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[np.ndarray] = []

    def forward(self, x):
        self.seen.append(np.array(x[:, 0]))
        return x

    def backward(self, grad):
        return grad


# training.fit: shuffling, one generator from seed for all epochs
def test_fit_shuffles_with_one_generator_from_seed():
    m, batch_size, epochs, seed = 10, 4, 3, 5
    X = np.arange(m, dtype=np.float64)[:, None]    # row i holds i
    y = np.arange(m) % 2
    recorder = Recorder()
    model = nn.Sequential(recorder, nn.Dense(1, 2, seed=0))
    training.fit(model, X, y, epochs, batch_size,
                 optim.SGD(model.parameters(), lr=0.01), seed=seed,
                 progress=False)
    # The batches (4, 4, 2 rows) of each epoch (and no evaluation pass
    # over all m rows, which fit no longer makes by default).
    rows = np.concatenate([s for s in recorder.seen if len(s) < m])
    orders = rows.astype(np.int64).reshape(epochs, m)
    rng = np.random.default_rng(seed)       # one generator for all epochs
    for epoch in range(epochs):
        np.testing.assert_array_equal(orders[epoch], rng.permutation(m))
    assert not np.array_equal(orders[0], orders[1])


def blobs(seed=0, m=40):
    rng = np.random.default_rng(seed)
    y = np.arange(m) % 2
    X = rng.standard_normal((m, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return X, y


# training.fit: the target is checked on the validation accuracy
def test_fit_target_uses_validation_accuracy_when_given():
    X, y = blobs()
    target, epochs = 0.9, 15
    model = nn.Sequential(nn.Dense(2, 2, seed=0))
    # Validation labels flipped: the better the training accuracy, the
    # worse the validation accuracy.
    hist = training.fit(model, X, y, epochs, 8,
                        optim.Adam(model.parameters(), 0.1),
                        validation=(X, 1 - y), target=target,
                        progress=False)
    reached = [a >= target for a in hist["val_accuracy"]]
    expected = reached.index(True) + 1 if any(reached) else epochs
    assert len(hist["loss"]) == expected
    # The training accuracy reached the target before that: stopping on
    # it would have stopped earlier.
    assert max(hist["accuracy"][:expected - 1]) >= target
    # With a validation set that agrees, it stops at the first epoch
    # whose validation accuracy reaches the target.
    model = nn.Sequential(nn.Dense(2, 2, seed=0))
    Xv, yv = blobs(seed=1)
    hist = training.fit(model, X, y, epochs, 8,
                        optim.Adam(model.parameters(), 0.1),
                        validation=(Xv, yv), target=target, progress=False)
    acc = hist["val_accuracy"]
    assert acc[-1] >= target and all(a < target for a in acc[:-1])


# training.fit: patience counts the epochs since the best
def test_fit_patience_counts_epochs_since_the_best(spiral):
    X, y = spiral
    Xv, yv = data.make_spiral(seed=1)
    model = nn.Sequential(nn.Dense(2, 100, seed=0), nn.ReLU(),
                          nn.Dense(100, 3, seed=1))
    patience, epochs = 3, 300
    hist = training.fit(model, X, y, epochs, 32,
                        optim.SGD(model.parameters(), lr=1.0),
                        validation=(Xv, yv), patience=patience,
                        progress=False)
    v = hist["val_loss"]
    assert len(v) < epochs
    assert len(v) == stop_epochs(v, patience, epochs)
    best = int(np.argmin(v))
    assert len(v) - 1 - best == patience
    # The fit had epochs without improvement before the best one, so the
    # counter had to restart at the best.
    assert any(v[i] >= min(v[:i]) for i in range(1, best))


# training.load (bug: NaN or inf weights accepted)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("key", ["layer0.W", "layer2.b"])
def test_load_rejects_non_finite_weights(tmp_path, bad, key):
    model = nn.Sequential(nn.Dense(2, 3, seed=0), nn.ReLU(),
                          nn.Dense(3, 2, seed=1))
    path = training.save(model, tmp_path / "model.npz")
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays[key] = arrays[key].copy()
    arrays[key][0, 0] = bad
    broken = tmp_path / "broken.npz"
    np.savez(broken, **arrays)
    with pytest.raises(ValueError, match=f"{key} holds NaN or inf"):
        training.load(broken)


# TR6 training.py: load refuses weights that are not float64
def test_load_refuses_float32_weights(tmp_path):
    from scratchnet.nn import Dense, Sequential
    from scratchnet.training import load, save
    path = save(Sequential(Dense(2, 3)), tmp_path / "m.npz")
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["layer0.W"] = arrays["layer0.W"].astype(np.float32)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="must be float64"):
        load(path)


# TR7 training.py: fit steps the schedule after every epoch
def test_fit_steps_the_schedule():
    from scratchnet.nn import Dense, Sequential
    from scratchnet.optim import SGD, StepLR
    from scratchnet.training import fit
    X, y = data.make_spiral(n_per_class=5, seed=0)
    model = Sequential(Dense(2, 3))
    opt = SGD(model.parameters(), lr=0.1)
    history = fit(model, X, y, epochs=3, batch_size=15, optimizer=opt,
                  schedule=StepLR(opt, step_size=1, gamma=0.5),
                  progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])


# TR8 training.py: the validation accuracy is predict's
def test_validation_accuracy_is_the_fraction_predict_gets_right():
    from scratchnet.nn import Dense, Sequential
    from scratchnet.optim import SGD
    from scratchnet.training import fit
    X, y = data.make_spiral(n_per_class=5, seed=0)
    Xv, yv = data.make_spiral(n_per_class=7, seed=1)
    for make in (lambda: Sequential(Dense(2, 3, seed=1)),
                 lambda: Sequential(Dense(2, 3, seed=1), nn.Tanh())):
        model = make()
        hist = fit(model, X, y, 1, 15, SGD(model.parameters(), lr=1e-9),
                   validation=(Xv, yv), progress=False)
        assert hist["val_accuracy"][0] == pytest.approx(
            np.mean(model.predict(Xv) == yv))


def test_a_full_batch_is_all_of_x_in_its_order():
    """Bug caught: `batch_size <= m` shuffling the one full batch (the
    docstring promises X in its order, and the same sums every epoch)."""
    class Recorder(nn.Layer):
        def __init__(self):
            super().__init__()
            self.seen = []

        def forward(self, x):
            self.seen.append(x.copy())
            return x

        def backward(self, grad):
            return grad

    X, y = data.make_spiral(n_per_class=10, seed=0)
    recorder = Recorder()
    model = nn.Sequential(recorder, nn.Dense(2, 3, seed=0))
    training.fit(model, X, y, 3, len(y), optim.SGD(model.parameters()),
                 progress=False)
    assert len(recorder.seen) == 3
    for seen in recorder.seen:
        np.testing.assert_array_equal(seen, X)
