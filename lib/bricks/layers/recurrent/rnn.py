"""SimpleRNN, LSTM and GRU with full backprop through time (BPTT), Keras semantics.

Letters as in chapter 9 and the seeds: U = kernel (input -> hidden), W = recurrent_kernel
(hidden -> hidden), V = the output Dense's kernel (hidden -> output).

A recurrent layer reads x (N, T, D) one step at a time, carrying a state
h_t (N, H) (an LSTM also carries c_t). Forward: xw = x U + b for all T steps
in one matmul, then the loop h_t = step(xw_t, h_{t-1}) (steps.py). Backward
(BPTT) walks the steps in reverse, each step adding its share to dL/dh_{t-1};
the weight gradients are formed after the loop with one matmul each over the
stacked steps: dU = X^T dA, dW = H_prev^T dA, db = sum(dA), dx = dA U^T.
Weights and their order are Keras's: kernel (D, gH), recurrent_kernel (H, gH),
bias (gH,) with g = 1 (SimpleRNN), 4 (LSTM, gates i f c o), 3 (GRU, gates z r h;
bias (2, 3H) when reset_after=True).

Speed: with the default activations (tanh, sigmoid) LSTM and GRU run the fused loops of
fused.py: the same equations as the step functions with fewer, larger numpy calls
(tests/layers/test_recurrent_fused.py checks both paths agree). `Recurrent.recurrence` is the one
branch that chooses; other activations, or `use_fused=False`, loop over the step functions
of steps.py.

    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3))     # (N, T, D)
    >>> layer = LSTM(4, return_sequences=True)
    >>> y = layer.forward(x)                                    # (N, T, 4)
    >>> dx = layer.backward(np.ones_like(y))                    # (N, T, D)
    >>> dh0, dc0 = layer.initial_state_grads                    # for initial_state=[h0, c0]
    >>> y.shape, dx.shape, dh0.shape, dc0.shape
    ((2, 5, 4), (2, 5, 3), (2, 4), (2, 4))
"""
import numpy as np

from bricks import initializers
from bricks.layers.recurrent import fused
from bricks.layers.base import LAYERS
from bricks.layers.recurrent.base import Recurrent
from bricks.layers.recurrent.steps import (get_activation, gru_step_backward, gru_step_forward, lstm_step_backward,
                                            lstm_step_forward, simple_rnn_step_backward, simple_rnn_step_forward)

__all__ = ["SimpleRNN", "LSTM", "GRU"]


@LAYERS.register
class SimpleRNN(Recurrent):
    """Fully connected recurrence h_t = act(x_t U + h_{t-1} W + b), the Elman network.

    Backward (BPTT): da_t = (dy_t + dh_t) * act'(a_t), dh_{t-1} = da_t W^T; then
    dU = sum_t x_t^T da_t, dW = sum_t h_{t-1}^T da_t, db = sum_t da_t, dx_t = da_t U^T.
    Repeated products of W (times act') make the gradient vanish or explode over many steps.

    Args:
        units: H, the size of the state. activation: 'tanh' (default), 'relu', ...
        use_bias, kernel/recurrent/bias_initializer and _regularizer: as Keras.
        return_sequences: output every h_t (N, T, H) instead of the last (N, H).
        return_state: also return the final state: [output, h_T].
        go_backwards: read the sequence from the end (outputs stay in processing order).
    Input shape: (N, T, D). Output shape: (N, T, H) or (N, H).
    Example: `SimpleRNN(8).forward(np.ones((2, 5, 3))).shape == (2, 8)`.
    """

    def step_loop(self, xw, states):
        T, N, _ = xw.shape
        W, act = self.params["recurrent_kernel"], self.activation
        hs = np.empty((T + 1, N, self.units), dtype=self.dtype)  # (T + 1, N, H) h_0 .. h_T
        hs[0] = states[0]
        for t in range(T):
            hs[t + 1] = simple_rnn_step_forward(xw[t], hs[t], W, act)  # (N, H)
        return hs, [hs[-1]], None

    def step_loop_backward(self, hs, caches, dy_tm, dstates):
        T, N, H = hs.shape[0] - 1, hs.shape[1], self.units
        W, act = self.params["recurrent_kernel"], self.activation
        dA = np.empty((T, N, H), dtype=self.dtype)  # (T, N, H)
        dh_next = dstates[0]  # (N, H)
        for t in range(T - 1, -1, -1):
            dA[t], dh_next = simple_rnn_step_backward(self._dh(dy_tm, dh_next, t), hs[t + 1], W, act)
        self.grads["recurrent_kernel"][...] = hs[:-1].reshape(T * N, H).T @ dA.reshape(T * N, H)  # (H, H)
        return dA, [dh_next]


