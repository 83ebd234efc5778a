"""Read the env's accessibility-tree text back into elements (for scripted and oracle agents)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_LINE = re.compile(
    r'^\s*\[(?P<id>[^\]]+)\] (?P<role>[^\s,]+)(?: (?P<name>"(?:[^"\\]|\\.)*"))?(?P<rest>.*)$'
)
_CENTER = re.compile(r"center=\((-?\d+),(-?\d+)\)")


@dataclass(frozen=True)
class Element:
    """One line of the tree: `[12] button "Send", center=(600,400)`."""

    id: str
    role: str
    name: str
    center: tuple[int, int] | None
    states: str


def parse_axtree(text: str) -> list[Element]:
    """Every element line of an accessibility-tree observation, in document order.

    >>> parse_axtree('[3] button "Send", focused, center=(10,20)')[0].center
    (10, 20)
    """
    out = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        c = _CENTER.search(m["rest"])
        out.append(
            Element(
                m["id"],
                m["role"],
                json.loads(m["name"]) if m["name"] else "",
                (int(c[1]), int(c[2])) if c else None,
                m["rest"],
            )
        )
    return out


def find_element(
    text: str, role: str, name: str, index: int = 0, exact: bool = False
) -> Element | None:
    """The `index`-th element with this role whose name contains `name` (is `name`: `exact`)."""
    hits = [
        e
        for e in parse_axtree(text)
        if e.role == role and (e.name == name if exact else name in e.name)
    ]
    return hits[index] if len(hits) > index else None


# The roles of a dialog, and the names of the buttons that dismiss one, as a person reads them.
DIALOG_ROLES = ("dialog", "alertdialog")
DISMISS_NAMES = ("close", "dismiss", "no thanks", "not now", "reject all", "cancel", "×")


def blocking_dialog(text: str) -> tuple[Element, str] | None:
    """The first modal dialog of the tree (its line says `modal`) and the tree text inside it.

    >>> tree = '[1] dialog "News", modal\\n  [2] button "Close", center=(5,5)\\n[3] link "Inbox"'
    >>> dialog, inside = blocking_dialog(tree)
    >>> dialog.name, inside.strip()
    ('News', '[2] button "Close", center=(5,5)')
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _LINE.match(line)
        if not m or m["role"] not in DIALOG_ROLES or ", modal" not in m["rest"]:
            continue
        return parse_axtree(line)[0], _inside(lines, i)
    return None


def _inside(lines: list[str], i: int) -> str:
    """The tree text below line `i` and indented deeper (what the element holds)."""
    indent = len(lines[i]) - len(lines[i].lstrip())
    inside = []
    for below in lines[i + 1 :]:
        if len(below) - len(below.lstrip()) <= indent:
            break
        inside.append(below)
    return "\n".join(inside)


# The roles of a notification (a toast), and the names of the button that dismisses one.
NOTICE_ROLES = ("status", "alert")
NOTICE_DISMISS_NAMES = ("dismiss notification", "dismiss", "close", "×")


def notice_dismiss_button(text: str) -> Element | None:
    """The dismiss button of the first notification (a `status` or `alert` holding a button
    named `Dismiss notification`, `Close`, …) in the tree, if one is open.

    >>> tree = '[1] status\\n  [2] StaticText "Saved"\\n  [3] button "Dismiss notification"'
    >>> notice_dismiss_button(tree).id
    '3'
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _LINE.match(line)
        if not m or m["role"] not in NOTICE_ROLES:
            continue
        for e in parse_axtree(_inside(lines, i)):
            if e.role == "button" and e.name.strip().lower() in NOTICE_DISMISS_NAMES:
                return e
    return None


def dismiss_button(inside: str) -> Element | None:
    """The button inside a dialog that dismisses it (`Close`, `Not now`, …), if it has one."""
    for name in DISMISS_NAMES:
        for e in parse_axtree(inside):
            if e.role == "button" and e.name.strip().lower() == name:
                return e
    return None
