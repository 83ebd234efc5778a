"""Writer and reader: round trips through directories and zips, frames, and every reader error."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from officegym.errors import TrajectoryFormatError
from officegym.trajectory import (
    Done,
    MouseMove,
    Screenshot,
    TrajectoryMeta,
    TrajectoryReader,
    TrajectoryWriter,
    parse_event,
    zip_trajectory,
)


def write_all(path: Path, meta: TrajectoryMeta, events: list[dict[str, Any]], png: bytes) -> Path:
    with TrajectoryWriter(path, meta) as writer:
        rel, sha = writer.add_frame(png)
        assert (rel, sha) == ("frames/000000.png", hashlib.sha256(png).hexdigest())
        for event in events:
            writer.write(event)
    return path


def write_raw(path: Path, meta: dict[str, Any] | str | None, lines: list[str]) -> Path:
    """A trajectory written by hand, bypassing the writer's checks."""
    path.mkdir(parents=True, exist_ok=True)
    if meta is not None:
        text = meta if isinstance(meta, str) else json.dumps(meta)
        (path / "meta.json").write_text(text, encoding="utf-8")
    (path / "events.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def read_error(path: Path, **kwargs: Any) -> TrajectoryFormatError:
    with pytest.raises(TrajectoryFormatError) as info, TrajectoryReader(path) as reader:
        list(reader.iter_events(**kwargs))
    return info.value


# --- round trips -----------------------------------------------------------------------------


def test_round_trip_directory(
    tmp_path: Path, meta: TrajectoryMeta, event_dicts: list[dict[str, Any]], png: bytes
) -> None:
    rec = write_all(tmp_path / "rec", meta, event_dicts, png)
    with TrajectoryReader(rec) as reader:
        assert reader.meta == meta
        pairs = list(reader.iter_events())
    assert [line for line, _ in pairs] == list(range(1, len(event_dicts) + 1))
    assert [event for _, event in pairs] == [parse_event(e) for e in event_dicts]


def test_files_are_compact_and_skip_nulls(
    tmp_path: Path, meta: TrajectoryMeta, event_dicts: list[dict[str, Any]], png: bytes
) -> None:
    rec = write_all(tmp_path / "rec", meta, event_dicts, png)
    lines = (rec / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines[-1] == '{"t":51.0,"type":"done"}'
    assert all(": " not in line and ":null" not in line.split('"action"')[0] for line in lines)
    assert '"args":[null]' in lines[-2]  # nulls inside free-form dicts are data, kept as is
    stored = json.loads((rec / "meta.json").read_text(encoding="utf-8"))
    assert "agent" not in stored and stored["format"] == "officegym.trajectory/1"


@pytest.mark.parametrize("top_folder", ["", "rec/"])
def test_round_trip_zip(
    tmp_path: Path,
    meta: TrajectoryMeta,
    event_dicts: list[dict[str, Any]],
    png: bytes,
    top_folder: str,
) -> None:
    rec = write_all(tmp_path / "rec", meta, event_dicts, png)
    dest = tmp_path / "rec.zip"
    if top_folder:
        with zipfile.ZipFile(dest, "w") as zf:
            for file in rec.rglob("*"):
                zf.write(file, top_folder + file.relative_to(rec).as_posix())
    else:
        assert zip_trajectory(rec, dest) == dest
        assert "meta.json" in zipfile.ZipFile(dest).namelist()
    with TrajectoryReader(dest) as reader:
        assert reader.meta == meta
        assert reader.events() == [parse_event(e) for e in event_dicts]
        assert reader.read_frame("frames/000000.png") == png
        assert reader.frame_exists("frames/000000.png")
        assert not reader.frame_exists("frames/000001.png")
        assert len(list(reader.iter_events(check_frames=True))) == len(event_dicts)


def test_frames_are_numbered_and_hashed(tmp_path: Path, meta: TrajectoryMeta, png: bytes,
                                        jpeg: bytes) -> None:  # fmt: skip
    with TrajectoryWriter(tmp_path / "rec", meta) as writer:
        for i, (data, ext) in enumerate([(png, "png"), (jpeg, "jpg"), (png, ".PNG")]):
            rel, sha = writer.add_frame(data, ext)
            writer.write(Screenshot(t=i, frame=rel, sha256=sha))
        with pytest.raises(ValueError, match="unsupported frame extension"):
            writer.add_frame(png, "gif")
    with TrajectoryReader(tmp_path / "rec") as reader:
        shots = [e for _, e in reader.iter_events(check_frames=True)]
        assert [s.frame for s in shots if isinstance(s, Screenshot)] == [
            "frames/000000.png",
            "frames/000001.jpg",
            "frames/000002.png",
        ]
        for shot in shots:
            assert isinstance(shot, Screenshot)
            data = reader.read_frame(shot.frame)
            assert hashlib.sha256(data).hexdigest() == shot.sha256


def test_writer_flushes_every_line_and_meta_survives_a_crash(
    tmp_path: Path, meta: TrajectoryMeta
) -> None:
    writer = TrajectoryWriter(tmp_path / "rec", meta)
    assert TrajectoryReader(tmp_path / "rec").meta == meta  # header exists before any event
    writer.write(MouseMove(t=1, x=2, y=3))
    # Not closed, as after a crash: the line is already on disk.
    assert TrajectoryReader(tmp_path / "rec").events() == [MouseMove(t=1, x=2, y=3)]
    writer.close()
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.write(Done(t=5))


def test_update_meta_and_outcome_rewrite_the_header(tmp_path: Path, meta: TrajectoryMeta) -> None:
    with TrajectoryWriter(tmp_path / "rec", meta) as writer:
        writer.update_meta(agent="oracle", extra={"steps": 3})
        writer.set_outcome(claimed_success=True, answer="done it")
        with pytest.raises(TrajectoryFormatError) as info:
            writer.update_meta(viewport={"width": 0, "height": 5})
        assert info.value.field == "viewport.width"
        assert writer.meta.viewport == meta.viewport  # failed update leaves the header alone
    stored = TrajectoryReader(tmp_path / "rec").meta
    assert stored.agent == "oracle" and stored.extra == {"steps": 3}
    assert stored.outcome.claimed_success is True and stored.outcome.answer == "done it"
    assert [p.name for p in (tmp_path / "rec").iterdir() if p.name.startswith(".")] == []


def test_meta_json_is_as_readable_as_the_events_beside_it(
    tmp_path: Path, meta: TrajectoryMeta
) -> None:
    """The header is written through a temporary file (0600 as made): it ends with the mode
    any file the writer opens gets, 0644 under the usual umask."""
    with TrajectoryWriter(tmp_path / "rec", meta) as writer:
        writer.update_meta(agent="oracle")  # written a second time
    modes = {name: (tmp_path / "rec" / name).stat().st_mode & 0o777 for name in (
        "meta.json", "events.jsonl")}  # fmt: skip
    assert modes["meta.json"] == modes["events.jsonl"]


def test_writer_refuses_to_clobber_or_go_back_in_time(tmp_path: Path, meta: TrajectoryMeta) -> None:
    with TrajectoryWriter(tmp_path / "rec", meta) as writer:
        writer.write({"t": 300, "type": "done"})
        with pytest.raises(TrajectoryFormatError) as info:
            writer.write({"t": 120, "type": "done"})
        assert (info.value.line, info.value.field) == (2, "t")
        with pytest.raises(TrajectoryFormatError) as info:
            writer.write({"t": 400, "type": "mouse.move"})
        assert info.value.field == "x"
    with pytest.raises(FileExistsError):
        TrajectoryWriter(tmp_path / "rec", meta)
    TrajectoryWriter(tmp_path / "rec", meta, overwrite=True).close()
    assert TrajectoryReader(tmp_path / "rec").events() == []


def test_writer_validates_a_meta_dict(tmp_path: Path) -> None:
    with pytest.raises(TrajectoryFormatError) as info:
        TrajectoryWriter(tmp_path / "rec", {"id": "x"})
    assert info.value.path == str(tmp_path / "rec" / "meta.json")
    assert info.value.field == "source"


def test_blank_lines_and_explicit_nulls_are_accepted(tmp_path: Path, make_meta: Any) -> None:
    rec = write_raw(
        tmp_path / "rec",
        make_meta(),
        [
            '{"t": 0, "type": "tab.open", "url": null, "target": null, "tab": null}',
            "",
            "   ",
            '{"t": 0, "type": "done", "action": null}',
        ],
    )
    assert [line for line, _ in TrajectoryReader(rec).iter_events()] == [1, 4]


# --- reader errors: every one names file, line and field ------------------------------------


def test_invalid_json_names_line_and_column(tmp_path: Path, make_meta: Any) -> None:
    lines = ['{"t": 0, "type": "done"}'] * 6 + ['{"t": 1 "type": "done"}']
    err = read_error(write_raw(tmp_path / "rec", make_meta(), lines))
    assert (err.path, err.line, err.field) == (str(tmp_path / "rec" / "events.jsonl"), 7, None)
    assert err.problem == "invalid JSON: Expecting ',' delimiter at column 9"
    assert str(err) == f"{tmp_path / 'rec' / 'events.jsonl'}:7: {err.problem}"


def test_unknown_event_type(tmp_path: Path, make_meta: Any) -> None:
    lines = ['{"t": 0, "type": "done"}', '{"t": 1, "type": "mouse.click", "x": 1, "y": 2}']
    err = read_error(write_raw(tmp_path / "rec", make_meta(), lines))
    assert (err.line, err.field) == (2, "type")
    assert "unknown event type 'mouse.click'" in err.problem and "mouse.down" in err.problem


def test_bad_nested_field(tmp_path: Path, make_meta: Any) -> None:
    bad = {"t": 1, "type": "mouse.down", "x": 1, "y": 2,
           "target": {"bbox": {"x": 0, "y": 0, "width": "wide", "height": 1}}}  # fmt: skip
    err = read_error(write_raw(tmp_path / "rec", make_meta(), [json.dumps(bad)]))
    assert (err.line, err.field) == (1, "target.bbox.width")
    assert "valid number" in err.problem and '"wide"' in err.problem


def test_time_going_backwards(tmp_path: Path, make_meta: Any) -> None:
    lines = [
        '{"t": 300, "type": "done"}',
        '{"t": 300, "type": "done"}',
        '{"t": 120, "type": "done"}',
    ]
    err = read_error(write_raw(tmp_path / "rec", make_meta(), lines))
    assert (err.line, err.field) == (3, "t")
    assert err.problem == "t=120 is before the previous event's t=300"


def test_missing_frame(tmp_path: Path, make_meta: Any, png: bytes) -> None:
    shot = {"t": 0, "type": "screenshot", "frame": "frames/000009.png", "sha256": "0" * 64}
    rec = write_raw(tmp_path / "rec", make_meta(), [json.dumps(shot)])
    assert len(TrajectoryReader(rec).events()) == 1  # frames are only checked on request
    err = read_error(rec, check_frames=True)
    assert (err.path, err.line, err.field) == (str(rec / "events.jsonl"), 1, "frame")
    assert "'frames/000009.png' does not exist" in err.problem
    with pytest.raises(TrajectoryFormatError) as info:
        TrajectoryReader(rec).read_frame("frames/000009.png")
    assert info.value.path == str(rec / "frames" / "000009.png")
    assert info.value.field == "frame"
    assert "frames/000009.png" in str(info.value)
    (rec / "frames").mkdir()
    (rec / "frames" / "000009.png").write_bytes(png)
    err = read_error(rec, check_frames=True)
    assert (err.line, err.field) == (1, "sha256")


def test_frame_paths_cannot_leave_the_trajectory(tmp_path: Path, make_meta: Any) -> None:
    rec = write_raw(tmp_path / "rec", make_meta(), [])
    for bad in ["../secret.png", "/etc/passwd"]:
        with pytest.raises(TrajectoryFormatError, match="relative path"):
            TrajectoryReader(rec).read_frame(bad)


def test_missing_meta(tmp_path: Path) -> None:
    rec = write_raw(tmp_path / "rec", None, ['{"t": 0, "type": "done"}'])
    with pytest.raises(TrajectoryFormatError) as info:
        _ = TrajectoryReader(rec).meta
    assert info.value.path == str(rec / "meta.json")
    assert "missing" in info.value.problem


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        ({"viewport": {"width": "wide", "height": 720}}, "viewport.width", "valid integer"),
        ({"task": {"id": "t", "seed": 1, "parms": {}}}, "task.parms", "Extra inputs"),
        ({"source": "robot"}, "source", "'human'"),
        ({"format": "officegym.trajectory/2"}, "format", "'officegym.trajectory/1'"),
        ({"format": None}, "format", "missing"),
    ],
)
def test_bad_meta_field(
    tmp_path: Path, make_meta: Any, change: dict[str, Any], field: str, needle: str
) -> None:
    rec = write_raw(tmp_path / "rec", make_meta(**change), [])
    with pytest.raises(TrajectoryFormatError) as info:
        _ = TrajectoryReader(rec).meta
    assert (info.value.path, info.value.field) == (str(rec / "meta.json"), field)
    assert needle in info.value.problem


