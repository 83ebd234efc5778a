"""A run folder is never mixed or shared, its store never seen half made, a folder that cannot
be written is one line and exit 2, and what the agent does wrong is the agent's (issue 27 items
5, 10, 11 and 4's runner part; issue 25 item 1).

The runs go through the CLI as a user runs them. Their agents are a module written into the
test's folder and put on PYTHONPATH, so the worker processes import it as they would a user's.
A run that needs only a few episodes starts from a store the test writes (`stored_run`) and
plays the rest with `--resume`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from officegym.results import Attempt, EpisodeResult, ResultStore
from officegym.tasks import suite_tasks
from officegym.trajectory import TrajectoryReader

AGENTS = '''
import multiprocessing, os, time
from pathlib import Path


class Quick:
    """Answers at once. With $GATE set it first touches $WAITING and waits for $GATE to exist
    (a run held open for as long as a test needs it)."""

    name = "quick"

    def __init__(self, seed=0):
        pass

    def reset(self, info):
        pass

    def act(self, observation):
        gate = os.environ.get("GATE")
        if gate:
            Path(os.environ["WAITING"]).touch()
            while not Path(gate).exists():
                time.sleep(0.05)
        return "answer('x')"


class Unreadable(Quick):
    """First an action the parser cannot even read (a list as a dict key), then an answer."""

    def reset(self, info):
        self.steps = 0

    def act(self, observation):
        self.steps += 1
        return "click({[]: 1}, 2)" if self.steps == 1 else "answer('x')"


class Nested(Unreadable):
    """First a dict nested 100,000 deep (too deep for json.dumps as for the parser)."""

    def act(self, observation):
        self.steps += 1
        if self.steps > 1:
            return "answer('x')"
        action = {}
        for _ in range(100_000):
            action = {"action": action}
        return action


class Long(Unreadable):
    """First a valid fill of 5,000 characters (steps.jsonl keeps 2,000 of it)."""

    def act(self, observation):
        self.steps += 1
        return "fill('1', '" + "x" * 5000 + "')" if self.steps == 1 else "answer('x')"


class NotInWorkers(Quick):
    """Loads where the run checks its agent, and fails to be made in a worker process."""

    def __init__(self, seed=0):
        if multiprocessing.parent_process() is not None:
            raise RuntimeError("no model in this process")
'''
MODULE = "test_runs_agents"
QUICK = f"{MODULE}:Quick"
SMOKE = suite_tasks("smoke")
SETTINGS = {
    "suite": "smoke",
    "seeds": 1,
    "action_mode": "computer",
    "backend": "headless",
    "sandbox": "local",
}
WAIT = 600  # seconds a condition may take on a loaded machine before the test gives up


@pytest.fixture
def agents(tmp_path: Path) -> dict[str, str]:
    """The environment of a CLI run that can load the agents of `AGENTS`."""
    (tmp_path / f"{MODULE}.py").write_text(AGENTS)
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path}


def run_args(agent: str, out: Path, *more: str) -> list[str]:
    return [
        sys.executable, "-m", "officegym.cli", "run", "--quiet", "--no-report",
        "--suite", "smoke", "--agent", agent, "--out", str(out), *more,
    ]  # fmt: skip


def officegym(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=WAIT)


def one_line(out: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command writes on stderr (and no traceback)."""
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1, (out.returncode, out.stdout, out.stderr)
    return lines[0]


def stored_run(
    run: Path,
    agent: str,
    statuses: dict[str, str] | None = None,
    missing: str = "",
    **settings: Any,
) -> None:
    """A run folder as a run of `agent` on smoke left it: every episode stored, with the given
    statuses (others `done`), except `missing`. A `crashed` episode took three attempts."""
    statuses = statuses or {}
    store = ResultStore(run / "results.sqlite")
    store.set_info(**{**SETTINGS, "agent": agent, **settings})
    for task in SMOKE:
        episode = f"{task}-s0"
        if episode == missing:
            continue
        status = statuses.get(episode, "done")
        error = "" if status == "done" else f"it went wrong ({status})"
        tries = 3 if status == "crashed" else 1
        for attempt in range(1, tries + 1):
            store.add_attempt(Attempt(episode, attempt, status, error, float(attempt)))
        store.add(
            EpisodeResult(
                episode, task, 0, agent, status == "done", float(status == "done"),
                error=error, status=status, attempts=tries, finished_at="2026-01-01T00:00:00",
                trajectory=str(run / "episodes" / episode / "trajectory"),
            )
        )  # fmt: skip
    store.close()


