"""Redaction: a copy of a recording with its secrets replaced and their screen regions blacked out.

A secret typed key by key (or pasted, answered, or captured in a target's text) is replaced by a
stand-in of the same shape (digits 1, letters x; see `surrogate`), so the fields that took it take
the stand-in and the copy still replays. Frames from the first replaced event until the page
changes get the field's box painted black; `meta.privacy.redactions` lists every replaced event
and every blacked-out box, and the replayer leaves those boxes out of its frame comparison.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from officegym.replayer._findings import field_key, secret_field
from officegym.replayer._pii import KINDS, find_sensitive, surrogate
from officegym.trajectory import (
    FORMAT,
    Answer,
    Event,
    KeyDown,
    KeyUp,
    NavBack,
    NavForward,
    NavGoto,
    NavReload,
    Screenshot,
    Target,
    TextInput,
    TrajectoryReader,
    zip_trajectory,
)


@dataclass
class RedactionReport:
    """What `redact` changed."""

    events: int = 0  # events rewritten
    frames: int = 0  # frames with a region blacked out
    kinds: dict[str, int] = field(default_factory=dict)
    unboxed: list[int] = field(default_factory=list)  # redacted events with no known screen box


class _Plan:
    """Which characters of which events to replace, found in a first pass over the recording.

    Keeps the typed characters per field and the targets of the events that may be rewritten,
    not the events: the second pass streams them again.
    """

    def __init__(self, kinds: set[str]) -> None:
        self.kinds = kinds
        self.typed: dict[str, list[tuple[int, int, str]]] = {}  # field -> (event, offset, char)
        self.replace: dict[int, set[int]] = {}  # event index -> character offsets in its text
        self.kind_of: dict[int, str] = {}
        self.whole: dict[int, str] = {}  # event index -> kind, for answers and target texts
        self.targets: dict[int, Target | None] = {}  # of events that may be rewritten
        self.up_of: dict[int, int] = {}  # key.up index -> the key.down it releases
        self.held: dict[str, int] = {}  # key -> index of its last key.down
        self.navigations: list[int] = []  # indices of nav.* events, in order
        self.events = 0  # seen in the first pass

    def see(self, index: int, event: Event) -> None:
        self.events = index + 1
        key = field_key(event.target)
        if isinstance(event, NavGoto | NavBack | NavForward | NavReload):
            self.navigations.append(index)
        elif isinstance(event, KeyDown) and not event.masked and len(event.key) == 1:
            self.held[event.key] = index
            if not {"Control", "Meta", "Alt"} & set(event.modifiers):
                self.typed.setdefault(key, []).append((index, 0, event.key))
                self.targets[index] = event.target
                if secret_field(event.target):
                    self._mark(index, {0}, "unmasked_password")
        elif isinstance(event, KeyUp) and event.key in self.held:
            self.up_of[index] = self.held.pop(event.key)
        elif isinstance(event, TextInput) and not event.masked:
            chars = self.typed.setdefault(key, [])
            chars += [(index, i, c) for i, c in enumerate(event.text)] + [(-1, 0, " ")]
            self.targets[index] = event.target
            if secret_field(event.target):
                self._mark(index, set(range(len(event.text))), "unmasked_password")
        texts = [event.text] if isinstance(event, Answer) else []
        if event.target is not None:
            texts += [event.target.text or "", event.target.name or ""]
        for text in texts:
            for m in find_sensitive(text):
                if m.kind in self.kinds:
                    self.whole[index] = m.kind
                    self.targets[index] = event.target

    def _mark(self, index: int, offsets: set[int], kind: str) -> None:
        self.replace.setdefault(index, set()).update(offsets)
        self.kind_of[index] = kind

    def finish(self) -> None:
        for chars in self.typed.values():
            text = "".join(c for _, _, c in chars)
            for m in find_sensitive(text):
                if m.kind not in self.kinds:
                    continue
                for index, offset, _ in chars[m.start : m.end]:
                    if index >= 0:
                        self._mark(index, {offset}, m.kind)
        for up, down in self.up_of.items():  # a key's release names the same character
            if down in self.replace:
                self._mark(up, {0}, self.kind_of[down])
                self.targets[up] = self.targets.get(down)

    def rewritten(self) -> list[int]:
        """The indices of the events the second pass rewrites, in order."""
        return sorted(self.replace.keys() | self.whole.keys())

    def rewrite(self, index: int, event: Event) -> Event:
        update: dict[str, Any] = {}
        offsets = self.replace.get(index, set())
        if isinstance(event, KeyDown | KeyUp) and offsets:
            update = {"key": surrogate(event.key), "code": None}
        elif isinstance(event, TextInput) and offsets:
            text = "".join(surrogate(c) if i in offsets else c for i, c in enumerate(event.text))
            update = {"text": text}
        if index in self.whole:
            if isinstance(event, Answer):
                update["text"] = _scrub(event.text, self.kinds)
            if event.target is not None:
                update["target"] = event.target.model_copy(
                    update={
                        "text": _scrub(event.target.text, self.kinds),
                        "name": _scrub(event.target.name, self.kinds),
                    }
                )
        return event.model_copy(update=update) if update else event


def _scrub(text: str | None, kinds: set[str]) -> str | None:
    if not text:
        return text
    out = text
    for m in reversed(find_sensitive(text)):
        if m.kind in kinds:
            out = out[: m.start] + surrogate(m.value) + out[m.end :]
    return out


def redact(
    src: str | Path,
    dst: str | Path,
    *,
    pii: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RedactionReport:
    """Write a redacted copy of `src` (a folder or .zip) to `dst` (a folder, or .zip).

    Two streaming passes over the events: the first finds what to replace, the second writes the
    copy (events and frames) as it reads.

    Args:
        pii: also replace e-mail addresses and phone numbers (by default only secrets:
            passwords, card numbers, IBANs, API keys and tokens).
        progress: called with (events written, all events) as the copy is written: the second
            pass, which reads and paints the frames, is where the time goes.

    Raises:
        TrajectoryFormatError: `src` is not a readable trajectory: among others, a file of it
            is a link out of its folder (never followed, so never copied) or over the reader's
            size limits. Nothing is written to `dst` then.
        FileExistsError: `dst` exists.
    """
    dst = Path(dst)
    if dst.exists():
        raise FileExistsError(f"{dst}: already exists; pick a new path for the redacted copy")
    plan = _Plan({k for k, secret in KINDS.items() if secret or pii})
    report = RedactionReport()
    work = Path(tempfile.mkdtemp(prefix="officegym-redact-"))
    try:
        out = work / "trajectory"
        (out / "frames").mkdir(parents=True)
        with TrajectoryReader(src) as reader:
            meta = reader.meta
            for i, (_, event) in enumerate(reader.iter_events()):
                plan.see(i, event)
            plan.finish()
            redactions = list(meta.privacy.redactions)
            # (event, target with a box, kind, whether the value was on screen before the event)
            boxes: list[tuple[int, Target, str, bool]] = []
            for i in plan.rewritten():
                kind = plan.kind_of.get(i) or plan.whole[i]
                report.events += 1
                report.kinds[kind] = report.kinds.get(kind, 0) + 1
                redactions.append({"event_index": i, "kind": kind, "replaced_with": "surrogate"})
                target = plan.targets.get(i)
                if target is not None and target.bbox is not None:
                    boxes.append((i, target, kind, i in plan.whole))
                else:
                    report.unboxed.append(i)
            redactions += _write_copy(reader, out, plan, boxes, report, progress)
        privacy = meta.privacy.model_copy(update={"redactions": redactions})
        header = meta.model_copy(update={"privacy": privacy}).model_dump(
            mode="json", exclude_none=True
        )
        header["format"] = FORMAT
        (out / "meta.json").write_text(json.dumps(header, indent=2, ensure_ascii=False) + "\n")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.suffix == ".zip":
            zip_trajectory(out, dst)
        else:
            shutil.move(str(out), dst)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _write_copy(
    reader: TrajectoryReader,
    out: Path,
    plan: _Plan,
    boxes: list[tuple[int, Target, str, bool]],
    report: RedactionReport,
    progress: Callable[[int, int], None] | None,
) -> list[dict[str, Any]]:
    """The second pass: every event rewritten and every frame painted, into `out`.

    Returns:
        The redactions placed on frames (the report counts the frames).
    """
    placed_all: list[dict[str, Any]] = []
    width = reader.meta.viewport.width
    with open(out / "events.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for i, (_, event) in enumerate(reader.iter_events()):
            event = plan.rewrite(i, event)
            if isinstance(event, Screenshot) and reader.frame_exists(event.frame):
                data = reader.read_frame(event.frame)
                regions = _regions_for(i, plan.navigations, boxes)
                if regions:
                    data, placed = _black_out(data, event.frame, regions, width)
                    placed_all += placed
                    report.frames += 1
                    event = event.model_copy(update={"sha256": hashlib.sha256(data).hexdigest()})
                (out / event.frame).parent.mkdir(parents=True, exist_ok=True)
                (out / event.frame).write_bytes(data)
            f.write(event.model_dump_json(exclude_none=True) + "\n")
            if progress is not None:
                progress(i + 1, plan.events)
    return placed_all


def _regions_for(
    index: int, navigations: list[int], boxes: list[tuple[int, Target, str, bool]]
) -> list[tuple[Target, str]]:
    """The boxes to black out in the frame at `index`: those of redacted events with no page
    change between them and the frame (after a navigation the field is gone or elsewhere).
    Typed text shows from its event on; a target's own text was on screen before it too."""
    found = []
    for first, target, kind, before in boxes:
        if first > index and not before:
            continue
        low, high = min(first, index), max(first, index)
        if bisect.bisect_left(navigations, high) == bisect.bisect_left(navigations, low):
            found.append((target, kind))
    return found


def _black_out(
    data: bytes, frame: str, regions: list[tuple[Target, str]], viewport_width: int
) -> tuple[bytes, list[dict[str, Any]]]:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    scale = image.width / viewport_width
    draw = ImageDraw.Draw(image)
    placed = []
    seen = set()
    for target, kind in regions:
        assert target.bbox is not None
        b = target.bbox
        box = [int(b.x * scale) - 2, int(b.y * scale) - 2, int(b.width * scale) + 5,
               int(b.height * scale) + 5]  # fmt: skip
        if tuple(box) in seen:
            continue
        seen.add(tuple(box))
        draw.rectangle([box[0], box[1], box[0] + box[2], box[1] + box[3]], fill=(0, 0, 0))
        placed.append({"frame": frame, "box": box, "kind": kind})
    buffer = io.BytesIO()
    if frame.endswith(".png"):
        image.save(buffer, "PNG")
    else:
        image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue(), placed
