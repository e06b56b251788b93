"""Weight initialisations have the spread their names promise."""

from __future__ import annotations

import numpy as np
import pytest
from scratchnet import nn


@pytest.mark.parametrize("init, variance", [
    ("he", lambda d, n: 2 / d),
    ("xavier", lambda d, n: 2 / (d + n)),      # Glorot and Bengio (2010)
    ("lecun", lambda d, n: 1 / d),
])
def test_dense_init_has_the_named_variance(init, variance):
    d, n = 400, 100
    W = nn.Dense(d, n, init=init, seed=3).params["W"]
    # 40,000 draws: the sample variance is within 3 % of the true one.
    assert W.var() == pytest.approx(variance(d, n), rel=0.03)
    assert abs(W.mean()) < 0.01 * np.sqrt(variance(d, n))