@LAYERS.register
class LSTM(Recurrent):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), Keras gates i, f, c, o.

    Forward: [a_i a_f a_g a_o] = x_t U + h_{t-1} W + b; i, f, o = sigma(.), g = tanh(a_g);
    c_t = f c_{t-1} + i g; h_t = o tanh(c_t). Backward: see `lstm_step_backward`; the
    cell state passes gradient back as dc_{t-1} = dc_t * f, with no matrix product, which
    is why an LSTM remembers over many steps. unit_forget_bias=True starts b_f at 1.

    Args: as SimpleRNN, plus recurrent_activation ('sigmoid') and unit_forget_bias (True).
    Weights: kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,).
    Input shape: (N, T, D). Output shape: (N, T, H) or (N, H); return_state adds h_T, c_T.
    Example: `LSTM(4, return_state=True).forward(x)` -> [y, h, c].
    """

    n_gates = 4
    state_names = ("h", "c")
    keras_cell = "lstm_cell"  # Keras keeps the weights in a cell object of this name (.keras files)
    fused_path = (fused.lstm_forward, fused.lstm_backward)  # the fast path, see Recurrent.recurrence

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = get_activation(recurrent_activation, self).name
        self.unit_forget_bias = unit_forget_bias

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.initializers["bias"]
        base, H = initializers.get(self.initializers["bias"]), self.units

        def forget_one(shape, dtype):  # Keras: [init(H), ones(H), init(2H)]
            return np.concatenate([base((H,), dtype), np.ones(H, dtype), base((2 * H,), dtype)])
        return forget_one

    def step_loop(self, xw, states):
        T, N, _ = xw.shape
        W, act, rec = self.params["recurrent_kernel"], self.activation, self.recurrent_activation
        hs = np.empty((T + 1, N, self.units), dtype=self.dtype)  # (T + 1, N, H)
        hs[0], c = states
        caches = []
        for t in range(T):
            hs[t + 1], c, cache = lstm_step_forward(xw[t], hs[t], c, W, act, rec)
            caches.append(cache)
        return hs, [hs[-1], c], caches

    def step_loop_backward(self, hs, caches, dy_tm, dstates):
        T, N, H = hs.shape[0] - 1, hs.shape[1], self.units
        W, act, rec = self.params["recurrent_kernel"], self.activation, self.recurrent_activation
        dA = np.empty((T, N, 4 * H), dtype=self.dtype)  # (T, N, 4H)
        dh_next, dc_next = dstates  # (N, H), (N, H)
        for t in range(T - 1, -1, -1):
            dA[t], dh_next, dc_next = lstm_step_backward(self._dh(dy_tm, dh_next, t), dc_next, W, caches[t],
                                                         act, rec)
        self.grads["recurrent_kernel"][...] = hs[:-1].reshape(T * N, H).T @ dA.reshape(T * N, 4 * H)  # (H, 4H)
        return dA, [dh_next, dc_next]

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=self.recurrent_activation, unit_forget_bias=self.unit_forget_bias)
        return config


@LAYERS.register
class GRU(Recurrent):
    """Gated recurrent unit (Cho et al. 2014), Keras gates z, r, h and both reset_after modes.

    Forward (reset_after=True, the Keras default): u = h_{t-1} W + b_rec;
    z = sigma(xw_z + u_z), r = sigma(xw_r + u_r), hh = tanh(xw_h + r * u_h),
    h_t = z h_{t-1} + (1 - z) hh. reset_after=False: hh = tanh(xw_h + (r h_{t-1}) W_h).
    Backward: see `gru_step_backward`; dW = sum_t h_{t-1}^T du_t (with r h_{t-1} in place
    of h_{t-1} for the h block when reset_after=False).

    Args: as LSTM (no unit_forget_bias), plus reset_after (True).
    Weights: kernel (D, 3H), recurrent_kernel (H, 3H), bias (2, 3H) [input, recurrent]
    when reset_after, else (3H,).
    Input shape: (N, T, D). Output shape: (N, T, H) or (N, H); return_state adds h_T.
    Example: `GRU(4, reset_after=False).forward(x)`.
    """

    n_gates = 3
    keras_cell = "gru_cell"  # Keras keeps the weights in a cell object of this name (.keras files)
    fused_path = (fused.gru_forward, fused.gru_backward)  # the fast path, see Recurrent.recurrence

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = get_activation(recurrent_activation, self).name
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if not self.use_bias:
            return None
        return self.params["bias"][0] if self.reset_after else self.params["bias"]

    def _input_bias_grad(self, dA2):
        if self.reset_after:
            self.grads["bias"][0] = dA2.sum(axis=0)  # (3H,)  the recurrent row was set in the loop
        else:
            self.grads["bias"][...] = dA2.sum(axis=0)

    def _recurrent_bias(self):
        """b_rec (3H,): the bias's second row when reset_after, else zeros (its one row is in x U + b)."""
        if self.use_bias and self.reset_after:
            return self.params["bias"][1]
        return np.zeros(3 * self.units, dtype=self.dtype)

    def step_loop(self, xw, states):
        T, N, _ = xw.shape
        W, act, rec = self.params["recurrent_kernel"], self.activation, self.recurrent_activation
        b_rec = self._recurrent_bias()
        hs = np.empty((T + 1, N, self.units), dtype=self.dtype)  # (T + 1, N, H)
        hs[0] = states[0]
        caches = []
        for t in range(T):
            hs[t + 1], cache = gru_step_forward(xw[t], hs[t], W, b_rec, act, rec, self.reset_after)
            caches.append(cache)
        return hs, [hs[-1]], caches

    def step_loop_backward(self, hs, caches, dy_tm, dstates):
        T, N, H = hs.shape[0] - 1, hs.shape[1], self.units
        W, act, rec = self.params["recurrent_kernel"], self.activation, self.recurrent_activation
        dA = np.empty((T, N, 3 * H), dtype=self.dtype)  # (T, N, 3H)  dL/d(x U + b)
        du = np.empty((T, N, 3 * H), dtype=self.dtype)  # (T, N, 3H)  what W's product receives
        dh_next = dstates[0]
        for t in range(T - 1, -1, -1):
            dA[t], du[t], dh_next = gru_step_backward(self._dh(dy_tm, dh_next, t), W, caches[t], act, rec,
                                                      self.reset_after)
        du2 = du.reshape(T * N, 3 * H)  # (T N, 3H)
        h_prev = hs[:-1].reshape(T * N, H)  # (T N, H)
        if self.reset_after:
            m = h_prev  # (T N, H)  what W_h multiplied: h_{t-1} ...
        else:
            m = np.stack([cache[4] for cache in caches]).reshape(T * N, H)  # ... or r h_{t-1}
        dW = self.grads["recurrent_kernel"]
        dW[:, :2 * H] = h_prev.T @ du2[:, :2 * H]  # (H, 2H)
        dW[:, 2 * H:] = m.T @ du2[:, 2 * H:]  # (H, H)
        if self.use_bias and self.reset_after:
            self.grads["bias"][1] = du2.sum(axis=0)  # (3H,)  b_rec
        return dA, [dh_next]

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=self.recurrent_activation, reset_after=self.reset_after)
        return config
