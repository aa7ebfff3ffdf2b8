"""The recall task of chapter 12 and the stored table of chapters 12-13 (tools/attention_tables.py)."""
import json
import pathlib

import numpy as np

import bricks
from bricks.teaching import recall

TABLE = pathlib.Path(bricks.teaching.__file__).parent / "tables" / "attention.json"


def test_the_target_is_the_value_shown_with_the_queried_key():
    x, y = recall.recall_data(50, n_pairs=7, seed=1)
    K, V = recall.K, recall.V
    keys, values, query = x[:, :7, :K], x[:, :7, K:K + V].argmax(-1), x[:, 7, K + V:]
    asked = np.abs(keys - query[:, None]).sum(-1).argmin(1)
    assert np.array_equal(values[np.arange(50), asked], y.argmax(1))
    assert np.all(x[:, 7, :K + V] == 0) and np.all(x[:, :7, K + V:] == 0)  # the query step shows only the query


def test_stored_table_shape_and_verdict():
    table = json.loads(TABLE.read_text())
    rec = table["recall"]
    assert set(rec) == {"Attention", "LSTM"} and list(rec["LSTM"]) == list(rec["Attention"])
    mean = {k: [np.mean([r["accuracy"] for r in runs]) for runs in rec[k].values()] for k in rec}
    assert min(mean["Attention"]) > 0.9 and mean["LSTM"][-1] < 0.5  # what chapter 12 says
    assert [r["T"] for r in table["cost"]] == sorted(r["T"] for r in table["cost"])
