"""An episode's steps: what was done, the screenshot it was done on, and what the agent said.

Two kinds of trajectory, two ways to cut it into steps:

- an agent's (`source: agent`) has one `observe` and its screenshot after reset and after every
  step, so step i's events lie between observations i-1 and i, and observation i-1 is what the
  agent saw when it chose step i; the run's `steps.jsonl` adds the action as given, its error,
  timings and, when the agent reported them, its messages and the accessibility tree;
- a person's (recorded, synthetic, imported) has a screenshot after each burst of input, so a
  step is a burst: the input between two screenshots, shown on the first.

Everything here comes from files that may come from anyone: texts are cut to bounds and a
trajectory that cannot be read ends its timeline where it broke, with the reason.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from officegym.errors import TrajectoryFormatError
from officegym.report._marks import Mark, clip, describe, step_marks
from officegym.tasks.recorded_goal import recorded_goal
from officegym.trajectory import TrajectoryMeta, TrajectoryReader
from officegym.trajectory.step_log import MAX_STEP_LOG_LINE, iter_step_log

# The report's bound on a line of any log it reads (_build reads verdicts.jsonl with it).
MAX_LOG_LINE = MAX_STEP_LOG_LINE

# Bounds on what one step shows, far above anything useful to read in a viewer.
ACTION_CHARS = 4_000
MESSAGE_CHARS = 20_000  # a model's reply
AXTREE_CHARS = 60_000  # an accessibility tree: a busy page's is 10-30 k characters
TEXT_CHARS = 4_000  # goals, errors, answers, URLs
MAX_STEPS = 2_000  # steps shown per episode; a longer recording is cut, and says so
# Events of one step that its marks are made from (a person's burst is tens to hundreds).
MAX_STEP_EVENTS = 5_000
# Events that do not start a step of a recording by themselves (a pointer moving over the page
# is no step until something is pressed).
QUIET_EVENTS = frozenset({"observe", "check", "done", "mouse.move"})


@dataclass
class Step:
    """One step as the viewer shows it."""

    number: int
    action: str
    error: str = ""
    think_ms: float | None = None
    env_ms: float | None = None
    url: str = ""
    frame: str | None = None  # the screenshot it started from, a URL relative to the viewer
    marks: list[Mark] = field(default_factory=list)
    axtree: str | None = None
    agent: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.number, "action": self.action, "frame": self.frame}
        out["marks"] = [m.as_dict() for m in self.marks]
        for key in ("error", "url", "think_ms", "env_ms", "axtree", "agent"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        return out


@dataclass
class Timeline:
    """An episode's steps, its page size and goal, and why reading stopped early if it did."""

    steps: list[Step] = field(default_factory=list)
    viewport: tuple[int, int] = (1280, 720)
    goal: str = ""
    meta: TrajectoryMeta | None = None
    problem: str = ""  # why it could not be read whole
    note: str = ""  # what of it is not shown (past MAX_STEPS)
    last_ms: float = 0.0  # the time of its last event read: how long it lasted


class Frames:
    """Puts an episode's screenshots where the viewer's page finds them by a relative URL.

    Linked in place (a run's own trajectory folders, next to its report), or copied into
    `out/frames/` (zips, and anything given to `officegym view`: a folder to hand on whole).
    Only frames the reader vouches for are placed: inside the trajectory, no link out of it.

    Args:
        out: the viewer's folder.
        copy: copy every frame, also from folders.
    """

    def __init__(self, out: Path, copy: bool) -> None:
        self.out, self.copy = out, copy

    def place(self, reader: TrajectoryReader, frame: str, slot: str) -> str | None:
        """The URL of `frame` relative to the viewer, or None when it is not there to show."""
        try:
            if not reader.frame_exists(frame):
                return None
            if not self.copy and reader.path.is_dir():
                target = os.path.relpath(reader.path / frame, self.out)
                return quote(PurePosixPath(*Path(target).parts).as_posix())
            name = re.sub(r"[^\w.-]", "_", frame)
            dest = self.out / "frames" / slot / name
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(reader.read_frame(frame))
        except TrajectoryFormatError:
            return None
        return quote(f"frames/{slot}/{name}")


