"""The fast path of LSTM and GRU: the step functions' equations with fewer, larger numpy calls.

`lstm_forward(layer, x_tm, states)` returns (hs, final states, cache) and
`lstm_backward(layer, cache, dy_tm, dstates)` returns (dx, initial-state gradients, weight
gradients); `gru_forward` / `gru_backward` likewise. They read the layer's weights and write
only into its work buffers (`layer._buffer`). `Recurrent.recurrence` (base.py) chooses them
once per call when the activations are the defaults (tanh, sigmoid); steps.py holds the
plain step functions the book teaches, and tests/layers/test_recurrent_fused.py checks both
paths give the same outputs and gradients to rounding.

Letters: U = kernel (input -> hidden), W = recurrent_kernel (hidden -> hidden), b = bias;
M = [W; U; b] stacked (K, gH), K = H + D + 1; hx_t = [h_{t-1}; x_t; 1] (K, N) a step's
column of the work buffer `hx`; z, r the GRU's update and reset gates.

The tricks, none of which the plain steps use:
- every step is stored transposed, (gates x N), so each gate is one contiguous block;
- x_t U + b rides in the recurrent matmul: M^T hx_t gives all gates' pre-activations;
- each gate costs one transcendental pass with no temporaries (`sigmoid_in_place`,
  `tanh_in_place`), its argument's factor S folded into M (S for a sigmoid gate, 2S for a
  tanh one; powers of two, exact): in float64 one exp, S = -1 (sigma(a) = 1 / (1 + exp(-a)),
  tanh(a) = 2 sigma(2a) - 1), because numpy's float64 tanh is 2x slower than its exp; in
  float32 numpy's own tanh, S = 1/2 (sigma(a) = (1 + tanh(a/2)) / 2), because there it is
  SIMD and faster than exp (this CPU, a (256, 64) block: float64 exp 15 us, tanh 30 us;
  float32 exp 10 us, tanh 7 us);
- tanh'(a_g) = 4 s (1 - s) from s = sigma(2 a_g), so backward needs no second tanh;
- the weight gradients accumulate as dM^T += dA_t hx_t^T, one product per step;
- work arrays are kept between calls (fresh memory costs page faults).
"""
import numpy as np


def exp_scale(dtype):
    """S: what a sigmoid gate's pre-activation is multiplied by (inside M) for `sigmoid_in_place`;
    a tanh gate's by 2S (`tanh_in_place`)."""
    return 0.5 if np.dtype(dtype) == np.float32 else -1.0


def tanh_in_place(a):
    """a holds 2S x (S = exp_scale); overwrite it with tanh(x)."""
    if a.dtype == np.float32:
        return np.tanh(a, out=a)  # a = x
    np.exp(a, out=a)  # a = -2x: tanh(x) = 2 / (1 + exp(-2x)) - 1
    a += 1.0
    np.divide(2.0, a, out=a)
    a -= 1.0
    return a


def sigmoid_in_place(a):
    """a holds S x (S = exp_scale); overwrite it with sigma(x)."""
    if a.dtype == np.float32:
        np.tanh(a, out=a)  # a = x / 2: sigma(x) = (1 + tanh(x / 2)) / 2
        a += 1.0
        a *= 0.5
        return a
    np.exp(a, out=a)  # a = -x: sigma(x) = 1 / (1 + exp(-x))
    a += 1.0
    np.reciprocal(a, out=a)
    return a


def tanh_into(x, out):
    """tanh(x) written into `out`, by `tanh_in_place`."""
    return tanh_in_place(np.multiply(x, 2 * exp_scale(out.dtype), out=out))


def gru_mix(zgate, h_prev, hh, out):
    """h = z h_prev + (1 - z) hh = (h_prev - hh) z + hh, written into `out` (H, N)."""
    h = np.subtract(h_prev, hh, out=out)
    h *= zgate
    h += hh
    return h


