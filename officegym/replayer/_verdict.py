"""What a replay says about one recording: a verdict, where, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from officegym.replayer._findings import Finding


class Verdict(StrEnum):
    """The outcome of replaying one trajectory."""

    VALID = "valid"  # replays cleanly, hits the same targets, completes its task
    DIVERGED = "diverged"  # at `event_index` the replay found something else than recorded
    TASK_FAILED = "task_failed"  # replays cleanly but the task's evaluator says not done
    MALFORMED = "malformed"  # the files break the format (file, line, field in `reason`)
    UNREPLAYABLE = "unreplayable"  # well-formed, but cannot be replayed here (unknown task, …)


@dataclass
class ReplayResult:
    """One line of `verdicts.jsonl`."""

    trajectory: str
    verdict: Verdict
    task: str | None = None
    seed: int | None = None
    event_index: int | None = None
    reason: str = ""
    score: float | None = None
    findings: list[Finding] = field(default_factory=list)
    recording_seconds: float = 0.0
    replay_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)  # each finding too, as `Finding.to_json` gives it
        out["verdict"] = str(self.verdict)
        return out
