import inspect

import numpy as np
import pytest

import initcore


@pytest.mark.parametrize("name", list(initcore.DATASETS))
@pytest.mark.parametrize("n", [4, 5, 501])
def test_shape_balance_and_determinism(name, n):
    X, y = initcore.make_dataset(name, n, noise=0.1, rng=np.random.default_rng(0))
    assert X.shape == (n, 2) and X.dtype == np.float64 and y.shape == (n,)
    assert np.bincount(y).tolist() == [n - n // 2, n // 2]
    X2, y2 = initcore.make_dataset(name, n, noise=0.1, rng=np.random.default_rng(0))
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert np.abs(X).max() < 3


@pytest.mark.parametrize("name", list(initcore.DATASETS))
def test_one_signature(name):
    params = inspect.signature(initcore.DATASETS[name]).parameters
    assert list(params) == ["n", "noise", "rng"] and params["noise"].kind is inspect.Parameter.KEYWORD_ONLY


def test_split_keeps_balance():
    X, y = initcore.make_dataset("moons", 500, noise=0.1, rng=np.random.default_rng(0))
    X_train, y_train, X_test, y_test = initcore.train_test_split(X, y, 0.2, np.random.default_rng(1))
    assert len(y_test) == 100 and np.bincount(y_test).tolist() == [50, 50] and len(X_train) == 400


def test_xor_labels_follow_quadrants():
    X, y = initcore.make_dataset("xor", 400, noise=0.0, rng=np.random.default_rng(0))
    assert ((X[:, 0] * X[:, 1] > 0) == (y == 1)).all()
