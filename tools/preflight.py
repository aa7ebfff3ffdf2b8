"""Pre-flight check for a laptop before the workshop: is everything a chapter needs here?

    python tools/preflight.py          (make check; on Windows: .venv\\Scripts\\python tools\\preflight.py)

Answers in well under 30 s, with no network, and prints one line per check:

- Python: 3.11.5 or newer (the pins need it);
- every package of requirements-student.txt is at its pinned version, the kernel's ones import,
  and so does `bricks`;
- JupyterLab's extensions the book uses are installed (jupytext, jupyterlab-myst, the widget
  manager) and the book's lab settings (tools/lab-config: a chapter opens as a notebook);
- a Jupyter kernel starts and runs a cell (it imports bricks and numpy and prints a sum);
- an ipywidgets round trip: the kernel creates a slider and sends its state (comm_open, as to a
  browser); the check, as the browser would, sets the slider to a new value (comm_msg "update");
  the kernel reads the new value back;
- the CJK font the website ships (book/_static/fonts/bricks-cjk.woff) is there and is a font;
- matplotlib draws a figure with no display (Agg) into a PNG.

Exit status 0 when every check passes, 1 otherwise.
"""
import importlib
import importlib.metadata
import io
import os
import pathlib
import platform
import re
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
FLOOR = (3, 11, 5)  # numpy 2.4, pandas 3.1: 3.11; soupsieve 4.1.3 (JupyterLab's): 3.11.5
# Distribution name -> the module to import, where they differ.
MODULES = {"jupyterlab-myst": "jupyterlab_myst"}
# JupyterLab's side runs in the server, not in the kernel: its packages are checked by version and
# by their lab extensions (check_lab), not imported here (importing them costs ~3 s: jsonschema
# builds an RFC 3987 parser at import).
SERVER_SIDE = {"jupyterlab", "jupytext", "jupyterlab-myst"}
LAB_EXTENSIONS = {"jupytext": "jupyterlab-jupytext", "jupyterlab-myst": "jupyterlab-myst",
                  "ipywidgets": "@jupyter-widgets/jupyterlab-manager"}
KERNEL_TIMEOUT = 20  # seconds for the kernel to start and answer, each step


def pins(path=ROOT / "requirements-student.txt"):
    """[(distribution, version)] of the `name==version` lines of a requirements file."""
    found = []
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s#;]+)", line)
        if m:
            found.append((m.group(1), m.group(2)))
    return found


def check_python():
    version = platform.python_version()
    if sys.version_info[:3] < FLOOR:
        return False, (f"Python {version} at {sys.executable}; the pins need 3.11.5 or newer "
                       "(README.md, Install)")
    return True, f"Python {version} ({platform.system()} {platform.machine()})"


def check_packages():
    wrong, done = [], []
    for dist, pinned in pins():
        try:
            installed = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{dist} not installed")
            continue
        module = MODULES.get(dist, dist.replace("-", "_"))
        try:
            if dist not in SERVER_SIDE:
                importlib.import_module(module)
        except Exception as error:
            wrong.append(f"{dist}: import {module} fails: {type(error).__name__}: {error}")
            continue
        if installed != pinned:
            wrong.append(f"{dist} {installed}, pinned {pinned}")
        else:
            done.append(f"{dist} {installed}")
    try:
        import bricks
        done.append(f"bricks from {pathlib.Path(bricks.__file__).parent}")
    except Exception as error:
        wrong.append(f"import bricks fails: {error} (pip install --no-deps -e .)")
    if wrong:
        return False, "; ".join(wrong)
    return True, ", ".join(done)


def check_lab():
    share = pathlib.Path(sys.prefix) / "share" / "jupyter"
    missing = [f"{name} ({path})" for name, path in LAB_EXTENSIONS.items()
               if not (share / "labextensions" / path / "package.json").is_file()]
    overrides = share / "lab" / "settings" / "overrides.d" / "neural-bricks.json"
    if not overrides.is_file():
        missing.append(f"the book's lab settings ({overrides}: pip install --no-deps ./tools/lab-config;"
                       " without them a chapter opens as text)")
    if missing:
        return False, "missing: " + "; ".join(missing)
    return True, "jupytext, jupyterlab-myst and the widget manager; chapters open as notebooks"


def _kernel():
    from jupyter_client.manager import start_new_kernel
    # log_level=ERROR: the kernel's warning that it listens on local TCP without encryption (as every
    # Jupyter kernel started this way does) is noise in a student's table; a real failure still fails a row
    return start_new_kernel(kernel_name="python3", startup_timeout=KERNEL_TIMEOUT,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])


