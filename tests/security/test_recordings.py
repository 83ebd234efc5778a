"""Recordings from elsewhere cannot make officegym write, delete or read outside the folders it
was given, nor fill its memory, nor stop a batch (issue 27, items 1, 3, 7 and 8).

Every input is made here, at test time: the zip and gzip bombs are built from one deflate block
repeated, so a gigabyte of zeros costs a megabyte on disk and nothing in this process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from officegym.cli import main
from officegym.errors import TrajectoryFormatError
from officegym.replayer.importers import REPORT_NAME, import_all, import_one, output_names
from officegym.trajectory import (
    MAX_FRAME_BYTES,
    MAX_LINE_BYTES,
    MAX_META_BYTES,
    TrajectoryReader,
    TrajectoryWriter,
)

FIXTURES = Path(__file__).parents[1] / "replayer" / "fixtures"
GOOD = {
    "chrome-recorder": (FIXTURES / "chrome-recorder-order.json").read_text(),
    "rrweb": (FIXTURES / "rrweb-order.json").read_text(),
    "miniwob": (FIXTURES / "miniwob-enter-text.json").read_text(),
}
META = {
    "format": "officegym.trajectory/1", "id": "sec", "source": "human",
    "recorder": {"name": "test", "version": "1"}, "viewport": {"width": 800, "height": 600},
    "started_at": "2026-01-01T00:00:00Z",
}  # fmt: skip
SECRET = b"the launch code is 0000-SECRET-0000"
GIB = 1 << 30


def report_of(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / REPORT_NAME).read_text().splitlines()]


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- 1. import writes and removes nothing outside --out -----------------------------------


@pytest.mark.parametrize("name", ["...json", "..json"])
@pytest.mark.parametrize("good", [True, False], ids=["imported", "rejected"])
def test_a_source_named_with_dots_stays_inside_out(tmp_path: Path, name: str, good: bool) -> None:
    """`...json` and `..json` once named the output `..` and `.`: an import wrote its meta.json
    into the parent of --out, and a rejection deleted the parent's files or --out itself."""
    parent, src = tmp_path / "parent", tmp_path / "src"
    (parent / "other").mkdir(parents=True)
    (parent / "other" / "keep.txt").write_text("mine")
    (parent / "sentinel.txt").write_text("mine")
    src.mkdir()
    (src / name).write_text(GOOD["chrome-recorder"] if good else "{broken")
    out = parent / "out"
    code = main(["import", "chrome-recorder", str(src / name), "--out", str(out), "--quiet"])
    assert code == (0 if good else 1)
    assert (parent / "sentinel.txt").read_text() == "mine"
    assert (parent / "other" / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in parent.iterdir()) == ["other", "out", "sentinel.txt"]
    [line] = report_of(out)  # the report survives, with the file's line
    assert line["outcome"] == ("partial" if good else "rejected"), line
    assert not (out / "meta.json").exists()
    if good:
        assert (out / "recording" / "meta.json").is_file()
        assert Path(line["trajectory"]).resolve().parent == out.resolve()
    else:
        assert tree(out) == [REPORT_NAME]


def test_output_names_are_plain_unique_folders() -> None:
    sources = [Path(n) for n in ("..json", "...json", ".json", "a\\..json", "x\x07.json",
                                 "import-report.jsonl.jsonl", "a.json", "a.json.gz")]  # fmt: skip
    names = output_names(sources)
    assert len(set(names)) == len(names)
    for name in names:
        assert name.strip(".") and "/" not in name and "\\" not in name, name
        assert name.isprintable() and name != REPORT_NAME, name
    assert names[:2] == ["recording", "recording-2"]


def test_import_one_refuses_a_folder_outside_its_root(tmp_path: Path) -> None:
    source = tmp_path / "rec.json"
    source.write_text(GOOD["chrome-recorder"])
    (tmp_path / "out").mkdir()
    result = import_one("chrome-recorder", source, tmp_path / "out" / "..")
    assert result.outcome == "rejected" and result.position == "output folder", result
    assert str(source) in result.reason
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "rec.json"]


