"""Every gradient of twolayer.backward against centered differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scratchnet import twolayer
from scratchnet.gradcheck import (
    check_gradients,
    numerical_gradient,
    relative_error,
)

EPS = 1e-5


def random_problem(seed, m, d, h, n):
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.normal(0, 1, (d, h)), "b1": rng.normal(0, 1, (1, h)),
        "W2": rng.normal(0, 1, (h, n)), "b2": rng.normal(0, 1, (1, n)),
    }
    X = rng.normal(0, 1, (m, d))
    y = rng.integers(0, n, size=m)
    return params, X, y


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


def test_numerical_gradient_of_a_known_function_and_restores_x():
    x = np.array([[0.3, -1.2], [2.0, 0.1]])
    before = x.copy()
    g = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v)), x)
    np.testing.assert_allclose(g, np.sin(before) + before * np.cos(before),
                               rtol=1e-8)
    assert np.array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0])


def test_relative_error():
    assert relative_error(np.ones(3), np.ones(3)) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    assert abs(relative_error(1.0, 1.1) - 0.1 / 2.1) < 1e-15


def test_check_gradients_catches_a_missing_transpose():
    params, X, y = random_problem(1, 6, 3, 3, 3)   # h = n: shapes agree

    def wrong(params, cache, y, reg):
        grads = twolayer.backward(params, cache, y, reg)
        m = y.shape[0]
        dZ2 = cache["P"].copy()
        dZ2[np.arange(m), y] -= 1
        grads["W2"] = (dZ2.T @ cache["A1"]) / m        # transposed
        return grads

    report = check_gradients(params, X, y, backward=wrong)
    assert report["W2"].max_rel_error > 1e-2
    assert report["W1"].max_rel_error < 1e-7


def test_check_gradients_catches_a_missing_division_by_m():
    params, X, y = random_problem(2, 6, 2, 4, 3)

    def wrong(params, cache, y, reg):
        grads = twolayer.backward(params, cache, y, reg)
        grads["W2"] = grads["W2"] * y.shape[0]         # forgot / m
        return grads

    report = check_gradients(params, X, y, backward=wrong)
    assert report["W2"].max_rel_error > 0.5


def test_check_gradients_checks_kinks_from_the_codes_side():
    # A hidden unit whose pre-activation is exactly 0 on one example: any
    # step of its bias crosses the kink.
    params = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([[0.0, 0.5]]),
              "W2": np.array([[1.0, -2.0], [0.5, 1.0]]),
              "b2": np.zeros((1, 2))}
    X = np.array([[0.0], [1.0], [-1.0]])
    y = np.array([0, 1, 1])
    report = check_gradients(params, X, y)
    assert report["W1"].n_kink == 0          # X = 0 row: W1 step is moot
    assert report["b1"].n_kink == 1          # b1[0] sits on the kink
    assert report["b1"].n_checked == 2       # and is still checked
    assert report["W2"].n_kink == report["b2"].n_kink == 0
    assert report.passed and report.max_rel_error < 1e-8
    # The centered difference averages the two sides at the kink: the
    # row-0 term of db1[0] enters with half its weight, far from 0.
    assert report["b1"].kink_rel_error > 0.05
    assert "kinks" in str(report)

    def right_sided(params, cache, y, reg):    # relu'(0) = 1: `<` mask
        grads = twolayer.backward(params, cache, y, reg)
        m = y.shape[0]
        dZ2 = cache["P"].copy()
        dZ2[np.arange(m), y] -= 1
        dZ1 = dZ2 @ params["W2"].T
        dZ1[cache["Z1"] < 0] = 0
        grads["b1"] = dZ1.sum(axis=0, keepdims=True) / m
        return grads

    wrong = check_gradients(params, X, y, backward=right_sided)
    assert not wrong.passed and wrong["b1"].max_rel_error > 0.05
