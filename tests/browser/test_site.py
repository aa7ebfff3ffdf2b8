"""The built website, opened in headless Chromium with the network unavailable (`make site`).

Needs `make book` first (the site in _build/html), Debian's chromium and the Python
`playwright` package (which drives it; never `playwright install`). The site is served from
127.0.0.1 by a thread, and every request to any other host is aborted, so a page that
needs the internet fails here. For every page: no JavaScript error, nothing fetched from
outside or missing locally, math typeset by the vendored MathJax (no raw `$$`), no live
ipywidget (dead without a kernel), and every animation plays (bricks.teaching.visual players and
explorers: press Play, the frame changes). Search must work offline, and
chapter 3 must have an animation that plays. A reader on a phone (390 px) or half a laptop
screen (900 px) opens the chapter list with the ☰ button; a desktop page starts with the
article (no empty band) and its code fits the column; a player's smallest text is at least
11 CSS px on a desktop and 6 on a phone; the site shows no `assert` line; sub-pages are
numbered as chapters of their own (2a, not 2.12); the ⬇ menu offers the page's .ipynb.
The Chinese edition (zh/, issue 24): every page has its twin with the same numbers, no markup
or English paragraph left, a language switch both ways, Chinese search, and works offline.
"""
import functools
import http.server
import json
import pathlib
import re
import shutil
import threading
from html.parser import HTMLParser

import pytest
import yaml

pytestmark = pytest.mark.site

ROOT = pathlib.Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
INSTALL = ("install them with `sudo apt-get install chromium chromium-driver` and "
           "`.venv/bin/pip install -r requirements.txt` (playwright; never `playwright install`)")
CHAPTER3 = "book/part1-bricks/03-training.html"
CHAPTER10 = "book/part3-sequences/10-lstm-and-gru.html"  # the most code-heavy chapter
SPECIAL = {"index.html", "genindex.html", "search.html", "py-modindex.html"}
REPORT = {"pages": 0, "animations": 0, "math_pages": 0, "per_page": {}, "explorers": {}, "text_px": {}}
MIN_TEXT_PX = 11  # CSS px: the smallest text a player may show on a desktop (1280 px)
MIN_TEXT_PX_PHONE = 6  # ... and on a 390 px phone, where an 8-inch figure shrinks to 358 px (6-inch ones: 8 px)
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


def _pages(root=SITE):
    """The pages of one edition: the English site (root), or the Chinese one (root / 'zh')."""
    if not (root / "index.html").is_file():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if not p.relative_to(root).parts[0].startswith("_") and p.relative_to(root).parts[0] != "zh")


