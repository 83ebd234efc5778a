"""What the replay compares: recorded targets with the elements found, events with what they
do to a text field, recorded frames with replayed ones."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from officegym.trajectory import Event, KeyDown, Target
from officegym.trajectory.keys import is_typing

# A pixel differs when a channel differs by more than this (0–255).
PIXEL_TOLERANCE = 48


def same_target(recorded: Target, found: dict[str, Any] | None) -> bool:
    """The same element: same CSS path, or same role, accessible name and tag."""
    if found is None:
        return False
    if recorded.selector and recorded.selector == found.get("selector"):
        return True
    return (recorded.role, recorded.name, recorded.tag) == (
        found.get("role"),
        found.get("name"),
        found.get("tag"),
    )


def selectors(target: Target) -> list[str]:
    """The target's selector and its alternatives, in the order to try them."""
    return [s for s in (target.selector, *(target.alternatives or ())) if s]


def by_selector_only(target: Target | None) -> bool:
    """A target that says where (selectors), not what (role and name): imported recordings."""
    return target is not None and bool(target.selector) and not (target.role or target.name)


def same_field(a: Target, b: Target | None) -> bool:
    return b is not None and (a.selector == b.selector if a.selector else a == b)


EDITABLE_ROLES = {"textbox", "searchbox", "combobox"}
# Keys that may act beyond the field's text: submit, pick a suggestion, move focus.
ACTING_KEYS = {"Enter", "Tab", "Escape", "ArrowUp", "ArrowDown", "PageUp", "PageDown"}


def in_text_field(target: Target | None) -> bool:
    return target is not None and (
        target.role in EDITABLE_ROLES or target.tag in ("input", "textarea")
    )


def editing(event: Event | None) -> bool:
    """A key.down that edits the focused field's text (Control+A and the like included): the
    frame after the edit shows its outcome."""
    return (
        isinstance(event, KeyDown) and event.key not in ACTING_KEYS and in_text_field(event.target)
    )


def typing(event: Event | None) -> bool:
    """A key.down that edits the text of a text field: a character, Shift, Backspace or Delete,
    with no Control, Alt or Meta held."""
    return (
        isinstance(event, KeyDown)
        and is_typing(event.key, event.modifiers)
        and in_text_field(event.target)
    )


def describe(target: Target | dict[str, Any] | None) -> str:
    if target is None:
        return "nothing"
    t = target.model_dump() if isinstance(target, Target) else target
    name = f" {t.get('name')!r}" if t.get("name") else ""
    return f"{t.get('role') or t.get('tag')}{name} ({t.get('selector')})"


def frame_difference(
    recorded: bytes, replayed: bytes, masked: Sequence[Sequence[int]] = ()
) -> float:
    """Share of pixels that differ by more than PIXEL_TOLERANCE in any channel, outside the
    `masked` boxes (x, y, width, height in frame pixels: regions blacked out by redaction)."""
    a = np.asarray(Image.open(io.BytesIO(recorded)).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.open(io.BytesIO(replayed)).convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        return 1.0
    changed = np.abs(a - b).max(axis=2) > PIXEL_TOLERANCE
    for x, y, w, h in masked:
        changed[max(0, y) : max(0, y + h), max(0, x) : max(0, x + w)] = False
    return float(changed.mean())
