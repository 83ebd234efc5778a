"""Event and header models: every type parses, unknown fields are rejected, privacy rules hold."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

import officegym.trajectory as trajectory
from officegym.errors import TrajectoryFormatError
from officegym.trajectory import (
    EVENT_TYPES,
    FORMAT,
    KeyDown,
    MouseMove,
    TextInput,
    TrajectoryMeta,
    _events,
    _io,
    _models,
    _reader,
    _schema,
    parse_event,
    schema,
)


def test_fixture_covers_every_event_type(event_dicts: list[dict[str, Any]]) -> None:
    assert {e["type"] for e in event_dicts} == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == len(set(EVENT_TYPES)) == 19


def test_every_event_round_trips_through_json(event_dicts: list[dict[str, Any]]) -> None:
    for data in event_dicts:
        event = parse_event(data)
        assert event.type == data["type"]
        assert parse_event(event.model_dump_json(exclude_none=True)) == event
        assert parse_event(event.model_dump_json()) == event  # explicit nulls are accepted


def test_public_api_is_curated() -> None:
    assert trajectory.FORMAT == FORMAT == "officegym.trajectory/1"
    for name in trajectory.__all__:
        assert hasattr(trajectory, name), name


@pytest.mark.parametrize("module", [_models, _events, _io, _reader, _schema, schema])
def test_docstring_examples(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"t": 0, "type": "done", "colour": "red"}, "colour"),
        ({"t": 0, "type": "mouse.move", "x": 1, "y": 2, "target": {"css": "#a"}}, "target.css"),
        (
            {"t": 0, "type": "mouse.down", "x": 1, "y": 2, "target": {"bbox": {"x": 0, "y": 0,
             "width": 1, "height": 1, "depth": 3}}},
            "target.bbox.depth",
        ),
    ],
)  # fmt: skip
def test_extra_event_fields_are_rejected(data: dict[str, Any], field: str) -> None:
    with pytest.raises(TrajectoryFormatError) as info:
        parse_event(data, path="events.jsonl", line=3)
    assert info.value.field == field
    assert info.value.line == 3
    assert "Extra inputs are not permitted" in str(info.value)


def test_extra_meta_fields_are_rejected(make_meta: Callable[..., dict[str, Any]]) -> None:
    with pytest.raises(ValidationError, match=r"extra_forbidden|Extra inputs"):
        TrajectoryMeta.model_validate(make_meta(colour="red"))
    bad_viewport = {"width": 1, "height": 1, "zoom": 2}
    with pytest.raises(ValidationError):
        TrajectoryMeta.model_validate(make_meta(viewport=bad_viewport))
    # ...but the free-form `extra` dict takes anything.
    meta = TrajectoryMeta.model_validate(make_meta(extra={"anything": [1, {"x": None}]}))
    assert meta.extra == {"anything": [1, {"x": None}]}


def test_meta_minimal_and_defaults() -> None:
    meta = TrajectoryMeta.model_validate(
        {
            "format": FORMAT,
            "id": "x",
            "source": "agent",
            "recorder": {"name": "r", "version": "1"},
            "viewport": {"width": 10, "height": 20},
            "started_at": "2024-05-01T12:00:00Z",
        }
    )
    assert meta.viewport.device_scale_factor == 1.0
    assert meta.coordinate_space == "viewport"
    assert meta.outcome.claimed_success is None and meta.outcome.answer is None
    assert meta.privacy.masked_fields == [] and meta.extra == {}


def test_screen_coordinates_need_an_offset(make_meta: Callable[..., dict[str, Any]]) -> None:
    with pytest.raises(ValidationError, match="screen_offset"):
        TrajectoryMeta.model_validate(make_meta(coordinate_space="screen"))
    meta = TrajectoryMeta.model_validate(
        make_meta(coordinate_space="screen", screen_offset={"x": 0, "y": 80})
    )
    assert meta.screen_offset is not None and meta.screen_offset.y == 80


def test_started_at_must_be_iso_8601(make_meta: Callable[..., dict[str, Any]]) -> None:
    with pytest.raises(ValidationError, match="ISO 8601"):
        TrajectoryMeta.model_validate(make_meta(started_at="yesterday"))


def test_mouse_move_needs_position_or_selector() -> None:
    assert MouseMove(t=0, target={"selector": "#a"}).x is None  # type: ignore[arg-type]
    with pytest.raises(TrajectoryFormatError) as info:
        parse_event({"t": 0, "type": "mouse.move"})
    assert info.value.field == "x"
    assert "target.selector" in info.value.problem
    with pytest.raises(TrajectoryFormatError) as info:
        parse_event({"t": 0, "type": "mouse.move", "x": 3, "target": {"selector": "#a"}})
    assert info.value.field == "y"
    with pytest.raises(TrajectoryFormatError, match=r"target\.selector"):
        parse_event({"t": 0, "type": "mouse.move", "target": {"role": "button"}})


def test_masked_events_never_carry_the_secret() -> None:
    assert KeyDown(t=0, key="•", masked=True).masked
    assert TextInput(t=0, text="•••", masked=True).text == "•••"
    for data, field in [
        ({"t": 0, "type": "key.down", "key": "s", "masked": True}, "key"),
        ({"t": 0, "type": "key.up", "key": "•", "code": "KeyS", "masked": True}, "code"),
        ({"t": 0, "type": "text.input", "text": "hunter2", "masked": True}, "text"),
    ]:
        with pytest.raises(TrajectoryFormatError) as info:
            parse_event(data)
        assert info.value.field == field


@pytest.mark.parametrize(
    ("data", "field", "needle"),
    [
        ({"t": -1, "type": "done"}, "t", "greater than or equal to 0"),
        ({"t": 0, "type": "mouse.down", "x": "left", "y": 1}, "x", "valid number"),
        ({"t": 0, "type": "mouse.down", "x": "12", "y": 1}, "x", "valid number"),  # strict
        ({"t": 0, "type": "text.input", "text": "a", "replace": "yes"}, "replace", "boolean"),
        ({"t": 0, "type": "mouse.up", "x": 1, "y": 1, "button": "sideways"}, "button", "'left'"),
        ({"t": 0, "type": "key.down", "key": "a", "modifiers": ["Ctrl"]}, "modifiers[0]", "Alt"),
        ({"t": 0, "type": "tab.switch"}, "index", "Field required"),
        ({"t": 0, "type": "screenshot", "frame": "../x.png", "sha256": "0" * 64}, "frame", ".."),
        ({"t": 0, "type": "screenshot", "frame": "/etc/x.png", "sha256": "0" * 64}, "frame", ""),
        ({"t": 0, "type": "screenshot", "frame": "frames/1.png", "sha256": "abc"}, "sha256", ""),
        ({"type": "done"}, "t", "Field required"),
        ({"t": 0}, "type", "missing event type"),
        ({"t": 0, "type": "mouse.mvoe"}, "type", "did you mean 'mouse.move'"),
    ],
)
def test_bad_fields_name_the_field(data: dict[str, Any], field: str, needle: str) -> None:
    with pytest.raises(TrajectoryFormatError) as info:
        parse_event(data, path="rec/events.jsonl", line=9)
    err = info.value
    assert (err.path, err.line, err.field) == ("rec/events.jsonl", 9, field)
    assert needle in err.problem
    assert str(err).startswith(f"rec/events.jsonl:9: {field}: ")


def test_parse_event_rejects_non_objects_and_bad_json() -> None:
    with pytest.raises(TrajectoryFormatError, match="expected a JSON object, got list"):
        parse_event("[1, 2]")
    with pytest.raises(TrajectoryFormatError, match="invalid JSON: Expecting ',' delimiter"):
        parse_event('{"t": 1 "type": "done"}')
    with pytest.raises(TrajectoryFormatError, match="finite"):
        parse_event('{"t": NaN, "type": "done"}')


def test_unknown_type_lists_known_types() -> None:
    with pytest.raises(TrajectoryFormatError) as info:
        parse_event({"t": 0, "type": "teleport"})
    assert info.value.field == "type"
    assert "'teleport'" in info.value.problem
    assert all(t in info.value.problem for t in EVENT_TYPES)
