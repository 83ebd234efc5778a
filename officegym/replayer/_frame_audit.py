"""Secrets and personal data on the screen: the event audit's detectors run on what OCR reads.

`scan_frame` reads one frame. `scan_frames` reads every frame of a recording once per distinct
content (frames are hashed; a screen that did not change is not read again) and spreads the
reading over worker processes; `frame_findings` turns what it found into the audit's `Finding`s.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from officegym.errors import TrajectoryFormatError
from officegym.replayer._findings import Finding
from officegym.replayer._frame_values import DIGIT_KINDS, keeps
from officegym.replayer._ocr import (
    FrameImageError,
    Line,
    OcrFrameError,
    OcrUnavailableError,
    frame_size,
    load_frame,
    read_lines,
    read_regions,
)
from officegym.replayer._pii import Match, find_sensitive, masked
from officegym.trajectory import Screenshot, TrajectoryReader

Box = tuple[int, int, int, int]
# The smallest text measured to read: card numbers in DejaVu Sans at 9, 11, 12, 14, 20, 32 px
# all read, on light and dark backgrounds.
MIN_TEXT_PX = 9
# Frames under this share of the viewport's size shrink our apps' 14 px text below MIN_TEXT_PX:
# `officegym record` and `synth` keep a quarter (0.25), where text is 3-4 px.
MIN_OCR_SCALE = MIN_TEXT_PX / 14

# The prefixes of the keys `_pii.KNOWN_KEYS` knows, as they are written; a test checks that
# each one, followed by a key's characters, is an `api_key` there. On a frame OCR reads "_" and
# "-" as either or as a space ("ghp " for "ghp_"), so the rule below accepts any of the three.
KEY_PREFIXES = ("AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xoxa-",
                "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "sk_live_", "sk_test_", "rk_live_",
                "rk_test_", "sk-proj-", "sk-", "AIza")  # fmt: skip
# A key's characters as OCR reads them: "J" and "l" come out as "|", "]", "}", "(" or "!"; a
# stray space splits the key into a few parts. A part after a space without both a letter and
# a capital or digit is the next word of the text ("… is the token (2026)"), not the key's.
_KEY_CHARS = r"[A-Za-z0-9_|}\]\[)(!-]"
_NOT_A_WORD = r"(?=\S*[A-Za-z])(?=\S*[A-Z0-9])"
OCR_KEY = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    + "|".join(re.sub(r"[-_]", "[-_ ]", prefix) for prefix in KEY_PREFIXES)  # letters, - and _
    + rf"){_KEY_CHARS}{{6,}}(?: ?{_NOT_A_WORD}{_KEY_CHARS}{{2,}}){{0,4}}"
)
# Letters and digits in a key read on a frame, prefix included: an AWS key id (AKIA + 16) with
# two characters read as "|" or "]".
MIN_KEY_ALNUM = 18
# A line holding this many digits in a row (single spaces or dashes between) that no detector
# took is read again, enlarged: the Luhn or mod-97 check failed on a misread digit ("Card:
# 5425…" read as "Car 425…" at 14 px) or a letter read into a digit group ("DES7").
NEAR_MISS = re.compile(r"\d(?:[ -]?\d){9,}")
REREAD_SCALE = 2  # enlarged twice, the mail body's cards all read (RESULTS.md, "Frame privacy")
MAX_REREADS = 12  # lines re-read per frame: bounds the time a screen of numbers takes


@dataclass(frozen=True)
class FrameMatch:
    """One sensitive value seen on a frame: its kind (a key of `KINDS`), its box (x, y, width,
    height in frame pixels) and the evidence, masked as the event audit masks it.

    `digest` (a SHA-256 of the raw value) tells apart two values with the same masked evidence
    (two cards ending 6467); it is kept in memory to compare, never shown or written.
    """

    kind: str
    box: Box
    evidence: str
    digest: str = field(default="", repr=False)


def scan_frame(image: bytes | Image.Image) -> list[FrameMatch]:
    """Every secret and piece of personal data OCR reads on one frame.

    Args:
        image: the frame, as PNG or JPEG bytes or as a PIL image.

    Returns:
        The matches, top to bottom and left to right; one per value. A value broken over two
        lines is not found: each line is searched on its own.

    Raises:
        FrameImageError: `image` is not a readable image, or is over `MAX_FRAME_PIXELS`.
        OcrUnavailableError: Tesseract is not installed.
        OcrFrameError: Tesseract failed or timed out on the frame.
    """
    return [match for match, _ in _read(load_frame(image))[0]]


def _read(image: Image.Image) -> tuple[list[tuple[FrameMatch, str]], list[Line]]:
    """The matches with their raw values, and the lines that can hold a fragment of a value."""
    lines = read_lines(image)
    found = [pair for line in lines for pair in line_matches(line)]
    lines += _reread_near_misses(image, lines, found)
    found.sort(key=lambda pair: (pair[0].box[1], pair[0].box[0]))
    return found, [line for line in lines if any(keeps(w.text) for w in line.words)]


def _reread_near_misses(
    image: Image.Image, lines: list[Line], found: list[tuple[FrameMatch, str]]
) -> list[Line]:
    """Read again, enlarged REREAD_SCALE times, each line with a NEAR_MISS digit run that no
    match covers, all in one Tesseract run; adds to `found` what is found there and nowhere
    yet. Returns the lines read.

    Enlarging the whole frame reads the same values but takes 1.8 times as long; a line's crop
    has a few hundredths of its pixels. The crop is padded by 3 line heights to the sides: the
    digit OCR lost at 1× can be in the gap before the run, which then starts a line of its own.
    """
    regions = []
    for line in [line for line in lines if _near_miss(line, found)][:MAX_REREADS]:
        x, y, w, h = union([word.box for word in line.words])
        height = max(word.box[3] for word in line.words)
        pad_x, pad_y = 3 * height, height // 2 + 2
        regions.append((x - pad_x, y - pad_y, w + 2 * pad_x, h + 2 * pad_y))
    reread = read_regions(image, regions, REREAD_SCALE)
    for pair in (pair for line in reread for pair in line_matches(line)):
        if not any(overlap(pair[0].box, match.box) for match, _ in found):
            found.append(pair)  # once: crops of neighbouring lines overlap
    return reread


def _near_miss(line: Line, found: list[tuple[FrameMatch, str]]) -> bool:
    """Whether `line` holds a NEAR_MISS digit run with a word no match's box overlaps."""
    spans = _word_spans(line)
    for run in NEAR_MISS.finditer(line.text):
        touched = [box for (start, end), box in spans if start < run.end() and run.start() < end]
        if any(not any(overlap(box, m.box) for m, _ in found) for box in touched):
            return True
    return False


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes share pixels.

    >>> overlap((0, 0, 10, 10), (9, 9, 5, 5)), overlap((0, 0, 10, 10), (10, 0, 5, 5))
    (True, False)
    """
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _word_spans(line: Line) -> list[tuple[tuple[int, int], Box]]:
    """Each word's (start, end) in `line.text` (words joined by one space), with its box."""
    spans, offset = [], 0
    for word in line.words:
        spans.append(((offset, offset + len(word.text)), word.box))
        offset += len(word.text) + 1
    return spans


