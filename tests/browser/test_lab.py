"""The chapters in JupyterLab, driven by headless Chromium (`make test` runs it with the site tests).

JupyterLab starts on 127.0.0.1 (a free port, no token, --allow-root) over a copy of book/ with
the lab overrides `make lab` installs (tools/lab-overrides.json): the chapters are the .md files a
reader opens (jupytext), and one chapter of the Chinese edition (tools/i18n.py book: Chinese
Markdown, the same code), which must render its Chinese and its numbers. For six chapters: open
the notebook, Run All once, wait for the kernel,
require no error output; every computed number of the prose must be rendered (no `{eval}`,
`num("...")`, `{glue}` or f-string left in the rendered Markdown, no raw `{term}` role or
```{directive}); then save, and the file's bytes must not change. For the three with a live
widget: change a control (a select, or a slider moved with the keyboard) and require that its
`widgets.Image` shows a new picture, the last frame of the new run (the frame slider at its
maximum), timing the change -> new image latency. The folded solutions (<details>) are counted
and printed with the latencies.
Skipped with a clear message when Chromium, playwright or JupyterLab is missing.
"""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.site

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
NOTEBOOKS = ["part2-layers/04-build-train-predict.md", "part2-layers/07-embedding.md",
             "playground/playground.md"]  # with a live widget
NUMBER_HEAVY = ["part1-bricks/02-backprop-by-hand.md", "part3-sequences/10-lstm-and-gru.md"]
CHINESE = ["zh/part1-bricks/01-neuron.md"]   # the Chinese edition (tools/i18n.py book), issue 24
RAW_PROSE = r'\{eval\}|num\("[^"]*"\)|\{glue[^}]*\}|f"\{[^"]*\}"|\{term\}|```\{'  # in JS
RUN_TIMEOUT_MS = 240_000  # a loaded 2-core machine; a chapter alone runs in under 20 s
REPORT = {}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    jupyter = pathlib.Path(sys.executable).parent / "jupyter-lab"
    if not pathlib.Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: `apt-get install chromium`")
    pytest.importorskip("playwright", reason="Python package playwright missing (requirements.txt)")
    if not jupyter.exists():
        pytest.skip(f"JupyterLab not installed next to {sys.executable}")
    work = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "book", work / "book", ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    # the settings `make venv` installs (tools/lab-config: Jupytext Notebook as the .md viewer,
    # every cell rendered so that one Run All evaluates every {eval})
    settings = pathlib.Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tools" / "lab-config" / "settings" / "neural-bricks.json", settings / "neural-bricks.json")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "lib"), os.environ.get("PYTHONPATH", "")]),
           "JUPYTER_CONFIG_DIR": str(work / "config"), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    cmd = [str(jupyter), "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={work / 'book'}", "--LabApp.expose_app_in_browser=True",
           "--ServerApp.open_browser=False", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
           "jupyterlab.NeverCheckForUpdate"]
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work / "book")
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "api/status", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start in 60 s:\n" + (work / "lab.log").read_text()[-2000:])
    if proc.poll() is not None:
        pytest.fail("JupyterLab exited:\n" + (work / "lab.log").read_text()[-2000:])
    yield url, work / "book"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def page(lab):
    lab, _ = lab
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        p = context.new_page()
        p.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab) else r.abort())
        p.goto(lab + "lab", wait_until="load")
        p.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand("
                            "'notebook:run-all-cells') && window.jupyterapp.commands.hasCommand("
                            "'docmanager:open')", timeout=90_000)
        p.evaluate("() => window.jupyterapp.restored")
        yield p
        browser.close()


