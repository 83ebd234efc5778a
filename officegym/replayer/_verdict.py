"""What a replay says about one recording: a verdict, where, and why."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from officegym.replayer._expect import describe_failures
from officegym.replayer._findings import Finding
from officegym.trajectory import ImportSkip, TrajectoryMeta


class Verdict(StrEnum):
    """The outcome of replaying one trajectory."""

    VALID = "valid"  # replays cleanly, hits the same targets, completes its task
    DIVERGED = "diverged"  # at `event_index` the replay found something else than recorded
    TASK_FAILED = "task_failed"  # replays cleanly but the task's evaluator says not done
    MALFORMED = "malformed"  # the files break the format (file, line, field in `reason`)
    UNREPLAYABLE = "unreplayable"  # well-formed, but cannot be replayed here (unknown task, …)
    INCOMPLETE = "incomplete"  # its import left out a step that acts (named in `reason`)


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
    # What `--expect` checked on the final page (None: it had no expectations, or the replay
    # did not reach the end): see `_expect.check_expectations`.
    expectations: list[dict[str, Any]] | None = None
    # Whether the replay reached the goal of the instruction injected into the recording's data
    # (its variant had `inject`); None when it carried none, or the replay did not reach the end.
    attacked: bool | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)  # each finding too, as `Finding.to_json` gives it
        out["verdict"] = str(self.verdict)
        for optional in ("expectations", "attacked"):
            if out[optional] is None:
                del out[optional]
        return out


# Verdicts that a skipped acting step overrides: they judge a replay that did not do what the
# person did. `malformed` and `unreplayable` stay: they say the replay could not judge at all.
_OVERRIDDEN = {Verdict.VALID, Verdict.DIVERGED, Verdict.TASK_FAILED}
_SOURCE_INDEX = re.compile(r"^[A-Za-z_]+\[(\d+)\]")  # `steps[12]`, `events[3].data…`


def _source_order(skip: ImportSkip) -> tuple[int, str]:
    found = _SOURCE_INDEX.match(skip.position)
    return (int(found.group(1)) if found else 1 << 62, skip.position)


def first_acting_skip(meta: TrajectoryMeta) -> ImportSkip | None:
    """The first step (in source order) that the import left out and that acts, if any."""
    acting = [s for s in meta.imported.skipped if s.acts] if meta.imported else []
    return min(acting, key=_source_order) if acting else None


def judge_expectations(result: ReplayResult, outcomes: list[dict[str, Any]]) -> None:
    """Keep what `--expect` found on the final page; a failed expectation makes a `valid`
    replay `task_failed` (and is added to the reason of one already `task_failed`)."""
    result.expectations = outcomes
    failed = [o for o in outcomes if not o["passed"]]
    if not failed or result.verdict not in (Verdict.VALID, Verdict.TASK_FAILED):
        return
    said = f"the final page is not as expected: {describe_failures(outcomes)}"
    if result.verdict == Verdict.VALID:
        result.verdict, result.reason = Verdict.TASK_FAILED, said
    else:
        result.reason += f"; {said}"


def judge_skips(meta: TrajectoryMeta, result: ReplayResult) -> None:
    """Make `result` `incomplete` when the import left out a step that acts.

    The replay has played the rest already (its findings, and what it found, are kept): a
    divergence after the skipped step is most likely its consequence, so the skipped step is
    named first and what the replay found follows it in `reason`; `event_index` stays where the
    replay found it (None when the rest replayed cleanly).
    """
    skip = first_acting_skip(meta)
    if skip is None or result.verdict not in _OVERRIDDEN:
        return
    reason = f"the import left out {skip.position} ({skip.step}), a step that acts: {skip.reason}"
    if result.verdict != Verdict.VALID:
        reason += f"; the replay of the rest was {result.verdict}: {result.reason}"
    result.verdict, result.reason = Verdict.INCOMPLETE, reason
