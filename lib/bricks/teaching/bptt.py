"""Backpropagation through time for an RNN with a loss at every step (chapter 9).

The network of source 3 (the LSTM forum post) and Goodfellow et al. (section 10.2.2), in their letters:
U input -> hidden, W hidden -> hidden, V hidden -> output. Row vectors, batch first
(N sequences, T steps, D features, H hidden units, K classes):

    a_t = x_t U + h_{t-1} W + b          (N, H)   pre-activation
    h_t = tanh(a_t)                       (N, H)   hidden state, h_0 given
    o_t = h_t V + b_o                       (N, K)   output logits at every step
    p_t = softmax(o_t)                    (N, K)
    L   = (1/N) sum_n sum_t L_t,   L_t = -sum_k y_tk log p_tk   (cross-entropy per step)

Backward, from t = T down to 1 (dh_t = dL/dh_t is the *total* gradient at h_t):

    do_t    = (p_t - y_t) / N                                  the output's error
    dh_t    = do_t V^T + da_{t+1} W^T     (da_{T+1} = 0)       two paths: via o_t and via h_{t+1}
    da_t    = dh_t * (1 - h_t^2)                               through tanh
    dV = sum_t h_t^T do_t     db_o = sum_t sum_n do_t
    dU = sum_t x_t^T da_t     dW = sum_t h_{t-1}^T da_t     db = sum_t sum_n da_t
    dx_t = da_t U^T           dh_0 = da_1 W^T

Unrolled, the recursion is a sum over every loss L_t and every earlier step k of a
product of Jacobians dh_j/dh_{j-1} = diag(1 - h_j^2) W^T (the repeated W products
through which gradients vanish or explode):

    dL/dW = sum_t sum_{k<=t} h_{k-1}^T [ (dL_t/dh_t) J_t J_{t-1} ... J_{k+1} * (1 - h_k^2) ],
    g J_j = (g * (1 - h_j^2)) W^T.

`rnn_backward` computes the recursion; `dW_by_paths` the double sum, one (t, k) term at a
time, so a test (and chapter 9) can check that they agree and see each term's size.

Keras names: SimpleRNN kernel = U (D, H), recurrent_kernel = W (H, H), bias = b; the
Dense on every step: kernel = V (H, K), bias = b_o.

    >>> import numpy as np
    >>> params = init_params(D=2, H=3, K=2, seed=0)
    >>> x = np.random.default_rng(1).standard_normal((4, 5, 2))
    >>> y = np.eye(2)[np.random.default_rng(2).integers(0, 2, (4, 5))]
    >>> loss, cache = rnn_forward(x, y, params)
    >>> grads = rnn_backward(cache)
    >>> sorted(grads), grads["W"].shape
    (['U', 'V', 'W', 'b', 'b_o', 'h0', 'x'], (3, 3))
"""
import numpy as np

from bricks import errors

__all__ = ["init_params", "rnn_forward", "rnn_backward", "dW_by_paths", "KERAS_NAMES"]

KERAS_NAMES = {
    "U": ("SimpleRNN", "kernel", "(D, H)", "input -> hidden"),
    "W": ("SimpleRNN", "recurrent_kernel", "(H, H)", "hidden -> hidden"),
    "b": ("SimpleRNN", "bias", "(H,)", "hidden bias"),
    "V": ("Dense", "kernel", "(H, K)", "hidden -> output"),
    "b_o": ("Dense", "bias", "(K,)", "output bias"),
}


def init_params(D, H, K, seed=0, scale=0.5):
    """Random U (D, H), W (H, H), b (H,), V (H, K), b_o (K,): normal entries times `scale`."""
    rng = np.random.default_rng(seed)
    shapes = {"U": (D, H), "W": (H, H), "b": (H,), "V": (H, K), "b_o": (K,)}
    return {k: scale * rng.standard_normal(s) for k, s in shapes.items()}


def _softmax(o):
    e = np.exp(o - o.max(axis=-1, keepdims=True))  # (N, K) shifted: no overflow
    return e / e.sum(axis=-1, keepdims=True)


