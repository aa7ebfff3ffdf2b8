"""`make book` runs this after jupyter-book: make the built site fully offline, and check it.

    python tools/postbuild.py _build/html

1. The saved state of the live ipywidgets (a JSON `<script>` per page, tens of kB) is removed:
   their cells are hidden on the site (`remove-cell`) and no widget manager is loaded
   (`nb_ipywidgets_js: {}` in _config.yml), so nothing could ever read it.
2. Source maps (`*.map`) of the theme's minified CSS/JS are deleted with the comments that
   point to them: only a browser's developer tools read them, and they weigh 3.5 MB.
3. Every page is scanned for a script, stylesheet, image, iframe or font that would load from
   the network; any left is an error (exit status 1), so the build never ships a page that
   needs the internet.
4. Every chapter (MyST Markdown) is written as a runnable .ipynb into `_sources/`, where the
   "Run this page" banner's download link points (tools/notebooks.py).
5. The budget: no page over 4 MB (players and explorers carry their frames inline), each
   edition under 40 MB; over either is an error.
6. Every link to a glossary term ({term}`...`) gets the term's definition as its title, so a reader
   who hovers it reads the definition without leaving the page (each edition its own glossary).
7. The Chinese edition (`--language zh_CN --into _build/html/zh`): its downloads (.ipynb and
   .md sources) are the chapters with Chinese Markdown (tools/i18n.py), and it is moved into the
   English site's zh/ folder, where every asset identical to the English one (theme, MathJax,
   fonts, figures) is deleted and its links point to the English copy: a reader downloads each
   file once, and the Chinese edition adds only its pages.
Prints what it changed, the largest pages and the site size.
"""
import argparse
import filecmp
import html
import shutil
import pathlib
import re
import sys

import notebooks

WIDGET_STATE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>\s*', re.DOTALL)
SOURCE_MAP = re.compile(r"\n?(//|/\*)# sourceMappingURL=\S+?(\s*\*/)?\s*$")
# An attribute that makes the browser fetch: <script src>, <link href> (stylesheet/preload/icon),
# <img src>, <iframe src>, <source src>, CSS url(...).
EXTERNAL_TAG = re.compile(
    r"<(script|img|iframe|source|audio|video|embed)\b[^>]*?\ssrc=[\"'](https?:)?//[^\"']+[\"']"
    r"|<link\b(?=[^>]*\brel=[\"'](?:stylesheet|preload|icon|modulepreload)[\"'])[^>]*?\shref=[\"'](https?:)?//[^\"']+[\"']",
    re.IGNORECASE,
)
EXTERNAL_CSS_URL = re.compile(r"url\(\s*[\"']?(https?:)?//", re.IGNORECASE)
# The glossary's entries (<dt id="term-x">...</dt>, one or more names, then <dd>...</dd>) and the links to them.
TERM_ENTRY = re.compile(r'((?:<dt id="term-[^"]+">.*?</dt>\s*)+)<dd>(.*?)</dd>', re.DOTALL)
TERM_ID = re.compile(r'<dt id="term-([^"]+)">')
TERM_LINK = re.compile(r'<a class="reference internal" href="((?:[^"]*/)?(?:glossary\.html)?#term-([^"]+))">')
TAG = re.compile(r"<[^>]+>")


def strip_pages(site):
    """Remove the widget-state scripts; return how many."""
    states = 0
    for page in site.rglob("*.html"):
        new, m = WIDGET_STATE.subn("", page.read_text(encoding="utf-8"))
        if m:
            page.write_text(new, encoding="utf-8")
            states += m
    return states


def plain_text(fragment):
    """The text of an HTML fragment: its first paragraph, tags dropped, entities decoded, one line."""
    first = fragment.split("</p>", 1)[0]
    return " ".join(html.unescape(TAG.sub("", first)).split())


def term_titles(site):
    """Give every link to a glossary term (in `site/book/appendix/glossary.html`) the term's
    definition as its title, the text a browser shows on hover; return how many links."""
    glossary = site / "book" / "appendix" / "glossary.html"
    if not glossary.is_file():
        return 0
    definitions = {term: plain_text(dd) for names, dd in TERM_ENTRY.findall(glossary.read_text(encoding="utf-8"))
                   for term in TERM_ID.findall(names)}  # "batch" and "mini-batch": one definition
    titled = 0

    def with_title(m):
        nonlocal titled
        text = definitions.get(m.group(2))
        if text is None:
            return m.group(0)
        titled += 1
        return f'<a class="reference internal" href="{m.group(1)}" title="{html.escape(text)}">'

    for page in site.rglob("*.html"):
        old = page.read_text(encoding="utf-8")
        new = TERM_LINK.sub(with_title, old)
        if new != old:
            page.write_text(new, encoding="utf-8")
    return titled


def drop_source_maps(site):
    """Delete *.map files and the sourceMappingURL comments that name them; return bytes saved."""
    saved = 0
    for path in list(site.rglob("*.map")):
        saved += path.stat().st_size
        path.unlink()
    for path in list(site.rglob("*.js")) + list(site.rglob("*.css")):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        new = SOURCE_MAP.sub("", text)
        if new != text:
            path.write_text(new, encoding="utf-8", errors="surrogateescape")
    return saved


