"""A subset of Noto Sans SC with only the Chinese characters the book uses, for the offline site.

    python tools/cjk_font.py            # rewrite book/_static/fonts/ from the installed font
    python tools/cjk_font.py --check    # exit 1 if a character of the book is missing

The site must render Chinese (the glossary's terms, 梯度消失) on a machine without a CJK
font and without the internet, so it ships its own: the glyphs of every CJK character in
book/**/*.md (plus _toc.yml, _config.yml, the page template and the Chinese edition's
catalogs locales/**/*.po), cut from Noto Sans CJK SC Regular (Debian's
`fonts-noto-cjk`, SIL Open Font License 1.1, which allows subsetting and redistribution;
Noto reserves no font name) with fontTools, saved as WOFF (zlib; WOFF2 would need brotli)
in book/_static/fonts/ with the licence beside it. neural-bricks.css loads it by
@font-face with a unicode-range, so the browser uses it for those characters only. The
subset is committed (under 0.5 kB a character): building the site does not need the
full font; tests/book/test_cjk_font.py fails when the book gains a character it lacks.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "book" / "_static" / "fonts"
FONT_FILE = "bricks-cjk.woff"
SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_NAME = "Noto Sans CJK SC"
COPYRIGHT = pathlib.Path("/usr/share/doc/fonts-noto-cjk/copyright")
# CJK punctuation, Hiragana/Katakana, CJK extension A, unified ideographs, compatibility
# ideographs, full-width forms: the same ranges as the @font-face unicode-range.
CJK = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
UNICODE_RANGE = "U+3000-30FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF"


def book_characters(root=ROOT):
    """Every CJK character in the book's sources, sorted."""
    files = [*sorted((root / "book").rglob("*.md")), root / "_toc.yml", root / "_config.yml",
             *sorted((root / "book" / "_templates").rglob("*.html")),
             *sorted((root / "locales").rglob("*.po"))]       # the Chinese edition (issue 24)
    chars = set()
    for f in files:
        if f.is_file() and "_build" not in f.parts:
            chars |= set(CJK.findall(f.read_text(encoding="utf-8")))
    return sorted(chars)


def font_characters(path=OUT / FONT_FILE):
    """The characters the subset has a glyph for (its cmap)."""
    from fontTools.ttLib import TTFont

    return {chr(c) for c in TTFont(str(path))["cmap"].getBestCmap()}


def _font_number(source):
    from fontTools.ttLib import TTCollection

    names = [f["name"].getDebugName(1) for f in TTCollection(str(source)).fonts]
    if SOURCE_NAME not in names:
        raise SystemExit(f"cjk_font: {SOURCE_NAME!r} not in {source} (fonts: {names})")
    return names.index(SOURCE_NAME)


def _licence(copyright_line):
    """The font's copyright and the OFL text from Debian's copyright file (its indented block)."""
    text = COPYRIGHT.read_text(encoding="utf-8") if COPYRIGHT.is_file() else ""
    block = re.search(r"^License: SIL-1\.1\n( -+\n.*?)(?=^License: |\Z)", text, re.S | re.M)
    lines = [line[1:] for line in (block.group(1) if block else "").splitlines()]
    body = "\n".join("" if line == "." else line for line in lines)
    return (f"{FONT_FILE} is a subset of {SOURCE_NAME} Regular, cut to the characters the book\n"
            f"uses by tools/cjk_font.py (fontTools), from Debian's fonts-noto-cjk package.\n"
            f"{copyright_line}\n"
            f"It is licensed under the SIL Open Font License, Version 1.1:\n\n{body}\n")


def build(source=SOURCE):
    """Write the subset and its licence into book/_static/fonts; return the characters."""
    from fontTools import subset

    chars = book_characters()
    if not source.is_file():
        raise SystemExit(f"cjk_font: {source} is missing: `apt-get install fonts-noto-cjk` first")
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.font_number = _font_number(source)
    font = subset.load_font(str(source), options)
    sub = subset.Subsetter(options)
    sub.populate(text="".join(chars))
    sub.subset(font)
    OUT.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(OUT / FONT_FILE), options)
    licence = _licence(font["name"].getDebugName(0) or "")
    (OUT / "LICENSE-NotoSansCJK.txt").write_text(licence, encoding="utf-8")
    return chars


def main(argv):
    if "--check" in argv:
        missing = sorted(set(book_characters()) - font_characters())
        if missing:
            print(f"cjk_font: {len(missing)} characters missing from the subset: {''.join(missing)}; "
                  f"run `python tools/cjk_font.py`", file=sys.stderr)
            return 1
        print(f"cjk_font: all {len(book_characters())} CJK characters of the book are in the subset")
        return 0
    chars = build()
    size = (OUT / FONT_FILE).stat().st_size
    print(f"cjk_font: {len(chars)} characters, {size / 1e3:.0f} kB in {OUT / FONT_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