def test_import_does_not_follow_a_link_out_of_out(tmp_path: Path) -> None:
    """--out/rec is a link to a folder elsewhere: importing rec.json neither writes into that
    folder nor empties it, whether the file is imported or rejected."""
    elsewhere, out, src = tmp_path / "elsewhere", tmp_path / "out", tmp_path / "src"
    for folder in (elsewhere, out, src):
        folder.mkdir()
    (elsewhere / "meta.json").write_text("theirs")  # looks like an earlier import
    (out / "rec").symlink_to(elsewhere, target_is_directory=True)
    for content in ("{broken", GOOD["chrome-recorder"]):
        (src / "rec.json").write_text(content)
        [result] = import_all("chrome-recorder", [src / "rec.json"], out, workers=1)
        assert result.outcome == "rejected", result
        assert tree(elsewhere) == ["meta.json"]
        assert (elsewhere / "meta.json").read_text() == "theirs"


def test_a_folder_that_is_not_a_trajectory_is_not_replaced(tmp_path: Path) -> None:
    out, src = tmp_path / "out", tmp_path / "src"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "todo.txt").write_text("mine")
    src.mkdir()
    (src / "notes.json").write_text("{broken")
    [result] = import_all("chrome-recorder", [src / "notes.json"], out, workers=1)
    assert result.outcome == "rejected", result
    assert (out / "notes" / "todo.txt").read_text() == "mine"
    # An earlier import of the same name is a trajectory: importing again replaces it.
    (src / "again.json").write_text(GOOD["chrome-recorder"])
    for _ in range(2):
        [result] = import_all("chrome-recorder", [src / "again.json"], out, workers=1)
        assert result.outcome == "partial", result


# --- 8. one bad file is rejected, and the batch goes on --------------------------------------


def rrweb_with(field: str, raw: str) -> str:
    """The rrweb fixture with a mutation at events[3] whose `field` is `raw` (JSON text)."""
    doc = json.loads(GOOD["rrweb"])
    mutation = {"source": 0, "adds": [], "removes": [], "texts": [], "attributes": []}
    doc["events"].insert(3, {"type": 3, "timestamp": doc["events"][2]["timestamp"],
                             "data": mutation})  # fmt: skip
    return json.dumps(doc).replace(f'"{field}": []', f'"{field}": {raw}', 1)


def miniwob_with(raw: str) -> str:
    """The MiniWoB++ fixture with its first keyCode set to `raw` (JSON text)."""
    text = GOOD["miniwob"]
    start = text.index('"keyCode"')
    return text[:start] + f'"keyCode": {raw}' + text[text.index(",", start) :]


def bad_files(fmt: str) -> list[tuple[str, str, str]]:
    """Files with a wrong type in a field: (file name, content, the place its rejection names)."""
    if fmt == "chrome-recorder":
        navigate = '{"type": "navigate", "url": "http://a.test/"}'
        return [
            ("steps-number.json", '{"steps": 5}', "steps"),
            ("steps-object.json", '{"steps": {"0": ' + navigate + "}}", "steps"),
            ("top-list.json", f"[{navigate}]", "(top level)"),
            ("width-inf.json", '{"steps": [{"type": "setViewport", "width": Infinity, '
             f'"height": 600}}, {navigate}]}}', "steps[0].width"),
            ("url-nan.json", '{"steps": [{"type": "navigate", "url": NaN}]}', "steps[0].url"),
        ]  # fmt: skip
    if fmt == "rrweb":
        wrong = [("adds", "1"), ("removes", '"x"'), ("texts", '{"id": 1}'), ("attributes", "2.5")]
        nan = '[{"parentId": NaN, "node": {"id": 99, "type": 3, "textContent": "x"}}]'
        return [
            *((f"{field}.json", rrweb_with(field, raw), f"events[3].data.{field}")
              for field, raw in wrong),
            ("parent-nan.json", rrweb_with("adds", nan), "events[3].data.adds[0].parentId"),
            ("events-text.json", '{"events": "[]"}', "top level"),
        ]  # fmt: skip
    return [
        ("keycode-inf.json", miniwob_with("Infinity"), ".action.keyCode"),
        ("keycode-nan.json", miniwob_with("NaN"), ".action.keyCode"),
        ("keycode-minus-inf.json", miniwob_with("-Infinity"), ".action.keyCode"),
        ("states-number.json", '{"states": 3}', "states"),
        ("states-object.json", '{"states": {"0": {}}}', "states"),
    ]


