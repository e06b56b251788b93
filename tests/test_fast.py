"""scratchnet.fast: the tuned step equals the readable layers of nn.

The property test draws architectures, batch sizes, dtypes and weight
decays; the tuned step and the step through nn's layers must give the
same loss, count and gradients. Both compute each number with the same
operations in the same order, so they agree to the last bit; the test
allows 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import reference_adam, reference_losses, reference_momentum
from scratchnet import data, fast, nn, optim, training


@st.composite
def architectures(draw):
    """(layers maker, d, n_classes, dtype): Dense layers, each with or
    without a ReLU after it, of random widths and weight decays."""
    widths = draw(st.lists(st.integers(1, 9), min_size=2, max_size=5))
    widths[-1] = max(widths[-1], 2)                # at least two classes
    relus = draw(st.lists(st.booleans(), min_size=len(widths) - 1,
                          max_size=len(widths) - 1))
    decays = draw(st.lists(st.sampled_from([0.0, 1e-3, 0.5]),
                           min_size=len(widths) - 1,
                           max_size=len(widths) - 1))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    seed = draw(st.integers(0, 2**16))

    def make():
        layers = []
        for k in range(len(widths) - 1):
            layers.append(nn.Dense(widths[k], widths[k + 1], seed=seed + k,
                                   weight_decay=decays[k]))
            if relus[k]:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers, dtype=dtype)
    return make, widths[0], widths[-1], dtype


@settings(max_examples=80, deadline=None)
@given(arch=architectures(), m=st.integers(1, 40),
       seed=st.integers(0, 2**16), ties=st.booleans())
def test_the_tuned_step_equals_the_readable_one(arch, m, seed, ties):
    make, d, n, dtype = arch
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    if ties:                       # rows of equal values: tied scores
        X = np.round(X)
    y = rng.integers(0, n, size=m)
    tuned, readable = make(), make()
    assert fast.supports(tuned)
    step = fast.Step(tuned)
    by_layers = training.LayerStep(readable)
    for _ in range(2):             # twice: the kept arrays are reused
        got = step(tuned.check_x(X), y)
        want = by_layers(readable.check_x(X), y)
        assert got[1] == want[1]
        assert got[0] == pytest.approx(want[0], rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(tuned.flat_grads, readable.flat_grads,
                                   rtol=1e-12, atol=1e-12)
        assert tuned.flat_grads.dtype == dtype
        for model in (tuned, readable):
            model.flat_params -= 0.1 * model.flat_grads
    loss, n_correct = step.evaluate(tuned.check_x(X), y)
    scores = readable.forward(X)
    assert n_correct == int(np.sum(readable.predict(X) == y))
    assert loss == pytest.approx(
        nn.SoftmaxCrossEntropy().forward(scores, y), rel=1e-5)


def test_fit_runs_the_tuned_step_and_falls_back_for_other_layers(
        monkeypatch):
    X, y = data.make_spiral(n_per_class=20, seed=0)
    calls = []
    monkeypatch.setattr(fast.Step, "__call__",
                        lambda self, *a, f=fast.Step.__call__:
                        calls.append(1) or f(self, *a))

    def run(make):
        model = make()
        return training.fit(model, X, y, 5, 16,
                            optim.SGD(model.parameters(), lr=0.5),
                            progress=False), model

    def relu_net():
        return nn.Sequential(nn.Dense(2, 8, seed=0), nn.ReLU(),
                             nn.Dense(8, 3, seed=1))
    tuned, model_a = run(relu_net)
    assert len(calls) == 5 * 4                 # 60 rows, batches of 16
    monkeypatch.setattr(fast, "supports", lambda model: False)
    plain, model_b = run(relu_net)
    assert len(calls) == 20                    # not called again
    assert tuned == plain                      # the same, to the last bit
    np.testing.assert_array_equal(model_a.flat_params, model_b.flat_params)
    monkeypatch.undo()
    assert not fast.supports(nn.Sequential(nn.Dense(2, 8), nn.Tanh(),
                                           nn.Dense(8, 3)))
    assert not fast.supports(nn.Sequential(nn.ReLU(), nn.Dense(2, 3)))
    with pytest.raises(ValueError, match="Dense and ReLU layers, got"):
        fast.Step(nn.Sequential(nn.Dense(2, 8), nn.Tanh()))


def test_fit_gives_the_losses_of_the_straightforward_step():
    X, y = data.make_spiral(seed=0)
    expected = reference_losses(X, y, 300)
    model = nn.Sequential(nn.Dense(2, 100, seed=0, weight_decay=1e-3),
                          nn.ReLU(),
                          nn.Dense(100, 3, seed=1, weight_decay=1e-3))
    hist = training.fit(model, X, y, 300, len(y),
                        optim.SGD(model.parameters(flat=True), lr=1.0),
                        progress=False)
    np.testing.assert_allclose(hist["loss"], expected, rtol=0, atol=1e-12)
    assert expected[-1] < 0.5 * expected[0]       # it did learn


@pytest.mark.parametrize("flat", [True, False])
def test_the_optimizers_give_the_formulas_updates(flat):
    rng = np.random.default_rng(0)
    for make, reference in (
            (lambda p: optim.Adam(p, lr=0.01), reference_adam),
            (lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
             reference_momentum)):
        model = nn.Sequential(nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2))
        start = [p.copy() for _, p, _ in model.parameters()]
        opt = make(model.parameters(flat=flat))
        assert len(opt.parameters) == (1 if flat else 4)
        history = []
        for _ in range(50):
            for _, _, g in model.parameters():
                g[...] = rng.standard_normal(g.shape)
            history.append([g.copy() for _, _, g in model.parameters()])
            opt.step()
        for k, (name, p, _) in enumerate(model.parameters()):
            expected = reference(start[k], [h[k] for h in history])
            np.testing.assert_allclose(p, expected, rtol=1e-12,
                                       atol=1e-14, err_msg=name)
