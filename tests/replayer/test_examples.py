"""The shipped example recordings (synthetic human input, see docs/recording.md): every one
replays `valid` in both modes, and broken copies of one get the right verdict at the right event."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from officegym.replayer import Replayer, Verdict, replay_all
from officegym.tasks import suite_tasks
from officegym.trajectory import find_trajectories

EXAMPLES = Path(__file__).parents[2] / "examples" / "trajectories"
pytestmark = pytest.mark.browser


def examples() -> list[Path]:
    return sorted(find_trajectories([EXAMPLES]))


# The Mail templates the shipped examples record: the eight short ones `make demo` replays.
# Later Mail templates (long-horizon and infeasible ones) have none: a recording of a 30-step
# plan would be most of the size budget below.
EXAMPLE_TASKS = (
    "mail.answer-from-thread",
    "mail.apply-label",
    "mail.clean-up-sender",
    "mail.compose-to-two",
    "mail.forward-with-cc",
    "mail.reply-to-sender",
    "mail.search-and-trash",
    "mail.star-with-shortcut",
)


def test_two_small_examples_per_mail_task() -> None:
    found = examples()
    tasks = [p.parent.name for p in found]
    assert sorted(set(tasks)) == sorted(EXAMPLE_TASKS)
    assert set(EXAMPLE_TASKS) <= set(suite_tasks("mail"))
    assert all(tasks.count(t) == 2 for t in set(tasks))
    assert all(p.suffix == ".zip" and p.stat().st_size < 400_000 for p in found)
    assert sum(p.stat().st_size for p in found) < 4_000_000


@pytest.mark.slow
def test_every_example_replays_valid_in_fast_mode() -> None:
    results = list(replay_all(examples(), "fast", workers=1))
    assert len(results) == len(examples())
    for result in results:
        assert result.verdict == Verdict.VALID, f"{result.trajectory}: {result.reason}"
        assert result.score == 1.0
        assert not [f for f in result.findings if f.severity == "error"], result.findings
    speed = sum(r.recording_seconds for r in results) / sum(r.replay_seconds for r in results)
    assert speed > 5  # fast mode drops the idle time; the figures are in benchmarks/RESULTS.md


@pytest.mark.slow
def test_every_example_replays_valid_in_realtime_mode() -> None:
    # Realtime replays mostly wait for the recorded time, so four workers share two cores fine.
    results = list(replay_all(examples(), "realtime", workers=4))
    assert len(results) == len(examples())
    for result in results:
        assert result.verdict == Verdict.VALID, f"{result.trajectory}: {result.reason}"
        assert result.replay_seconds >= result.recording_seconds


Lines = list[dict[str, Any]]


@pytest.fixture(scope="module")
def replayer() -> Iterator[Replayer]:
    r = Replayer("fast")
    yield r
    r.close()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One example, unzipped: a reply (search, open, reply, type, send)."""
    out = tmp_path_factory.mktemp("example") / "clean"
    with zipfile.ZipFile(EXAMPLES / "mail.reply-to-sender" / "s0.zip") as z:
        z.extractall(out)
    return out


def broken(example: Path, tmp_path: Path, edit: Any) -> tuple[Path, Lines]:
    """A copy of the example with its events edited; returns it and the original lines."""
    copy = tmp_path / "broken"
    shutil.copytree(example, copy)
    lines = [json.loads(x) for x in (example / "events.jsonl").open()]
    edited = edit([dict(e) for e in lines])
    (copy / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in edited))
    return copy, lines


def clicks(lines: Lines) -> list[int]:
    return [i for i, e in enumerate(lines) if e["type"] == "mouse.down"]


def test_dropped_click_on_a_human_recording(
    example: Path, tmp_path: Path, replayer: Replayer
) -> None:
    lines = [json.loads(x) for x in (example / "events.jsonl").open()]
    reply = next(i for i in clicks(lines) if lines[i]["target"].get("name") == "Reply")

    def drop(ls: Lines) -> Lines:  # the click on Reply never happened
        return [e for i, e in enumerate(ls) if i not in (reply, reply + 1)]

    copy, _ = broken(example, tmp_path, drop)
    result = replayer.replay(copy)
    assert result.verdict == Verdict.DIVERGED
    # A frame after the missing click shows the reply box; the replay does not. The first frame
    # may have been taken in the same instant as the click, before the box was drawn, so the
    # divergence is at the first or the second frame after it (indices shift by the 2 dropped).
    frames = [i for i in range(reply + 2, len(lines)) if lines[i]["type"] == "screenshot"][:2]
    assert result.event_index in [f - 2 for f in frames] and "screen differs" in result.reason


def test_click_shifted_40px_on_a_human_recording(
    example: Path, tmp_path: Path, replayer: Replayer
) -> None:
    lines = [json.loads(x) for x in (example / "events.jsonl").open()]
    send = clicks(lines)[-1]

    def shift(ls: Lines) -> Lines:
        for e in ls[send : send + 2]:
            e["y"] -= 40
        return ls

    copy, _ = broken(example, tmp_path, shift)
    result = replayer.replay(copy)
    assert (result.verdict, result.event_index) == (Verdict.DIVERGED, send)
    assert "expected button 'Send'" in result.reason


def test_clean_example_is_valid(example: Path, replayer: Replayer) -> None:
    result = replayer.replay(example)
    assert result.verdict == Verdict.VALID, result.reason
