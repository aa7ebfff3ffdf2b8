"""The flat weight arrays behind a built model (bricks.packing) and the guard that relies on them.

A built Sequential holds its weights as views of one flat array per dtype, so a guarded step
copies and checks them at once. These tests pin what that must not change (the values, the
arrays a user holds) and the cases where the pack no longer holds: a layer that puts new
arrays in its dicts, a model built during its first step, a copied model. Each must still be
checked and restored exactly.
"""
import copy

import numpy as np
import pytest

import bricks
from bricks import guards, packing


def mlp(seed=0, built=True):
    bricks.set_random_seed(seed)
    layers = [bricks.Dense(4, activation="tanh"), bricks.BatchNormalization(), bricks.Dense(1)]
    model = bricks.Sequential(([bricks.Input((3,))] if built else []) + layers)
    return model.compile(optimizer=bricks.Adam(0.01), loss="mse")


@pytest.fixture
def xy():
    rng = np.random.default_rng(0)
    return rng.standard_normal((16, 3)), rng.standard_normal((16, 1))


def test_a_built_model_holds_every_array_as_a_view_of_one_flat_array_with_its_values_unchanged():
    model = mlp()
    packed = model.packed_weights
    assert len(packed.flat) == len(packed.weights) == len(packed.grads) == 1  # one dtype: one flat array
    flat, (weights,), (grads,) = packed.flat[0], packed.weights, packed.grads
    for _, layer in model.walk():
        for d, half in ((layer.params, weights), (layer.state, weights), (layer.grads, grads)):
            for w in d.values():
                assert w.base is flat and w.flags.c_contiguous and np.shares_memory(w, half)
                assert (w.ctypes.data - flat.ctypes.data) % packing.ALIGN == 0  # on a cache line
    assert weights.size + grads.size == flat.size
    unpacked = mlp()
    unpacked.packed_weights = None
    fresh = [w.copy() for w in unpacked.get_weights()]
    packing.PackedWeights([layer for _, layer in unpacked.walk()])  # packing again changes no value
    for u, v in zip(unpacked.get_weights(), fresh):
        np.testing.assert_array_equal(u, v)


def test_an_array_taken_after_build_stays_the_layers_while_other_models_are_built(xy):
    model = mlp()
    kernel = model.layers[0].params["kernel"]  # as chapter 7 keeps its embedding
    before = kernel.copy()
    mlp(seed=1)  # another model: new arrays put in other dicts
    model.fit(*xy, epochs=2, verbose=0)
    assert model.layers[0].params["kernel"] is kernel and not np.array_equal(kernel, before)


def test_a_weight_dict_counts_new_arrays_and_not_writes_into_them():
    d, a = packing.WeightDict(), np.zeros(3)
    start = packing.put_count()
    d["w"] = a
    d["w"] = a  # the same array again
    d["w"] += 1.0  # written in place (Python puts the same array back)
    d["w"][...] = 2.0
    assert packing.put_count() == start + 1
    d["w"] = np.ones(3)
    d.update(v=a)
    d.setdefault("u", a)
    d.pop("u")
    del d["v"]
    assert packing.put_count() == start + 6


class PutsNewGradients(bricks.Dense):
    """A user's layer in the style of the books that set `self.dW = ...`: it puts a new gradient array
    in its dict at every backward pass, from the `bad`-th pass on one whose square overflows (1e200:
    Adam's v becomes inf and its step 0, so the weights stay finite and only the gradient tells)."""

    def __init__(self, units, bad, **kwargs):
        super().__init__(units, **kwargs)
        self.bad, self.passes = bad, 0

    def backward(self, grad_output):
        dx = super().backward(grad_output)
        self.passes += 1
        kernel = self.grads["kernel"].copy()
        self.grads["kernel"] = np.full_like(kernel, 1e200) if self.passes >= self.bad else kernel
        return dx


@pytest.mark.parametrize("built", [True, False])
def test_a_layer_that_puts_new_gradient_arrays_is_checked_and_put_back(xy, built):
    bricks.set_random_seed(0)
    layer = PutsNewGradients(1, bad=3)
    model = bricks.Sequential(([bricks.Input((3,))] if built else []) + [layer]).compile(optimizer="adam", loss="mse")
    assert np.isfinite(model.train_on_batch(*xy)) and np.isfinite(model.train_on_batch(*xy))
    kernel = layer.params["kernel"]
    weights = model.get_weights()
    assert np.isnan(model.train_on_batch(*xy))  # the third pass: the overflowing gradient
    assert "gradient of sequential/puts_new_gradients/kernel has values whose square overflows" in model.step_fault
    for u, v in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(u, v)
    assert layer.params["kernel"] is kernel


class NanGradient(bricks.Dense):
    """Writes NaN into its kernel's gradient, in place, at every backward pass while `on`."""

    on = True

    def backward(self, grad_output):
        dx = super().backward(grad_output)
        if self.on:
            self.grads["kernel"][0, 0] = np.nan
        return dx


@pytest.mark.parametrize("step", ["train_on_batch", "guarded_step"])
def test_a_model_built_by_its_first_step_is_packed_before_it_and_that_step_undone(xy, step):
    bricks.set_random_seed(0)
    model = bricks.Sequential([NanGradient(1)]).compile(optimizer="adam", loss="mse")  # no Input: built lazily
    assert model.packed_weights is None
    run = model.train_on_batch if step == "train_on_batch" else lambda x, y: guards.guarded_step(model, x, y)
    assert np.isnan(run(*xy))
    assert "gradient of sequential/nan_gradient/kernel" in model.step_fault
    assert model.optimizer.iterations == 0 and model.packed_weights.holds(model)
    assert all(np.isfinite(w).all() for w in model.get_weights())  # as built: the refused update undone


def test_a_copied_model_is_not_packed_and_is_guarded_array_by_array(xy):
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((3,)), NanGradient(4, activation="tanh"), bricks.BatchNormalization(),
                               bricks.Dense(1)]).compile(optimizer=bricks.Adam(0.01), loss="mse")
    model.layers[0].on = False
    model.fit(*xy, epochs=1, verbose=0)
    twin = copy.deepcopy(model)
    assert twin.packed_weights is None
    kernel = twin.layers[0].params["kernel"]
    assert kernel.base is None or kernel.base is not model.packed_weights.weights[0]
    before = twin.get_weights()
    twin.layers[0].on = True  # a NaN gradient: refused, weights and moving statistics as they were
    assert np.isnan(twin.train_on_batch(*xy)) and "gradient of sequential/nan_gradient/kernel" in twin.step_fault
    for u, v in zip(twin.get_weights(), before):
        np.testing.assert_array_equal(u, v)
    twin.layers[0].on = False
    assert twin.train_on_batch(*xy) == model.train_on_batch(*xy)  # the copy trains as the model does


def test_an_array_put_in_a_layer_between_steps_is_what_a_refused_step_restores(xy):
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((3,)), NanGradient(1)]).compile(optimizer="sgd", loss="mse")
    layer, mine = model.layers[0], np.full((3, 1), 0.5)
    layer.on = False
    model.train_on_batch(*xy)
    layer.params["kernel"] = mine  # no longer the packed view: the pack does not hold
    layer.on = True
    assert np.isnan(model.train_on_batch(*xy))
    assert layer.params["kernel"] is mine and np.all(mine == 0.5)
