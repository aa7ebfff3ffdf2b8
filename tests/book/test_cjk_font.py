"""The CJK font subset (tools/cjk_font.py): every Chinese character of the book has a glyph."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("cjk_font", ROOT / "tools" / "cjk_font.py")
cjk_font = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cjk_font)


def test_glossary_characters_are_in_the_subset():
    glossary = (ROOT / "book" / "appendix" / "glossary.md").read_text(encoding="utf-8")
    used = set(cjk_font.CJK.findall(glossary))
    assert len(used) >= 20 and "梯" in used  # 梯度消失, the vanishing gradient
    missing = used - cjk_font.font_characters()
    assert not missing, f"glossary characters without a glyph: {''.join(sorted(missing))} (run tools/cjk_font.py)"


def test_every_cjk_character_of_the_book_is_in_the_subset():
    missing = set(cjk_font.book_characters()) - cjk_font.font_characters()
    assert not missing, f"missing from book/_static/fonts/{cjk_font.FONT_FILE}: {''.join(sorted(missing))}; " \
                        "run `python tools/cjk_font.py` (needs Debian's fonts-noto-cjk)"


def test_the_font_is_small_licensed_and_loaded_by_the_css():
    font = ROOT / "book" / "_static" / "fonts" / cjk_font.FONT_FILE
    # The Chinese edition uses ~1,200 distinct characters (issue 24): under 0.5 kB a character, and
    # under 1.5 MB in all (a browser fetches it once for the site, and only for pages with Chinese).
    assert font.stat().st_size < 500 * len(cjk_font.font_characters()) and font.stat().st_size < 1_500_000
    licence = (font.parent / "LICENSE-NotoSansCJK.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Noto Sans CJK SC" in licence
    css = (ROOT / "book" / "_static" / "neural-bricks.css").read_text(encoding="utf-8")
    assert f'url("fonts/{cjk_font.FONT_FILE}")' in css and cjk_font.UNICODE_RANGE in css