def external_loads(site):
    """(file, snippet) for every page or stylesheet that would fetch from the network."""
    found = []
    for page in sorted(site.rglob("*.html")):
        for m in EXTERNAL_TAG.finditer(page.read_text(encoding="utf-8")):
            found.append((page.relative_to(site), m.group(0)[:160]))
    for css in sorted(site.rglob("*.css")):
        for m in EXTERNAL_CSS_URL.finditer(css.read_text(encoding="utf-8", errors="replace")):
            found.append((css.relative_to(site), m.group(0)))
    return found


MAX_PAGE_MB, MAX_SITE_MB = 4.0, 40.0


def largest_pages(site, n=3):
    """[(MB, path)] of the n largest HTML pages."""
    sizes = sorted(((p.stat().st_size / 1e6, p.relative_to(site)) for p in site.rglob("*.html")), reverse=True)
    return sizes[:n]


def size_mb(site):
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6


ASSET_LINK = re.compile(r"""(?P<q>["'(])(?P<up>(?:\.\./)*)(?P<path>(?:_static|_images)/[^"'?#)\s]+)""")


def share_assets(edition, main_site):
    """Delete edition's _static/_images files identical to main_site's; relink; return MB saved."""
    shared = set()
    for folder in ("_static", "_images"):
        for path in sorted((edition / folder).rglob("*")):
            twin = main_site / path.relative_to(edition)
            if path.is_file() and twin.is_file() and filecmp.cmp(path, twin, shallow=False):
                shared.add(path.relative_to(edition).as_posix())
    saved = sum((edition / rel).stat().st_size for rel in shared)
    for page in edition.rglob("*.html"):
        depth = len(page.relative_to(edition).parts) - 1
        text = page.read_text(encoding="utf-8")

        def relink(m):
            if m.group("path") in shared and len(m.group("up")) == 3 * depth:
                return m.group("q") + m.group("up") + "../" + m.group("path")
            return m.group(0)

        page.write_text(ASSET_LINK.sub(relink, text), encoding="utf-8")
    for rel in shared:
        (edition / rel).unlink()
    for folder in sorted((p for p in edition.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()                          # deepest first: a folder emptied by the above
    return saved / 1e6


def translated_sources(site, language):
    """The edition's book/ with translated Markdown (tools/i18n.py) and its .md sources replaced."""
    import i18n

    root = pathlib.Path(__file__).resolve().parents[1]
    book = root / "_build" / language.split("_")[0] / "book"      # zh_CN -> _build/zh/book
    i18n.translate_book(book)
    for md in (site / "_sources" / "book").rglob("*.md"):
        translated = book / md.relative_to(site / "_sources" / "book")
        if translated.is_file():
            shutil.copy2(translated, md)
    return book


def main(argv=None):
    """`main("_build/html")` or `main(["_build/zh/html", "--language", "zh_CN", ...])`."""
    argv = [argv] if isinstance(argv, str) else argv
    parser = argparse.ArgumentParser(description="make the built site offline, and check it")
    parser.add_argument("site", nargs="?", default="_build/html")
    parser.add_argument("--language", help="a translated edition (zh_CN): its downloads translated")
    parser.add_argument("--into", help="move the edition here (inside the English site), sharing assets")
    args = parser.parse_args(argv)
    site = pathlib.Path(args.site)
    if not (site / "index.html").is_file():
        print(f"postbuild: no site at {site} (run `make book` first)", file=sys.stderr)
        return 1
    states = strip_pages(site)
    saved = drop_source_maps(site)
    print(f"postbuild: {term_titles(site)} links to glossary terms carry the definition as their title")
    book = pathlib.Path(__file__).resolve().parents[1] / "book"
    if args.language:
        book = translated_sources(site, args.language)
    written = notebooks.export(site / "_sources" / "book", book, runnable_folder=False)
    print(f"postbuild: {len(written)} chapters written as .ipynb into {site / '_sources' / 'book'}")
    pages = sum(1 for _ in site.rglob("*.html"))
    print(f"postbuild: removed {states} unused widget-state block(s); "
          f"dropped {saved / 1e6:.1f} MB of source maps")
    if args.into:
        into = pathlib.Path(args.into)
        shutil.rmtree(into, ignore_errors=True)
        shutil.move(str(site), str(into))
        site = into
        print(f"postbuild: moved to {site}; {share_assets(site, site.parent):.1f} MB of assets "
              f"shared with {site.parent}")
    bad = external_loads(site)
    for path, snippet in bad:
        print(f"postbuild: ERROR {path} loads from the network: {snippet}", file=sys.stderr)
    total, largest = size_mb(site), largest_pages(site)
    print(f"postbuild: {pages} HTML files, {total:.1f} MB in {site}; largest pages: "
          + ", ".join(f"{path} {mb:.2f} MB" for mb, path in largest))
    over = [(mb, path) for mb, path in largest_pages(site, n=pages) if mb > MAX_PAGE_MB]
    for mb, path in over:
        print(f"postbuild: ERROR {path} is {mb:.1f} MB, over the {MAX_PAGE_MB} MB a page may weigh "
              f"(fewer frames, runs or a smaller dpi in its players)", file=sys.stderr)
    if total > MAX_SITE_MB:
        print(f"postbuild: ERROR the site is {total:.1f} MB, over {MAX_SITE_MB} MB", file=sys.stderr)
    return 1 if bad or over or total > MAX_SITE_MB else 0


if __name__ == "__main__":
    sys.exit(main())