def _toc_files():
    """Every document _toc.yml lists (root, chapters and their sections)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))
            walk(e.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [f.rsplit(".", 1)[0] if f.endswith((".md", ".ipynb")) else f for f in files]


# ---- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site():
    if not (SITE / "index.html").is_file():
        pytest.skip("no built site in _build/html: run `make book` first")
    return SITE


@pytest.fixture(scope="module")
def server(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not (pathlib.Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip(f"Chromium not found at {CHROMIUM}: {INSTALL}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(f"Python package playwright missing: {INSTALL}")
    with sync_playwright() as pw:
        exe = CHROMIUM if pathlib.Path(CHROMIUM).exists() else shutil.which("chromium")
        b = pw.chromium.launch(executable_path=exe, args=ARGS)
        yield b
        b.close()


class Visit:
    """One page opened with the network cut off; collects errors while it is open."""

    def __init__(self, browser, base, path):
        self.base, self.errors, self.external = base, [], []
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        refresh = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"',
                            (SITE / path.split("?")[0]).read_text(encoding="utf-8")) if path else None
        if refresh:  # index.html redirects to the first page: follow it
            self.page.goto(base + path, wait_until="commit")
            self.page.wait_for_url("**/" + refresh.group(1), wait_until="load")
        else:
            self.page.goto(base + path, wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _console(self, msg):
        # A failed network load (here: the blocked internet) is reported separately below.
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            self.errors.append(f"console.error: {msg.text}")

    def _response(self, response):
        if response.status >= 400:  # the favicon too: _config.yml names one
            self.errors.append(f"HTTP {response.status} for {response.url}")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server):
    opened = []

    def open_page(path):
        v = Visit(browser, server, path)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


# ---- checks a page at a time -------------------------------------------------------------------
def _check_math(page):
    """Wait for MathJax where the page has math; no raw `$$` may remain. Returns the formula count."""
    typeset = 0
    if page.evaluate("() => document.querySelectorAll('.math, span.math, div.math').length"):
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=15000)
        page.evaluate("() => MathJax.startup.promise")
        typeset = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        assert typeset >= 1, "page has math but MathJax typeset nothing (is book/_static/mathjax there?)"
    raw = page.evaluate("""() => {
        const root = document.querySelector('article') || document.body;
        if (!root) return false;
        const a = root.cloneNode(true);
        a.querySelectorAll('pre, code, script, style, textarea, mjx-container').forEach(e => e.remove());
        return a.textContent.includes('$$');
    }""")
    assert not raw, "raw `$$` text on the page: math not typeset"
    return typeset


def _frame(page, player):
    return player.evaluate("""p => {
        const s = p.querySelector('input.bricks-scrub') || p.querySelector('input[type=range]'),
              i = p.querySelector('img.bricks-frame') || p.querySelector('img');
        return (s ? s.value : '') + '|' + (i ? (i.getAttribute('src') || '').length + ':' +
               (i.getAttribute('src') || '').slice(-64) : '');
    }""")


def _play_animations(page):
    """Press Play on every player (bricks.teaching.visual.player and explorer); the frame must change."""
    players = page.locator("div.bricks-player")
    n = players.count()
    for k in range(n):
        player = players.nth(k)
        play = player.locator("button[title='Play']")
        assert play.count() == 1, f"animation {k}: no Play button"
        player.scroll_into_view_if_needed()
        assert player.is_visible(), f"animation {k} is hidden on the page"
        before = _frame(page, player)
        play.click()
        changed = False
        for _ in range(40):  # up to 4 s
            page.wait_for_timeout(100)
            if _frame(page, player) != before:
                changed = True
                break
        player.locator("button[title='Pause']").click()
        assert changed, f"animation {k}: pressed Play, the frame did not change"
    return n


@pytest.mark.parametrize("path", _pages() or [pytest.param("", marks=pytest.mark.skip(
    reason="no built site in _build/html: run `make book` first"))])
def test_page_works_offline(visit, path):
    v = visit(path)
    page = v.page
    page.wait_for_timeout(300)  # deferred scripts, the theme's icon replacement
    typeset = _check_math(page)
    widgets = page.evaluate("""() => document.querySelectorAll(
        '.jupyter-widgets, .widget-area, script[type="application/vnd.jupyter.widget-view+json"]').length""")
    assert widgets == 0, "a live ipywidget is on the static page (tag its cell `remove-cell`)"
    animations = _play_animations(page)
    sizes = _player_text_px(page)
    REPORT["text_px"].update({f"{path}#{k}": px for k, px in enumerate(sizes)})
    small = [f"player {k}: {px:.1f} px" for k, px in enumerate(sizes) if px < MIN_TEXT_PX - 0.05]
    assert not small, (f"text below {MIN_TEXT_PX} CSS px at this page's width: {small} (a fontsize under 10 pt "
                       "in its draw function, or a dpi under 96)")
    page.wait_for_timeout(200)
    assert not v.external, f"the page tried to reach the network: {sorted(set(v.external))}"
    assert not v.errors, "JavaScript/load errors:\n" + "\n".join(v.errors)
    REPORT["pages"] += 1
    REPORT["animations"] += animations
    REPORT["math_pages"] += bool(typeset)
    REPORT["per_page"][path] = {"formulas": typeset, "animations": animations}


def _player_text_px(page):
    """The smallest text of each player in CSS px as shown: the text it drew (data-min-text, in
    CSS px at full width, measured by bricks.teaching.visual from matplotlib's draw_text calls)
    times the shown width over the full width (the image shrinks to fit the column)."""
    return page.evaluate("""() => [...document.querySelectorAll('div.bricks-player[data-min-text]')].map(p => {
        const img = p.querySelector('img.bricks-frame');
        const full = parseFloat(img.getAttribute('width')) || img.naturalWidth;
        return parseFloat(p.dataset.minText) * img.getBoundingClientRect().width / full; })""")


def _explorer_pages():
    return [p for p in _pages() if "bricks-explorer" in (SITE / p).read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", _explorer_pages() or [pytest.param("", marks=pytest.mark.skip(
    reason="no explorer on the built site (or no site: run `make book` first)"))])
def test_explorer_controls_switch_runs_offline(visit, path):
    """Every control of every explorer, moved to each of its other values: the frame changes."""
    v = visit(path)
    explorers = v.page.locator("div.bricks-explorer")
    assert explorers.count() >= 1
    for k in range(explorers.count()):
        ex = explorers.nth(k)
        ex.scroll_into_view_if_needed()
        controls = ex.locator("input[data-arg], select[data-arg]")
        switched = 0
        for c in range(controls.count()):
            n = controls.nth(c).evaluate("e => e.tagName === 'SELECT' ? e.options.length : +e.max + 1")
            for value in range(n):
                before = _frame(v.page, ex) + ex.locator("img.bricks-frame").get_attribute("data-run")
                changed = controls.nth(c).evaluate("""(e, value) => {
                    if (+e.value === value) return false;
                    e.value = String(value); e.dispatchEvent(new Event('input'));
                    e.dispatchEvent(new Event('change')); return true; }""", value)
                if not changed:
                    continue
                after = _frame(v.page, ex) + ex.locator("img.bricks-frame").get_attribute("data-run")
                assert after != before, f"{path} explorer {k}: control {c} -> {value} did not change the frame"
                switched += 1
        frame = int(ex.locator("img.bricks-frame").get_attribute("data-frame"))
        assert frame > 0, f"{path} explorer {k}: after a control change it shows frame 1 (not the result)"
        REPORT["explorers"][f"{path}#{k}"] = {"runs": int(ex.get_attribute("data-runs")),
                                              "controls": controls.count(), "switches": switched}
    assert not v.external and not v.errors, v.errors + v.external


@pytest.mark.parametrize("width", [1280, 800])
def test_one_search_box(browser, server, width):
    """Exactly one visible search control, on a wide screen (sidebar) and a narrow one (icon)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server) else r.abort())
    page.goto(server + CHAPTER3, wait_until="load")
    page.wait_for_timeout(300)
    visible = page.evaluate("""() => [...document.querySelectorAll(
        '.search-button, .search-button-field, input[type=search]')].filter(e =>
        e.offsetParent !== null && e.getBoundingClientRect().width > 0).length""")
    context.close()
    assert visible == 1, f"{visible} search boxes visible at {width} px"