def test_unsupported_format_says_what_is_supported(tmp_path: Path, make_meta: Any) -> None:
    rec = write_raw(tmp_path / "rec", make_meta(format="officegym.trajectory/2"), [])
    with pytest.raises(TrajectoryFormatError, match=r"unsupported format.*reads 'officegym"):
        _ = TrajectoryReader(rec).meta


def test_invalid_meta_json_names_line(tmp_path: Path) -> None:
    rec = write_raw(tmp_path / "rec", '{\n  "id": "x",\n  "source" "human"\n}', [])
    with pytest.raises(TrajectoryFormatError) as info:
        _ = TrajectoryReader(rec).meta
    assert info.value.line == 3
    assert "invalid JSON: Expecting ':' delimiter at column 12" in info.value.problem


def test_zip_errors_name_the_member(tmp_path: Path, make_meta: Any) -> None:
    rec = write_raw(tmp_path / "rec", make_meta(), ['{"t": 0, "type": "done"}', "{oops"])
    dest = zip_trajectory(rec, tmp_path / "rec.zip")
    err = read_error(dest)
    assert (err.path, err.line) == (f"{dest}!events.jsonl", 2)
    assert str(err).startswith(f"{dest}!events.jsonl:2: invalid JSON")


def test_zip_without_meta(tmp_path: Path) -> None:
    dest = tmp_path / "empty.zip"
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr("events.jsonl", "")
    with pytest.raises(TrajectoryFormatError, match=r"no meta\.json") as info:
        TrajectoryReader(dest)
    assert info.value.path == f"{dest}!meta.json"


def test_missing_events_file_and_bad_paths(tmp_path: Path, make_meta: Any) -> None:
    rec = write_raw(tmp_path / "rec", make_meta(), [])
    (rec / "events.jsonl").unlink()
    err = read_error(rec)
    assert err.path == str(rec / "events.jsonl") and "missing" in err.problem
    with pytest.raises(TrajectoryFormatError, match="no such file"):
        TrajectoryReader(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(TrajectoryFormatError, match="not a directory or a zip"):
        TrajectoryReader(tmp_path / "notes.txt")


def test_non_utf8_line(tmp_path: Path, make_meta: Any) -> None:
    rec = write_raw(tmp_path / "rec", make_meta(), ['{"t": 0, "type": "done"}'])
    with open(rec / "events.jsonl", "ab") as f:
        f.write(b'{"t": 1, "type": "answer", "text": "\xff"}\n')
    err = read_error(rec)
    assert err.line == 2 and "UTF-8" in err.problem
