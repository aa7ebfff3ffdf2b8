"""The Chinese edition's catalogs (issue 24): faithful, consistent, and never silently behind.

What runs here is fast (no build): every catalog parses; every translation keeps the English
message's numbers ({eval}), cross-references, math, code and glossary links (tools/i18n.py
structure_errors); glossary terms are shown by their Chinese name from the book's own glossary;
the Chinese chapters for JupyterLab have the English code byte for byte and every translated
message placed. The drift test proper (every English message of the current sources has a
current translation) runs in `make book`, after Sphinx's gettext builder, as `tools/i18n.py check`;
test_drift_is_caught shows it on a deliberate change.
"""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import i18n  # noqa: E402
import zh_search  # noqa: E402

CATALOGS = sorted(i18n.PO_DIR.rglob("*.po"))
GLOSSARY = ROOT / "book" / "appendix" / "glossary.md"


def test_there_is_a_catalog_for_every_page():
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").rglob("*.md")}
    translated = {str(p.relative_to(i18n.PO_DIR).with_suffix("")) for p in CATALOGS}
    assert pages - i18n.UNTRANSLATED - translated == set(), "pages without a zh catalog"
    assert translated - pages == set(), "catalogs whose page is gone"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.stem)
def test_every_translation_keeps_numbers_links_math_and_code(po):
    bad = []
    for message in i18n.read_catalog(po):
        if message.id and message.string and not message.fuzzy:   # fuzzy: i18n.py check reports it
            bad += [f"{error}: {message.id[:70]!r}" for error in i18n.structure_errors(message.id, message.string)]
    assert bad == [], f"{po.name}: {len(bad)} translation(s) changed what must be kept:\n" + "\n".join(bad[:10])


def glossary_chinese():
    """{english term (lower case): [Chinese names]} from the glossary's 'term\\n  中文 · definition'."""
    names, pending = {}, []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if re.match(r"^[^\s`:#].*", line) and "·" not in line:
            pending.append(line.strip().lower())
        elif line.startswith("  ") and "·" in line and pending:
            chinese = line.split("·")[0].strip()
            alternatives = [chinese] + [c.strip() for c in re.split(r"[/、,，]", chinese) if c.strip()]
            alternatives += [re.sub(r"（[^）]*）|\([^)]*\)", "", a).strip() for a in alternatives]
            for term in pending:
                names[term] = alternatives
            pending = []
        elif not line.strip():
            pending = [] if not pending else pending
    return names


TERM_ROLE = re.compile(r"\{term\}`(?:([^`<]*?)\s*<)?([^`>]*)>?`")


def test_glossary_terms_use_the_glossary_chinese_name():
    names = glossary_chinese()
    assert len(names) > 60, "the glossary parser found too few terms"
    bad = []
    for po in CATALOGS:
        if po.stem == "glossary":
            continue
        for message in i18n.read_catalog(po):
            if not (message.id and message.string) or message.fuzzy:
                continue
            for shown, target in ((m.group(1) or m.group(2), m.group(2)) for m in TERM_ROLE.finditer(message.string)):
                chinese = names.get(target.strip().lower())
                if not chinese or not i18n.CJK.search("".join(chinese)):
                    continue          # a name the glossary keeps in English (Transformer)
                if shown.strip() == target.strip() and len(re.findall(r"[A-Z]", target)) >= 2:
                    continue          # an acronym shown as itself (XOR, GRU, ICIR, ReLU), as Chinese texts do
                names_kept = set(re.findall(r"[A-Za-z0-9]{2,}", shown))
                if names_kept and names_kept <= set(target.split()) and names_kept != set(target.split()):
                    continue          # a proper name kept from the term (Glorot 初始化, L1): more precise
                latin = {w.lower() for c in chinese for w in re.findall(r"[A-Za-z]{2,}", c)}
                shown_latin = set(re.findall(r"[a-z]{2,}", shown.lower()))
                if not any(c in message.string for c in chinese) and not latin & shown_latin:
                    bad.append(f"{po.stem}: {{term}} {target!r} shown as {shown!r}, glossary says {chinese}")
    assert bad == [], f"{len(bad)} term(s) not named as the glossary names them:\n" + "\n".join(bad[:15])


