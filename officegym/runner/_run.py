"""Benchmark runs: every (task, seed) of a suite, results stored as each episode finishes."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from officegym.agents import load_agent
from officegym.errors import SandboxError
from officegym.evaluators import aggregate
from officegym.results import EpisodeResult, ResultStore
from officegym.runner._episode import Job
from officegym.runner._pool import Limits, WorkerPool, WorkerSpec
from officegym.sandbox import SANDBOXES
from officegym.tasks import get_task, suite_tasks, task_labels

EXECUTORS = ("local", "ray")


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
    limits: Limits = field(default_factory=Limits)
    executor: str = "local"  # local: worker processes here; ray: Ray actors
    ray_address: str | None = None
    sandbox: str = "local"  # local: browsers and apps as processes here; docker: in containers
    pin_cores: bool = True  # local executor, 2+ workers: each worker on a core of its own


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
    if config.executor not in EXECUTORS:
        raise ValueError(f"unknown executor {config.executor!r}: use one of {EXECUTORS}")
    if config.sandbox not in SANDBOXES:
        raise ValueError(f"unknown sandbox {config.sandbox!r}: use one of {SANDBOXES}")
    if config.sandbox == "docker":
        from officegym.sandbox._docker import engine_available

        missing = engine_available()
        if missing:
            raise SandboxError(f"--sandbox docker: {missing}")
    limits = config.limits
    if min(limits.step_timeout, limits.episode_timeout) <= 0 or limits.retries < 0:
        raise ValueError("timeouts must be positive and --retries at least 0")


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
        sandbox=config.sandbox,
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

    jobs: list[Job] = [(t, s, e, traj(e)) for t, s, e in todo]
    run_id = "local"
    try:
        if config.sandbox == "docker":
            from officegym.sandbox._docker import build_image, new_run_id

            build_image()  # here, once: in a worker a first build would outlast the step timeout
            run_id = new_run_id(config.out.resolve().name)
            store.set_info(sandbox_run=run_id)
        spec = WorkerSpec(config.agent, config.action_mode, config.backend, config.sandbox, run_id)
        if config.executor == "ray":
            from officegym.runner._ray import RayPool

            ray_pool = RayPool(config.workers, spec, config.limits, config.ray_address)
            ray_pool.run(jobs, record, store.add_attempt)
        else:
            pool = WorkerPool(config.workers, spec, config.limits, pin=config.pin_cores)
            pool.run(jobs, record, store.add_attempt)
        summary = summarize(store.results(), config)
    finally:
        store.close()
        if config.sandbox == "docker":  # whatever the workers left, even on an interrupt
            from officegym.sandbox._docker import cleanup

            # Never in place of the error that ended the run; `officegym sandbox cleanup`
            # removes what is left if the engine has gone too.
            with contextlib.suppress(Exception):
                cleanup(run_id)
    (config.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def summarize(results: list[EpisodeResult], config: RunConfig) -> dict[str, Any]:
    """Episodes, success rate and mean score overall and per task; CIs, pass^k and breakdowns."""

    per_task: dict[str, dict[str, Any]] = {}
    for r in results:
        row = per_task.setdefault(
            r.task_id,
            {"episodes": 0, "successes": 0, "score_sum": 0.0, "steps_sum": 0, "errors": 0,
             "retried": 0},
        )  # fmt: skip
        row["episodes"] += 1
        row["successes"] += int(r.success)
        row["score_sum"] += r.score
        row["steps_sum"] += r.steps
        row["errors"] += int(bool(r.error))
        row["retried"] += int(r.attempts > 1)
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
        "statuses": dict(sorted(Counter(r.status for r in results).items())),
        "retried": sum(r.attempts > 1 for r in results),
        "per_task": dict(sorted(per_task.items())),
        "aggregate": aggregate(results, labels=task_labels) if results else None,
    }