def test_chinese_renders_with_the_shipped_font(visit, site):
    """The glossary's Chinese is drawn with the book's own CJK subset (a web font), offline."""
    v = visit("book/appendix/glossary.html")
    page = v.page
    page.evaluate("() => document.fonts.ready")
    loaded = page.evaluate("""async () => (await document.fonts.load('16px "Bricks CJK"', '梯度消失'))
                              .map(f => f.family + ':' + f.status)""")
    assert loaded and all(s.endswith(":loaded") for s in loaded), f"CJK web font not loaded: {loaded}"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = page.evaluate("""() => { const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (w.nextNode()) { if (w.currentNode.textContent.includes('梯度')) {
            w.currentNode.parentElement.id = w.currentNode.parentElement.id || 'bricks-cjk-probe';
            return '#' + w.currentNode.parentElement.id; } } return null; }""")
    assert node, "no 梯度 on the glossary page"
    node_id = cdp.send("DOM.querySelector", {"nodeId": root, "selector": node})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
    custom = [f for f in fonts if f.get("isCustomFont")]
    assert custom, f"梯度 drawn with system fonts only: {fonts}"
    assert not v.errors and not v.external, v.errors + v.external


def test_chapter3_animation_plays(visit, site):
    assert (site / CHAPTER3).is_file(), f"{CHAPTER3} was not built (is it in _toc.yml?)"
    v = visit(CHAPTER3)
    assert _play_animations(v.page) >= 1, "chapter 3 has no animation player"
    assert not v.errors, "\n".join(v.errors)


def _search(visit, word):
    v = visit(f"search.html?q={word}")
    v.page.wait_for_function(
        "() => { const s = document.querySelector('#search-results');"
        " return s && /Search finished|found|did not match/i.test(s.textContent); }", timeout=15000)
    hits = v.page.locator("#search-results ul.search li").count()
    assert not v.errors and not v.external, v.errors + v.external
    return hits


