"""optim.py: the optimizers and the learning-rate schedules."""

import numpy as np
import pytest
from scratchnet import nn, optim


def test_cosine_schedule_ends_at_lr_min():
    model = nn.Sequential(nn.Dense(2, 2, seed=0))
    sgd = optim.SGD(model.parameters(), lr=1.0)
    schedule = optim.CosineLR(sgd, t_max=4, lr_min=0.1)
    rates = [schedule.step() for _ in range(6)]
    assert rates[1] == pytest.approx(0.1 + 0.9 * 0.5)
    assert rates[3:] == pytest.approx([0.1, 0.1, 0.1])


# O7 optim.py: a subset of a model's parameters updates only that subset
def test_an_optimizer_of_some_parameters_leaves_the_others_alone():
    from scratchnet.nn import Dense, ReLU, Sequential
    from scratchnet.optim import SGD
    model = Sequential(Dense(2, 3), ReLU(), Dense(3, 2))
    params = model.parameters()
    del params[:2]                        # freeze the first layer
    first = model.layers[0].params["W"].copy()
    model.flat_grads[...] = 1.0
    SGD(params, lr=0.1).step()
    np.testing.assert_array_equal(model.layers[0].params["W"], first)
