"""The page as an rrweb recording saw it: the node tree of its snapshots and mutations, and the
events array inside a session-replay service's export.

rrweb names every node by an id (rrweb-snapshot's serializedNodeWithId). A same-origin iframe's
document is serialized as the child of its `<iframe>` element (a node of type Document, with
`rootId`), a shadow root's children as children of their host with `isShadow`. So the tree
knows, for an event's node, which frame it is in and which document a selector must be
resolved in.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from officegym.replayer.importers._common import ImportFormatError, expect, number

DOCUMENT, ELEMENT, TEXT = 0, 2, 3  # rrweb-snapshot NodeType
FRAME_TAGS = ("iframe", "frame")
ENVELOPE_KEYS = ("events", "snapshots", "data", "recording", "payload", "rrwebEvents", "session")
PLAIN_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_TEXT_CHARS = 120


@dataclass
class _Node:
    kind: int  # rrweb NodeType: 0 document, 2 element, 3 text, …
    tag: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    text: str = ""
    shadow: bool = False  # a child of its parent's shadow root (rrweb's isShadow)


_NOTHING = _Node(-1)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Tree:
    """The page's nodes as rrweb saw them, kept current through mutations."""

    def __init__(self) -> None:
        self.nodes: dict[int, _Node] = {}
        self.root: int | None = None
        # Each frame element's index among its document's frames, until the tree changes:
        # every move inside an iframe asks, and finding it walks the document.
        self._frame_index: dict[int, int] = {}

    def load(self, node: Any, parent: int | None, where: str = "", position: str = "") -> None:
        """Add a serialised node and its subtree under `parent`.

        Raises:
            ImportFormatError: a node would be its own parent or ancestor (an id used again
                higher up): a tree with a cycle has no selectors, and walking it never ends.
        """
        self._frame_index.clear()
        stack = [(node, parent)]
        while stack:  # iterative: a deep page must not exhaust the Python stack
            raw, up = stack.pop()
            if not isinstance(raw, dict) or number(raw.get("id")) is None:
                continue
            node_id = int(raw["id"])
            if node_id in self.nodes and up is not None and node_id in self.ancestry(up):
                problem = f"node {node_id} would be its own ancestor (a node-id cycle)"
                raise ImportFormatError(where, None, position or None, problem)
            attrs = _object(raw.get("attributes"))
            self.nodes[node_id] = _Node(
                kind=int(number(raw.get("type")) or 0),
                tag=str(raw.get("tagName", "")).lower(),
                attrs={str(k): str(v) for k, v in attrs.items() if v is not None},
                parent=up,
                text=str(raw.get("textContent", "")) if raw.get("type") == TEXT else "",
                shadow=raw.get("isShadow") is True,
            )
            if up is not None and up in self.nodes and node_id not in self.nodes[up].children:
                self.nodes[up].children.append(node_id)
            kids = raw.get("childNodes")
            if isinstance(kids, list):
                stack.extend((kid, node_id) for kid in reversed(kids))

    def add(
        self, parent: int, next_id: int | None, node: Any, where: str = "", position: str = ""
    ) -> None:
        if parent not in self.nodes or not isinstance(node, dict):
            return
        new = int(node["id"]) if number(node.get("id")) is not None else None
        old_parent = self.nodes[new].parent if new in self.nodes else None
        self.load(node, parent, where, position)  # refuses a node added inside itself
        if new is None or new not in self.nodes:
            return
        if old_parent in self.nodes and old_parent != parent:  # moved: not a child there now
            with contextlib.suppress(ValueError):
                self.nodes[old_parent].children.remove(new)
        kids = self.nodes[parent].children
        if new in kids:
            kids.remove(new)
        kids.insert(kids.index(next_id) if next_id in kids else len(kids), new)

    def remove(self, node_id: int) -> None:
        self._frame_index.clear()
        node = self.nodes.pop(node_id, None)
        if node is None:
            return
        if node.parent in self.nodes and node_id in self.nodes[node.parent].children:
            self.nodes[node.parent].children.remove(node_id)
        stack = list(node.children)
        while stack:
            stack.extend(self.nodes.pop(stack.pop(), _NOTHING).children)

    def mutate(self, data: dict[str, Any], where: str, position: str) -> None:
        """Apply an rrweb mutation: removes, adds, attributes, texts.

        Raises:
            ImportFormatError: one of its lists is something else: the tree would be wrong
                from here on, and so every later selector.
        """

        def changes(key: str) -> list[Any]:
            value = data.get(key)
            return [] if value is None else expect(value, list, where, f"{position}.data.{key}")

        for item in changes("removes"):
            if isinstance(item, dict) and number(item.get("id")) is not None:
                self.remove(int(item["id"]))
        for item in changes("adds"):
            if isinstance(item, dict) and number(item.get("parentId")) is not None:
                next_id = number(item.get("nextId"))
                self.add(
                    int(item["parentId"]),
                    int(next_id) if next_id is not None else None,
                    item.get("node"),
                    where,
                    f"{position}.data.adds",
                )
        for item in changes("attributes"):
            node = (
                self.nodes.get(int(number(item.get("id")) or -1))
                if isinstance(item, dict)
                else None
            )
            if node is not None and isinstance(item.get("attributes"), dict):
                for name, value in item["attributes"].items():
                    if value is None:
                        node.attrs.pop(str(name), None)
                    elif isinstance(value, str):
                        node.attrs[str(name)] = value
        for item in changes("texts"):
            node = (
                self.nodes.get(int(number(item.get("id")) or -1))
                if isinstance(item, dict)
                else None
            )
            if node is not None and isinstance(item.get("value"), str):
                node.text = item["value"]

    def edits_editable(self, data: dict[str, Any]) -> bool:
        """Whether a mutation changes text inside a contenteditable element (a text change,
        or a node added or removed there)."""
        texts, adds, removes = (data.get(k) for k in ("texts", "adds", "removes"))
        places = (
            [t.get("id") for t in texts if isinstance(t, dict)] if isinstance(texts, list) else []
        )
        for items in (adds, removes):
            if isinstance(items, list):
                places += [i.get("parentId") for i in items if isinstance(i, dict)]
        return any(self._editable(int(n)) for p in places if (n := number(p)) is not None)

    def ancestry(self, node_id: int) -> list[int]:
        """The node and its ancestors, nearest first. Bounded by the node count: `load`
        refuses cycles, and this walk must end even if one got in."""
        out: list[int] = []
        current: int | None = node_id
        while current is not None and current in self.nodes and len(out) <= len(self.nodes):
            out.append(current)
            current = self.nodes[current].parent
        return out

    def _editable(self, node_id: int) -> bool:
        for current in (self.nodes[n] for n in self.ancestry(node_id)):
            value = current.attrs.get("contenteditable")
            if value is not None and value.lower() != "false":
                return True
            if current.kind == DOCUMENT:
                return False
        return False

    def element(self, node_id: int) -> int | None:
        """The element of a node (a text node's parent), if the tree has it."""
        node = self.nodes.get(node_id)
        if node is not None and node.kind == TEXT:
            return node.parent
        return node_id if node is not None and node.kind == ELEMENT else None

    def element_of(self, node_id: int) -> _Node | None:
        element = self.element(node_id)
        return self.nodes[element] if element is not None else None

    def frames(self, node_id: int) -> list[int]:
        """The frame elements (<iframe>, <frame>) the node is inside, outermost first: each
        holds a Document node of the tree on the way up."""
        out: list[int] = []
        for current in (self.nodes[n] for n in self.ancestry(node_id)):
            up = current.parent
            if (
                current.kind == DOCUMENT
                and up is not None
                and self.nodes.get(up, _NOTHING).tag in FRAME_TAGS
            ):
                out.insert(0, up)
        return out

    def frame_path(self, node_id: int) -> list[int]:
        """The node's frame as an index path through child frames from the top document (the
        index of each frame element among those of its document, in document order)."""
        path = []
        for frame in self.frames(node_id):
            if frame not in self._frame_index:
                siblings = self._frame_elements(self._document_of(frame))
                self._frame_index[frame] = siblings.index(frame) if frame in siblings else 0
            path.append(self._frame_index[frame])
        return path

    def _document_of(self, node_id: int) -> int | None:
        return next((n for n in self.ancestry(node_id) if self.nodes[n].kind == DOCUMENT), None)

    def _frame_elements(self, document: int | None) -> list[int]:
        """The frame elements of a document, in document order (not those of nested frames)."""
        if document is None:
            return []
        out, stack = [], list(reversed(self.nodes[document].children))
        while stack:
            node_id = stack.pop()
            node = self.nodes.get(node_id)
            if node is None or node.kind == DOCUMENT:
                continue  # a nested frame's document: its frames are its own
            if node.tag in FRAME_TAGS:
                out.append(node_id)
            stack.extend(reversed(node.children))
        return out

    def selector(self, node_id: int) -> str | None:
        """A CSS path to the element (for a text node, its parent) in its own document, as
        page.js writes them; inside a shadow root, a `pierce/` path from that root."""
        element = self.element(node_id)
        if element is None:
            return None
        parts: list[str] = []
        pierce = False
        for current in self.ancestry(element):
            node = self.nodes[current]
            if node.kind != ELEMENT or node.tag == "html":
                break
            element_id = node.attrs.get("id", "")
            if element_id and PLAIN_ID.match(element_id) and self._unique_id(current):
                parts.insert(0, f"#{element_id}")
                pierce = pierce or self._in_shadow(current)
                break
            part = node.tag
            up = self.nodes.get(node.parent) if node.parent is not None else None
            if up is not None:
                same = [
                    k
                    for k in up.children
                    if (kid := self.nodes.get(k, _NOTHING)).tag == node.tag
                    and kid.shadow == node.shadow
                ]
                if len(same) > 1:
                    part += f":nth-of-type({same.index(current) + 1})"
            parts.insert(0, part)
            if node.shadow:  # the top of its shadow tree: the host is in another scope
                pierce = True
                break
        if not parts:
            return None
        return ("pierce/" if pierce else "") + " > ".join(parts)

    def _in_shadow(self, node_id: int) -> bool:
        for current in (self.nodes[n] for n in self.ancestry(node_id)):
            if current.kind != ELEMENT:
                return False
            if current.shadow:
                return True
        return False

    def _unique_id(self, node_id: int) -> bool:
        """The element's id is the only one of its kind in its document."""
        element_id = self.nodes[node_id].attrs.get("id")
        document = self._document_of(node_id)
        same = [k for k, n in self.nodes.items() if n.attrs.get("id") == element_id]
        return sum(1 for k in same if self._document_of(k) == document) == 1

    def target(self, node_id: int) -> dict[str, Any] | None:
        element = self.element(node_id)
        selector = self.selector(node_id) if element is not None else None
        if element is None or selector is None:
            return None
        node = self.nodes[element]
        text = " ".join(
            self.nodes[k].text.strip()
            for k in node.children
            if self.nodes.get(k, _NOTHING).kind == TEXT
        ).strip()
        out: dict[str, Any] = {"selector": selector, "tag": node.tag}
        if text:
            out["text"] = text[:_TEXT_CHARS]
        return out


