"""linear.py: the linear softmax classifier."""

import numpy as np
import pytest
from reference import mean_ce
from scratchnet import linear
from scratchnet.gradcheck import numerical_gradient


def test_linear_classifier_stays_near_one_half(spiral):
    X, y = spiral
    params, history = linear.train_linear(X, y, lr=1.0, epochs=200,
                                          reg=1e-3)
    acc = np.mean(linear.predict_linear(params, X) == y)
    assert 0.4 <= acc <= 0.6, acc


# linear.train_linear (bug: `+ reg * W` dropped from the gradient)
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


# L5 linear.py: at least two classes, as twolayer.train has
def test_train_linear_has_two_outputs_for_one_label():
    from scratchnet.linear import train_linear
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    params, _ = train_linear(X, np.zeros(3, dtype=np.int64), epochs=1)
    assert params["W"].shape == (2, 2) and params["b"].shape == (1, 2)
