"""Key names as the trajectory format writes them, what a key press means, and when two clicks
are one double click.

These are the one definition of the modifier keys and of "typing" for the whole package: the
env's executor, the importers, the replayer and the metrics all ask here.

>>> is_typing("a", ())
True
>>> is_typing("a", ("Control",))
False
>>> is_typing("Backspace", ("Shift",))
True
>>> is_typing("Enter", ())
False
"""

from __future__ import annotations

from collections.abc import Iterable

# The modifier keys, in the order the format lists them in an event's `modifiers`.
MODIFIERS: tuple[str, ...] = ("Alt", "Control", "Meta", "Shift")
# Modifiers that turn a key into a command (Ctrl+S saves, it does not type an "s").
COMMAND_MODIFIERS = frozenset({"Alt", "Control", "Meta"})
# Named keys that edit a field's text as a character does (Shift is part of typing a capital).
TEXT_EDIT_KEYS = frozenset({"Shift", "Backspace", "Delete"})
# Two presses this close (ms) make a double click: Windows' default double-click time
# (GetDoubleClickTime), the most common setting people record with. Importers
# that must guess a click count (rrweb keeps none) and the replayer's test for a click done
# twice by mistake use it, so one never counts as a double click what the other does not.
DOUBLE_CLICK_MS = 500


def is_typing(key: str, modifiers: Iterable[str]) -> bool:
    """Whether pressing `key` with `modifiers` held types into a text field: a character, or
    Shift, Backspace or Delete, with no Control, Alt or Meta held."""
    return (len(key) == 1 or key in TEXT_EDIT_KEYS) and not COMMAND_MODIFIERS.intersection(
        modifiers
    )
