"""Runs at scale, for real: a browser killed mid-episode, a hung agent, a runner SIGKILLed and
resumed, workers pinned to cores, and the Ray executor against the local pool.

The agents are small modules written into the test's folder and put on PYTHONPATH, so the
worker processes import them exactly as they would a user's agent.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from officegym.tasks import suite_tasks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AGENTS = '''
import os, signal, time
from pathlib import Path
from officegym.agents.oracle import OracleAgent
from officegym.envs import actions as A


def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class BrowserKiller(OracleAgent):
    """The oracle, except that on mail.apply-label seed 1 it kills its own Chromium once."""

    def reset(self, info):
        super().reset(info)
        self.episode, self.steps = (info["task_id"], info["seed"]), 0

    def act(self, observation):
        self.steps += 1
        marker = Path(os.environ["MARKER"])
        if self.episode == ("mail.apply-label", 1) and self.steps == 2 and not marker.exists():
            marker.write_text("killed")
            for pid in descendants(os.getpid()):
                if "chromium" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                    os.kill(pid, signal.SIGKILL)
        return super().act(observation)


class Sleeper(OracleAgent):
    """The oracle, except that it never answers on chat.direct-message."""

    def reset(self, info):
        super().reset(info)
        self.task = info["task_id"]

    def act(self, observation):
        if self.task == "chat.direct-message":
            time.sleep(3600)
        return super().act(observation)


class Cores(OracleAgent):
    """Answers at once with the cores its worker, and each process the worker started (Node,
    Chromium), may run on."""

    def reset(self, info):
        pass

    def act(self, observation):
        def allowed(pid):
            status = Path(f"/proc/{pid}/status").read_text()
            return next(l.split(":")[1].strip() for l in status.splitlines()
                        if l.startswith("Cpus_allowed_list"))
        children = sorted({allowed(pid) for pid in descendants(os.getpid())})
        return A.Answer(text=f"{allowed(os.getpid())} {';'.join(children)}")


class Slow(OracleAgent):
    """The oracle, a second per step."""

    def act(self, observation):
        time.sleep(1)
        return super().act(observation)


class LastAlone(OracleAgent):
    """Answers at once, except on the suite's last task: there it waits (30 s at most) for the
    other workers to exit, and answers whether they did."""

    def reset(self, info):
        self.last = info["task_id"] == os.environ["LAST_TASK"]

    def act(self, observation):
        def others():  # the runner's other live workers (a zombie's cmdline is empty)
            found = []
            for pid in descendants(os.getppid()):
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"spawn_main" in cmd and pid != os.getpid():
                    found.append(pid)
            return found
        deadline = time.monotonic() + 30
        while self.last and others() and time.monotonic() < deadline:
            time.sleep(0.1)
        return A.Answer(text="alone" if not others() else "not alone")


class Half(OracleAgent):
    """Solves even seeds, gives up on odd ones: a fixed, mixed pattern of success."""

    def reset(self, info):
        super().reset(info)
        self.quit = info["seed"] % 2 == 1

    def act(self, observation):
        return "answer('')" if self.quit else super().act(observation)
'''


@pytest.fixture
def agents(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "test_agents_mod.py").write_text(AGENTS)
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "MARKER": str(tmp_path / "killed")}


def officegym(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "officegym.cli", "run", "--quiet", "--no-report", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, out + err
    return out


def rows(run: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(run / "results.sqlite") as db:
        return db.execute(query).fetchall()


def test_a_browser_killed_mid_episode_is_replaced_and_the_episode_retried(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run = tmp_path / "run"
    args = ("--suite", "smoke", "--seeds", "2", "--workers", "2", "--out", str(run))
    finish(officegym(agents, "--agent", "test_agents_mod:BrowserKiller", *args))
    assert (tmp_path / "killed").exists(), "the browser was never killed"
    episodes = rows(run, "SELECT episode_id, success, status, attempts FROM episodes")
    assert len(episodes) == 2 * len(suite_tasks("smoke"))
    assert ("mail.apply-label-s1", 1, "done", 2) in episodes
    assert all(e[1:] == (1, "done", 1) for e in episodes if e[0] != "mail.apply-label-s1")
    tries = rows(
        run, "SELECT attempt, status, error FROM attempts WHERE episode_id = 'mail.apply-label-s1'"
    )
    assert [t[:2] for t in tries] == [(1, "crashed"), (2, "done")]
    assert tries[0][2], "the crashed attempt says what failed"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["retried"] == 1 and summary["success_rate"] == 1.0


def test_a_hung_agent_is_stopped_at_its_step_timeout_and_recorded(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run = tmp_path / "run"
    args = ("--suite", "smoke", "--seeds", "1", "--step-timeout", "4", "--out", str(run))
    started = time.monotonic()
    finish(officegym(agents, "--agent", "test_agents_mod:Sleeper", *args))
    assert time.monotonic() - started < 300
    episodes = dict(
        (e[0], e[1:])
        for e in rows(run, "SELECT episode_id, status, success, attempts, error FROM episodes")
    )
    status, success, attempts, error = episodes["chat.direct-message-s0"]
    assert (status, success, attempts) == ("timeout", 0, 1)  # an agent's hang is never retried
    assert "the agent took longer than 4s at step 1" in str(error)
    others = [v for k, v in episodes.items() if k != "chat.direct-message-s0"]
    assert len(others) == len(suite_tasks("smoke")) - 1
    assert all(v[:3] == ("done", 1, 1) for v in others)


def test_workers_of_a_sigkilled_runner_stop_at_their_next_step(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run = tmp_path / "run"
    args = ("--agent", "test_agents_mod:Slow", "--suite", "smoke", "--seeds", "1")
    runner = officegym(agents, *args, "--out", str(run))
    steps = run / "episodes" / "mail.apply-label-s0" / "steps.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (steps.exists() and steps.read_text()):
        time.sleep(0.1)
    workers = [
        int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _parent(int(pid)) == runner.pid
    ]
    assert workers, "the runner started a worker"
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait(30)
    seen = len(steps.read_text().splitlines())
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "the orphaned worker went on"
    # It stopped at the next step it began, instead of playing the episode (8 steps) out.
    assert len(steps.read_text().splitlines()) <= seen + 1
    assert not (run / "results.sqlite").exists() or not rows(run, "SELECT 1 FROM episodes")


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_sigkilled_run_resumes_with_every_episode_exactly_once(
    agents: dict[str, str], tmp_path: Path
) -> None:
    run = tmp_path / "run"
    args = ("--agent", "oracle", "--suite", "mail", "--seeds", "2", "--out", str(run))
    runner = officegym(agents, *args)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if (run / "results.sqlite").exists() and len(rows(run, "SELECT 1 FROM episodes")) >= 3:
            break
        time.sleep(0.2)
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait(30)
    before = dict(rows(run, "SELECT episode_id, finished_at FROM episodes"))
    assert 3 <= len(before) < 16, "the runner was killed part way"
    finish(officegym(agents, *args, "--resume"))
    after = rows(run, "SELECT task_id, seed, episode_id, finished_at, success FROM episodes")
    expected = sorted((t, s) for t in suite_tasks("mail") for s in range(2))
    assert sorted((t, s) for t, s, *_ in after) == expected  # each exactly once
    assert all(before[e] == f for _, _, e, f, _ in after if e in before), "done ones kept"
    assert all(ok for *_, ok in after)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="pinning needs 2 cores")
def test_two_workers_are_pinned_to_a_core_each_with_everything_they_start(
    agents: dict[str, str], tmp_path: Path
) -> None:
    args = ("--agent", "test_agents_mod:Cores", "--suite", "smoke", "--seeds", "1")
    finish(officegym(agents, *args, "--workers", "2", "--pin", "--out", str(tmp_path / "pinned")))
    finish(officegym(agents, *args, "--workers", "2", "--out", str(tmp_path / "free")))
    cores = set(os.sched_getaffinity(0))
    pinned = [seen(a) for (a,) in rows(tmp_path / "pinned", "SELECT answer FROM episodes")]
    assert len(pinned) == len(suite_tasks("smoke"))
    # Each worker, its Node driver and its Chromium on the same single core; the workers on two.
    assert all(len(worker) == 1 and children == [worker] for worker, children in pinned)
    assert len({frozenset(worker) for worker, _ in pinned}) == 2
    free = [seen(a) for (a,) in rows(tmp_path / "free", "SELECT answer FROM episodes")]
    assert all(worker == cores and children == [cores] for worker, children in free)


def test_a_worker_left_without_work_exits_while_the_others_finish(
    agents: dict[str, str], tmp_path: Path
) -> None:
    last = suite_tasks("smoke")[-1]
    args = ("--agent", "test_agents_mod:LastAlone", "--suite", "smoke", "--seeds", "1")
    env = {**agents, "LAST_TASK": last}
    finish(officegym(env, *args, "--workers", "2", "--out", str(tmp_path / "run")))
    answers = dict(rows(tmp_path / "run", "SELECT task_id, answer FROM episodes"))
    assert len(answers) == len(suite_tasks("smoke"))
    # The other worker closed its browser and exited during the last episode, not after it.
    assert answers[last] == "alone"


def seen(answer: str) -> tuple[set[int], list[set[int]]]:
    """The `Cores` agent's answer: its worker's cores and those of the worker's processes."""
    worker, children = answer.split(" ", 1)
    return cpu_list(worker), [cpu_list(c) for c in children.split(";")]