def stacked_steps(layer, M, x_tm, h0, scale):
    """The fused loops' two operands: Ms = (M * scale)^T (gH, K), M = [W; U; b] from
    lstm_stacked_weights / gru_stacked_weights, and the buffer hx (T + 1, K, N) whose block t is
    hx_t = [h_{t-1}; x_t; 1], h_0 filled in (the loop writes h_t into hx[t + 1, :H]).
    `scale` holds one exact factor per gate block."""
    T, N, D = x_tm.shape
    H = layer.units
    Ms = (M * np.repeat(np.array(scale, dtype=layer.dtype), H)).T.copy()  # (gH, K)
    hx = layer._buffer("hx", (T + 1, Ms.shape[1], N))  # (T + 1, K, N)
    hx[:T, H:H + D] = x_tm.transpose(0, 2, 1)  # (T, D, N)  x_t
    hx[:T, H + D:] = 1.0  # (T, 1, N)  the bias row (absent without bias)
    hx[T, H:] = 0.0
    hx[0, :H] = h0.T  # (H, N)
    return Ms, hx


# ---- LSTM ------------------------------------------------------------------------------

def lstm_stacked_weights(layer):
    """M = [W; U; b] (K, 4H), K = H + D + 1 (H + D without bias): hx_t^T M = h_{t-1} W + x_t U + b."""
    parts = [layer.params["recurrent_kernel"], layer.params["kernel"]]
    if layer.use_bias:
        parts.append(layer.params["bias"][None, :])
    return np.concatenate(parts, axis=0)


def lstm_forward(layer, x_tm, states):
    """`lstm_step_forward` for all T steps, transposed: one matmul Ms hx_t per step with
    Ms = (M * [S, S, 2S, S])^T gives S a_i, S a_f, 2S a_g, S a_o (S = exp_scale: -1 in float64)."""
    T, N, D = x_tm.shape
    H, buf = layer.units, layer._buffer
    S = exp_scale(layer.dtype)
    Ms, hx = stacked_steps(layer, lstm_stacked_weights(layer), x_tm, states[0], [S, S, 2 * S, S])  # (4H, K), hx
    cs = buf("cs", (T + 1, H, N))  # (T + 1, H, N)  c_t^T
    act_c, g_all = buf("act_c", (T, H, N)), buf("g", (T, H, N))  # (T, H, N)  tanh(c_t), g
    sig = buf("sig", (T, 4 * H, N))  # (T, 4H, N)  i, f, sigma(2 a_g), o
    ig = buf("ig", (H, N))  # (H, N) scratch
    cs[0] = states[1].T
    for t in range(T):
        s = np.dot(Ms, hx[t], out=sig[t])  # (4H, N)  S a: one matmul for the four gates, x U + b included
        sigmoid_in_place(s)  # (4H, N)  i, f, sigma(2 a_g), o: one pass
        g = np.multiply(s[2 * H:3 * H], 2.0, out=g_all[t])  # (H, N)
        g -= 1.0  # (H, N)  g = tanh(a_g) = 2 sigma(2 a_g) - 1
        c = np.multiply(s[H:2 * H], cs[t], out=cs[t + 1])  # (H, N)  f c_{t-1}
        c += np.multiply(s[:H], g, out=ig)  # (H, N)  + i g
        a = tanh_into(c, out=act_c[t])  # (H, N)  tanh(c)
        np.multiply(s[3 * H:], a, out=hx[t + 1, :H])  # (H, N)  h = o tanh(c)
    hs = hx[:, :H].transpose(0, 2, 1)  # (T + 1, N, H) view, what the base class expects
    return hs, [hs[-1], cs[-1].T], (hx, cs, act_c, sig, g_all)


