"""The run's summary: episodes, success rate and mean score overall and per task, and the
statistics of `officegym.evaluators.aggregate` (intervals, pass^k, per app, skill and variant,
attack success), as written to `<out>/summary.json`.

The top-level figures take every episode of the run, whatever its variant: for a run of one
variant they are that variant's; `aggregate.per_variant` keeps the variants of a `robust` or
`inject` run apart.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from officegym.evaluators import aggregate
from officegym.results import EpisodeResult
from officegym.runner._config import RunConfig
from officegym.tasks import task_labels


@dataclass(frozen=True)
class TaskSummary:
    """One task's episodes. The field order is summary.json's key order."""

    episodes: int
    successes: int
    errors: int  # episodes that ended with an error (the agent's or the infrastructure's)
    retried: int  # episodes that took more than one attempt
    success_rate: float
    mean_score: float
    mean_steps: float

    @classmethod
    def of(cls, results: list[EpisodeResult]) -> TaskSummary:
        """The summary of one task's results (at least one)."""
        n = len(results)
        successes = sum(int(r.success) for r in results)
        return cls(
            episodes=n,
            successes=successes,
            errors=sum(int(bool(r.error)) for r in results),
            retried=sum(int(r.attempts > 1) for r in results),
            success_rate=round(successes / n, 4),
            mean_score=round(sum(r.score for r in results) / n, 4),
            mean_steps=round(sum(r.steps for r in results) / n, 2),
        )


@dataclass(frozen=True)
class RunSummary:
    """The whole run. The field order is summary.json's key order."""

    suite: str
    agent: str
    action_mode: str
    backend: str
    episodes: int
    success_rate: float
    mean_score: float
    errors: int
    statuses: dict[str, int]  # episodes by final status, sorted by status
    retried: int
    # Sorted by task id; a task's row takes its episodes under every variant of the run (the
    # variants apart: `aggregate.per_variant`).
    per_task: dict[str, TaskSummary]
    aggregate: dict[str, Any] | None  # CIs, pass^k and breakdowns; None for a run of nothing

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready data, keys in field order."""
        return asdict(self)

    def to_json(self) -> str:
        """summary.json's text."""
        return json.dumps(self.as_dict(), indent=2) + "\n"


def summarize(results: list[EpisodeResult], config: RunConfig) -> RunSummary:
    """Episodes, success rate and mean score overall and per task; CIs, pass^k and breakdowns."""
    by_task: dict[str, list[EpisodeResult]] = defaultdict(list)
    for r in results:
        by_task[r.task_id].append(r)
    n = len(results)
    return RunSummary(
        suite=config.suite,
        agent=config.agent,
        action_mode=config.action_mode,
        backend=config.backend,
        episodes=n,
        success_rate=round(sum(r.success for r in results) / n, 4) if n else 0.0,
        mean_score=round(sum(r.score for r in results) / n, 4) if n else 0.0,
        errors=sum(bool(r.error) for r in results),
        statuses=dict(sorted(Counter(r.status for r in results).items())),
        retried=sum(r.attempts > 1 for r in results),
        per_task={t: TaskSummary.of(rs) for t, rs in sorted(by_task.items())},
        aggregate=aggregate(results, labels=task_labels) if results else None,
    )
