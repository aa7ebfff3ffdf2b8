"""bricks.quant.scaling: the past-only normalisers of chapter 15."""
import numpy as np

from bricks.quant import scaling


def test_ewma_zscore_uses_the_past_only():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 2))
    z = scaling.ewma_zscore(x, halflife=20)
    x2 = x.copy()
    x2[200:] += 50.0                                   # change the future
    z2 = scaling.ewma_zscore(x2, halflife=20)
    np.testing.assert_array_equal(z[:200], z2[:200])
    assert np.isnan(z[:20]).all() and np.isfinite(z[20:]).all()
    assert abs(np.nanstd(z[50:]) - 1) < 0.2


def test_ewma_matches_a_loop_by_hand():
    x = np.array([1.0, 2.0, 4.0, 3.0])
    a = 1 - 2 ** (-1 / 2)
    m, v, out = 1.0, 0.0, [np.nan]
    for t in range(1, 4):
        out.append((x[t] - m) / np.sqrt(v + 1e-12))
        d = x[t] - m
        m, v = m + a * d, (1 - a) * (v + a * d * d)
    np.testing.assert_allclose(scaling.ewma_zscore(x[:, None], 2, warmup=1)[1:, 0], out[1:])


def test_instance_zscore():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 10, 3)) * 5 + 2
    z = scaling.instance_zscore(w)
    np.testing.assert_allclose(z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=1), 1, atol=1e-9)
