"""Activations: values, numerical stability, and every backward against finite differences."""
import numpy as np
import pytest

from bricks import activations
from bricks.teaching.gradcheck import check_function

NAMES = ["linear", "sigmoid", "tanh", "relu", "softmax", "elu", "selu", "softplus", "leaky_relu"]


def off_kinks(rng, shape):
    z = rng.normal(size=shape)
    return z + 0.1 * np.sign(z)  # |z| >= 0.1: no relu / elu / selu kink inside a finite-difference step


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences(name, rng):
    act = activations.get(name)
    z = off_kinks(rng, (4, 5))
    g = rng.normal(size=z.shape)  # upstream dL/da
    err = check_function(lambda v: float(np.sum(act.forward(v) * g)),
                         lambda v: act.backward(g, v, act.forward(v)), z)
    assert err < 1e-7, (name, err)


def test_pure_pairs_match_the_objects(rng):
    z = off_kinks(rng, (3, 4))
    g = rng.normal(size=z.shape)
    a = activations.sigmoid(z)
    np.testing.assert_allclose(activations.sigmoid_backward(g, z, a), activations.get("sigmoid").backward(g, z, a))
    a = activations.softmax(z)
    np.testing.assert_allclose(activations.softmax_backward(g, z, a), g * a - a * np.sum(g * a, -1, keepdims=True))


def test_hand_computed_values():
    z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(activations.sigmoid(z), 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(activations.relu(z), [[0.0, 0.0, 2.0]])
    np.testing.assert_allclose(activations.elu(z), [[np.exp(-1) - 1, 0.0, 2.0]])
    np.testing.assert_allclose(activations.leaky_relu(z), [[-0.2, 0.0, 2.0]])
    np.testing.assert_allclose(activations.softplus(z), np.log1p(np.exp(z)))
    np.testing.assert_allclose(activations.softmax(z), np.exp(z) / np.exp(z).sum())
    np.testing.assert_allclose(activations.selu(np.array([1.0, -1.0])),
                               [1.0507009873554805, 1.0507009873554805 * 1.6732632423543772 * (np.exp(-1) - 1)])


def test_stable_for_huge_inputs():
    z = np.array([[-1000.0, 0.0, 1000.0]])  # a RuntimeWarning would fail this test (pyproject filterwarnings)
    np.testing.assert_allclose(activations.sigmoid(z), [[0.0, 0.5, 1.0]])
    np.testing.assert_allclose(activations.softplus(z), [[0.0, np.log(2.0), 1000.0]])
    np.testing.assert_allclose(activations.softmax(z), [[0.0, 0.0, 1.0]])
    assert np.all(np.isfinite(activations.elu(z)))


def test_softmax_is_on_the_last_axis(rng):
    a = activations.softmax(rng.normal(size=(2, 3, 4)))
    np.testing.assert_allclose(a.sum(axis=-1), np.ones((2, 3)))


def test_float32_stays_float32(rng):
    z = rng.normal(size=(2, 3)).astype(np.float32)
    for name in NAMES:
        assert activations.get(name).forward(z).dtype == np.float32, name


def test_get():
    assert activations.get(None).name == "linear"
    assert activations.get(activations.tanh).name == "tanh"
    relu = activations.get("relu")
    assert activations.get(relu) is relu
    with pytest.raises(ValueError, match="activations.get"):
        activations.get("swishy")


@pytest.mark.parametrize("name", activations.ACTIVATIONS.names())
def test_a_registered_activation_pickles_as_its_name_and_unpickles_as_itself(name):
    import pickle
    act = activations.get(name)
    blob = pickle.dumps(act)
    assert pickle.loads(blob) is act
    assert b"<lambda>" not in blob and len(blob) < 200  # a name, not its functions