def rows(run: Path, query: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(run / "results.sqlite")) as db:
        return db.execute(query).fetchall()


# ---- one run at a time ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
def test_a_run_folder_is_locked_for_the_run_and_for_workers_a_killed_run_left(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run, gate, waiting = tmp_path / "run", tmp_path / "gate", tmp_path / "waiting"
    held = {**agents, "GATE": str(gate), "WAITING": str(waiting)}
    # Its output to a file, not a pipe: the worker it leaves behind holds what it inherited.
    log = tmp_path / "first.log"
    with log.open("w") as output:
        first = subprocess.Popen(run_args(QUICK, run), env=held, stdout=output, stderr=output)
    try:
        # Read the store as a reader of a live run would, from the moment it appears, until the
        # run's first episode is under way (its agent waiting at the gate).
        reads = read_while_starting(first, run / "results.sqlite", waiting, log)
        assert reads > 0
        holder = json.loads((run / "run.lock").read_text())
        assert (holder["pid"], holder["host"]) == (first.pid, socket.gethostname())
        assert holder["started"]

        second = officegym(agents, *run_args(QUICK, run))
        refusal = one_line(second)
        assert "in use by another run" in refusal
        assert f"pid {first.pid} on {socket.gethostname()}, started {holder['started']}" in refusal

        first.kill()  # its worker, orphaned, goes on until its agent's step ends
        first.wait(timeout=WAIT)
        resumed = officegym(agents, *run_args(QUICK, run, "--resume"))
        refusal = one_line(resumed)
        assert "workers of an earlier run" in refusal and f"pid {first.pid}" in refusal
        assert "which has exited" in refusal
    finally:
        gate.touch()  # whatever happened, let the orphaned worker finish
        if first.poll() is None:
            first.kill()
            first.wait(timeout=WAIT)
    wait_until_free(run / "workers.lock")

    finished = officegym(agents, *run_args(QUICK, run, "--resume"))
    assert finished.returncode == 0, finished.stderr
    episodes = rows(run, "SELECT episode_id, status, attempts FROM episodes ORDER BY episode_id")
    assert episodes == sorted((f"{t}-s0", "done", 1) for t in SMOKE)
    for episode, *_ in episodes:
        with TrajectoryReader(run / "episodes" / episode / "trajectory") as reader:
            assert [e.type for _, e in reader.iter_events()][-1] == "done"
    assert (run / "run.lock").read_text() == ""  # a finished run names no one


def read_while_starting(run: subprocess.Popen[bytes], store: Path, waiting: Path, log: Path) -> int:
    """Read `store`'s episodes as soon as it exists and again and again until `waiting` exists;
    return how many reads there were. A read that finds no table fails the test."""
    deadline, reads = time.monotonic() + WAIT, 0
    while not waiting.exists():
        if run.poll() is not None:  # it has ended: its log is complete
            raise AssertionError(f"the run ended early:\n{log.read_text()}")
        assert time.monotonic() < deadline, "the run never began its first episode"
        if store.exists():
            with contextlib.closing(sqlite3.connect(store)) as db:
                db.execute("SELECT count(*) FROM episodes").fetchone()
            reads += 1
        time.sleep(0.01)
    return reads


def wait_until_free(lock: Path) -> None:
    """Wait until no process holds `lock` (the orphaned worker has exited)."""
    deadline = time.monotonic() + WAIT
    with lock.open("rb") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                assert time.monotonic() < deadline, "the orphaned worker never exited"
                time.sleep(0.1)
                continue
            fcntl.flock(handle, fcntl.LOCK_UN)
            return


# ---- never mixed ---------------------------------------------------------------------------------


def test_a_folder_with_anything_in_it_is_refused_without_resume(
    agents: dict[str, str], tmp_path: Path
) -> None:
    stray = tmp_path / "notes"
    stray.mkdir()
    (stray / "todo.txt").write_text("mine")
    refusal = one_line(officegym(agents, *run_args(QUICK, stray)))
    assert str(stray) in refusal and "todo.txt" in refusal
    assert "--resume" in refusal and "another --out" in refusal
    assert [p.name for p in stray.iterdir()] == ["todo.txt"]  # not even a lock file left in it
    assert (stray / "todo.txt").read_text() == "mine"

    earlier = tmp_path / "earlier"
    stored_run(earlier, "oracle")
    refusal = one_line(officegym(agents, *run_args(QUICK, earlier)))
    assert f"results.sqlite holds {len(SMOKE)} episodes of oracle on smoke" in refusal
    assert rows(earlier, "SELECT DISTINCT agent FROM episodes") == [("oracle",)]

    # --resume in a folder that holds no run is refused too: it is someone's folder.
    refusal = one_line(officegym(agents, *run_args(QUICK, stray, "--resume")))
    assert "no results.sqlite" in refusal and not (stray / "results.sqlite").exists()


@pytest.mark.parametrize(
    ("field", "stored", "flags", "given"),
    [
        ("agent", "oracle", [], f"'{QUICK}'"),
        ("seeds", 2, [], "1"),
        ("action_mode", "computer", ["--action-mode", "browser"], "'browser'"),
        ("backend", "xvfb", [], "'headless'"),
        ("sandbox", "docker", [], "'local'"),
    ],
)
def test_resume_with_other_settings_is_refused_naming_the_field(
    agents: dict[str, str],
    tmp_path: Path,
    field: str,
    stored: object,
    flags: list[str],
    given: str,
) -> None:
    run = tmp_path / "run"
    settings: dict[str, Any] = {field: stored}
    stored_run(run, settings.pop("agent", QUICK), **settings)
    refusal = one_line(officegym(agents, *run_args(QUICK, run, "--resume", *flags)))
    assert f"was run with {field} {stored!r}, not {given}" in refusal
    flag = "--" + field.replace("_", "-")
    assert f"resume it with {flag} {stored}" in refusal and "another --out" in refusal
    assert rows(run, "SELECT count(*) FROM episodes") == [(len(SMOKE),)]


def test_resume_with_the_same_settings_plays_only_what_is_missing(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run = tmp_path / "run"
    stored_run(run, QUICK)  # every episode stored: nothing to play, no browser starts
    resumed = officegym(agents, *run_args(QUICK, run, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((run / "summary.json").read_text())["episodes"] == len(SMOKE)


def test_retry_errors_without_resume_is_refused(agents: dict[str, str], tmp_path: Path) -> None:
    refusal = one_line(officegym(agents, *run_args(QUICK, tmp_path / "run", "--retry-errors")))
    assert "--retry-errors" in refusal and "--resume" in refusal
    assert not (tmp_path / "run").exists()


@pytest.mark.browser
def test_retry_errors_plays_again_each_episode_that_ended_in_an_error(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run = tmp_path / "run"
    failed = {f"{SMOKE[1]}-s0": "agent_error", f"{SMOKE[2]}-s0": "timeout"}
    failed[f"{SMOKE[3]}-s0"] = "crashed"
    stored_run(run, QUICK, failed)

    plain = officegym(agents, *run_args(QUICK, run, "--resume"))
    assert plain.returncode == 0, plain.stderr
    query = "SELECT episode_id, status, attempts, finished_at FROM episodes"
    before = {e: rest for e, *rest in rows(run, query)}
    assert {e: s for e, (s, _, _) in before.items() if s != "done"} == failed  # kept as they were

    retried = officegym(agents, *run_args(QUICK, run, "--resume", "--retry-errors"))
    assert retried.returncode == 0, retried.stderr
    after = {e: rest for e, *rest in rows(run, query)}
    for episode, (status, attempts, finished_at) in after.items():
        assert status == "done"
        if episode in failed:  # played again, numbered on from its earlier attempts
            assert attempts == before[episode][1] + 1 and finished_at != before[episode][2]
        else:
            assert [status, attempts, finished_at] == before[episode]
    for episode, status in failed.items():
        tries = rows(run, f"SELECT attempt, status FROM attempts WHERE episode_id = '{episode}'")
        earlier = before[episode][1]
        assert tries == [(n, status) for n in range(1, earlier + 1)] + [(earlier + 1, "done")]


# ---- the agent's failures are the agent's --------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["Unreadable", "Nested"])
def test_an_action_the_parser_cannot_read_is_its_steps_error_never_a_crash(
    agents: dict[str, str], tmp_path: Path, kind: str
) -> None:
    run, agent, episode = tmp_path / "run", f"{MODULE}:{kind}", f"{SMOKE[0]}-s0"
    stored_run(run, agent, missing=episode)
    resumed = officegym(agents, *run_args(agent, run, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    ((status, attempts, error),) = rows(
        run, f"SELECT status, attempts, error FROM episodes WHERE episode_id = '{episode}'"
    )
    tries = rows(run, f"SELECT attempt, status FROM attempts WHERE episode_id = '{episode}'")
    # The env takes it as an invalid action (its step's last_action_error) and the episode
    # goes on: never a crash, never another attempt.
    assert (attempts, tries, status) == (1, [(1, "done")], "done"), error
    steps = (run / "episodes" / episode / "steps.jsonl").read_text().splitlines()
    first = json.loads(steps[0])
    assert first["error"], first


@pytest.mark.browser
def test_steps_jsonl_keeps_the_start_of_a_long_action_and_its_length(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run, agent, episode = tmp_path / "run", f"{MODULE}:Long", f"{SMOKE[0]}-s0"
    stored_run(run, agent, missing=episode)
    resumed = officegym(agents, *run_args(agent, run, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    steps = (run / "episodes" / episode / "steps.jsonl").read_text().splitlines()
    action = json.loads(steps[0])["action"]
    full = "fill('1', '" + "x" * 5000 + "')"
    assert action == full[:2000] + f"… ({len(full)} characters)", action[-40:]


def test_an_agent_that_cannot_be_made_in_a_worker_is_its_failure_never_retried(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run, agent, episode = tmp_path / "run", f"{MODULE}:NotInWorkers", f"{SMOKE[0]}-s0"
    stored_run(run, agent, missing=episode)
    resumed = officegym(agents, *run_args(agent, run, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    ((status, attempts, error),) = rows(
        run, f"SELECT status, attempts, error FROM episodes WHERE episode_id = '{episode}'"
    )
    assert (status, attempts) == ("agent_error", 1)
    assert "could not be made in the worker" in error and "no model in this process" in error
    assert rows(run, f"SELECT count(*) FROM attempts WHERE episode_id = '{episode}'") == [(1,)]


# ---- the store appears whole ---------------------------------------------------------------------


def test_a_new_store_is_never_visible_without_its_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.sqlite"
    connect, seen = sqlite3.connect, []

    def look() -> None:
        """What a reader opening `path` now would find: nothing, or these tables."""
        if not path.exists():
            return
        with contextlib.closing(connect(path.as_uri() + "?mode=ro", uri=True)) as db:
            seen.append({r[0] for r in db.execute("SELECT name FROM sqlite_master")})

    class Watched:
        """A connection that looks at `path` before and after each of its statements."""

        def __init__(self, db: sqlite3.Connection) -> None:
            object.__setattr__(self, "db", db)

        def __getattr__(self, name: str) -> Any:
            attr = getattr(self.db, name)
            if name not in ("execute", "executescript"):
                return attr

            def watched(*args: Any) -> Any:
                look()
                result = attr(*args)
                look()
                return result

            return watched

        def __setattr__(self, name: str, value: Any) -> None:
            setattr(self.db, name, value)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: Watched(connect(*a, **k)))
    store = ResultStore(path)
    store.close()
    assert seen and all({"episodes", "attempts", "run"} <= tables for tables in seen), seen


def test_a_store_stays_in_wal_mode_across_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite"
    result = EpisodeResult("mail.apply-label-s0", "mail.apply-label", 0, "oracle", True, 1.0)
    store = ResultStore(path)
    store.add(result)
    store.close()
    assert os.listdir(tmp_path) == ["results.sqlite"]  # no temporary name left behind
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    store = ResultStore(path)
    try:
        assert store.results() == [result]
        store.add(EpisodeResult("mail.apply-label-s1", "mail.apply-label", 1, "oracle", False, 0))
        assert len(store.results()) == 2
    finally:
        store.close()


# ---- a folder that cannot be written -------------------------------------------------------------


def test_an_out_inside_a_file_is_one_line_naming_it(agents: dict[str, str], tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("a file")
    line = one_line(officegym(agents, *run_args(QUICK, plain / "run")))
    assert f"{plain / 'run'}: Not a directory" in line


def test_a_store_that_cannot_be_opened_is_one_line_naming_it(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run = tmp_path / "run"
    (run / "results.sqlite").mkdir(parents=True)  # where the file should be
    line = one_line(officegym(agents, *run_args(QUICK, run, "--resume")))
    assert f"{run / 'results.sqlite'}: unable to open database file" in line


def test_a_disk_that_refuses_writes_is_one_line_naming_the_folder(
    agents: dict[str, str], tmp_path: Path
) -> None:
    # A full disk, as even root meets it: writes past a size limit fail (EFBIG, as ENOSPC would).
    run = tmp_path / "run"
    limited = (
        "import resource, runpy, sys; "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000)); "
        "sys.argv = ['officegym', *sys.argv[1:]]; "
        "runpy.run_module('officegym.cli', run_name='__main__')"
    )
    line = one_line(officegym(agents, sys.executable, "-c", limited, *run_args(QUICK, run)[3:]))
    assert f"{run / 'results.sqlite'}: " in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a chmod 0o500 folder anyway")
def test_a_read_only_folder_is_one_line_naming_it(agents: dict[str, str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        line = one_line(officegym(agents, *run_args(QUICK, locked / "run")))
        assert f"{locked / 'run'}: Permission denied" in line
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(
    ("field", "stored", "given", "resume_with", "other_with"),
    [
        ("tasks", ["mail.a", "mail.b"], [], "--task mail.a --task mail.b", "no --task"),
        ("agent_options", {"max_tokens": 512}, {}, "--agent-option max_tokens=512", "no --agent"),
        ("agent", "oracle", "random", "--agent oracle", "--agent random"),
    ],
)
def test_a_refused_resume_names_the_flags_as_they_are_typed(
    field: str, stored: object, given: object, resume_with: str, other_with: str
) -> None:
    from officegym.errors import RunSettingsError

    refusal = str(RunSettingsError("runs/a", field, stored, given))
    assert f"resume it with {resume_with}, or pass another --out for a run with {other_with}" in (
        refusal
    )


# ---- what is printed, and where a report goes ------------------------------------------------


@pytest.mark.browser
def test_a_run_folder_whose_name_holds_markup_is_printed_as_it_is(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run = tmp_path / "a[/]b" / "[bold]run"
    args = [a for a in run_args(QUICK, run, "--limit", "1") if a not in ("--quiet", "--no-report")]
    out = officegym(agents, *args)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert f"results: {run / 'results.sqlite'}   summary: {run / 'summary.json'}" in lines
    assert lines[-1] == f"report: {run / 'report' / 'index.html'}"


def test_a_report_folder_linked_out_of_the_run_is_one_line_and_its_target_untouched(
    tmp_path: Path,
) -> None:
    run, victim = tmp_path / "run", tmp_path / "victim"
    run.mkdir()
    stored_run(run, QUICK)
    victim.mkdir()
    (victim / "index.html").write_text("the victim's page")
    (victim / "compare.html").write_text("the victim's page")
    (run / "report").symlink_to(victim)

    out = officegym(dict(os.environ), sys.executable, "-m", "officegym.cli", "report", str(run))
    assert "report is a link out of the run folder" in one_line(out)
    assert sorted(p.name for p in victim.iterdir()) == ["compare.html", "index.html"]
    assert all(p.read_text() == "the victim's page" for p in victim.iterdir())
