"""`officegym compare` on run directories written through the real result store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from officegym.results import EpisodeResult, ResultStore


def write_run(path: Path, outcomes: dict[tuple[str, int], bool]) -> Path:
    store = ResultStore(path / "results.sqlite")
    for (task, seed), success in outcomes.items():
        store.add(
            EpisodeResult(
                episode_id=f"{task}-s{seed}",
                task_id=task,
                seed=seed,
                agent="x",
                success=success,
                score=float(success),
            )
        )
    store.close()
    return path


def compare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "officegym.cli", "compare", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


TASKS = [f"mail.t{i}" for i in range(4)]


def test_a_significantly_worse_candidate_exits_1_and_lists_the_regressions(tmp_path: Path) -> None:
    good = write_run(tmp_path / "a", {(t, s): True for t in TASKS for s in range(5)})
    bad = write_run(tmp_path / "b", {(t, s): t == "mail.t0" for t in TASKS for s in range(5)})
    out = compare(str(good), str(bad), "--json")
    assert out.returncode == 1, out.stderr
    result = json.loads(out.stdout)
    assert result["significant_regression"] and result["a_only"] == 15 and result["b_only"] == 0
    assert result["regressed"] == ["mail.t1", "mail.t2", "mail.t3"] and result["improved"] == []
    assert result["ci_high"] < 0 < result["success_a"] - result["success_b"]
    table = compare(str(good), str(bad))
    assert table.returncode == 1 and "regressed: mail.t1, mail.t2, mail.t3" in table.stdout


def test_same_run_exits_0_and_unpaired_episodes_are_reported(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a", {(t, s): s % 2 == 0 for t in TASKS for s in range(4)})
    b = write_run(tmp_path / "b", {(t, s): s % 2 == 0 for t in TASKS for s in range(5)})
    out = compare(str(a), str(b), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["p_value"] == 1.0 and not result["significant_regression"]
    assert result["pairs"] == 16 and result["unpaired_b"] == [f"{t}-s4" for t in TASKS]


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    out = compare(str(tmp_path / "nope"), str(tmp_path / "nope2"))
    assert out.returncode == 2 and "no such file or folder" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    out = compare(str(tmp_path / "a"), str(tmp_path / "b"))  # folders, but not runs
    assert out.returncode == 2 and "does not exist" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert len(out.stderr.strip().splitlines()) == 1
