"""Benchmark runs: every (task, seed) of a suite, results stored as each episode finishes."""

from __future__ import annotations

from collections.abc import Callable

from officegym.agents import load_agent
from officegym.results import EpisodeResult, ResultStore
from officegym.runner._config import RunConfig, WorkerSpec
from officegym.runner._executor import executor_factory, make_executor
from officegym.runner._jobs import Job
from officegym.runner._summary import RunSummary, summarize
from officegym.sandbox import get_sandbox
from officegym.tasks import get_task, suite_tasks


def plan_episodes(config: RunConfig) -> list[Job]:
    """Every episode of the run, grouped by task so envs are reused."""
    return [
        Job(t, s, f"{t}-s{s}", str(config.out / "episodes" / f"{t}-s{s}" / "trajectory"))
        for t in suite_tasks(config.suite)
        for s in range(config.seeds)
    ]


def validate(config: RunConfig) -> None:
    """Fail early, before any browser starts, on an unknown suite or agent.

    Raises:
        UnknownNameError: unknown suite, task or agent.
        AgentError: the agent cannot be loaded.
        ValueError: unknown executor or sandbox, or limits out of range.
        SandboxError: the sandbox cannot run on this machine.
    """
    for task_id in suite_tasks(config.suite):
        get_task(task_id)
    load_agent(config.agent, seed=0)
    if config.seeds < 1 or config.workers < 1:
        raise ValueError("--seeds and --workers must be at least 1")
    executor_factory(config.executor)
    get_sandbox(config.sandbox).check()
    limits = config.limits
    if min(limits.step_timeout, limits.episode_timeout) <= 0 or limits.retries < 0:
        raise ValueError("timeouts must be positive and --retries at least 0")


def run(
    config: RunConfig, on_result: Callable[[EpisodeResult, int, int], None] | None = None
) -> RunSummary:
    """Run the suite; return its summary, as written to `<out>/summary.json`.

    `on_result(result, finished, total)` is called as each episode's final result is stored.

    Raises:
        UnknownNameError, AgentError, ValueError, SandboxError: as `validate` says.
        RayUnavailableError: `--executor ray` without Ray, or Ray could not start.
    """
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
    jobs = [job for job in episodes if job.episode_id not in done]
    total, finished = len(episodes), len(episodes) - len(jobs)

    def record(result: EpisodeResult) -> None:
        nonlocal finished
        store.add(result)
        finished += 1
        if on_result:
            on_result(result, finished, total)

    sandbox = get_sandbox(config.sandbox)
    run_id: str | None = None
    try:
        run_id = sandbox.start_run(config.out.resolve().name)
        if run_id is not None:
            store.set_info(sandbox_run=run_id)
        spec = WorkerSpec(
            config.agent, config.action_mode, config.backend, config.sandbox, run_id or "local"
        )
        make_executor(config, spec).run(jobs, record, store.add_attempt)
        summary = summarize(store.results(), config)
    finally:
        store.close()
        sandbox.cleanup_run(run_id)  # whatever the workers left, even on an interrupt
    (config.out / "summary.json").write_text(summary.to_json())
    return summary
