"""The formatting a document's text carries, and its rendering.

A document is stored as text with light markup, so every text task reads it as it is and the
formatting is still there to check: `# ` starts a heading (`## `, `### ` smaller), `- ` a bulleted
item, `1. ` a numbered one, `**bold**` and `*italic*` inside a line. Blocks are separated by a
blank line, as paragraphs are.

>>> str(render("# Plan\\n\\nShip **now**, *maybe*.\\n\\n- one\\n- two"))
'<h1>Plan</h1><p>Ship <strong>now</strong>, <em>maybe</em>.</p><ul><li>one</li><li>two</li></ul>'
>>> plain("# Plan\\n\\n- **one**")
'Plan\\n\\none'
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

HEADING = re.compile(r"^(#{1,3}) (.*)$")
BULLET = re.compile(r"^[-*] (.*)$")
NUMBERED = re.compile(r"^\d+\. (.*)$")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def blocks(text: str) -> list[str]:
    return [b for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]


def _kind(line: str) -> str:
    if HEADING.match(line):
        return "heading"
    if BULLET.match(line):
        return "ul"
    return "ol" if NUMBERED.match(line) else "p"


def render(text: str) -> Markup:
    """The document as HTML: a heading line is a heading, runs of list items are lists, other
    runs of lines are paragraphs; bold and italic inside."""
    out = []
    for block in blocks(text):
        run: list[str] = []
        kind = ""
        for line in [*block.split("\n"), ""]:  # "" flushes the last run
            new = _kind(line) if line else ""
            if run and (new != kind or kind == "heading"):
                if kind == "heading":
                    m = HEADING.match(run[0])
                    assert m is not None
                    out.append(f"<h{len(m[1])}>{_inline(m[2])}</h{len(m[1])}>")
                elif kind in ("ul", "ol"):
                    pattern = BULLET if kind == "ul" else NUMBERED
                    items = [_inline(m[1]) for x in run if (m := pattern.match(x))]
                    out.append(f"<{kind}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{kind}>")
                else:
                    out.append("<p>" + "<br>".join(_inline(x) for x in run) + "</p>")
                run = []
            if line:
                run.append(line)
                kind = new
    return Markup("".join(out))  # every piece of text was escaped above


def plain(text: str) -> str:
    """The words without the markup: what a reader sees, for checking content."""
    out = []
    for block in blocks(text):
        lines = []
        for line in block.split("\n"):
            for pattern in (HEADING, BULLET, NUMBERED):
                if m := pattern.match(line):
                    line = m[m.lastindex or 1]
                    break
            lines.append(_ITALIC.sub(r"\1", _BOLD.sub(r"\1", line)))
        out.append("\n".join(lines))
    return "\n\n".join(out)