def test_search_works_offline(visit, site):
    assert _search(visit, "backpropagation") >= 1, "offline search found nothing for 'backpropagation'"


def test_search_finds_lstm(visit, site):
    sources = [p for p in (site / "_sources").rglob("*") if p.is_file()]
    assert any("LSTM" in p.read_text(encoding="utf-8", errors="replace") for p in sources), "no page mentions LSTM"
    assert _search(visit, "LSTM") >= 1, "search.html?q=LSTM lists no result"


# ---- reading on a phone and a desktop -------------------------------------------------------------
def _context(browser, server, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server) else r.abort())
    return context, page, errors


def _sidebar_links(page):
    """Chapter links the reader can see (in the open dialog, or the sidebar on a wide screen)."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '#pst-primary-sidebar-modal[open] nav a, #pst-primary-sidebar nav a')].filter(a => {
            const r = a.getBoundingClientRect(), s = getComputedStyle(a);
            return r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth
                   && s.visibility !== 'hidden'; }).map(a => a.textContent.trim())""")


@pytest.mark.parametrize("width", [390, 900])
def test_the_chapter_list_opens_on_a_phone_and_a_narrow_window(browser, server, site, width):
    """Under 992 px the chapter list is folded away; the visible ☰ opens it, and a chapter opens."""
    options = PHONE if width == 390 else {"viewport": {"width": width, "height": 900}}
    context, page, errors = _context(browser, server, **options)
    page.goto(server + CHAPTER10, wait_until="load")
    page.wait_for_timeout(300)
    assert not _sidebar_links(page), "the chapter list is visible before ☰ is pressed"
    toggles = page.locator(".primary-toggle:visible")
    assert toggles.count() == 1, f"{toggles.count()} visible ☰ buttons"
    if width == 390:
        toggles.first.tap()
    else:
        toggles.first.click()
    page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=3000)
    page.wait_for_timeout(300)
    links = _sidebar_links(page)
    assert sum("Backprop by hand" in t for t in links) == 1, links
    assert len(links) >= 20, f"only {len(links)} chapter links visible: {links}"
    page.locator("#pst-primary-sidebar-modal a", has_text="Backprop by hand").first.click()
    page.wait_for_url("**/02-backprop-by-hand.html", wait_until="commit", timeout=15000)
    context.close()
    assert not errors, errors


def test_desktop_page_starts_with_the_article_and_the_toggle_folds_the_list(browser, server, site):
    context, page, errors = _context(browser, server, viewport={"width": 1280, "height": 800})
    page.goto(server + CHAPTER10, wait_until="load")
    page.wait_for_timeout(300)
    top = page.evaluate("() => document.querySelector('.bd-header-article').getBoundingClientRect().top")
    assert top < 4, f"the article header starts {top:.0f} px down the page (an empty band above it)"
    links = len(_sidebar_links(page))
    assert links >= 20, f"{links} chapter links in the desktop sidebar"
    page.locator(".primary-toggle:visible").first.click()
    page.wait_for_timeout(400)
    assert len(_sidebar_links(page)) == 0, "☰ did not fold the chapter list on a desktop"
    context.close()
    assert not errors, errors


def _cut_blocks(page):
    """Code and output blocks of the article wider than what they show (cut at the right edge)."""
    return page.evaluate("""() => { const pre = [...document.querySelectorAll('article pre')]
        .filter(p => p.offsetParent !== null);
        return [pre.length, pre.filter(p => p.scrollWidth > p.clientWidth + 1).length]; }""")


@pytest.mark.parametrize("width", [1280, 390])
def test_code_fits_the_column(browser, server, site, width):
    options = PHONE if width == 390 else {"viewport": {"width": width, "height": 800}}
    context, page, errors = _context(browser, server, **options)
    page.goto(server + CHAPTER10, wait_until="load")
    blocks, cut = _cut_blocks(page)
    wide = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    context.close()
    assert blocks >= 20 and cut == 0, f"{cut} of {blocks} code blocks cut at {width} px"
    assert wide <= 0, f"the page scrolls sideways by {wide} px at {width} px"


