"""Findings on a recording itself: not verdicts, but what an auditor of captured data wants to know.

Every finding has a kind (`FINDINGS` says how serious each is and what to do about it), the index
of the event it is about and evidence in which the sensitive part is masked. docs/data-quality.md
explains each kind. Inside the replayer a finding is a `Finding`; findings.jsonl and verdicts.jsonl
hold it as the JSON object `Finding.to_json` gives. The pointer findings are worked out in
`_pointer.py`, the keyboard's timing in `_keys.py`; the `Auditor` here feeds them.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from officegym.errors import TrajectoryFormatError
from officegym.replayer._finding_kinds import FINDINGS as FINDINGS  # re-exported: one table
from officegym.replayer._finding_kinds import Severity
from officegym.replayer._keys import KeyChecks
from officegym.replayer._pii import find_sensitive, masked
from officegym.replayer._pointer import PointerChecks, to_viewport
from officegym.trajectory import (
    MODIFIERS,
    Answer,
    Done,
    Event,
    KeyDown,
    KeyUp,
    MouseDown,
    MouseMove,
    MouseUp,
    MouseWheel,
    NavBack,
    NavForward,
    NavGoto,
    NavReload,
    Screenshot,
    TabClose,
    TabOpen,
    TabSwitch,
    Target,
    TextInput,
    TrajectoryMeta,
    TrajectoryReader,
)

SECRET_FIELD = re.compile(
    r"pass(word|code|phrase)?|\bpin\b|secret|token|api.?key|\bcvc\b|\bcvv\b", re.I
)
IDLE_GAP_MS = 30_000
POINTER_SPEED = 20_000  # px/s: faster than a flick of the wrist, between two sampled moves
CORRECTION_SHARE = 0.3
# Two recordings are copies when their input is the same; this many acts at least, since two
# people doing a short task (one click on Submit) often act identically.
DUPLICATE_MIN_ACTS = 3
# What acts on the page; the rest (moves, frames, observations, checks) goes into no digest.
ACTS = (MouseDown, MouseWheel, KeyDown, TextInput, NavGoto, NavBack, NavForward, NavReload,
        TabOpen, TabSwitch, TabClose, Answer)  # fmt: skip
# Keys that leave the text of a field as it is: navigation within it, modifiers, commands.
NON_TEXT = {*MODIFIERS, "CapsLock", "Escape", "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown",
            "Home", "End", "PageUp", "PageDown"}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """One finding on a recording: its kind, how serious, the event it is about (None: the whole
    recording), the evidence with the sensitive part masked, and what to do about it."""

    kind: str
    severity: Severity
    event_index: int | None
    evidence: str
    fix: str

    @classmethod
    def of(
        cls, kind: str, index: int | None, evidence: str, severity: Severity | None = None
    ) -> Finding:
        """A finding of `kind`, with the severity (unless given) and fix `FINDINGS` names."""
        default, fix = FINDINGS[kind]
        return cls(kind, severity or default, index, evidence, fix)

    def to_json(self) -> dict[str, Any]:
        """The finding as findings.jsonl and a verdict's `findings` store it."""
        return asdict(self)


def field_key(target: Target | None) -> str:
    """Which field typed text went to: keys and text input with the same key share a text."""
    return (target.selector or target.name or "") if target else ""


def secret_field(target: Target | None) -> bool:
    """A field whose name or selector says it holds a password or another secret."""
    label = " ".join(v for v in (target.name, target.selector) if v) if target else ""
    return bool(label) and bool(SECRET_FIELD.search(label))


def _label(target: Target | None) -> str:
    if target is None:
        return "the focused field"
    return repr(target.name or target.selector or target.tag or "a field")


@dataclass
class _Field:
    """What was typed into one field: the text now, and every character ever typed."""

    label: str
    text: list[tuple[str, int]] = field(default_factory=list)  # (character, event index)
    typed: list[tuple[str, int]] = field(default_factory=list)
    peak: int = 0


@dataclass
class RecordingStats:
    """How much a recording holds: its events, clicks, key presses, frames and length."""

    events: int = 0
    clicks: int = 0
    keys: int = 0
    frames: int = 0
    last_t: float = 0.0  # ms since the start, of the latest event

    def see(self, event: Event) -> None:
        """Count one more event."""
        self.events += 1
        self.clicks += isinstance(event, MouseDown)
        self.keys += isinstance(event, KeyDown)
        self.frames += isinstance(event, Screenshot)
        self.last_t = max(self.last_t, event.t)

    @property
    def seconds(self) -> float:
        """The recording's length in seconds."""
        return round(self.last_t / 1000, 3)


