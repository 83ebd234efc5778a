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
