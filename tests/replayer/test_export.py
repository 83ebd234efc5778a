"""`officegym export`: recordings as a dataset, one row per step, in Parquet (which pyarrow and
Hugging Face `datasets` both load, the frame as an image), JSON Lines and WebDataset shards; a
round trip gives back the recording's values and its frames byte for byte; `--where` filters on
the manifest as `select` does; a bad recording is skipped and named, never stops the export."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import tarfile
import zlib
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from PIL import Image

from officegym.cli import main
from officegym.cli._export import FORMATS as CLI_FORMATS
from officegym.replayer import (
    EXPORT_COLUMNS,
    FORMATS,
    ExportError,
    ManifestError,
    WhereError,
    export_recordings,
    manifest_row,
    write_manifest,
)
from officegym.replayer._findings import RecordingStats
from officegym.trajectory import TrajectoryMeta, TrajectoryWriter

START = "http://mail.office.test/"
REDACTED_BOX = {"frame": "frames/000001.png", "box": [0, 0, 4, 4], "kind": "card_number"}


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, "PNG")
    return out.getvalue()


def meta(name: str, source: str = "human", **more: Any) -> dict[str, Any]:
    return {"id": name, "source": source, "recorder": {"name": "t", "version": "1"},
            "viewport": {"width": 800, "height": 600}, "start_url": START,
            "started_at": "2026-01-01T00:00:00Z", **more}  # fmt: skip


def key(t: float, name: str, mods: list[str] | None = None) -> list[dict[str, Any]]:
    mods = mods or []
    return [{"t": t, "type": "key.down", "key": name, "modifiers": mods},
            {"t": t + 5, "type": "key.up", "key": name, "modifiers": mods}]  # fmt: skip


def person(path: Path) -> tuple[Path, list[bytes]]:
    """A person's recording of seven acts over three frames (the middle one redacted)."""
    frames = [png("red"), png("green"), png("blue")]
    target = {"selector": "#send", "role": "button", "name": "Send"}
    field = {"selector": "#subject", "role": "textbox", "name": "Subject"}
    info = meta(path.name, task={"id": "no.such-task", "seed": 3}, extra={"goal": "Reply"},
                privacy={"masked_fields": ["#pw"], "redactions": [REDACTED_BOX]})  # fmt: skip
    with TrajectoryWriter(path, info) as writer:
        names = [writer.add_frame(data) for data in frames]

        def shot(t: float, i: int) -> None:
            writer.write(
                {"t": t, "type": "screenshot", "frame": names[i][0], "sha256": names[i][1]}
            )

        shot(0, 0)
        writer.write({"t": 10, "type": "mouse.move", "x": 90, "y": 40})
        writer.write({"t": 20, "type": "mouse.down", "x": 100, "y": 50, "target": target})
        writer.write({"t": 90, "type": "mouse.up", "x": 100, "y": 50})
        shot(300, 1)
        writer.write({"t": 400, "type": "key.down", "key": "Control", "modifiers": ["Control"]})
        for event in key(410, "a", ["Control"]):
            writer.write(event)
        writer.write({"t": 450, "type": "key.up", "key": "Control", "modifiers": []})
        for event in [*key(500, "h"), *key(510, "i")]:
            writer.write(event)
        writer.write({"t": 700, "type": "text.input", "text": "Re: hi", "replace": True,
                      "target": field})  # fmt: skip
        writer.write({"t": 750, "type": "text.input", "text": "•••", "masked": True})
        shot(800, 2)
        writer.write({"t": 900, "type": "mouse.wheel", "x": 10, "y": 20, "dx": 0, "dy": 100})
        writer.write({"t": 950, "type": "mouse.wheel", "x": 10, "y": 20, "dx": 0, "dy": 100})
        writer.write({"t": 1000, "type": "nav.goto", "url": "http://mail.office.test/sent"})
        writer.write({"t": 1100, "type": "answer", "text": "done"})
        writer.write({"t": 1200, "type": "done"})
    return path, frames


