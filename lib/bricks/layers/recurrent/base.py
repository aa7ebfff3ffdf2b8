"""The plumbing every recurrent layer shares: checks, initial states, return_* options, dU after the loop.

`Recurrent` turns x (N, T, D) into a time-major (T, N, D) array (reversed when
go_backwards), projects all T steps at once, xw = x U + b (one matmul), and
hands xw to the subclass's `step_loop` (the step-by-step recurrence), or runs the fused fast
path instead (`recurrence` makes that one choice). Backward takes
the subclass's dA (T, N, gH), the gradient of x U + b at every step, and forms
dkernel = X^T dA, dbias = sum(dA) and dx = dA U^T with one matmul each. Subclasses:
SimpleRNN, LSTM, GRU in rnn.py.
"""
import numpy as np

from bricks import errors, initializers, regularizers
from bricks.layers.base import Layer
from bricks.layers.recurrent.steps import get_activation

__all__ = []  # the layers are exported by rnn.py


class Recurrent(Layer):
    """Shared plumbing: checks, initial states, time-major arrays, return_* options, dU after the loop.

    A subclass sets `n_gates` and `state_names`, and writes `step_loop(xw, states)` (forward
    over time, returns the (T + 1, N, H) stack of h, the final states and the steps' caches)
    and `step_loop_backward(hs, caches, dy, dstates)` (returns dA (T, N, gH), the gradient of
    x U + b, and the initial-state gradients, after filling the recurrent grads).
    """

    input_rank = 3
    layout = "(batch, timesteps, features)"
    n_gates = 1
    state_names = ("h",)
    fused_path = None  # (forward, backward) pure functions of fused.py, for LSTM and GRU
    keras_cell = "simple_rnn_cell"  # Keras keeps the weights in a cell object of this name (.keras files)

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_fused="auto", **kwargs):
        kwargs.pop("use_cudnn", None)  # Keras's switch for its fast path; bricks' is use_fused
        super().__init__(**kwargs)
        if use_fused not in ("auto", True, False):
            errors.fail(self, 'use_fused "auto", True or False', use_fused=use_fused)
        if not isinstance(units, (int, np.integer)) or units <= 0:
            errors.fail(self, "a positive integer number of units", units=units)
        if dropout or recurrent_dropout:
            errors.fail(self, "dropout=0 and recurrent_dropout=0 (not implemented in bricks; "
                        "put a Dropout layer before or after)", dropout=dropout, recurrent_dropout=recurrent_dropout)
        if stateful:
            errors.fail(self, "stateful=False (pass initial_state= instead)", stateful=stateful)
        for label, value in [("activity_regularizer", activity_regularizer), ("kernel_constraint", kernel_constraint),
                             ("recurrent_constraint", recurrent_constraint), ("bias_constraint", bias_constraint)]:
            if value is not None:
                errors.fail(self, f"{label}=None (not supported)", **{label: value})
        self.units = int(units)
        self.activation = get_activation(activation, self).name
        self.use_bias = use_bias
        self.initializers = {"kernel": kernel_initializer, "recurrent": recurrent_initializer, "bias": bias_initializer}
        for init in self.initializers.values():
            initializers.get(init)  # a bad name fails now, not at build
        self.regs = {"kernel": kernel_regularizer, "recurrent": recurrent_regularizer, "bias": bias_regularizer}
        self.seed, self.unroll = seed, unroll
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), False
        self.initial_state_grads = None
        self.use_fused = use_fused

    # ---- weights ------------------------------------------------------------------
    def build(self, input_shape):
        super().build(input_shape)
        D, G = input_shape[-1], self.n_gates * self.units
        self.add_weight("kernel", (D, G), self.initializers["kernel"], self.regs["kernel"])
        self.add_weight("recurrent_kernel", (self.units, G), self.initializers["recurrent"], self.regs["recurrent"])
        if self.use_bias:
            self.add_weight("bias", self._bias_shape(), self._bias_initializer(), self.regs["bias"])

    def _bias_shape(self):
        return (self.n_gates * self.units,)

    def _bias_initializer(self):
        return self.initializers["bias"]

    def _input_bias(self):
        """The bias added to x U (all of it, except GRU reset_after's recurrent half)."""
        return self.params["bias"] if self.use_bias else None

    # ---- forward --------------------------------------------------------------------
    def _initial_states(self, initial_state, N):
        k = len(self.state_names)
        if initial_state is None:
            return [np.zeros((N, self.units), dtype=self.dtype) for _ in range(k)]
        if isinstance(initial_state, np.ndarray) and k == 1:
            initial_state = [initial_state]
        if not isinstance(initial_state, (list, tuple)) or len(initial_state) != k:
            errors.fail(self, f"initial_state as a list of {k} arrays {list(self.state_names)}",
                        initial_state=type(initial_state).__name__ if not isinstance(initial_state, (list, tuple))
                        else f"list of {len(initial_state)}")
        states = []
        for name, s in zip(self.state_names, initial_state):
            s = errors.as_float_array(self, s, name=f"initial_state {name}").astype(self.dtype, copy=True)
            if s.shape != (N, self.units):
                errors.fail(self, f"initial state {name} of shape {(N, self.units)}", **{f"{name}.shape": s.shape})
            states.append(s)
        return states

    def forward(self, x, training=False, initial_state=None):
        x = self._prepare(x)  # (N, T, D)
        N, T, D = x.shape
        if T == 0:
            errors.fail(self, "at least one timestep", **{"x.shape": x.shape})
        states = self._initial_states(initial_state, N)
        xs = x[:, ::-1] if self.go_backwards else x  # Keras reads the sequence reversed
        x_tm = np.ascontiguousarray(xs.transpose(1, 0, 2))  # (T, N, D) time-major: step t is contiguous
        with np.errstate(over="ignore"):  # exp(-a) -> inf in the sigmoid is harmless
            path, hs, finals, loop_cache = self.recurrence(x_tm, states)  # (T + 1, N, H), [(N, H)]
        if self.return_sequences:
            out = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))  # (N, T, H) in processing order, like Keras
        else:
            out = hs[-1].copy()  # (N, H)
        out = [out, *[s.copy() for s in finals]] if self.return_state else out
        return self._keep((path, x_tm, hs, loop_cache, (N, T, D)), out)  # backward takes the path forward took

    def __call__(self, x, training=False, initial_state=None):
        return self.forward(x, training=training, initial_state=initial_state)

    def compute_output_shape(self, input_shape):
        out = (input_shape[0], input_shape[1], self.units) if self.return_sequences else (input_shape[0], self.units)
        return out

    # ---- backward -------------------------------------------------------------------
    def _split_grads(self, grad_output, N, T):
        k = len(self.state_names)
        want_out = (N, T, self.units) if self.return_sequences else (N, self.units)
        if self.return_state:
            if not isinstance(grad_output, (list, tuple)) or len(grad_output) != 1 + k:
                errors.fail(self, f"a list of {1 + k} gradients [output, {', '.join(self.state_names)}] "
                            "(return_state=True)", grad_output=type(grad_output).__name__)
            dy, dstates = grad_output[0], list(grad_output[1:])
        else:
            dy, dstates = grad_output, [None] * k
        dy = np.zeros(want_out, self.dtype) if dy is None else np.asarray(dy, dtype=self.dtype)
        if dy.shape != want_out:
            errors.fail(self, f"grad_output of shape {want_out}", **{"grad_output.shape": dy.shape})
        dstates = [np.zeros((N, self.units), self.dtype) if d is None else np.array(d, dtype=self.dtype)
                   for d in dstates]
        return dy, dstates

    def backward(self, grad_output):
        path, x_tm, hs, loop_cache, (N, T, D) = self._cached(grad_output)
        dy, dstates = self._split_grads(grad_output, N, T)
        if self.return_sequences:
            dy_tm = dy.transpose(1, 0, 2)  # (T, N, H) view, time-major like the loop
        else:
            dstates[0] += dy  # the output is h_T itself
            dy_tm = None
        dx = self.recurrence_backward(path, x_tm, hs, loop_cache, dy_tm, dstates)  # (N, T, D)
        if self.go_backwards:
            dx = dx[:, ::-1]
        return np.ascontiguousarray(dx)

    def _input_bias_grad(self, dA2):
        self.grads["bias"][...] = dA2.sum(axis=0)  # (gH,)

    # ---- the loop over time: the taught step functions, or the fused fast path --------
    def uses_fused_loop(self):
        """True when `recurrence` runs the fused loop: the layer has one (`fused_path`), its
        activations are the defaults (tanh, sigmoid) and `use_fused` is "auto" or True."""
        defaults = self.activation == "tanh" and getattr(self, "recurrent_activation", None) == "sigmoid"
        return self.fused_path is not None and self.use_fused is not False and defaults

    def recurrence(self, x_tm, states):
        """h_0..h_T from x (T, N, D) time-major: the one place the fast path is chosen.

        Returns (path, hs (T + 1, N, H), final states, loop cache); `forward` keeps `path` in
        the layer's cache, so backward runs the same path even if `use_fused` changed since.
        The fused loop (fused.py) computes the same numbers as the step functions with
        fewer, larger numpy calls (tests/layers/test_recurrent_fused.py checks they agree).
        """
        if self.uses_fused_loop():  # LSTM/GRU with tanh/sigmoid
            fused_forward, _ = self.fused_path
            return ("fused", *fused_forward(self, x_tm, states))
        T, N, D = x_tm.shape
        xw = x_tm.reshape(T * N, D) @ self.params["kernel"]  # (T N, gH) every step's x_t U in one matmul
        bias = self._input_bias()
        if bias is not None:
            xw += bias
        return ("steps", *self.step_loop(xw.reshape(T, N, -1), states))  # one step call per t

    def recurrence_backward(self, path, x_tm, hs, loop_cache, dy_tm, dstates):
        """BPTT along the path forward took: returns dx (N, T, D), fills grads and initial_state_grads."""
        T, N, D = x_tm.shape
        if path == "fused":  # the fast loop forms dx and every weight gradient itself
            _, fused_backward = self.fused_path
            dx_tm, self.initial_state_grads, grads = fused_backward(self, loop_cache, dy_tm, dstates)
            for name, g in grads.items():
                self.grads[name][...] = g
            return dx_tm.transpose(1, 0, 2)  # (N, T, D)
        dA, self.initial_state_grads = self.step_loop_backward(hs, loop_cache, dy_tm, dstates)  # (T, N, gH)
        dA2 = dA.reshape(T * N, -1)  # (T N, gH)
        self.grads["kernel"][...] = x_tm.reshape(T * N, D).T @ dA2  # (D, gH) all steps in one matmul
        if self.use_bias:
            self._input_bias_grad(dA2)
        return (dA2 @ self.params["kernel"].T).reshape(T, N, D).transpose(1, 0, 2)  # (N, T, D)

    def _buffer(self, name, shape):
        """A work array kept from call to call while its shape holds (fresh memory costs page faults)."""
        buffers = self.__dict__.setdefault("_work_buffers", {})
        if name not in buffers or buffers[name].shape != shape:
            buffers[name] = np.empty(shape, dtype=self.dtype)
        return buffers[name]

    def _dh(self, dy_tm, dh_next, t):
        """dL/dh_t: from the output at step t (return_sequences) plus from step t + 1."""
        return dh_next if dy_tm is None else dh_next + dy_tm[t]

    # ---- configuration ---------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=self.activation, use_bias=self.use_bias,
                      kernel_initializer=initializers.serialize(self.initializers["kernel"]),
                      recurrent_initializer=initializers.serialize(self.initializers["recurrent"]),
                      bias_initializer=initializers.serialize(self.initializers["bias"]),
                      kernel_regularizer=regularizers.serialize(self.regs["kernel"]),
                      recurrent_regularizer=regularizers.serialize(self.regs["recurrent"]),
                      bias_regularizer=regularizers.serialize(self.regs["bias"]),
                      return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=False, unroll=self.unroll, seed=self.seed)
        if self.use_fused != "auto":
            config["use_fused"] = self.use_fused
        return config
