"""`officegym` in pipes and CI: whole lines, plain rows, quiet broken pipes, usage errors, progress.

Every command here runs as a subprocess with stdout a pipe, as in `officegym … | grep` or a CI log.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from officegym.tasks import suite_tasks
from officegym.trajectory import TrajectoryReader, find_trajectories

EXAMPLES = Path(__file__).parents[2] / "examples" / "trajectories"
OFFICEGYM = [sys.executable, "-m", "officegym.cli"]
# What progress off a terminal looks like: `auditing: 4/32 (12%), ETA 0:00:01`.
PROGRESS_LINE = re.compile(r"^auditing: (\d+)/(\d+) \((\d+)%\), (ETA|done in) \d+:\d\d:\d\d$")


def officegym(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*OFFICEGYM, *args], capture_output=True, text=True, timeout=900)


def test_tasks_list_in_a_pipe_is_one_plain_row_per_task() -> None:
    listed = json.loads(officegym("tasks", "list", "--json").stdout)
    longest = max(listed, key=lambda t: len(t["instruction"]))
    assert len(longest["instruction"]) > 80  # rich wrapped such a line off a terminal

    out = officegym("tasks", "list")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split("\t") == ["id", "apps", "tags", "instruction"]
    rows = [line.split("\t") for line in lines[1:]]
    assert [r[0] for r in rows] == [t["id"] for t in listed]
    assert all(len(r) == 4 for r in rows)
    whole = "\t".join(
        [
            longest["id"],
            ",".join(longest["apps"]),
            ",".join(longest["tags"]),
            longest["instruction"],
        ]
    )
    assert whole in lines
    # What the issue tried: grep finds a task's line by its id, instruction and all.
    grep = subprocess.run(
        f"{' '.join(OFFICEGYM)} tasks list | grep -F {longest['id']}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert grep.stdout.splitlines() == [whole]


@pytest.mark.parametrize("args", [["tasks", "list", "--json"], ["tasks", "list"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(args: list[str]) -> None:
    # `officegym … | head -1` with a pipe far smaller than the output: head reads its line and
    # exits while officegym still has most of the output to write, so its writes must fail.
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    head = subprocess.Popen(["head", "-1"], stdin=read_end, stdout=subprocess.PIPE, text=True)
    tool = subprocess.Popen([*OFFICEGYM, *args], stdout=write_end, stderr=subprocess.PIPE)
    os.close(read_end)
    os.close(write_end)
    first, _ = head.communicate(timeout=300)
    _, stderr = tool.communicate(timeout=300)
    assert first.strip() in ("[", "id\tapps\ttags\tinstruction")
    assert tool.returncode == 0 and stderr == b""


def test_version_is_the_installed_packages() -> None:
    out = officegym("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"officegym {importlib.metadata.version('officegym')}\n"


@pytest.mark.parametrize(
    "verb",
    [
        ["replay", "{missing}", "--out", "{tmp}/verdicts.jsonl"],
        ["replay", str(EXAMPLES), "--serve", "{missing}", "--out", "{tmp}/verdicts.jsonl"],
        ["audit", str(EXAMPLES), "{missing}", "--out", "{tmp}/findings.jsonl"],
        ["import", "rrweb", "{missing}", "--out", "{tmp}/imported"],
        ["redact", "{missing}", "--out", "{tmp}/redacted"],
        ["report", "{missing}"],
        ["report", "{tmp}", "--verdicts", "{missing}"],
        ["compare", "{tmp}", "{missing}"],
        ["view", "{missing}", "--out", "{tmp}/viewer"],
        ["select", "{missing}", "--where", "errors == 0", "--out", "{tmp}/selected"],
    ],
    ids=lambda verb: " ".join(a for a in verb if not a.startswith(("{", "/"))),
)
def test_a_missing_input_is_a_usage_error(tmp_path: Path, verb: list[str]) -> None:
    missing = tmp_path / "no such recording"
    args = [a.format(missing=missing, tmp=tmp_path) for a in verb]
    out = officegym(*args)
    assert out.returncode == 2
    assert out.stderr == f"officegym: {missing}: no such file or folder\n"
    assert list(tmp_path.iterdir()) == []  # nothing started, nothing written


def test_audit_off_a_terminal_shows_progress_every_tenth_on_stderr(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    for copy in range(2):  # 32 recordings: more than one per tenth
        shutil.copytree(EXAMPLES, recordings / f"copy{copy}")
    count = len(list(find_trajectories([recordings])))
    assert count > 10
    # Longer than 80 columns, where rich wrapped the summary line off a terminal.
    findings = tmp_path / ("a-folder-with-a-long-name-" * 3) / "findings.jsonl"

    out = officegym("audit", str(recordings), "--out", str(findings), "--no-fail")
    assert out.returncode == 0, out.stderr
    progress = [PROGRESS_LINE.match(line) for line in out.stderr.splitlines()]
    assert all(progress), out.stderr
    done = [int(m[1]) for m in progress if m]
    assert len(done) == 10 and done == sorted(set(done)) and done[-1] == count
    assert [int(m[3]) // 10 for m in progress if m] == list(range(1, 11))
    assert all(int(m[2]) == count for m in progress if m)
    summary = [line for line in out.stdout.splitlines() if line.startswith(f"{count} trajectories")]
    assert len(summary) == 1 and str(findings) in summary[0], out.stdout

    quiet = officegym("audit", str(recordings), "--out", str(findings), "--no-fail", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_redact_off_a_terminal_shows_progress_over_the_events(tmp_path: Path) -> None:
    source = next(iter(find_trajectories([EXAMPLES])))
    with TrajectoryReader(source) as reader:
        events = sum(1 for _ in reader.iter_events())
    out = officegym("redact", str(source), "--out", str(tmp_path / "copy"))
    assert out.returncode == 0, out.stderr
    line = re.compile(r"^redacting: (\d+)/(\d+) \((\d+)%\), (ETA|done in) \d+:\d\d:\d\d$")
    progress = [line.match(text) for text in out.stderr.splitlines()]
    assert progress and all(progress), out.stderr
    assert all(int(m[2]) == events for m in progress if m)
    assert [int(m[1]) for m in progress if m][-1] == events
    quiet = officegym("redact", str(source), "--out", str(tmp_path / "again"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--task", "mail.apply-label", "--task", "mail.reply-to-sendr"],
            "unknown task 'mail.reply-to-sendr'. Did you mean: 'mail.reply-to-sender'",
        ),
        (
            ["--task", "mail.reply-to-sender"],
            "task 'mail.reply-to-sender' is not in suite 'smoke'",
        ),
        (["--limit", "0"], "--limit must be at least 1"),
    ],
)
def test_run_with_a_task_or_limit_it_cannot_run_exits_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = officegym("run", "--suite", "smoke", "--agent", "oracle", *args, "--out", str(tmp_path))
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.splitlines()) == 1, out.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.browser
def test_run_task_and_limit_play_exactly_the_chosen_episodes(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    chosen = ["chat.direct-message", "mail.apply-label"]
    smoke = ["run", "--suite", "smoke", "--agent", "oracle", "--seeds", "2", "--out", str(run_dir)]
    tasks = [a for t in chosen for a in ("--task", t)]
    # The plan: the suite's tasks in its order, each task's seeds in turn; --limit cuts it.
    plan = [f"{t}-s{s}" for t in suite_tasks("smoke") if t in chosen for s in (0, 1)]

    out = officegym(*smoke, *tasks, "--limit", "3", "--no-report")
    assert out.returncode == 0, out.stderr
    db = sqlite3.connect(run_dir / "results.sqlite")
    played = [r[0] for r in db.execute("SELECT episode_id FROM episodes ORDER BY rowid")]
    assert sorted(played) == sorted(plan[:3])
    lines = out.stdout.splitlines()
    assert "task\tepisodes\tsuccess\tmean score\tmean steps\terrors" in lines

    # The task selection is a setting of the run: another one is refused, naming it.
    other = officegym(*smoke, "--task", chosen[0], "--resume", "--no-report")
    assert other.returncode == 2 and "was run with tasks" in other.stderr, other.stderr
    # The limit is not: the same tasks without it finish the plan.
    again = [a for t in reversed(chosen) for a in ("--task", t)]  # in another order: the same
    rest = officegym(*smoke, *again, "--resume", "--no-report", "--quiet")
    assert rest.returncode == 0, rest.stderr
    episodes = {r[0] for r in db.execute("SELECT episode_id FROM episodes")}
    assert episodes == set(plan)


def test_a_broken_pipe_that_is_not_stdout_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from officegym.cli import _tasks, main

    def talks_to_a_peer_that_left(args: object, console: object) -> int:
        mine, peer = socket.socketpair()
        peer.close()
        with mine:
            mine.sendall(b"x" * 1_000_000)  # BrokenPipeError: the peer is gone, stdout is not
        return 0

    read_end, write_end = os.pipe()  # stdout a pipe with its reader there: `officegym … | cat`
    with os.fdopen(read_end, "rb"), os.fdopen(write_end, "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setattr(_tasks, "cmd_tasks_list", talks_to_a_peer_that_left)
        assert main(["tasks", "list"]) == 2
        monkeypatch.undo()
    assert capsys.readouterr().err == "officegym tasks: [Errno 32] Broken pipe\n"


def test_a_verb_goes_on_to_its_end_when_the_reader_of_stdout_is_gone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console

    from officegym.cli import _tasks, main

    reached: list[int] = []

    def prints_then_works_on(args: object, console: Console) -> int:
        for n in range(100):
            console.print(f"line {n} " + "x" * 100)  # as `run` prints a line per episode
            reached.append(n)
        print("a plain line too")
        return 0

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away before the first line
    with os.fdopen(write_end, "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setattr(_tasks, "cmd_tasks_list", prints_then_works_on)
        assert main(["tasks", "list"]) == 0
        monkeypatch.undo()
    assert reached == list(range(100))
    assert capsys.readouterr().err == ""


@pytest.mark.browser
def test_run_with_no_reader_of_stdout_plays_every_episode_and_writes_its_report(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    read_end, write_end = os.pipe()
    os.close(read_end)  # `officegym run … | head -1` once head has exited
    args = ["run", "--suite", "smoke", "--agent", "oracle", "--limit", "2", "--out", str(run_dir)]
    tool = subprocess.Popen([*OFFICEGYM, *args], stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    _, stderr = tool.communicate(timeout=900)
    assert tool.returncode == 0, stderr
    assert b"Traceback" not in stderr and b"Error" not in stderr, stderr
    db = sqlite3.connect(run_dir / "results.sqlite")
    assert db.execute("SELECT count(*) FROM episodes").fetchone() == (2,)
    assert json.loads((run_dir / "summary.json").read_text())["episodes"] == 2
    assert (run_dir / "report" / "index.html").is_file()


def test_view_into_a_folder_whose_name_holds_markup_prints_its_path(tmp_path: Path) -> None:
    out = tmp_path / "a[/]b" / "[bold]viewer"
    result = officegym("view", str(EXAMPLES / "mail.apply-label"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"viewer: {out / 'index.html'}\n"
    assert (out / "index.html").is_file()
