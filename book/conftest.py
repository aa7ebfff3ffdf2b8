"""nbval reporting: the seconds each notebook took, printed after the test run.

Speed is reported, never asserted (a timed test fails on a busy machine). The
book's budget is 20 s a notebook on a 2-core laptop; notebooks over it are flagged.
"""
from collections import defaultdict

BUDGET_S = 20.0
_seconds = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration  # setup (kernel start) + every cell + teardown


def pytest_terminal_summary(terminalreporter):
    if not _seconds:
        return
    write = terminalreporter.write_line
    terminalreporter.section("seconds per notebook")
    for path, seconds in sorted(_seconds.items()):
        flag = "  over the 20 s budget" if seconds > BUDGET_S else ""
        write(f"{seconds:6.1f} s  {path}{flag}")
    write(f"{sum(_seconds.values()):6.1f} s  in all, {len(_seconds)} notebooks")
