"""scratchnet.data: the spiral, the fish, one-hot, standardize, split."""

import numpy as np
import pytest
from scratchnet import data


def test_spiral_shapes_and_dtypes():
    X, y = data.make_spiral(n_per_class=50, n_classes=4, seed=3)
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert y.shape == (200,) and y.dtype == np.int64
    assert np.array_equal(np.bincount(y), [50, 50, 50, 50])


def test_spiral_follows_cs231n_formula():
    # An independent re-implementation of the CS231n generator, drawing
    # the same normal variates from the same seeded generator.
    N, K, noise, seed = 100, 3, 0.2, 7
    rng = np.random.default_rng(seed)
    rows = []
    for j in range(K):
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + rng.standard_normal(N) * noise
        rows.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    X, y = data.make_spiral(N, K, noise, seed)
    np.testing.assert_allclose(X, np.vstack(rows), rtol=0, atol=1e-15)
    assert np.array_equal(y, np.repeat(np.arange(K), N))


def test_spiral_is_deterministic_and_leaves_global_rng_alone():
    state = np.random.get_state()[1].copy()
    a = data.make_spiral(seed=1)
    b = data.make_spiral(seed=1)
    c = data.make_spiral(seed=2)
    assert np.array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    assert np.array_equal(np.random.get_state()[1], state)


def test_fish_is_near_the_lecture_table():
    X, y = data.make_fish(n_per_class=400, seed=0)
    assert X.shape == (1200, 2) and np.all(X > 0)
    for label, name in enumerate(data.FISH_CLASSES):
        table = np.array(data.FISH_TABLE[name])
        median = np.median(X[y == label], axis=0)
        # The median of the synthetic fish lies between the two measured
        # fish of its class (within 10 %).
        assert np.all(median >= 0.9 * table.min(axis=0))
        assert np.all(median <= 1.1 * table.max(axis=0))


def test_one_hot():
    Y = data.one_hot(np.array([2, 0, 1, 2]), 3)
    assert Y.dtype == np.float64
    assert np.array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])


def test_standardize_fits_on_train_and_applies_to_test(rng):
    X = rng.normal(5.0, 3.0, size=(200, 3))
    Xs, mean, std = data.standardize(X)
    np.testing.assert_allclose(Xs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Xs.std(axis=0), 1.0, rtol=1e-12)
    assert mean.shape == std.shape == (1, 3)
    X_test = rng.normal(5.0, 3.0, size=(10, 3))
    Xt, mean2, std2 = data.standardize(X_test, mean, std)
    np.testing.assert_allclose(Xt, (X_test - X.mean(0)) / X.std(0))
    assert mean2 is mean and std2 is std


def test_standardize_constant_column_is_not_divided_by_zero():
    X = np.c_[np.arange(5.0), np.full(5, 3.0)]
    Xs, _, std = data.standardize(X)
    assert np.all(np.isfinite(Xs)) and std[0, 1] == 1.0


def test_train_test_split_is_stratified_disjoint_and_seeded():
    _, y = data.make_spiral(n_per_class=100, seed=0)
    X = np.c_[np.arange(300.0), y]      # row i is tagged with i
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, 0.2, seed=0)
    assert np.array_equal(Xtr[:, 1], ytr) and np.array_equal(Xte[:, 1], yte)
    assert len(yte) == 60 and len(ytr) == 240
    assert np.array_equal(np.bincount(yte), [20, 20, 20])
    rows_tr = {tuple(r) for r in Xtr}
    rows_te = {tuple(r) for r in Xte}
    assert not rows_tr & rows_te and len(rows_tr | rows_te) == 300
    again = data.train_test_split(X, y, 0.2, seed=0)
    assert np.array_equal(again[1], Xte)
    other = data.train_test_split(X, y, 0.2, seed=1)
    assert not np.array_equal(other[1], Xte)


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5])
def test_split_fraction(fraction):
    X, y = data.make_spiral(n_per_class=40, seed=0)
    _, _, _, yte = data.train_test_split(X, y, fraction, seed=0)
    assert len(yte) == 3 * round(40 * fraction)


def test_split_rounds_the_test_count_of_each_class():
    # 0.38 of 10 rows per class is 3.8: round gives 4, int would give 3.
    X = np.arange(40.0).reshape(20, 2)
    y = np.repeat([0, 1], 10)
    _, X_test, _, y_test = data.train_test_split(X, y, test_fraction=0.38)
    assert len(y_test) == 8 and np.bincount(y_test).tolist() == [4, 4]


# data.train_test_split (bug: no clamp to [1, count - 1])
@pytest.mark.parametrize("fraction, n_test", [
    (0.2, {0: 1, 1: 2}),     # round(0.4) = 0 -> 1; round(2.0) = 2
    (0.1, {0: 1, 1: 1}),     # round(0.2) = 0 -> 1; round(1.0) = 1
    (0.9, {0: 1, 1: 9}),     # round(1.8) = 2 -> 1; round(9.0) = 9
])
def test_split_keeps_a_row_of_each_class_on_each_side(fraction, n_test):
    y = np.array([0, 0] + [1] * 10)
    X = np.arange(12.0)[:, None]
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, fraction, seed=0)
    for label, count in n_test.items():
        assert int(np.sum(yte == label)) == count
        assert int(np.sum(ytr == label)) == int(np.sum(y == label)) - count
    assert sorted(np.r_[Xtr[:, 0], Xte[:, 0]]) == list(X[:, 0])


# D5 data.py: a given std of 0 is refused, not divided by
def test_standardize_refuses_a_given_zero_std():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="std must be > 0"):
        data.standardize(X, mean=np.zeros((1, 2)),
                         std=np.array([[1.0, 0.0]]))


# D9 data.py: a spiral needs two classes
def test_a_spiral_of_one_class_is_refused():
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        data.make_spiral(n_classes=1)
