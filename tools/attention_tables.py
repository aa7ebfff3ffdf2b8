"""Compute the tables of chapters 12 and 13 (attention) into lib/bricks/teaching/tables/attention.json.

    python tools/attention_tables.py          # about 6 minutes on one core

recall: held-out accuracy of the LSTM encoder and of one attention layer on the associative-recall
        task (bricks.teaching.recall), by number of pairs and seed; training CPU seconds.
cost:   CPU seconds of one MultiHeadAttention forward+backward and one LSTM forward+backward by
        sequence length, and the bytes of the attention weights (B, N, T, T) the layer keeps.
The chapters load this file: training 30 models takes longer than a notebook's 20 s.
"""
import json
import os
import pathlib
import platform
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
import bricks  # noqa: E402
from bricks.teaching import recall  # noqa: E402

OUT = ROOT / "lib" / "bricks" / "teaching" / "tables" / "attention.json"
PAIRS, SEEDS, EPOCHS, N_TRAIN = (2, 5, 10, 20, 40), (0, 1, 2), 20, 2000
LENGTHS, B, D, HEADS = (25, 50, 100, 200, 400), 32, 32, 4


def recall_table():
    out = {}
    for kind in ("Attention", "LSTM"):
        for T in PAIRS:
            for seed in SEEDS:
                r = recall.train_and_score(kind, T, seed, n_train=N_TRAIN, epochs=EPOCHS)
                out.setdefault(kind, {}).setdefault(str(T), []).append(r)
                print(kind, T, seed, r, flush=True)
    return out


def best_time(fn, repeat=5):
    fn()
    best = np.inf
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def cost_table():
    rows = []
    for T in LENGTHS:
        rng = np.random.default_rng(0)
        x, dy = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, D))
        bricks.set_random_seed(0)
        mha, lstm = bricks.MultiHeadAttention(HEADS, D // HEADS), bricks.LSTM(D, return_sequences=True)
        t_mha = best_time(lambda: (mha.forward(x), mha.backward(dy)))
        t_lstm = best_time(lambda: (lstm.forward(x), lstm.backward(dy)))
        weights_bytes = B * HEADS * T * T * 8
        rows.append({"T": T, "mha_seconds": t_mha, "lstm_seconds": t_lstm, "weights_bytes": weights_bytes})
        print(rows[-1], flush=True)
    return rows


if __name__ == "__main__":
    start = time.time()
    table = {"meta": {"script": "tools/attention_tables.py", "numpy": np.__version__,
                      "python": platform.python_version(), "epochs": EPOCHS, "n_train": N_TRAIN, "n_test": 1000,
                      "cost_shape": {"B": B, "D": D, "heads": HEADS}}}
    table["cost"] = cost_table()
    table["recall"] = recall_table()
    table["meta"]["seconds"] = round(time.time() - start)
    OUT.write_text(json.dumps(table, indent=1) + "\n")
    print("wrote", OUT, table["meta"]["seconds"], "s")
