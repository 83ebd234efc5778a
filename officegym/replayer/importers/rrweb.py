"""rrweb event arrays to trajectory v1, also inside the exports of session-replay services.

rrweb records the page (a serialized DOM and its mutations) and the person's input on it, naming
elements by node ids. The importer keeps the node tree up to date from the snapshots and
mutations, so each input event gets a CSS selector for its element as the page was then, plus
the element's tag and text. Clicks keep their recorded viewport position; an `Input` is the
field's new value (`text.input` with `replace`); a scroll becomes a wheel by the difference.
Password fields and values rrweb masked are stored masked, never guessed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from officegym.replayer.importers._common import (
    Conversion,
    ImportFormatError,
    iso_time,
    number,
)
from officegym.replayer.importers._rrweb_dom import Tree, find_events
from officegym.replayer.importers._rrweb_kinds import (
    BLUR,
    CLICK,
    CONTEXT_MENU,
    DBL_CLICK,
    DOM_CONTENT_LOADED,
    DOWN,
    DRAG,
    DROPPED_SOURCES,
    DROPPED_TYPES,
    FOCUS,
    FULL_SNAPSHOT,
    INCREMENTAL,
    INPUT,
    INTERACTION,
    LOAD,
    MEDIA,
    MEDIA_ACTIONS,
    META,
    MOVE,
    MUTATION,
    RESIZE,
    SCROLL,
    TOUCH_MOVE,
    UP,
    acts_when_left_out,
    kind_name,
)
from officegym.trajectory import DOUBLE_CLICK_MS, MASK

SAME_SPOT = 5  # px: how far apart two presses of one double click may be
CHECKED_BY_CLICK_MS = 1000  # a checkbox's Input this soon after a press is that press's doing
_SHOWN_POSITIONS = 5  # of a dropped kind, in its reason


class _Converter:
    def __init__(self, events: list[Any], source: Path) -> None:
        self.events, self.source, self.where = events, source, str(source)
        self.tree = Tree()
        stamps = (number(e.get("timestamp")) for e in events if isinstance(e, dict))
        first = next((s for s in stamps if s is not None), None)
        self.t0 = first or 0.0
        self.out = Conversion.of("rrweb", source, "rrweb", iso_time(first, source))
        self.started = False
        self.scroll: dict[int, tuple[float, float]] = {}
        self.pointer: tuple[float, float] | None = None
        self.last_down: tuple[float, float, float] | None = None
        self.clicks = 1
        self.last_t = 0.0
        # Dropped kinds, listed once each with their count: (step, reason, acts) -> positions.
        self.dropped: dict[tuple[str, str, bool], list[str]] = {}
        self.kinds: Counter[str] = Counter()  # what the recording holds, for a rejection

    def add(self, position: str, t: float, **fields: Any) -> dict[str, Any]:
        event = {"t": max(0.0, t), **fields}
        self.out.events.append((position, event))
        return event

    def drop(self, position: str, step: str, reason: str, *, acts: bool) -> None:
        """Leave out an event of a kind that has no counterpart (listed once per kind)."""
        self.dropped.setdefault((step, reason, acts), []).append(position)

    def run(self) -> Conversion:
        for i, raw in enumerate(self.events):
            self.read(f"events[{i}]", raw)
        if self.out.meta.get("start_url") is None:
            raise ImportFormatError(self.where, None, "events", self._no_page())
        if not self.out.events:
            kinds = ", ".join(f"{n} {k}" for k, n in self.kinds.most_common(8))
            problem = (
                f"nothing to replay: its {len(self.events)} events ({kinds}) hold no press, "
                "input, scroll or pointer move"
            )
            raise ImportFormatError(self.where, None, "events", problem)
        for (step, reason, acts), positions in self.dropped.items():
            shown = ", ".join(positions[:_SHOWN_POSITIONS])
            more = ", …" if len(positions) > _SHOWN_POSITIONS else ""
            count = f"{len(positions)} event{'s' if len(positions) > 1 else ''}"
            self.out.skip(positions[0], step, f"{reason} ({count}: {shown}{more})", acts=acts)
        self.out.events.sort(key=lambda item: item[1]["t"])  # move batches are stamped late
        return self.out

    def _no_page(self) -> str:
        packed = self.kinds["packed"]
        if packed:
            return (
                f"{packed} of its {len(self.events)} events are packed (strings made by "
                "rrweb's packer), and no unpacked Meta event names the page: unpack the "
                "events first (rrweb's unpack)"
            )
        if not self.events:
            return "the array of events is empty"
        return (
            f"no Meta event names the page (href) among its {len(self.events)} events: rrweb "
            "writes one before each full snapshot, so the recording was cut or filtered"
        )

    def read(self, position: str, raw: Any) -> None:
        if isinstance(raw, str):
            self.kinds["packed"] += 1
            self.drop(  # what it holds is not known: it may be any input
                position, "packed", "a packed event (rrweb's packer): unpack it first", acts=True
            )
            return
        if not isinstance(raw, dict):
            self.kinds["not an object"] += 1
            self.drop(position, "?", "an event must be an object", acts=True)
            return
        kind, stamp, data = number(raw.get("type")), number(raw.get("timestamp")), raw.get("data")
        if kind is None or not isinstance(data, dict):
            missing = "a numeric type" if kind is None else "its data (an object)"
            self.kinds["malformed"] += 1
            self.drop(position, "?", f"an event needs {missing}", acts=True)
            return
        name = kind_name(int(kind), data)
        self.kinds[name] += 1
        if stamp is None:
            # Its time, and so its place among the input, is not known. A snapshot, a mutation
            # or the first Meta only update what the importer knows of the page: kept.
            page_only = kind == FULL_SNAPSHOT or (
                kind == INCREMENTAL and data.get("source") == MUTATION
            )
            if page_only or (kind == META and self.out.meta.get("start_url") is None):
                self.event(position, int(kind), self.last_t, data)
            else:
                self.drop(
                    position,
                    f"{name} without timestamp",
                    "no timestamp: when it happened, and so its place among the input, is "
                    "not known",
                    acts=acts_when_left_out(int(kind), data),
                )
            return
        self.last_t = max(self.last_t, stamp - self.t0)
        self.event(position, int(kind), stamp - self.t0, data)

    def event(self, position: str, kind: int, t: float, data: dict[str, Any]) -> None:
        if kind == META:
            self.meta(position, t, data)
        elif kind == FULL_SNAPSHOT:
            self.tree = Tree()
            root = data.get("node")
            self.tree.load(root, None, self.where, f"{position}.data.node")
            self.tree.root = (
                int(root["id"])
                if isinstance(root, dict) and number(root.get("id")) is not None
                else None
            )
            offset = data.get("initialOffset")
            offset = offset if isinstance(offset, dict) else {}
            if self.tree.root is not None:
                self.scroll[self.tree.root] = (
                    number(offset.get("left")) or 0.0,
                    number(offset.get("top")) or 0.0,
                )
        elif kind == INCREMENTAL:
            self.incremental(position, t, data)
        elif kind in DROPPED_TYPES:
            step, reason, acts = DROPPED_TYPES[kind]
            self.drop(position, step, reason, acts=acts)
        elif kind not in (DOM_CONTENT_LOADED, LOAD):  # the replay loads the page itself
            self.drop(
                position,
                f"type {kind:g}",
                f"unknown event type {kind:g} (rrweb's EventType is 0 to 7): its effect is "
                "not known",
                acts=True,
            )

    def meta(self, position: str, t: float, data: dict[str, Any]) -> None:
        """The first Meta names the start page; a later one, a page the recording went to."""
        href = data.get("href")
        first = self.out.meta.get("start_url") is None
        if first and not (isinstance(href, str) and href.strip()):
            got = "empty" if isinstance(href, str) else f"not a URL ({type(href).__name__})"
            raise ImportFormatError(
                self.where,
                None,
                f"{position}.data.href",
                f"the page's address is {got}: the recording does not say which page it was "
                "made on, so there is nothing to replay it against",
            )
        if first and not _web_address(str(href)):
            raise ImportFormatError(
                self.where,
                None,
                f"{position}.data.href",
                f"the page's address {str(href)[:200]!r} is not an http(s) URL: a replay opens "
                "the recorded page over http(s) (or a copy of it served with --serve)",
            )
        if first:
            self.out.meta["start_url"] = href
            width, height = number(data.get("width")), number(data.get("height"))
            if width and height and width >= 1 and height >= 1:
                self.out.meta["viewport"] = {"width": int(width), "height": int(height)}
        elif isinstance(href, str) and href.strip():
            self.add(position, t, type="observe", url=href)  # a new page: check it is there
        else:
            self.drop(  # the navigation itself is the press before it, which is replayed
                position,
                "Meta",
                "a later page's address is empty: that page cannot be checked",
                acts=False,
            )

    def incremental(self, position: str, t: float, data: dict[str, Any]) -> None:
        source = number(data.get("source"))
        if source == MUTATION:
            if self.started and self.tree.edits_editable(data):
                # rrweb records no keys, and typing into a contenteditable no Input either:
                # the text shows only as the page's mutations, which a replay does not make.
                self.drop(
                    position,
                    "contenteditable text",
                    "text changed inside a contenteditable element after the input began "
                    "(typing there shows in rrweb only as DOM mutations: not replayed)",
                    acts=True,
                )
            self.tree.mutate(data, self.where, position)
        elif source in (MOVE, TOUCH_MOVE, DRAG):
            # rrweb's replayer moves its pointer for all three; what a touch scrolled is in the
            # Scroll events. (rrweb 1 also files moves inside an iframe as TouchMove: it tests
            # the event against the top window's MouseEvent.)
            self.moves(position, t, data)
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
                self.drop(
                    position,
                    "ViewportResize",
                    "the viewport changes mid-recording; a trajectory has one viewport",
                    acts=False,
                )
        elif source == INPUT:
            self.input(position, t, data)
        elif source == MEDIA:
            kind = number(data.get("type"))
            known = kind is not None and kind in range(len(MEDIA_ACTIONS))
            action = MEDIA_ACTIONS[int(kind)] if known and kind is not None else "change"
            self.drop(
                position,
                f"MediaInteraction {action}",
                f"a media {action}: the replay does not act on media, and rrweb records the "
                "media element's event, not the input that caused it",
                acts=True,
            )
        elif source is not None and int(source) in DROPPED_SOURCES:
            step, reason, acts = DROPPED_SOURCES[int(source)]
            self.drop(position, step, reason, acts=acts)
        else:
            self.drop(
                position,
                kind_name(INCREMENTAL, data),
                f"unknown incremental source {data.get('source')!r} (rrweb's IncrementalSource "
                "is 0 to 16): its effect is not known",
                acts=True,
            )

    def moves(self, position: str, t: float, data: dict[str, Any]) -> None:
        positions = data.get("positions")
        if not isinstance(positions, list):
            # A pointer move presses nothing; a hover that matters shows in a later press.
            self.out.skip(position, "MouseMove", "positions: expected a list", acts=False)
            return
        for j, p in enumerate(positions):
            if not isinstance(p, dict):
                continue
            x, y = number(p.get("x")), number(p.get("y"))
            dt = number(p.get("timeOffset")) or 0.0
            where = f"{position}.data.positions[{j}]"
            if x is None or y is None:
                self.out.skip(where, "mouse.move", "x/y: expected numbers", acts=False)
                continue
            node_id = number(p.get("id"))
            frame = self.tree.frame_path(int(node_id)) if node_id is not None else []
            if not frame:
                self.pointer = (x, y)
            self.add(where, t + dt, type="mouse.move", x=x, y=y, **_in_frame(frame))

    def _target(
        self, position: str, step: str, data: dict[str, Any]
    ) -> tuple[dict[str, Any], list[int]] | None:
        """The event's element as a target (its selector in its own frame's document), and
        that frame's index path; None (noted) when the tree has no such element."""
        node_id = number(data.get("id"))
        target = self.tree.target(int(node_id)) if node_id is not None else None
        if node_id is None or target is None:
            known = node_id is not None and int(node_id) in self.tree.nodes
            what = "not an element" if known else "not in the page as recorded so far"
            self.out.skip(
                position,
                step,
                f"node {data.get('id')!r} is {what}: the element cannot be named",
                acts=step != "Scroll",  # see `scrolled`
            )
            return None
        return target, self.tree.frame_path(int(node_id))

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
        found = self._target(position, "MouseInteraction", data)
        if found is None:
            return
        target, frame = found
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
        self.add(
            position,
            t,
            type=kind_name,
            target=target,
            click_count=self.clicks,
            **point,
            **_in_frame(frame),
        )

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
        found = self._target(position, "Scroll", data)
        if found is not None:  # an element, or a frame's document (its selector: its <html>)
            self.add(
                position,
                t,
                type="mouse.wheel",
                target=found[0],
                dx=dx,
                dy=dy,
                **_in_frame(found[1]),
            )

    def input(self, position: str, t: float, data: dict[str, Any]) -> None:
        if data.get("userTriggered") is False:
            return  # the page's script set the value, not the person
        found = self._target(position, "Input", data)
        if found is None:
            return
        target, frame = found
        node = self.tree.element_of(int(number(data["id"]) or 0))
        assert node is not None  # _target found it
        kind = node.attrs.get("type", "").lower()
        if node.tag == "input" and kind in ("checkbox", "radio"):
            # The press that checked it is replayed. rrweb records no keys: one toggled with
            # the space bar has no press before it, and the replay cannot toggle it.
            if self.last_down is None or t - self.last_down[0] > CHECKED_BY_CLICK_MS:
                self.out.skip(
                    position,
                    "Input",
                    f"a {kind} set to {bool(data.get('isChecked'))} with no press before it "
                    "(from the keyboard: rrweb records no keys, so it cannot be replayed)",
                    acts=True,
                )
            return
        text = data.get("text")
        if not isinstance(text, str):
            self.out.skip(position, "Input", "text: expected the field's value", acts=True)
            return
        self.started = True
        target.pop("text", None)
        place = _in_frame(frame)
        if (node.tag == "input" and kind == "password") or (text and set(text) == {"*"}):
            self.add(
                position,
                t,
                type="text.input",
                text=MASK * len(text),
                replace=True,
                masked=True,
                target=target,
                **place,
            )
            return
        self.add(position, t, type="text.input", text=text, replace=True, target=target, **place)


def _web_address(href: str) -> bool:
    """An absolute http(s) URL with a host and no control characters, as rrweb records
    `location.href`."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in href):
        return False
    parts = urlsplit(href)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _in_frame(frame: list[int]) -> dict[str, Any]:
    """An event's place when its node is in a child frame: `action.frame` (the index path, as
    Chrome Recorder's `frame`), with its selector and x/y in that frame's document and
    viewport, as rrweb recorded them (it observes each iframe's document on its own)."""
    return {"action": {"frame": frame}} if frame else {}


def convert(data: Any, source: Path) -> Conversion:
    """Convert decoded rrweb events (or a session-replay export holding them).

    Raises:
        ImportFormatError: no events; no Meta event naming the page, or a first one whose
            href is empty; nothing to replay; or a mutation whose `removes`, `adds`,
            `attributes` or `texts` is not a list (naming it).
    """
    return _Converter(find_events(data, str(source)), source).run()
