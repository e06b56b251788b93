"""gradcheck.py: numerical gradients, relative errors and the
gradient report."""

import numpy as np
import pytest
from reference import random_problem
from scratchnet import data, gradcheck, twolayer
from scratchnet.gradcheck import (
    check_gradients,
    numerical_gradient,
    relative_error,
)


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


# G4 gradcheck.py: relative_error's floor
def test_relative_error_floor_bounds_the_denominator():
    assert gradcheck.relative_error([1e-12], [0.0], floor=1e-6) == \
        pytest.approx(1e-6)


# G8 gradcheck.py: check_gradients works on a copy of params
def test_check_gradients_accepts_read_only_params():
    X, y = data.make_spiral(n_per_class=5, seed=0)
    params = twolayer.init_params(2, 3, 3, seed=0, scale=1.0)
    for v in params.values():
        v.flags.writeable = False
    assert gradcheck.check_gradients(params, X, y).passed


# G9 gradcheck.py: a gradient of the wrong shape is refused
def test_check_gradients_refuses_a_flattened_db1():
    X, y = data.make_spiral(n_per_class=5, seed=0)
    params = twolayer.init_params(2, 3, 3, seed=0, scale=1.0)

    def flat_b1(p, cache, labels, reg=0.0):
        g = twolayer.backward(p, cache, labels, reg)
        g["b1"] = g["b1"].ravel()
        return g
    with pytest.raises(ValueError, match="db1 has shape"):
        gradcheck.check_gradients(params, X, y, backward=flat_b1)
