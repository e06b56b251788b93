"""Plotting returns Figures and never calls plt.show()."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from scratchnet import data, plotting, twolayer


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("plt.show() was called")

    monkeypatch.setattr(plt, "show", fail)
    yield
    plt.close("all")


def test_plot_data():
    X, y = data.make_spiral(n_per_class=20)
    fig = plotting.plot_data(X, y, title="spiral")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.collections) == 3 and ax.get_title() == "spiral"


def test_plot_decision_boundary_with_params_and_callable():
    X, y = data.make_spiral(n_per_class=20)
    params = twolayer.init_params(2, 5, 3, seed=0, scale=1.0)
    fig = plotting.plot_decision_boundary(params, X, y, resolution=30)
    assert isinstance(fig, Figure)
    fig2 = plotting.plot_decision_boundary(
        lambda Z: twolayer.predict(params, Z), X, y, resolution=30)
    assert isinstance(fig2, Figure)


def test_plot_loss_on_given_axes():
    fig, ax = plt.subplots()
    out = plotting.plot_loss({"a": [3, 2, 1], "b": [3, 1, 0.5]}, ax=ax)
    assert out is fig and len(ax.lines) == 2


def test_plot_network_draws_every_neuron():
    fig = plotting.plot_network(2, 4, 3)
    sizes = [len(c.get_offsets()) for c in fig.axes[0].collections]
    assert sizes == [2, 4, 3]
    assert len(fig.axes[0].lines) == 2 * 4 + 4 * 3


def test_plot_graph_draws_every_tensor_of_the_recorded_graph():
    from scratchnet import autograd
    from scratchnet.autograd import Tensor
    X = Tensor(np.ones((4, 2)))
    W = Tensor(np.ones((2, 3)))
    loss = autograd.softmax_cross_entropy((X @ W).relu(), np.array([0, 1,
                                                                    2, 0]))
    fig = plotting.plot_graph(loss, {id(X): "X", id(W): "W"})
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert sorted(texts) == sorted(["X\n4×2", "W\n2×3", "@\n4×3",
                                    "relu\n4×3", "softmax-ce\nscalar"])
    plt.close(fig)
