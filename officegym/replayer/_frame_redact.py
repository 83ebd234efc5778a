"""Redaction of pixels: every sensitive value OCR reads on a frame painted over or blurred.

Runs after the event redaction of `redact` (on its copy): frames are read with `scan_frames`
(each distinct content once); the boxes found, the words holding a fragment of a value found on
any frame (`_frame_values`), and each box carried to neighbouring frames whose pixels in it
stayed, are painted black (safe) or blurred beyond reading (a blur can be matched by blurring
guesses alike: a 4-digit group has 10,000), and
`meta.privacy.redactions` gets one entry per box and frame, as the DOM-based redaction writes
them, so the replayer leaves the boxes out of its frame comparison.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from officegym.errors import TrajectoryFormatError, UnknownNameError
from officegym.replayer._frame_audit import Box, FrameScan, OcrWorkers, scan_frames
from officegym.replayer._frame_values import ValueFragments
from officegym.replayer._ocr import FrameImageError, OcrFrameError, frame_size, load_frame
from officegym.replayer._pii import KINDS
from officegym.replayer._redact import RedactionReport, redact
from officegym.trajectory import FORMAT, Screenshot, TrajectoryReader, zip_trajectory

Style = Literal["black", "blur"]
STYLES: tuple[Style, ...] = ("black", "blur")
# OCR boxes hug the glyphs; anti-aliasing and descenders reach a few pixels further.
PAD = 3
# Gaussian radius as a share of the box height: at half a line height no glyph stays legible
# (tests/replayer/test_frame_privacy.py reads a blurred card number back and finds nothing).
BLUR_SHARE = 0.5
# A box found on one frame is painted on the next too when at most this share of the pixels in
# it changed by more than CARRY_TOLERANCE (of 255) in a channel: a pointer over one digit of a
# card covers about 3 % of its box; a value replaced, moved or scrolled away changes far more.
CARRY_CHANGED = 0.1
CARRY_TOLERANCE = 40


@dataclass
class FrameRedactionReport:
    """What `redact_frames` painted."""

    frames: int = 0  # frames with at least one box painted
    boxes: int = 0  # boxes painted, counted per frame
    kinds: dict[str, int] = field(default_factory=dict)  # distinct values seen, per kind
    unreadable: list[str] = field(default_factory=list)  # frames OCR could not read


def padded(box: Box, width: int, height: int) -> Box:
    """`box` grown by PAD on every side, kept inside a width×height frame.

    >>> padded((1, 10, 20, 8), 100, 100)
    (0, 7, 24, 14)
    """
    left, top = max(0, box[0] - PAD), max(0, box[1] - PAD)
    right = min(width, box[0] + box[2] + PAD)
    bottom = min(height, box[1] + box[3] + PAD)
    return (left, top, right - left, bottom - top)


def paint(data: bytes, frame: str, boxes: list[Box], style: Style) -> bytes:
    """The frame with every box painted black or blurred, encoded as it was stored."""
    image = load_frame(data)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in boxes:
        if style == "black":
            draw.rectangle([x, y, x + w - 1, y + h - 1], fill=(0, 0, 0))
        else:
            region = image.crop((x, y, x + w, y + h))
            radius = max(2.0, h * BLUR_SHARE)
            image.paste(region.filter(ImageFilter.GaussianBlur(radius)), (x, y))
    buffer = io.BytesIO()
    if frame.lower().endswith(".png"):
        image.save(buffer, "PNG")
    else:
        image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def redact_frames(
    src: Path,
    out: Path,
    *,
    kinds: set[str],
    style: Style = "black",
    workers: int | OcrWorkers = 1,
    progress: Callable[[int, int], None] | None = None,
) -> FrameRedactionReport:
    """Copy the trajectory folder `src` to the new folder `out` with its frames redacted.

    Three passes find the boxes: what the detectors find on each frame; every word, on any
    frame, holding a fragment of a value found anywhere in the recording (`_frame_values`);
    and each box carried to the neighbouring frames where its pixels are nearly unchanged.

    Args:
        kinds: the kinds (keys of `KINDS`) to paint; others stay.
        style: "black" paints the boxes over, "blur" blurs them beyond reading.
        workers: processes reading frames at once, or the command's pool.
        progress: called with (events written, all events).

    Raises:
        OcrUnavailableError: Tesseract is not installed.
        OcrFrameError: Tesseract failed or timed out on a frame (named): nothing is painted.
        TrajectoryFormatError: `src` is not a readable trajectory.
        UnknownNameError: `style` is not one of STYLES.
    """
    if style not in STYLES:
        raise UnknownNameError("style", style, STYLES)
    report = FrameRedactionReport()
    with TrajectoryReader(src) as reader:
        meta = reader.meta
        scans = {s.event_index: s for s in scan_frames(reader, workers)}
        boxes = _found_boxes(src, scans, kinds, report)
        _carry(reader, list(scans), boxes)
        redactions = list(meta.privacy.redactions)
        redactions += _write_frames(reader, out, set(scans), boxes, style, report, progress)
    privacy = meta.privacy.model_copy(update={"redactions": redactions})
    header = meta.model_copy(update={"privacy": privacy}).model_dump(mode="json", exclude_none=True)
    header["format"] = FORMAT
    (out / "meta.json").write_text(json.dumps(header, indent=2, ensure_ascii=False) + "\n")
    return report


def redact_with_frames(
    src: str | Path,
    dst: str | Path,
    *,
    pii: bool = False,
    style: Style = "black",
    workers: int | OcrWorkers = 1,
    allow_unreadable: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[RedactionReport, FrameRedactionReport]:
    """`redact`, then every value OCR reads on the copy's frames painted: `redact --frames`.

    Args:
        pii: also replace and paint e-mail addresses and phone numbers (by default secrets
            only, as `redact`).
        style: "black" or "blur", for the boxes OCR finds (DOM-known boxes are painted black).
        workers: processes reading frames at once, or the command's pool.
        allow_unreadable: copy frames that are not images OCR can read as they are (listed in
            the report's `unreadable`); by default they stop the redaction.
        progress: called with (events written, all events), once per pass.

    Raises:
        FileExistsError: `dst` exists.
        FrameImageError: a frame is not an image OCR can read, and not `allow_unreadable`.
        OcrUnavailableError: Tesseract is not installed.
        OcrFrameError: Tesseract failed or timed out on a frame.
        TrajectoryFormatError: `src` is not a readable trajectory.

    Nothing is written to `dst` when an error is raised.
    """
    dst = Path(dst)
    if dst.exists():
        raise FileExistsError(f"{dst}: already exists; pick a new path for the redacted copy")
    kinds = {k for k, secret in KINDS.items() if secret or pii}
    work = Path(tempfile.mkdtemp(prefix="officegym-redact-frames-"))
    try:
        events = redact(src, work / "events", pii=pii, progress=progress)
        frames = redact_frames(
            work / "events", work / "frames", kinds=kinds, style=style, workers=workers,
            progress=progress,
        )  # fmt: skip
        if frames.unreadable and not allow_unreadable:
            listing = ", ".join(frames.unreadable[:10])
            raise FrameImageError(
                f"{src}: {listing}: not images OCR can read, so what they show was not checked; "
                "nothing was written (pass --allow-unreadable to copy them as they are)"
            )
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.suffix == ".zip":
            zip_trajectory(work / "frames", dst)
        else:
            shutil.move(str(work / "frames"), dst)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return events, frames


# event index -> the boxes (as found, in frame pixels) to paint on its frame, with their kinds
Plan = dict[int, dict[Box, str]]


def _found_boxes(
    src: Path, scans: dict[int, FrameScan], kinds: set[str], report: FrameRedactionReport
) -> Plan:
    """The boxes the detectors found, and those of the words holding a fragment of a value."""
    fragments = ValueFragments()
    seen: set[str] = set()  # digests of the values counted in report.kinds
    for scan in scans.values():
        if scan.ocr_failed:
            raise OcrFrameError(f"{src}: {scan.frame}: {scan.problem}; nothing was written")
        if scan.problem is not None:
            report.unreadable.append(scan.frame)
        for match, value in zip(scan.matches, scan.values, strict=True):
            if match.kind not in kinds:
                continue
            fragments.add(match.kind, value)
            if match.digest not in seen:
                seen.add(match.digest)
                report.kinds[match.kind] = report.kinds.get(match.kind, 0) + 1
    plan: Plan = {}
    for index, scan in scans.items():
        found = {m.box: m.kind for m in scan.matches if m.kind in kinds}
        for box, kind in fragments.boxes(scan.lines):
            if not any(_inside(box, other) for other in found):
                found[box] = kind
        if found:
            plan[index] = found
    return plan


def _inside(box: Box, other: Box) -> bool:
    return (
        other[0] <= box[0] and other[1] <= box[1]
        and box[0] + box[2] <= other[0] + other[2] and box[1] + box[3] <= other[1] + other[3]
    )  # fmt: skip


def _carry(reader: TrajectoryReader, shots: list[int], plan: Plan) -> None:
    """Each box copied to the neighbouring frames (forward, then back) where the pixels inside
    it are nearly unchanged: OCR may have misread the value there. Two frames in memory at once.
    """
    frames = {i: e.frame for i, (_, e) in enumerate(reader.iter_events(ordered=False))
              if isinstance(e, Screenshot)}  # fmt: skip
    for order in (shots, shots[::-1]):
        previous: _Shown | None = None
        for index in order:
            current = _Shown(index, reader.read_frame(frames[index]))
            if previous is not None and plan.get(previous.index):
                here = plan.setdefault(index, {})
                for box, kind in plan[previous.index].items():
                    if any(_inside(box, other) for other in here):
                        continue  # painted there already
                    if current.data == previous.data or nearly_same(
                        previous.image(), current.image(), box
                    ):
                        here[box] = kind
                if not here:
                    del plan[index]
            previous = current


class _Shown:
    """A frame's bytes, decoded when first compared."""

    def __init__(self, index: int, data: bytes) -> None:
        self.index, self.data = index, data
        self._image: Image.Image | None = None
        self._tried = False

    def image(self) -> Image.Image | None:
        """The decoded frame, or None when it is not an image (nothing is carried to it)."""
        if not self._tried:
            self._tried = True
            try:
                self._image = load_frame(self.data)
            except FrameImageError:
                self._image = None
        return self._image


def nearly_same(before: Image.Image | None, after: Image.Image | None, box: Box) -> bool:
    """Whether the pixels in `box` (padded) are the same on both frames but for a few: at most
    CARRY_CHANGED of them differ by more than CARRY_TOLERANCE in a channel (a pointer over a
    digit, a caret, a re-encoded JPEG)."""
    if before is None or after is None or before.size != after.size:
        return False
    x, y, w, h = padded(box, *before.size)
    crop = (x, y, x + w, y + h)
    a = np.asarray(before.crop(crop), dtype=np.int16)
    b = np.asarray(after.crop(crop), dtype=np.int16)
    changed = np.abs(a - b).max(axis=2) > CARRY_TOLERANCE
    return bool(changed.mean() <= CARRY_CHANGED)


def _write_frames(
    reader: TrajectoryReader,
    out: Path,
    shots: set[int],
    plan: Plan,
    style: Style,
    report: FrameRedactionReport,
    progress: Callable[[int, int], None] | None,
) -> list[dict[str, Any]]:
    """Every event written to `out`, frames painted; returns the redactions placed on frames.

    A frame painted with the same boxes as an earlier one is linked to (or copied from) the
    file written for it, not held in memory.
    """
    placed: list[dict[str, Any]] = []
    written: dict[tuple[str, tuple[Box, ...]], tuple[Path, str]] = {}  # -> file, its sha256
    total = sum(1 for _ in reader.iter_events(ordered=False))
    root = out.resolve()
    (out / "frames").mkdir(parents=True, exist_ok=True)
    with open(out / "events.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for i, (_, event) in enumerate(reader.iter_events(ordered=False)):
            if isinstance(event, Screenshot) and i in shots:
                target = (out / event.frame).resolve()
                if not target.is_relative_to(root):  # the reader refuses such names
                    raise TrajectoryFormatError(
                        f"{reader.path}/events.jsonl", i + 1, "frame",
                        f"{event.frame!r} leads out of the recording",
                    )  # fmt: skip
                target.parent.mkdir(parents=True, exist_ok=True)
                data = reader.read_frame(event.frame)
                boxes = plan.get(i, {})
                if boxes:
                    painted = [padded(box, *frame_size(data)) for box in boxes]
                    key = (hashlib.sha256(data).hexdigest(), tuple(painted))
                    if key in written:
                        _link(written[key][0], target)
                    else:
                        target.write_bytes(paint(data, event.frame, painted, style))
                        written[key] = (target, hashlib.sha256(target.read_bytes()).hexdigest())
                    event = event.model_copy(update={"sha256": written[key][1]})
                    placed += [
                        {"frame": event.frame, "box": list(box), "kind": kind, "by": "ocr",
                         "style": style}
                        for box, kind in zip(painted, boxes.values(), strict=True)
                    ]  # fmt: skip
                    report.frames += 1
                    report.boxes += len(painted)
                else:
                    target.write_bytes(data)
            f.write(event.model_dump_json(exclude_none=True) + "\n")
            if progress is not None:
                progress(i + 1, total)
    return placed


def _link(source: Path, target: Path) -> None:
    """`target` with the content of `source`: a hard link, or a copy where links fail."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
