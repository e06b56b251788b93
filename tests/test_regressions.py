"""Regression tests: each one fails on a plausible one-line bug.

Every expected value here is derived by hand or computed with plain
NumPy from the documented formula (or by finite differences), never by
calling the function under test. Each test names the bug it catches.
"""

from __future__ import annotations

import numpy as np
import pytest
from scratchnet import (
    checks,
    data,
    functional,
    linear,
    nn,
    optim,
    training,
    twolayer,
)
from scratchnet.gradcheck import numerical_gradient

# --------------------------------------------------------------------------
# Plain-NumPy references
# --------------------------------------------------------------------------


def softmax_rows(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def mean_ce(Z, y):
    """Mean cross-entropy of logits Z, via log-sum-exp."""
    top = Z.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(Z - top).sum(axis=1))
    return float(np.mean(lse - Z[np.arange(len(y)), y]))


def two_layer_objective(p, X, y, reg):
    A1 = np.maximum(0.0, X @ p["W1"] + p["b1"])
    Z2 = A1 @ p["W2"] + p["b2"]
    return mean_ce(Z2, y) + 0.5 * reg * (np.sum(p["W1"] ** 2)
                                         + np.sum(p["W2"] ** 2))


def lecture_backward(params, cache, y, reg=0.0):
    """The lecture's backward pass, written out here (no scratchnet)."""
    X, Z1, A1, P = cache["X"], cache["Z1"], cache["A1"], cache["P"]
    m = y.shape[0]
    dZ2 = P.copy()
    dZ2[range(m), y] -= 1
    dW2 = A1.T @ dZ2 / m + reg * params["W2"]
    db2 = dZ2.sum(axis=0, keepdims=True) / m
    dZ1 = dZ2 @ params["W2"].T
    dZ1[Z1 <= 0] = 0
    dW1 = X.T @ dZ1 / m + reg * params["W1"]
    db1 = dZ1.sum(axis=0, keepdims=True) / m
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def stop_epochs(values, patience, epochs):
    """How many epochs fit runs with early stopping, by the documented
    rule: stop once ``patience`` epochs in a row did not improve on the
    best (lowest) validation loss so far; ``epochs`` if never."""
    best, since = np.inf, 0
    for epoch, value in enumerate(values):
        if value < best:
            best, since = value, 0
        else:
            since += 1
        if since >= patience:
            return epoch + 1
    return epochs


@pytest.fixture(scope="module")
def spiral():
    return data.make_spiral(seed=0)


# --------------------------------------------------------------------------
# The ReLU mask at exactly 0 (bug: `Z1 < 0` for `Z1 <= 0`)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row", [0, 100, 200])
def test_twolayer_backward_at_an_origin_row_is_the_left_derivative(
        spiral, row):
    """One origin row, zero biases: every Z1 is exactly 0.

    Hand derivation: X = 0 and b1 = 0 give Z1 = 0 and A1 = 0, so Z2 =
    b2 = 0 and P = (1/3, 1/3, 1/3). Then dW2 = A1^T dZ2 = 0, db2 = P - Y,
    dW1 = X^T dZ1 = 0, and with dZ1 = 0 where Z1 <= 0, db1 = 0: the
    derivative from the left (for b1_j < 0 the unit is off and the loss
    does not depend on b1_j).
    """
    X, y = spiral
    Xr, yr = X[row:row + 1], y[row:row + 1]
    assert np.array_equal(Xr, [[0.0, 0.0]]) and yr[0] == row // 100
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)
    assert not params["b1"].any()
    _, cache = twolayer.forward(params, Xr)
    grads = twolayer.backward(params, cache, yr)
    expected_db2 = np.full((1, 3), 1.0 / 3.0)
    expected_db2[0, yr[0]] -= 1.0
    np.testing.assert_array_equal(grads["b1"], np.zeros((1, 4)))
    np.testing.assert_array_equal(grads["W1"], np.zeros((2, 4)))
    np.testing.assert_array_equal(grads["W2"], np.zeros((4, 3)))
    np.testing.assert_allclose(grads["b2"], expected_db2, rtol=1e-12)
    # The left difference quotient of the loss is 0, the right one is
    # not: the convention at 0 is visible in db1.
    eps = 1e-6
    f0 = two_layer_objective(params, Xr, yr, 0.0)
    for j in range(4):
        left = {**params, "b1": params["b1"].copy()}
        left["b1"][0, j] -= eps
        right = {**params, "b1": params["b1"].copy()}
        right["b1"][0, j] += eps
        assert (f0 - two_layer_objective(left, Xr, yr, 0.0)) / eps == 0.0
        assert abs(two_layer_objective(right, Xr, yr, 0.0) - f0) > 1e-9


