"""twolayer.py: the lecture network, its gradients against finite
differences, and its training loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import random_problem, two_layer_objective
from scratchnet import data, twolayer
from scratchnet.gradcheck import (
    check_gradients,
    numerical_gradient,
    relative_error,
)

EPS = 1e-5


def kink_mask(params, X, key):
    """Entries of params[key] whose +-EPS step changes the ReLU pattern."""
    theta = params[key]
    mask = np.zeros(theta.shape, dtype=bool)
    for idx in np.ndindex(theta.shape):
        old = theta[idx]
        pattern = []
        for step in (EPS, -EPS):
            theta[idx] = old + step
            pattern.append(X @ params["W1"] + params["b1"] > 0)
        theta[idx] = old
        mask[idx] = not np.array_equal(*pattern)
    return mask


@settings(max_examples=40, deadline=None)
@given(m=st.integers(1, 8), d=st.integers(1, 4), h=st.integers(1, 6),
       n=st.integers(2, 5), reg=st.sampled_from([0.0, 0.1, 1.3]),
       seed=st.integers(0, 2**31 - 1))
def test_backward_matches_finite_differences(m, d, h, n, reg, seed):
    params, X, y = random_problem(seed, m, d, h, n)
    P, cache = twolayer.forward(params, X)
    grads = twolayer.backward(params, cache, y, reg=reg)
    for key in ("W1", "b1", "W2", "b2"):
        def L(_, key=key):
            P, _cache = twolayer.forward(params, X)
            return twolayer.loss(P, y, params, reg)

        numeric = numerical_gradient(L, params[key], eps=EPS)
        smooth = ~kink_mask(params, X, key)
        if smooth.any():
            err = relative_error(grads[key][smooth], numeric[smooth])
            assert err <= 1e-7, (key, err)


@pytest.mark.parametrize("m,d,h,n", [(1, 1, 1, 2), (1, 2, 4, 3),
                                     (7, 3, 1, 4)])
def test_degenerate_shapes(m, d, h, n):
    params, X, y = random_problem(0, m, d, h, n)
    report = check_gradients(params, X, y, reg=0.5)
    assert report.max_rel_error <= 1e-7


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


def test_log_every_prints(spiral, capsys):
    X, y = spiral
    twolayer.train(X, y, h=3, epochs=3, log_every=1)
    assert capsys.readouterr().out.count("loss") == 3
    twolayer.train(X, y, h=3, epochs=3)
    assert capsys.readouterr().out == ""


# The ReLU mask at exactly 0 (bug: `Z1 < 0` for `Z1 <= 0`)
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


# The recorded loss (bug: `reg` for `0.5 * reg` in twolayer._loss)
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
