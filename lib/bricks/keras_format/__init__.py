"""Keras files in and out: `.keras` (Keras 3) and legacy `.h5` (Keras 2) for Sequential models.

bricks's layers take Keras's arguments and keep Keras's weight layouts, so a Keras Sequential
model becomes a bricks model by mapping each layer's config to the bricks constructor
(`reader`), then copying the weight arrays from HDF5 in Keras's order (`weights`); writing runs
the other way (`writer`). Only numpy, h5py and the standard library (zipfile, json) are used:
no Keras at run time.

    >>> import os, tempfile
    >>> from bricks import keras_format
    >>> model = keras_format.load_model(keras_format.EXAMPLES / "up_day.keras")  # Keras wrote it
    >>> model.input_shape, [type(layer).__name__ for layer in model.layers]
    ((None, 10, 2), ['Flatten', 'Dense', 'Dropout', 'Dense', 'Activation', 'Dense'])
    >>> x = np.random.default_rng(0).normal(size=(3, 10, 2))
    >>> with tempfile.TemporaryDirectory() as folder:            # and back out as a .keras file
    ...     same = keras_format.load_model(keras_format.save_model(model, os.path.join(folder, "m.keras")))
    >>> np.allclose(same.predict(x), model.predict(x))
    True

Models read this way predict what Keras predicted to a relative 1e-6
(tests/keras_format/test_keras_format.py, on fixtures Keras made).

`save_model(model, "m.keras")` writes a file `keras.saving.load_model("m.keras")` opens;
`load_weights(model, "m.weights.h5")` / `save_weights(...)` move the weights alone, for a
model whose architecture is built by hand on both sides.

What bricks lacks is refused with a ValueError naming the file, the layer and the value: a
functional model, a layer class bricks does not have, an argument that would change the
result (recurrent dropout, masking, RMS scaling, constraints, mixed precision), a custom object.
"""
import pathlib

from bricks.keras_format.files import KERAS_VERSION, load_model, load_weights, save_model, save_weights

__all__ = ["load_model", "save_model", "load_weights", "save_weights", "KERAS_VERSION", "EXAMPLES"]

EXAMPLES = pathlib.Path(__file__).parent / "examples"
"""Files made by Keras for the book: `up_day.keras`, a model a Keras platform trained on chapter 4's
training days (jax backend), with `up_day.test_proba.npy`, what it predicted for the test days."""
