"""Replaying trajectories: agent episodes replay `valid`; broken copies get the right verdict."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from officegym.replayer import Replayer, Verdict
from officegym.runner import EpisodeRunner
from officegym.tasks import suite_tasks
from officegym.trajectory import find_trajectories

Lines = list[dict[str, Any]]


@pytest.fixture(scope="module")
def replayer() -> Iterator[Replayer]:
    r = Replayer("fast")
    yield r
    r.close()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Oracle episodes (computer mode) of two tasks, recorded by the env as a run does."""
    root = tmp_path_factory.mktemp("recorded")
    runner = EpisodeRunner("oracle")
    try:
        return {
            task: Path(runner.run(task, 1, task, root / task).trajectory)
            for task in ("mail.apply-label", "mail.compose-to-two")
        }
    finally:
        runner.close()


def copy_with(
    src: Path,
    dst: Path,
    edit: Callable[[Lines], Lines] | None = None,
    meta: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    shutil.copytree(src, dst)
    if edit is not None:
        lines = [json.loads(x) for x in (dst / "events.jsonl").read_text().splitlines()]
        (dst / "events.jsonl").write_text("".join(json.dumps(x) + "\n" for x in edit(lines)))
    if meta is not None:
        data = json.loads((dst / "meta.json").read_text())
        meta(data)
        (dst / "meta.json").write_text(json.dumps(data))
    return dst


def downs(lines: Lines) -> list[int]:
    return [i for i, e in enumerate(lines) if e["type"] == "mouse.down"]


pytestmark = pytest.mark.browser


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["computer", "browser"])
def test_agent_episodes_of_every_smoke_task_replay_valid_with_the_same_score(
    tmp_path: Path, replayer: Replayer, mode: str
) -> None:
    runner = EpisodeRunner("oracle", action_mode=mode)
    try:
        results = [runner.run(t, 2, t, tmp_path / t) for t in suite_tasks("smoke")]
    finally:
        runner.close()
    for result in results:
        verdict = replayer.replay(result.trajectory)
        assert verdict.verdict == Verdict.VALID, verdict.reason
        assert (verdict.task, verdict.seed) == (result.task_id, 2)
        assert verdict.score == result.score == 1.0
        assert verdict.recording_seconds > 0 and verdict.replay_seconds > 0


def test_realtime_mode_keeps_the_recorded_pace(recorded: dict[str, Path]) -> None:
    replayer = Replayer("realtime")
    try:
        verdict = replayer.replay(recorded["mail.apply-label"])
    finally:
        replayer.close()
    assert verdict.verdict == Verdict.VALID, verdict.reason
    assert verdict.replay_seconds >= verdict.recording_seconds


def test_dropped_click_diverges_at_the_next_click(
    recorded: dict[str, Path], tmp_path: Path, replayer: Replayer
) -> None:
    lines = [json.loads(x) for x in (recorded["mail.apply-label"] / "events.jsonl").open()]
    menu = next(i for i in downs(lines) if lines[i]["target"].get("name", "").startswith("Labels"))

    def drop(ls: Lines) -> Lines:  # the click that opens the Labels menu never happened
        return [e for i, e in enumerate(ls) if i not in (menu, menu + 1)]

    result = replayer.replay(copy_with(recorded["mail.apply-label"], tmp_path / "t", drop))
    assert result.verdict == Verdict.DIVERGED
    next_down = next(i for i in downs(lines) if i > menu) - 2
    assert result.event_index == next_down and "expected menuitemcheckbox" in result.reason


def test_coordinates_shifted_40px_diverge_at_that_click(
    recorded: dict[str, Path], tmp_path: Path, replayer: Replayer
) -> None:
    lines = [json.loads(x) for x in (recorded["mail.apply-label"] / "events.jsonl").open()]
    target = downs(lines)[-1]

    def shift(ls: Lines) -> Lines:
        for e in ls[target - 1 : target + 2]:
            if "y" in e:
                e["y"] += 40
        return ls

    result = replayer.replay(copy_with(recorded["mail.apply-label"], tmp_path / "t", shift))
    assert (result.verdict, result.event_index) == (Verdict.DIVERGED, target)


def test_wrong_seed_in_meta_diverges_at_the_first_screen(
    recorded: dict[str, Path], tmp_path: Path, replayer: Replayer
) -> None:
    def reseed(meta: dict[str, Any]) -> None:
        meta["task"]["seed"] = 7

    result = replayer.replay(copy_with(recorded["mail.apply-label"], tmp_path / "t", meta=reseed))
    assert (result.verdict, result.event_index) == (Verdict.DIVERGED, 1)
    assert "screen differs from frames/000000" in result.reason


