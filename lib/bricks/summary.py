"""`model.summary()`: Keras's table of layers, output shapes and parameter counts.

    Model: "sequential"
    _________________________________________________________________
     Layer (type)                Output Shape             Param #
    =================================================================
     dense (Dense)               (None, 3)                9
    ...
"""
from bricks import errors
from bricks.layers.core import InputLayer


def print_summary(model, print_fn=print, line_length=65):
    """Print `model`'s table: Layer (type) | Output Shape | Param #, then the totals."""
    if not model.built:
        errors.fail(model, "a built model: give Input(shape) first, call build(input_shape), "
                    "or call the model on data", built=False)
    shown = [(f" {layer.name} ({type(layer).__name__})", shape, layer) for layer, shape
             in zip(model.sublayers, model.output_shapes) if not isinstance(layer, InputLayer)]
    first = max([line_length - 34] + [len(label) + 2 for label, _, _ in shown])  # long names widen it
    widths, line_length = (first, 25, 9), first + 34
    row = lambda cells: "".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    lines = [f'Model: "{model.name}"', "_" * line_length, row((" Layer (type)", "Output Shape", "Param #")),
             "=" * line_length]
    for i, (label, shape, layer) in enumerate(shown):
        lines.append(row((label, _shape_str(shape), layer.count_params())))
        lines.append("=" * line_length if i == len(shown) - 1 else "")
    trainable = sum(w.size for _, layer, k in model.variables() for w in [layer.params[k]])
    total = model.count_params()
    lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}", "_" * line_length]
    for line in lines:
        print_fn(line)


def _shape_str(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
