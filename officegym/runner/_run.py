"""Benchmark runs: every (task, variant, seed) of a suite, results stored as each episode
finishes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from officegym.results import Attempt, EpisodeResult, ResultStore
from officegym.runner._config import RunConfig, WorkerSpec
from officegym.runner._episode import make_agent
from officegym.runner._executor import executor_factory, make_executor
from officegym.runner._failfast import FailFast
from officegym.runner._folder import claimed
from officegym.runner._jobs import Job, episode_id
from officegym.runner._summary import RunSummary, summarize
from officegym.sandbox import get_sandbox
from officegym.tasks import SuiteMember, empty_suite_reason, get_task, suite_members, suites


def plan_episodes(config: RunConfig) -> list[Job]:
    """Every episode of the run, in plan order; with `config.limit`, the first that many.

    Plan order: the suite's members (a task, and the variant it plays under) in the order the
    suite lists them, each with its seeds 0 … seeds-1 in turn, so a worker reuses its env for a
    member's seeds. Each episode plays its member's variant: the suite's (`core@popup`), or the
    member's own (`robust`: every task clean, then under each perturbation that applies to it).

    Raises:
        UnknownNameError, VariantError, ValueError: as `selected_members` says.
    """
    episodes = []
    for member in selected_members(config):
        for seed in range(config.seeds):
            name = episode_id(member.task_id, seed, member.variant)
            episodes.append(Job(member.task_id, seed, name, _folder(config, name), member.variant))
    return episodes if config.limit is None else episodes[: config.limit]


def _folder(config: RunConfig, name: str) -> str:
    """The trajectory folder of the episode `name` in the run's folder."""
    return str(config.out / "episodes" / name / "trajectory")


def jobs_to_play(config: RunConfig, store: ResultStore, episodes: list[Job]) -> list[Job]:
    """The planned episodes the store lacks (with `config.resume`), and with `retry_errors`
    those stored with an error, each told whether to prepare its next seed.

    A planned episode is stored when a row has its task, variant and seed, whatever its id:
    a `SUITE@VARIANT` run stored by an earlier version named its episodes `<task>-s<seed>`. A
    job retried keeps the stored id and folder, so its new result replaces the row, and its
    attempts number on from the row's.
    """
    stored = store.ids_by_episode() if config.resume else {}
    errors = store.error_ids() if config.retry_errors else set()
    jobs = []
    for job in episodes:
        name = stored.get((job.task_id, job.variant, job.seed))
        if name is None:
            jobs.append(job)
        elif name in errors:
            jobs.append(replace(job, episode_id=name, trajectory=_folder(config, name)))
    # A worker plays its jobs in this order, keeping the env of a task and variant while they
    # last: the next seed prepared ahead is used only when it is the next job (`WorkerPool`
    # lanes are runs of this list; the env still plays a seed it did not prepare).
    keys = [(job.task_id, job.variant, job.seed) for job in jobs]
    return [
        replace(job, prepare_next=(job.task_id, job.variant, job.seed + 1) in keys[i + 1 : i + 2])
        for i, job in enumerate(jobs)
    ]


def selected_tasks(config: RunConfig) -> list[str]:
    """The task ids of `selected_members`, each once, in the suite's order."""
    return list(dict.fromkeys(m.task_id for m in selected_members(config)))


def selected_members(config: RunConfig) -> list[SuiteMember]:
    """The suite's members, in its order; only those of `config.tasks` when it names some.

    Raises:
        UnknownNameError: unknown suite or variant, or a task in `config.tasks` that does not
            exist (with close ids).
        VariantError: as `officegym.tasks.suite_members` says.
        ValueError: a task in `config.tasks` that exists but is not in the suite.
    """
    members = suite_members(config.suite)
    in_suite = {m.task_id for m in members}
    for task_id in config.tasks:
        if task_id not in in_suite:
            get_task(task_id)  # no such task at all: the error suggests close ids
            theirs = ", ".join(s for s, ids in suites().items() if task_id in ids)
            raise ValueError(
                f"task {task_id!r} is not in suite {config.suite!r}: pass the suite of the "
                f"tasks to run with --suite (its suites: {theirs})"
            )
    return [m for m in members if not config.tasks or m.task_id in config.tasks]


def validate(config: RunConfig) -> None:
    """Fail early, before any browser starts, on an unknown suite or agent.

    Raises:
        UnknownNameError: unknown suite, variant, task or agent.
        VariantError: a variant that applies to none of the suite's tasks, or one given to a
            suite whose members carry their own (`robust@narrow`).
        AgentError: the agent cannot be loaded, or not with its options.
        ValueError: unknown executor or sandbox, limits out of range, a task not in the suite,
            a suite with no task (`inject` before its variant is registered), `retry_errors`
            without `resume`, or `fail_fast` below 0.
        SandboxError: the sandbox cannot run on this machine.
    """
    tasks = selected_tasks(config)
    if not tasks:
        raise ValueError(f"{empty_suite_reason(config.suite)}: nothing to run")
    for task_id in tasks:
        get_task(task_id)
    make_agent(config.agent, config.agent_options)
    if config.fail_fast < 0:
        raise ValueError("--fail-fast is a number of episodes: 0 (never stop a run) or more")
    if config.seeds < 1 or config.workers < 1:
        raise ValueError("--seeds and --workers must be at least 1")
    if config.limit is not None and config.limit < 1:
        raise ValueError("--limit must be at least 1")
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
    The run folder is locked for the run's life (see `officegym.runner._folder`). When the
    first `config.fail_fast` episodes all fail the same way, the run stops (`FailFast`): the
    episodes stored so far stay, and no summary is written.

    Raises:
        UnknownNameError, AgentError, ValueError, SandboxError: as `validate` says.
        AgentError: also when the run stopped because its first episodes failed the same way.
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


def fail_fast_watch(config: RunConfig) -> FailFast:
    """The run's `FailFast`: after `config.fail_fast` episodes, and never under `retry_errors`.

    Not under --retry-errors: its episodes are by selection the ones that failed before, so
    the first few failing alike again says nothing new about the agent (they may be the hard
    ones), and a run stopped there could never get past them.
    """
    return FailFast(0 if config.retry_errors else config.fail_fast, str(config.out))


def _play(
    config: RunConfig,
    store: ResultStore,
    on_result: Callable[[EpisodeResult, int, int], None] | None,
) -> RunSummary:
    """Play the episodes the store lacks, and with `retry_errors` those that ended in an error."""
    episodes = plan_episodes(config)
    jobs = jobs_to_play(config, store, episodes)
    total, finished = len(episodes), len(episodes) - len(jobs)
    # A resumed episode's attempts are numbered on from the ones stored (a retried error, or one
    # in flight when a run was killed), which stay in the attempts table.
    earlier = store.last_attempts() if config.resume else {}
    fail_fast = fail_fast_watch(config)

    def record(result: EpisodeResult) -> None:
        nonlocal finished
        result.attempts += earlier.get(result.episode_id, 0)
        store.add(result)
        finished += 1
        if on_result:
            on_result(result, finished, total)
        fail_fast.observe(result)  # raises to stop the run: the executor stops its workers

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
            config.agent,
            config.action_mode,
            config.backend,
            config.sandbox,
            run_id or "local",
            agent_options=config.agent_options,
            variant=config.variant,
        )
        make_executor(config, spec).run(jobs, record, add_attempt)
        return summarize(store.results(), config)
    finally:
        sandbox.cleanup_run(run_id)  # whatever the workers left, even on an interrupt
