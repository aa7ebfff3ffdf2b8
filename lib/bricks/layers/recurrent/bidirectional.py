"""Bidirectional: run a recurrent layer forward and a copy of it backward in time, then merge.

Forward: y_f = fwd(x); y_b = bwd(x) with go_backwards=True, flipped back in time when
it returns sequences so that y_b[:, t] also belongs to step t; then
concat [y_f, y_b] (default), sum y_f + y_b, mul y_f * y_b, ave (y_f + y_b) / 2, or
None (the list [y_f, y_b]). Backward: split the merged gradient by the same rule
(mul: dy_f = g * y_b, dy_b = g * y_f), flip, and add the two layers' dx.
Weights are Keras's order: the forward layer's, then the backward layer's.

    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3))            # (N, T, D)
    >>> bi = Bidirectional(bricks.LSTM(4, return_sequences=True))
    >>> bi(x).shape                                                   # concat: (N, T, 2 * 4)
    (2, 5, 8)
    >>> Bidirectional(bricks.LSTM(4), merge_mode="sum")(x).shape      # sum, last step only
    (2, 4)
"""
import numpy as np

from bricks import errors
from bricks.layers.base import LAYERS, Layer, deserialize, serialize

__all__ = ["Bidirectional"]

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _renamed_copy(layer, prefix, **changes):
    config = layer.get_config()
    config["name"] = prefix + layer.name.removeprefix(prefix)
    config.update(changes)
    return type(layer).from_config(config)


@LAYERS.register
class Bidirectional(Layer):
    """Bidirectional wrapper for SimpleRNN, LSTM and GRU, as Keras's.

    Args:
        layer: the recurrent layer; copied (fresh weights) as "forward_<name>".
        merge_mode: "concat" (default), "sum", "mul", "ave" or None (return both).
        weights: optional initial weights, forward layer's then backward layer's.
        backward_layer: optional layer for the backward direction (must have
            go_backwards different from `layer`, same return_sequences/return_state);
            by default a copy of `layer` with go_backwards=True named "backward_<name>".
    Call: forward(x, training=False, initial_state=None); initial_state lists the
    forward layer's states, then the backward layer's. With return_state the output
    is [merged, *forward states, *backward states].
    Input shape: (N, T, D). Output shape: (N, T, 2H) for concat with return_sequences,
    (N, 2H) without; (.., H) for sum/mul/ave.
    Example: `Bidirectional(GRU(4), merge_mode="sum").forward(np.ones((2, 3, 5))).shape == (2, 4)`.
    """

    input_rank = 3
    layout = "(batch, timesteps, features)"

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards"):
            errors.fail(self, "a recurrent layer (SimpleRNN, LSTM, GRU)", layer=type(layer).__name__)
        if merge_mode not in MERGE_MODES:
            errors.fail(self, f"merge_mode among {list(MERGE_MODES)}", merge_mode=merge_mode)
        self.forward_layer = _renamed_copy(layer, "forward_")
        if backward_layer is None:
            backward_layer = _renamed_copy(layer, "backward_", go_backwards=True)
        elif not isinstance(backward_layer, Layer) or not hasattr(backward_layer, "go_backwards"):
            errors.fail(self, "backward_layer to be a recurrent layer", backward_layer=type(backward_layer).__name__)
        self.backward_layer = backward_layer
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            errors.fail(self, "forward and backward layers with different go_backwards",
                        forward_go_backwards=fwd.go_backwards, backward_go_backwards=bwd.go_backwards)
        for attr in ("return_sequences", "return_state"):
            if getattr(fwd, attr) != getattr(bwd, attr):
                errors.fail(self, f"the same {attr} in both layers",
                            **{f"forward_{attr}": getattr(fwd, attr), f"backward_{attr}": getattr(bwd, attr)})
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = fwd.return_sequences, fwd.return_state
        self.go_backwards, self.stateful = False, False
        self.sublayers = [fwd, bwd]
        self.initial_weights = weights
        self.initial_state_grads = None

    def build(self, input_shape):
        super().build(input_shape)
        for sub in self.sublayers:
            if not sub.built:
                sub.build(input_shape)
        if self.initial_weights is not None:
            self.set_weights(self.initial_weights)
            self.initial_weights = None

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        if self.merge_mode == "concat":
            return (*shape[:-1], shape[-1] + self.backward_layer.units)
        return shape

    def forward(self, x, training=False, initial_state=None):
        x = self._prepare(x)  # (N, T, D)
        fwd, bwd = self.sublayers
        f_state = b_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            f_state, b_state = list(initial_state[:half]), list(initial_state[half:])
        y = fwd.forward(x, training=training, initial_state=f_state)
        y_rev = bwd.forward(x, training=training, initial_state=b_state)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]  # (N, T, H) back to the forward time order
        cache = (y, y_rev)
        mode = self.merge_mode
        if mode == "concat":
            out = np.concatenate([y, y_rev], axis=-1)  # (N, [T,] H_f + H_b)
        elif mode == "sum":
            out = y + y_rev
        elif mode == "ave":
            out = (y + y_rev) / 2
        elif mode == "mul":
            out = y * y_rev
        else:
            out = [y, np.ascontiguousarray(y_rev)]
        if self.return_state:
            out = (out if mode is None else [out]) + states
        return self._keep(cache, out)

    def __call__(self, x, training=False, initial_state=None):
        return self.forward(x, training=training, initial_state=initial_state)

    def backward(self, grad_output):
        y, y_rev = self._cached(grad_output)
        fwd, bwd = self.sublayers
        grads = list(grad_output) if isinstance(grad_output, (list, tuple)) else [grad_output]
        n_out = 2 if self.merge_mode is None else 1
        n_f, n_b = (len(fwd.state_names), len(bwd.state_names)) if self.return_state else (0, 0)
        if len(grads) != n_out + n_f + n_b:
            errors.fail(self, f"{n_out + n_f + n_b} gradient arrays (merge_mode={self.merge_mode!r}, "
                        f"return_state={self.return_state})", **{"len(grad_output)": len(grads)})
        g = grads[0]
        mode = self.merge_mode
        if mode == "concat":
            dy, dy_rev = g[..., :y.shape[-1]], g[..., y.shape[-1]:]
        elif mode == "sum":
            dy, dy_rev = g, g
        elif mode == "ave":
            dy, dy_rev = g / 2, g / 2
        elif mode == "mul":
            dy, dy_rev = g * y_rev, g * y
        else:
            dy, dy_rev = grads[0], grads[1]
        if self.return_sequences:
            dy_rev = dy_rev[:, ::-1]  # (N, T, H) into the backward layer's processing order
        f_states = grads[n_out:n_out + n_f]
        b_states = grads[n_out + n_f:]
        dx = fwd.backward([dy, *f_states] if self.return_state else dy)  # (N, T, D)
        dx = dx + bwd.backward([dy_rev, *b_states] if self.return_state else dy_rev)
        self.initial_state_grads = list(fwd.initial_state_grads) + list(bwd.initial_state_grads)
        return dx

    def get_config(self):
        config = super().get_config()
        fwd, bwd = self.sublayers
        config.update(merge_mode=self.merge_mode,
                      layer=serialize(fwd), backward_layer=serialize(bwd))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("layer", "backward_layer"):
            config[key] = deserialize(config.get(key), cls.__name__)
        return cls(**config)