def find_events(data: Any, where: str) -> list[Any]:
    """The rrweb events in `data`: a bare array, or inside a service's export envelope.

    Raises:
        ImportFormatError: no array of events is found, naming what the file holds instead.
    """
    path = "top level"
    for _ in range(4):
        if isinstance(data, list):
            if data and all(isinstance(e, dict) and "timestamp" not in e for e in data):
                # PostHog and others wrap each event: {"windowId": …, "data": {rrweb event}}
                inner = [e.get("data") for e in data]
                if all(isinstance(e, dict) and "timestamp" in e for e in inner):
                    return inner
            return data
        if not isinstance(data, dict):
            break
        by_window = data.get("snapshotsByWindowId")
        if isinstance(by_window, dict) and by_window:
            data, path = next(iter(by_window.values())), f"{path}.snapshotsByWindowId"
            continue
        for key in ENVELOPE_KEYS:
            if isinstance(data.get(key), list | dict):
                data, path = data[key], f"{path}.{key}"
                break
        else:
            break
    if isinstance(data, dict):
        keys = ", ".join(repr(k)[:40] for k in list(data)[:8]) or "none"
        found = f"an object with the keys {keys}"
    else:
        found = type(data).__name__ if data is not None else "null"
    raise ImportFormatError(
        where,
        None,
        path,
        f"no rrweb events: found {found}; expected an array of events (objects with type, "
        f"data and timestamp), or an export holding one under {', '.join(ENVELOPE_KEYS)}",
    )
