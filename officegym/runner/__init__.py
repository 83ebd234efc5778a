"""Benchmark runs: schedule episodes, store each result as it finishes, summarise."""

from officegym.runner._episode import EpisodeRunner
from officegym.runner._run import RunConfig, plan_episodes, run, summarize
from officegym.runner._store import EpisodeResult, ResultStore

__all__ = [
    "EpisodeResult",
    "EpisodeRunner",
    "ResultStore",
    "RunConfig",
    "plan_episodes",
    "run",
    "summarize",
]
