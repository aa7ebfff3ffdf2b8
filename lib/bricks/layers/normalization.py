"""BatchNormalization and LayerNormalization: rescale activations to mean 0, variance 1.

Both layers compute  x_hat = (x - mu) / sqrt(var + eps)  and output
y = gamma * x_hat + beta. They differ in *which* numbers share mu and var:

- BatchNormalization: one mu and var per channel, over the batch (and every
  other axis but `axis`). In training the batch's own statistics are used and
  running averages are updated; at inference those running averages are used.
- LayerNormalization: one mu and var per sample, over the feature axis. No
  batch statistics, so training and inference are the same function.

The letters in shape comments: N batch, C channels (the normalized axis of
BatchNormalization), m the number of values sharing one mean.
"""
import numpy as np

from bricks import errors, initializers, regularizers
from bricks.layers.base import LAYERS, Layer

__all__ = ["BatchNormalization", "LayerNormalization", "batchnorm_forward", "batchnorm_backward",
           "batchnorm_backward_compact", "layernorm_forward", "layernorm_backward"]


# ---- the pure functions ------------------------------------------------------
def _sum(a, axes):
    """`a.sum(axis=axes, keepdims=True)`, through einsum: numpy's reduction is 2-4x slower over
    several axes or one short axis (both common here), einsum's plain loop is not."""
    letters = "abcdefgh"[:a.ndim]
    kept = "".join(c for i, c in enumerate(letters) if i not in axes)
    shape = [1 if i in axes else n for i, n in enumerate(a.shape)]  # keepdims
    return np.einsum(f"{letters}->{kept}", a).reshape(shape)


def batchnorm_forward(x, gamma, beta, epsilon=1e-3, axis=-1):
    """Batch normalization in training mode, step by step (each step undone in backward).

    Args:
        x: (N, ..., C) input; `axis` marks C, every other axis is averaged over.
        gamma, beta: (C,) scale and offset.
    Returns:
        out shaped like x, and the cache (a dict) that `batchnorm_backward` needs;
        cache["mean"] and cache["var"] are the batch statistics, shape (C,).
    """
    axis = axis % x.ndim
    axes = tuple(i for i in range(x.ndim) if i != axis)  # the axes averaged over
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]  # (1, ..., C): broadcasts per channel
    m = x.size // x.shape[axis]  # values per channel
    mu = _sum(x, axes) / m  # (1, ..., C)                   step 1: mean
    xmu = x - mu  # (N, ..., C)                             step 2
    sq = xmu ** 2  # (N, ..., C)                            step 3
    var = _sum(sq, axes) / m  # (1, ..., C)                 step 4: biased variance, as Keras
    std = np.sqrt(var + epsilon)  # (1, ..., C)             step 5
    istd = 1.0 / std  # (1, ..., C)                         step 6
    xhat = xmu * istd  # (N, ..., C)                        step 7
    g = gamma.reshape(shape)  # (1, ..., C)
    out = g * xhat + beta.reshape(shape)  # (N, ..., C)     step 8
    cache = {"xhat": xhat, "xmu": xmu, "std": std, "istd": istd, "gamma": g, "axes": axes,
             "mean": mu.reshape(-1), "var": var.reshape(-1)}
    return out, cache


def batchnorm_backward(dout, cache):
    """Backward of `batchnorm_forward`, undoing its steps 8 to 1 one at a time.

    Returns (dx, dgamma, dbeta); dgamma and dbeta have shape (C,).
    """
    xhat, xmu, std, istd, g, axes = (cache[k] for k in ("xhat", "xmu", "std", "istd", "gamma", "axes"))
    m = dout.size // g.size  # values per channel
    # step 8: out = g * xhat + beta
    dbeta = _sum(dout, axes).reshape(-1)  # (C,)
    dgamma = _sum(dout * xhat, axes).reshape(-1)  # (C,)
    dxhat = dout * g  # (N, ..., C)
    # step 7: xhat = xmu * istd   (xmu reaches out twice: here and through var)
    distd = _sum(dxhat * xmu, axes)  # (1, ..., C)
    dxmu1 = dxhat * istd  # (N, ..., C)
    # step 6: istd = 1 / std
    dstd = -distd / std ** 2  # (1, ..., C)
    # step 5: std = sqrt(var + eps)
    dvar = 0.5 * dstd / std  # (1, ..., C)
    # step 4: var = mean(sq)
    dsq = np.broadcast_to(dvar / m, dout.shape)  # (N, ..., C)
    # step 3: sq = xmu ** 2
    dxmu2 = 2.0 * xmu * dsq  # (N, ..., C)
    # step 2: xmu = x - mu   (x reaches out twice: directly and through mu)
    dx1 = dxmu1 + dxmu2  # (N, ..., C)
    dmu = -_sum(dx1, axes)  # (1, ..., C)
    # step 1: mu = mean(x)
    dx2 = np.broadcast_to(dmu / m, dout.shape)  # (N, ..., C)
    return dx1 + dx2, dgamma, dbeta


