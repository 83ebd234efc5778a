"""Benchmark runs: every (task, seed) of a suite, results stored as each episode finishes."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from officegym.agents import load_agent
from officegym.runner._episode import EpisodeRunner, worker_init, worker_run
from officegym.runner._store import EpisodeResult, ResultStore
from officegym.tasks import get_task, suite_tasks


@dataclass(frozen=True)
class RunConfig:
    """What to run. `seeds` is a count: seeds 0 … seeds-1 of every task in the suite."""

    suite: str
    agent: str
    seeds: int
    out: Path
    workers: int = 1
    action_mode: str = "computer"
    backend: str = "headless"
    resume: bool = False


def plan_episodes(config: RunConfig) -> list[tuple[str, int, str]]:
    """(task id, seed, episode id) for the whole run, grouped by task so envs are reused."""
    return [(t, s, f"{t}-s{s}") for t in suite_tasks(config.suite) for s in range(config.seeds)]


def validate(config: RunConfig) -> None:
    """Fail early, before any browser starts, on an unknown suite or agent.

    Raises:
        UnknownNameError: unknown suite, task or agent.
        AgentError: the agent cannot be loaded.
    """
    for task_id in suite_tasks(config.suite):
        get_task(task_id)
    load_agent(config.agent, seed=0)
    if config.seeds < 1 or config.workers < 1:
        raise ValueError("--seeds and --workers must be at least 1")


def run(
    config: RunConfig, on_result: Callable[[EpisodeResult, int, int], None] | None = None
) -> dict[str, Any]:
    """Run the suite; return the summary (also written to `<out>/summary.json`)."""
    validate(config)
    config.out.mkdir(parents=True, exist_ok=True)
    store = ResultStore(config.out / "results.sqlite")
    store.set_info(
        suite=config.suite,
        agent=config.agent,
        seeds=config.seeds,
        action_mode=config.action_mode,
        backend=config.backend,
    )
    episodes = plan_episodes(config)
    done = store.done_ids() if config.resume else set()
    todo = [e for e in episodes if e[2] not in done]
    total, finished = len(episodes), len(episodes) - len(todo)

    def record(result: EpisodeResult) -> None:
        nonlocal finished
        store.add(result)
        finished += 1
        if on_result:
            on_result(result, finished, total)

    def traj(episode_id: str) -> str:
        return str(config.out / "episodes" / episode_id / "trajectory")

    try:
        if config.workers == 1:
            runner = EpisodeRunner(config.agent, config.action_mode, config.backend)
            try:
                for task_id, seed, eid in todo:
                    record(runner.run(task_id, seed, eid, Path(traj(eid))))
            finally:
                runner.close()
        else:
            ctx = multiprocessing.get_context("spawn")  # Playwright does not survive fork
            with ProcessPoolExecutor(
                config.workers,
                mp_context=ctx,
                initializer=worker_init,
                initargs=(config.agent, config.action_mode, config.backend),
            ) as pool:
                pending: set[Future[EpisodeResult]] = {
                    pool.submit(worker_run, t, s, e, traj(e)) for t, s, e in todo
                }
                while pending:
                    complete, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in complete:
                        record(future.result())
        summary = summarize(store.results(), config)
    finally:
        store.close()
    (config.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def summarize(results: list[EpisodeResult], config: RunConfig) -> dict[str, Any]:
    """Episodes, success rate and mean score overall and per task; CIs, pass^k and breakdowns."""
    from officegym.evaluators import aggregate  # evaluators read run stores: import it late

    per_task: dict[str, dict[str, Any]] = {}
    for r in results:
        row = per_task.setdefault(
            r.task_id,
            {"episodes": 0, "successes": 0, "score_sum": 0.0, "steps_sum": 0, "errors": 0},
        )
        row["episodes"] += 1
        row["successes"] += int(r.success)
        row["score_sum"] += r.score
        row["steps_sum"] += r.steps
        row["errors"] += int(bool(r.error))
    for row in per_task.values():
        n = row["episodes"]
        row["success_rate"] = round(row["successes"] / n, 4)
        row["mean_score"] = round(row.pop("score_sum") / n, 4)
        row["mean_steps"] = round(row.pop("steps_sum") / n, 2)
    n = len(results)
    return {
        "suite": config.suite,
        "agent": config.agent,
        "action_mode": config.action_mode,
        "backend": config.backend,
        "episodes": n,
        "success_rate": round(sum(r.success for r in results) / n, 4) if n else 0.0,
        "mean_score": round(sum(r.score for r in results) / n, 4) if n else 0.0,
        "errors": sum(bool(r.error) for r in results),
        "per_task": dict(sorted(per_task.items())),
        "aggregate": aggregate(results) if results else None,
    }