def lstm_backward(layer, cache, dy_tm, dstates):
    """`lstm_step_backward` for all T steps, transposed; tanh'(a_g) = 1 - g^2 = 4 s (1 - s) with
    s = sigma(2 a_g). dM^T += dA_t hx_t^T gives dW, dU and db in one product per step, and
    [W; U] dA_t gives dh_{t-1} and dx_t together. Returns dx (T, N, D), [dh_0, dc_0], grads."""
    hx, cs, act_c, sig, g_all = cache
    T1, K, N = hx.shape
    T, H, buf = T1 - 1, layer.units, layer._buffer
    D = layer.params["kernel"].shape[0]
    WU = lstm_stacked_weights(layer)[:H + D]  # (H + D, 4H)  [W; U]
    dA, sd = buf("d", (4 * H, N)), buf("sd", (4 * H, N))  # (4H, N)  one step's dA; sigma'(a) of every block
    q, prod = buf("q", (H, N)), buf("prod", (4 * H, K))
    dMT = np.zeros((4 * H, K), layer.dtype)  # (4H, K)  [dW; dU; db]^T
    dhx = buf("dhx", (H + D, N))  # (H + D, N)  [dh_{t-1}; dx_t]^T
    dxT = np.empty((T, D, N), layer.dtype)  # (T, D, N)
    dh, dc = dhx[:H], dstates[1].T.copy()  # (H, N) each, updated in place
    dh[...] = dstates[0].T
    for t in range(T - 1, -1, -1):
        if dy_tm is not None:
            dh += dy_tm[t].T  # (H, N)  dL/dh_t: from the output and from step t + 1
        s, ac = sig[t], act_c[t]
        np.subtract(1.0, s, out=sd)
        sd *= s  # (4H, N)  s (1 - s)
        sd[2 * H:3 * H] *= 4.0  # (H, N)  tanh'(a_g)
        np.multiply(ac, ac, out=q)
        np.subtract(1.0, q, out=q)
        q *= s[3 * H:]
        q *= dh  # (H, N)  dh o tanh'(c)
        dc += q  # (H, N)  dc_t
        np.multiply(sd[:3 * H].reshape(3, H, N), dc, out=dA[:3 * H].reshape(3, H, N))  # i, f, g act through c_t
        np.multiply(sd[3 * H:], dh, out=dA[3 * H:])  # (H, N)  o acts through h_t
        dA[:H] *= g_all[t]  # (H, N)  each gate's partner: g, c_{t-1}, i, tanh(c)
        dA[H:2 * H] *= cs[t]
        dA[2 * H:3 * H] *= s[:H]
        dA[3 * H:] *= ac
        dMT += np.dot(dA, hx[t].T, out=prod)  # (4H, K)  dM^T += dA_t hx_t^T
        np.dot(WU, dA, out=dhx)  # (H + D, N)  [dh_{t-1}; dx_t]^T
        dxT[t] = dhx[H:]
        dc *= s[H:2 * H]  # (H, N)  dc_{t-1} = dc_t f
    grads = {"recurrent_kernel": dMT[:, :H].T, "kernel": dMT[:, H:H + D].T}  # (H, 4H), (D, 4H)
    if layer.use_bias:
        grads["bias"] = dMT[:, H + D]  # (4H,)
    return dxT.transpose(0, 2, 1), [np.ascontiguousarray(dh.T), np.ascontiguousarray(dc.T)], grads


# ---- GRU: reset_after True (Keras's default) and False ----------------------------------

