"""Benchmark runs: schedule episodes, store each result as it finishes, summarise."""

from officegym.runner._episode import EpisodeRunner, Job
from officegym.runner._pool import Limits, WorkerPool, WorkerSpec
from officegym.runner._run import EXECUTORS, RunConfig, plan_episodes, run, summarize
from officegym.runner._store import STATUSES, Attempt, EpisodeResult, ResultStore

__all__ = [
    "EXECUTORS",
    "STATUSES",
    "Attempt",
    "EpisodeResult",
    "EpisodeRunner",
    "Job",
    "Limits",
    "ResultStore",
    "RunConfig",
    "WorkerPool",
    "WorkerSpec",
    "plan_episodes",
    "run",
    "summarize",
]
