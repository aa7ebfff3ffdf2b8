"""Compute the power tables of chapters 14 and 16 into lib/bricks/quant/tables/*.json.

    python tools/power_tables.py ch14 ch16  # the two chapters' tables (several minutes on one core)
    python tools/power_tables.py ch16b --processes 2   # section 16b's stock panel (8 CPU-minutes, 4 on 2 cores)
    python tools/power_tables.py --check    # rerun one strength and seed of each, compare
    python tools/power_tables.py --worlds   # chapters 14 and 16 in other worlds (a few min of CPU)

Each table holds, for every planted IC and seed, the t-statistic of each model's test IC
(`bricks.quant.power.calibrate`). The chapters load the stored tables, which take too long
to recompute within a notebook's 20 s; `tests/quant/test_power.py` reruns part of them.
"""
import argparse
import sys

from bricks.quant import pipelines, power

STRENGTHS = (0.02, 0.03, 0.05, 0.10)
# Section 16b: the generated A-share panel's planted effects times 0 (none), 0.25 and 0.5 (1 is
# the section's own panel), 16 seeds per cell: a detection rate's standard error is at most 12.5 points.
STOCK_STRENGTHS = (0.0, 0.25, 0.5)
TABLES = {"ch14": (pipelines.index_power_run, range(5), "5030 days, 16 walk-forward folds of 1000/250", STRENGTHS),
          "ch16": (pipelines.panel_power_run, range(10), "360 months x 30 assets, 120 test months", STRENGTHS),
          "ch16b": (pipelines.stock_power_run, range(16), "500 stocks x 9 years (150 index members), 48 test "
                    "months; strengths are multipliers of the planted effects", STOCK_STRENGTHS)}


def compute(name, processes=1):
    run, seeds, shape, strengths = TABLES[name]
    table = power.calibrate(run, strengths, seeds, meta={"shape": shape, "script": "tools/power_tables.py"},
                            processes=processes)
    power.save_table(table, power.stored_path(name))
    print(name, f"{table['seconds']:.0f} s")
    print(power.power_table_text(table))
    return table


def check(name, strength_index=2, seed_index=0, atol=1e-6):
    """Rerun one (strength, seed) cell of a stored table; the largest difference in t."""
    table = power.load_table(power.stored_path(name))
    run = TABLES[name][0]
    out = run(table["strengths"][strength_index], table["seeds"][seed_index])
    diff = max(abs(out[k] - table["t"][k][strength_index][seed_index]) for k in table["t"])
    return diff


def compute_real(name):
    """Real-data results over 5 seeds (chapter and tuned recipes) -> tables/real-NAME.json."""
    import time
    t0 = time.time()
    out = {"seeds": list(range(5)), "runs": pipelines.real_runs(name)}
    out["seconds"] = round(time.time() - t0, 1)
    power.save_table(out, power.stored_path(name, "real"))
    print(name, "real", out)


# Chapter 14's test beyond the idealised world: (world, planted ICs, expanding window, RNN too).
WORLDS = {"iid": ("iid", (0.0,), False, True),
          "clustered": ("clustered", (0.0, 0.05), False, True),
          "nonlinear": ("nonlinear", (0.10,), False, True),
          "expanding": ("iid", (0.05, 0.10), True, False)}
WORLD_SEEDS = range(12)


def compute_worlds(names=None):
    """tables/power-ch14-worlds.json: {world: calibrate table}, 12 seeds per cell, iid and NW t."""
    import functools
    out = {}
    for name, (world, strengths, expanding, rnn) in WORLDS.items():
        if names and name not in names:
            continue
        run = functools.partial(lambda ic, seed, **kw: pipelines.index_world_run(ic, seed, **kw),
                                world=world, expanding=expanding, rnn=rnn)
        out[name] = power.calibrate(run, strengths, WORLD_SEEDS,
                                    meta={"world": world, "expanding": expanding, "script": "tools/power_tables.py"})
        print(name, f"{out[name]['seconds']:.0f} s", flush=True)
        print(power.power_table_text(out[name]), flush=True)
    path = power.stored_path("ch14-worlds")
    power.save_table(out, path)


def compute_worlds14():
    """tables/power-ch16-worlds.json: chapter 16's test with a U-shaped planted signal, and IC 0."""
    import functools
    out = {}
    for shape, strengths in (("nonlinear", (0.10,)), ("linear", (0.0,))):
        run = functools.partial(lambda ic, seed, **kw: pipelines.panel_world_run(ic, seed, **kw), shape=shape)
        meta = {"shape": shape, "script": "tools/power_tables.py"}
        out[shape] = power.calibrate(run, strengths, range(10), meta=meta)
        print(shape, f"{out[shape]['seconds']:.0f} s", flush=True)
        print(power.power_table_text(out[shape]), flush=True)
    power.save_table(out, power.stored_path("ch16-worlds"))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("tables", nargs="*", default=["ch14", "ch16"])
    ap.add_argument("--processes", type=int, default=1, help="experiments at once (same table)")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--real", action="store_true", help="the real-data seed runs instead")
    ap.add_argument("--worlds", action="store_true", help="chapters 14 and 16 in other worlds (vol clustering, ...)")
    args = ap.parse_args()
    if args.worlds:  # --worlds ch14 / --worlds ch16 / --worlds (both)
        if "ch14" in args.tables:
            compute_worlds()
        if "ch16" in args.tables:
            compute_worlds14()
        sys.exit(0)
    worst = 0.0
    for name in args.tables:
        if args.check:
            worst = max(worst, check(name))
            print(name, "largest difference in t:", worst)
        elif args.real:
            compute_real(name)
        else:
            compute(name, args.processes)
    sys.exit(worst > 1e-6)