def gru_stacked_weights(layer):
    """M (K, 4H) with hx_t^T M = [a_z, a_r, u_h, xw_h] (K = H + D + 1, or H + D without bias):
    the z and r columns take W, U and both biases; u_h = h W_h + b_rec_h and xw_h = x U_h + b_h
    get a column block each, because r multiplies u_h alone.
    reset_after=False: M (K, 3H) with hx_t^T M = [a_z, a_r, xw_h] ((r h) W_h is a second product)."""
    H, W, U = layer.units, layer.params["recurrent_kernel"], layer.params["kernel"]
    D = U.shape[0]
    K = H + D + (1 if layer.use_bias else 0)
    if not layer.reset_after:
        M = np.zeros((K, 3 * H), dtype=layer.dtype)  # (K, 3H)
        M[:H, :2 * H] = W[:, :2 * H]  # (H, 2H)  z, r
        M[H:H + D] = U  # (D, 3H)
        if layer.use_bias:
            M[-1] = layer.params["bias"]
        return M
    M = np.zeros((K, 4 * H), dtype=layer.dtype)  # (K, 4H)
    M[:H, :3 * H] = W  # (H, 3H)  z, r, u_h
    M[H:H + D, :2 * H] = U[:, :2 * H]  # (D, 2H)  z, r
    M[H:H + D, 3 * H:] = U[:, 2 * H:]  # (D, H)  xw_h
    if layer.use_bias:
        b_in, b_rec = layer.params["bias"]  # (3H,) each
        M[-1, :2 * H] = b_in[:2 * H] + b_rec[:2 * H]
        M[-1, 2 * H:3 * H] = b_rec[2 * H:]
        M[-1, 3 * H:] = b_in[2 * H:]
    return M


def gru_forward(layer, x_tm, states):
    if layer.reset_after:
        return gru_forward_reset_after(layer, x_tm, states)
    return gru_forward_reset_before(layer, x_tm, states)


def gru_backward(layer, cache, dy_tm, dstates):
    if layer.reset_after:
        return gru_backward_reset_after(layer, cache, dy_tm, dstates)
    return gru_backward_reset_before(layer, cache, dy_tm, dstates)


def gru_forward_reset_before(layer, x_tm, states):
    """`gru_step_forward` (reset_after=False) transposed: Ms hx_t with the exact scale [S, S, 2S]
    gives S a_z, S a_r and 2S xw_h; then 2S (r h_{t-1}) W_h is added (S = exp_scale)."""
    T, N, D = x_tm.shape
    H, buf = layer.units, layer._buffer
    S = exp_scale(layer.dtype)
    Ms, hx = stacked_steps(layer, gru_stacked_weights(layer), x_tm, states[0], [S, S, 2 * S])  # (3H, K), (T + 1, K, N)
    Wh_T = (layer.params["recurrent_kernel"][:, 2 * H:] * (2 * S)).T.copy()  # (H, H)  (2S W_h)^T
    pre, m_all, hh_all = buf("pre", (T, 3 * H, N)), buf("m", (T, H, N)), buf("hh", (T, H, N))
    for t in range(T):
        p = np.dot(Ms, hx[t], out=pre[t])  # (3H, N)  S a_z, S a_r, 2S xw_h
        zr = p[:2 * H]
        sigmoid_in_place(zr)  # (2H, N)  z, r
        m = np.multiply(zr[H:], hx[t, :H], out=m_all[t])  # (H, N)  r h_{t-1}, reset before the product
        hh = np.dot(Wh_T, m, out=hh_all[t])  # (H, N)  2S (r h_{t-1}) W_h
        hh += p[2 * H:]  # (H, N)  2S a_h
        tanh_in_place(hh)  # (H, N)  hh = tanh(a_h)
        gru_mix(zr[:H], hx[t, :H], hh, out=hx[t + 1, :H])  # (H, N)  h_t = z h_{t-1} + (1 - z) hh
    hs = hx[:, :H].transpose(0, 2, 1)  # (T + 1, N, H) view
    return hs, [hs[-1]], (hx, pre, m_all, hh_all)


