"""`officegym` on the command line: tasks list, run, resume, and bad input."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from officegym.tasks import suite_tasks
from officegym.trajectory import TrajectoryReader

SMOKE_ORACLE = ("run", "--suite", "smoke", "--agent", "oracle", "--seeds", "2")


def officegym(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "officegym.cli", *args], capture_output=True, text=True, timeout=600
    )


def test_tasks_list_json_has_every_mail_template() -> None:
    out = officegym("tasks", "list", "--json")
    assert out.returncode == 0, out.stderr
    tasks = json.loads(out.stdout)
    mail = sorted(t["id"] for t in tasks if t["apps"] == ["mail"])
    assert mail == suite_tasks("mail") and len(mail) >= 8
    office = [t for t in tasks if t["apps"] != ["miniwob"]]
    assert all(t["tags"] and "core" in t["suites"] for t in office)
    miniwob = [t for t in tasks if t["apps"] == ["miniwob"]]
    assert len(miniwob) >= 100 and all(
        "miniwob" in t["suites"] and "core" not in t["suites"] for t in miniwob
    )
    smoke = json.loads(officegym("tasks", "list", "--suite", "smoke", "--json").stdout)
    assert 1 <= len(smoke) < len(tasks)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--suite", "smok", "--agent", "oracle"], "unknown suite 'smok'. Did you mean: 'smoke'?"),
        (
            ["--suite", "smoke", "--agent", "orcle"],
            "unknown agent 'orcle'. Did you mean: 'oracle'?",
        ),
        (["--suite", "smoke", "--agent", "nowhere.mod:Agent"], "cannot load agent"),
        (["--suite", "smoke", "--agent", "oracle", "--seeds", "0"], "at least 1"),
    ],
)
def test_run_with_bad_input_exits_2_with_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = officegym("run", *args, "--out", str(tmp_path / "run"))
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not (tmp_path / "run").exists()


@pytest.mark.browser
@pytest.mark.slow
def test_run_smoke_writes_results_summary_and_trajectories_then_resumes(tmp_path: Path) -> None:
    run_dir = tmp_path / "smoke"
    out = officegym(*SMOKE_ORACLE, "--workers", "1", "--out", str(run_dir))
    assert out.returncode == 0, out.stderr
    assert "oracle on smoke" in out.stdout and "success 100%" in out.stdout
    db = sqlite3.connect(run_dir / "results.sqlite")
    rows = db.execute(
        "SELECT episode_id, task_id, seed, agent, success, score, checkpoints, "
        "steps, seconds, error, trajectory FROM episodes"
    ).fetchall()
    assert len(rows) == 2 * len(suite_tasks("smoke"))
    for (
        episode_id,
        task_id,
        seed,
        agent,
        success,
        score,
        checkpoints,
        steps,
        seconds,
        error,
        trajectory,
    ) in rows:
        assert episode_id == f"{task_id}-s{seed}" and agent == "oracle"
        assert success == 1 and score == 1.0 and error == "" and steps > 0 and seconds > 0
        assert json.loads(checkpoints) and all(c["passed"] for c in json.loads(checkpoints))
        assert Path(trajectory) == run_dir / "episodes" / episode_id / "trajectory"
        with TrajectoryReader(trajectory) as reader:
            assert reader.meta.task is not None and reader.meta.task.seed == seed
            assert [e.type for _, e in reader.iter_events()][-1] == "done"
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["episodes"] == len(rows) and summary["success_rate"] == 1.0
    assert set(summary["per_task"]) == {r[1] for r in rows}

    again = officegym(*SMOKE_ORACLE, "--out", str(run_dir), "--resume")
    assert again.returncode == 0 and "[" not in again.stdout.split("oracle on smoke")[0]
    assert db.execute("SELECT count(*) FROM episodes").fetchone()[0] == len(rows)


@pytest.mark.browser
def test_random_agent_runs_and_fails_honestly(tmp_path: Path) -> None:
    out = officegym(
        "run",
        "--suite",
        "smoke",
        "--agent",
        "random",
        "--seeds",
        "1",
        "--workers",
        "2",
        "--out",
        str(tmp_path / "random"),
        "--quiet",
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads((tmp_path / "random" / "summary.json").read_text())
    assert summary["episodes"] == len(suite_tasks("smoke")) and summary["success_rate"] < 1.0
    assert summary["errors"] == 0