@pytest.mark.parametrize("fmt", list(GOOD))
def test_a_bad_file_is_rejected_and_the_batch_goes_on(tmp_path: Path, fmt: str) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    bad = bad_files(fmt)
    for i in range(3):
        (src / f"good-{i}.json").write_text(GOOD[fmt])
    for name, content, _ in bad:
        (src / name).write_text(content)
    argv = ["import", fmt, str(src), "--out", str(out), "--workers", "1", "--quiet"]
    assert main(argv) == 0  # the good files were imported: a reject alone is not a failure
    code = main([*argv, "--fail-on-reject"])
    assert code == 1  # some files were rejected: said by the exit code, not a traceback
    lines = {Path(line["source"]).name: line for line in report_of(out)}
    assert len(lines) == 3 + len(bad)
    for i in range(3):
        assert lines[f"good-{i}.json"]["outcome"] in ("imported", "partial")
    for name, _, where in bad:
        line = lines[name]
        assert line["outcome"] == "rejected", line
        assert line["reason"].startswith(str(src / name)), line
        assert where in line["reason"] and "please report" not in line["reason"], line
        assert line["position"] not in ("", "whole file"), line
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [REPORT_NAME, *(f"good-{i}" for i in range(3))]
    )


def test_the_field_of_an_infinite_key_code_is_named(tmp_path: Path) -> None:
    source = tmp_path / "demo.json"
    source.write_text(miniwob_with("Infinity"))
    result = import_one("miniwob", source, tmp_path / "out")
    assert result.outcome == "rejected", result
    assert result.position.startswith("states[") and result.position.endswith(".keyCode")
    assert "Infinity is not a JSON number" in result.reason
    assert not (tmp_path / "out").exists()


# --- 3. readers never follow a link out of a recording ----------------------------------------


def recording(folder: Path) -> Path:
    """A trajectory with one frame, whose events name that frame's hash."""
    with TrajectoryWriter(folder, META) as writer:
        frame, sha = writer.add_frame(b"\x89PNG not really")
        writer.write({"t": 0, "type": "screenshot", "frame": frame, "sha256": sha})
        writer.write({"t": 5, "type": "done"})
    return folder


def link_out(folder: Path, rel: str, tmp_path: Path) -> Path:
    """Replace `rel` in the recording by a link to a file outside it holding SECRET."""
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_bytes(SECRET)
    if rel == "meta.json":  # a valid header, with the secret in it
        secret.write_text(json.dumps({**META, "extra": {"note": SECRET.decode()}}))
    if rel == "events.jsonl":  # the events as they were, plus the secret as an answer
        text = (folder / rel).read_text()
        answer = {"t": 1, "type": "answer", "text": SECRET.decode()}
        secret.write_text(text.replace('{"t":5.0', json.dumps(answer) + '\n{"t":5.0'))
    if rel == "frames/000000.png":
        digest = hashlib.sha256(SECRET).hexdigest()
        events = (folder / "events.jsonl").read_text()
        old = hashlib.sha256(b"\x89PNG not really").hexdigest()
        (folder / "events.jsonl").write_text(events.replace(old, digest))
    (folder / rel).unlink()
    (folder / rel).symlink_to(secret)
    return secret


def read_everything(path: Path) -> None:
    with TrajectoryReader(path) as reader:
        assert reader.meta.id
        for _, event in reader.iter_events(check_frames=True):
            if event.type == "screenshot":
                reader.read_frame(event.frame)