def gru_backward_reset_before(layer, cache, dy_tm, dstates):
    """`gru_step_backward` (reset_after=False) transposed. Per step dA = [da_z, da_r, da_h] (3H, N),
    dm = W_h da_h; dM^T += dA hx_t^T (its W_h block is replaced by sum_t da_h m_t^T) and
    [dh_{t-1} - z dh - r dm; dx_t] = [W; U] dA."""
    hx, pre, m_all, hh_all = cache
    T1, K, N = hx.shape
    T, H, buf = T1 - 1, layer.units, layer._buffer
    D = layer.params["kernel"].shape[0]
    WU = gru_stacked_weights(layer)[:H + D]  # (H + D, 3H)
    Wh = layer.params["recurrent_kernel"][:, 2 * H:].copy()  # (H, H)
    dA, prod = buf("d", (3 * H, N)), buf("prod", (3 * H, K))  # (3H, N), (3H, K)
    omz, dm, dhx = buf("omz", (H, N)), buf("dm", (H, N)), buf("dhx", (H + D, N))
    prod_h = buf("prod_h", (H, H))
    dMT, dWh_T = np.zeros((3 * H, K), layer.dtype), np.zeros((H, H), layer.dtype)  # (3H, K), (H, H)
    dxT = np.empty((T, D, N), layer.dtype)  # (T, D, N)
    dh = dstates[0].T.copy()  # (H, N)
    for t in range(T - 1, -1, -1):
        if dy_tm is not None:
            dh += dy_tm[t].T  # (H, N)
        z, r, hh, h_prev = pre[t, :H], pre[t, H:2 * H], hh_all[t], hx[t, :H]
        np.subtract(1.0, z, out=omz)  # (H, N)  1 - z
        da_h = np.multiply(hh, hh, out=dA[2 * H:])
        np.subtract(1.0, da_h, out=da_h)
        da_h *= omz
        da_h *= dh  # (H, N)  dh (1 - z) tanh'(hh)
        np.dot(Wh, da_h, out=dm)  # (H, N)  back through (r h_{t-1}) W_h
        da_r = np.subtract(1.0, r, out=dA[H:2 * H])
        da_r *= r
        da_r *= h_prev
        da_r *= dm  # (H, N)  dm h_{t-1} sigma'(a_r)
        da_z = np.subtract(h_prev, hh, out=dA[:H])
        da_z *= z
        da_z *= omz
        da_z *= dh  # (H, N)  dh (h_{t-1} - hh) sigma'(a_z)
        dMT += np.dot(dA, hx[t].T, out=prod)  # (3H, K)
        dWh_T += np.dot(da_h, m_all[t].T, out=prod_h)  # (H, H)
        np.dot(WU, dA, out=dhx)  # (H + D, N)
        dh *= z  # (H, N)  the direct path h_t <- z h_{t-1}
        dm *= r
        dh += dm  # (H, N)  through r h_{t-1}
        dh += dhx[:H]  # (H, N)  dh_{t-1}
        dxT[t] = dhx[H:]  # (D, N)
    dW = np.concatenate([dMT[:2 * H, :H].T, dWh_T.T], axis=1)  # (H, 3H)
    grads = {"recurrent_kernel": dW, "kernel": dMT[:, H:H + D].T}  # (D, 3H)
    if layer.use_bias:
        grads["bias"] = dMT[:, -1]  # (3H,)
    return dxT.transpose(0, 2, 1), [np.ascontiguousarray(dh.T)], grads


def gru_forward_reset_after(layer, x_tm, states):
    """`gru_step_forward` (reset_after) transposed: Ms hx_t with the exact column scale
    [S, S, 2S, 2S] gives S a_z, S a_r, 2S u_h and 2S xw_h (S = exp_scale: -1 in float64)."""
    T, N, D = x_tm.shape
    H, buf = layer.units, layer._buffer
    S = exp_scale(layer.dtype)
    Ms, hx = stacked_steps(layer, gru_stacked_weights(layer), x_tm, states[0], [S, S, 2 * S, 2 * S])  # (4H, K)
    pre, hh_all = buf("pre", (T, 4 * H, N)), buf("hh", (T, H, N))  # [z, r, 2S u_h, 2S xw_h]; candidate
    for t in range(T):
        p = np.dot(Ms, hx[t], out=pre[t])  # (4H, N)  one matmul: x U + b included
        zr = p[:2 * H]  # (2H, N)  S [a_z, a_r]
        sigmoid_in_place(zr)  # (2H, N)  z, r
        hh = np.multiply(zr[H:], p[2 * H:3 * H], out=hh_all[t])  # (H, N)  2S r u_h
        hh += p[3 * H:]  # (H, N)  2S a_h
        tanh_in_place(hh)  # (H, N)  hh = tanh(a_h)
        gru_mix(zr[:H], hx[t, :H], hh, out=hx[t + 1, :H])  # (H, N)  h_t = z h_{t-1} + (1 - z) hh
    hs = hx[:, :H].transpose(0, 2, 1)  # (T + 1, N, H) view
    return hs, [hs[-1]], (hx, pre, hh_all)