def task_goal(meta: TrajectoryMeta | None) -> str:
    """The goal of the trajectory's task as the agent or person was given it ("" if unknown)."""
    return clip(recorded_goal(meta) or "", TEXT_CHARS)


def read_step_log(path: Path) -> list[dict[str, Any]]:
    """The first MAX_STEPS lines of a run's `steps.jsonl` (none if it is missing)."""
    return list(islice(iter_step_log(path), MAX_STEPS))


def agent_timeline(
    trajectory: Path | None, log: list[dict[str, Any]], frames: Frames, slot: str
) -> Timeline:
    """The steps of an agent's episode from its trajectory (may be None) and step log; the
    agent's account of a step comes from the log, else from the trajectory's events."""
    timeline = Timeline()
    read = _AgentEvents()
    if trajectory is not None and trajectory.exists():
        try:
            with TrajectoryReader(trajectory) as reader:
                timeline.meta = reader.meta
                timeline.viewport = _viewport(reader.meta)
                read.read(reader, frames, slot, timeline)
        except (TrajectoryFormatError, OSError) as exc:
            timeline.problem = clip(f"the trajectory could not be read whole: {exc}", TEXT_CHARS)
    timeline.goal = task_goal(timeline.meta)
    segments, shots = read.segments, read.shots
    if len(segments) > 1 and not segments[-1]:
        segments.pop()  # the episode ended on an observation (truncated), not inside a step
    count = min(max(len(log), len(segments) - 1), MAX_STEPS)
    for i in range(1, count + 1):
        events = segments[i] if i < len(segments) else []
        line = log[i - 1] if i - 1 < len(log) else {}
        step = _logged_step(i, line, step_marks(events))
        step.agent = step.agent or agent_messages(read.turns.get(i))
        step.frame = shots[i - 1] if i - 1 < len(shots) else None
        timeline.steps.append(step)
    if len(shots) > count:  # the last observation: the page as the episode ended
        last = "(the last page read)" if timeline.problem else "(final page)"
        timeline.steps.append(Step(count + 1, last, frame=shots[-1]))
    return timeline


class _AgentEvents:
    """An agent's trajectory cut at its observations: the events of each step (segment i is
    step i; 0 is before the first observation), the frame of each observation, and the
    agents' accounts of steps found on events."""

    def __init__(self) -> None:
        self.segments: list[list[Any]] = [[]]
        self.shots: list[str | None] = []
        self.turns: dict[int, dict[str, Any]] = {}

    def read(self, reader: TrajectoryReader, frames: Frames, slot: str, timeline: Timeline) -> None:
        for _, event in reader.iter_events():
            timeline.last_ms = event.t
            step = len(self.segments) - 1
            turn = getattr(event, "agent", None)
            if turn is not None and step not in self.turns:  # a refused step's is on its end
                self.turns[step] = turn.model_dump()
            if event.type == "observe":
                if len(self.segments) > MAX_STEPS:
                    timeline.note = f"only the first {MAX_STEPS} steps are shown"
                    return
                self.segments.append([])
                self.shots.append(None)
            elif event.type == "screenshot" and self.shots and self.shots[-1] is None:
                self.shots[-1] = frames.place(reader, event.frame, slot)
            elif len(self.segments[-1]) < MAX_STEP_EVENTS:
                self.segments[-1].append(event)