class Auditor:
    """Fed every event of a recording in order; `finish` returns what it noticed.

    Events are taken in viewport coordinates (`audit` moves those of a screen recording there).

    Args:
        meta: the recording's header (viewport, source, redactions, import notes), if known.
        frame_check: tells whether a frame is stored intact: returns None, or "missing" or
            "corrupt".
    """

    def __init__(
        self,
        meta: TrajectoryMeta | None = None,
        frame_check: Callable[[Screenshot], str | None] | None = None,
    ) -> None:
        self.meta, self.frame_check = meta, frame_check
        self.findings: list[Finding] = []
        self.stats = RecordingStats()
        redactions = meta.privacy.redactions if meta else []
        self._redacted = {r.get("event_index") for r in redactions if "frame" not in r}
        # Imported steps without times get evenly spaced ones: timing says nothing there.
        self._timed = not (meta and meta.extra.get("timing") == "synthesized")
        imported = meta.imported if meta else None
        self._jumps = {j.event: j.seconds for j in imported.clock_jumps} if imported else {}
        self._last_t: float | None = None
        self._move: tuple[float, float, float] | None = None
        self._fields: dict[str, _Field] = {}
        self._seen: set[tuple[str, str]] = set()
        self._scanned: set[str] = set()
        self._last: Event | None = None
        self._digest = hashlib.sha256()
        self._acts = 0
        self._acted_at: float | None = None

        def report(kind: str, index: int | None, evidence: str, key: str) -> None:
            self._add(kind, index, evidence, key=key)

        self._pointer = PointerChecks(meta, report)
        self._keyboard = KeyChecks(self._timed, report)

    @property
    def digest(self) -> str | None:
        """A hash of the recording's input: its acts and the milliseconds between them. Equal
        for a copy, also one shifted in time; two people who act alike (the same text typed
        into the same field) do not keep the same milliseconds. None with fewer than
        DUPLICATE_MIN_ACTS acts, too little to tell a copy from a coincidence."""
        return self._digest.hexdigest() if self._acts >= DUPLICATE_MIN_ACTS else None

    def _add(
        self,
        kind: str,
        index: int | None,
        evidence: str,
        severity: Severity | None = None,
        key: str | None = None,
    ) -> None:
        dedupe = (kind, key if key is not None else evidence)
        if dedupe in self._seen:
            return
        self._seen.add(dedupe)
        self.findings.append(Finding.of(kind, index, evidence, severity))

    def see(self, index: int, event: Event) -> None:
        """Take the next event (`index` counts from 0)."""
        self._last = event
        self.stats.see(event)
        if isinstance(event, (*ACTS, MouseUp, KeyUp)):
            self._acts += isinstance(event, ACTS)
            gap = round(event.t - self._acted_at) if self._acted_at is not None else 0
            self._acted_at = event.t
            self._digest.update(f"{gap} {event.model_dump_json(exclude={'t'})}\n".encode())
        if index in self._jumps:
            self._clock_jump(index)
        self._timing(index, event)
        self._dispatch(index, event)
        target = event.target
        if target is not None and index not in self._redacted:
            for text in {target.text, target.name} - {None} - self._scanned:
                assert text is not None
                self._scanned.add(text)  # the same element is the target of many events
                self._scan(text, [index] * len(text), "the text of a target")

    def _dispatch(self, index: int, event: Event) -> None:
        if isinstance(event, MouseDown | MouseUp | MouseWheel):
            self._pointer.pointer(index, event)
            return
        if isinstance(event, ACTS):
            self._pointer.acted()
        if isinstance(event, KeyDown):
            self._key(index, event)
        elif isinstance(event, KeyUp) and not event.masked:
            self._keyboard.release(event)
        elif isinstance(event, TextInput) and not event.masked:
            self._text(index, event)
        elif isinstance(event, Answer) and index not in self._redacted:
            self._scan(event.text, [index] * len(event.text), "the answer")
        elif isinstance(event, Screenshot):
            self._pointer.frame(event.sha256)
            problem = self.frame_check(event) if self.frame_check is not None else None
            if problem:
                self._add(f"{problem}_frame", index, f"{event.frame} is {problem}")

    def _clock_jump(self, index: int) -> None:
        seconds = self._jumps[index]
        evidence = (
            f"the source's clock jumped {seconds:+g} s before this event; the import shifted "
            "the events from here on to keep time running forward"
        )
        self._add("clock_jump", index, evidence, key=str(index))

    def _timing(self, index: int, event: Event) -> None:
        if self._last_t is not None and event.t < self._last_t:
            self._add(
                "impossible_timing",
                index,
                f"t={event.t:g} ms is before the previous event's t={self._last_t:g} ms",
            )
        elif (
            self._timed
            and self._last_t is not None
            and event.t - self._last_t >= IDLE_GAP_MS
            and index not in self._jumps  # the clock's jump, not the person's pause
        ):
            gap = (event.t - self._last_t) / 1000
            self._add("idle_gap", index, f"{gap:.0f} s without any event before this one")
        self._last_t = event.t if self._last_t is None else max(event.t, self._last_t)
        if not self._timed or not isinstance(event, MouseMove) or event.x is None:
            return
        assert event.y is not None
        if self._move is not None and event.t > self._move[2]:
            distance = math.hypot(event.x - self._move[0], event.y - self._move[1])
            speed = distance / (event.t - self._move[2]) * 1000
            if speed > POINTER_SPEED and distance > 200:
                elapsed = event.t - self._move[2]
                self._add(
                    "superhuman_timing",
                    index,
                    f"the pointer jumped {distance:.0f} px in {elapsed:.0f} ms",
                    key="pointer",
                )
        self._move = (event.x, event.y, event.t)

    def _field(self, target: Target | None) -> _Field:
        key = field_key(target)
        if key not in self._fields:
            self._fields[key] = _Field(_label(target))
        return self._fields[key]

    def _key(self, index: int, event: KeyDown) -> None:
        if event.masked:
            return
        box = self._field(event.target)
        held = {"Control", "Meta", "Alt"} & set(event.modifiers)
        deletes = not held and event.key in ("Backspace", "Delete")
        self._keyboard.press(index, event, deletes)
        if held and event.key.lower() == "z":
            self._add("undone_action", index, f"{'+'.join(sorted(held))}+Z in {box.label}")
        if held or event.key in NON_TEXT:
            return
        if deletes:
            if box.text:
                box.text.pop()
                if not box.text and box.peak >= 3:
                    self._add(
                        "undone_action",
                        index,
                        f"{box.peak} characters typed into {box.label} and deleted again",
                    )
            return
        char = event.key if len(event.key) == 1 else " "  # Enter, Tab: a word boundary
        if index not in self._redacted:
            box.typed.append((char, index))
        box.text.append((char, index))
        box.peak = max(box.peak, len(box.text))
        if event.target is not None and len(event.key) == 1:
            self._secret_field(index, event.target)

    def _text(self, index: int, event: TextInput) -> None:
        box = self._field(event.target)
        chars = [(c, index) for c in event.text]
        box.text = chars if event.replace else box.text + chars
        if index not in self._redacted:
            box.typed += [*chars, (" ", index)]
        if event.target is not None and event.text:
            self._secret_field(index, event.target)

    def _secret_field(self, index: int, target: Target) -> None:
        if secret_field(target) and index not in self._redacted:  # (a surrogate, once redacted)
            self._add(
                "unmasked_password",
                index,
                f"input to {_label(target)} is stored in clear",
                key="password",
            )

    def _scan(self, text: str, indexes: list[int], where: str) -> None:
        for m in find_sensitive(text):
            self._add(
                m.kind, indexes[m.start], f"{masked(m.kind, m.value)} in {where}", key=m.value
            )

    def finish(self, index: int) -> list[Finding]:
        """Findings that need the whole recording; returns all findings.

        Args:
            index: the index of the last event read (-1 when there were none).
        """
        self._pointer.finish()
        keys, deletions = self._keyboard.finish()
        for jump in sorted(self._jumps):  # (those past the last event, reported once anyway)
            self._clock_jump(jump)
        for box in self._fields.values():
            kept = [(c, i) for c, i in box.text if i not in self._redacted]
            for chars in (box.typed, kept):
                if chars:
                    self._scan(
                        "".join(c for c, _ in chars),
                        [i for _, i in chars],
                        f"what was typed into {box.label}",
                    )
        if keys >= 20 and deletions / keys > CORRECTION_SHARE:
            self._add(
                "undone_action",
                index,
                f"{deletions} of {keys} keystrokes were Backspace or Delete",
            )
        if self.meta is not None and not isinstance(self._last, Done):
            last = f"the last event is {self._last.type}" if self._last else "there are no events"
            self._add("truncated", index if index >= 0 else None, last)
        return self.findings