def test_players_are_legible_on_a_phone(browser, server, site):
    """Every player's smallest text, at a 390 px phone's width (the image shrinks to fit)."""
    pages = [p for p in _pages() if 'data-min-text' in (site / p).read_text(encoding="utf-8")]
    context, page, errors = _context(browser, server, **PHONE)
    sizes = {}
    for path in pages:
        page.goto(server + path, wait_until="load")
        sizes.update({f"{path}#{k}": px for k, px in enumerate(_player_text_px(page))})
    context.close()
    REPORT["text_px_phone"] = sizes
    small = {k: round(v, 1) for k, v in sizes.items() if v < MIN_TEXT_PX_PHONE - 0.05}
    assert sizes and not small, f"player text below {MIN_TEXT_PX_PHONE} CSS px on a phone: {small}"


# ---- the build itself (no browser) -------------------------------------------------------------
def test_no_stray_pages(site):
    """Exactly the documents in _toc.yml were built: no .venv, README or test pages."""
    built = {p[:-5] for p in _pages() if p not in SPECIAL}
    expected = set(_toc_files())
    stray = sorted(built - expected)
    missing = sorted(expected - built)
    assert not stray, f"pages built that _toc.yml does not list: {stray[:20]}"
    assert not missing, f"_toc.yml entries without a page: {missing}"
    assert not any(re.search(r"(^|/)(\.venv|site-packages|lib|tests|tools|bench|workshop)/", p)
                   for p in _pages())


def test_notebook_pages_offer_their_notebook(site):
    """Every notebook page names how to run it and links its .ipynb, which is in the build."""
    for page in _pages():
        source = site / "_sources" / page.replace(".html", ".ipynb")
        if not source.is_file():
            continue
        html = (site / page).read_text(encoding="utf-8")
        assert "nb-run-locally" in html and "make lab" in html, f"{page}: no 'run this page' banner"
        links = re.findall(r'class="nb-download" href="([^"]+)"', html)
        assert links, f"{page}: no notebook download link"
        target = ((site / page).parent / links[0]).resolve()
        assert target.is_file(), f"{page}: download link {links[0]} points to nothing"


def _shown_code(html):
    """The text of every code-cell input shown on a page."""
    import html as html_lib
    blocks = re.findall(r'<div class="cell_input docutils container">(.*?)</div>\s*</div>\s*</div>', html, re.DOTALL)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", b)) for b in blocks]


def test_no_assert_or_keep_line_is_shown(site):
    """The checks and the prose's numbers run in the notebook; the site shows neither
    (tools/site_plumbing.py), except inside shown functions."""
    shown = []
    for page in _pages():
        for block in _shown_code((site / page).read_text(encoding="utf-8")):
            shown += [f"{page}: {ln.strip()}" for ln in block.split("\n")
                      if re.match(r"(assert |keep\(|glue\(|np\.testing\.assert)", ln)]
    assert not shown, f"{len(shown)} check lines shown on the site: {shown[:10]}"


def test_sub_pages_are_numbered_as_chapters_of_their_own(site):
    page = (site / "book/part1-bricks/02a-cross-entropy.html").read_text(encoding="utf-8")
    assert re.search(r'<h1><span class="section-number">2a\. </span>Softmax', page), "02a is not numbered 2a"
    assert re.search(r'<h2><span class="section-number">2a\.1\. ', page), "02a's first section is not 2a.1"
    assert re.search(r">2a\. Softmax", page) and re.search(r">2b\. Automatic", page), "sidebar: not 2a, 2b"
    assert not re.search(r">2\.1[23]\. ", page), "a sub-page numbered as a section of chapter 2"


def test_the_download_menu_offers_the_notebook(site):
    for page in _pages():
        source = site / "_sources" / page.replace(".html", ".ipynb")
        if not source.is_file():
            continue
        html = (site / page).read_text(encoding="utf-8")
        links = re.findall(r'<a href="([^"]+\.ipynb)"[^>]*download-notebook-button', html) or \
            re.findall(r'href="([^"]+\.ipynb)"[^>]*\n?[^>]*title="Download notebook file"', html)
        assert links, f"{page}: the ⬇ menu has no .ipynb"
        assert ((site / page).parent / links[0]).resolve() == source.resolve(), (page, links[0])


