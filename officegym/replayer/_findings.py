"""Findings on a recording itself: not verdicts, but what an auditor of captured data wants to know.

Every finding has a kind (`FINDINGS` says how serious each is and what to do about it), the index
of the event it is about and evidence in which the sensitive part is masked. docs/data-quality.md
explains each kind. Inside the replayer a finding is a `Finding`; findings.jsonl and verdicts.jsonl
hold it as the JSON object `Finding.to_json` gives.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from officegym.errors import TrajectoryFormatError
from officegym.replayer._pii import find_sensitive, masked
from officegym.trajectory import (
    MODIFIERS,
    Answer,
    Done,
    Event,
    KeyDown,
    MouseDown,
    MouseMove,
    MouseUp,
    MouseWheel,
    NavBack,
    NavForward,
    NavGoto,
    NavReload,
    Screenshot,
    Target,
    TextInput,
    TrajectoryMeta,
    TrajectoryReader,
)

# How serious a finding is: error (the recording is not fit to use as is), warning (look at it),
# info (worth knowing, often human).
Severity = Literal["error", "warning", "info"]
# kind -> (severity, what to do)
FINDINGS: dict[str, tuple[Severity, str]] = {
    "malformed": (
        "error",
        "the file breaks the trajectory format: fix its writer, then export again",
    ),
    "truncated": (
        "error",
        "the recording stops without a `done` event: it was cut off; record it again",
    ),
    "unmasked_password": (
        "error",
        "mask password fields at capture (key '•', masked: true); redact this one",
    ),
    "card_number": ("error", "run `officegym redact`; keep payment data out of capture sessions"),
    "iban": ("error", "run `officegym redact`; keep bank data out of capture sessions"),
    "api_key": ("error", "run `officegym redact` and revoke the key: it has left its owner"),
    "token": (
        "warning",
        "check the value; if it is a secret, run `officegym redact` and revoke it",
    ),
    "email": (
        "warning",
        "expected when the task is about mail; otherwise run `officegym redact --pii`",
    ),
    "phone_number": (
        "warning",
        "expected when the task needs it; otherwise run `officegym redact --pii`",
    ),
    "impossible_timing": (
        "error",
        "the recorder's clock is wrong: use a monotonic clock, one per recording",
    ),
    "superhuman_timing": (
        "warning",
        "input this fast is scripted, not human: label it synthetic or drop it",
    ),
    "idle_gap": ("warning", "the person left: split the recording there or cut the idle time"),
    "outside_viewport": (
        "error",
        "pointer input outside the page: check the coordinate space and screen offset",
    ),
    "missing_frame": (
        "error",
        "a screenshot named by an event is not stored: copy the frames/ folder along",
    ),
    "corrupt_frame": (
        "error",
        "a frame does not match its sha256: it was changed or damaged after capture",
    ),
    "redundant_action": (
        "info",
        "the same click twice in a row: fine for a person, noise for training",
    ),
    "undone_action": (
        "info",
        "typed and deleted again, or undone: keep it for realism, trim it for demos",
    ),
    "duplicate_recording": ("warning", "the same events as another recording: keep one"),
}
SECRET_FIELD = re.compile(
    r"pass(word|code|phrase)?|\bpin\b|secret|token|api.?key|\bcvc\b|\bcvv\b", re.I
)
IDLE_GAP_MS = 30_000
KEY_BURST = 8  # this many keystrokes in a row ...
KEY_MIN_GAP_MS = 8  # ... each closer than this to the last is not typing by hand
POINTER_SPEED = 20_000  # px/s: faster than a flick of the wrist, between two sampled moves
SAME_SPOT_PX = 8
DOUBLE_CLICK_MS = 600
CORRECTION_SHARE = 0.3
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


class Auditor:
    """Fed every event of a recording in order; `finish` returns what it noticed.

    Args:
        meta: the recording's header (viewport, source, redactions), if known.
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
        redactions = meta.privacy.redactions if meta else []
        self._redacted = {r.get("event_index") for r in redactions if "frame" not in r}
        # Imported steps without times get evenly spaced ones: timing says nothing there.
        self._timed = not (meta and meta.extra.get("timing") == "synthesized")
        self._last_t: float | None = None
        self._key_run: list[tuple[int, float]] = []  # (index, t) of fast consecutive keys
        self._move: tuple[float, float, float] | None = None
        self._fields: dict[str, _Field] = {}
        self._keys = self._deletions = 0
        self._last_click: tuple[int, float, float, float, Target | None] | None = None
        self._acted_since_click = False
        self._seen: set[tuple[str, str]] = set()
        self._scanned: set[str] = set()
        self._last: Event | None = None
        self._digest = hashlib.sha256()

    @property
    def digest(self) -> str:
        """A hash of the events without their times: equal for a copy, even re-timed."""
        return self._digest.hexdigest()

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
        self._digest.update(event.model_dump_json(exclude={"t", "sha256", "frame"}).encode())
        self._timing(index, event)
        if isinstance(event, KeyDown):
            self._key(index, event)
        elif isinstance(event, TextInput) and not event.masked:
            self._text(index, event)
        elif isinstance(event, MouseDown | MouseUp | MouseWheel):
            self._pointer(index, event)
        elif isinstance(event, Answer) and index not in self._redacted:
            self._scan(event.text, [index] * len(event.text), "the answer")
        elif isinstance(event, Screenshot) and self.frame_check is not None:
            problem = self.frame_check(event)
            if problem:
                self._add(f"{problem}_frame", index, f"{event.frame} is {problem}")
        elif isinstance(event, NavGoto | NavBack | NavForward | NavReload):
            self._acted_since_click = True
        target = event.target
        if target is not None and index not in self._redacted:
            for text in {target.text, target.name} - {None} - self._scanned:
                assert text is not None
                self._scanned.add(text)  # the same element is the target of many events
                self._scan(text, [index] * len(text), "the text of a target")

    def _timing(self, index: int, event: Event) -> None:
        if self._last_t is not None and event.t < self._last_t:
            self._add(
                "impossible_timing",
                index,
                f"t={event.t:g} ms is before the previous event's t={self._last_t:g} ms",
            )
        elif self._timed and self._last_t is not None and event.t - self._last_t >= IDLE_GAP_MS:
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
        self._acted_since_click = True
        if event.masked:
            return
        self._keys += 1
        if self._timed:
            run = self._key_run
            if run and event.t - run[-1][1] < KEY_MIN_GAP_MS:
                run.append((index, event.t))
                if len(run) == KEY_BURST:
                    self._add(
                        "superhuman_timing",
                        run[0][0],
                        f"{KEY_BURST} keystrokes less than {KEY_MIN_GAP_MS} ms apart",
                        key="keys",
                    )
            else:
                self._key_run = [(index, event.t)]
        box = self._field(event.target)
        held = {"Control", "Meta", "Alt"} & set(event.modifiers)
        if held and event.key.lower() == "z":
            self._add("undone_action", index, f"{'+'.join(sorted(held))}+Z in {box.label}")
        if held or event.key in NON_TEXT:
            return
        if event.key in ("Backspace", "Delete"):
            self._deletions += 1
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
        self._acted_since_click = True
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

    def _pointer(self, index: int, event: MouseDown | MouseUp | MouseWheel) -> None:
        if event.x is not None and event.y is not None and self.meta is not None:
            view = self.meta.viewport
            if not (0 <= event.x < view.width and 0 <= event.y < view.height):
                self._add(
                    "outside_viewport",
                    index,
                    f"{event.type} at ({event.x:g}, {event.y:g}) is outside the "
                    f"{view.width}x{view.height} viewport",
                    key=str(index),
                )
        if not isinstance(event, MouseDown):
            return
        last, self._last_click = (
            self._last_click,
            (index, event.t, event.x or 0, event.y or 0, event.target),
        )
        if last is None or self._acted_since_click or event.click_count != 1:
            self._acted_since_click = False
            return
        same_spot = math.hypot((event.x or 0) - last[2], (event.y or 0) - last[3]) <= SAME_SPOT_PX
        if same_spot and event.target == last[4] and event.t - last[1] > DOUBLE_CLICK_MS:
            self._add(
                "redundant_action",
                index,
                f"a second click on {_label(event.target)} with nothing done between",
                key=str(index),
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
        for box in self._fields.values():
            kept = [(c, i) for c, i in box.text if i not in self._redacted]
            for chars in (box.typed, kept):
                if chars:
                    self._scan(
                        "".join(c for c, _ in chars),
                        [i for _, i in chars],
                        f"what was typed into {box.label}",
                    )
        if self._keys >= 20 and self._deletions / self._keys > CORRECTION_SHARE:
            self._add(
                "undone_action",
                index,
                f"{self._deletions} of {self._keys} keystrokes were Backspace or Delete",
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


def audit(reader: TrajectoryReader) -> tuple[list[Finding], str | None]:
    """Findings of one recording and the digest of its events (None when unreadable)."""
    try:
        meta = reader.meta
    except TrajectoryFormatError as exc:
        return [Finding.of("malformed", None, str(exc))], None
    auditor = Auditor(meta, frame_checker(reader))
    index = -1
    try:
        for _, event in reader.iter_events(ordered=False):
            index += 1
            auditor.see(index, event)
    except TrajectoryFormatError as exc:
        auditor.findings.append(Finding.of("malformed", index + 1, str(exc)))
        return auditor.findings, None
    return auditor.finish(index), auditor.digest
