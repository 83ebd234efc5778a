"""Benchmark runs: schedule episodes, store each result as it finishes, summarise.

An `Executor` (by `--executor` name in `EXECUTOR_REGISTRY`: `local` processes, `ray` actors)
plays `Job`s on workers, each an `EpisodeRunner` whose envs run in a sandbox
(`officegym.sandbox`); every executor retries by the one `RetryPolicy`.
"""

from officegym.runner._config import Limits, RunConfig, WorkerSpec
from officegym.runner._episode import EpisodeRunner
from officegym.runner._executor import (
    EXECUTOR_REGISTRY,
    EXECUTORS,
    Executor,
    ExecutorFactory,
    executor_factory,
    make_executor,
)
from officegym.runner._failfast import FAIL_FAST_AFTER, FailFast, failure_before_acting
from officegym.runner._jobs import RETRIED_STATUSES, Job, Pending, RetryPolicy, episode_id
from officegym.runner._pool import WorkerPool
from officegym.runner._ray import RayPool, RayUnavailableError
from officegym.runner._run import plan_episodes, run, validate
from officegym.runner._summary import RunSummary, TaskSummary, summarize

__all__ = [
    "EXECUTORS",
    "EXECUTOR_REGISTRY",
    "FAIL_FAST_AFTER",
    "RETRIED_STATUSES",
    "EpisodeRunner",
    "Executor",
    "ExecutorFactory",
    "FailFast",
    "Job",
    "Limits",
    "Pending",
    "RayPool",
    "RayUnavailableError",
    "RetryPolicy",
    "RunConfig",
    "RunSummary",
    "TaskSummary",
    "WorkerPool",
    "WorkerSpec",
    "episode_id",
    "executor_factory",
    "failure_before_acting",
    "make_executor",
    "plan_episodes",
    "run",
    "summarize",
    "validate",
]