@pytest.mark.parametrize("rel", ["meta.json", "events.jsonl", "frames/000000.png"])
def test_a_link_out_of_the_recording_is_refused(tmp_path: Path, rel: str) -> None:
    folder = recording(tmp_path / "rec")
    (folder / "frames" / "copy.png").symlink_to(folder / "frames" / "000000.png")
    alias = tmp_path / "alias"
    alias.symlink_to(folder, target_is_directory=True)  # the recording itself through a link
    with TrajectoryReader(alias) as reader:  # links that stay inside are read
        assert reader.read_frame("frames/copy.png") == b"\x89PNG not really"
    read_everything(alias)
    link_out(folder, rel, tmp_path)
    with pytest.raises(TrajectoryFormatError) as caught:
        read_everything(folder)
    assert caught.value.path == str(folder / rel) or caught.value.path.endswith(rel)
    assert "outside the trajectory" in str(caught.value), caught.value


@pytest.mark.parametrize("rel", ["meta.json", "events.jsonl", "frames/000000.png"])
@pytest.mark.parametrize("dest", ["clean", "clean.zip"])
def test_redact_refuses_a_link_out_and_copies_nothing(
    tmp_path: Path, rel: str, dest: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = recording(tmp_path / "rec")
    link_out(folder, rel, tmp_path)
    out = tmp_path / "out" / dest
    out.parent.mkdir()
    assert main(["redact", str(folder), "--out", str(out)]) == 2
    assert "outside the trajectory" in capsys.readouterr().err
    assert not out.exists()
    for path in tmp_path.rglob("*"):  # the secret is only where it was
        if path.is_file() and not path.is_symlink() and path.parent.name != "outside":
            assert SECRET not in path.read_bytes(), path


# --- 7. decompression is bounded -------------------------------------------------------------


@functools.cache
def zeros(mib: int) -> tuple[bytes, int]:
    """Raw deflate data of `mib` MiB of zeros and its CRC-32: one block ending in a full flush
    (so it stands alone) repeated, then an empty final block."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(bytes(1 << 20), crc)
    return block * mib + packer.flush(), crc


def write_zip(path: Path, members: dict[str, bytes | int]) -> Path:
    """A zip of deflated members; an int member is that many MiB of zeros, made at no cost."""
    local, central = b"", b""
    for name, content in members.items():
        if isinstance(content, int):
            (data, crc), size = zeros(content), content << 20
        else:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = packer.compress(content) + packer.flush()
            crc, size = zlib.crc32(content), len(content)
        raw = name.encode()
        fields = (20, 0, 8, 0, 33, crc, len(data), size, len(raw))
        central += struct.pack("<4s6H3L5H2L", b"PK\1\2", 20, *fields, 0, 0, 0, 0, 0, len(local))
        central += raw
        local += struct.pack("<4s5H3L2H", b"PK\3\4", *fields, 0) + raw + data
    end = struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, len(members), len(members), len(central),
                      len(local), 0)  # fmt: skip
    path.write_bytes(local + central + end)
    return path


def bomb(tmp_path: Path, member: str) -> Path:
    """A zipped trajectory of about a megabyte whose `member` inflates to 1 GiB of zeros."""
    frame = "frames/000000.png"
    events = json.dumps({"t": 0, "type": "screenshot", "frame": frame, "sha256": "0" * 64})
    members: dict[str, bytes | int] = {
        "meta.json": json.dumps(META).encode(),
        "events.jsonl": (events + '\n{"t":1,"type":"done"}\n').encode(),
        frame: b"\x89PNG",
    }
    members[member] = GIB >> 20
    return write_zip(tmp_path / "bomb.zip", members)


MEASURE = """
import json, resource, sys
from pathlib import Path
import officegym.replayer, officegym.replayer.importers
from officegym.cli import main
from officegym.errors import TrajectoryFormatError
from officegym.trajectory import TrajectoryReader

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux

def reader(path):
    with TrajectoryReader(path) as r:
        try:
            r.meta
            for _, event in r.iter_events():
                if event.type == "screenshot":
                    r.read_frame(event.frame)
        except TrajectoryFormatError as exc:
            return str(exc)

path, out = Path(sys.argv[2]), Path(sys.argv[3])
steps = {
    "reader": lambda: reader(path),
    "audit": lambda: main(["audit", str(path), "--out", str(out / "findings.jsonl")]),
    "redact": lambda: main(["redact", str(path), "--out", str(out / "clean")]),
    "import": lambda: main(["import", "rrweb", str(path), "--out", str(out / "imported")]),
}
before, grew = peak(), {}
for name in sys.argv[1].split(","):
    result = steps[name]()
    grew[name] = [peak() - before, result]
print(json.dumps(grew))
"""


def peak_growth(tmp_path: Path, steps: str, path: Path) -> dict[str, Any]:
    """Run `steps` on `path` in a fresh process: how much each grew its peak memory, and what
    each returned."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(MEASURE), steps, str(path), str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    grew: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return grew


@pytest.mark.parametrize(
    ("member", "limit"),
    [("meta.json", MAX_META_BYTES), ("events.jsonl", MAX_LINE_BYTES),
     ("frames/000000.png", MAX_FRAME_BYTES)],
)  # fmt: skip
def test_a_zip_bomb_is_refused_without_inflating_it(
    tmp_path: Path, member: str, limit: int
) -> None:
    """1 GiB inflated from 1 MB took 2 GB of memory in audit, replay's reader and redact. Now
    reading stops at the limit (which the message names) and memory stays well below."""
    path = bomb(tmp_path, member)
    assert path.stat().st_size < 2 << 20
    grew = peak_growth(tmp_path, "reader,audit,redact", path)
    for step, (growth, _) in grew.items():
        assert growth < GIB // 8, f"{step} grew its peak memory by {growth:,} bytes"
    limit_text = f"{limit >> 20} MiB"
    assert member in grew["reader"][1] and limit_text in grew["reader"][1], grew
    assert grew["redact"][1] == 2 and not (tmp_path / "clean").exists()
    found = [json.loads(line) for line in (tmp_path / "findings.jsonl").read_text().splitlines()]
    if member == "frames/000000.png":  # stored, but refused: it cannot be trusted
        assert any(f["kind"] == "corrupt_frame" for f in found), found
    else:
        [malformed] = [f for f in found if f["kind"] == "malformed"]
        assert member in malformed["evidence"] and limit_text in malformed["evidence"], found


def test_a_gzip_bomb_is_rejected_without_inflating_it(tmp_path: Path) -> None:
    data, crc = zeros(GIB >> 20)
    source = tmp_path / "session.json.gz"
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    source.write_bytes(header + data + struct.pack("<2L", crc, GIB & 0xFFFFFFFF))
    grew = peak_growth(tmp_path, "import", source)
    growth, code = grew["import"]
    assert growth < GIB // 8, f"import grew its peak memory by {growth:,} bytes"
    assert code == 1
    [line] = report_of(tmp_path / "imported")
    assert line["outcome"] == "rejected" and "decompresses to more than 512 MiB" in line["reason"]
    assert line["position"] == "byte 536870912 of the decompressed data", line


def test_a_zip_member_stated_larger_than_its_limit_is_not_read(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "t.zip", {"meta.json": json.dumps(META).encode(),
                                          "events.jsonl": b'{"t":0,"type":"done"}\n'})  # fmt: skip
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\1\2")  # the central record of the last member, events.jsonl
    data[central + 24 : central + 28] = struct.pack("<L", 3 * GIB)  # its uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(TrajectoryFormatError, match="over the limit of 2 GiB") as caught:
        TrajectoryReader(path).events()
    assert caught.value.path.endswith("!events.jsonl")


def test_a_long_line_in_a_folder_names_the_line(tmp_path: Path) -> None:
    folder = recording(tmp_path / "rec")
    with open(folder / "events.jsonl", "ab") as f:
        f.write(b'{"t": 9, "type": "answer", "text": "' + b"a" * MAX_LINE_BYTES + b'"}\n')
    with pytest.raises(TrajectoryFormatError) as caught:
        TrajectoryReader(folder).events()
    assert caught.value.line == 3 and "16 MiB" in caught.value.problem, caught.value


def test_a_bzip2_member_is_refused_before_reading(tmp_path: Path) -> None:
    """Python inflates a bzip2 member a whole block at once, however large: not read at all."""
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("meta.json", json.dumps(META))
        archive.writestr("events.jsonl", "")
    with pytest.raises(TrajectoryFormatError, match="only stored and deflated"):
        _ = TrajectoryReader(path).meta
