"""One time step of SimpleRNN, LSTM and GRU: plain forward/backward pairs, Keras's equations.

Letters as in chapter 9 and the seeds: U = kernel (input -> hidden), W = recurrent_kernel
(hidden -> hidden); N batch, D features, H units, T timesteps.

A step receives `xw_t = x_t U + b`, the input projection the layer computes for all T
steps in one matrix product before the loop, so a step adds only `h_{t-1} W` and the
gates. A forward returns the new state(s) and a cache (what its backward needs); a
backward returns the gradient of the step's pre-activations, `da = dL/d(x_t U + b)`, and
of the previous state(s). The layer stacks the `da` of all T steps and forms

    dU = sum_t x_t^T da_t,   dW = sum_t h_{t-1}^T da_t,   db = sum_t sum_n da_t

with one matrix product each after the loop, instead of T small ones.

These are the plain versions the book prints. The layers' fast path (fused.py) computes
the same numbers with fewer, larger numpy calls, and is tested equal to these functions.

    >>> rng = np.random.default_rng(0)
    >>> xw_t, h_prev, W = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(3, 3))
    >>> h = simple_rnn_step_forward(xw_t, h_prev, W)            # (N, H)
    >>> np.allclose(h, np.tanh(xw_t + h_prev @ W))
    True
    >>> da, dh_prev = simple_rnn_step_backward(np.ones((2, 3)), h, W)   # (N, H), (N, H)
    >>> np.allclose(da, 1 - h**2), np.allclose(dh_prev, da @ W.T)       # tanh' = 1 - h^2
    (True, True)
"""
import numpy as np

from bricks import activations, errors


def get_activation(identifier, owner="activation"):
    """The activation named `identifier` (None: linear), from `bricks.activations`, provided its
    derivative is a function of its output (tanh, sigmoid, relu, linear, hard_sigmoid): a step
    keeps only h = act(a), and backward needs act'(a) from h."""
    act = activations.get(identifier, owner)
    if getattr(act, "grad_from_output", None) is None:
        usable = [n for n, a in activations.ACTIVATIONS.entries.items() if a.grad_from_output]
        errors.fail(owner, f"an activation among {usable}", activation=getattr(act, "name", act))
    return act


# ---- SimpleRNN ----------------------------------------------------------------------
def simple_rnn_step_forward(xw_t, h_prev, W, activation="tanh"):
    """h_t = act(x_t U + b + h_{t-1} W).  xw_t (N, H), h_prev (N, H), W (H, H) -> h (N, H)."""
    act = get_activation(activation)
    return act(xw_t + h_prev @ W)  # (N, H)


def simple_rnn_step_backward(dh, h, W, activation="tanh"):
    """Given dL/dh_t (from the output and from step t+1), return (da, dh_prev).

    da = dh * act'(a) is dL/d(pre-activation), written with the output h = act(a);
    dh_prev = da W^T carries the gradient one step further back in time.
    """
    da = dh * get_activation(activation).grad(h)  # (N, H)
    dh_prev = da @ W.T  # (N, H)
    return da, dh_prev


# ---- LSTM -----------------------------------------------------------------------------
def lstm_step_forward(xw_t, h_prev, c_prev, W, activation="tanh", recurrent_activation="sigmoid"):
    """One LSTM step, Keras gate order i, f, c, o:  a = x_t U + b + h_{t-1} W  (N, 4H),
    i, f, o = sigma(a_i, a_f, a_o), g = tanh(a_g), c_t = f c_{t-1} + i g, h_t = o tanh(c_t)."""
    act, rec = get_activation(activation), get_activation(recurrent_activation)
    H = h_prev.shape[1]
    a = xw_t + h_prev @ W  # (N, 4H)  all four gates in one product
    i = rec(a[:, :H])  # (N, H)  input gate: how much to write
    f = rec(a[:, H:2 * H])  # (N, H)  forget gate: how much to keep
    g = act(a[:, 2 * H:3 * H])  # (N, H)  candidate: what could be written
    o = rec(a[:, 3 * H:])  # (N, H)  output gate: how much to show
    c = f * c_prev + i * g  # (N, H)  the cell state, a carry track
    tanh_c = act(c)  # (N, H)
    h = o * tanh_c  # (N, H)
    cache = (c_prev, i, f, g, o, tanh_c)
    return h, c, cache


