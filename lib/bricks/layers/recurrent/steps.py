"""One time step of SimpleRNN, LSTM and GRU: pure forward/backward pairs, Keras's equations.

Letters as in chapter 9 and the seeds: U = kernel (input -> hidden), W = recurrent_kernel
(hidden -> hidden), V = the output Dense's kernel (hidden -> output).

Letters: N batch, D features, H units, T timesteps. Each step receives
`xw_t = x_t @ kernel + bias`, the input projection the layer computes for all T
steps in one matrix product before the loop, so a step only adds the recurrent
product `h_prev @ recurrent_kernel` (one fused matmul for all gates) and the
gate nonlinearities. A `*_step_backward` returns the gradient of the step's
pre-activations (`da`, `dgates`, ...) and of the previous state; the layer
stacks the pre-activation gradients of all T steps and forms

    dkernel = sum_t x_t^T dgates_t,  drecurrent_kernel = sum_t h_{t-1}^T dgates_t,
    dbias = sum_t sum_n dgates_t

with one matrix product each after the loop, instead of T small ones.

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
def simple_rnn_step_forward(xw_t, h_prev, recurrent_kernel, activation="tanh"):
    """h_t = act(x_t U + b + h_{t-1} W).  xw_t (N, H), h_prev (N, H), W (H, H) -> h (N, H)."""
    a = h_prev @ recurrent_kernel  # (N, H)  h_{t-1} W
    a += xw_t  # (N, H)  + x_t U + b
    return get_activation(activation).into(a, out=a)  # (N, H)


def simple_rnn_step_backward(dh, h, recurrent_kernel, activation="tanh"):
    """Given dL/dh_t (from the output and from step t+1), return (da, dh_prev).

    da = dh * act'(a) is dL/d(pre-activation), written with the output h = act(a);
    dh_prev = da W^T carries the gradient one step further back in time.
    """
    da = dh * get_activation(activation).grad(h)  # (N, H)
    dh_prev = da @ recurrent_kernel.T  # (N, H)
    return da, dh_prev


# ---- LSTM -----------------------------------------------------------------------------
def lstm_step_forward(xw_t, h_prev, c_prev, recurrent_kernel, activation="tanh",
                      recurrent_activation="sigmoid", out=None):
    """One LSTM step, Keras gate order i, f, c, o.

        [a_i a_f a_g a_o] = x_t U + b + h_{t-1} W        (one (N, 4H) matmul)
        i = sigma(a_i)  f = sigma(a_f)  g = tanh(a_g)  o = sigma(a_o)
        c_t = f * c_{t-1} + i * g                        (the cell state: a carry track)
        h_t = o * tanh(c_t)

    Returns h (N, H), c (N, H), act_c = tanh(c) (N, H) and gates (N, 4H) holding
    [i, f, g, o] after their nonlinearities; `out`, if given, is a tuple of four
    preallocated arrays (h, c, act_c, gates) to write them into.
    """
    H = h_prev.shape[1]
    act, rec = get_activation(activation), get_activation(recurrent_activation)
    h, c, act_c, gates = out if out is not None else (None,) * 4
    gates = np.dot(h_prev, recurrent_kernel, out=gates)  # (N, 4H)  h_{t-1} W, all four gates at once
    gates += xw_t  # (N, 4H)  pre-activations a_i, a_f, a_g, a_o
    a_g = gates[:, 2 * H:3 * H]  # (N, H) view
    if act.name == "tanh" and rec.name == "sigmoid":  # tanh(a) = 2 sigma(2a) - 1: one exp pass, four gates
        a_g *= 2.0
        rec.into(gates, out=gates)  # (N, 4H)  i, f, sigma(2 a_g), o
        a_g *= 2.0
        a_g -= 1.0  # (N, H)  g = tanh(a_g)
    else:
        g = act.into(a_g)  # (N, H)  the candidate, before sigma overwrites a_g
        rec.into(gates, out=gates)  # (N, 4H)  i, f, o
        a_g[...] = g
    i, f, g, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    c = np.multiply(f, c_prev, out=c)  # (N, H)  keep what the forget gate lets through
    c += i * g  # (N, H)  write what the input gate admits
    act_c = act.into(c, out=act_c)  # (N, H)
    h = np.multiply(o, act_c, out=h)  # (N, H)  show what the output gate opens
    return h, c, act_c, gates


def lstm_local_grads(c_prev, act_c, gates, activation="tanh", recurrent_activation="sigmoid"):
    """The parts of the LSTM backward that need no gradient from the future: a step's own derivatives.

        dc_dh = o * tanh'(c_t)                        (how h_t moves with c_t)
        local = [g sigma'(a_i), c_{t-1} sigma'(a_f), i tanh'(a_g), tanh(c_t) sigma'(a_o)]
    Elementwise, so it serves one step (N, ...) or many at once (T, N, ...).
    Returns dc_dh (..., H) and local (..., 4H).
    """
    H = c_prev.shape[-1]
    act, rec = get_activation(activation), get_activation(recurrent_activation)
    i, f, g, o = (gates[..., k * H:(k + 1) * H] for k in range(4))
    dc_dh = o * act.grad(act_c)  # (..., H)
    local = rec.grad(gates)  # (..., 4H)  sigma'(a) of every block (the g block is replaced next)
    local[..., 2 * H:3 * H] = act.grad(g)  # (..., H)  tanh'(a_g)
    local *= np.concatenate([g, c_prev, i, act_c], axis=-1)  # (..., 4H)  each gate's partner in its product
    return dc_dh, local


def lstm_step_backward(dh, dc, f, dc_dh, local, recurrent_kernel, out=None):
    """Backprop one LSTM step: dh = dL/dh_t and dc = dL/dc_t arriving from step t + 1.

        dc_t = dc + dh * o tanh'(c_t)                         (total gradient at the cell)
        dgates = [dc_t local_i, dc_t local_f, dc_t local_g, dh local_o]
        dh_{t-1} = dgates W^T          dc_{t-1} = dc_t * f     (the carry: no matrix product)

    f (N, H) is the forget gate, (dc_dh, local) come from `lstm_local_grads`.
    Returns dgates (N, 4H) (into `out` if given), dh_prev (N, H), dc_prev (N, H).
    """
    N, H = dh.shape
    dc = dh * dc_dh + dc  # (N, H)
    dgates = np.empty((N, 4 * H), dtype=dh.dtype) if out is None else out
    d4, l4 = dgates.reshape(N, 4, H), local.reshape(N, 4, H)  # (N, 4, H) views, gate by gate
    np.multiply(l4[:, :3], dc[:, None, :], out=d4[:, :3])  # (N, 3, H)  i, f, g act through c_t
    np.multiply(l4[:, 3], dh, out=d4[:, 3])  # (N, H)  o acts through h_t
    dh_prev = dgates @ recurrent_kernel.T  # (N, H)  one fused matmul back through W
    dc_prev = np.multiply(dc, f, out=dc)  # (N, H)  the carry track
    return dgates, dh_prev, dc_prev


# ---- GRU -------------------------------------------------------------------------------
def gru_step_forward(xw_t, h_prev, recurrent_kernel, recurrent_bias=None, activation="tanh",
                     recurrent_activation="sigmoid", reset_after=True):
    """One GRU step, Keras gate order z, r, h and Keras's update h = z h_{t-1} + (1 - z) hh.

    reset_after=True (Keras default):  u = h_{t-1} W + b_rec  (one (N, 3H) matmul)
        z = sigma(xw_z + u_z)   r = sigma(xw_r + u_r)   hh = tanh(xw_h + r * u_h)
    reset_after=False (the original GRU):
        z = sigma(xw_z + h_{t-1} W_z)   r = sigma(xw_r + h_{t-1} W_r)
        hh = tanh(xw_h + (r * h_{t-1}) W_h)
    Returns h (N, H) and cache = (z, r, hh, m), where m is u_h (reset_after) or r * h_{t-1}.
    """
    H = h_prev.shape[1]
    act, rec = get_activation(activation), get_activation(recurrent_activation)
    if reset_after:
        u = h_prev @ recurrent_kernel  # (N, 3H)  one fused matmul for z, r and h
        if recurrent_bias is not None:
            u += recurrent_bias  # (N, 3H)
    else:
        u = h_prev @ recurrent_kernel[:, :2 * H]  # (N, 2H)  z and r only: h must wait for r
    zr = np.add(xw_t[:, :2 * H], u[:, :2 * H])  # (N, 2H)
    rec.into(zr, out=zr)  # (N, 2H)  z, r
    z, r = zr[:, :H], zr[:, H:]
    if reset_after:
        m = u[:, 2 * H:]  # (N, H)  h_{t-1} W_h + b_rec_h, reset after the product
        hh = r * m  # (N, H)
    else:
        m = r * h_prev  # (N, H)  reset before the product
        hh = m @ recurrent_kernel[:, 2 * H:]  # (N, H)
    hh += xw_t[:, 2 * H:]
    act.into(hh, out=hh)  # (N, H)  candidate state
    h = h_prev - hh  # (N, H)
    h *= z
    h += hh  # (N, H)  z h_{t-1} + (1 - z) hh
    return h, (z, r, hh, m)


def gru_local_grads(h_prev, z, r, hh, m, activation="tanh", recurrent_activation="sigmoid",
                    reset_after=True):
    """A GRU step's own derivatives (no gradient from the future needed), for one or many steps.

    With da_h = dh (1 - z) tanh'(hh) the pre-activation gradients are dh times
        kx = [(h_{t-1} - hh) sigma'(a_z),  k_r,  (1 - z) tanh'(hh)]      (..., 3H)
    where k_r = (1 - z) tanh'(hh) u_h sigma'(a_r) when reset_after; when reset before,
    the reset gradient goes through a matmul first, and k_r = h_{t-1} sigma'(a_r) multiplies dm.
    ku (reset_after only) = kx with its h block times r: the gradient of u = h_{t-1} W + b_rec.
    Returns (kx, ku) (ku is None when reset_after=False).
    """
    act, rec = get_activation(activation), get_activation(recurrent_activation)
    H = z.shape[-1]
    kx = np.empty((*z.shape[:-1], 3 * H), dtype=z.dtype)  # (..., 3H)
    k_h = kx[..., 2 * H:]
    np.multiply(act.grad(hh), 1.0 - z, out=k_h)  # (..., H)  (1 - z) tanh'(hh)
    np.multiply(h_prev - hh, rec.grad(z), out=kx[..., :H])  # (..., H)  k_z
    if reset_after:
        np.multiply(k_h * m, rec.grad(r), out=kx[..., H:2 * H])  # (..., H)  k_r
        ku = kx.copy()
        ku[..., 2 * H:] *= r  # (..., H)
        return kx, ku
    np.multiply(h_prev, rec.grad(r), out=kx[..., H:2 * H])  # (..., H)  k_r, to multiply dm
    return kx, None


def gru_step_backward(dh, z, r, kx, ku, recurrent_kernel, reset_after=True, out=None):
    """Backprop one GRU step, dh = dL/dh_t (from the output and from step t + 1).

    reset_after:  dxw = dh kx,  du = dh ku,  dh_{t-1} = dh z + du W^T
    reset before: dxw_z = dh kx_z,  dxw_h = dh kx_h,  dm = dxw_h W_h^T,  dxw_r = dm kx_r,
                  dh_{t-1} = dh z + dm r + [dxw_z dxw_r] W_zr^T
    Returns dxw (N, 3H) = dL/d(x_t U + b) (into `out` if given), du (N, 3H) =
    dL/d(h_{t-1} W + b_rec) (reset_after; None otherwise, when dW is built from dxw) and dh_prev (N, H).
    """
    N, H = dh.shape
    dxw = np.empty((N, 3 * H), dtype=dh.dtype) if out is None else out
    dh_prev = dh * z  # (N, H)  the direct path h_t <- z h_{t-1}
    if reset_after:
        np.multiply(kx.reshape(N, 3, H), dh[:, None, :], out=dxw.reshape(N, 3, H))  # (N, 3, H)
        du = np.multiply(ku.reshape(N, 3, H), dh[:, None, :]).reshape(N, 3 * H)  # (N, 3H)
        dh_prev += du @ recurrent_kernel.T  # (N, H)  one fused matmul back through W
        return dxw, du, dh_prev
    np.multiply(kx[:, :H], dh, out=dxw[:, :H])  # (N, H)  da_z
    np.multiply(kx[:, 2 * H:], dh, out=dxw[:, 2 * H:])  # (N, H)  da_h
    dm = dxw[:, 2 * H:] @ recurrent_kernel[:, 2 * H:].T  # (N, H)  back through (r h_{t-1}) W_h
    np.multiply(kx[:, H:2 * H], dm, out=dxw[:, H:2 * H])  # (N, H)  da_r
    dh_prev += dm * r
    dh_prev += dxw[:, :2 * H] @ recurrent_kernel[:, :2 * H].T  # (N, H)
    return dxw, None, dh_prev
