"""What each rrweb event kind is (@rrweb/types `EventType`, `IncrementalSource`,
`MouseInteractions`, `MediaInteractions`), and what leaving one out of a trajectory means."""

from __future__ import annotations

from typing import Any

from officegym.replayer.importers._common import number

# @rrweb/types: EventType and IncrementalSource.
DOM_CONTENT_LOADED, LOAD, FULL_SNAPSHOT, INCREMENTAL, META = 0, 1, 2, 3, 4
MUTATION, MOVE, INTERACTION, SCROLL, RESIZE, INPUT, TOUCH_MOVE, MEDIA, DRAG = (
    0, 1, 2, 3, 4, 5, 6, 7, 12,
)  # fmt: skip
DOWN, UP, CLICK, CONTEXT_MENU, DBL_CLICK, FOCUS, BLUR = 1, 0, 2, 3, 4, 5, 6  # MouseInteractions
MEDIA_ACTIONS = ("play", "pause", "seek", "volume change", "playback rate change")

# Event kinds the importer leaves out: (name, why, whether it acts). What the page's own script
# did (style, canvas, fonts) happens again when the replayed page runs it; what a person did
# (a touch, media controls) is not replayed and so acts.
DROPPED_TYPES: dict[int, tuple[str, str, bool]] = {
    5: ("Custom", "the page's own annotation (rrweb's addCustomEvent): it records, it does "
        "nothing to the page", False),
    6: ("Plugin", "a recording plugin's data (console, network, sequential ids): nothing the "
        "page was given", False),
    7: ("Asset", "a file captured for rrweb's player; the replay loads the page's own", False),
}  # fmt: skip
DROPPED_SOURCES: dict[int, tuple[str, str, bool]] = {
    8: ("StyleSheetRule", "the page's script changed a style sheet; the replayed page's script "
        "does it again", False),
    9: ("CanvasMutation", "the page's script drew on a canvas; the replayed page draws its own",
        False),
    10: ("Font", "the page loaded a font; the replayed page loads it again", False),
    11: ("Log", "a console message (rrweb's old console recording)", False),
    13: ("StyleDeclaration", "the page's script changed a style declaration; the replayed "
         "page's script does it again", False),
    14: ("Selection", "a text selection range: the outcome of the presses and moves that made "
         "it, which are replayed", False),
    15: ("AdoptedStyleSheet", "the page's script adopted a style sheet; the replayed page's "
         "script does it again", False),
    16: ("CustomElement", "the page's script defined a custom element; the replayed page's "
         "script does it again", False),
}  # fmt: skip


def kind_name(kind: int, data: dict[str, Any]) -> str:
    """The event's kind as rrweb names it (`MouseInteraction`, `Custom`, `source 42`)."""
    names = {0: "DomContentLoaded", 1: "Load", 2: "FullSnapshot", 4: "Meta"}
    if kind == INCREMENTAL:
        source = number(data.get("source"))
        known = {
            MUTATION: "Mutation", MOVE: "MouseMove", INTERACTION: "MouseInteraction",
            SCROLL: "Scroll", RESIZE: "ViewportResize", INPUT: "Input", TOUCH_MOVE:
            "TouchMove", MEDIA: "MediaInteraction", DRAG: "Drag",
        }  # fmt: skip
        if source is not None and int(source) in DROPPED_SOURCES:
            return DROPPED_SOURCES[int(source)][0]
        shown = f"{source:g}" if source is not None else repr(data.get("source"))
        return known.get(int(source) if source is not None else -1, f"source {shown}")
    if kind in DROPPED_TYPES:
        return DROPPED_TYPES[kind][0]
    return names.get(kind, f"type {kind}")


def acts_when_left_out(kind: int, data: dict[str, Any]) -> bool:
    """Whether an event of this kind changes the page when a person makes it (see DROPPED_*):
    a pointer move, a scroll or a resize that later presses are checked after does not."""
    if kind in DROPPED_TYPES:
        return DROPPED_TYPES[kind][2]
    if kind != INCREMENTAL:
        return kind not in (DOM_CONTENT_LOADED, LOAD, FULL_SNAPSHOT, META)
    source = number(data.get("source"))
    if source is not None and int(source) in DROPPED_SOURCES:
        return DROPPED_SOURCES[int(source)][2]
    return source not in (MUTATION, MOVE, TOUCH_MOVE, DRAG, SCROLL, RESIZE)
