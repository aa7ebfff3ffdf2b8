"""The diagram primitives (teaching.diagrams.draw) and Part I's pictures draw without error."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from bricks.teaching.diagrams import draw, networks


def test_nodes_arrows_and_paths():
    fig, ax = draw.canvas(xlim=(0, 4), ylim=(0, 2))
    a = draw.node(ax, (0.5, 1), "$a$")
    b = draw.box(ax, (2, 1), "op", width=1.0, height=0.5)
    c = draw.node(ax, (3.5, 1), "$c$")
    assert b.side("left") == (1.5, 1) and b.side("top") == (2, 1.25)
    arrows = draw.path(ax, [a, b, c], labels=["x", "y"])
    assert len(arrows) == 2
    assert a.patch.get_linewidth() > 2  # highlighted outline
    edges = draw.connect(ax, [a], [b, c])
    assert set(edges) == {(0, 0), (0, 1)}
    col = draw.layer_column(ax, 1.0, ["1", "2", "3"], y_mid=1.0, spacing=0.5)
    assert [n.center[1] for n in col] == [1.5, 1.0, 0.5]  # top to bottom
    fig.canvas.draw()
    plt.close(fig)


def test_errors_name_the_function():
    with pytest.raises(ValueError, match="canvas: expected figsize width <= 8"):
        draw.canvas(figsize=(9, 3))
    fig, ax = draw.canvas()
    a, b = draw.node(ax, (1, 1)), draw.node(ax, (2, 2))
    with pytest.raises(ValueError, match="path: expected 1 labels"):
        draw.path(ax, [a, b], labels=["x", "y"])
    with pytest.raises(ValueError, match="network_232: expected path_to"):
        networks.network_232("W3")
    plt.close("all")


def test_fonts_are_legible():
    fig, ax = draw.canvas()
    t = draw.label(ax, (1, 1), "tiny", fontsize=5)
    assert t.get_fontsize() >= draw.MIN_FONTSIZE
    plt.close(fig)


@pytest.mark.parametrize("make", [
    networks.neuron,
    networks.network_232,
    lambda: networks.network_232("W2"),
    lambda: networks.network_232("W1"),
    lambda: networks.computational_graph({"w": 0.5, "L": 0.1}, {"w": -0.1}),
])
def test_part1_diagrams_draw(make):
    fig, ax = make()
    fig.canvas.draw()
    assert all(t.get_fontsize() >= draw.MIN_FONTSIZE for t in ax.texts)
    plt.close(fig)
