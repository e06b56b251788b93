"""scratchnet.autograd: every rule against finite differences, the
lecture's network against twolayer, bad input, and the wrong rules the
chapter warns about, each caught by a test of its own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scratchnet import autograd, data, twolayer
from scratchnet.autograd import Tensor
from scratchnet.gradcheck import numerical_gradient


def check(build, *arrays, tol=1e-6):
    """Largest relative error of autograd's gradients of the scalar
    ``build(*tensors)`` against centered differences, over the inputs."""
    leaves = [Tensor(a.copy()) for a in arrays]
    build(*leaves).backward()
    worst = 0.0
    for k, a in enumerate(arrays):
        def f(x, k=k):
            args = [Tensor(b.copy()) for b in arrays]
            args[k] = Tensor(x.copy())
            return float(build(*args).data)
        num = numerical_gradient(f, a.copy())
        got = leaves[k].grad
        assert got.shape == a.shape, (got.shape, a.shape)
        scale = np.max(np.abs(num)) + np.max(np.abs(got)) + 1e-12
        worst = max(worst, float(np.max(np.abs(got - num)) / scale))
    return worst


def arrays(rng, *shapes):
    return [rng.standard_normal(s) for s in shapes]


dims = st.integers(1, 5)


@settings(max_examples=30, deadline=None)
@given(m=dims, k=dims, n=dims, seed=st.integers(0, 2**31 - 1))
def test_matmul_add_and_the_bias_broadcast(m, k, n, seed):
    rng = np.random.default_rng(seed)
    A, W, b, R = arrays(rng, (m, k), (k, n), (1, n), (m, n))
    assert check(lambda A, W, b: ((A @ W + b) * Tensor(R)).sum(),
                 A, W, b) < 1e-6
    # broadcasting the other way round, and a bias of shape (n,)
    assert check(lambda A, W, b: ((b + A @ W) * Tensor(R)).sum(),
                 A, W, b[0]) < 1e-6


@settings(max_examples=30, deadline=None)
@given(m=dims, n=dims, seed=st.integers(0, 2**31 - 1))
def test_elementwise_rules(m, n, seed):
    rng = np.random.default_rng(seed)
    Z, R = arrays(rng, (m, n), (m, n))
    Z = Z + 0.2 * np.sign(Z)             # keep relu away from its kink
    P = np.abs(Z) + 0.5                  # positive, for log
    r = Tensor(R)
    for build, x in [(lambda z: (z.relu() * r).sum(), Z),
                     (lambda z: (z.exp() * r).sum(), Z),
                     (lambda z: (z.log() * r).sum(), P),
                     (lambda z: ((z - 2.0) * (3.0 * z) * r).sum(), Z),
                     (lambda z: ((1.0 - z) * r).mean(), Z)]:
        assert check(build, x) < 1e-6


@settings(max_examples=30, deadline=None)
@given(m=dims, n=st.integers(2, 5), axis=st.sampled_from([0, 1]),
       keep=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_sum_mean_and_max_along_an_axis(m, n, axis, keep, seed):
    rng = np.random.default_rng(seed)
    Z = rng.permutation(m * n).reshape(m, n) + 0.1 * rng.random((m, n))
    R = rng.standard_normal(Z.sum(axis=axis, keepdims=keep).shape)
    r = Tensor(R)
    for op in ("sum", "mean", "max"):
        assert check(lambda z, op=op: (getattr(z, op)(axis=axis,
                                                      keepdims=keep)
                                       * r).sum(), Z) < 1e-6


@settings(max_examples=30, deadline=None)
@given(m=dims, n=st.integers(2, 5), seed=st.integers(0, 2**31 - 1))
def test_one_entry_per_row_and_the_fused_loss(m, n, seed):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((m, n))
    y = rng.integers(0, n, size=m)
    rows = np.arange(m)
    assert check(lambda z: z[rows, y].sum(), Z) < 1e-6
    assert check(lambda z: autograd.softmax_cross_entropy(z, y), Z) < 1e-6
    # not the root: its rule must use the gradient it receives
    assert check(lambda z: autograd.softmax_cross_entropy(z, y) * 2.5,
                 Z) < 1e-6
    # the fused loss equals the one made of the small operations
    z = Tensor(Z)
    small = (z - z.max(axis=1, keepdims=True))
    logp = small - small.exp().sum(axis=1, keepdims=True).log()
    assert np.isclose(float((-logp[rows, y]).mean().data),
                      float(autograd.softmax_cross_entropy(z, y).data))


@settings(max_examples=20, deadline=None)
@given(m=dims, n=dims, seed=st.integers(0, 2**31 - 1))
def test_a_tensor_used_twice_gets_both_contributions(m, n, seed):
    rng = np.random.default_rng(seed)
    X, W, R = arrays(rng, (m, n), (n, n), (m, n))
    r = Tensor(R)
    assert check(lambda x: (x * x * r).sum(), X) < 1e-6
    assert check(lambda x, w: ((x @ w + x @ w) * r + x).sum(), X, W) < 1e-6
    x = Tensor(X)
    (x + x).sum().backward()
    assert np.array_equal(x.grad, 2 * np.ones_like(X))


def lecture_network(params, X, y):
    T = {k: Tensor(v.copy()) for k, v in params.items()}
    A1 = (Tensor(X) @ T["W1"] + T["b1"]).relu()
    loss = autograd.softmax_cross_entropy(A1 @ T["W2"] + T["b2"], y)
    loss.backward()
    return loss, T


@pytest.mark.parametrize("scale", [0.01, 1.0])
def test_the_lecture_network_equals_twolayer(scale):
    X, y = data.make_spiral(100, 3, seed=0)
    params = twolayer.init_params(2, 100, 3, seed=0, scale=scale)
    params["b1"] += 0.1
    loss, T = lecture_network(params, X, y)
    P, cache = twolayer.forward(params, X)
    ref = twolayer.backward(params, cache, y)
    assert abs(float(loss.data) - twolayer.loss(P, y)) < 1e-12
    for k in ref:
        assert T[k].grad.shape == ref[k].shape
        assert np.max(np.abs(T[k].grad - ref[k])) < 1e-12, k


@pytest.mark.parametrize("make, error, words", [
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))),
     ValueError, ["(2, 3) @ (2, 3)"]),
    (lambda: Tensor(np.ones((2, 2))).backward(), ValueError,
     ["scalar", "(2, 2)"]),
    (lambda: Tensor(np.ones(3)).sum().backward(np.ones(2)), ValueError,
     ["shape ()", "(2,)"]),
    (lambda: Tensor(np.arange(3)), TypeError, ["floats", "int64"]),
    (lambda: Tensor([1.0, np.nan]), ValueError, ["finite", "1 NaN"]),
    (lambda: Tensor(np.ones(2)) * "2", TypeError, ["Tensor or a number",
                                                   "str"]),
    (lambda: Tensor(-np.ones(2)).log(), ValueError, ["positive"]),
    (lambda: Tensor(np.array([0.0, 1.0])).log(), ValueError, ["positive"]),
    (lambda: autograd.softmax_cross_entropy(np.ones((2, 3)), [0, 1]),
     TypeError, ["Tensor", "ndarray"]),
    (lambda: autograd.softmax_cross_entropy(Tensor(np.ones((2, 3))),
                                            [0, 3]),
     ValueError, ["0 .. 2"]),
])
def test_bad_input_says_what_was_expected_and_what_came(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_a_second_backward_through_a_graph_raises():
    x = Tensor(np.ones((2, 2)))
    loss = (x * 3.0).sum()
    loss.backward()
    with pytest.raises(ValueError, match="already run"):
        loss.backward()
    assert np.array_equal(x.grad, 3 * np.ones((2, 2)))


# --- the wrong rules: each is caught ---------------------------------------

def net_error(X, y, params):
    """The largest difference of autograd's gradients from twolayer's."""
    _, T = lecture_network(params, X, y)
    P, cache = twolayer.forward(params, X)
    ref = twolayer.backward(params, cache, y)
    return max(float(np.max(np.abs(T[k].grad - ref[k]))) for k in ref)


@pytest.fixture
def spiral_point():
    """h = n = 3: W2 is square, so a missing transpose keeps its shape."""
    X, y = data.make_spiral(20, 3, seed=0)
    params = twolayer.init_params(2, 3, 3, seed=0, scale=1.0)
    params["b1"] += 0.1
    return X, y, params


def test_the_right_rules_pass_at_that_point(spiral_point):
    assert net_error(*spiral_point) < 1e-12


def test_catches_a_missing_transpose(monkeypatch, spiral_point):
    def matmul(self, other):
        A, W = self.data, other.data
        # dA = G W, not G W^T: the shapes agree when W is square
        rule = (lambda G: (G @ W, A.T @ G)) if W.shape[0] == W.shape[1] \
            else (lambda G: (G @ W.T, A.T @ G))
        return Tensor(A @ W, (self, other), "@", rule)
    monkeypatch.setattr(Tensor, "__matmul__", matmul)
    assert net_error(*spiral_point) > 1e-3


def test_catches_a_broadcast_not_summed(monkeypatch, spiral_point):
    monkeypatch.setattr(autograd, "_unbroadcast", lambda g, shape: g)
    assert net_error(*spiral_point) > 1e-3


def test_catches_assignment_instead_of_accumulation(monkeypatch):
    def assigning(self, grad=None):
        order, seen = [], set()

        def visit(t):
            if id(t) not in seen:
                seen.add(id(t))
                for p in t.parents:
                    visit(p)
                order.append(t)
        visit(self)
        self.grad = np.ones_like(self.data)
        for t in reversed(order):
            if t.rule is not None:
                for parent, g in zip(t.parents, t.rule(t.grad),
                                     strict=True):
                    parent.grad = autograd._unbroadcast(g, parent.shape)
    X = np.random.default_rng(0).standard_normal((3, 3))
    assert check(lambda x: (x * x).sum(), X) < 1e-6
    monkeypatch.setattr(Tensor, "backward", assigning)
    assert check(lambda x: (x * x).sum(), X) > 0.1


def test_catches_a_missing_one_over_m(monkeypatch, spiral_point):
    real = autograd.softmax_cross_entropy

    def without_m(scores, y):
        out = real(scores, y)
        rule = out.rule
        out.rule = lambda G: tuple(g * len(y) for g in rule(G))
        return out
    monkeypatch.setattr(autograd, "softmax_cross_entropy", without_m)
    assert net_error(*spiral_point) > 1e-3