def test_relu_backward_is_zero_where_z_is_exactly_zero():
    Z = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    dA = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    expected = np.array([[0.0, 0.0, 3.0], [0.0, 5.0, 0.0]])
    np.testing.assert_array_equal(functional.relu_backward(dA, Z), expected)


# --------------------------------------------------------------------------
# Aliasing (bug: `dZ = dA` for `dZ = dA.copy()`)
# --------------------------------------------------------------------------


def test_relu_backward_leaves_the_upstream_gradient_alone():
    rng = np.random.default_rng(0)
    Z = np.array([[-1.0, 0.0, 2.0], [0.5, -3.0, 1.0]])
    dA = rng.standard_normal((2, 3))
    before = dA.copy()
    dZ = functional.relu_backward(dA, Z)
    np.testing.assert_array_equal(dA, before)
    assert not np.shares_memory(dZ, dA)


# --------------------------------------------------------------------------
# checks.backward (bug: the per-parameter verdict never fails)
# --------------------------------------------------------------------------


def test_checks_backward_fails_a_wrong_parameter_gradient(spiral, capsys):
    X, y = spiral
    params = twolayer.init_params(2, 4, 3, seed=0, scale=1.0)

    def wrong(params, cache, y):
        grads = lecture_backward(params, cache, y)
        grads["W2"] = 2.0 * grads["W2"]           # right shape, wrong value
        return grads

    assert checks.backward(lambda: lecture_backward, params, X, y) is True
    out = capsys.readouterr().out
    assert "dW2: passed" in out and "FAILED" not in out, out
    assert checks.backward(lambda: wrong, params, X, y) is False
    out = capsys.readouterr().out
    assert "dW2: FAILED" in out, out
    for key in ("W1", "b1", "b2"):
        assert f"d{key}: passed" in out, out


# --------------------------------------------------------------------------
# The recorded loss (bug: `reg` for `0.5 * reg` in twolayer._loss)
# --------------------------------------------------------------------------


def test_twolayer_history_records_half_the_l2_penalty(spiral):
    X, y = spiral
    params = twolayer.init_params(2, 5, 3, seed=1, scale=1.0)
    reg = 0.1
    expected = two_layer_objective(params, X, y, reg)
    penalty = 0.5 * reg * (np.sum(params["W1"] ** 2)
                           + np.sum(params["W2"] ** 2))
    assert penalty > 0.05                  # the factor 1/2 is visible
    _, history = twolayer.train(X, y, lr=0.1, epochs=1, reg=reg,
                                params=params)
    assert history[0] == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------
# SoftmaxCrossEntropy (bug: the max shift removed)
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# training.fit: shuffling, target, patience
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# training.load (bug: NaN or inf weights accepted)
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# linear.train_linear (bug: `+ reg * W` dropped from the gradient)
# --------------------------------------------------------------------------


def test_train_linear_converges_to_the_regularised_minimum():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2))
    y = np.arange(30) % 3
    reg = 1.0
    params, history = linear.train_linear(X, y, lr=0.5, epochs=1000,
                                          reg=reg)

    def objective(W, b):
        return (mean_ce(X @ W + b, y)
                + 0.5 * reg * float(np.sum(W * W)))

    W, b = params["W"].copy(), params["b"].copy()
    dW = numerical_gradient(lambda w: objective(w, b), W)
    db = numerical_gradient(lambda c: objective(W, c), b)
    # At the minimum of the objective the history records, its gradient
    # is 0; here W is far from 0, so reg * W would show.
    assert np.max(np.abs(W)) > 0.01
    assert np.max(np.abs(dW)) < 1e-7 and np.max(np.abs(db)) < 1e-7
    assert history[-1] == pytest.approx(objective(W, b), abs=1e-10)


# --------------------------------------------------------------------------
# data.train_test_split (bug: no clamp to [1, count - 1])
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fraction, n_test", [
    (0.2, {0: 1, 1: 2}),     # round(0.4) = 0 -> 1; round(2.0) = 2
    (0.1, {0: 1, 1: 1}),     # round(0.2) = 0 -> 1; round(1.0) = 1
    (0.9, {0: 1, 1: 9}),     # round(1.8) = 2 -> 1; round(9.0) = 9
])
def test_split_keeps_a_row_of_each_class_on_each_side(fraction, n_test):
    y = np.array([0, 0] + [1] * 10)
    X = np.arange(12.0)[:, None]
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, fraction, seed=0)
    for label, count in n_test.items():
        assert int(np.sum(yte == label)) == count
        assert int(np.sum(ytr == label)) == int(np.sum(y == label)) - count
    assert sorted(np.r_[Xtr[:, 0], Xte[:, 0]]) == list(X[:, 0])
