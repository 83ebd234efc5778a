"""pytest plugin: every task × seed of a suite becomes a test item, so model regression tests run
(and parallelise with pytest-xdist) like any other tests.

    pytest --officegym-agent=pkg.mod:Agent --officegym-suite=smoke --officegym-seeds=3 -n 4

Items are named `<task id>[seed=<n>]`. With `--officegym-baseline=RUN_DIR`, only items that
passed in the baseline and fail now fail; other failures are reported as xfail with the reason.
With `--officegym-out=RUN_DIR` every episode is stored as `officegym run` stores it (results,
trajectories), so today's run can be tomorrow's baseline. Fixtures `office_env` and
`office_task` are there for hand-written tests. Loaded through the `pytest11` entry point; it
does nothing unless `--officegym-suite` is given.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import gymnasium

    from officegym.results import EpisodeResult
    from officegym.runner import EpisodeRunner
    from officegym.tasks import Task


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("officegym", "officegym: agents scored on office tasks as tests")
    group.addoption(
        "--officegym-suite", metavar="SUITE", help="turn every task × seed of SUITE into a test"
    )
    group.addoption(
        "--officegym-agent",
        metavar="SPEC",
        default="oracle",
        help="agent to test: oracle, random, pkg.mod:Class, http://… or openai-compatible:…",
    )
    group.addoption(
        "--officegym-seeds", metavar="N", type=int, default=1, help="seeds 0..N-1 (default 1)"
    )
    group.addoption(
        "--officegym-baseline",
        metavar="RUN_DIR",
        help="fail only items that passed in this run and fail now",
    )
    group.addoption(
        "--officegym-out", metavar="RUN_DIR", help="store every episode in this run directory"
    )
    group.addoption(
        "--officegym-action-mode",
        choices=("computer", "browser"),
        default="computer",
        help="the agent's action mode (default computer)",
    )


class EpisodeFailed(Exception):
    """The agent did not solve the task (the item's failure, shown without a traceback)."""


class OfficegymItem(pytest.Item):
    """One episode: the configured agent on one task and seed."""

    def __init__(self, *, task_id: str, seed: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.task_id, self.seed = task_id, seed
        self.add_marker(pytest.mark.officegym)

    def runtest(self) -> None:
        result = _episode(self.config, self.task_id, self.seed)
        if result.success:
            return
        failed = [c["name"] for c in result.checkpoints if not c["passed"]]
        why = result.error or ("checkpoints failed: " + ", ".join(failed) if failed else "")
        message = f"{self.task_id} seed {self.seed}: score {result.score:.2f}; {why}".rstrip("; ")
        baseline = _baseline(self.config)
        if baseline is not None:
            before = baseline.get((self.task_id, self.seed))
            if before is None:
                pytest.xfail(f"not in the baseline; {message}")
            if not before:
                pytest.xfail(f"failed in the baseline too; {message}")
            message = f"regressed (passed in the baseline): {message}"
        raise EpisodeFailed(message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, EpisodeFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"officegym {self.task_id} seed {self.seed}"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    suite = config.getoption("officegym_suite")
    if not suite:
        return
    from officegym.agents import load_agent
    from officegym.errors import OfficegymError
    from officegym.tasks import suite_tasks

    seeds = config.getoption("officegym_seeds")
    try:
        task_ids = suite_tasks(suite)
        load_agent(config.getoption("officegym_agent"), seed=0)
    except (OfficegymError, ValueError) as exc:
        raise pytest.UsageError(f"officegym: {exc}") from None
    if seeds < 1:
        raise pytest.UsageError("officegym: --officegym-seeds must be at least 1")
    for task_id in task_ids:
        for seed in range(seeds):
            name = f"{task_id}[seed={seed}]"
            items.append(
                OfficegymItem.from_parent(
                    session, name=name, nodeid=name, task_id=task_id, seed=seed
                )
            )


# ---- one runner (browser, env) per process: pytest-xdist workers each get their own ------------
_RUNNER: EpisodeRunner | None = None
_BASELINE: dict[tuple[str, int], bool] | None = None


def _episode(config: pytest.Config, task_id: str, seed: int) -> EpisodeResult:
    global _RUNNER
    from officegym.results import ResultStore
    from officegym.runner import EpisodeRunner

    if _RUNNER is None:
        _RUNNER = EpisodeRunner(
            config.getoption("officegym_agent"), config.getoption("officegym_action_mode")
        )
    out = config.getoption("officegym_out")
    root = Path(out) if out else Path(tempfile.mkdtemp(prefix="officegym-"))
    episode_id = f"{task_id}-s{seed}"
    result = _RUNNER.run(task_id, seed, episode_id, root / "episodes" / episode_id / "trajectory")
    if out:
        store = ResultStore(root / "results.sqlite")
        try:
            store.add(result)  # committed now: a crash later in the session keeps it
        finally:
            store.close()
    return result


def _baseline(config: pytest.Config) -> dict[tuple[str, int], bool] | None:
    global _BASELINE
    path = config.getoption("officegym_baseline")
    if not path:
        return None
    if _BASELINE is None:
        from officegym.results import load_results

        _BASELINE = {(r.task_id, r.seed): r.success for r in load_results(Path(path))}
    return _BASELINE


def pytest_sessionfinish(session: pytest.Session) -> None:
    global _RUNNER
    if _RUNNER is not None:
        _RUNNER.close()
        _RUNNER = None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "officegym: an officegym episode (task × seed)")
    baseline = config.getoption("officegym_baseline", None)
    if baseline and not (Path(baseline) / "results.sqlite").exists():
        raise pytest.UsageError(
            f"officegym: --officegym-baseline {baseline} holds no results.sqlite: pass a run "
            "directory written by `officegym run --out` or `--officegym-out`"
        )


# ---- fixtures for hand-written tests ----------------------------------------------------------
@pytest.fixture
def office_env() -> Iterator[Callable[..., gymnasium.Env[Any, Any]]]:
    """Make officegym envs by task id (`office_env("mail.reply-to-sender", action_mode=…)`);
    every env made is closed after the test."""
    import gymnasium

    from officegym.envs import env_id

    made: list[gymnasium.Env[Any, Any]] = []

    def make(task_id: str, **kwargs: Any) -> gymnasium.Env[Any, Any]:
        env = gymnasium.make(env_id(task_id), **kwargs)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()


@pytest.fixture
def office_task() -> Callable[[str], Task]:
    """Look up a task by id (`office_task("mail.reply-to-sender").goal(params)`)."""
    from officegym.tasks import get_task

    return get_task
