"""rrweb event arrays to trajectory v1, also inside the exports of session-replay services.

rrweb records the page (a serialized DOM and its mutations) and the person's input on it, naming
elements by node ids. The importer keeps the node tree up to date from the snapshots and
mutations, so each input event gets a CSS selector for its element as the page was then, plus
the element's tag and text. Clicks keep their recorded viewport position; an `Input` is the
field's new value (`text.input` with `replace`); a scroll becomes a wheel by the difference.
Password fields and values rrweb masked are stored masked, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from officegym.replayer.importers._common import (
    Conversion,
    ImportFormatError,
    expect,
    iso_time,
    number,
)
from officegym.trajectory import DOUBLE_CLICK_MS, MASK

FULL_SNAPSHOT, INCREMENTAL, META = 2, 3, 4
KNOWN_TYPES = {0, 1, 2, 3, 4, 5, 6}  # DomContentLoaded, Load, …, Custom, Plugin
MUTATION, MOVE, INTERACTION, SCROLL, RESIZE, INPUT, TOUCH_MOVE, MEDIA, DRAG, SELECTION = (
    0, 1, 2, 3, 4, 5, 6, 7, 12, 14,
)  # fmt: skip
DOWN, UP, CLICK, CONTEXT_MENU, DBL_CLICK, FOCUS, BLUR = 1, 0, 2, 3, 4, 5, 6
SAME_SPOT = 5  # px: how far apart two presses of one double click may be
ENVELOPE_KEYS = ("events", "snapshots", "data", "recording", "payload", "rrwebEvents", "session")
PLAIN_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass
class _Node:
    kind: int  # rrweb NodeType: 0 document, 2 element, 3 text, …
    tag: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    text: str = ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class _Tree:
    """The page's nodes as rrweb saw them, kept current through mutations."""

    def __init__(self) -> None:
        self.nodes: dict[int, _Node] = {}
        self.root: int | None = None

    def load(self, node: Any, parent: int | None) -> None:
        stack = [(node, parent)]
        while stack:  # iterative: a deep page must not exhaust the Python stack
            raw, up = stack.pop()
            if not isinstance(raw, dict) or number(raw.get("id")) is None:
                continue
            node_id = int(raw["id"])
            attrs = _object(raw.get("attributes"))
            self.nodes[node_id] = _Node(
                kind=int(number(raw.get("type")) or 0),
                tag=str(raw.get("tagName", "")).lower(),
                attrs={str(k): str(v) for k, v in attrs.items() if v is not None},
                parent=up,
                text=str(raw.get("textContent", "")) if raw.get("type") == 3 else "",
            )
            if up is not None and up in self.nodes and node_id not in self.nodes[up].children:
                self.nodes[up].children.append(node_id)
            kids = raw.get("childNodes")
            if isinstance(kids, list):
                stack.extend((kid, node_id) for kid in reversed(kids))

    def add(self, parent: int, next_id: int | None, node: Any) -> None:
        if parent not in self.nodes or not isinstance(node, dict):
            return
        self.load(node, None)
        new = int(node["id"]) if number(node.get("id")) is not None else None
        if new is None or new not in self.nodes:
            return
        self.nodes[new].parent = parent
        kids = self.nodes[parent].children
        if new in kids:
            kids.remove(new)
        kids.insert(kids.index(next_id) if next_id in kids else len(kids), new)

    def remove(self, node_id: int) -> None:
        node = self.nodes.pop(node_id, None)
        if node is None:
            return
        if node.parent in self.nodes and node_id in self.nodes[node.parent].children:
            self.nodes[node.parent].children.remove(node_id)
        stack = list(node.children)
        while stack:
            stack.extend(self.nodes.pop(stack.pop(), _Node(0)).children)

    def selector(self, node_id: int) -> str | None:
        """A CSS path to the element (for a text node, its parent), as page.js writes them."""
        element = self._element(node_id)
        if element is None:
            return None
        parts: list[str] = []
        current: int | None = element
        while current is not None and current in self.nodes:
            node = self.nodes[current]
            if node.kind != 2 or node.tag == "html":
                break
            element_id = node.attrs.get("id", "")
            if element_id and PLAIN_ID.match(element_id) and self._unique_id(element_id):
                parts.insert(0, f"#{element_id}")
                break
            part = node.tag
            up = self.nodes.get(node.parent) if node.parent is not None else None
            if up is not None:
                same = [k for k in up.children if self.nodes.get(k, _Node(0)).tag == node.tag]
                if len(same) > 1:
                    part += f":nth-of-type({same.index(current) + 1})"
            parts.insert(0, part)
            current = node.parent
        return " > ".join(parts) or None

    def _element(self, node_id: int) -> int | None:
        node = self.nodes.get(node_id)
        if node is not None and node.kind == 3:
            return node.parent
        return node_id if node is not None and node.kind == 2 else None

    def element_of(self, node_id: int) -> _Node | None:
        """The element of a node (a text node's parent), if the tree has it."""
        element = self._element(node_id)
        return self.nodes[element] if element is not None else None

    def _unique_id(self, element_id: str) -> bool:
        return sum(1 for n in self.nodes.values() if n.attrs.get("id") == element_id) == 1

    def target(self, node_id: int) -> dict[str, Any] | None:
        element = self._element(node_id)
        selector = self.selector(node_id) if element is not None else None
        if element is None or selector is None:
            return None
        node = self.nodes[element]
        text = " ".join(
            self.nodes[k].text.strip()
            for k in node.children
            if self.nodes.get(k, _Node(0)).kind == 3
        ).strip()
        out: dict[str, Any] = {"selector": selector, "tag": node.tag}
        if text:
            out["text"] = text[:120]
        return out


