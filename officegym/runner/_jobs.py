"""What a worker is given (`Job`), and the one retry policy every executor follows.

Infrastructure failures are retried, agent failures are not: the agent is what a run measures,
so its errors and hangs are its result, while a browser crash, a dead worker or a hung env says
nothing about it and deserves another try on a fresh worker. Every attempt is recorded whatever
became of it, so retries stay visible in the run's results.

The agent's are: raising in `reset` or `act`, and failing to be made in a worker
(`agent_error`; an action that cannot be parsed is only its step's error); thinking past its
step time, or an episode past its time (`timeout`). Only what the env, its browser or the
worker did is `crashed`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from officegym.results import Attempt, EpisodeResult
from officegym.tasks.variants import SUITE_SEPARATOR


@dataclass(frozen=True)
class Job:
    """One episode to play: the task, its seed, the episode's id, its trajectory folder and the
    variant it plays under ("" for none); `prepare_next`: whether the worker's env prepares the
    episode of the next seed while this one plays (False when the next job is another task's,
    variant's or seed's, which would leave that preparation unused)."""

    task_id: str
    seed: int
    episode_id: str
    trajectory: str
    variant: str = ""
    prepare_next: bool = True


def episode_id(task_id: str, seed: int, variant: str = "") -> str:
    """The id (and run folder name) of an episode: `mail.apply-label-s0` clean, as runs before
    variants named theirs (so they resume), `mail.apply-label@popup-s0` under a variant.

    Task ids are words, dots and dashes, and a variant's name words joined by `+`
    (`narrow+popup`), so the id is a plain file name; a variant's name holds no `@`, so no two
    ids of a run collide.
    """
    played = f"{task_id}{SUITE_SEPARATOR}{variant}" if variant else task_id
    return f"{played}-s{seed}"


class Pending(NamedTuple):
    """A job waiting for a worker, and which attempt at it this will be (1 for the first)."""

    job: Job
    attempt: int


# Statuses that say the infrastructure failed (browser, env, worker or its node), not the agent.
RETRIED_STATUSES = frozenset({"crashed"})
# The `error_kind` of a `timeout`: the agent thought past its step time, or the episode ran past
# its time (the agent may have acted all along).
STEP_TIMEOUT_KIND, EPISODE_TIMEOUT_KIND = "step timeout", "episode timeout"


@dataclass(frozen=True)
class RetryPolicy:
    """Records each attempt's end and says whether the job is tried again.

    Args:
        agent: the agent spec, for the result of an attempt that produced none.
        retries: how many more attempts a job gets after its first failed for a retried status.
        record: given each job's final result, once.
        on_attempt: given every attempt, retried or final.
    """

    agent: str
    retries: int
    record: Callable[[EpisodeResult], None]
    on_attempt: Callable[[Attempt], None] | None = None

    def settle(
        self,
        pending: Pending,
        status: str,
        error: str,
        result: EpisodeResult | None,
        *,
        kind: str | None = None,
        steps: int = 0,
    ) -> Pending | None:
        """Record how an attempt ended; return the next attempt to queue, or None if final.

        Args:
            pending: the job and attempt that ended.
            status: how it ended (one of `officegym.results.STATUSES`).
            error: why it failed ("" if it did not).
            result: the episode's result, if the worker got as far as one.
            kind, steps: without a result, the failure's `error_kind` (for the agent's) and the
                steps the agent had taken.
        """
        job, attempt = pending
        if self.on_attempt:
            self.on_attempt(Attempt(job.episode_id, attempt, status, error, round(time.time(), 3)))
        if status in RETRIED_STATUSES and attempt <= self.retries:
            return Pending(job, attempt + 1)
        if result is None:
            result = EpisodeResult(
                job.episode_id, job.task_id, job.seed, self.agent, False, 0.0,
                steps=steps, error=error, trajectory=job.trajectory, status=status,
                error_kind=kind, variant=job.variant,
            )  # fmt: skip
        result.attempts = attempt
        self.record(result)
        return None