def frame_checker(reader: TrajectoryReader) -> Callable[[Screenshot], str | None]:
    """A `frame_check` for the auditor: is each frame stored, and does it match its sha256?"""

    def check(event: Screenshot) -> str | None:
        try:
            if not reader.frame_exists(event.frame):
                return "missing"
            data = reader.read_frame(event.frame)
        except TrajectoryFormatError:  # stored, but refused: a link out, past the size limit
            return "corrupt"
        return None if hashlib.sha256(data).hexdigest() == event.sha256 else "corrupt"

    return check


class AuditResult(NamedTuple):
    """What `audit` found in one recording."""

    findings: list[Finding]
    digest: str | None  # of its input, for finding copies (None: unreadable, or too short)
    stats: RecordingStats
    meta: TrajectoryMeta | None  # its header (None: unreadable)


def audit(reader: TrajectoryReader) -> AuditResult:
    """Audit one recording: its findings, the digest of its input, its size and its header.

    A recording made in screen coordinates is audited in the viewport's, as it is replayed.
    """
    try:
        meta = reader.meta
    except TrajectoryFormatError as exc:
        return AuditResult([Finding.of("malformed", None, str(exc))], None, RecordingStats(), None)
    auditor = Auditor(meta, frame_checker(reader))
    offset = meta.screen_offset if meta.coordinate_space == "screen" else None
    index = -1
    try:
        for _, event in reader.iter_events(ordered=False):
            index += 1
            auditor.see(index, to_viewport(event, offset.x, offset.y) if offset else event)
    except TrajectoryFormatError as exc:
        auditor.findings.append(Finding.of("malformed", index + 1, str(exc)))
        return AuditResult(auditor.findings, None, auditor.stats, meta)
    return AuditResult(auditor.finish(index), auditor.digest, auditor.stats, meta)
