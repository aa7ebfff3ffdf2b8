"""The workshop's offline install, end to end, with pip's network really off (`make offline-check`).

A fresh copy of the repository's tracked files (no .venv), then `make offline-install
WHEELHOUSE=...` with pip cut off from every index: no pip configuration file, no PIP_* variable
of this machine, PIP_NO_INDEX=1, and every proxy variable pointing at a closed port
(127.0.0.1:9), so that any download pip tried would fail at once. A control proves it: in the
same environment `pip download six` fails. Then make must consider the venv installed
(`make -q` on the stamp; `make -n check lab-student` runs no pip), and `make check`
(tools/preflight.py: imports at their pins, a kernel, a widget round trip) passes in the new venv.

Needs a wheelhouse of this platform: BRICKS_WHEELHOUSE=DIR (`make offline-check` downloads it
first, through pip's cache, with tools/wheelhouse.py). Skipped without it.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WHEELHOUSE = os.environ.get("BRICKS_WHEELHOUSE")
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once

pytestmark = pytest.mark.skipif(not WHEELHOUSE, reason="set BRICKS_WHEELHOUSE=DIR (make offline-check)")


def offline_env():
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("PIP_", "PYTHONPATH", "VIRTUAL_ENV")) and k.lower() not in
           {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_RETRIES="0", PIP_TIMEOUT="5", http_proxy=CLOSED, https_proxy=CLOSED,
               HTTP_PROXY=CLOSED, HTTPS_PROXY=CLOSED, ALL_PROXY=CLOSED, no_proxy="", NO_PROXY="")
    return env


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The repository's tracked files, as a clean clone has them, in a new folder."""
    dest = tmp_path_factory.mktemp("offline") / "neural-bricks"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def run(cmd, cwd, env, timeout=900):
    t0 = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - t0


def test_offline_install_then_make_needs_no_pip(clone):
    env = offline_env()
    base = pathlib.Path(sys.base_prefix) / "bin" / "python3"
    python = str(base if base.exists() else sys.executable)

    control, _ = run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(clone / "_dl"), "six"],
                     clone, env, timeout=120)
    assert control.returncode != 0, "pip reached a package index: the network is not off for pip"

    done, seconds = run(["make", "offline-install", f"WHEELHOUSE={WHEELHOUSE}", f"PY={python}"], clone, env)
    print(f"\noffline install from {WHEELHOUSE}: {seconds:.1f} s (pip network off)")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    du = subprocess.run(["du", "-sm", str(clone / ".venv")], capture_output=True, text=True).stdout.split()[0]
    print(f"student venv: {du} MB")

    stamp = subprocess.run(["make", "-q", ".venv/.installed-student"], cwd=clone, env=env)
    assert stamp.returncode == 0, "make still thinks the environment needs installing"
    dry = subprocess.run(["make", "-n", "check", "lab-student"], cwd=clone, env=env,
                         capture_output=True, text=True)
    assert dry.returncode == 0 and "pip" not in dry.stdout, dry.stdout

    check, seconds = run(["make", "check"], clone, env, timeout=300)
    print(f"make check in the new venv: {seconds:.1f} s\n{check.stdout[-2500:]}")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert "pip" not in check.stdout.split("Pre-flight check")[0], "make ran pip before the check"
