"""Benchmark runs: schedule episodes, store each result as it finishes, summarise."""

from officegym.runner._episode import EpisodeRunner, Job
from officegym.runner._pool import Limits, WorkerPool, WorkerSpec
from officegym.runner._run import EXECUTORS, RunConfig, plan_episodes, run, summarize

__all__ = [
    "EXECUTORS",
    "EpisodeRunner",
    "Job",
    "Limits",
    "RunConfig",
    "WorkerPool",
    "WorkerSpec",
    "plan_episodes",
    "run",
    "summarize",
]