def cpu_list(text: str) -> set[int]:
    """`0-2,5` as in /proc/PID/status: {0, 1, 2, 5}."""
    cores: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        cores.update(range(int(low), int(high or low) + 1))
    return cores


@pytest.mark.ray
def test_ray_executor_gives_the_same_results_as_the_local_pool(
    agents: dict[str, str], tmp_path: Path
) -> None:
    pytest.importorskip("ray", reason="the Ray executor needs pip install 'officegym[ray]'")
    args = ("--agent", "test_agents_mod:Half", "--suite", "smoke", "--seeds", "2")
    local = officegym(agents, *args, "--workers", "2", "--out", str(tmp_path / "local"))
    finish(local)
    # Ray's sockets live under its temp folder, and socket paths are short: keep it near /.
    ray_tmp = tempfile.mkdtemp(prefix="ogray", dir="/tmp")
    try:
        ray_out = str(tmp_path / "ray-run")
        ray_env = {**agents, "RAY_TMPDIR": ray_tmp}
        finish(officegym(ray_env, *args, "--workers", "2", "--executor", "ray", "--out", ray_out))
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    query = "SELECT task_id, seed, success, status FROM episodes ORDER BY task_id, seed"
    on_local, on_ray = rows(tmp_path / "local", query), rows(tmp_path / "ray-run", query)
    assert on_local == on_ray and len(on_ray) == 2 * len(suite_tasks("smoke"))
    assert {r[2] for r in on_ray} == {0, 1}  # a real mix: seeds 0 pass, seeds 1 fail
