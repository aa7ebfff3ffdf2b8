"""The stored table of chapter 10 (tools/recurrent_tables.py): its shape, and the chapter it runs.

The values are checked where they are cheap to recompute: the chapter reruns seed 0 and the
shortest sweep live and asserts they equal the table.
"""
import json
import pathlib

import bricks.teaching

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLE = json.loads((pathlib.Path(bricks.teaching.__file__).parent / "tables" / "recurrent.json").read_text())


def test_the_band_has_every_layer_and_seed():
    seeds = TABLE["meta"]["seeds"]
    assert set(TABLE["adding_band"]) == {"SimpleRNN", "LSTM", "GRU"}
    for runs in TABLE["adding_band"].values():
        assert len(runs) == len(seeds)
        assert all(s is None or (0 < s <= TABLE["meta"]["steps"] and s % TABLE["meta"]["every"] == 0)
                   for s in runs)


def test_the_short_sweep_is_accuracy_curves():
    every, steps = TABLE["meta"]["every"], TABLE["meta"]["steps"]
    for T, curve in TABLE["short_sweep"].items():
        assert int(T) > 0 and 0 < len(curve) <= steps // every
        assert all(0.0 <= a <= 1.0 for a in curve)


def test_the_tool_runs_the_chapter_that_defines_the_race():
    chapter = (ROOT / TABLE["meta"]["chapter"]).read_text()
    assert TABLE["meta"]["script"] == "tools/recurrent_tables.py"
    assert "def race(" in chapter and "def steps_to_solve(" in chapter
    assert '"recurrent.json"' in chapter  # the chapter loads the table it checks
