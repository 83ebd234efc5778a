"""The examples in docs/trajectory.md are valid and in the writer's exact compact form."""

from __future__ import annotations

import re
from pathlib import Path

from officegym.trajectory import EVENT_TYPES, TrajectoryMeta, parse_event

DOC = Path(__file__).resolve().parents[2] / "docs" / "trajectory.md"


def test_every_example_event_line_is_valid_and_compact() -> None:
    text = DOC.read_text(encoding="utf-8")
    lines = [
        line
        for block in re.findall(r"```jsonl\n(.*?)```", text, re.S)
        for line in block.splitlines()
    ]
    seen = set()
    for line in lines:
        event = parse_event(line, path=str(DOC))
        assert event.model_dump_json(exclude_none=True) == line
        seen.add(event.type)
    assert seen == set(EVENT_TYPES), "docs/trajectory.md should show every event type"


def test_example_meta_is_valid() -> None:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"## meta\.json\n\n```json\n(.*?)```", text, re.S)
    assert match is not None
    assert TrajectoryMeta.model_validate_json(match.group(1)).format == "officegym.trajectory/1"