def batchnorm_backward_compact(dout, cache):
    """The same gradient in one line, the steps above simplified on paper:

        dx = istd / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))
    """
    xhat, istd, g, axes = cache["xhat"], cache["istd"], cache["gamma"], cache["axes"]
    m = dout.size // g.size
    dbeta = _sum(dout, axes).reshape(-1)  # (C,)
    dgamma = _sum(dout * xhat, axes).reshape(-1)  # (C,)
    dxhat = dout * g  # (N, ..., C)
    dx = istd / m * (m * dxhat - _sum(dxhat, axes) - xhat * _sum(dxhat * xhat, axes))  # (N, ..., C)
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, epsilon=1e-3, axis=(-1,)):
    """Layer normalization: statistics per sample over `axis` (a tuple of axes).

    Args:
        x: (N, ..., D) input; gamma, beta: shaped like x's `axis` dimensions, e.g. (D,).
    Returns:
        out shaped like x, and the cache for `layernorm_backward`.
    """
    axes = tuple(sorted(a % x.ndim for a in axis))  # e.g. (ndim - 1,)
    shape = [x.shape[i] if i in axes else 1 for i in range(x.ndim)]  # (1, ..., D)
    m = int(np.prod([x.shape[a] for a in axes]))  # values per sample
    xmu = x - _sum(x, axes) / m  # (N, ..., D)
    var = _sum(xmu * xmu, axes) / m  # (N, ..., 1), biased
    istd = 1.0 / np.sqrt(var + epsilon)  # (N, ..., 1)
    xhat = xmu * istd  # (N, ..., D)
    g = gamma.reshape(shape)  # (1, ..., D)
    out = g * xhat + beta.reshape(shape)  # (N, ..., D)
    other = tuple(i for i in range(x.ndim) if i not in axes)  # batch-like axes, summed for dgamma
    return out, {"xhat": xhat, "istd": istd, "gamma": g, "axes": axes, "other": other}


def layernorm_backward(dout, cache):
    """Backward of `layernorm_forward`: batch norm's compact formula with the roles of axes swapped.

        dx = istd / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)),  sums over `axis`
    """
    xhat, istd, g, axes, other = (cache[k] for k in ("xhat", "istd", "gamma", "axes", "other"))
    m = g.size  # values per sample
    dgamma = _sum(dout * xhat, other).reshape(-1)  # (D,) then reshaped by the caller
    dbeta = _sum(dout, other).reshape(-1)  # (D,)
    dxhat = dout * g  # (N, ..., D)
    dx = istd / m * (m * dxhat - _sum(dxhat, axes) - xhat * _sum(dxhat * xhat, axes))  # (N, ..., D)
    return dx, dgamma, dbeta


