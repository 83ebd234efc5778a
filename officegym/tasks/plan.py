"""Oracle plan steps: what to do, named the way a person sees the page.

A task's `solve` returns a list of these; the oracle agent turns each into env actions in either
action mode, finding the element by its role and accessible name in the observation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClickOn:
    """Click the element with this role whose name contains `name` (the `index`-th match);
    with `exact`, whose name is `name`."""

    role: str
    name: str
    index: int = 0
    exact: bool = False


@dataclass(frozen=True)
class FillIn:
    """Replace the text of the field with this role and name (the `index`-th match)."""

    role: str
    name: str
    text: str
    index: int = 0


@dataclass(frozen=True)
class ChooseOption:
    """Pick `option` in the drop-down list (a `<select>`) with this role and name."""

    role: str
    name: str
    option: str


@dataclass(frozen=True)
class PressKey:
    """Press a key (or `Control+a`-style combination) on whatever has focus."""

    key: str


@dataclass(frozen=True)
class OpenUrl:
    url: str


@dataclass(frozen=True)
class DragTo:
    """Drag the element with `role` whose name contains `name` and drop it on the element with
    `to_role` whose name is `to_name`."""

    role: str
    name: str
    to_role: str
    to_name: str


@dataclass(frozen=True)
class SwitchTab:
    """Make tab `index` (in opening order) the active one."""

    index: int


@dataclass(frozen=True)
class Submit:
    """End the episode with this answer."""

    answer: str = ""


PlanStep = ClickOn | FillIn | ChooseOption | PressKey | OpenUrl | DragTo | SwitchTab | Submit
