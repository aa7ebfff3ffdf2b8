"""Sphinx extension for the API pages: bricks' plain-text docstrings to safe reStructuredText.

bricks' docstrings are written for people reading source and `help()`: a paragraph,
equations such as `dx = g * W^T` or `|w|`, Google-style `Args:` / `Returns:` sections and
Keras-style `Input shape:` / `Output shape:` sections. Read as reST, the `*`, `|` and `_`
become broken markup and the build (warnings are errors) fails; napoleon would also read
`text: more text` lines as types (nitpick errors). This hook, used instead of napoleon,
rewrites each docstring:

- prose: reST inline markup escaped, `code` in single backticks shown as code;
- an indented block under prose (an equation, a shape table): a plain-text code block;
- `Args:`-like sections: a list of ``name`` -- description; `Returns:`-like: a paragraph;
- `Example:` sections: a `pycon` code block; any other `Header:` section: a text block.
The result is valid reST, so the docstring's content is shown as written, with no
warning and no guessed cross-reference.
"""
import re

ARG_SECTIONS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments",
                "kwargs", "attributes", "raises", "other parameters", "methods"}
PROSE_SECTIONS = {"returns", "return", "yields", "yield", "note", "notes", "warning", "warnings",
                  "see also", "references", "todo"}
CODE_SECTIONS = {"example", "examples", "usage"}
HEADER = re.compile(r"^([A-Z][A-Za-z0-9 /()_-]{0,40}):\s*$")
INLINE = re.compile(r"^([A-Z][A-Za-z0-9 /()_-]{0,30}):\s+(\S.*)$")  # "Input shape: (N, D)."
ITEM = re.compile(r"^(\*{0,2}[A-Za-z_][\w.*, ()\[\]/|-]*?)\s*:\s+(.*)$")
TICKS = re.compile(r"`{1,2}([^`\n]+?)`{1,2}")


def escape(text):
    """Escape reST inline markup in one line of prose; `x` and ``x`` become inline code."""
    parts, last = [], 0
    for m in TICKS.finditer(text):
        parts.append(_escape_plain(text[last:m.start()]))
        code = m.group(1).strip()
        before = "\\ " if m.start() > 0 and text[m.start() - 1].isalnum() else ""
        after = "\\ " if m.end() < len(text) and text[m.end()].isalnum() else ""
        parts.append(f"{before}``{code}``{after}" if code else "")
        last = m.end()
    parts.append(_escape_plain(text[last:]))
    return "".join(parts)


def _escape_plain(text):
    text = text.replace("\\", "\\\\")
    for ch in "*|_[]`:":
        text = text.replace(ch, "\\" + ch)
    return text


def _indent(line):
    return len(line) - len(line.lstrip())


def _code_block(lines, language):
    body = [ln for ln in lines]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    if not body:
        return []
    base = min(_indent(ln) for ln in body if ln.strip())
    return ["", f".. code-block:: {language}", ""] + ["   " + ln[base:] if ln.strip() else "" for ln in body] + [""]


def _prose(lines, summary=False):
    """Paragraphs of prose; indented sub-blocks become text code blocks; '- ' lines a bullet list.

    `Label: text` lines become a bold label, except the summary line of the docstring.
    """
    out, i = [], 0
    base = min((_indent(ln) for ln in lines if ln.strip()), default=0)
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            out.append("")
            i += 1
        elif _indent(line) > base:  # an equation or a table under the text
            j = i
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > base):
                j += 1
            out += _code_block(lines[i:j], "text")
            i = j
        elif line.lstrip().startswith(("- ", "* ", ">>> ")):
            if line.lstrip().startswith(">>> "):
                j = i
                while j < len(lines) and lines[j].strip():
                    j += 1
                out += _code_block(lines[i:j], "pycon")
                i = j
                continue
            item = [line.lstrip()[2:].strip()]
            i += 1
            while i < len(lines) and lines[i].strip() and not lines[i].lstrip().startswith(("- ", "* ")) \
                    and _indent(lines[i]) >= base:
                item.append(lines[i].strip())
                i += 1
            if out and out[-1] != "" and not out[-1].startswith("* "):
                out.append("")
            out.append("* " + escape(" ".join(item)))
            if i < len(lines) and lines[i].strip() and not lines[i].lstrip().startswith(("- ", "* ")):
                out.append("")
        elif not (summary and i == 0) and INLINE.match(line.strip()) and _indent(line) == base \
                and len(INLINE.match(line.strip()).group(1).split()) <= 3:  # "Input shape: (N, D)."
            label, text = INLINE.match(line.strip()).groups()
            i += 1
            while i < len(lines) and lines[i].strip() and _indent(lines[i]) == base \
                    and not INLINE.match(lines[i].strip()) and not lines[i].lstrip().startswith(("- ", "* ", ">>>")):
                text += " " + lines[i].strip()  # the paragraph goes on
                i += 1
            out += ["", f"**{escape(label)}:** {escape(text)}", ""]
        else:
            if out and out[-1].startswith("* "):
                out.append("")
            out.append(escape(line.strip()))
            i += 1
    return out


def _items(lines):
    """`name: description` items (continuations indented) as a bullet list."""
    out, item = [], None
    base = min((_indent(ln) for ln in lines if ln.strip()), default=0)
    for line in lines:
        if not line.strip():
            continue
        m = ITEM.match(line.strip())
        if _indent(line) == base and m:
            if item:
                out.append(item)
            item = [m.group(1), m.group(2)]
        elif item:
            item[1] += " " + line.strip()
        else:
            item = ["", line.strip()]
    if item:
        out.append(item)
    rendered = []
    for name, desc in out:
        rendered.append(f"* ``{name.strip()}`` -- {escape(desc)}" if name else f"* {escape(desc)}")
    return [""] + rendered + [""]


def convert(lines):
    """The reST for a docstring given as a list of (dedented) lines.

    A section is a `Header:` line at indent 0 and the indented lines under it; the next
    unindented line returns to prose.
    """
    sections, current, header = [], [], None
    for line in lines:
        m = HEADER.match(line)
        if m and _indent(line) == 0:
            sections.append((header, current))
            header, current = m.group(1), []
        elif header is not None and line.strip() and _indent(line) == 0:
            sections.append((header, current))
            header, current = None, [line]
        else:
            current.append(line)
    sections.append((header, current))
    out = []
    for k, (header, body) in enumerate(sections):
        if header is None:
            out += _prose(body, summary=k == 0)
            continue
        key = header.lower()
        out += ["", f".. rubric:: {header}", ""]
        if key in ARG_SECTIONS:
            out += _items(body)
        elif key in CODE_SECTIONS:
            lang = "pycon" if any(ln.lstrip().startswith(">>>") for ln in body) else "python"
            out += _code_block(body, lang)
        elif key in PROSE_SECTIONS:
            out += _prose(body)
        else:  # Input shape, Output shape, Weights, ...: shown as written
            out += _code_block(body, "text")
    while out and not out[0].strip():
        out.pop(0)
    return out


def process_docstring(app, what, name, obj, options, lines):
    if not name.startswith("bricks"):
        return
    new = convert(list(lines))
    lines[:] = new


def setup(app):
    app.connect("autodoc-process-docstring", process_docstring, priority=100)  # before any other hook
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