# ---- the layers -----------------------------------------------------------------
class _Normalization(Layer):
    """Shared: the gamma/beta weights, config, rank checks."""

    input_rank = (2, 3, 4, 5)
    layout = "(batch, ..., features)"

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = errors.check_number(self, "epsilon", epsilon, 0, None, "()")
        self.axis, self.center, self.scale = axis, center, scale
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        initializers.get(beta_initializer), initializers.get(gamma_initializer)  # a bad name fails now
        self.beta_regularizer, self.gamma_regularizer = (None if r is None else regularizers.get(r)
                                                         for r in (beta_regularizer, gamma_regularizer))

    def _axes(self, ndim):
        """The configured axis (or axes) as non-negative ints, or a ValueError."""
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                errors.fail(self, f"axis within the input's {ndim} dimensions", axis=self.axis,
                            **{"input_shape": self.input_shape})
        return tuple(sorted(a % ndim for a in axes))

    def _add_gamma_beta(self, shape):
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer, self.gamma_regularizer)
        if self.center:
            self.add_weight("beta", shape, self.beta_initializer, self.beta_regularizer)

    def _gamma_beta(self, shape):
        gamma = self.params["gamma"] if self.scale else np.ones(shape, self.dtype)
        beta = self.params["beta"] if self.center else np.zeros(shape, self.dtype)
        return gamma, beta

    def _store_grads(self, dgamma, dbeta):
        if self.scale:
            self.grads["gamma"][...] = dgamma.reshape(self.grads["gamma"].shape)
        if self.center:
            self.grads["beta"][...] = dbeta.reshape(self.grads["beta"].shape)

    def check_input(self, x):
        if x.ndim != len(self.input_shape):
            errors.fail(self, f"input of rank {len(self.input_shape)} (the rank it was built for)",
                        **{"x.shape": tuple(x.shape)})
        for a in self.axes:
            errors.check_axis(self, x, a, self.input_shape[a], "normalized axis")

    def get_config(self):
        config = super().get_config()
        config.update(axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
                      beta_initializer=initializers.serialize(self.beta_initializer),
                      gamma_initializer=initializers.serialize(self.gamma_initializer),
                      beta_regularizer=regularizers.serialize(self.beta_regularizer),
                      gamma_regularizer=regularizers.serialize(self.gamma_regularizer))
        return config


