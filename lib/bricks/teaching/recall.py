"""The associative-recall task of chapter 12: remember T (key, value) pairs, answer one query.

Each sequence has T + 1 steps of 2K + V features. Step t < T shows a pair: a random key
(K Gaussian numbers) in the first K features and its value (one of V classes, one-hot) in the
next V. The last step shows only a query, a copy of one of the T keys, in the last K features.
The target is the value that was shown with that key. A reader of the sequence that keeps a
fixed-size summary (an RNN's state) must squeeze all T pairs into it; attention can look back at
every step and pick the one whose key matches the query.

    >>> x, y = recall_data(4, n_pairs=5, seed=0)
    >>> x.shape, y.shape                  # (N, T + 1, 2K + V), (N, V) one-hot
    ((4, 6, 36), (4, 4))
"""
import time

import numpy as np

import bricks

__all__ = ["recall_data", "lstm_model", "attention_model", "train_and_score", "K", "V"]

K, V = 16, 4  # key size, number of value classes (chance accuracy 1/V)


def recall_data(n, n_pairs, seed):
    """(x (n, T + 1, 2K + V), y (n, V) one-hot) with T = n_pairs, from `default_rng(seed)`."""
    rng = np.random.default_rng(seed)
    T = n_pairs
    keys = rng.standard_normal((n, T, K))  # (n, T, K)
    values = rng.integers(0, V, size=(n, T))  # (n, T)
    asked = rng.integers(0, T, size=n)  # which pair the query asks for
    x = np.zeros((n, T + 1, 2 * K + V))
    x[:, :T, :K] = keys
    x[np.arange(n)[:, None], np.arange(T)[None, :], K + values] = 1.0  # one-hot values
    x[:, T, K + V:] = keys[np.arange(n), asked]  # the query: a copy of one key
    y = np.eye(V)[values[np.arange(n), asked]]  # (n, V)
    return x, y


def lstm_model(n_pairs, units=64):
    """The encoder of chapter 10: an LSTM reads the sequence; its last state answers."""
    return bricks.Sequential([bricks.Input((n_pairs + 1, 2 * K + V)), bricks.LSTM(units),
                              bricks.Dense(V, activation="softmax")])


def attention_model(n_pairs, key_dim=16):
    """One attention layer: the last step (the query) looks back over every step; its output answers."""
    return bricks.Sequential([bricks.Input((n_pairs + 1, 2 * K + V)),
                              bricks.MultiHeadAttention(num_heads=1, key_dim=key_dim),
                              bricks.Cropping1D((n_pairs, 0)), bricks.Flatten(),
                              bricks.Dense(V, activation="softmax")])


def train_and_score(kind, n_pairs, seed, n_train=4000, n_test=1000, epochs=20, batch_size=64, lr=3e-3):
    """Train one model on fresh data; {'accuracy': held-out accuracy, 'seconds': training time}."""
    bricks.set_random_seed(seed)
    x, y = recall_data(n_train, n_pairs, seed=1000 + seed)
    xt, yt = recall_data(n_test, n_pairs, seed=2000 + seed)
    model = (lstm_model if kind == "LSTM" else attention_model)(n_pairs)
    model.compile(loss="categorical_crossentropy", optimizer=bricks.Adam(lr), metrics=["accuracy"])
    start = time.process_time()
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    seconds = time.process_time() - start
    accuracy = float((model.predict(xt).argmax(1) == yt.argmax(1)).mean())
    return {"accuracy": accuracy, "seconds": seconds}