def test_mathjax_is_vendored(site):
    """MathJax comes from the build, never a CDN."""
    assert (site / "_static/mathjax/tex-chtml-full.js").is_file()
    assert any((site / "_static/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    for page in _pages():
        assert "cdn.jsdelivr.net/npm/mathjax" not in (site / page).read_text(encoding="utf-8"), page


# ---- the Chinese edition (issue 24) ------------------------------------------------------------
ZH = SITE / "zh"
ZH_PLAYED = ["book/part1-bricks/01-neuron.html", "book/part3-sequences/10-lstm-and-gru.html",
             "book/part4-quant/16a-ashare.html"]


@pytest.fixture(scope="module")
def zh(site):
    if not (ZH / "index.html").is_file():
        pytest.skip("no Chinese edition in _build/html/zh: run `make book`")
    return ZH


class _Numbers(HTMLParser):
    """The text of every span.nb-eval (a number an {eval} role computed), in page order."""

    def __init__(self):
        super().__init__()
        self.depth, self.numbers = 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "span"
        elif tag == "span" and "nb-eval" in (dict(attrs).get("class") or "").split():
            self.depth, self.numbers = 1, self.numbers + [""]

    def handle_endtag(self, tag):
        if self.depth and tag == "span":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.numbers[-1] += data


def _numbers(path):
    parser = _Numbers()
    parser.feed(path.read_text(encoding="utf-8"))
    return [n.strip() for n in parser.numbers]


def test_every_page_has_its_chinese_twin(site, zh):
    assert set(_pages(zh)) == set(_pages(site))


def test_both_editions_show_the_same_numbers(site, zh):
    """Every number an {eval} computed, page by page: the same multiset in English and Chinese."""
    total, differ = 0, []
    for page in _pages(site):
        english, chinese = _numbers(site / page), _numbers(zh / page)
        total += len(english)
        if sorted(english) != sorted(chinese):
            differ.append(f"{page}: {len(english)} numbers in English, {len(chinese)} in Chinese; "
                          f"only English {sorted(set(english) - set(chinese))[:5]}, "
                          f"only Chinese {sorted(set(chinese) - set(english))[:5]}")
    REPORT["zh_numbers"] = total
    assert total > 500, f"only {total} {{eval}} numbers found on the English site"
    assert not differ, "\n".join(differ)


def _article_paragraphs(html):
    """The text of each paragraph and list item of the article, without math, code and outputs."""
    import html as html_lib
    body = html.split('<article class="bd-article"', 1)[-1].split("</article>", 1)[0]
    body = re.sub(r'<(pre|code|script|style)\b.*?</\1>', " ", body, flags=re.DOTALL)
    body = re.sub(r'<span class="math[^"]*">.*?</span>|<div class="math[^"]*">.*?</div>', " ", body,
                  flags=re.DOTALL)
    body = re.sub(r'<div class="cell_output.*?</div>\s*</div>', " ", body, flags=re.DOTALL)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", p)).strip()
            for p in re.findall(r"<(?:p|li|h[1-6])\b[^>]*>(.*?)</(?:p|li|h[1-6])>", body, re.DOTALL)]


def test_chinese_pages_have_no_markup_or_english_paragraph_left(zh):
    """A broken translation shows as raw MyST ({term}`...`, **bold**) or an English paragraph."""
    markup, english = [], []
    for page in _pages(zh):
        if page.startswith("book/appendix/api-") or page in SPECIAL:
            continue                      # the API reference is English by design (tools/i18n.py)
        for text in _article_paragraphs((zh / page).read_text(encoding="utf-8")):
            if re.search(r"\{(eval|term|doc|ref)\}`|\*\*\S|\S\*\*", text):
                markup.append(f"{page}: {text[:90]!r}")
            latin = len(re.findall(r"[A-Za-z]", text))
            if latin > 80 and not re.search("[\u4e00-\u9fff]", text):
                english.append(f"{page}: {text[:90]!r}")
    assert not markup, f"{len(markup)} paragraph(s) with raw markup:\n" + "\n".join(markup[:15])
    assert not english, f"{len(english)} paragraph(s) still in English:\n" + "\n".join(english[:15])


def test_language_switch_goes_to_the_same_page_and_back(browser, server, zh):
    context, page, errors = _context(browser, server)
    page.goto(server + CHAPTER10, wait_until="load")
    page.click("nav.nb-language a[hreflang='zh-CN']")
    page.wait_for_url("**/zh/" + CHAPTER10)
    assert re.search("[\u4e00-\u9fff]", page.locator("h1").first.text_content()), "the Chinese page's title"
    page.click("nav.nb-language a[hreflang='en']")
    page.wait_for_url("**/" + CHAPTER10)
    assert "/zh/" not in page.url and not errors, errors
    context.close()


def _search_zh(visit, words):
    v = visit(f"zh/search.html?q={words}")
    v.page.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary, #search-results p');"
        " return s && s.textContent.trim() && !/Preparing|准备/.test(s.textContent); }", timeout=15000)
    links = v.page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    assert not v.errors and not v.external, v.errors + v.external
    return links