def ocr_sensitive(text: str) -> list[Match]:
    """`find_sensitive` on text OCR read, with keys OCR damaged read as keys (`OCR_KEY`).

    A key read with "ghp " for "ghp_" or a stray space is no `KNOWN_KEYS` key: it would be a
    `token` (the wrong kind) or nothing. The rule is for OCR text only: typed text is exact.

    >>> [(m.kind, m.value) for m in ocr_sensitive("token ghp PliRQPftF7_LKNZ|aU2xVbq8Wm3nC")]
    [('api_key', 'ghp PliRQPftF7_LKNZ|aU2xVbq8Wm3nC')]
    """
    exact = find_sensitive(text)
    keys = [
        Match("api_key", m.start(), m.end(), m.group())
        for m in OCR_KEY.finditer(text)
        if sum(c.isalnum() for c in m.group()) >= MIN_KEY_ALNUM
        and not any(f.kind == "api_key" and _crosses(f, m) for f in exact)
    ]
    kept = [f for f in exact if not any(_crosses(f, k) for k in keys)]
    return sorted(kept + keys, key=lambda f: f.start)


def _crosses(found: Match, m: Match | re.Match[str]) -> bool:
    start, end = (m.start, m.end) if isinstance(m, Match) else (m.start(), m.end())
    return found.start < end and start < found.end


def line_matches(line: Line) -> list[tuple[FrameMatch, str]]:
    """The matches in one recognised line, each boxed by the union of the words it touches,
    with its raw value."""
    spans = _word_spans(line)
    found = []
    for match in ocr_sensitive(line.text):
        touched = [box for (start, end), box in spans if start < match.end and match.start < end]
        value = (
            re.sub(r"[^0-9A-Za-z]", "", match.value) if match.kind in DIGIT_KINDS else match.value
        )
        digest = hashlib.sha256(f"{match.kind}:{value}".encode()).hexdigest()
        shown = masked(match.kind, match.value)
        found.append((FrameMatch(match.kind, union(touched), shown, digest), match.value))
    return found


def union(boxes: list[Box]) -> Box:
    """The smallest box holding all of `boxes`.

    >>> union([(10, 5, 20, 10), (40, 6, 10, 12)])
    (10, 5, 40, 13)
    """
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)


