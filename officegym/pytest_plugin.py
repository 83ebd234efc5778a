"""pytest plugin: every task × seed of a suite becomes a test item, so model regression tests run
(and parallelise with pytest-xdist) like any other tests.

    pytest -p officegym --officegym-suite=smoke --officegym-agent=pkg.mod:Agent -n 4

With `--officegym-suite` the session is the suite's episodes and nothing else: the folder's own
test files and doctests are not collected, so the command works from any folder (a project's
root included). Items are named `<task id>[seed=<n>]`, or `<task id>@<variant>[seed=<n>]` for an
episode under a variant: `--officegym-variant=VARIANT` (`popup`, `popup+narrow`) plays every
episode under it, as the suite `SUITE@VARIANT` does, and makes the `office_env` fixture's envs
under it; the `robust` and `inject` suites play each task clean and under variants of their own
(docs/variants.md). Every session stores its episodes in a run folder of its own, as `officegym
run` stores them (results, trajectories, a report written when the session ends):
`--officegym-out=RUN_DIR`, or by default a new folder under pytest's cache
(`.pytest_cache/d/officegym/<date-time>`, the last `KEPT_RUNS` kept). A failed item's message
gives the paths of its trajectory and of the report. With `--officegym-baseline=RUN_DIR`, only
items that passed in the baseline and fail now fail (an item pairs with the baseline's episode of
its task, variant and seed), and so do items whose episode reached the goal of an injected
instruction (`attacked`) where the baseline's did not; other failures are xfail with the reason.
The session's summary names the attacked items. Fixtures `office_env` and
`office_task` are there for hand-written tests. Loaded through the `pytest11` entry point
`officegym` (`-p officegym` loads it where autoloading is off); it plays no episode unless
`--officegym-suite` is given.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Generator, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from officegym.results import RESULTS_FILE

if TYPE_CHECKING:
    import gymnasium

    from officegym.results import EpisodeResult
    from officegym.runner import EpisodeRunner
    from officegym.tasks import Task

# Default run folders (in pytest's cache) kept; older ones go as a new one is made, as pytest
# keeps only its last few `tmp_path` folders.
KEPT_RUNS = 10
CACHE_NAME = "officegym"  # the folder in pytest's cache (`.pytest_cache/d/officegym`)
RUN_NAME = re.compile(r"(\d{8}-\d{6})(?:-(\d+))?")  # a default run folder: date-time[-n]
# Where the controller tells pytest-xdist workers which run folder this session writes to.
WORKER_INPUT_KEY = "officegym_run_dir"

# This session's run folder (None: no episode runs in it).
_RUN_DIR: pytest.StashKey[Path | None] = pytest.StashKey()
# After the session, on the controller: "report PATH", why there is none, or "" (no episodes).
_REPORT: pytest.StashKey[str] = pytest.StashKey()
_RUNNER: pytest.StashKey[EpisodeRunner] = pytest.StashKey()  # one per process (xdist worker)
# The baseline's episodes by (task, variant, seed).
_BASELINE: pytest.StashKey[dict[tuple[str, str, int], EpisodeResult]] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("officegym", "officegym: agents scored on office tasks as tests")
    group.addoption(
        "--officegym-suite",
        metavar="SUITE",
        help="run every task × seed of SUITE as a test, and nothing else",
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
        "--officegym-out",
        metavar="RUN_DIR",
        help="a new or empty folder to store the episodes, trajectories and report in "
        f"(default: a new folder under .pytest_cache/d/{CACHE_NAME}/)",
    )
    group.addoption(
        "--officegym-variant",
        metavar="VARIANT",
        help="play every episode, and make the office_env fixture's envs, under VARIANT "
        "(popup, popup+narrow; docs/variants.md)",
    )
    group.addoption(
        "--officegym-action-mode",
        choices=("computer", "browser"),
        default="computer",
        help="the agent's action mode (default computer)",
    )


class EpisodeFailed(Exception):
    """The agent did not solve the task (the item's failure, shown without a traceback)."""


class OfficegymSuite(pytest.Collector):
    """The items of one suite: every (task, variant) × seed, collected in place of the folder's
    tests."""

    def __init__(self, *, members: list[tuple[str, str]], seeds: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.members, self.seeds = members, seeds

    def collect(self) -> Iterator[OfficegymItem]:
        for task_id, variant in self.members:
            for seed in range(self.seeds):
                name = f"{_played(task_id, variant)}[seed={seed}]"
                yield OfficegymItem.from_parent(
                    self, name=name, nodeid=name, task_id=task_id, seed=seed, variant=variant
                )


def _outcome(result: EpisodeResult, played: str) -> str:
    """An episode's end in an item's message: its score, the agent's error or the task's
    checkpoints that failed, and whether an injected instruction's goal was reached."""
    failed = result.failed_checkpoints()
    why = [result.error or ("checkpoints failed: " + ", ".join(failed) if failed else "")]
    if result.attacked:
        why.append("attacked: the injected instruction's goal was reached")
    return "; ".join([f"{played} seed {result.seed}: score {result.score:.2f}", *filter(None, why)])


def _played(task_id: str, variant: str) -> str:
    """A task as an item names it: `mail.apply-label`, or `mail.apply-label@popup`."""
    from officegym.tasks.variants import SUITE_SEPARATOR

    return f"{task_id}{SUITE_SEPARATOR}{variant}" if variant else task_id


class OfficegymItem(pytest.Item):
    """One episode: the configured agent on one task and seed, under a variant ("": none)."""

    def __init__(self, *, task_id: str, seed: int, variant: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.task_id, self.seed, self.variant = task_id, seed, variant
        self.add_marker(pytest.mark.officegym)

    def runtest(self) -> None:
        result = _episode(self.config, self.task_id, self.seed, self.variant)
        baseline = _baseline(self.config)
        before = baseline.get((self.task_id, self.variant, self.seed)) if baseline else None
        message = _outcome(result, _played(self.task_id, self.variant))
        # Attacked now and not in the baseline fails whatever became of the task, as a rise
        # of the attack success rate fails `officegym compare`.
        if result.attacked and before is not None and not before.attacked:
            self._fail(result, f"attacked (not in the baseline): {message}")
        if result.success:
            return
        if baseline is not None:
            if before is None:
                pytest.xfail(f"not in the baseline; {message}")
            if not before.success:
                pytest.xfail(f"failed in the baseline too; {message}")
            message = f"regressed (passed in the baseline): {message}"
        self._fail(result, message)

    def _fail(self, result: EpisodeResult, message: str) -> NoReturn:
        raise EpisodeFailed(
            f"{message}\n  trajectory: {result.trajectory}\n"
            f"  report: {_run_dir(self.config) / 'report' / 'index.html'} "
            "(written when the session ends)"
        )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, EpisodeFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"officegym {_played(self.task_id, self.variant)} seed {self.seed}"


# ---- configuration: check the options, then claim this session's run folder --------------------
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "officegym: an officegym episode (task × seed)")
    config.stash[_RUN_DIR] = None
    _check_variant(config)
    suite = _suite(config)
    if not suite:
        return
    _check_options(config, suite)
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None:  # a pytest-xdist worker: its controller chose the folder
        if WORKER_INPUT_KEY in worker_input:
            config.stash[_RUN_DIR] = Path(worker_input[WORKER_INPUT_KEY])
        return
    if config.option.collectonly or config.option.help:
        return  # no episode runs: no folder to make
    config.stash[_RUN_DIR] = _start_run(config, suite)


def _suite(config: pytest.Config) -> str | None:
    """The suite the session plays: `--officegym-suite`, under `--officegym-variant` if given
    (`smoke` and `popup` make `smoke@popup`)."""
    from officegym.tasks.variants import SUITE_SEPARATOR

    suite = config.getoption("officegym_suite", None)
    variant = config.getoption("officegym_variant", None)
    return f"{suite}{SUITE_SEPARATOR}{variant}" if suite and variant else suite


def _check_variant(config: pytest.Config) -> None:
    """Refuse an unknown or malformed `--officegym-variant`, or one given twice (also as the
    suite's `SUITE@VARIANT`), before anything starts."""
    from officegym.errors import OfficegymError
    from officegym.tasks.variants import SUITE_SEPARATOR, parse_variant

    variant = config.getoption("officegym_variant", None)
    if variant is None:
        return
    suite = config.getoption("officegym_suite", None) or ""
    if SUITE_SEPARATOR in suite:
        raise pytest.UsageError(
            f"officegym: --officegym-suite {suite} names a variant and --officegym-variant "
            f"{variant} another: give the variant once"
        )
    try:
        parse_variant(variant)
    except OfficegymError as exc:
        raise pytest.UsageError(f"officegym: --officegym-variant: {exc}") from None


def _start_run(config: pytest.Config, suite: str) -> Path:
    """Claim this session's run folder and record in it what the run is."""
    from officegym.errors import OfficegymError
    from officegym.results import ResultStore
    from officegym.tasks.variants import split_suite

    out = config.getoption("officegym_out")
    try:
        run_dir = _claim(config.invocation_params.dir / out) if out else _new_cache_run(config)
        store = ResultStore(run_dir / RESULTS_FILE)  # there from now on: no other run takes it
        try:
            variant = split_suite(suite)[1]
            store.set_info(
                agent=config.getoption("officegym_agent"),
                suite=suite,
                variant=variant.name if variant is not None else "",
                seeds=config.getoption("officegym_seeds"),
                action_mode=config.getoption("officegym_action_mode"),
            )
        finally:
            store.close()
    except (OfficegymError, OSError) as exc:  # read-only, full, not ours: one line, no traceback
        raise pytest.UsageError(f"officegym: cannot start the run folder: {exc}") from None
    return run_dir


def _check_options(config: pytest.Config, suite: str) -> None:
    """Refuse options that cannot work, before any folder is made or browser started."""
    from officegym.agents import load_agent
    from officegym.errors import OfficegymError
    from officegym.tasks import empty_suite_reason, suite_members

    try:
        members = suite_members(suite)
        load_agent(config.getoption("officegym_agent"), seed=0)
    except (OfficegymError, ValueError) as exc:
        raise pytest.UsageError(f"officegym: {exc}") from None
    if not members:
        raise pytest.UsageError(f"officegym: {empty_suite_reason(suite)}")
    if config.getoption("officegym_seeds") < 1:
        raise pytest.UsageError("officegym: --officegym-seeds must be at least 1")
    baseline = config.getoption("officegym_baseline")
    if baseline and not (Path(baseline) / RESULTS_FILE).exists():
        raise pytest.UsageError(
            f"officegym: --officegym-baseline {baseline} holds no {RESULTS_FILE}: pass a run "
            "directory written by `officegym run --out` or `--officegym-out`"
        )


def _claim(out: Path) -> Path:
    """`--officegym-out`: a new or empty folder, never one that holds another run's episodes."""
    if out.exists() and not out.is_dir():
        raise pytest.UsageError(f"officegym: --officegym-out {out} is a file: name a folder")
    present = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    if present:
        names = ", ".join(_printable(n) for n in present[:5])
        more = f" and {len(present) - 5} more" if len(present) > 5 else ""
        raise pytest.UsageError(
            f"officegym: --officegym-out {out} is not empty ({names}{more}): each run needs a "
            f"folder of its own; pass a new one, or leave the option out for a new folder under "
            f".pytest_cache/d/{CACHE_NAME}/"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def _new_cache_run(config: pytest.Config) -> Path:
    """A new run folder in pytest's cache, named by the time it starts; older ones pruned."""
    cache = getattr(config, "cache", None)
    if cache is None:
        raise pytest.UsageError(
            "officegym: pass --officegym-out=RUN_DIR: the default run folder is in pytest's "
            "cache, which is off (-p no:cacheprovider)"
        )
    runs: Path = cache.mkdir(CACHE_NAME)
    _prune(runs, keep=KEPT_RUNS - 1)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        run = runs / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            run.mkdir()  # atomic: two sessions starting in the same second get one each
        except FileExistsError:
            continue
        return run
    raise pytest.UsageError(f"officegym: could not make a new run folder in {runs}")


def _prune(runs: Path, keep: int) -> None:
    """Remove all but the newest `keep` default run folders (only folders named as ours)."""
    ours = [(m[1], int(m[2] or 1), p) for p in runs.iterdir() if (m := RUN_NAME.fullmatch(p.name))]
    for *_, old in sorted(ours)[: max(len(ours) - keep, 0)]:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)


def _printable(name: str) -> str:
    """A file name with its control characters shown as `?` (it is echoed to a terminal)."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", name)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, on the controller: every worker writes into the controller's run folder."""
    run_dir = node.config.stash.get(_RUN_DIR, None)
    if run_dir is not None:
        node.workerinput[WORKER_INPUT_KEY] = str(run_dir)


def _run_dir(config: pytest.Config) -> Path:
    run_dir = config.stash.get(_RUN_DIR, None)
    if run_dir is None:
        raise RuntimeError("officegym: an episode runs but the session has no run folder")
    return run_dir


# ---- collection: the suite's items in place of the folder's own tests --------------------------
def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # With a suite, the session is the suite: no test file, conftest below the root or doctest
    # of the folder is collected (so the command runs the same from a project's root).
    return True if config.getoption("officegym_suite") else None


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report: pytest.CollectReport = yield
    suite = _suite(collector.config)
    if suite and isinstance(collector, pytest.Session) and report.passed:
        from officegym.tasks import suite_members

        report.result.append(
            OfficegymSuite.from_parent(
                collector,
                name=f"officegym-{suite}",
                members=[(m.task_id, m.variant) for m in suite_members(suite)],
                seeds=collector.config.getoption("officegym_seeds"),
            )
        )
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not config.getoption("officegym_suite"):
        return
    # Files named on the command line are collected whatever pytest_ignore_collect says.
    others = [item for item in items if not isinstance(item, OfficegymItem)]
    if others:
        items[:] = [item for item in items if isinstance(item, OfficegymItem)]
        config.hook.pytest_deselected(items=others)


# ---- episodes: one runner (browser, env) per process ------------------------------------------
def _episode(config: pytest.Config, task_id: str, seed: int, variant: str) -> EpisodeResult:
    from officegym.results import ResultStore
    from officegym.runner import EpisodeRunner, episode_id

    if _RUNNER not in config.stash:
        config.stash[_RUNNER] = EpisodeRunner(
            config.getoption("officegym_agent"), config.getoption("officegym_action_mode")
        )
    root = _run_dir(config)
    name = episode_id(task_id, seed, variant)  # as `officegym run` names it
    trajectory = root / "episodes" / name / "trajectory"
    # Items run in collection order: the next seed of this task and variant is likely next,
    # while the last seed's next item is another env's (nothing to prepare for it).
    last = seed + 1 >= config.getoption("officegym_seeds")
    result = config.stash[_RUNNER].run(
        task_id, seed, name, trajectory, variant=variant, prepare_next=not last
    )
    store = ResultStore(root / RESULTS_FILE)
    try:
        store.add(result)  # committed now: a crash later in the session keeps it
    finally:
        store.close()
    return result


def _baseline(config: pytest.Config) -> dict[tuple[str, str, int], EpisodeResult] | None:
    path = config.getoption("officegym_baseline")
    if not path:
        return None
    if _BASELINE not in config.stash:
        from officegym.results import load_results

        config.stash[_BASELINE] = {
            (r.task_id, r.variant, r.seed): r for r in load_results(Path(path))
        }
    return config.stash[_BASELINE]


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    runner = config.stash.get(_RUNNER, None)
    if runner is not None:
        runner.close()
        del config.stash[_RUNNER]
    run_dir = config.stash.get(_RUN_DIR, None)
    if run_dir is not None and not hasattr(config, "workerinput"):
        config.stash[_REPORT] = _finish_run(config, run_dir)


def _finish_run(config: pytest.Config, run_dir: Path) -> str:
    """The controller, once every episode has ended: the report, or why there is none."""
    from officegym.errors import OfficegymError
    from officegym.report import write_report
    from officegym.results import load_results

    if not load_results(run_dir):  # every item deselected, or the session stopped at once
        if config.getoption("officegym_out"):
            for store in run_dir.glob(f"{RESULTS_FILE}*"):  # the folder stays usable for a run
                store.unlink(missing_ok=True)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
        return ""
    try:
        return f"report {write_report(run_dir)}"
    except (OfficegymError, OSError) as exc:
        return f"no report: {exc}"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run_dir = config.stash.get(_RUN_DIR, None)
    if run_dir is None or _REPORT not in config.stash:
        return
    report = config.stash[_REPORT]
    if not report:
        terminalreporter.write_line("officegym: no episode ran")
        return
    from officegym.results import load_results

    results = load_results(run_dir)
    solved = sum(r.success for r in results)
    episodes = f"{len(results)} episode" + ("s" if len(results) != 1 else "")
    injected = [r for r in results if r.attacked is not None]
    attacked = [r for r in injected if r.attacked]
    attacks = f", {len(attacked)} of {len(injected)} injected attacked" if injected else ""
    terminalreporter.write_line(
        f"officegym: {episodes}, {solved} solved{attacks}, stored in {run_dir}"
    )
    if attacked:
        names = ", ".join(f"{_played(r.task_id, r.variant)}[seed={r.seed}]" for r in attacked)
        terminalreporter.write_line(f"officegym: attacked: {names}", red=True)
    terminalreporter.write_line(f"officegym: {report}")


# ---- fixtures for hand-written tests ----------------------------------------------------------
@pytest.fixture
def office_env(request: pytest.FixtureRequest) -> Iterator[Callable[..., gymnasium.Env[Any, Any]]]:
    """Make officegym envs by task id (`office_env("mail.reply-to-sender", action_mode=…)`),
    under `--officegym-variant` when it is given and the call names no `variant`; every env
    made is closed after the test."""
    import gymnasium

    from officegym.envs import env_id

    made: list[gymnasium.Env[Any, Any]] = []
    variant = request.config.getoption("officegym_variant", None)

    def make(task_id: str, **kwargs: Any) -> gymnasium.Env[Any, Any]:
        if variant:
            kwargs.setdefault("variant", variant)
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