def _logged_step(number: int, line: dict[str, Any], marks: list[Mark]) -> Step:
    """Step `number` from its step-log line (any field may be missing or of a wrong type)."""
    agent = agent_messages(line.get("agent"))
    action = _text(line.get("action"), ACTION_CHARS)
    if not action:
        failed = line.get("action", "") is None and agent is not None and "error" in agent
        action = "(no action: the agent failed)" if failed else describe(marks)
    return Step(
        number=number,
        action=action,
        error=_text(line.get("error"), TEXT_CHARS),
        think_ms=finite(line.get("think_ms")),
        env_ms=finite(line.get("env_ms")),
        url=_text(line.get("url"), TEXT_CHARS),
        marks=marks,
        axtree=_text(line.get("axtree"), AXTREE_CHARS) or None,
        agent=agent,
    )


def agent_messages(raw: Any) -> dict[str, Any] | None:
    """The `agent` object of a step-log line, kept to its known fields with their types:
    `reply`, `action`, `error` (text), `request_s` (a number), `tokens` (prompt, completion)."""
    if not isinstance(raw, dict):
        return None
    out: dict[str, Any] = {}
    for key, limit in (("reply", MESSAGE_CHARS), ("action", ACTION_CHARS), ("error", TEXT_CHARS)):
        text = _text(raw.get(key), limit)
        if text:
            out[key] = text
    seconds = finite(raw.get("request_s"))
    if seconds is not None:
        out["request_s"] = seconds
    tokens = raw.get("tokens")
    if isinstance(tokens, dict):
        counts = {k: _count(tokens.get(k)) for k in ("prompt", "completion")}
        if any(v is not None for v in counts.values()):
            out["tokens"] = counts
    return out or None


def recording_timeline(reader: TrajectoryReader, frames: Frames, slot: str) -> Timeline:
    """The steps of a person's recording: each burst of input between two screenshots, shown
    on the screenshot before it; the last screenshot as the final page."""
    timeline = Timeline()
    try:
        meta = reader.meta
        timeline.meta, timeline.viewport = meta, _viewport(meta)
        offset = (0.0, 0.0)
        if meta.coordinate_space == "screen" and meta.screen_offset is not None:
            offset = (float(meta.screen_offset.x), float(meta.screen_offset.y))
        shot: str | None = None  # the latest screenshot's frame
        burst: list[Any] = []
        shown: str | None = None
        for _, event in reader.iter_events():
            timeline.last_ms = event.t
            if event.type == "screenshot":
                if burst:
                    timeline.steps.append(_burst_step(timeline, burst, shown, offset))
                    burst = []
                if shot != event.frame:  # a recorder repeats a frame while nothing changes
                    shot = event.frame
                    shown = frames.place(reader, event.frame, slot)
            elif len(burst) < MAX_STEP_EVENTS and (burst or event.type not in QUIET_EVENTS):
                burst.append(event)
            if len(timeline.steps) >= MAX_STEPS:
                timeline.note = f"only the first {MAX_STEPS} steps are shown"
                break
        if burst:
            timeline.steps.append(_burst_step(timeline, burst, shown, offset))
        last = timeline.steps[-1].frame if timeline.steps else None
        if shown is not None and shown != last:
            timeline.steps.append(Step(len(timeline.steps) + 1, "(final page)", frame=shown))
    except (TrajectoryFormatError, OSError) as exc:
        timeline.problem = clip(f"the recording could not be read whole: {exc}", TEXT_CHARS)
    timeline.goal = task_goal(timeline.meta)
    return timeline


def _burst_step(
    timeline: Timeline, events: list[Any], frame: str | None, offset: tuple[float, float]
) -> Step:
    marks = step_marks(events, offset)
    url = next((e.url for e in reversed(events) if e.type == "nav.goto"), "")
    return Step(len(timeline.steps) + 1, describe(marks), frame=frame, marks=marks, url=url)


def _viewport(meta: TrajectoryMeta) -> tuple[int, int]:
    return meta.viewport.width, meta.viewport.height


def _text(value: Any, limit: int) -> str:
    return clip(value, limit) if isinstance(value, str) else ""


def finite(value: Any) -> float | None:
    """`value` as a float if it is a finite number (JSON from elsewhere may hold anything)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
