"""Fuzzing: arbitrary bytes and structurally mutated recordings never crash an importer or the
trajectory reader; every rejection names the file, the position and the reason."""

from __future__ import annotations

import gzip
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from officegym.errors import TrajectoryFormatError
from officegym.replayer.importers import FORMATS, import_one
from officegym.trajectory import TrajectoryReader

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = {
    "chrome-recorder": json.loads((FIXTURES / "chrome-recorder-order.json").read_text()),
    "rrweb": json.loads((FIXTURES / "rrweb-order.json").read_text()),
    "miniwob": json.loads((FIXTURES / "miniwob-enter-text.json").read_text()),
}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths_in(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document, for mutations to pick from."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths_in(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += paths_in(item, (*prefix, i))
    return out


@st.composite
def mutated(draw: Any, fmt: str) -> Any:
    """The fixture with a few places replaced by arbitrary JSON or deleted."""
    doc = json.loads(json.dumps(SOURCES[fmt]))
    places = paths_in(doc)
    for _ in range(draw(st.integers(1, 4))):
        place = draw(st.sampled_from(places))
        if not place:
            return draw(JSON)
        parent = doc
        try:
            for part in place[:-1]:
                parent = parent[part]
            if draw(st.booleans()):
                parent[place[-1]] = draw(JSON)
            elif isinstance(parent, dict):
                del parent[place[-1]]
            else:
                parent.pop(place[-1])
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
    return doc


def check_import(fmt: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "input.json"
        source.write_bytes(content)
        result = import_one(fmt, source, Path(tmp) / "out")
        if result.outcome == "rejected":
            assert result.reason.startswith(str(source)), result.reason
            assert len(result.reason) > len(str(source)) + 5
            # a place in the file: a line, a byte or a field path; never only "somewhere"
            assert result.position and result.position != "whole file", result
            line = result.position.removeprefix("line ")
            shown = f":{line}:" if line != result.position else result.position
            assert shown in result.reason.removeprefix(str(source)), result
        else:
            for skip in result.skipped:
                assert skip.position and skip.reason
            with TrajectoryReader(result.trajectory or "") as reader:  # what it wrote is valid
                assert reader.events()[-1].type == "done"


@FUZZ
@given(fmt=st.sampled_from(FORMATS), content=st.binary(max_size=300))
def test_importers_survive_arbitrary_bytes(fmt: str, content: bytes) -> None:
    check_import(fmt, content)


@FUZZ
@given(data=st.data(), fmt=st.sampled_from(FORMATS))
def test_importers_survive_mutated_recordings(data: Any, fmt: str) -> None:
    check_import(fmt, json.dumps(data.draw(mutated(fmt))).encode())


EXAMPLE_META = {
    "format": "officegym.trajectory/1", "id": "fuzz", "source": "human",
    "recorder": {"name": "t", "version": "1"}, "viewport": {"width": 800, "height": 600},
    "started_at": "2026-01-01T00:00:00Z",
}  # fmt: skip
EXAMPLE_EVENTS = [
    {"t": 0, "type": "mouse.move", "x": 1, "y": 2},
    {"t": 5, "type": "mouse.down", "x": 1, "y": 2, "target": {"selector": "#a", "bbox": {"x": 0, "y": 0, "width": 5, "height": 5}}},  # noqa: E501
    {"t": 9, "type": "key.down", "key": "a", "modifiers": ["Shift"]},
    {"t": 12, "type": "check", "kind": "element", "target": {"selector": "#a"}},
    {"t": 20, "type": "done"},
]  # fmt: skip


def read_all(meta: bytes, events: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "meta.json").write_bytes(meta)
        (folder / "events.jsonl").write_bytes(events)
        try:
            with TrajectoryReader(folder) as reader:
                assert reader.meta.id
                reader.events()
        except TrajectoryFormatError as exc:
            assert str(exc).startswith(str(folder)) and exc.problem
            assert exc.path.endswith(("meta.json", "events.jsonl"))
            assert exc.line is not None or exc.field or "missing" in exc.problem, exc


@FUZZ
@given(meta=st.binary(max_size=200), events=st.binary(max_size=300))
def test_reader_survives_arbitrary_bytes(meta: bytes, events: bytes) -> None:
    read_all(meta, events)


@FUZZ
@given(data=st.data())
def test_reader_survives_mutated_trajectories(data: Any) -> None:
    meta = json.loads(json.dumps(EXAMPLE_META))
    events = json.loads(json.dumps(EXAMPLE_EVENTS))
    doc = {"meta": meta, "events": events}
    for _ in range(data.draw(st.integers(1, 3))):
        place = data.draw(st.sampled_from(paths_in(doc)[1:]))
        parent: Any = doc
        try:
            for part in place[:-1]:
                parent = parent[part]
            parent[place[-1]] = data.draw(JSON)
        except (KeyError, IndexError, TypeError):
            continue
    meta_bytes = json.dumps(doc["meta"]).encode()
    lines = doc["events"] if isinstance(doc["events"], list) else [doc["events"]]
    read_all(meta_bytes, "".join(json.dumps(e) + "\n" for e in lines).encode())


def test_deep_nesting_and_broken_gzip_are_rejected_at_their_place(tmp_path: Path) -> None:
    """Inputs Python's own parsers raise on (RecursionError, zlib.error) instead of failing
    cleanly: each becomes a rejection naming the line or byte."""
    deep = tmp_path / "deep.json"
    deep.write_text('{"title": "x",\n "steps": ' + "[" * 50_000)
    result = import_one("chrome-recorder", deep, tmp_path / "out-deep")
    assert (result.outcome, result.position) == ("rejected", "line 2"), result

    packed = bytearray(gzip.compress(json.dumps(SOURCES["rrweb"]).encode()))
    packed[40] ^= 0xFF  # inside the compressed data: "invalid distance" or a bad block
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(bytes(packed))
    result = import_one("rrweb", broken, tmp_path / "out-gz")
    assert result.outcome == "rejected" and result.position.startswith("byte "), result
    assert int(result.position.split()[1]) >= 40, result  # the first bad byte or after it

    meta = json.dumps(EXAMPLE_META).encode()
    read_all(b"[" * 50_000, b"")  # meta.json too deep: rejected with a line, no crash
    with pytest.raises(TrajectoryFormatError) as caught:
        folder = tmp_path / "traj"
        folder.mkdir()
        (folder / "meta.json").write_bytes(meta)
        (folder / "events.jsonl").write_bytes(b'{"t": 0, "type": "done"}\n' + b"[" * 50_000)
        with TrajectoryReader(folder) as reader:
            reader.events()
    assert caught.value.line == 2 and "deeply" in caught.value.problem


def test_a_zip_broken_inside_names_the_line(tmp_path: Path) -> None:
    """A zipped trajectory whose compressed events are damaged: the reader says where, instead
    of letting zlib's error through."""
    zipped = tmp_path / "t.zip"
    lines = "".join(
        json.dumps({"t": i, "type": "mouse.move", "x": i, "y": i * 7919 % 601}) + "\n"
        for i in range(3000)
    )
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", json.dumps(EXAMPLE_META))
        archive.writestr("events.jsonl", lines)
    data = bytearray(zipped.read_bytes())
    start = data.index(b"events.jsonl") + 2000  # inside the compressed events
    data[start : start + 30] = bytes(b ^ 0x55 for b in data[start : start + 30])
    zipped.write_bytes(bytes(data))
    with pytest.raises(TrajectoryFormatError) as caught, TrajectoryReader(zipped) as reader:
        reader.events()
    assert caught.value.path.endswith("!events.jsonl") and caught.value.line, caught.value
    assert "broken compressed data" in caught.value.problem
