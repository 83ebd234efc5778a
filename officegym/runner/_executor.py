"""What schedules a run's workers: the `Executor` protocol and the executors by `--executor` name.

`local` is the process pool of this machine (`WorkerPool`); `ray` puts the same workers in Ray
actors (`RayPool`; Ray itself, an optional extra, loads when a `RayPool` runs). A new executor is
a class with `Executor.run` that follows `RetryPolicy`, and an entry in `EXECUTOR_REGISTRY`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from officegym.results import Attempt, EpisodeResult
from officegym.runner._config import RunConfig, WorkerSpec
from officegym.runner._folder import WORKERS_LOCK_NAME
from officegym.runner._jobs import Job
from officegym.runner._pool import WorkerPool
from officegym.runner._ray import RayPool


class Executor(Protocol):
    """Plays jobs on workers built from a `WorkerSpec`, keeping their deadlines."""

    def run(
        self,
        jobs: list[Job],
        record: Callable[[EpisodeResult], None],
        on_attempt: Callable[[Attempt], None] | None = None,
    ) -> None:
        """Play every job to a final result, retrying as `RetryPolicy` says.

        Args:
            jobs: the episodes to play, in the order they are best played (a task's seeds
                together, so a worker's env is reused).
            record: given each job's final result, once, as soon as it is known.
            on_attempt: given every attempt at a job, retried or final.
        """
        ...


# How an executor is made for a run: from its settings and what each worker is built from.
ExecutorFactory = Callable[[RunConfig, WorkerSpec], Executor]


def _local_pool(config: RunConfig, spec: WorkerSpec) -> Executor:
    return WorkerPool(
        config.workers,
        spec,
        config.limits,
        pin=config.pin_cores,
        hold=str(config.out / WORKERS_LOCK_NAME),
    )


def _ray_pool(config: RunConfig, spec: WorkerSpec) -> Executor:
    return RayPool(config.workers, spec, config.limits, config.ray_address)


EXECUTOR_REGISTRY: dict[str, ExecutorFactory] = {"local": _local_pool, "ray": _ray_pool}
# The names, for `--executor`'s choices.
EXECUTORS = tuple(EXECUTOR_REGISTRY)


def executor_factory(name: str) -> ExecutorFactory:
    """What makes the executor of an `--executor` name.

    Raises:
        ValueError: no executor has that name.
    """
    try:
        return EXECUTOR_REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown executor {name!r}: use one of {EXECUTORS}") from None


def make_executor(config: RunConfig, spec: WorkerSpec) -> Executor:
    """The executor `config.executor` names, set up for this run.

    Raises:
        ValueError: no executor has that name.
    """
    return executor_factory(config.executor)(config, spec)
