"""Optimizers against hand-computed first two steps; clipping; schedules as learning rates."""
from types import SimpleNamespace

import numpy as np
import pytest

import bricks
from bricks import optimizers

W0 = np.array([1.0, -2.0])
G = np.array([0.5, -1.0])  # the same gradient at both steps


def two_steps(opt, grad=G):
    layer = SimpleNamespace(params={"w": W0.copy()}, grads={"w": grad.copy()})
    w = layer.params["w"]
    seen = []
    for _ in range(2):
        opt.apply([("layer/w", layer, "w")])
        seen.append(w.copy())
    assert layer.params["w"] is w  # updated in place: layers keep their arrays
    return seen


def test_sgd_plain():
    w1, w2 = two_steps(optimizers.SGD(learning_rate=0.1))
    np.testing.assert_allclose(w1, [0.95, -1.9])
    np.testing.assert_allclose(w2, [0.90, -1.8])


def test_sgd_momentum():
    # m1 = -0.1 g = (-0.05, 0.1); m2 = 0.9 m1 - 0.1 g = (-0.095, 0.19)
    w1, w2 = two_steps(optimizers.SGD(learning_rate=0.1, momentum=0.9))
    np.testing.assert_allclose(w1, [0.95, -1.9])
    np.testing.assert_allclose(w2, [0.855, -1.71])


def test_sgd_nesterov():
    # w1 = w0 + 0.9 m1 - 0.1 g = w0 + (-0.095, 0.19); w2 = w1 + 0.9 m2 - 0.1 g = w1 + (-0.1355, 0.271)
    w1, w2 = two_steps(optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True))
    np.testing.assert_allclose(w1, [0.905, -1.81])
    np.testing.assert_allclose(w2, [0.7695, -1.539])


def test_rmsprop():
    # v1 = 0.1 g^2, v2 = 0.9 * 0.1 g^2 + 0.1 g^2 = 0.19 g^2; step = lr g / sqrt(v + eps)
    w1, w2 = two_steps(optimizers.RMSprop(learning_rate=0.01))
    np.testing.assert_allclose(w1, W0 - 0.01 * G / np.sqrt(0.1 * G**2 + 1e-7))
    np.testing.assert_allclose(w2, w1 - 0.01 * G / np.sqrt(0.19 * G**2 + 1e-7))


def test_rmsprop_centered_and_momentum():
    # centered: mg1 = 0.1 g, mg2 = 0.19 g; denominator v - mg^2 + eps
    w1, w2 = two_steps(optimizers.RMSprop(learning_rate=0.01, centered=True))
    np.testing.assert_allclose(w1, W0 - 0.01 * G / np.sqrt(0.1 * G**2 - 0.01 * G**2 + 1e-7))
    np.testing.assert_allclose(w2, w1 - 0.01 * G / np.sqrt(0.19 * G**2 - 0.0361 * G**2 + 1e-7))
    # momentum 0.5: m1 = inc1, m2 = 0.5 inc1 + inc2
    w1, w2 = two_steps(optimizers.RMSprop(learning_rate=0.01, momentum=0.5))
    inc1, inc2 = 0.01 * G / np.sqrt(0.1 * G**2 + 1e-7), 0.01 * G / np.sqrt(0.19 * G**2 + 1e-7)
    np.testing.assert_allclose(w1, W0 - inc1)
    np.testing.assert_allclose(w2, w1 - 0.5 * inc1 - inc2)


def test_adam():
    # t=1: m = 0.1 g, v = 0.001 g^2, alpha = 0.1 sqrt(1 - 0.999) / (1 - 0.9)
    # t=2: m = 0.19 g, v = 0.001999 g^2, alpha = 0.1 sqrt(1 - 0.999^2) / (1 - 0.9^2)
    w1, w2 = two_steps(optimizers.Adam(learning_rate=0.1))
    a1 = 0.1 * np.sqrt(0.001) / 0.1
    np.testing.assert_allclose(w1, W0 - a1 * 0.1 * G / (np.sqrt(0.001 * G**2) + 1e-7))
    a2 = 0.1 * np.sqrt(0.001999) / 0.19
    np.testing.assert_allclose(w2, w1 - a2 * 0.19 * G / (np.sqrt(0.001999 * G**2) + 1e-7))
    np.testing.assert_allclose(w2, W0 - 0.2 * np.sign(G), atol=1e-5)  # Adam's steps ~ lr * sign(g)


def test_adam_amsgrad_first_step_equals_adam():
    a = two_steps(optimizers.Adam(learning_rate=0.1, amsgrad=True))
    b = two_steps(optimizers.Adam(learning_rate=0.1))
    np.testing.assert_allclose(a, b)  # v only grows under a constant gradient, so max(v_hat, v) = v


def test_clip_gradients():
    g1, g2 = np.array([3.0, 4.0]), np.array([0.3, 0.4])  # norms 5 and 0.5
    a, b = optimizers.clip_gradients([g1, g2], clipnorm=1.0)
    np.testing.assert_allclose(a, [0.6, 0.8])
    np.testing.assert_allclose(b, g2)  # under the threshold: untouched
    a, b = optimizers.clip_gradients([g1, g2], clipvalue=0.35)
    np.testing.assert_allclose(a, [0.35, 0.35])
    np.testing.assert_allclose(b, [0.3, 0.35])
    total = np.sqrt(25 + 0.25)
    a, b = optimizers.clip_gradients([g1, g2], global_clipnorm=1.0)
    np.testing.assert_allclose(a, g1 / total)
    np.testing.assert_allclose(b, g2 / total)  # both scaled by the same factor