def lstm_step_backward(dh, dc_next, W, cache, activation="tanh", recurrent_activation="sigmoid"):
    """Backprop one LSTM step; dh = dL/dh_t, dc_next = dL/dc_t from step t + 1.

    Returns da (N, 4H) = dL/d(x_t U + b), dh_prev = da W^T and dc_prev = dc f: along the
    cell the gradient meets no matrix product, only the forget gate.
    """
    act, rec = get_activation(activation), get_activation(recurrent_activation)
    c_prev, i, f, g, o, tanh_c = cache
    dc = dc_next + dh * o * act.grad(tanh_c)  # (N, H)  total gradient at c_t
    da_i = dc * g * rec.grad(i)  # (N, H)
    da_f = dc * c_prev * rec.grad(f)  # (N, H)
    da_g = dc * i * act.grad(g)  # (N, H)
    da_o = dh * tanh_c * rec.grad(o)  # (N, H)  o acts through h_t only
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (N, 4H)
    dh_prev = da @ W.T  # (N, H)
    dc_prev = dc * f  # (N, H)  the carry track
    return da, dh_prev, dc_prev


# ---- GRU -------------------------------------------------------------------------------
def gru_step_forward(xw_t, h_prev, W, b_rec, activation="tanh", recurrent_activation="sigmoid",
                     reset_after=True):
    """One GRU step, Keras gate order z, r, h:  z = sigma(xw_z + h_{t-1} W_z + b_rec_z),
    r likewise, h_t = z h_{t-1} + (1 - z) hh with the candidate
        hh = tanh(xw_h + r * (h_{t-1} W_h + b_rec_h))   reset_after=True (Keras's default)
        hh = tanh(xw_h + (r * h_{t-1}) W_h)               reset_after=False (the original GRU).
    b_rec (3H,) is the recurrent bias (zeros when the layer has none)."""
    act, rec = get_activation(activation), get_activation(recurrent_activation)
    H = h_prev.shape[1]
    u = h_prev @ W[:, :2 * H] + b_rec[:2 * H]  # (N, 2H)  the recurrent part of a_z, a_r
    z = rec(xw_t[:, :H] + u[:, :H])  # (N, H)  update gate: how much of h_{t-1} to keep
    r = rec(xw_t[:, H:2 * H] + u[:, H:])  # (N, H)  reset gate
    if reset_after:
        m = h_prev @ W[:, 2 * H:] + b_rec[2 * H:]  # (N, H)  u_h, reset after the product
        hh = act(xw_t[:, 2 * H:] + r * m)  # (N, H)
    else:
        m = r * h_prev  # (N, H)  reset before the product
        hh = act(xw_t[:, 2 * H:] + m @ W[:, 2 * H:])  # (N, H)
    h = z * h_prev + (1 - z) * hh  # (N, H)
    cache = (h_prev, z, r, hh, m)
    return h, cache


def gru_step_backward(dh, W, cache, activation="tanh", recurrent_activation="sigmoid",
                      reset_after=True):
    """Backprop one GRU step, dh = dL/dh_t. Returns da (N, 3H) = dL/d(x_t U + b), du (N, 3H) =
    the gradient W's product receives (its h block multiplies m: h_{t-1} when reset_after,
    r h_{t-1} otherwise), and dh_prev (N, H)."""
    act, rec = get_activation(activation), get_activation(recurrent_activation)
    h_prev, z, r, hh, m = cache
    H = h_prev.shape[1]
    da_h = dh * (1 - z) * act.grad(hh)  # (N, H)  through the candidate
    da_z = dh * (h_prev - hh) * rec.grad(z)  # (N, H)  through the update gate
    if reset_after:
        dm = da_h * r  # (N, H)  dL/du_h
        da_r = da_h * m * rec.grad(r)  # (N, H)
        du = np.concatenate([da_z, da_r, dm], axis=1)  # (N, 3H)  dL/d(h_{t-1} W + b_rec)
        dh_prev = dh * z + du @ W.T  # (N, H)
    else:
        dm = da_h @ W[:, 2 * H:].T  # (N, H)  dL/d(r h_{t-1})
        da_r = dm * h_prev * rec.grad(r)  # (N, H)
        du = np.concatenate([da_z, da_r, da_h], axis=1)  # (N, 3H)
        dh_prev = dh * z + dm * r + du[:, :2 * H] @ W[:, :2 * H].T  # (N, H)
    da = np.concatenate([da_z, da_r, da_h], axis=1)  # (N, 3H)
    return da, du, dh_prev
