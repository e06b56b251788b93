"""functional.py: softmax, cross-entropy, ReLU and accuracy, and the
identities the chapters derive between them, each as its own test."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scratchnet import data, functional, twolayer
from scratchnet.functional import accuracy, cross_entropy, relu, softmax
from scratchnet.gradcheck import numerical_gradient, relative_error


@given(st.integers(1, 20), st.integers(2, 8), st.integers(0, 2**31 - 1))
def test_softmax_rows_sum_to_one(m, n, seed):
    Z = np.random.default_rng(seed).normal(0, 10, size=(m, n))
    P = softmax(Z)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(P >= 0)


@given(st.integers(1, 20), st.integers(2, 8), st.integers(0, 2**31 - 1))
def test_softmax_unchanged_by_adding_a_constant_to_a_row(m, n, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(0, 3, size=(m, n))
    c = rng.normal(0, 100, size=(m, 1))     # a different constant per row
    np.testing.assert_allclose(softmax(Z + c), softmax(Z), atol=1e-12)


def _softmax_by_definition(Z):
    # The textbook formula with no shift: an independent reference for
    # moderate logits.
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def test_softmax_matches_the_definition(rng):
    Z = rng.normal(0, 2, size=(10, 4))
    np.testing.assert_allclose(softmax(Z), _softmax_by_definition(Z),
                               rtol=1e-13)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(2, 6), st.integers(0, 2**31 - 1))
def test_dL_dZ2_is_P_minus_Y_over_m(m, n, seed):
    rng = np.random.default_rng(seed)
    Z2 = rng.normal(0, 2, size=(m, n))
    y = rng.integers(0, n, size=m)

    def L(Z):
        return cross_entropy(_softmax_by_definition(Z), y)

    numeric = numerical_gradient(L, Z2.copy())
    analytic = (softmax(Z2) - data.one_hot(y, n)) / m
    assert relative_error(analytic, numeric) < 1e-8


def test_cross_entropy_of_a_perfect_prediction_is_zero():
    y = np.array([0, 2, 1])
    assert cross_entropy(data.one_hot(y, 3), y) == 0.0


def test_cross_entropy_at_one_half_is_log_two():
    P = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert abs(cross_entropy(P, np.array([0, 1])) - np.log(2)) < 1e-15


def test_cross_entropy_of_an_underflowed_probability_is_finite():
    P = np.array([[1.0, 0.0]])
    L = cross_entropy(P, np.array([1]))
    assert np.isfinite(L) and L > 700


def test_numerics_hold_for_logits_of_1e4():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        P = softmax(Z)
    np.testing.assert_allclose(P, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3],
                                   [0.5, 0.5, 0]], atol=1e-15)
    y = np.array([1, 0, 2])
    L = cross_entropy(P, y)
    assert np.isfinite(L)
    # The full network with huge logits: a finite loss and gradients.
    params = twolayer.init_params(2, 3, 3, seed=0, scale=1e3)
    X = np.array([[10.0, -10.0], [-10.0, 10.0], [3.0, 3.0]])
    with np.errstate(over="raise", invalid="raise"):
        P, cache = twolayer.forward(params, X)
        grads = twolayer.backward(params, cache, y)
    assert np.isfinite(twolayer.loss(P, y))
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_relu():
    Z = np.array([[-2.0, 0.0, 3.0]])
    assert np.array_equal(relu(Z), [[0.0, 0.0, 3.0]])


def test_accuracy():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(scores, np.array([1, 0, 0])) == pytest.approx(2 / 3)


# The ReLU mask at exactly 0 (bug: `Z1 < 0` for `Z1 <= 0`)
def test_relu_backward_is_zero_where_z_is_exactly_zero():
    Z = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    dA = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    expected = np.array([[0.0, 0.0, 3.0], [0.0, 5.0, 0.0]])
    np.testing.assert_array_equal(functional.relu_backward(dA, Z), expected)


# Aliasing (bug: `dZ = dA` for `dZ = dA.copy()`)
def test_relu_backward_leaves_the_upstream_gradient_alone():
    rng = np.random.default_rng(0)
    Z = np.array([[-1.0, 0.0, 2.0], [0.5, -3.0, 1.0]])
    dA = rng.standard_normal((2, 3))
    before = dA.copy()
    dZ = functional.relu_backward(dA, Z)
    np.testing.assert_array_equal(dA, before)
    assert not np.shares_memory(dZ, dA)


# F5 functional.py: the "probabilities in [0, 1]" check
def test_cross_entropy_of_positive_logits_says_pass_softmax():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        cross_entropy(np.array([[3.0, 0.5]]), np.array([0]))


def test_a_perfect_prediction_costs_plus_zero():
    """Bug caught: -mean(log 1) is -0.0, which prints as "-0.0"."""
    import math

    from scratchnet import functional as F
    loss = F.cross_entropy(np.array([[0.0, 1.0, 0.0]]), [1])
    assert loss == 0.0 and math.copysign(1.0, loss) == 1.0
