"""The env's side of a variant (`officegym.tasks.variants`): which one, the window it gives, and
the one coordinate space of a zoomed page.

Under `zoom` the page lays out in CSS pixels and is drawn `scale` times larger; the agent sees
the drawing (the screenshot is the window's size in screen pixels), so its positions are screen
pixels too. The env divides an action's positions by the scale before the page gets them, and
multiplies the accessibility tree's `center=(x,y)` by it, so a centre in the tree is a point
on the screenshot in every variant.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from officegym.tasks import Task
from officegym.tasks.variants import VariantSet, parse_variant

# Fields of an action that are a position or a distance on the screen.
_SCREEN_FIELDS = ("x", "y", "x1", "y1", "x2", "y2", "dx", "dy")
_CENTER = re.compile(r"center=\((-?\d+),(-?\d+)\)")


def resolve_variant(
    spec: str | None, task: Task, viewport: tuple[int, int]
) -> tuple[VariantSet | None, tuple[int, int], float]:
    """The variant `spec` names, the window it plays in (else `viewport`), and its scale.

    Raises:
        UnknownNameError: an unknown variant name (with close names).
        VariantError: a malformed variant, or one that does not apply to `task`.
    """
    if not spec:
        return None, viewport, 1.0
    variant = parse_variant(spec)
    variant.check(task)
    played = variant.for_episode(task.id, 0)  # the window and scale do not depend on the seed
    return variant, played.window or viewport, played.scale


def to_page(action: Any, scale: float) -> Any:
    """`action` with its screen positions in the page's CSS pixels."""
    if scale == 1.0 or not isinstance(action, BaseModel):
        return action
    update = {
        name: getattr(action, name) / scale
        for name in _SCREEN_FIELDS
        if isinstance(getattr(action, name, None), int | float)
    }
    return action.model_copy(update=update) if update else action


def to_screen(axtree: str, scale: float) -> str:
    """The tree with every `center=(x,y)` in screen pixels."""
    if scale == 1.0:
        return axtree
    return _CENTER.sub(
        lambda m: f"center=({round(int(m[1]) * scale)},{round(int(m[2]) * scale)})", axtree
    )