def agent(episode: Path) -> tuple[Path, list[bytes]]:
    """An agent's episode as a run keeps it: trajectory/ and steps.jsonl with the trees."""
    frames = [png("white"), png("black"), png("yellow")]
    path = episode / "trajectory"
    info = meta("ep-1", "agent", agent="oracle", extra={"action_mode": "browser"})
    click = {"action": "click", "element": "12"}
    fill = {"action": "fill", "element": "13", "text": "x"}
    with TrajectoryWriter(path, info) as writer:
        names = [writer.add_frame(data) for data in frames]

        def observe(t: float, i: int, url: str) -> None:
            writer.write({"t": t, "type": "observe", "url": url})
            writer.write(
                {"t": t, "type": "screenshot", "frame": names[i][0], "sha256": names[i][1]}
            )

        observe(0, 0, START)
        for kind in ("mouse.move", "mouse.down", "mouse.up"):
            writer.write({"t": 100, "type": kind, "x": 5, "y": 6, "action": click,
                          "target": {"selector": "#a"}})  # fmt: skip
        observe(200, 1, START + "b")
        writer.write({"t": 300, "type": "text.input", "text": "x", "replace": True,
                      "action": fill, "target": {"selector": "#b"}})  # fmt: skip
        observe(400, 2, START + "c")
        writer.write({"t": 400, "type": "done"})
    lines = [{"step": 1, "axtree": "[12] button 'A'"}, {"step": 2, "axtree": "[13] textbox"}]
    (episode / "steps.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path, frames


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Any]:
    root = tmp_path / "recordings"
    human, human_frames = person(root / "alice")
    bot, bot_frames = agent(root / "run/episodes/ep-1")
    not_image, _ = person(root / "zz-not-an-image")
    bogus = b"this is no picture"
    sha = hashlib.sha256(bogus).hexdigest()
    (not_image / "frames/000000.png").write_bytes(bogus)
    events = (
        (not_image / "events.jsonl")
        .read_text()
        .replace(hashlib.sha256(human_frames[0]).hexdigest(), sha)
    )
    (not_image / "events.jsonl").write_text(events)
    broken = root / "zz-broken"
    person(broken)
    with (broken / "events.jsonl").open("a") as f:
        f.write('{"t": 1300, "type": "mouse.click"}\n')
    return {"root": root, "human": (human, human_frames), "agent": (bot, bot_frames),
            "bad": [not_image, broken]}  # fmt: skip


def parquet_rows(out: Path) -> list[dict[str, Any]]:
    return pq.read_table(out / "data").to_pylist()