def rnn_forward(x, y, params, h0=None):
    """The loss L = (1/N) sum_n sum_t L_t and the cache `rnn_backward` needs.

    x (N, T, D) inputs, y (N, T, K) one-hot targets, params from `init_params`,
    h0 (N, H) initial state (zeros if None).
    """
    U, W, b, V, b_o = (params[k] for k in ("U", "W", "b", "V", "b_o"))
    x = np.asarray(x, dtype=float)
    if x.ndim != 3 or x.shape[2] != U.shape[0]:
        errors.fail("rnn_forward", f"x of shape (N, T, {U.shape[0]})", **{"x.shape": x.shape})
    if np.shape(y) != x.shape[:2] + (V.shape[1],):
        errors.fail("rnn_forward", f"y of shape {x.shape[:2] + (V.shape[1],)}",
                    **{"y.shape": np.shape(y)})
    N, T, _ = x.shape
    h = [np.zeros((N, W.shape[0])) if h0 is None else np.asarray(h0, dtype=float)]
    p = []
    for t in range(T):
        h.append(np.tanh(x[:, t] @ U + h[-1] @ W + b))  # (N, H)
        p.append(_softmax(h[-1] @ V + b_o))            # (N, K)
    h, p = np.stack(h, axis=1), np.stack(p, axis=1)     # (N, T+1, H), (N, T, K)
    loss = -np.sum(y * np.log(p)) / N
    return float(loss), dict(x=x, y=np.asarray(y, dtype=float), h=h, p=p, params=params)


def rnn_backward(cache):
    """Every gradient of L by the recursion: dict U, W, b, V, b_o, x, h0."""
    x, y, h, p = cache["x"], cache["y"], cache["h"], cache["p"]
    U, W, V = (cache["params"][k] for k in ("U", "W", "V"))
    N, T, _ = x.shape
    do = (p - y) / N                                     # (N, T, K) dL/do_t
    g = {k: np.zeros_like(v) for k, v in cache["params"].items()}
    g["x"] = np.zeros_like(x)
    da_next = np.zeros((N, W.shape[0]))                  # da_{T+1} = 0
    for t in range(T - 1, -1, -1):                       # step t + 1 in the math's numbering
        dh = do[:, t] @ V.T + da_next @ W.T              # (N, H) dL/dh_t: both paths
        da = dh * (1 - h[:, t + 1] ** 2)                 # (N, H) through tanh
        g["V"] += h[:, t + 1].T @ do[:, t]               # (H, K)
        g["b_o"] += do[:, t].sum(axis=0)                 # (K,)
        g["U"] += x[:, t].T @ da                         # (D, H)
        g["W"] += h[:, t].T @ da                         # (H, H) h_{t-1}^T da_t
        g["b"] += da.sum(axis=0)                         # (H,)
        g["x"][:, t] = da @ U.T                          # (N, D)
        da_next = da
    g["h0"] = da_next @ W.T                              # (N, H)
    return g


def dW_by_paths(cache):
    """dL/dW as the double sum over losses t and earlier steps k (the unrolled recursion).

    Returns (dW, sizes): dW (H, H) equals `rnn_backward(cache)["W"]`; sizes[t, k] is the
    Frobenius norm of the (t, k) term, the part of dL_t/dW that travels t - k steps
    back through the W products (0 for k > t). Steps are numbered 0 .. T-1.
    """
    x, y, h, p = cache["x"], cache["y"], cache["h"], cache["p"]
    W, V = cache["params"]["W"], cache["params"]["V"]
    N, T, _ = x.shape
    dW, sizes = np.zeros_like(W), np.zeros((T, T))
    for t in range(T):
        grad_h = ((p[:, t] - y[:, t]) / N) @ V.T         # (N, H) dL_t/dh_t, the direct part
        for k in range(t, -1, -1):                       # walk back from h_t to h_k
            da = grad_h * (1 - h[:, k + 1] ** 2)         # (N, H) dL_t/da_k
            term = h[:, k].T @ da                        # (H, H) h_{k-1}^T dL_t/da_k
            dW += term
            sizes[t, k] = np.linalg.norm(term)
            grad_h = da @ W.T                            # one Jacobian J_k further back
    return dW, sizes
