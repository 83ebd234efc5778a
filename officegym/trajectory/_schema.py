"""Generation of the trajectory JSON Schema from the pydantic models (CLI in ``schema.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ._events import Event
from ._models import FORMAT, TrajectoryMeta

DEFAULT_PATH = Path("docs") / "trajectory.schema.json"
_REF = "#/$defs/{model}"


def _merge_defs(into: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    for name, definition in schema.pop("$defs", {}).items():
        # Meta and event models share one namespace; two different models with one name
        # would silently replace each other, so refuse instead.
        if into.setdefault(name, definition) != definition:
            raise ValueError(f"two different models are both named {name!r} in the schema")
    return schema


def trajectory_json_schema() -> dict[str, Any]:
    """Build the JSON Schema document of the trajectory format.

    ``$defs/TrajectoryMeta`` describes ``meta.json`` and ``$defs/Event`` one line of
    ``events.jsonl``; the other definitions are the parts they share.

    Returns:
        A JSON Schema (draft 2020-12) document.

    >>> schema = trajectory_json_schema()
    >>> sorted(schema["$defs"]["Event"]["discriminator"]["mapping"])[:3]
    ['answer', 'check', 'done']
    """
    defs: dict[str, Any] = {}
    meta = _merge_defs(defs, TrajectoryMeta.model_json_schema(ref_template=_REF))
    event = _merge_defs(defs, TypeAdapter(Event).json_schema(ref_template=_REF))
    if "TrajectoryMeta" in defs or "Event" in defs:
        raise ValueError("a nested model is named TrajectoryMeta or Event")
    defs["TrajectoryMeta"] = meta
    defs["Event"] = {"title": "Event", "description": "One line of events.jsonl.", **event}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"officegym trajectory ({FORMAT})",
        "description": (
            "Validate meta.json against #/$defs/TrajectoryMeta and every line of "
            "events.jsonl against #/$defs/Event."
        ),
        "$defs": defs,
    }


def render_schema() -> str:
    """Render the schema exactly as committed: sorted keys, 2-space indent, final newline.

    Returns:
        The file contents.
    """
    return json.dumps(trajectory_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