def gru_backward_reset_after(layer, cache, dy_tm, dstates):
    """`gru_step_backward` (reset_after) transposed. Per step dA = [da_z, da_r, du_h, da_h] (4H, N);
    dM^T += dA hx_t^T and [dh_{t-1} - z dh; dx_t] = [W; U] dA."""
    hx, pre, hh_all = cache
    T1, K, N = hx.shape
    T, H, buf = T1 - 1, layer.units, layer._buffer
    D = layer.params["kernel"].shape[0]
    WU = gru_stacked_weights(layer)[:H + D]  # (H + D, 4H)
    dA, prod = buf("d", (4 * H, N)), buf("prod", (4 * H, K))  # (4H, N), (4H, K)
    omz, q, dhx = buf("omz", (H, N)), buf("q", (H, N)), buf("dhx", (H + D, N))
    dMT = np.zeros((4 * H, K), layer.dtype)  # (4H, K)
    dxT = np.empty((T, D, N), layer.dtype)  # (T, D, N)
    dh = dstates[0].T.copy()  # (H, N)
    for t in range(T - 1, -1, -1):
        if dy_tm is not None:
            dh += dy_tm[t].T  # (H, N)
        z, r, hh = pre[t, :H], pre[t, H:2 * H], hh_all[t]
        np.subtract(1.0, z, out=omz)  # (H, N)  1 - z
        da_h = np.multiply(hh, hh, out=dA[3 * H:])
        np.subtract(1.0, da_h, out=da_h)
        da_h *= omz
        da_h *= dh  # (H, N)  dh (1 - z) tanh'(hh)
        np.multiply(da_h, r, out=dA[2 * H:3 * H])  # (H, N)  du_h: r multiplies u_h
        np.subtract(r, 1.0, out=q)
        q *= r  # (H, N)  -sigma'(a_r)
        q *= pre[t, 2 * H:3 * H]  # (H, N)  times 2S u_h
        q *= -0.5 / exp_scale(layer.dtype)
        np.multiply(q, da_h, out=dA[H:2 * H])  # (H, N)  da_r = da_h u_h sigma'(a_r)
        da_z = np.subtract(hx[t, :H], hh, out=dA[:H])
        da_z *= z
        da_z *= omz
        da_z *= dh  # (H, N)  dh (h_{t-1} - hh) sigma'(a_z)
        dMT += np.dot(dA, hx[t].T, out=prod)  # (4H, K)
        np.dot(WU, dA, out=dhx)  # (H + D, N)
        dh *= z  # (H, N)  the direct path h_t <- z h_{t-1}
        dh += dhx[:H]  # (H, N)  dh_{t-1}
        dxT[t] = dhx[H:]  # (D, N)
    dU = np.concatenate([dMT[:2 * H, H:H + D].T, dMT[3 * H:, H:H + D].T], axis=1)  # (D, 3H)
    grads = {"recurrent_kernel": dMT[:3 * H, :H].T, "kernel": dU}  # (H, 3H), (D, 3H)
    if layer.use_bias:
        db = dMT[:, -1]  # (4H,)  [z, r, u_h, xw_h]
        grads["bias"] = np.stack([np.concatenate([db[:2 * H], db[3 * H:]]),  # input row
                                  np.concatenate([db[:2 * H], db[2 * H:3 * H]])])  # recurrent row
    return dxT.transpose(0, 2, 1), [np.ascontiguousarray(dh.T)], grads
