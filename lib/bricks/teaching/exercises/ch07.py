"""Chapter 7, embedding: the lookup and its backward pass (repeated ids accumulate)."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, rng


def embedding_forward(ids, table):
    return table[ids]  # (N, T) ids, (M, D) -> (N, T, D)


def _ids(seed, shape, M):
    return rng(seed).integers(0, M, shape)


register(
    "ch07.embedding_forward",
    reference=embedding_forward,
    cases=lambda: [
        Case((_ids(1, (3, 4), 10), normal(2, 10, 5))),
        Case((np.array([[0, 9, 9, 3]]), normal(3, 10, 2)), note="the first and the last id, repeated"),
        Case((_ids(4, (2, 6), 7), normal(5, 7, 3))),
    ],
    forbidden=("bricks.layers.embedding:Embedding",),
    mistakes=[
        Mistake(lambda ids, t: t[ids - 1], "ids shifted by one (id 0 is the first row)", "off-by-one"),
        Mistake(
            lambda ids, t: t.T[ids] if t.shape[0] == t.shape[1] else t[:, ids].transpose(1, 2, 0),
            "columns of the table picked: the table is (M, D), one row per id",
            "transpose",
        ),
        Mistake(lambda ids, t: np.eye(t.shape[0])[ids], "the one-hot vectors without the table", "missing term"),
        Mistake(lambda ids, t: t[ids].sum(axis=1), "summed over the steps: (N, D), not (N, T, D)", "shape"),
        Mistake(lambda ids, t: t[ids.ravel()], "flattened ids: (N T, D), not (N, T, D)", "shape"),
    ],
)


def embedding_backward(ids, grad_out, M):
    dtable = np.zeros((M, grad_out.shape[-1]))
    np.add.at(dtable, ids, grad_out)  # repeated ids accumulate
    return dtable


def _emb_bw_buffered(ids, g, M):
    dtable = np.zeros((M, g.shape[-1]))
    dtable[ids] += g  # a repeated id keeps one gradient only
    return dtable


register(
    "ch07.embedding_backward",
    reference=embedding_backward,
    whole=True,
    cases=lambda: [
        Case((_ids(6, (40, 5), 30), normal(7, 40, 5, 4), 30), note="200 ids from 30: many repeats"),
        Case((np.array([[2, 2, 2], [0, 2, 5]]), normal(8, 2, 3, 2), 6), note="id 2 four times, ids 1, 3, 4 never"),
        Case((_ids(9, (3, 4), 50), normal(10, 3, 4, 3), 50)),
    ],
    forbidden=("bricks.layers.embedding:Embedding",),
    mistakes=[
        Mistake(
            _emb_bw_buffered,
            "dtable[ids] += g: numpy's buffered fancy indexing keeps one gradient per repeated id (use np.add.at)",
            "missing term",
        ),
        Mistake(
            lambda ids, g, M: embedding_backward(ids[:, :1], g[:, :1], M),
            "only the first step of each sequence: every step's gradient must reach its id",
            "missing term",
        ),
        Mistake(lambda ids, g, M: embedding_backward(ids, g, M) / max(ids.size, 1), "an extra 1/(N T)", "factor"),
        Mistake(
            lambda ids, g, M: embedding_backward(ids, g, M)[: ids.max() + 1],
            "only as many rows as the largest id + 1, not M",
            "shape",
        ),
        Mistake(
            lambda ids, g, M: np.bincount(ids.ravel(), minlength=M)[:, None] * g.reshape(-1, g.shape[-1]).mean(axis=0),
            "the count of each id times the mean gradient",
            "formula",
        ),
        Mistake(
            lambda ids, g, M: embedding_backward(np.clip(ids + 1, 0, M - 1), g, M),
            "each gradient added to the next row (ids + 1)",
            "off-by-one",
        ),
    ],
)
