"""The Chinese edition's message catalogs: extract, update, count, check (issue 24).

One source, two languages. Sphinx's gettext builder cuts every page into messages (a paragraph,
a title, a table cell, a list item) whose ``msgid`` is the English MyST source; the Chinese text
is the ``msgstr`` of the same message in ``locales/zh_CN/LC_MESSAGES/<page>.po``. Code, outputs and
numbers are not messages: the Chinese page replays the English build's (tools/i18n_replay.py).

    python tools/i18n.py update   # _build/gettext/*.pot -> locales/zh_CN/**.po (keeps translations;
                                  #   a changed English message becomes fuzzy, with its old msgid)
    python tools/i18n.py stats    # per page: messages, translated, fuzzy, untranslated, CJK chars
    python tools/i18n.py check    # exit 1, naming page and message, if any message is untranslated,
                                  #   fuzzy or obsolete, or a catalog is missing: the drift test
    python tools/i18n.py dump PAGE > F.txt   # a page's messages as plain text, for translating
    python tools/i18n.py load F.txt          # write F.txt's Chinese back into the catalog, after
                                             #   checking each message keeps its roles, math, code
    python tools/i18n.py book OUT # the book/ folder with every chapter's Markdown in Chinese
                                  #   (code cells byte for byte the same): for JupyterLab and the
                                  #   Chinese student/instructor sets (make workshop, make lab-zh);
                                  #   OUT/bricks-language.txt ("zh") makes the your-turn checker
                                  #   speak Chinese there (bricks.teaching.language)

The .pot files come from ``make gettext`` (Sphinx's gettext builder, replaying the English build,
so nothing executes twice). babel (already a Sphinx dependency) reads and writes the catalogs.
"""

from __future__ import annotations

import argparse
import datetime
import io
import re
import shutil
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT_DIR = ROOT / "_build" / "gettext"
LOCALE = "zh_CN"
PO_DIR = ROOT / "locales" / LOCALE / "LC_MESSAGES"
# The API reference stays English in the Chinese edition: it is the library's docstrings, which
# are also what help() and the ? of JupyterLab show; a translated copy on the site only would
# drift from them. Its landing page (api.md) is translated and says so.
UNTRANSLATED = {"book/appendix/api-layers", "book/appendix/api-quant", "book/appendix/api-tools",
                "book/appendix/api-training"}
FIXED_DATE = datetime.datetime(2026, 12, 6, tzinfo=datetime.timezone.utc)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=LOCALE)


def write_catalog(catalog: Catalog, path: Path) -> None:
    """Write atomically, without line wrapping (one message, one line: diffs stay readable).

    The header's dates are fixed, so a catalog whose messages did not change is not rewritten
    (git shows only real changes).
    """
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, ignore_obsolete=True,
             include_previous=True, sort_output=False)
    if path.exists() and path.read_bytes() == buffer.getvalue():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".po.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def pages(pot_dir: Path = POT_DIR) -> list[str]:
    """Page names ('book/part1-bricks/01-neuron') that have a .pot."""
    names = (str(p.relative_to(pot_dir).with_suffix("")) for p in pot_dir.rglob("*.pot"))
    return sorted(name for name in names if not name.startswith("_") and name not in UNTRANSLATED)