def test_structure_errors_name_what_was_lost():
    english = 'From step {eval}`num("ch01_first_right")` on, $w$ and `Dense` see {doc}`02a-cross-entropy`.'
    faithful = '从第 {eval}`num("ch01_first_right")` 步起，$w$ 和 `Dense` 见 {doc}`02a-cross-entropy`。'
    assert i18n.structure_errors(english, faithful) == []
    typed_number = '从第 8 步起，$w$ 和 `Dense` 见 {doc}`02a-cross-entropy`。'
    assert any("{eval}" in e for e in i18n.structure_errors(english, typed_number))
    lost_math = '从第 {eval}`num("ch01_first_right")` 步起，w 和 `Dense` 见 {doc}`02a-cross-entropy`。'
    assert any("inline math" in e and "'w'" in e for e in i18n.structure_errors(english, lost_math))
    retarget = '从第 {eval}`num("ch01_first_right")` 步起，$w$ 和 `Dense` 见 {doc}`02-backprop-by-hand`。'
    assert any("{doc}" in e for e in i18n.structure_errors(english, retarget))
    term_en, term_zh = "The {term}`bias` moves it.", "{term}`偏置 <bias>` 使它移动。"
    assert i18n.structure_errors(term_en, term_zh) == []
    assert i18n.structure_errors(term_en, "{term}`偏置 <weight>` 使它移动。") != []


def test_drift_is_caught(tmp_path):
    """A changed English paragraph makes the check fail, naming the page and the message."""
    pot_dir, po_dir = tmp_path / "pot", tmp_path / "po"
    (pot_dir / "book").mkdir(parents=True)
    pot = pot_dir / "book" / "page.pot"
    pot.write_text('msgid ""\nmsgstr ""\n\nmsgid "The line decides."\nmsgstr ""\n\nmsgid "AND"\nmsgstr ""\n',
                   encoding="utf-8")
    i18n.update(pot_dir, po_dir)
    catalog = i18n.read_catalog(po_dir / "book" / "page.po")
    catalog["The line decides."].string = "直线决定一切。"
    i18n.write_catalog(catalog, po_dir / "book" / "page.po")
    assert i18n.problems(pot_dir, po_dir) == []            # translated ("AND" filled in by update)
    pot.write_text(pot.read_text(encoding="utf-8").replace("The line decides.", "The line alone decides."),
                   encoding="utf-8")
    found = i18n.problems(pot_dir, po_dir)
    assert any("book/page" in f and "The line alone decides." in f and "not in the catalog" in f for f in found)
    assert any("obsolete" in f for f in found)
    i18n.update(pot_dir, po_dir)                           # merged: now a fuzzy message, still reported
    found = i18n.problems(pot_dir, po_dir)
    assert len(found) == 1 and "fuzzy" in found[0]


def test_markdown_translation_places_every_block():
    md = ("# The same neuron as a brick\n\nIn `bricks` this neuron is\na dense layer.\n\n"
          "- the first item\n  goes on\n\n| AND | bias term |\n|---|---|\n| 0 | 1 |\n")
    translations = {"The same neuron as a brick": "同一个神经元，作为积木",
                    "In `bricks` this neuron is a dense layer.": "在 `bricks` 里，这个神经元是一个全连接层。",
                    "the first item goes on": "第一项继续", "bias term": "偏置项", "AND": "AND"}
    out, used = i18n.translate_markdown(md, translations)
    assert used == set(translations)
    assert "# 同一个神经元，作为积木" in out and "- 第一项继续" in out and "| AND | 偏置项 |" in out
    assert "在 `bricks` 里" in out


def test_chinese_chapters_keep_the_code_and_place_every_message(tmp_path):
    misses = i18n.translate_book(tmp_path / "book")
    assert misses == {}, f"translated messages not found in the Markdown: {misses}"
    fence = re.compile(r"^```\{code-cell\}.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
    for english in (ROOT / "book").rglob("*.md"):
        chinese = tmp_path / "book" / english.relative_to(ROOT / "book")
        assert fence.findall(english.read_text(encoding="utf-8")) == fence.findall(chinese.read_text(encoding="utf-8"))


def test_search_pairs_chinese_characters():
    assert zh_search.cjk_terms("梯度消失 and LSTM 的门") == ["梯度", "度消", "消失", "的门"]
    assert zh_search.cjk_terms("门") == ["门"]


def test_notebook_only_markdown_has_its_chinese(tmp_path):
    """Markdown cells tagged remove-cell show only in notebooks, so no catalog holds them: each
    must have its Chinese in i18n.NOTEBOOK_TEXT, and the Chinese chapters must carry it."""
    import jupytext
    missing = []
    for path in sorted((ROOT / "book").rglob("*.md")):
        for cell in jupytext.read(path).cells:
            if cell.cell_type == "markdown" and "remove-cell" in cell.metadata.get("tags", []):
                text = " ".join(cell.source.split())
                if "Terms in this chapter" not in text and text not in i18n.NOTEBOOK_TEXT:
                    missing.append(f"{path.relative_to(ROOT)}: {text[:80]!r}")
    assert not missing, f"remove-cell Markdown without Chinese in tools/i18n.py NOTEBOOK_TEXT: {missing}"
    i18n.translate_book(tmp_path / "book")
    chapter = (tmp_path / "book" / "part3-sequences" / "10-lstm-and-gru.md").read_text(encoding="utf-8")
    assert "In a running notebook" not in chapter and "按你选择的序列长度播放" in chapter
