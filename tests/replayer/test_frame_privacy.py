"""Sensitive text on frames: read with real Tesseract, reported with its box and masked, painted
or blurred in a redacted copy that still replays `valid`; frames read once per distinct content."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from officegym.cli import main
from officegym.errors import OfficegymError, UnknownNameError
from officegym.replayer import (
    FrameImageError,
    FrameMatch,
    OcrFrameError,
    OcrUnavailableError,
    OcrWorkers,
    Replayer,
    Verdict,
    _frame_audit,
    _ocr,
    audit_frames,
    redact_with_frames,
    scan_frame,
)
from officegym.replayer._frame_redact import nearly_same
from officegym.replayer._ocr import read_lines
from officegym.replayer._pii import find_sensitive
from officegym.trajectory import TrajectoryReader, TrajectoryWriter

CARD = "4539 1488 0343 6467"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
pytestmark = [
    pytest.mark.ocr,
    pytest.mark.skipif(
        shutil.which("tesseract") is None,
        reason="no Tesseract: run `make install` (or apt-get install tesseract-ocr)",
    ),
]

Box = tuple[int, int, int, int]


def screen(lines: list[tuple[int, int, str]], size: tuple[int, int] = (800, 300)) -> bytes:
    """A PNG of a plain app screen: each (x, y, text) drawn in 14 px DejaVu Sans, as a page
    shows it."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 14)
    for x, y, text in lines:
        draw.text((x, y), text, fill=(30, 30, 30), font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def text_box(x: int, y: int, text: str) -> Box:
    """Where `screen` draws `text` at (x, y): its ink's box."""
    left, top, right, bottom = ImageFont.truetype(FONT, 14).getbbox(text)
    return (x + left, y + top, right - left, bottom - top)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


WITH_CARD = screen([(20, 20, "Billing"), (20, 60, f"Card on file {CARD}"), (20, 100, "Thanks")])
PLAIN = screen([(20, 20, "Inbox"), (20, 60, "Weekly status: Harbor, 14 tickets closed")])


def recording(path: Path, frames: list[bytes]) -> Path:
    """A recording showing `frames` one after the other, a click between two."""
    header = {"id": path.name, "source": "human", "recorder": {"name": "t", "version": "1"},
              "viewport": {"width": 800, "height": 300},
              "started_at": "2026-01-01T00:00:00Z"}  # fmt: skip
    with TrajectoryWriter(path, header) as writer:
        t = 0
        for data in frames:
            frame, sha256 = writer.add_frame(data)
            writer.write({"t": t, "type": "screenshot", "frame": frame, "sha256": sha256})
            writer.write({"t": t + 500, "type": "mouse.down", "x": 400, "y": 250})
            writer.write({"t": t + 600, "type": "mouse.up", "x": 400, "y": 250})
            t += 1000
        writer.write({"t": t, "type": "done"})
    return path


def pixels(data: bytes) -> np.ndarray[Any, Any]:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def test_a_planted_card_number_is_found_with_its_box_and_masked() -> None:
    found = scan_frame(WITH_CARD)
    cards = [m for m in found if m.kind == "card_number"]
    assert len(cards) == 1, found
    prefix = text_box(20, 60, "Card on file ")
    truth = text_box(20, 60, f"Card on file {CARD}")
    truth = (prefix[0] + prefix[2], truth[1], truth[0] + truth[2] - prefix[0] - prefix[2], truth[3])
    assert overlaps(cards[0].box, truth), (cards[0].box, truth)
    assert cards[0].box[0] >= prefix[0] + prefix[2] - 4  # the value's words, not the label's
    assert cards[0].evidence == "card ending 6467" and CARD not in cards[0].evidence
    assert scan_frame(Image.open(io.BytesIO(WITH_CARD))) == found  # a PIL image reads the same


def test_a_frame_without_sensitive_text_yields_nothing() -> None:
    assert scan_frame(PLAIN) == []


def test_every_kind_is_read_on_one_screen() -> None:
    values = {
        "card_number": "5555 5555 5555 4444",
        "api_key": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "email": "dana.fox@example.org",
        "phone_number": "+1 415 555 0132",
    }
    lines = [(20, 20 + 40 * i, value) for i, value in enumerate(values.values())]
    found = {m.kind: m for m in scan_frame(screen(lines))}
    for (x, y, value), kind in zip(lines, values, strict=True):
        assert kind in found, (kind, found)
        assert overlaps(found[kind].box, text_box(x, y, value)), (kind, found[kind])
        assert value not in found[kind].evidence


def test_corrupt_and_oversized_frames_raise_an_officegym_error() -> None:
    with pytest.raises(FrameImageError, match="not a readable frame image"):
        scan_frame(b"\x89PNG\r\n\x1a\n not a png at all")
    with pytest.raises(FrameImageError, match="damaged"):
        scan_frame(WITH_CARD[: len(WITH_CARD) // 2])  # cut off mid-stream
    # Valid PNG headers claiming 8000×8000 and 100000×100000 pixels (a few bytes of data):
    # refused before anything is decoded, by our limit and by Pillow's.
    for side in (8_000, 100_000):
        with pytest.raises(FrameImageError, match="over the limit"):
            scan_frame(png_claiming(side, side))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header says width×height, with one tiny block of image data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_an_unchanged_frame_is_not_read_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = _frame_audit.read_lines

    def counted(image: Image.Image, scale: int | None = None) -> Any:
        calls.append(image.width)
        return real(image, scale)

    monkeypatch.setattr(_frame_audit, "read_lines", counted)
    path = recording(tmp_path / "rec", [WITH_CARD, WITH_CARD, PLAIN, WITH_CARD])
    out = tmp_path / "findings.jsonl"
    assert main(["audit", str(path), "--frames", "--out", str(out), "--quiet"]) == 1
    assert len(calls) == 2  # two distinct frames; the repeats reuse their result
    found = [json.loads(line) for line in out.read_text().splitlines()]
    cards = [f for f in found if f["kind"] == "card_number"]
    # Reported where it appears: frame 0, and again when it comes back after the plain frame.
    assert [(f["event_index"], f["frame"]) for f in cards] == [
        (0, "frames/000000.png"),
        (9, "frames/000003.png"),
    ]
    assert all(len(f["box"]) == 4 and f["severity"] == "error" for f in cards)
    assert CARD not in out.read_text() and "card ending 6467" in cards[0]["evidence"]
    # Event findings keep their shape: no frame or box keys.
    assert all("frame" not in f for f in found if f["kind"] != "card_number")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="--workers is capped at the CPU count")
def test_scans_are_spread_over_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = recording(tmp_path / "rec", [WITH_CARD, PLAIN, WITH_CARD])
    with TrajectoryReader(path) as reader:
        one = [(f.kind, f.event_index, f.box) for f in audit_frames(reader, workers=1)]
    log = fake_tesseract(tmp_path, monkeypatch)
    with TrajectoryReader(path) as reader:
        two = [(f.kind, f.event_index, f.box) for f in audit_frames(reader, workers=2)]
    assert one == two and [k for k, _, _ in one] == ["card_number", "card_number"]
    # Tesseract's parent is the process that read the frame: a worker, not this one.
    parents = {int(pid) for pid in log.read_text().split()}
    assert len(parents) >= 1 and os.getpid() not in parents


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="--workers is capped at the CPU count")
def test_one_pool_of_workers_reads_every_recording_of_a_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in "abc":
        recording(tmp_path / "recs" / name, [WITH_CARD, PLAIN])
    log = fake_tesseract(tmp_path, monkeypatch)
    out = tmp_path / "findings.jsonl"
    args = ["audit", str(tmp_path / "recs"), "--frames", "--workers", "2", "--out", str(out)]
    assert main([*args, "--quiet"]) == 1
    parents = log.read_text().split()
    assert len(parents) == 6  # three recordings, two frames each
    assert len(set(parents)) <= 2 and str(os.getpid()) not in parents  # a pool per recording: 3+
    assert OcrWorkers(10_000).count == os.cpu_count()


def test_workers_must_be_at_least_one(capsys: pytest.CaptureFixture[str]) -> None:
    for verb in (["audit", ".", "--out", "f.jsonl", "--frames"], ["redact", ".", "--out", "x"]):
        with pytest.raises(SystemExit) as exited:
            main([*verb, "--workers", "0"])
        assert exited.value.code == 2
        assert "1 or more" in capsys.readouterr().err


def fake_tesseract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, timeout: str = "120", **on_width: str
) -> Path:
    """A `tesseract` first on PATH that logs its parent's pid, then hangs ("hang"), fails
    ("fail") or runs the real Tesseract, by the width of the frame it is given (`on_800`);
    Tesseract's timeout set to `timeout` seconds. Returns the log of parent pids."""
    real = shutil.which("tesseract")
    assert real is not None
    folder = tmp_path / "fakebin"
    folder.mkdir()
    script = folder / "tesseract"
    script.write_text(f"""#!{sys.executable}
import os, subprocess, struct, sys, time
real = {real!r}
if "--version" in sys.argv:
    os.execv(real, [real, *sys.argv[1:]])
data = sys.stdin.buffer.read()
with open({str(tmp_path / "parents.log")!r}, "a") as log:
    log.write(f"{{os.getppid()}}\\n")
mode = {on_width!r}.get("on_%d" % struct.unpack(">I", data[16:20])[0])
if mode == "hang":
    time.sleep(3600)  # until the caller's timeout kills it
if mode == "fail":
    sys.exit("fake tesseract: cannot read this frame")
done = subprocess.run([real, *sys.argv[1:]], input=data, capture_output=True)
sys.stdout.buffer.write(done.stdout)
sys.exit(done.returncode)
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("OFFICEGYM_OCR_TIMEOUT_S", timeout)
    return tmp_path / "parents.log"


# The frame Tesseract hangs or fails on: one pixel wider than the others.
ODD = screen([(20, 60, "Weekly status")], size=(801, 300))


def test_a_frame_tesseract_fails_on_is_a_finding_and_the_audit_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tesseract(tmp_path, monkeypatch, on_801="fail")
    recording(tmp_path / "recs" / "a", [PLAIN, ODD])
    recording(tmp_path / "recs" / "b", [WITH_CARD])
    out = tmp_path / "findings.jsonl"
    assert main(["audit", str(tmp_path / "recs"), "--frames", "--out", str(out), "--quiet"]) == 1
    found = [json.loads(line) for line in out.read_text().splitlines()]
    frames = [(Path(f["trajectory"]).name, f["kind"]) for f in found if "frame" in f["evidence"]]
    assert frames == [("a", "unreadable_frame"), ("b", "card_number")]
    (bad,) = [f for f in found if f["kind"] == "unreadable_frame"]
    assert bad["event_index"] == 3 and bad["evidence"].startswith("frames/000001.png: ")
    assert "tesseract failed (exit 1): fake tesseract: cannot read this frame" in bad["evidence"]


def test_a_frame_tesseract_hangs_on_is_cut_off_and_the_audit_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hanging frame is killed after 3 s; the other frames (read well within that on an
    # idle machine) are only checked to be reported one way or the other.
    fake_tesseract(tmp_path, monkeypatch, timeout="3", on_801="hang")
    recording(tmp_path / "recs" / "a", [ODD, PLAIN])
    recording(tmp_path / "recs" / "b", [WITH_CARD])
    out = tmp_path / "findings.jsonl"
    main(["audit", str(tmp_path / "recs"), "--frames", "--out", str(out), "--quiet"])
    found = [json.loads(line) for line in out.read_text().splitlines()]
    hung = [f for f in found if f["evidence"].startswith("frames/000000.png: tesseract took")]
    assert [Path(f["trajectory"]).name for f in hung][:1] == ["a"]
    assert "took over 3 s (OFFICEGYM_OCR_TIMEOUT_S)" in hung[0]["evidence"]
    assert any(Path(f["trajectory"]).name == "b" and "frame" in f["evidence"] for f in found)


def test_redact_stops_on_a_frame_tesseract_fails_on_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tesseract(tmp_path, monkeypatch, on_801="fail")
    src = recording(tmp_path / "rec", [WITH_CARD, ODD])
    with pytest.raises(OcrFrameError, match=r"frames/000001\.png: tesseract failed \(exit 1\)"):
        redact_with_frames(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_missing_tesseract_stops_the_audit_naming_recording_and_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = recording(tmp_path / "rec", [WITH_CARD])
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    with TrajectoryReader(path) as reader, pytest.raises(OcrUnavailableError) as raised:
        audit_frames(reader)
    assert str(path) in str(raised.value) and "frames/000000.png" in str(raised.value)
    assert "not installed" in str(raised.value)


def test_the_ocr_errors_are_officegym_errors() -> None:
    assert issubclass(OcrUnavailableError, OfficegymError)
    assert issubclass(OcrFrameError, OfficegymError)
    assert issubclass(FrameImageError, OfficegymError)


def test_an_unreadable_frame_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    path = recording(tmp_path / "rec", [b"GIF89a garbage", WITH_CARD])
    with TrajectoryReader(path) as reader:
        found = audit_frames(reader)
    assert [(f.kind, f.event_index) for f in found] == [
        ("unreadable_frame", 0),
        ("card_number", 3),
    ]


@pytest.mark.parametrize("style", ["black", "blur"])
def test_redact_frames_paints_every_box_and_records_it(tmp_path: Path, style: str) -> None:
    src = recording(tmp_path / "rec", [WITH_CARD, PLAIN, WITH_CARD])
    out = tmp_path / "redacted"
    args = ["redact", str(src), "--out", str(out), "--frames", "--style", style, "--quiet"]
    assert main(args) == 0
    with TrajectoryReader(out) as reader:
        boxes = [r for r in reader.meta.privacy.redactions if "frame" in r]
        assert [(r["frame"], r["kind"]) for r in boxes] == [
            ("frames/000000.png", "card_number"),
            ("frames/000002.png", "card_number"),
        ]
        x, y, w, h = boxes[0]["box"]
        before, after = pixels(WITH_CARD), pixels(reader.read_frame("frames/000000.png"))
        events = list(reader.iter_events(check_frames=True))  # the sha256s were updated
        assert reader.read_frame("frames/000001.png") == PLAIN  # nothing found: untouched
        assert scan_frame(reader.read_frame("frames/000002.png")) == []
    changed = np.abs(before - after).max(axis=2) > 0
    assert changed[y : y + h, x : x + w].any()
    assert not changed[:y].any() and not changed[y + h :].any()  # only inside the box
    if style == "black":
        assert after[y : y + h, x : x + w].max() == 0
    assert len(events) == 10
    assert scan_frame(_png(after)) == []  # painted or blurred beyond reading


def _png(array: np.ndarray[Any, Any]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array.astype(np.uint8)).save(out, "PNG")
    return out.getvalue()


PLANT = """(cards) => {
  const div = document.createElement('div');
  div.innerText = cards.join('\\n');
  div.style.cssText = 'position:fixed;left:760px;top:540px;font:bold 30px sans-serif;' +
    'line-height:1.3;color:#111;background:#fff;pointer-events:none;z-index:99999';
  document.body.append(div);
  const r = div.getBoundingClientRect();
  return [r.x, r.y, r.width, r.height];
}"""
CARDS = ["4111 1111 1111 1111", "5555 5555 5555 4444"]


@pytest.mark.browser
@pytest.mark.slow
def test_a_redacted_recording_of_an_app_still_replays_valid(make_env: Any, tmp_path: Path) -> None:
    from officegym.agents.oracle import OracleAgent

    env = make_env("mail.compose-to-two", trajectory_dir=tmp_path / "rec", screenshot_format="png")
    agent = OracleAgent()
    obs, info = env.reset(seed=0)
    agent.reset(info)
    # The app shows card numbers its seeded data does not hold (over the compose form's empty
    # body): the replay's page will not show them, so the copy replays only if they are masked.
    truth = env.unwrapped.evaluate_in_page(PLANT, CARDS)
    for _ in range(200):
        obs, _, terminated, truncated, info = env.step(agent.act(obs))
        if terminated or truncated:
            break
    assert info["success"]
    (src,) = (tmp_path / "rec").iterdir()

    out = tmp_path / "redacted.zip"
    events, frames = redact_with_frames(src, out)
    assert events.events == 0  # the cards were only ever on screen, in no event
    assert frames.frames >= 1 and frames.kinds == {"card_number": len(CARDS)}
    with TrajectoryReader(out) as reader:
        boxes = [r for r in reader.meta.privacy.redactions if r.get("by") == "ocr"]
        assert {r["kind"] for r in boxes} == {"card_number"}
        for r in boxes:
            assert overlaps(tuple(r["box"]), tuple(round(v) for v in truth))  # type: ignore[arg-type]
            after = pixels(reader.read_frame(r["frame"]))
            x, y, w, h = r["box"]
            assert after[y : y + h, x : x + w].max() == 0
        assert not [f for f in audit_frames(reader) if f.kind == "card_number"]

    replayer = Replayer()
    try:
        original = replayer.replay(src)
        redacted = replayer.replay(out)
    finally:
        replayer.close()
    # The card is big enough that the original's frames differ from a replay that lacks it;
    # the copy's frames differ only inside the boxes it records, which replay leaves out.
    assert original.verdict != Verdict.VALID and "screen differs" in (original.reason or "")
    assert redacted.verdict == Verdict.VALID, redacted.reason


def test_frame_match_is_the_public_shape() -> None:
    match = FrameMatch("email", (1, 2, 3, 4), "a•••@example.com")
    assert (match.kind, match.box, match.evidence) == ("email", (1, 2, 3, 4), "a•••@example.com")
    with pytest.raises(AttributeError):
        match.kind = "card_number"  # type: ignore[misc]


def card_screen(y: int, pointer: bool = False, card: str = CARD) -> bytes:
    """A screen with the card at height `y`; `pointer`: an arrow over its second group, which
    makes Tesseract misread that group (1488 as 1498), so no detector finds the card there."""
    image = Image.new("RGB", (800, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, y), f"Card on file {card}", fill=(30, 30, 30), font=ImageFont.truetype(FONT, 14))
    if pointer:
        x = 160
        arrow = [(x, y + 2), (x, y + 20), (x + 5, y + 15), (x + 12, y + 16)]
        draw.polygon(arrow, fill="black", outline="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def digit_groups_read(data: bytes) -> list[str]:
    """The runs of 4 or more digits OCR reads on a frame."""
    return [g for line in read_lines(pixels_image(data)) for g in re.findall(r"\d{4,}", line.text)]


def pixels_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def test_a_value_misread_on_one_frame_is_painted_there_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The card moves, then the pointer rests on it: Tesseract misreads the frame under the
    # pointer, where no detector finds it; it must be painted there all the same. (Read again
    # enlarged, this line reads right: that pass is off here, for misreads it does not mend.)
    monkeypatch.setattr(_frame_audit, "MAX_REREADS", 0)
    frames = [card_screen(60), card_screen(120), card_screen(120, pointer=True), card_screen(60)]
    assert scan_frame(frames[2]) == [] and digit_groups_read(frames[2])  # the misread
    src = recording(tmp_path / "rec", frames)
    redact_with_frames(src, tmp_path / "out")
    with TrajectoryReader(tmp_path / "out") as reader:
        painted = {(r["frame"], tuple(r["box"])) for r in reader.meta.privacy.redactions}
        for i in range(4):
            assert digit_groups_read(reader.read_frame(f"frames/{i:06d}.png")) == [], i
    # The whole card's box found on frame 1 is carried to frame 2: only the pointer changed.
    (card,) = [box for frame, box in painted if frame == "frames/000001.png" and box[2] > 100]
    assert ("frames/000002.png", card) in painted


def test_fragments_of_a_value_are_painted_where_no_box_can_be_carried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The card moved between the two frames, so no box carries over: the words holding its
    # digit groups, and the misread group between them, are painted by value.
    monkeypatch.setattr(_frame_audit, "MAX_REREADS", 0)  # as above: keep the misread
    src = recording(tmp_path / "rec", [card_screen(60), card_screen(120, pointer=True)])
    redact_with_frames(src, tmp_path / "out")
    with TrajectoryReader(tmp_path / "out") as reader:
        assert digit_groups_read(reader.read_frame("frames/000001.png")) == []


def test_a_box_is_carried_only_where_its_pixels_stayed() -> None:
    box = text_box(20, 120, f"Card on file {CARD}")
    same, pointed, moved = (pixels_image(card_screen(120)), pixels_image(card_screen(120, True)),
                            pixels_image(card_screen(60)))  # fmt: skip
    assert nearly_same(same, pointed, box)
    assert not nearly_same(same, moved, box)
    assert not nearly_same(same, pixels_image(PLAIN), text_box(20, 60, f"Card on file {CARD}"))


def test_painted_frames_of_the_same_content_are_linked_not_held(tmp_path: Path) -> None:
    src = recording(tmp_path / "rec", [WITH_CARD, PLAIN, WITH_CARD])
    redact_with_frames(src, tmp_path / "out")
    first, third = (
        tmp_path / "out" / "frames" / "000000.png",
        tmp_path / "out" / "frames" / "000002.png",
    )
    assert first.read_bytes() == third.read_bytes()
    if first.stat().st_dev == Path(src).stat().st_dev:  # moved from the work folder, not copied
        assert first.stat().st_ino == third.stat().st_ino


def test_only_png_and_jpeg_frames_are_decoded() -> None:
    image = Image.new("RGB", (50, 50), "white")
    for fmt in ("BMP", "GIF", "TIFF", "WEBP", "PPM", "TGA"):
        out = io.BytesIO()
        image.save(out, fmt)
        with pytest.raises(FrameImageError, match="not a readable frame image"):
            scan_frame(out.getvalue())


def test_two_cards_ending_alike_are_two_findings(tmp_path: Path) -> None:
    other = "5500 0003 0343 6467"  # also ends 6467; both pass Luhn
    path = recording(tmp_path / "rec", [card_screen(60), card_screen(60, card=other)])
    with TrajectoryReader(path) as reader:
        found = [(f.kind, f.event_index, f.evidence[:16]) for f in audit_frames(reader)]
    assert found == [("card_number", 0, "card ending 6467"), ("card_number", 3, "card ending 6467")]
    assert "digest" not in repr(scan_frame(card_screen(60)))


def test_redact_refuses_unreadable_frames_unless_allowed(tmp_path: Path) -> None:
    src = recording(tmp_path / "rec", [b"GIF89a garbage", WITH_CARD])
    out = tmp_path / "redacted"
    assert main(["redact", str(src), "--out", str(out), "--frames", "--quiet"]) == 2
    assert not out.exists()
    allowed = ["redact", str(src), "--out", str(out), "--frames", "--allow-unreadable", "--quiet"]
    assert main(allowed) == 0
    with TrajectoryReader(out) as reader:
        assert reader.read_frame("frames/000000.png") == b"GIF89a garbage"
        assert [r["frame"] for r in reader.meta.privacy.redactions] == ["frames/000001.png"]
    with pytest.raises(UnknownNameError, match="style"):
        redact_with_frames(src, tmp_path / "x", style="pixelate")  # type: ignore[arg-type]


def test_frames_stored_too_small_for_ocr_are_a_warning(tmp_path: Path) -> None:
    # As `officegym record` keeps frames: a quarter of the viewport's width and height.
    small = pixels_image(WITH_CARD).resize((200, 75), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "PNG")
    path = recording(tmp_path / "rec", [out.getvalue()])
    with TrajectoryReader(path) as reader:
        found = audit_frames(reader)
    assert [(f.kind, f.severity, f.event_index) for f in found] == [
        ("frame_too_small_for_ocr", "warning", 0)
    ]
    assert "frames/000000.png is 200×75 for a 800×300 viewport (0.25×)" in found[0].evidence


@pytest.mark.parametrize(
    "read",
    [
        "ghp PliRQPftF7_LKNZ|aU2xVbq8Wm3nCe4Tt0Yh",  # "_" read as a space, "J" as "|"
        "ghp_PliRQPftF7_LKNZ}]aU2xVbq8 Wm3nCe4Tt0Yh",  # a stray space inside
        "sk live_4eC39HqLyjWDarjtT1zdp7dc",
        "sk-vzQDnwut f6pLkq92mZxw7Ht4Ua",
        "AKIA|OSFODNN7EXAMPLE",
        "xoxb 2048-7730-9QmZ5sLkT8wYv",
    ],
)
def test_a_key_ocr_damaged_is_read_as_an_api_key_on_a_frame(read: str) -> None:
    line = f"token = {read} (rotated 2026)"
    assert "api_key" not in [m.kind for m in find_sensitive(line)]  # typed text: no key shape
    found = [(m.kind, m.value) for m in _frame_audit.ocr_sensitive(line)]
    assert found == [("api_key", read)]


def test_text_that_only_starts_like_a_key_is_no_key() -> None:
    for line in ("ask live support 2026", "sk- see the risk-register for Q3", "ASIA Pacific",
                 "ghp notes for the team meeting", "the task is done"):  # fmt: skip
        assert _frame_audit.ocr_sensitive(line) == [], line


@pytest.mark.parametrize("prefix", _frame_audit.KEY_PREFIXES)
def test_each_frame_key_prefix_is_a_key_the_event_audit_knows(prefix: str) -> None:
    # One list of prefixes: the frame rule must not take keys the event audit would not.
    body = (
        "AB12CD34EF56GH78"
        if prefix in ("AKIA", "ASIA")
        else "q8Zr2Lw9Tx4Kp0Vn7Ms3Yb6Hd1Fg5JcA8xKe4Tt"
    )
    assert [m.kind for m in find_sensitive(f"key {prefix}{body}")] == ["api_key"]
    damaged = re.sub(r"[-_]", " ", prefix) + body
    assert [m.kind for m in _frame_audit.ocr_sensitive(f"key {damaged}")] == ["api_key"]


def test_a_card_line_misread_at_frame_size_is_read_again_enlarged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What Tesseract does to the mail body at 14 px: "Card: 5425 9275…" comes out as "Car" and
    # "425 9275…", the first digit lost, so Luhn fails. The line is read again at twice the size.
    card = "5425 9275 1543 7481"
    frame = screen([(20, 20, "Billing"), (20, 60, f"Card: {card}"),
                    (20, 100, "Order 2026-12-07 10:15:33 ref 1234")])  # fmt: skip
    first_pass = _frame_audit.read_lines

    def lose_the_first_digit(image: Image.Image, scale: int | None = None) -> list[_ocr.Line]:
        lines = first_pass(image, scale)
        return [_ocr.Line(tuple(_ocr.Word(w.text.replace("5425", "425"), w.box)
                                for w in line.words)) for line in lines]  # fmt: skip

    monkeypatch.setattr(_frame_audit, "read_lines", lose_the_first_digit)
    read_again: list[list[Box]] = []
    monkeypatch.setattr(_frame_audit, "read_regions", lambda image, boxes, scale: (
        read_again.append(boxes) or _ocr.read_regions(image, boxes, scale)))  # fmt: skip
    found = scan_frame(frame)
    assert [m.kind for m in found] == ["card_number"], found
    assert overlaps(found[0].box, text_box(20, 60, f"Card: {card}"))
    assert found[0].box[0] >= text_box(20, 60, "Card: ")[0] + text_box(20, 60, "Card: ")[2] - 4
    # in one run: the card's line and the order's (digits no detector took); not the others
    assert len(read_again) == 1 and len(read_again[0]) == 2, read_again
    assert all(box[1] > 40 for box in read_again[0]), read_again


def test_a_group_misread_under_the_pointer_reads_right_enlarged() -> None:
    # Real OCR, nothing replaced: at frame size the pointer makes 1488 read as 1498 (Luhn
    # fails; the redaction tests above keep that misread), enlarged twice the line reads right.
    found = scan_frame(card_screen(120, pointer=True))
    assert [(m.kind, m.evidence) for m in found] == [("card_number", "card ending 6467")]


def test_words_of_neighbouring_cells_are_two_lines() -> None:
    # A sheet at 125 %: a phone and a card in adjacent cells, 1.1 line heights apart, were read
    # as one line ("+44 20 0324 8058 3423-306564-79282") and neither was found.
    words = [_ocr.Word("+44", (0, 0, 24, 13)), _ocr.Word("8058", (28, 0, 30, 13)),
             _ocr.Word("3423-306564-79282", (58 + 14, 0, 120, 13))]  # fmt: skip
    assert [line.text for line in _ocr.split_at_gaps(words)] == ["+44 8058", "3423-306564-79282"]


def test_a_frame_finding_names_the_redaction_of_pixels() -> None:
    finding = _frame_audit.FrameFinding.on("email", 3, "k•••@x.test", "frames/1.png", (1, 2, 3, 4))
    assert "officegym redact --frames" in finding.fix
    assert "--pii" not in finding.fix