# A message with nothing to translate (math, code, numbers, symbols, AND/OR/XOR) is its own
# translation; update() fills it in, so translators never see it.
_NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\{[a-z:-]+\}`[^`]*`|`[^`]*`|\\[A-Za-z]+", re.DOTALL)


def needs_translation(msgid: str) -> bool:
    """True if the message has English words outside math, code and roles: three lowercase
    letters, or a two-letter word ("In", "is", "ch.") that is not an index ({ij}); acronyms
    (LSTM, ReLU) alone need none."""
    prose = _NOT_PROSE.sub(" ", msgid)
    return bool(re.search(r"[a-z]{3,}|(?<![{_^\\])\b[A-Z]?[a-z]{2}\b(?!\})", prose)) and not msgid.startswith("\n")


def update(pot_dir: Path = POT_DIR, po_dir: Path = PO_DIR) -> None:
    """Merge each page's .pot into its .po: translations kept, new messages empty, changed fuzzy."""
    for page in pages(pot_dir):
        template = read_catalog(pot_dir / f"{page}.pot")
        po_path = po_dir / f"{page}.po"
        if po_path.exists():
            catalog = read_catalog(po_path)
            catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        else:
            catalog = Catalog(locale=LOCALE, project="Neural Bricks", fuzzy=False)
            for message in template:
                if message.id:
                    catalog.add(message.id, "", auto_comments=message.auto_comments)
        for message in catalog:
            if message.id and not needs_translation(message.id) and (message.fuzzy or not message.string):
                message.string = message.id              # math, numbers, symbols: itself, even if changed
                message.flags.discard("fuzzy")
        catalog.fuzzy = False
        write_catalog(catalog, po_path)
    for po_path in po_dir.rglob("*.po"):
        page = str(po_path.relative_to(po_dir).with_suffix(""))
        if not (pot_dir / f"{page}.pot").exists():
            print(f"obsolete catalog (its page is gone): {po_path.relative_to(ROOT)}")


def counts(po_path: Path) -> dict:
    catalog = read_catalog(po_path)
    messages = [m for m in catalog if m.id]
    return {"messages": len(messages),
            "translated": sum(bool(m.string) and not m.fuzzy for m in messages),
            "fuzzy": sum(m.fuzzy for m in messages),
            "untranslated": sum(not m.string for m in messages),
            "cjk": sum(len(CJK.findall(m.string or "")) for m in messages)}


def stats(po_dir: Path = PO_DIR) -> dict:
    total = dict.fromkeys(["messages", "translated", "fuzzy", "untranslated", "cjk"], 0)
    for po_path in sorted(po_dir.rglob("*.po")):
        c = counts(po_path)
        print(f"{str(po_path.relative_to(po_dir)):50s} {c['messages']:5d} msgs "
              f"{c['translated']:5d} done {c['fuzzy']:4d} fuzzy {c['untranslated']:5d} todo "
              f"{c['cjk']:7d} CJK chars")
        for key in total:
            total[key] += c[key]
    print(f"{'total':50s} {total['messages']:5d} msgs {total['translated']:5d} done "
          f"{total['fuzzy']:4d} fuzzy {total['untranslated']:5d} todo {total['cjk']:7d} CJK chars")
    return total


def problems(pot_dir: Path = POT_DIR, po_dir: Path = PO_DIR) -> list[str]:
    """Everything that keeps the Chinese edition from matching the English source."""
    found = []
    for page in pages(pot_dir):
        po_path = po_dir / f"{page}.po"
        if not po_path.exists():
            found.append(f"{page}: no catalog {po_path.relative_to(ROOT)} (run tools/i18n.py update)")
            continue
        template = {m.id for m in read_catalog(pot_dir / f"{page}.pot") if m.id}
        catalog = {m.id: m for m in read_catalog(po_path) if m.id}
        for msgid in template:
            message = catalog.get(msgid)
            short = msgid if len(msgid) < 90 else msgid[:87] + "..."
            if message is None:
                found.append(f"{page}: English message not in the catalog (run tools/i18n.py "
                             f"update, then translate it): {short!r}")
            elif message.fuzzy:
                found.append(f"{page}: fuzzy (the English changed; check the translation, then "
                             f"remove the fuzzy flag): {short!r}")
            elif not message.string:
                found.append(f"{page}: untranslated: {short!r}")
        for msgid in catalog.keys() - template:
            short = msgid if len(msgid) < 90 else msgid[:87] + "..."
            found.append(f"{page}: obsolete message (no longer in the English; run "
                         f"tools/i18n.py update): {short!r}")
    return found


# Where a message may start in MyST Markdown: after a list marker, a heading's #s, a quote's >,
# a definition's ":", a table's "|", a directive's opening fence, or at the start of a line.
_PREFIX = r"(?P<pre>^[ \t]*(?:(?:[-*+]|\d+[.)]|#{1,6}|>|:)[ \t]+|[`:]{3,}\{[a-z-]+\}[ \t]+)*|\|[ \t]*)"
_SUFFIX = r"(?=[ \t]*(?:\||$))"


def translate_markdown(text: str, translations: dict[str, str]) -> tuple[str, set[str]]:
    """The Markdown with every message found replaced by its translation; and the msgids used.

    A msgid is the English source of one paragraph/title/cell with its line breaks made spaces,
    so it is matched word by word across line breaks and indentation, only where a block starts
    and ends (never inside another sentence). Longest first, so a title never eats a paragraph.
    """
    used = set()
    for msgid in sorted(translations, key=len, reverse=True):
        msgstr = translations[msgid]
        if msgstr == msgid or not msgid.strip():
            used.add(msgid)
            continue
        body = r"\s+".join(re.escape(word) for word in msgid.split())
        pattern = re.compile(_PREFIX + body + _SUFFIX, re.MULTILINE)
        text, n = pattern.subn(lambda m: m.group("pre") + msgstr, text)
        if n:
            used.add(msgid)
    return text, used


def page_translations(page: str, po_dir: Path = PO_DIR) -> dict[str, str]:
    """{msgid: msgstr} of a page's translated (non-fuzzy) messages."""
    po_path = po_dir / f"{page}.po"
    if not po_path.exists():
        return {}
    return {m.id: m.string for m in read_catalog(po_path) if m.id and m.string and not m.fuzzy}


# Text only the notebooks show, so no page's catalog holds it (Sphinx never renders it): the
# tools' terms cell (tools/notebooks.py) and Markdown cells tagged remove-cell, which introduce a
# live widget the site replaces with a precomputed one. tests/book/test_i18n.py checks that every
# remove-cell Markdown cell of the book has its Chinese here.
NOTEBOOK_TEXT = {
    "Terms in this chapter": "本章术语",
    "In a running notebook, the cell below retrains the same network live with a dropout rate and "
    "an L2 strength of your choice.":
        "在运行中的 notebook 里，下面的单元格会用你选择的 dropout 比例和 L2 强度实时重新训练同一个网络。",
    "In a running notebook, the cell below plays the same animation for a sequence length of your "
    "choice:": "在运行中的 notebook 里，下面的单元格会按你选择的序列长度播放同样的动画：",
    "In a running notebook, the cell below draws the same picture for any kernel size and dilation "
    "growth:": "在运行中的 notebook 里，下面的单元格可以为任意卷积核大小和空洞率增长方式画出同样的图：",
}


def toc_captions() -> set[str]:
    """The part captions of _toc.yml (Sphinx files them under the root page's messages)."""
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return {m.strip().strip('"') for m in re.findall(r"caption:\s*(.+)", text)}


def translate_book(out: Path, book: Path = ROOT / "book", po_dir: Path = PO_DIR) -> dict:
    """Copy book/ to out/ with every chapter's Markdown cells in Chinese; return the misses.

    Only Markdown outside code cells changes: the notebook's code, tags and metadata are the
    English file's, byte for byte (tests/book/test_i18n.py checks it). The language therefore
    cannot be set in a cell: out/bricks-language.txt says "zh", and the your-turn checker, whose
    kernel JupyterLab starts in the notebook's folder, finds it there or in a parent folder
    (`bricks.teaching.language`; tools/workshop.py copies it into the sets it makes).
    """
    from bricks.teaching.language import MARKER

    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(book, out, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    (out / MARKER).write_text("zh\n", encoding="utf-8")
    misses = {}
    for path in sorted(book.rglob("*.md")):
        page = str(path.relative_to(ROOT).with_suffix(""))
        translations = page_translations(page, po_dir)
        if not translations:
            continue
        # A chapter's "Terms in this chapter" cell copies the glossary's entries (so that {term}
        # resolves in JupyterLab): it takes the glossary page's translations.
        glossary = page_translations("book/appendix/glossary", po_dir) | NOTEBOOK_TEXT
        text = path.read_text(encoding="utf-8")
        parts = re.split(r"(^```\{code-cell\}.*?^```[ \t]*$)", text, flags=re.MULTILINE | re.DOTALL)
        used = set()
        for i in range(0, len(parts), 2):            # even parts: Markdown; odd: code cells
            # the terms cell (from its cell marker on) takes the glossary's words, not the page's
            cut = parts[i].rfind("+++", 0, max(parts[i].find("Terms in this chapter"), 0))
            page_md, terms_md = (parts[i][:cut], parts[i][cut:]) if cut >= 0 else (parts[i], "")
            page_md, hit = translate_markdown(page_md, {**glossary, **translations})
            terms_md, _ = translate_markdown(terms_md, glossary)
            parts[i] = page_md + terms_md
            used |= hit
        (out / path.relative_to(book)).write_text("".join(parts), encoding="utf-8")
        missed = [m for m in translations if m not in used and needs_translation(m)
                  and m not in toc_captions()]       # the parts' captions live in _toc.yml
        if missed:
            misses[page] = missed
    return misses


# What a translation must keep exactly as the English has it: the numbers' roles, the links and
# cross-references, the math and the code (a {term}'s shown text may change: its target may not).
_KEPT = {
    "{eval} role": re.compile(r"\{eval\}`[^`]*`"),
    "{doc}/{ref}/{numref}/{eq} target": re.compile(r"\{(?:doc|ref|numref|eq|download)\}`(?:[^`<]*<)?([^`>]*)>?`"),
    "{term} target": re.compile(r"\{term\}`(?:[^`<]*<)?([^`>]*)>?`"),
    "inline math": re.compile(r"(?<![\\$])\$(?!\$)([^$]+)\$"),
    "inline code": re.compile(r"`([^`]+)`"),
    "link target": re.compile(r"\]\(([^)]+)\)"),
}


_ROLE = re.compile(r"\{[a-z:-]+\}`[^`]*`")


def kept_parts(text: str) -> dict[str, list[str]]:
    """{what: sorted occurrences} of everything a translation must keep."""
    found = {what: sorted(m.group(m.lastindex or 0) for m in _KEPT[what].finditer(text))
             for what in ("{eval} role", "{doc}/{ref}/{numref}/{eq} target", "{term} target")}
    plain = _ROLE.sub(" ", text)              # math and code are looked for outside the roles
    for what in ("inline math", "inline code", "link target"):
        found[what] = sorted(m.group(1) for m in _KEPT[what].finditer(plain))
    return found


def structure_errors(msgid: str, msgstr: str) -> list[str]:
    """What the translation lost or added compared with the English (empty when it is faithful)."""
    errors = []
    english, chinese = kept_parts(msgid), kept_parts(msgstr)
    for what in _KEPT:
        if english[what] != chinese[what]:
            lost = [x for x in english[what] if x not in chinese[what]]
            added = [x for x in chinese[what] if x not in english[what]]
            errors.append(f"{what}: English has {len(english[what])}, translation "
                          f"{len(chinese[what])}" + (f"; lost {lost[:3]}" if lost else "")
                          + (f"; added {added[:3]}" if added else ""))
    return errors


MARK = "@@"


def dump(page: str, todo_only: bool = False, po_dir: Path = PO_DIR) -> str:
    """A page's messages as text: '@@ en N' / English / '@@ zh N' / Chinese (empty if todo)."""
    out = [f"{MARK} page {page}"]
    for n, message in enumerate(m for m in read_catalog(po_dir / f"{page}.po") if m.id):
        if todo_only and message.string and not message.fuzzy:
            continue
        if not needs_translation(message.id) and not message.fuzzy:
            continue
        out += [f"{MARK} en {n}", message.id, f"{MARK} zh {n}", message.string or ""]
    return "\n".join(out) + "\n"


def load(text: str, po_dir: Path = PO_DIR) -> list[str]:
    """Write the Chinese of a dump into its catalog; return the problems (nothing written if any)."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith(f"{MARK} page "):
        return [f"the first line must be '{MARK} page <page>'"]
    page = lines[0].split(" ", 2)[2].strip()
    blocks, key, buf = {}, None, []
    for line in lines[1:] + [f"{MARK} end -1"]:
        if line.startswith(f"{MARK} en ") or line.startswith(f"{MARK} zh ") or line.startswith(f"{MARK} end"):
            if key:
                blocks[key] = "\n".join(buf).strip("\n") if key[0] == "zh" else "\n".join(buf)
            _, kind, n = line.split(" ", 2)
            key, buf = (kind, int(n)), []
        else:
            buf.append(line)
    po_path = po_dir / f"{page}.po"
    catalog = read_catalog(po_path)
    by_id = {m.id: m for m in catalog if m.id}
    problems = []
    for (kind, n), zh in blocks.items():
        if kind != "zh" or not zh.strip():
            continue
        english = blocks.get(("en", n))
        message = by_id.get(english)
        if message is None:
            problems.append(f"{page} #{n}: its English is not in the catalog (edited here, or "
                            f"changed in the book since the dump): {str(english)[:100]!r}")
            continue
        for error in structure_errors(message.id, zh):
            problems.append(f"{page} #{n}: {error}\n    en: {message.id[:160]}\n    zh: {zh[:160]}")
        message.string = zh
        message.flags.discard("fuzzy")
    if not problems:
        write_catalog(catalog, po_path)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "stats", "check", "book", "dump", "load"])
    parser.add_argument("out", nargs="?", help="book: the folder to write; dump: the page; load: the file")
    parser.add_argument("--todo", action="store_true", help="dump: only untranslated or fuzzy messages")
    args = parser.parse_args(argv)
    if args.command == "dump":
        sys.stdout.write(dump(args.out, todo_only=args.todo))
        return 0
    if args.command == "load":
        found = load(Path(args.out).read_text(encoding="utf-8"))
        for line in found:
            print(line)
        print(f"i18n load: {len(found)} problem(s)" + (" (nothing written)" if found else ", written"))
        return 1 if found else 0
    if args.command == "book":
        misses = translate_book(Path(args.out))
        for page, missed in misses.items():
            for msgid in missed:
                print(f"{page}: not found in the Markdown: {msgid[:80]!r}")
        print(f"i18n book: Chinese chapters in {args.out}; {sum(map(len, misses.values()))} "
              "translated message(s) not placed (their English changed: run make gettext and "
              "tools/i18n.py update, then translate the fuzzy messages)")
        return 0
    if args.command == "update":
        update()
        return 0
    if args.command == "stats":
        stats()
        return 0
    found = problems()
    for line in found:
        print(line)
    print(f"i18n check: {len(found)} problem(s) in {len(pages())} pages")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