RUN_ALL = """async (path) => {
  const app = window.jupyterapp;
  const factory = path.endsWith('.md') ? 'Jupytext Notebook' : 'Notebook';
  const panel = await app.commands.execute('docmanager:open', {path, factory});
  await panel.context.ready; await panel.sessionContext.ready;
  // as a reader does: wait until the page has rendered (jupyterlab-myst evaluates an {eval} only in
  // a Markdown cell whose MyST it has already rendered), then Run All
  const rendered = () => panel.content.widgets.filter(c => c.model.type === 'markdown')
                       .every(c => c.node.querySelector('.myst'));
  for (let i = 0; i < 300 && !rendered(); i++) await new Promise(r => setTimeout(r, 100));
  await new Promise(r => setTimeout(r, 1000));
  await app.commands.execute('notebook:run-all-cells');
  return panel.id;
}"""

STATUS = """(id) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.id === id);
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const pending = cells.filter(c => c.model.executionCount === null ||
                                    c.node.querySelector('.jp-InputArea-prompt').textContent.includes('*'));
  const errors = cells.flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error')
                                    .map(o => o.ename + ': ' + o.evalue));
  return {cells: cells.length, pending: pending.length, errors,
          kernel: panel.sessionContext.session && panel.sessionContext.session.kernel.status};
}"""

MYST = """([id, RAW]) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.id === id);
  const md = [...panel.node.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .myst')];
  const text = md.map(e => e.textContent).join('\\n');
  const raw = text.match(new RegExp(RAW, 'g')) || [];
  return {markdown_cells: md.length, raw_prose: raw.slice(0, 10),
          raw_term_roles: (text.match(/\\{term\\}/g) || []).length,
          raw_directives: (text.match(/```\\{/g) || []).length,
          folded_solutions: panel.node.querySelectorAll('details').length,
          chinese_chars: (text.match(/[\u4e00-\u9fff]/g) || []).length};
}"""


def _run_all(page, path):
    t0 = time.perf_counter()
    panel = page.evaluate(RUN_ALL, path)
    deadline = t0 + RUN_TIMEOUT_MS / 1000
    status = page.evaluate(STATUS, panel)
    while time.perf_counter() < deadline:
        page.wait_for_timeout(500)
        status = page.evaluate(STATUS, panel)
        if status["pending"] == 0 and status["kernel"] == "idle":
            break
    else:
        pytest.fail(f"{path}: Run All did not finish in {RUN_TIMEOUT_MS / 1000:.0f} s: {status}")
    return panel, status, time.perf_counter() - t0


def _image_src(image):
    return image.get_attribute("src") or ""  # ipywidgets 8: the Image widget is the <img>


def _change_control(page, panel):
    """Change the first control of the last live widget box; return (seconds to a new image, note)."""
    box = page.locator(f"#{panel} .widget-vbox:has(.widget-image)").last
    box.scroll_into_view_if_needed()
    image = box.locator("img.widget-image").first
    before = _image_src(image)
    select = box.locator("select")
    t0 = time.perf_counter()
    if select.count():
        options = select.first.evaluate("s => [...s.options].map(o => o.value)")
        current = select.first.evaluate("s => s.value")
        select.first.select_option(next(o for o in options if o != current))
        what = "select"
    else:
        handle = box.locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        what = "slider"
    for _ in range(600):  # up to 60 s
        if _image_src(image) != before:
            return time.perf_counter() - t0, what, box
        page.wait_for_timeout(100)
    page.screenshot(path=str(ROOT / "_build" / "lab-failure.png"))
    pytest.fail(f"changed a {what} of the live widget: the image did not change in 60 s "
                "(screenshot: _build/lab-failure.png)")


CLOSE = """async (id) => {  // shut the kernel down, close the notebook unsaved (no dialog)
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.id === id);
  await panel.sessionContext.shutdown(); panel.context.model.dirty = false; panel.dispose();
}"""
FRAME = """(box) => { const h = [...box.querySelectorAll('.noUi-handle')].pop();
  return h ? [+h.getAttribute('aria-valuenow'), +h.getAttribute('aria-valuemax')] : null; }"""


SAVE = """async (id) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.id === id);
  await panel.context.save();
}"""