def _run(kc, code):
    """Execute code; return (stdout text, [iopub messages], error text or None)."""
    msg_id = kc.execute(code)
    out, messages, error = [], [], None
    deadline = time.monotonic() + KERNEL_TIMEOUT
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            error = f"{content['ename']}: {content['evalue']}"
        elif kind == "status" and content["execution_state"] == "idle":
            break
    else:
        error = f"no answer in {KERNEL_TIMEOUT} s"
    return "".join(out), messages, error


def check_kernel(kc):
    out, _, error = _run(kc, "import numpy as np, bricks\nprint(int(np.arange(10).sum()))")
    if error or out.strip() != "45":
        return False, f"the cell failed: {error or repr(out)}"
    return True, "python3 kernel started, ran `print(np.arange(10).sum())` -> 45"


def check_widget(kc):
    code = ("import ipywidgets\nslider = ipywidgets.IntSlider(value=3, description='preflight')\n"
            "display(slider)")
    _, messages, error = _run(kc, code)
    if error:
        return False, f"making a slider failed: {error}"
    opened = [m["content"] for m in messages if m["msg_type"] == "comm_open"
              and m["content"].get("target_name") == "jupyter.widget"
              and m["content"]["data"]["state"].get("_model_name") == "IntSliderModel"]
    if not opened or opened[0]["data"]["state"].get("value") != 3:
        return False, "the kernel sent no comm_open for the slider (ipywidgets / comm broken)"
    comm_id = opened[0]["comm_id"]
    # What the browser's widget manager sends when the student moves the slider to 7.
    kc.shell_channel.send(kc.session.msg("comm_msg", {
        "comm_id": comm_id, "data": {"method": "update", "state": {"value": 7}, "buffer_paths": []}}))
    out, _, error = _run(kc, "print(slider.value)")
    if error or out.strip() != "7":
        return False, f"the kernel did not take the browser's update: {error or repr(out)}"
    return True, "slider state sent to the front end (comm_open, value 3); an update 3 -> 7 came back"


def check_font():
    font = ROOT / "book" / "_static" / "fonts" / "bricks-cjk.woff"
    if not font.is_file():
        return False, f"{font} is missing (the website's Chinese would show as boxes)"
    head = font.read_bytes()[:4]
    if head != b"wOFF":
        return False, f"{font} is not a WOFF font (starts {head!r}; a git-lfs pointer?)"
    return True, f"{font.relative_to(ROOT)} ({font.stat().st_size // 1024} KB)"


def check_figure():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.plot(np.arange(10), np.arange(10) ** 2, label="x²")
    ax.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    png = buffer.getvalue()
    if not png.startswith(b"\x89PNG") or len(png) < 1000:
        return False, f"savefig wrote {len(png)} bytes, not a PNG"
    return True, f"Agg backend drew a {len(png) // 1024} KB PNG (no display needed)"


def main():
    start = time.monotonic()
    os.environ.setdefault("MPLBACKEND", "Agg")
    rows = []

    def run(name, fn, *args):
        t0 = time.monotonic()
        try:
            ok, detail = fn(*args)
        except Exception as error:
            ok, detail = False, f"{type(error).__name__}: {error}"
        rows.append((name, ok, detail, time.monotonic() - t0))
        print(f"{'PASS' if ok else 'FAIL'}  {name:<9} {time.monotonic() - t0:5.1f} s  {detail}", flush=True)
        return ok

    print(f"Pre-flight check of {sys.prefix}")
    python_ok = run("python", check_python)
    run("packages", check_packages)
    run("lab", check_lab)
    kc = km = None
    t0 = time.monotonic()
    try:
        km, kc = _kernel()
    except Exception as error:
        rows.append(("kernel", False, f"no kernel: {type(error).__name__}: {error}", time.monotonic() - t0))
        print(f"FAIL  kernel    {rows[-1][3]:5.1f} s  {rows[-1][2]}")
    if kc is not None:
        try:
            run("kernel", check_kernel, kc)
            run("widgets", check_widget, kc)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    run("font", check_font)
    run("figure", check_figure)
    failed = [name for name, ok, _, _ in rows if not ok]
    total = time.monotonic() - start
    if failed:
        print(f"\nFAILED {len(failed)} of {len(rows)} checks ({', '.join(failed)}) in {total:.1f} s."
              + ("" if python_ok else " Start with Python: README.md, Install."))
        return 1
    print(f"\nAll {len(rows)} checks passed in {total:.1f} s: this laptop is ready.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