def test_clipping_inside_the_optimizer():
    (w1, _) = two_steps(optimizers.SGD(learning_rate=1.0, clipnorm=0.5))
    np.testing.assert_allclose(w1, W0 - 0.5 * G / np.linalg.norm(G))
    (w1, _) = two_steps(optimizers.SGD(learning_rate=1.0, clipvalue=0.6))
    np.testing.assert_allclose(w1, W0 - np.array([0.5, -0.6]))
    with pytest.raises(ValueError, match="only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="clipnorm > 0"):
        optimizers.Adam(clipnorm=-1.0)


def test_schedule_as_learning_rate():
    opt = optimizers.SGD(learning_rate=bricks.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5))
    assert opt.current_learning_rate == pytest.approx(0.1)
    w1, w2 = two_steps(opt)
    np.testing.assert_allclose(w1, W0 - 0.1 * G)
    np.testing.assert_allclose(w2, w1 - 0.05 * G)
    assert opt.iterations == 2 and opt.current_learning_rate == pytest.approx(0.025)


def test_defaults_and_get():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert optimizers.get("sgd").learning_rate == 0.01
    assert optimizers.get("rmsprop").learning_rate == 0.001 and optimizers.get("rmsprop").rho == 0.9
    adam = optimizers.Adam()
    assert (adam.beta_1, adam.beta_2, adam.epsilon) == (0.9, 0.999, 1e-7)
    assert optimizers.get(adam) is adam
    clone = optimizers.get(optimizers.serialize(optimizers.SGD(0.5, momentum=0.9, nesterov=True)))
    assert (clone.learning_rate, clone.momentum, clone.nesterov) == (0.5, 0.9, True)
    with pytest.raises(ValueError, match="optimizers.get"):
        optimizers.get("adagrad_plus")


def test_pure_rules_match_classes_and_the_closed_form():
    # the class calls the pure rule, so comparing the two alone proves little: both are also held
    # to Adam's two steps written out for a constant gradient (m = 0.1 G, then 0.19 G; s likewise)
    w, state = W0.copy(), {}
    for _ in range(2):
        optimizers.adam_update(w, G, state, lr=0.1)
    np.testing.assert_allclose(w, two_steps(optimizers.Adam(0.1))[1])
    assert state["t"] == 2
    a1, a2 = 0.1 * np.sqrt(0.001) / 0.1, 0.1 * np.sqrt(0.001999) / 0.19   # lr sqrt(1 - b2^t) / (1 - b1^t)
    w1 = W0 - a1 * 0.1 * G / (np.sqrt(0.001 * G**2) + 1e-7)
    np.testing.assert_allclose(w, w1 - a2 * 0.19 * G / (np.sqrt(0.001999 * G**2) + 1e-7))


def test_adamw_decays_first_then_steps_like_keras():
    # Keras 3 order: w <- w - lr * wd * w, then Adam's step with the loss gradient alone
    wd, lr = 0.5, 0.1
    w1, w2 = two_steps(optimizers.AdamW(learning_rate=lr, weight_decay=wd))
    a1 = lr * np.sqrt(0.001) / 0.1
    shrunk = W0 * (1 - lr * wd)
    np.testing.assert_allclose(w1, shrunk - a1 * 0.1 * G / (np.sqrt(0.001 * G**2) + 1e-7))
    a2 = lr * np.sqrt(0.001999) / 0.19
    np.testing.assert_allclose(w2, w1 * (1 - lr * wd) - a2 * 0.19 * G / (np.sqrt(0.001999 * G**2) + 1e-7))


def test_adamw_without_decay_is_adam_and_decay_is_not_l2():
    np.testing.assert_allclose(two_steps(optimizers.AdamW(0.1, weight_decay=0.0)),
                               two_steps(optimizers.Adam(0.1)))
    # no loss gradient: AdamW shrinks every weight by the same factor per step ...
    w_decoupled = two_steps(optimizers.AdamW(0.1, weight_decay=0.5), grad=np.zeros(2))[1]
    np.testing.assert_allclose(w_decoupled, W0 * (1 - 0.05) ** 2)
    # ... while an L2 gradient 0.5 w fed to Adam is normalized away: each weight moves ~ lr per step
    layer = SimpleNamespace(params={"w": W0.copy()}, grads={})
    adam = optimizers.Adam(0.1)
    for _ in range(2):
        layer.grads["w"] = 0.5 * layer.params["w"]
        adam.apply([("layer/w", layer, "w")])
    np.testing.assert_allclose(layer.params["w"], W0 - 0.2 * np.sign(W0), atol=1e-3)


def test_adamw_defaults_config_and_errors():
    opt = optimizers.get("adamw")
    assert isinstance(opt, optimizers.AdamW) and (opt.learning_rate, opt.weight_decay) == (0.001, 0.004)
    clone = optimizers.get(optimizers.serialize(optimizers.AdamW(0.01, weight_decay=0.1, beta_1=0.8)))
    assert (clone.learning_rate, clone.weight_decay, clone.beta_1) == (0.01, 0.1, 0.8)
    assert optimizers.serialize(opt)["class_name"] == "AdamW"
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=-1.0)


def test_a_subclass_without_update_is_told_what_to_write():
    class Mine(optimizers.Optimizer):
        pass

    model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(1)]).compile(Mine(0.1), "mse")
    with pytest.raises(NotImplementedError, match=r"^Mine: a subclass of Optimizer defines update\(self, w, dw"):
        model.train_on_batch(np.ones((4, 2)), np.zeros((4, 1)))