@dataclass(frozen=True)
class FrameFinding(Finding):
    """A finding seen on a frame: also the frame's file and the box (x, y, width, height in
    frame pixels). Its JSON is a `Finding`'s with `frame` and `box` added."""

    frame: str = ""
    box: Box = (0, 0, 0, 0)

    @classmethod
    def on(cls, kind: str, index: int, evidence: str, frame: str, box: Box) -> FrameFinding:
        """A finding of `kind` on `frame` at `box`, with the severity `FINDINGS` names.

        The fix names the redaction that reaches pixels: `redact --pii` rewrites events only.
        """
        plain = Finding.of(kind, index, evidence)
        fix = plain.fix.replace("`officegym redact --pii`", "`officegym redact --frames`")
        return cls(plain.kind, plain.severity, index, evidence, fix, frame, box)


@dataclass(frozen=True)
class FrameScan:
    """What was found on one stored frame of a recording, or why it could not be read.

    `values` (the raw value of each match) and `lines` (the lines that can hold a fragment of a
    value) are for the redaction's second pass (`_frame_values`): memory only, never written.
    """

    event_index: int
    frame: str
    matches: tuple[FrameMatch, ...] = ()
    problem: str | None = None  # why the frame could not be read: not an image, or OCR failed
    reused: bool = False  # the same content as an earlier frame: its result, not read again
    ocr_failed: bool = False  # the problem is Tesseract's (timeout, error), not the image's
    values: tuple[str, ...] = field(default=(), repr=False)
    lines: tuple[Line, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class _Read:
    """A worker's answer for one distinct frame content."""

    matches: tuple[FrameMatch, ...] = ()
    values: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()
    problem: str | None = None
    ocr_failed: bool = False


def _scan_bytes(data: bytes) -> _Read:
    """A worker's job: one distinct frame's matches, or the problem with it.

    A missing Tesseract (`OcrUnavailableError`) is raised: no frame can be read then.
    """
    try:
        found, lines = _read(load_frame(data))
    except FrameImageError as exc:
        return _Read(problem=str(exc))
    except OcrFrameError as exc:
        return _Read(problem=str(exc), ocr_failed=True)
    matches = tuple(match for match, _ in found)
    return _Read(matches, tuple(value for _, value in found), tuple(lines))


class OcrWorkers:
    """The processes reading frames for one command, shared by all its recordings.

    Started on first use, at most `os.cpu_count()`, with the `spawn` method: a fresh interpreter
    per worker, so no thread of the parent (the progress bar's) is copied half-way, and each
    worker sees the environment as it is when the pool starts. With one worker, frames are
    read in this process.
    """

    def __init__(self, workers: int = 1) -> None:
        self.count = max(1, min(workers, os.cpu_count() or 1))
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor | None:
        """The worker pool, started on first use (None: read in this process)."""
        if self.count > 1 and self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.count, mp_context=context)
        return self._pool

    def __enter__(self) -> OcrWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def scan_frames(reader: TrajectoryReader, workers: int | OcrWorkers = 1) -> Iterator[FrameScan]:
    """Every stored frame of a recording scanned, in event order; each distinct content once.

    Frames are hashed as they are read; a frame with the content of an earlier one (a screen
    that did not change) gets that frame's result without being read again. Frames that are
    not stored, or refused by the reader, are skipped: the event audit reports them. A frame
    Tesseract fails on has its `problem` (and `ocr_failed`) set.

    Args:
        workers: processes reading frames at once (1: in this process), or the command's pool.

    Raises:
        OcrUnavailableError: Tesseract is not installed (the message names the recording).
        TrajectoryFormatError: the recording's events cannot be read.
    """
    with _owned(workers) as pool:
        scanner = _Scanner(pool, reader.path)
        shots: list[tuple[int, str, str]] = []  # event index, frame, digest of its content
        try:
            for index, (_, event) in enumerate(reader.iter_events(ordered=False)):
                if not isinstance(event, Screenshot):
                    continue
                try:
                    stored = reader.frame_exists(event.frame)
                    data = reader.read_frame(event.frame) if stored else None
                except TrajectoryFormatError:
                    data = None  # a link out or over the size limit
                if data is None:
                    continue  # the event audit reports it: `missing_frame` or `corrupt_frame`
                shots.append((index, event.frame, scanner.add(data, event.frame)))
            results = scanner.results()
        finally:
            scanner.cancel()
    done: set[str] = set()
    for index, frame, digest in shots:
        r = results[digest]
        yield FrameScan(index, frame, r.matches, r.problem, digest in done, r.ocr_failed,
                        r.values, r.lines)  # fmt: skip
        done.add(digest)


@contextmanager
def _owned(workers: int | OcrWorkers) -> Iterator[OcrWorkers]:
    """The command's pool as it is, or a pool of `workers` for this recording alone."""
    if isinstance(workers, OcrWorkers):
        yield workers
        return
    with OcrWorkers(workers) as pool:
        yield pool