# jupyterlab-myst 2.7 sometimes leaves a Markdown cell's {eval} numbers unevaluated on the first
# Run All (upstream jupyter-book/jupyterlab-myst#289, "eval role requires double execution"), seen
# here in chapters 2 and 10 after their long cells, not every run. The test then reruns the
# Markdown cells (Shift+Enter, as a reader would; README says so) and requires every number; the
# first-pass misses are reported, not hidden.

RERUN_MARKDOWN = """async (id) => {
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(w => w.id === id);
  const cells = panel.content.widgets;
  for (let i = 0; i < cells.length; i++) {
    if (cells[i].model.type !== 'markdown') continue;
    panel.content.activeCellIndex = i;
    await app.commands.execute('notebook:run-cell');
  }
  await new Promise(r => setTimeout(r, 3000));
}"""


def _prose_rendered_and_bytes_kept(page, panel, path, lab_root):
    """Every number of the prose rendered after one Run All; a save leaves the file's bytes."""
    myst = page.evaluate(MYST, [panel, RAW_PROSE])
    first_pass = list(myst["raw_prose"])
    if first_pass:
        page.evaluate(RERUN_MARKDOWN, panel)
        myst = page.evaluate(MYST, [panel, RAW_PROSE])
    myst["first_pass_unrendered"] = len(first_pass)
    assert not myst["raw_prose"] and myst["raw_directives"] == 0, \
        f"{path}: prose not rendered in JupyterLab after Run All: {myst}"
    before = (lab_root / path).read_bytes()
    page.evaluate(SAVE, panel)
    page.wait_for_timeout(500)
    after = (lab_root / path).read_bytes()
    assert after == before, (f"{path}: saving in JupyterLab changed the file "
                             f"({len(before)} -> {len(after)} bytes); run `python tools/notebooks.py canonical`")
    return myst


def _drive(page, path, lab_root, widget=True):
    panel, status, seconds = _run_all(page, path)
    assert not status["errors"], f"{path}: error outputs after Run All: {status['errors']}"
    myst = _prose_rendered_and_bytes_kept(page, panel, path, lab_root)
    if not widget:
        page.evaluate(CLOSE, panel)
        return {"run_all_s": round(seconds, 1), "cells": status["cells"], "control": "none",
                "latency_s": 0, "frame_after_change": None, **myst}
    latency, what, box = _change_control(page, panel)
    page.wait_for_timeout(300)
    frame = box.evaluate(FRAME)  # the frame slider is the last slider of the live box
    assert frame and frame[0] == frame[1], f"{path}: after the change the widget shows frame {frame}, not the last"
    page.evaluate(CLOSE, panel)
    return {"run_all_s": round(seconds, 1), "cells": status["cells"], "control": what,
            "latency_s": round(latency, 2), "frame_after_change": frame, **myst}


def test_chapters_run_in_jupyterlab_and_their_widgets_answer(lab, page, capsys):
    """One test (one JupyterLab) for every notebook, so pytest-xdist never starts two."""
    lab_root = lab[1]
    sys.path.insert(0, str(ROOT / "tools"))
    import i18n
    i18n.translate_book(lab_root / "zh", book=ROOT / "book")
    for path in NOTEBOOKS + NUMBER_HEAVY + CHINESE:
        REPORT[path] = _drive(page, path, lab_root, widget=path in NOTEBOOKS)
    for path in CHINESE:
        assert REPORT[path]["chinese_chars"] > 500, f"{path}: the Markdown does not render in Chinese"
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "lab-test.json").write_text(json.dumps(REPORT, indent=1))
    with capsys.disabled():
        for path, r in REPORT.items():
            print(f"\nlab: {path}: Run All {r['run_all_s']} s ({r['cells']} code cells); {r['control']} "
                  f"changed -> new image in {r['latency_s']} s, frame {r['frame_after_change']}; "
                  f"numbers unrendered after one Run All {r['first_pass_unrendered']} (0 after rerunning "
                  f"Markdown), folded solutions {r['folded_solutions']}, bytes kept on save")