@LAYERS.register
class BatchNormalization(_Normalization):
    """Normalize each channel with batch statistics in training, moving averages at inference.

    training=True:   mu, var = mean and (biased) variance of x over every axis but `axis`,
                     y = gamma * (x - mu) / sqrt(var + eps) + beta, and
                     moving_mean <- momentum * moving_mean + (1 - momentum) * mu (same for var).
    training=False:  y = gamma * (x - moving_mean) / sqrt(moving_variance + eps) + beta.
    Backward (training): with xhat = (x - mu) / sqrt(var + eps), dxhat = dy * gamma and sums over
    the m values of a channel, dx = (m dxhat - sum dxhat - xhat sum(dxhat xhat)) / (m sqrt(var + eps)).
    Backward (inference): an affine map, dx = dy * gamma / sqrt(moving_variance + eps).
    Always dgamma = sum(dy * xhat), dbeta = sum(dy). As in Keras, a layer with trainable=False
    runs in inference mode even when training=True.

    Args:
        axis: the channel axis (default -1, channels last).
        momentum, epsilon: as Keras (0.99, 1e-3).
        center, scale: whether to learn beta and gamma.
        *_initializer, *_regularizer: as Keras.
    Input shape: any rank 2 to 5, e.g. (N, C), (N, T, C), (N, H, W, C).
    Output shape: same as input.
    Weights: gamma (C,), beta (C,) trainable; moving_mean (C,), moving_variance (C,) not.

    Example:
        >>> bn = BatchNormalization()
        >>> y = bn(np.random.default_rng(0).normal(3, 2, (32, 4)), training=True)
        >>> bool(np.abs(y.mean(0)).max() < 1e-6), y.std(0).round(2)   # each feature: mean 0, std 1
        (True, array([1., 1., 1., 1.]))
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None, **kwargs):
        if not isinstance(axis, int):
            errors.fail(kwargs.get("name", "batch_normalization"), "an integer axis", axis=axis)
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)
        self.momentum = errors.check_number(self, "momentum", momentum, 0, 1, "[)")
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer

    def build(self, input_shape):
        super().build(input_shape)
        self.axes = self._axes(len(input_shape))
        channels = input_shape[self.axes[0]]
        if channels is None:
            errors.fail(self, "a known size on the normalized axis", input_shape=tuple(input_shape))
        self._add_gamma_beta((channels,))
        self.add_weight("moving_mean", (channels,), self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", (channels,), self.moving_variance_initializer, trainable=False)

    def forward(self, x, training=False):
        x = self._prepare(x)  # (N, ..., C)
        c = self.input_shape[self.axes[0]]
        gamma, beta = self._gamma_beta((c,))  # (C,), (C,)
        if training and self.trainable:
            if x.size == 0:
                errors.fail(self, "a non-empty batch in training (the batch statistics of no sample "
                            "are undefined)", **{"x.shape": tuple(x.shape)})
            out, cache = batchnorm_forward(x, gamma, beta, self.epsilon, self.axes[0])
            for key, batch in (("moving_mean", cache["mean"]), ("moving_variance", cache["var"])):
                moving = self.state[key]  # (C,), updated in place
                moving[...] = self.momentum * moving + (1.0 - self.momentum) * batch
            return self._keep(("train", cache), out)
        shape = [1] * x.ndim
        shape[self.axes[0]] = c  # (1, ..., C)
        istd = 1.0 / np.sqrt(self.state["moving_variance"] + self.epsilon)  # (C,)
        xhat = (x - self.state["moving_mean"].reshape(shape)) * istd.reshape(shape)  # (N, ..., C)
        out = gamma.reshape(shape) * xhat + beta.reshape(shape)  # (N, ..., C)
        return self._keep(("infer", xhat, (gamma * istd).reshape(shape)), out)

    def backward(self, grad_output):
        cache = self._cached(grad_output)
        other = tuple(i for i in range(grad_output.ndim) if i != self.axes[0])  # summed for dgamma
        if cache[0] == "train":
            dx, dgamma, dbeta = batchnorm_backward_compact(grad_output, cache[1])
        else:  # inference: y = (gamma * istd) * x + const, an affine map per channel
            _, xhat, slope = cache
            dx = grad_output * slope  # (N, ..., C)
            dgamma = _sum(grad_output * xhat, other).reshape(-1)  # (C,)
            dbeta = _sum(grad_output, other).reshape(-1)  # (C,)
        self._store_grads(dgamma, dbeta)
        return dx

    def get_config(self):
        config = super().get_config()
        config.update(momentum=self.momentum,
                      moving_mean_initializer=initializers.serialize(self.moving_mean_initializer),
                      moving_variance_initializer=initializers.serialize(self.moving_variance_initializer))
        return config


@LAYERS.register
class LayerNormalization(_Normalization):
    """Normalize each sample over its feature axis: the same function in training and inference.

    Forward:  mu, var = mean and (biased) variance of x over `axis`, per sample;
              y = gamma * (x - mu) / sqrt(var + eps) + beta.
    Backward: dx = (m dxhat - sum dxhat - xhat sum(dxhat xhat)) / (m sqrt(var + eps)), the sums
              over the m normalized values of one sample, dxhat = dy * gamma;
              dgamma = sum over samples of dy * xhat, dbeta = sum of dy.

    Args:
        axis: the axis or list of axes to normalize over (default -1, the features).
        epsilon: 1e-3 as Keras. center, scale, *_initializer, *_regularizer: as Keras.
    Input shape: any rank 2 to 5, e.g. (N, D), (N, T, D).
    Output shape: same as input.
    Weights: gamma, beta, shaped like the normalized axes, e.g. (D,).

    Example:
        >>> ln = LayerNormalization()
        >>> y = ln(np.random.default_rng(0).normal(3, 2, (2, 5, 8)))
        >>> y.shape, bool(np.abs(y.mean(-1)).max() < 1e-6)   # every (sample, step): mean 0
        ((2, 5, 8), True)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, **kwargs):
        if isinstance(axis, tuple):
            axis = list(axis)
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        self.axes = self._axes(len(input_shape))
        if 0 in self.axes:
            errors.fail(self, "axis that excludes the batch axis 0", axis=self.axis)
        shape = tuple(input_shape[a] for a in self.axes)  # (D,) for axis=-1
        if None in shape:
            errors.fail(self, "known sizes on the normalized axes", input_shape=tuple(input_shape))
        self._add_gamma_beta(shape)

    def forward(self, x, training=False):
        x = self._prepare(x)  # (N, ..., D)
        gamma, beta = self._gamma_beta(tuple(self.input_shape[a] for a in self.axes))
        out, cache = layernorm_forward(x, gamma, beta, self.epsilon, self.axes)
        return self._keep(cache, out)  # (N, ..., D)

    def backward(self, grad_output):
        dx, dgamma, dbeta = layernorm_backward(grad_output, self._cached(grad_output))
        self._store_grads(dgamma, dbeta)
        return dx