def find_events(data: Any, where: str) -> list[Any]:
    """The rrweb events in `data`: a bare array, or inside a service's export envelope."""
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
            data = next(iter(by_window.values()))
            continue
        for key in ENVELOPE_KEYS:
            if isinstance(data.get(key), list | dict):
                data = data[key]
                break
        else:
            break
    raise ImportFormatError(
        where,
        None,
        "top level",
        "no rrweb events: expected an array of events, or an export holding one",
    )


class _Converter:
    def __init__(self, events: list[Any], source: Path) -> None:
        self.events, self.source, self.where = events, source, str(source)
        self.tree = _Tree()
        stamps = (number(e.get("timestamp")) for e in events if isinstance(e, dict))
        first = next((s for s in stamps if s is not None), None)
        self.t0 = first or 0.0
        self.out = Conversion.of("rrweb", source, "rrweb", iso_time(first, source))
        self.started = False
        self.scroll: dict[int, tuple[float, float]] = {}
        self.pointer: tuple[float, float] | None = None
        self.last_down: tuple[float, float, float] | None = None
        self.clicks = 1

    def add(self, position: str, t: float, **fields: Any) -> dict[str, Any]:
        event = {"t": max(0.0, t), **fields}
        self.out.events.append((position, event))
        return event

    def run(self) -> Conversion:
        for i, raw in enumerate(self.events):
            position = f"events[{i}]"
            if isinstance(raw, str):
                self.out.skip(  # what it holds is not known: it may be any input
                    position,
                    "packed",
                    "a packed event (rrweb's packer): unpack it first",
                    acts=True,
                )
                continue
            if not isinstance(raw, dict):
                self.out.skip(position, "?", "an event must be an object", acts=True)
                continue
            kind, stamp, data = (
                number(raw.get("type")),
                number(raw.get("timestamp")),
                raw.get("data"),
            )
            if kind is None or stamp is None or not isinstance(data, dict):
                self.out.skip(
                    position,
                    "?",
                    "an event needs a numeric type and timestamp, and data",
                    acts=True,
                )
                continue
            if kind not in KNOWN_TYPES:
                self.out.skip(position, str(kind), f"unknown event type {kind:g}", acts=True)
                continue
            self.event(position, int(kind), stamp - self.t0, data)
        if self.out.meta.get("start_url") is None:
            raise ImportFormatError(
                self.where, None, "events", "no Meta event names the page (href)"
            )
        self.out.events.sort(key=lambda item: item[1]["t"])  # move batches are stamped late
        return self.out

    def event(self, position: str, kind: int, t: float, data: dict[str, Any]) -> None:
        if kind == META:
            href = data.get("href")
            width, height = number(data.get("width")), number(data.get("height"))
            if isinstance(href, str) and self.out.meta.get("start_url") is None:
                self.out.meta["start_url"] = href
                if width and height and width >= 1 and height >= 1:
                    self.out.meta["viewport"] = {"width": int(width), "height": int(height)}
            elif isinstance(href, str):
                self.add(position, t, type="observe", url=href)  # a new page: check it is there
        elif kind == FULL_SNAPSHOT:
            self.tree = _Tree()
            self.tree.load(data.get("node"), None)
            root = data.get("node")
            self.tree.root = (
                int(root["id"])
                if isinstance(root, dict) and number(root.get("id")) is not None
                else None
            )
            offset = _object(data.get("initialOffset"))
            if self.tree.root is not None:
                self.scroll[self.tree.root] = (
                    number(offset.get("left")) or 0.0,
                    number(offset.get("top")) or 0.0,
                )
        elif kind == INCREMENTAL:
            self.incremental(position, t, data)

    def incremental(self, position: str, t: float, data: dict[str, Any]) -> None:
        source = number(data.get("source"))
        if source == MUTATION:
            self.mutation(position, data)
        elif source in (MOVE, DRAG):
            positions = data.get("positions")
            if not isinstance(positions, list):
                # A pointer move presses nothing; a hover that matters shows in a later press.
                self.out.skip(position, "MouseMove", "positions: expected a list", acts=False)
                return
            for j, p in enumerate(positions):
                if not isinstance(p, dict):
                    continue
                x, y, dt = (
                    number(p.get("x")),
                    number(p.get("y")),
                    number(p.get("timeOffset")) or 0.0,
                )
                if x is None or y is None:
                    self.out.skip(
                        f"{position}.data.positions[{j}]",
                        "mouse.move",
                        "x/y: expected numbers",
                        acts=False,
                    )
                    continue
                self.pointer = (x, y)
                self.add(f"{position}.data.positions[{j}]", t + dt, type="mouse.move", x=x, y=y)
        elif source == INTERACTION:
            self.interaction(position, t, data)
        elif source == SCROLL:
            self.scrolled(position, t, data)
        elif source == RESIZE:
            width, height = number(data.get("width")), number(data.get("height"))
            if not self.started and width and height and width >= 1 and height >= 1:
                self.out.meta["viewport"] = {"width": int(width), "height": int(height)}
            else:
                # The replay keeps the first viewport; presses are checked against the element
                # they hit, so a layout the size changed shows as a divergence there.
                self.out.skip(
                    position,
                    "ViewportResize",
                    "the viewport changes mid-recording; a trajectory has one viewport",
                    acts=False,
                )
        elif source == INPUT:
            self.input(position, t, data)
        elif source == TOUCH_MOVE:
            self.out.skip(  # a swipe scrolls or drags
                position,
                "TouchMove",
                "touch input is not replayed (mouse and keyboard only)",
                acts=True,
            )
        elif source == MEDIA:
            self.out.skip(
                position,
                "MediaInteraction",
                "playing or pausing media is not replayed",
                acts=True,
            )
        elif source == SELECTION:
            # The range is the outcome of the presses and moves that made it, which are replayed.
            self.out.skip(
                position, "Selection", "a text selection range is not replayed", acts=False
            )

    def changes(self, position: str, data: dict[str, Any], key: str) -> list[Any]:
        """One list of a mutation (absent: none). Any other value is an error, not a skip: the
        node tree would be wrong from here on, and so every later selector."""
        value = data.get(key)
        return [] if value is None else expect(value, list, self.where, f"{position}.data.{key}")

    def mutation(self, position: str, data: dict[str, Any]) -> None:
        for item in self.changes(position, data, "removes"):
            if isinstance(item, dict) and number(item.get("id")) is not None:
                self.tree.remove(int(item["id"]))
        for item in self.changes(position, data, "adds"):
            if isinstance(item, dict) and number(item.get("parentId")) is not None:
                next_id = number(item.get("nextId"))
                self.tree.add(
                    int(item["parentId"]),
                    int(next_id) if next_id is not None else None,
                    item.get("node"),
                )
        for item in self.changes(position, data, "attributes"):
            node = (
                self.tree.nodes.get(int(number(item.get("id")) or -1))
                if isinstance(item, dict)
                else None
            )
            if node is not None and isinstance(item.get("attributes"), dict):
                for name, value in item["attributes"].items():
                    if value is None:
                        node.attrs.pop(str(name), None)
                    elif isinstance(value, str):
                        node.attrs[str(name)] = value
        for item in self.changes(position, data, "texts"):
            node = (
                self.tree.nodes.get(int(number(item.get("id")) or -1))
                if isinstance(item, dict)
                else None
            )
            if node is not None and isinstance(item.get("value"), str):
                node.text = item["value"]

    def _target(self, position: str, step: str, data: dict[str, Any]) -> dict[str, Any] | None:
        node_id = number(data.get("id"))
        target = self.tree.target(int(node_id)) if node_id is not None else None
        if target is None:
            self.out.skip(
                position,
                step,
                f"node {data.get('id')!r} is not an element of the page as recorded",
                acts=step != "Scroll",  # see `scrolled`
            )
        return target

    def interaction(self, position: str, t: float, data: dict[str, Any]) -> None:
        kind = number(data.get("type"))
        if kind in (CLICK, DBL_CLICK, FOCUS, BLUR):
            return  # what the press and release already did
        if kind == CONTEXT_MENU:  # the press before it was the right button
            for _, event in reversed(self.out.events[-4:]):
                if event["type"] in ("mouse.down", "mouse.up"):
                    event["button"] = "right"
            return
        if kind not in (DOWN, UP):
            self.out.skip(  # a tap is a click
                position,
                "MouseInteraction",
                f"interaction type {kind} (touch) is not replayed",
                acts=True,
            )
            return
        target = self._target(position, "MouseInteraction", data)
        if target is None:
            return
        x, y = number(data.get("x")), number(data.get("y"))
        point = {"x": x, "y": y} if x is not None and y is not None else {}
        if kind == DOWN:
            last, here = self.last_down, (t, x or 0.0, y or 0.0)
            near = (
                last is not None
                and t - last[0] < DOUBLE_CLICK_MS
                and abs(here[1] - last[1]) + abs(here[2] - last[2]) <= SAME_SPOT
            )
            self.clicks = self.clicks + 1 if near else 1
            self.last_down = here
        self.started = True
        kind_name = "mouse.down" if kind == DOWN else "mouse.up"
        self.add(position, t, type=kind_name, target=target, click_count=self.clicks, **point)

    def scrolled(self, position: str, t: float, data: dict[str, Any]) -> None:
        node_id, x, y = number(data.get("id")), number(data.get("x")), number(data.get("y"))
        if node_id is None or x is None or y is None:
            # A later press is replayed at its recorded point and checked against the element it
            # hit there, so a scroll that mattered shows as a divergence at that press.
            self.out.skip(position, "Scroll", "id, x and y must be numbers", acts=False)
            return
        last = self.scroll.get(int(node_id), (0.0, 0.0))
        self.scroll[int(node_id)] = (x, y)
        dx, dy = x - last[0], y - last[1]
        if not dx and not dy:
            return
        self.started = True
        if int(node_id) == self.tree.root:
            view = self.out.meta["viewport"]
            px, py = self.pointer or (view["width"] / 2, view["height"] / 2)
            self.add(position, t, type="mouse.wheel", x=px, y=py, dx=dx, dy=dy)
            return
        target = self._target(position, "Scroll", data)
        if target is not None:
            self.add(position, t, type="mouse.wheel", target=target, dx=dx, dy=dy)

    def input(self, position: str, t: float, data: dict[str, Any]) -> None:
        if data.get("userTriggered") is False:
            return  # the page's script set the value, not the person
        target = self._target(position, "Input", data)
        if target is None:
            return
        node = self.tree.element_of(int(number(data["id"]) or 0))
        assert node is not None  # _target found it
        kind = node.attrs.get("type", "").lower()
        if node.tag == "input" and kind in ("checkbox", "radio"):
            return  # the click that checked it is replayed
        text = data.get("text")
        if not isinstance(text, str):
            self.out.skip(position, "Input", "text: expected the field's value", acts=True)
            return
        self.started = True
        target.pop("text", None)
        if (node.tag == "input" and kind == "password") or (text and set(text) == {"*"}):
            self.add(
                position,
                t,
                type="text.input",
                text=MASK * len(text),
                replace=True,
                masked=True,
                target=target,
            )
            return
        self.add(position, t, type="text.input", text=text, replace=True, target=target)


def convert(data: Any, source: Path) -> Conversion:
    """Convert decoded rrweb events (or a session-replay export holding them).

    Raises:
        ImportFormatError: no events, no Meta event naming the page, or a mutation whose
            `removes`, `adds`, `attributes` or `texts` is not a list (naming it).
    """
    return _Converter(find_events(data, str(source)), source).run()
