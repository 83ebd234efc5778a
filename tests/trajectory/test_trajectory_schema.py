"""The committed JSON Schema matches the models, and validates the same files they accept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from officegym.trajectory import EVENT_TYPES, parse_event, trajectory_json_schema
from officegym.trajectory.schema import main, render_schema

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "trajectory.schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.exists(), "run: python -m officegym.trajectory.schema"
    if COMMITTED.read_text(encoding="utf-8") != render_schema():
        pytest.fail(
            f"{COMMITTED} is out of date with the models; regenerate it by running "
            "`python -m officegym.trajectory.schema` from the repository root and commit it"
        )


def test_schema_document_shape() -> None:
    schema = trajectory_json_schema()
    defs = schema["$defs"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"TrajectoryMeta", "Event", "Target"} <= defs.keys()
    assert "format" in defs["TrajectoryMeta"]["required"]
    assert set(defs["Event"]["discriminator"]["mapping"]) == set(EVENT_TYPES)
    for ref in defs["Event"]["oneOf"]:
        assert "type" in defs[ref["$ref"].rsplit("/", 1)[1]]["required"]
    # Every reference resolves inside the one document.
    text = json.dumps(schema)
    for name in {part.split('"')[0] for part in text.split('"#/$defs/')[1:]}:
        assert name in defs


def test_main_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schema.json"
    assert main(["--check", str(out)]) == 1
    assert "python -m officegym.trajectory.schema" in capsys.readouterr().out
    assert main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_schema()
    assert render_schema().endswith("}\n")
    assert main(["--check", str(out)]) == 0


def _validator(definition: str) -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = {**trajectory_json_schema(), "$ref": f"#/$defs/{definition}"}
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_accepts_what_the_models_accept(
    event_dicts: list[dict[str, Any]], make_meta: Any
) -> None:
    events = _validator("Event")
    for data in event_dicts:
        assert not list(events.iter_errors(data)), data
        dumped = json.loads(parse_event(data).model_dump_json())  # with explicit nulls
        assert not list(events.iter_errors(dumped)), dumped
    assert not list(_validator("TrajectoryMeta").iter_errors(make_meta()))


@pytest.mark.parametrize(
    "data",
    [
        {"t": 0, "type": "teleport"},
        {"t": 0, "type": "done", "colour": "red"},
        {"t": 0, "type": "mouse.move"},
        {"t": 0, "type": "mouse.move", "x": None, "y": None},
        {"t": 0, "type": "key.down", "key": "s", "masked": True},
        {"t": 0, "type": "text.input", "text": "hunter2", "masked": True},
        {"t": -1, "type": "done"},
        {"t": 0},
    ],
)
def test_schema_rejects_what_the_models_reject(data: dict[str, Any]) -> None:
    assert list(_validator("Event").iter_errors(data))


def test_schema_requires_screen_offset_for_screen_space(make_meta: Any) -> None:
    meta = _validator("TrajectoryMeta")
    assert list(meta.iter_errors(make_meta(coordinate_space="screen")))
    ok = make_meta(coordinate_space="screen", screen_offset={"x": 0, "y": 0})
    assert not list(meta.iter_errors(ok))
