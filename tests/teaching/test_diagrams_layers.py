"""Part II's diagrams (teaching.diagrams.layers) draw, are legible and show the right cells."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from bricks.teaching.diagrams import layers


def test_conv_taps_labels_every_tap_and_the_padding():
    fig, ax = layers.conv_taps(k=3, dilation=2, t=7, T=10)
    texts = [t.get_text() for t in ax.texts]
    assert [f"$w_{{{j}}}$" for j in range(3)] == [t for t in texts if t.startswith("$w_")]
    assert texts.count("0") == 4                                      # d (k - 1) padding zeros
    plt.close(fig)


def test_resize_ops_shows_the_layers_outputs():
    fig, ax = layers.resize_ops((1, 2, 3, 4, 5))
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("0") == 3                          # ZeroPadding1D((1, 2)) adds three
    assert "UpSampling1D(2)" in texts and "Cropping1D((1, 2))" in texts
    with pytest.raises(ValueError, match="resize_ops: expected at least 4 values"):
        layers.resize_ops((1, 2))
    plt.close("all")