def test_chinese_search_finds_chinese_words(visit, zh):
    links = _search_zh(visit, "反向传播")
    assert any("02-backprop-by-hand" in link for link in links), f"反向传播: {links[:5]}"
    assert any("16a-ashare" in link for link in _search_zh(visit, "涨跌停")), "涨跌停 finds no A-share page"


@pytest.mark.parametrize("path", ZH_PLAYED)
def test_chinese_page_works_offline(visit, zh, path):
    v = visit("zh/" + path)
    page = v.page
    page.wait_for_timeout(300)
    _check_math(page)
    animations = _play_animations(page)
    page.wait_for_timeout(200)
    assert not v.external, f"the page tried to reach the network: {sorted(set(v.external))}"
    assert not v.errors, "JavaScript/load errors:\n" + "\n".join(v.errors)
    REPORT.setdefault("zh_animations", 0)
    REPORT["zh_animations"] += animations


def test_report(site, capsys):
    """Print (and save to _build/site-test.json) what the browser checks covered; runs last."""
    if not REPORT["pages"]:
        pytest.skip("no page was checked (run the whole file)")
    (ROOT / "_build" / "site-test.json").write_text(json.dumps(REPORT, indent=1))
    with capsys.disabled():
        print(f"\nsite: {REPORT['pages']} pages opened offline, {REPORT['math_pages']} with math "
              f"({sum(p['formulas'] for p in REPORT['per_page'].values())} formulas typeset), "
              f"{REPORT['animations']} animations played")
        if REPORT["explorers"]:
            print(f"site: {len(REPORT['explorers'])} explorers, "
                  f"{sum(e['runs'] for e in REPORT['explorers'].values())} runs, "
                  f"{sum(e['switches'] for e in REPORT['explorers'].values())} control changes checked")
        if REPORT["text_px"]:
            where = min(REPORT["text_px"], key=REPORT["text_px"].get)
            small = sorted(k for k, px in REPORT["text_px"].items() if px < MIN_TEXT_PX)
            print(f"site: smallest player text {REPORT['text_px'][where]:.1f} CSS px ({where}); "
                  f"{len(small)} of {len(REPORT['text_px'])} players below {MIN_TEXT_PX} px: {small}")
        phone = REPORT.get("text_px_phone")
        if phone:
            where = min(phone, key=phone.get)
            print(f"site: on a 390 px phone, smallest player text {phone[where]:.1f} CSS px ({where}), "
                  f"median {sorted(phone.values())[len(phone) // 2]:.1f}")
    assert REPORT["math_pages"] > 0 and REPORT["animations"] > 0, "the browser checks typeset no math or played nothing"


@pytest.mark.parametrize("edition", ["", "zh/"])
def test_a_glossary_term_shows_its_definition_on_hover(visit, site, edition):
    """Every {term} link carries the definition (tools/postbuild.py), each edition from its own glossary."""
    glossary = visit(edition + "book/appendix/glossary.html").page
    definition = glossary.evaluate("""() => document.querySelector('#term-epoch + dd p').textContent""")
    page = visit(edition + CHAPTER3).page
    link = page.locator('a[href$="glossary.html#term-epoch"]').first
    link.hover()  # the browser shows the title as its tooltip
    assert link.get_attribute("title") == " ".join(definition.split())
    if edition:
        assert "训练" in definition  # the Chinese definition, not the English one
    untitled = page.evaluate("""() => [...document.querySelectorAll('a[href*="glossary.html#term-"]')]
                                .filter(a => !a.title).map(a => a.getAttribute('href'))""")
    assert not untitled, untitled