def by_recording(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return sorted((r for r in rows if r["recording_id"] == name), key=lambda r: r["step"])


def check_person(rows: list[dict[str, Any]], frames: list[bytes], frame_of: Any) -> None:
    """The person's rows: one per act, its frame the last at or before it, both modes."""
    assert [r["step"] for r in rows] == list(range(8))
    assert [r["t_ms"] for r in rows] == [20, 410, 500, 700, 750, 900, 1000, 1100]
    assert [r["dt_ms"] for r in rows] == [None, 390, 90, 200, 50, 150, 100, 100]
    assert rows[0]["timestamp"] == "2026-01-01T00:00:00.020+00:00"
    assert [frame_of(r) for r in rows] == [frames[0]] + [frames[1]] * 4 + [frames[2]] * 3
    assert [r["frame_t_ms"] for r in rows] == [0, 300, 300, 300, 300, 800, 800, 800]
    assert [r["computer_action"] for r in rows] == [
        "click(100.0, 50.0, 'left')", "hotkey(['Control', 'a'])", "type('hi')", None, None,
        "wheel(10.0, 20.0, 0.0, 200.0)", None, "answer('done')",
    ]  # fmt: skip
    browser = [json.loads(r["browser_action"]) if r["browser_action"] else None for r in rows]
    assert browser[0] == {"action": "click", "target": {"selector": "#send", "role": "button",
                                                        "name": "Send"}}  # fmt: skip
    assert browser[3]["action"] == "fill" and browser[3]["text"] == "Re: hi"
    assert browser[6] == {"action": "goto", "url": "http://mail.office.test/sent"}
    assert [r["masked"] for r in rows] == [False] * 4 + [True] + [False] * 3
    assert [r["frame_redactions"] for r in rows] == [0, 1, 1, 1, 1, 0, 0, 0]
    assert rows[-1]["url"] == "http://mail.office.test/sent" and rows[0]["url"] == START
    first = rows[0]
    assert (first["task_id"], first["seed"], first["goal"]) == ("no.such-task", 3, "Reply")
    assert (first["source"], first["redactions"], first["action"]) == ("human", 1, None)


def check_agent(rows: list[dict[str, Any]], frames: list[bytes], frame_of: Any) -> None:
    """The agent's rows: a step per action, seen on the observation before it."""
    assert [r["step"] for r in rows] == [0, 1]
    assert [frame_of(r) for r in rows] == frames[:2]
    assert [r["url"] for r in rows] == [START, START + "b"]
    assert [r["axtree"] for r in rows] == ["[12] button 'A'", "[13] textbox"]
    assert [json.loads(r["action"]) for r in rows] == [
        {"action": "click", "element": "12"}, {"action": "fill", "element": "13", "text": "x"}
    ]  # fmt: skip
    assert json.loads(rows[0]["browser_action"])["target"] == {"selector": "#a"}
    assert rows[0]["computer_action"] == "click(5.0, 6.0, 'left')"
    assert rows[0]["action_mode"] == "browser"


def test_parquet_round_trips_with_pyarrow_and_skips_bad_recordings(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    report = export_recordings([corpus["root"]], out, "parquet")
    rows = parquet_rows(out)
    check_person(by_recording(rows, "alice"), corpus["human"][1], lambda r: r["frame"]["bytes"])
    check_agent(by_recording(rows, "ep-1"), corpus["agent"][1], lambda r: r["frame"]["bytes"])
    assert (report.found, report.recordings, report.steps) == (4, 2, 10)
    # named relative to the folder of the path given: no path of this machine in the dataset
    bad = ["recordings/zz-broken", "recordings/zz-not-an-image"]
    assert sorted(p for p, _ in report.skipped) == bad
    reasons = dict(report.skipped)
    assert "not a PNG or JPEG" in reasons[bad[1]]
    assert "mouse.click" in reasons[bad[0]]
    assert {r["recording_id"] for r in rows} == {"alice", "ep-1"}  # nothing of a bad one
    assert {r["recording"] for r in rows} == {
        "recordings/alice", "recordings/run/episodes/ep-1/trajectory"
    }  # fmt: skip
    schema = pq.read_schema(next((out / "data").iterdir()))
    assert schema.names == [c.name for c in EXPORT_COLUMNS]
    card = (out / "README.md").read_text()
    assert "| recordings | 2 |" in card and "| steps (rows) | 10 |" in card
    assert f"`{bad[0]}`" in card and f"`{bad[1]}`" in card and str(tmp_path) not in card
    assert "card_number (frame): 1" in card


def test_parquet_loads_with_hugging_face_datasets_as_images(
    corpus: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    out = tmp_path / "dataset"
    export_recordings([corpus["human"][0]], out, "parquet", shard_bytes=1500)  # ~ 3 rows a file
    files = [str(p) for p in sorted((out / "data").glob("*.parquet"))]
    assert len(files) > 1
    ds = datasets.load_dataset(
        "parquet", data_files=files, split="train", cache_dir=str(tmp_path / "cache")
    )
    assert isinstance(ds.features["frame"], datasets.Image)
    first = ds[0]
    assert first["frame"].size == (16, 12) and first["frame"].getpixel((0, 0)) == (255, 0, 0)
    raw = ds.cast_column("frame", datasets.Image(decode=False))
    rows = [dict(r) for r in raw]
    check_person(rows, corpus["human"][1], lambda r: r["frame"]["bytes"])


def test_jsonl_round_trips_with_each_frame_a_file_written_once(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    export_recordings([corpus["human"][0], corpus["agent"][0]], out, "jsonl")
    lines = [json.loads(x) for f in sorted((out / "data").iterdir()) for x in f.open()]
    check_person(by_recording(lines, "alice"), corpus["human"][1],
                 lambda r: (out / r["frame"]).read_bytes())  # fmt: skip
    check_agent(by_recording(lines, "ep-1"), corpus["agent"][1],
                lambda r: (out / r["frame"]).read_bytes())  # fmt: skip
    written = sorted(p for p in (out / "frames").rglob("*") if p.is_file())
    assert len(written) == 5  # the 6 frames shown, one of the agent's (the last page) never
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() == p.stem for p in written)
    assert lines[0]["labels"]["reward"] is None and set(lines[0]) == {
        c.name for c in EXPORT_COLUMNS
    }


def test_webdataset_shards_are_bounded_and_keep_each_sample_whole(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    limit = 4096
    export_recordings([corpus["human"][0]], out, "webdataset", shard_bytes=limit)
    shards = sorted((out / "data").glob("*.tar"))
    assert len(shards) > 1
    samples: dict[str, dict[str, bytes]] = {}
    for shard in shards:
        with tarfile.open(shard) as tar:
            keys = set()
            for member in tar.getmembers():
                name, ext = member.name.split(".", 1)
                data = tar.extractfile(member)
                assert data is not None
                samples.setdefault(name, {})[ext] = data.read()
                keys.add(name)
        # a shard passes the limit only when one sample alone is larger
        assert shard.stat().st_size <= limit + 10240 or len(keys) == 1
    rows = []
    for parts in samples.values():
        assert set(parts) == {"json", "png"}  # every sample the same members
        row = json.loads(parts["json"])
        row["_frame"] = parts["png"] if row["frame"] else None
        rows.append(row)
    check_person(by_recording(rows, "alice"), corpus["human"][1], lambda r: r["_frame"])


def test_where_filters_on_the_manifest_given_or_found(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    human, bot = corpus["human"][0], corpus["agent"][0]
    rows = []
    for path, verdict in ((human, "valid"), (bot, "diverged")):
        info = TrajectoryMeta.model_validate_json((path / "meta.json").read_text())
        rows.append(manifest_row(path, info, RecordingStats(events=9), [], verdict))
    write_manifest(rows, corpus["root"])  # found: it is in a folder above both
    found = export_recordings([human, bot], tmp_path / "a", "parquet", where="verdict == 'valid'")
    assert (found.recordings, found.filtered_out) == (1, 1)
    kept = parquet_rows(tmp_path / "a")
    assert {r["recording_id"] for r in kept} == {"alice"}
    assert kept[0]["verdict"] == "valid" and kept[0]["labels"]["events"] == 9
    assert found.manifests == ["manifest.parquet"]  # relative to the folder of the path given
    assert "`verdict == 'valid'`; 1 left out by it" in (tmp_path / "a/README.md").read_text()

    given = export_recordings([human, bot], tmp_path / "b", "jsonl", where="events > 100",
                              manifest=corpus["root"] / "manifest.csv")  # fmt: skip
    assert (given.recordings, given.filtered_out) == (0, 2)
    with pytest.raises(WhereError, match="did you mean 'verdict'"):
        export_recordings([human], tmp_path / "c", "jsonl", where="verdit == 'valid'")
    assert not (tmp_path / "c").exists()  # a bad filter writes nothing
    (tmp_path / "notes.csv").write_text("name,size\nx,1\n")
    with pytest.raises(ManifestError, match="no `trajectory` column"):
        export_recordings([human], tmp_path / "c", "jsonl", manifest=tmp_path / "notes.csv")
    assert not (tmp_path / "c").exists()


def test_a_recording_no_manifest_names_is_left_out_by_a_filter_on_labels(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    human = corpus["human"][0]
    report = export_recordings([human], tmp_path / "a", "jsonl", where="errors == 0")
    assert (report.recordings, report.filtered_out) == (0, 1)
    report = export_recordings([human], tmp_path / "b", "jsonl", where="verdict == null")
    assert report.recordings == 1


def test_out_must_be_empty_unless_overwriting_an_earlier_export(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    human = corpus["human"][0]
    out = tmp_path / "dataset"
    export_recordings([human], out, "jsonl")
    with pytest.raises(ExportError, match="not empty"):
        export_recordings([human], out, "parquet")
    again = export_recordings([human, human.parent / "." / human.name], out, "parquet",
                              overwrite=True)  # fmt: skip
    assert (again.found, again.recordings) == (1, 1)  # the same recording, once
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "data"]  # no frames/ left
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match=r"notes\.txt, which no export writes"):
        export_recordings([human], out, "parquet", overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_the_command_names_what_it_skipped_and_exits_1(
    corpus: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dataset"
    assert main(["export", str(corpus["root"]), "--format", "jsonl", "--out", str(out),
                 "--quiet"]) == 1  # fmt: skip
    said = capsys.readouterr().out
    assert "2 of 4 recordings exported (10 steps" in said
    assert "skipped recordings/zz-broken" in said
    args = ["export", str(corpus["human"][0]), "--format", "webdataset", "--out", str(out)]
    assert main([*args, "--quiet"]) == 2  # not empty
    assert main([*args, "--quiet", "--overwrite", "--no-fail"]) == 0
    assert CLI_FORMATS == FORMATS


def test_parquet_rows_are_written_in_batches_not_held(
    corpus: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from officegym.replayer import _export_formats

    monkeypatch.setattr(_export_formats, "BATCH_ROWS", 3)
    out = tmp_path / "dataset"
    export_recordings([corpus["human"][0]], out, "parquet")
    (only,) = (out / "data").iterdir()
    assert pq.ParquetFile(only).metadata.num_row_groups == 3  # 8 rows, 3 at a time


def test_screen_positions_become_viewport_pixels(tmp_path: Path) -> None:
    info = meta("screen", coordinate_space="screen", screen_offset={"x": 0, "y": 87})
    with TrajectoryWriter(tmp_path / "screen", info) as writer:
        writer.write({"t": 5, "type": "mouse.down", "x": 100, "y": 137})
        writer.write({"t": 9, "type": "mouse.up", "x": 100, "y": 137})
        writer.write({"t": 20, "type": "mouse.down", "x": 10, "y": 100})
        writer.write({"t": 30, "type": "mouse.up", "x": 300, "y": 400})
    export_recordings([tmp_path / "screen"], tmp_path / "out", "parquet")
    rows = parquet_rows(tmp_path / "out")
    assert [r["computer_action"] for r in rows] == [
        "click(100.0, 50.0, 'left')", "drag(10.0, 13.0, 300.0, 313.0)"
    ]  # fmt: skip
    assert [r["frame"] for r in rows] == [None, None]


def corrupt_idat(data: bytes) -> bytes:
    """The PNG with its pixel data cut in half but every chunk's CRC right: it passes
    `Image.verify()` (structure and checksums) and fails to decode."""
    out, at = bytearray(data[:8]), 8
    while at < len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + size]
        if kind == b"IDAT":
            body = body[: len(body) // 2]
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        out += len(body).to_bytes(4, "big") + kind + body + crc
        at += 12 + size
    return bytes(out)


def one_frame(path: Path, data: bytes, shown: int = 1, **more: Any) -> Path:
    """A person's recording: the frame `data` shown `shown` times, a click after each."""
    with TrajectoryWriter(path, meta(path.name, **more)) as writer:
        name, sha = writer.add_frame(data)
        for i in range(shown):
            writer.write({"t": 100 * i, "type": "screenshot", "frame": name, "sha256": sha})
            writer.write({"t": 100 * i + 10, "type": "mouse.down", "x": 1, "y": 1})
            writer.write({"t": 100 * i + 20, "type": "mouse.up", "x": 1, "y": 1})
    return path


def test_overwrite_deletes_only_an_earlier_export_and_never_an_input(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    human = corpus["human"][0]
    out = tmp_path / "dataset"
    export_recordings([human], out, "jsonl")
    mine = out / "data" / "mine.csv"  # the user's file, where an export writes too
    mine.write_text("keep me")
    with pytest.raises(ExportError, match=r"data/mine\.csv, which no export writes"):
        export_recordings([human], out, "jsonl", overwrite=True)
    assert mine.read_text() == "keep me" and (out / "README.md").exists()
    mine.unlink()
    (next((out / "frames").iterdir()) / "notes.png").write_text("mine")
    with pytest.raises(ExportError, match=r"frames/../notes\.png"):
        export_recordings([human], out, "jsonl", overwrite=True)
    other = tmp_path / "other"
    (other / "data").mkdir(parents=True)
    (other / "README.md").write_text("# my project\n")  # the names of an export, not one
    with pytest.raises(ExportError, match="no export's card"):
        export_recordings([human], other, "jsonl", overwrite=True)
    assert (other / "README.md").read_text() == "# my project\n"
    # an --out that holds the recordings: refused before anything is touched
    for given in (corpus["root"], human):
        with pytest.raises(ExportError, match="inside --out"):
            export_recordings([given], corpus["root"].parent, "jsonl", overwrite=True)
    assert (human / "meta.json").is_file()
    (out / "data" / "train-00000.jsonl").unlink()
    (out / "data" / "train-00000.jsonl").symlink_to(human / "meta.json")  # a link out
    with pytest.raises(ExportError, match="which no export writes"):
        export_recordings([human], out, "jsonl", overwrite=True)


def test_values_no_column_holds_skip_their_recording_and_a_bad_label_is_null(
    tmp_path: Path,
) -> None:
    root = tmp_path / "recs"
    good = one_frame(root / "a-good", png("red"))
    one_frame(root / "b-big-seed", png("red"), task={"id": "x", "seed": 2**70})
    far = one_frame(root / "c-far-future", png("red"), shown=12)  # 1.1 s: past 9999
    info = json.loads((far / "meta.json").read_text())
    (far / "meta.json").write_text(json.dumps({**info, "started_at": "9999-12-31T23:59:59Z"}))
    with TrajectoryWriter(root / "d-huge-t", meta("d")) as writer:
        writer.write({"t": 1e300, "type": "mouse.down", "x": 1, "y": 1})
    info = TrajectoryMeta.model_validate_json((good / "meta.json").read_text())
    (tmp_path / "m").mkdir()
    write_manifest([manifest_row(good, info, RecordingStats(events=9, clicks=2), [], "valid")],
                   tmp_path / "m")  # fmt: skip
    text = (tmp_path / "m/manifest.csv").read_text().splitlines()
    header = text[0].split(",")
    cells = next(csv.reader([text[1]]))
    cells[header.index("events")] = str(2**70)
    with (tmp_path / "m/manifest.csv").open("w", newline="") as f:
        csv.writer(f).writerows([header, cells])
    for fmt in FORMATS:
        out = tmp_path / fmt
        report = export_recordings([root], out, fmt, manifest=tmp_path / "m/manifest.csv")
        reasons = dict(report.skipped)
        assert sorted(reasons) == ["recs/b-big-seed", "recs/c-far-future", "recs/d-huge-t"]
        assert "seed 1180591620717411303424" in reasons["recs/b-big-seed"]
        assert "year 9999" in reasons["recs/c-far-future"]
        assert report.recordings == 1 and (out / "README.md").is_file()
    (row,) = parquet_rows(tmp_path / "parquet")
    assert row["labels"]["events"] is None and row["labels"]["clicks"] == 2
    assert row["verdict"] == "valid"


def test_a_write_error_stops_the_export_and_takes_back_what_it_wrote(
    corpus: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from officegym.replayer import _export_formats

    write = _export_formats.JsonlRows.write
    calls = []

    def full_disk(self: Any, row: Any, frame: Any) -> None:
        calls.append(row["step"])
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        write(self, row, frame)

    monkeypatch.setattr(_export_formats.JsonlRows, "write", full_disk)
    out = tmp_path / "dataset"
    with pytest.raises(ExportError, match=r"failed part way: .*No space left"):
        export_recordings([corpus["human"][0]], out, "jsonl")
    assert list(out.iterdir()) == []  # no half of a recording, no card claiming it skipped
    calls.clear()
    said = main(["export", str(corpus["human"][0]), "--format", "jsonl", "--out", str(out),
                 "--quiet"])  # fmt: skip
    assert said == 2 and list(out.iterdir()) == []


def test_webdataset_and_jsonl_load_with_hugging_face_datasets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step before any frame, a PNG frame and a JPEG one: every sample has the same members."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    jpeg = io.BytesIO()
    Image.new("RGB", (16, 12), "blue").save(jpeg, "JPEG")
    with TrajectoryWriter(tmp_path / "recs/mixed", meta("mixed")) as writer:
        writer.write({"t": 1, "type": "mouse.down", "x": 1, "y": 1})  # no frame yet
        for t, data in ((100, png("red")), (200, jpeg.getvalue())):
            name, sha = writer.add_frame(data)
            writer.write({"t": t, "type": "screenshot", "frame": name, "sha256": sha})
            writer.write({"t": t + 10, "type": "mouse.down", "x": 1, "y": 1})
    for fmt, builder, ext in (("webdataset", "webdataset", "tar"), ("jsonl", "json", "jsonl")):
        out = tmp_path / fmt
        export_recordings([tmp_path / "recs"], out, fmt)
        ds = datasets.load_dataset(builder, data_files=str(out / f"data/*.{ext}"),
                                   split="train", cache_dir=str(tmp_path / "cache"))  # fmt: skip
        assert len(ds) == 3
        if fmt == "jsonl":
            assert [r["frame"] is None for r in ds] == [True, False, False]
            continue
        assert isinstance(ds.features["png"], datasets.Image)
        rows = [r["json"] for r in ds]
        assert [r["frame"] for r in rows] == [None, "r000000_s000001.png", "r000000_s000002.png"]
        images = [r["png"] for r in ds]
        assert images[0].size == (1, 1)  # the placeholder of a step with no frame
        assert images[1].getpixel((0, 0)) == (255, 0, 0)
        assert images[2].size == (16, 12) and images[2].convert("RGB").getpixel((0, 0))[2] > 200
        assert [image.format for image in images] == ["PNG"] * 3  # the JPEG's pixels as PNG


def test_each_distinct_frame_is_decoded_once_and_one_that_does_not_decode_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from officegym.replayer import _export

    damaged = corrupt_idat(png("red"))
    with Image.open(io.BytesIO(damaged)) as image:
        image.verify()  # what the check did before: it passes
    one_frame(tmp_path / "recs/damaged", damaged)
    one_frame(tmp_path / "recs/same", png("green"), shown=3)
    one_frame(tmp_path / "recs/same-again", png("green"), shown=2)
    decoded = []
    check = _export._check_frame
    monkeypatch.setattr(_export, "_check_frame", lambda d, w: (decoded.append(w), check(d, w)))
    report = export_recordings([tmp_path / "recs"], tmp_path / "out", "parquet")
    assert [name for name, _ in report.skipped] == ["recs/damaged"]
    assert "no image a loader decodes" in report.skipped[0][1]
    assert len(decoded) == 2  # the damaged frame, and the green one once for 5 showings
    assert report.recordings == 2 and report.steps == 5


def test_trees_are_matched_to_steps_by_number_and_runs_end_at_a_pause(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    bot = corpus["agent"][0]
    lines = [{"step": 2, "axtree": "[13] textbox"}, {"step": 1, "axtree": "[12] button 'A'"}]
    (bot.parent / "steps.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    export_recordings([bot], tmp_path / "a", "parquet")
    assert [r["axtree"] for r in parquet_rows(tmp_path / "a")] == [
        "[12] button 'A'", "[13] textbox"
    ]  # fmt: skip
    with TrajectoryWriter(tmp_path / "runs", meta("runs")) as writer:
        for event in [*key(0, "h"), *key(100, "i"), *key(5000, "!")]:
            writer.write(event)
        for t, x in ((6000, 10), (6100, 10), (6200, 300)):
            writer.write({"t": t, "type": "mouse.wheel", "x": x, "y": 20, "dx": 0, "dy": 50})
    export_recordings([tmp_path / "runs"], tmp_path / "b", "parquet")
    assert [r["computer_action"] for r in parquet_rows(tmp_path / "b")] == [
        "type('hi')", "type('!')", "wheel(10.0, 20.0, 0.0, 100.0)",
        "wheel(300.0, 20.0, 0.0, 50.0)",
    ]  # fmt: skip


def test_a_manifest_above_the_paths_given_is_not_read(
    corpus: dict[str, Any], tmp_path: Path
) -> None:
    human = corpus["human"][0]
    info = TrajectoryMeta.model_validate_json((human / "meta.json").read_text())
    write_manifest([manifest_row(human, info, RecordingStats(events=9), [], "valid")], tmp_path)
    report = export_recordings([corpus["root"]], tmp_path / "a", "jsonl")
    assert report.labelled == 0 and report.manifests == []
