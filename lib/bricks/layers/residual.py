"""The residual block: y = x + F(x), the skip connection that lets deep stacks train.

F is a small stack of bricks layers run in order. The gradient of y = x + F(x)
is the identity plus F's Jacobian, so the upstream gradient reaches x at least
unchanged however deep the network gets: dx = dy + F.backward(dy).
"""
from bricks import errors
from bricks.layers.base import LAYERS, Layer, deserialize, serialize

__all__ = ["Residual"]


@LAYERS.register
class Residual(Layer):
    """A skip connection around a stack of layers: y = shortcut(x) + F(x).

    Forward:  h_0 = x, h_k = layer_k(h_{k-1}),  F(x) = h_K,
              y = x + F(x)            (or projection(x) + F(x) when `projection` is given).
    Backward: dF = dy passed back through the layers in reverse order to x,
              dx = dy + dF            (or projection.backward(dy) + dF).
    F(x) must have x's shape; when it does not (e.g. Dense(16) on 8 features), pass
    `projection=Dense(16, use_bias=False)` to map x to F's shape.

    Args:
        layers: a list of bricks layers, F = layers[-1](...layers[0](x)).
        projection: optional layer applied to the shortcut (None: the identity).
    Input shape: whatever the first layer takes, e.g. (N, D) or (N, T, D).
    Output shape: F(x)'s shape, which (without a projection) is x's shape.
    Weights: the layers' weights in order, then the projection's.

    Example:
        >>> block = Residual([bricks.Dense(8, activation="tanh"), bricks.Dense(8)])
        >>> block(np.ones((4, 8))).shape
        (4, 8)
        >>> wider = Residual([bricks.Dense(16)], projection=bricks.Dense(16, use_bias=False))
        >>> wider(np.ones((4, 8))).shape    # the projection maps the shortcut to 16 features
        (4, 16)
    """

    def __init__(self, layers, projection=None, **kwargs):
        super().__init__(**kwargs)
        layers = [deserialize(layer) for layer in layers]
        bad = [layer for layer in layers if not isinstance(layer, Layer)]
        if not layers or bad:
            errors.fail(self, "a non-empty list of bricks layers", layers=bad or layers)
        self.layers = layers
        self.projection = deserialize(projection)
        if self.projection is not None and not isinstance(self.projection, Layer):
            errors.fail(self, "projection=None or a bricks layer", projection=self.projection)
        self.sublayers = list(layers) + ([self.projection] if self.projection is not None else [])
        if kwargs.get("dtype") is None and len({layer.dtype for layer in self.sublayers}) == 1:
            self.dtype = self.sublayers[0].dtype  # float32 layers inside: a float32 block, not a float64 one

    def build(self, input_shape):
        super().build(input_shape)
        shape = tuple(input_shape)
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            shape = tuple(layer.compute_output_shape(shape))  # F's shape, layer by layer
        short = tuple(input_shape)
        if self.projection is not None:
            if not self.projection.built:
                self.projection.build(short)
            short = tuple(self.projection.compute_output_shape(short))
        if tuple(short[1:]) != tuple(shape[1:]):
            self.built = False
            self._mismatch(short, shape)
        self.output_shape = shape

    def _mismatch(self, x_shape, f_shape):
        what = "the shortcut" if self.projection is not None else "x"
        errors.fail(self, f"F(x) (the output of the block's layers) to have the shape of {what}; "
                    "pass projection=Dense(...) when they differ",
                    **{f"{'projection(x)' if self.projection is not None else 'x'}.shape": tuple(x_shape),
                       "F(x).shape": tuple(f_shape)})

    def forward(self, x, training=False):
        x = self._prepare(x)  # (N, ..., D)
        h = x
        for layer in self.layers:
            h = layer.forward(h, training=training)  # (N, ..., D)
        short = x if self.projection is None else self.projection.forward(x, training=training)
        if short.shape != h.shape:
            self._mismatch(short.shape, h.shape)
        return self._keep(True, short + h)  # (N, ..., D); the layers keep their own caches

    def backward(self, grad_output):
        self._cached(grad_output)
        dh = grad_output  # (N, ..., D)
        for layer in reversed(self.layers):
            dh = layer.backward(dh)  # back through F, to x
        dshort = grad_output if self.projection is None else self.projection.backward(grad_output)
        return dshort + dh  # the skip adds the upstream gradient unchanged

    def compute_output_shape(self, input_shape):
        if not self.built:
            self.build(input_shape)
        return (input_shape[0], *self.output_shape[1:])

    def get_config(self):
        config = super().get_config()
        config.update(layers=[serialize(layer) for layer in self.layers],
                      projection=serialize(self.projection))
        return config