def test_typing_into_the_wrong_field_diverges(
    recorded: dict[str, Path], tmp_path: Path, replayer: Replayer
) -> None:
    lines = [json.loads(x) for x in (recorded["mail.compose-to-two"] / "events.jsonl").open()]
    subject = next(i for i in downs(lines) if lines[i]["target"].get("name") == "Subject")
    body = next(i for i in downs(lines) if lines[i]["target"].get("name") == "Message body")

    def wrong_field(ls: Lines) -> Lines:  # click the body where the subject was clicked
        for i in (subject - 1, subject, subject + 1):
            ls[i]["x"], ls[i]["y"] = ls[body]["x"], ls[body]["y"]
        ls[subject]["target"] = ls[body]["target"]
        return ls

    result = replayer.replay(
        copy_with(recorded["mail.compose-to-two"], tmp_path / "t", wrong_field)
    )
    first_key = next(
        i
        for i in range(subject, len(lines))
        if lines[i]["type"] == "key.down" and lines[i].get("target")
    )
    assert (result.verdict, result.event_index) == (Verdict.DIVERGED, first_key)
    assert "expected focus on textbox 'Subject'" in result.reason


def test_missing_frame_is_unreplayable(
    recorded: dict[str, Path], tmp_path: Path, replayer: Replayer
) -> None:
    copy = copy_with(recorded["mail.apply-label"], tmp_path / "t")
    (copy / "frames" / "000002.jpeg").unlink()
    result = replayer.replay(copy)
    assert result.verdict == Verdict.UNREPLAYABLE and "000002.jpeg is missing" in result.reason
    lines = [json.loads(x) for x in (copy / "events.jsonl").open()]
    assert lines[result.event_index]["frame"] == "frames/000002.jpeg"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("reorder", "is before the previous event's"),
        ("truncate", "invalid JSON"),
        ("bad_json", "invalid JSON"),
        ("unknown_type", "type"),
    ],
)
def test_malformed_files_name_file_line_and_field(
    recorded: dict[str, Path], tmp_path: Path, replayer: Replayer, damage: str, message: str
) -> None:
    copy = copy_with(recorded["mail.apply-label"], tmp_path / "t")
    events = copy / "events.jsonl"
    text = events.read_text().splitlines(keepends=True)
    n = 5  # 1-based line that is damaged
    if damage == "reorder":  # line n now happened before line n-1
        a, b = json.loads(text[n - 2]), json.loads(text[n - 1])
        a["t"], b["t"] = b["t"] + 1, a["t"]
        text[n - 2], text[n - 1] = json.dumps(a) + "\n", json.dumps(b) + "\n"
    elif damage == "truncate":
        text = [*text[: n - 1], text[n - 1][:20]]
    elif damage == "bad_json":
        text[n - 1] = "{not json\n"
    else:
        text[n - 1] = json.dumps({**json.loads(text[n - 1]), "type": "mouse.teleport"}) + "\n"
    events.write_text("".join(text))
    result = replayer.replay(copy)
    assert result.verdict == Verdict.MALFORMED
    assert f"events.jsonl:{n}" in result.reason and message in result.reason
    assert result.event_index == n - 1


def test_unknown_task_is_unreplayable_with_did_you_mean(
    recorded: dict[str, Path], tmp_path: Path, replayer: Replayer
) -> None:
    def rename(meta: dict[str, Any]) -> None:
        meta["task"]["id"] = "mail.aply-label"

    result = replayer.replay(copy_with(recorded["mail.apply-label"], tmp_path / "t", meta=rename))
    assert (
        result.verdict == Verdict.UNREPLAYABLE
        and "Did you mean: 'mail.apply-label'" in result.reason
    )


def test_every_recording_in_a_large_folder_gets_a_verdict(
    recorded: dict[str, Path], tmp_path: Path, replayer: Replayer
) -> None:
    src = recorded["mail.apply-label"]
    root = tmp_path / "many"
    for i in range(1000):
        dst = root / f"r{i:04d}"
        if i % 250 == 0:
            copy_with(src, dst)  # four good ones
        elif i % 3 == 0:
            copy_with(src, dst, meta=lambda m: m["task"].update(id="mail.nope"))
        elif i % 3 == 1:
            dst.mkdir(parents=True)
            (dst / "meta.json").write_text("{broken")
        else:
            copy_with(src, dst, meta=lambda m: m.pop("viewport"))
    paths = list(find_trajectories([root]))
    assert len(paths) == 1000
    verdicts = [replayer.replay(p).verdict for p in paths]
    assert verdicts.count(Verdict.VALID) == 4
    assert verdicts.count(Verdict.UNREPLAYABLE) + verdicts.count(Verdict.MALFORMED) == 996


def test_replay_command_writes_verdicts_and_exits_by_them(
    recorded: dict[str, Path], tmp_path: Path
) -> None:
    import subprocess
    import sys

    good = recorded["mail.apply-label"]
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "meta.json").write_text("{not json")
    out = tmp_path / "verdicts.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "officegym.cli",
        "replay",
        str(good),
        str(broken),
        "--out",
        str(out),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert sorted(x["verdict"] for x in lines) == ["malformed", "valid"]
    assert "2 trajectories: 1 valid, 1 malformed" in done.stdout.replace("\n", " ")
    done = subprocess.run([*cmd, "--no-fail"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_worker_processes_give_the_same_verdicts(recorded: dict[str, Path]) -> None:
    from officegym.replayer import replay_all

    paths = sorted(recorded.values())
    results = sorted(replay_all(paths, "fast", workers=2), key=lambda r: r.trajectory)
    assert [r.trajectory for r in results] == [str(p) for p in paths]
    assert all(r.verdict == Verdict.VALID and r.score == 1.0 for r in results)
