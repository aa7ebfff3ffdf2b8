"""bricks's attention layers against Keras 3's own numbers: outputs, attention scores and the
gradients of every input and weight, recorded with Keras (jax backend, float64) by
tools/make_attention_fixtures.py. Keras is not needed here: the fixture carries its numbers."""
import json
import pathlib

import numpy as np
import pytest

import bricks

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "keras" / "attention"
CASES = json.loads((FIXTURES / "cases.json").read_text())
DATA = np.load(FIXTURES / "layers.npz")


def rel(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b).max() / max(np.abs(b).max(), 1e-300))


def run_case(name):
    """(bricks's numbers, Keras's numbers) for one recorded case: {label: array}."""
    case, p = CASES[name], f"{name}/"
    config = {"dtype": "float64", **case["config"]}
    layer = getattr(bricks, case["class_name"])(**config)
    xs = [DATA[p + f"x{i}"] for i in range(case["n_inputs"])]
    call = dict(case["call"])
    if "mask" in case["masks"]:
        call["mask"] = [DATA[p + f"mask{i}"] if m else None for i, m in enumerate(case["masks"]["mask"])]
    if "attention_mask" in case["masks"]:
        call["attention_mask"] = DATA[p + "attention_mask"]
    args = [xs] if case["class_name"] != "MultiHeadAttention" else xs
    layer(*args, **call)  # build
    layer.set_weights([DATA[p + f"w{i}"] for i in range(len(case["weights"]))])
    out = layer(*args, **call)
    y, scores = out if isinstance(out, tuple) else (out, None)
    g = DATA[p + "g"]
    dxs = layer.backward([g, None] if scores is not None else g)
    dws = [layer.grads[k] for k in layer.params]
    ours = {"y": y, **({"scores": scores} if scores is not None else {}),
            **{f"dx{i}": d for i, d in enumerate(dxs)}, **{f"dw{i}": d for i, d in enumerate(dws)}}
    theirs = {k: DATA[p + k] for k in ours}
    return ours, theirs


def tolerance(name):
    """Keras in float64 agrees to round-off (1e-15) where it computes in float64 throughout. Two of
    its paths do not, on the jax backend: MultiHeadAttention without return_attention_scores calls
    jax's fused dot_product_attention, and the tanh scores (concat, additive) come back at float32
    precision; there, and for float32 layers, 1e-6 relative."""
    case = CASES[name]
    fused = case["class_name"] == "MultiHeadAttention" and not case["call"].get("return_attention_scores")
    tanh = case["class_name"] == "AdditiveAttention" or case["config"].get("score_mode") == "concat"
    return 1e-6 if fused or tanh or case["config"].get("dtype") == "float32" else 1e-12


def differences(name):
    """{label: relative difference}; the key's bias has a true gradient of exactly 0 (see
    test_attention.py), so for it the absolute difference, scaled by the largest weight gradient."""
    ours, theirs = run_case(name)
    case = CASES[name]
    keys = [w.split("/", 1)[1] for w in case["weights"]]
    scale = max(float(np.abs(theirs[k]).max()) for k in theirs if k.startswith("dw")) if keys else 1.0
    out = {}
    for k in ours:
        assert ours[k].shape == theirs[k].shape, k
        zero = k.startswith("dw") and keys[int(k[2:])] == "key/bias"
        out[k] = float(np.abs(ours[k] - theirs[k]).max()) / scale if zero else rel(ours[k], theirs[k])
    return ours, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name):
    ours, diff = differences(name)
    if name.endswith("float32"):
        assert all(v.dtype == np.float32 for v in ours.values())
    assert max(diff.values()) < tolerance(name), diff


def test_every_weight_name_is_keras_s():
    for name, case in CASES.items():
        layer = getattr(bricks, case["class_name"])(**{"dtype": "float64", **case["config"]})
        xs = [DATA[f"{name}/x{i}"] for i in range(case["n_inputs"])]
        layer(*([xs] if case["class_name"] != "MultiHeadAttention" else xs))
        assert [path.split("/", 1)[1] for path, _, _ in layer.variables()] == \
               [w.split("/", 1)[1] for w in case["weights"]]
