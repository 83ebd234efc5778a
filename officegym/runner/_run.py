"""Benchmark runs: every (task, seed) of a suite, results stored as each episode finishes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from officegym.agents import load_agent
from officegym.results import Attempt, EpisodeResult, ResultStore
from officegym.runner._config import RunConfig, WorkerSpec
from officegym.runner._executor import executor_factory, make_executor
from officegym.runner._folder import claimed
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
        ValueError: unknown executor or sandbox, limits out of range, or `retry_errors`
            without `resume`.
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
    if config.retry_errors and not config.resume:
        raise ValueError("--retry-errors plays again the errors of a run in --out: add --resume")


def run(
    config: RunConfig, on_result: Callable[[EpisodeResult, int, int], None] | None = None
) -> RunSummary:
    """Run the suite; return its summary, as written to `<out>/summary.json`.

    `on_result(result, finished, total)` is called as each episode's final result is stored.
    The run folder is locked for the run's life (see `officegym.runner._folder`).

    Raises:
        UnknownNameError, AgentError, ValueError, SandboxError: as `validate` says.
        RunFolderLockedError: another run, or workers of an earlier one, use `config.out`.
        RunFolderError: `config.out` is not empty without `resume`, or holds no run to resume.
        RunSettingsError: `resume` with a setting other than the one stored.
        ResultStoreError, OSError: the folder or its store cannot be written.
        RayUnavailableError: `--executor ray` without Ray, or Ray could not start.
    """
    validate(config)
    with claimed(config) as store:
        summary = _play(config, store, on_result)
        (config.out / "summary.json").write_text(summary.to_json())
    return summary


def _play(
    config: RunConfig,
    store: ResultStore,
    on_result: Callable[[EpisodeResult, int, int], None] | None,
) -> RunSummary:
    """Play the episodes the store lacks, and with `retry_errors` those that ended in an error."""
    episodes = plan_episodes(config)
    done = store.done_ids() if config.resume else set()
    if config.retry_errors:
        done -= store.error_ids()
    jobs = [job for job in episodes if job.episode_id not in done]
    total, finished = len(episodes), len(episodes) - len(jobs)
    # A resumed episode's attempts are numbered on from the ones stored (a retried error, or one
    # in flight when a run was killed), which stay in the attempts table.
    earlier = store.last_attempts() if config.resume else {}

    def record(result: EpisodeResult) -> None:
        nonlocal finished
        result.attempts += earlier.get(result.episode_id, 0)
        store.add(result)
        finished += 1
        if on_result:
            on_result(result, finished, total)

    def add_attempt(attempt: Attempt) -> None:
        number = attempt.attempt + earlier.get(attempt.episode_id, 0)
        store.add_attempt(replace(attempt, attempt=number))

    sandbox = get_sandbox(config.sandbox)
    run_id: str | None = None
    try:
        run_id = sandbox.start_run(config.out.resolve().name)
        if run_id is not None:
            store.set_info(sandbox_run=run_id)
        spec = WorkerSpec(
            config.agent, config.action_mode, config.backend, config.sandbox, run_id or "local"
        )
        make_executor(config, spec).run(jobs, record, add_attempt)
        return summarize(store.results(), config)
    finally:
        sandbox.cleanup_run(run_id)  # whatever the workers left, even on an interrupt
