"""Part III's diagrams (teaching.diagrams.cells) draw, are legible and name what they show."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from bricks.teaching.diagrams import cells, draw, layers


def texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("make", [lambda: cells.unrolled_rnn(3),
                                  lambda: cells.unrolled_rnn(2, backward=True),
                                  cells.lstm_cell, cells.gru_cell,
                                  lambda: layers.conv_taps(3, 2, t=7),
                                  lambda: layers.conv_taps(2, 1, t=3, causal=False),
                                  layers.resize_ops, layers.residual_block])
def test_draws_with_legible_text(make):
    """Every Part II-III diagram (cells.py and layers.py): at most 8 in wide, text >= 9 pt."""
    fig, ax = make()
    fig.canvas.draw()
    assert fig.get_figwidth() <= 8
    assert min(t.get_fontsize() for t in ax.texts) >= draw.MIN_FONTSIZE
    plt.close(fig)


def test_unrolled_rnn_names_U_V_W_and_a_loss_per_step():
    fig, ax = cells.unrolled_rnn(4)
    labels = texts(ax)
    assert {"$U$", "$V$", "$W$"} <= set(labels)
    assert all(f"$L_{t}$" in labels and f"$o_{t}$" in labels for t in range(1, 5))
    assert not any("top" in t for t in labels)                       # no backward arrows
    fig2, ax2 = cells.unrolled_rnn(4, backward=True)
    assert labels.count("$W$") + 4 == texts(ax2).count("$W$") + texts(ax2).count("$W^\\top$")
    plt.close("all")


def test_cells_show_their_gates():
    _, lstm = cells.lstm_cell()
    assert {"$f{=}\\sigma$", "$i{=}\\sigma$", "$g{=}\\tanh$", "$o{=}\\sigma$"} <= set(texts(lstm))
    _, gru = cells.gru_cell()
    assert {"$r{=}\\sigma$", "$z{=}\\sigma$", "$1-z$"} <= set(texts(gru))
    plt.close("all")