class _Scanner:
    """Scans each distinct frame content once, in this process or in the pool.

    Frames are handed over as they are read and at most two per worker wait in the pool, so
    memory holds a few frames, not a recording's.
    """

    def __init__(self, workers: OcrWorkers, recording: Path) -> None:
        self.pool = workers.pool()
        self.recording = recording
        self.window = 2 * workers.count
        self.done: dict[str, _Read] = {}
        self.pending: dict[str, tuple[str, Future[_Read]]] = {}  # digest -> (frame, its scan)

    def add(self, data: bytes, frame: str) -> str:
        """Hand over one frame's bytes; returns the digest its result will be found under."""
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.done or digest in self.pending:
            return digest
        if self.pool is None:
            self.done[digest] = self._named(frame, lambda: _scan_bytes(data))
            return digest
        self.pending[digest] = (frame, self.pool.submit(_scan_bytes, data))
        if len(self.pending) >= self.window:
            self._collect(next(iter(self.pending)))
        return digest

    def results(self) -> dict[str, _Read]:
        """Every result, once all handed-over frames are scanned."""
        for digest in list(self.pending):
            self._collect(digest)
        return self.done

    def cancel(self) -> None:
        """Drop what is still waiting (after an error): the pool goes on to the next recording."""
        for _, future in self.pending.values():
            future.cancel()
        self.pending.clear()

    def _collect(self, digest: str) -> None:
        frame, future = self.pending.pop(digest)
        self.done[digest] = self._named(frame, future.result)

    def _named(self, frame: str, scan: Callable[[], _Read]) -> _Read:
        try:
            return scan()
        except OcrUnavailableError as exc:
            raise OcrUnavailableError(f"{self.recording}: {frame}: {exc}") from exc
        except BrokenProcessPool as exc:  # a worker was killed (out of memory, a signal)
            problem = f"a process reading frames died: {exc}"
            raise OcrUnavailableError(f"{self.recording}: {frame}: {problem}") from exc


def frame_findings(scans: list[FrameScan]) -> list[Finding]:
    """The audit's findings for a recording's frames: one per value per run of frames showing it.

    A value that stays on screen over many frames is reported at the first frame of each run;
    the evidence names the frame and the box, so a reviewer can find it. Two values are the
    same when their raw values are (compared by digest), not their masked evidence.
    """
    findings: list[Finding] = []
    shown: set[tuple[str, str]] = set()  # (kind, digest) on the previous frame
    for scan in scans:
        if scan.problem is not None:
            evidence = f"{scan.frame}: {scan.problem}"
            findings.append(Finding.of("unreadable_frame", scan.event_index, evidence))
            shown = set()
            continue
        for match in scan.matches:
            if (match.kind, match.digest) in shown:
                continue
            x, y, w, h = match.box
            evidence = f"{match.evidence} on {scan.frame} at x={x} y={y} w={w} h={h}"
            findings.append(
                FrameFinding.on(match.kind, scan.event_index, evidence, scan.frame, match.box)
            )
        shown = {(m.kind, m.digest) for m in scan.matches}
    return findings


def audit_frames(reader: TrajectoryReader, workers: int | OcrWorkers = 1) -> list[Finding]:
    """`audit --frames` on one recording: the findings of what its frames show.

    Raises:
        OcrUnavailableError: Tesseract is not installed.
        TrajectoryFormatError: the recording's events cannot be read.
    """
    small = too_small_for_ocr(reader)
    return ([small] if small else []) + frame_findings(list(scan_frames(reader, workers)))


def too_small_for_ocr(reader: TrajectoryReader) -> Finding | None:
    """`frame_too_small_for_ocr` when the first stored frame is under MIN_OCR_SCALE of the
    viewport's size: text is shrunk below what OCR reads, so the frames come back empty."""
    for index, (_, event) in enumerate(reader.iter_events(ordered=False)):
        if not isinstance(event, Screenshot):
            continue
        try:
            data = reader.read_frame(event.frame) if reader.frame_exists(event.frame) else None
            size = frame_size(data) if data is not None else None
        except (TrajectoryFormatError, FrameImageError):
            size = None  # reported as `missing_frame`, `corrupt_frame` or `unreadable_frame`
        if size is None:
            continue
        viewport = reader.meta.viewport
        scale = min(size[0] / viewport.width, size[1] / viewport.height)
        if scale >= MIN_OCR_SCALE:
            return None
        evidence = (
            f"{event.frame} is {size[0]}×{size[1]} for a {viewport.width}×{viewport.height} "
            f"viewport ({scale:.2f}×): 14 px text is {14 * scale:.0f} px, under the "
            f"{MIN_TEXT_PX} px OCR reads"
        )
        return Finding.of("frame_too_small_for_ocr", index, evidence)
    return None
