"""Synthetic human recordings: oracle plans as OS-level input, captured by the recorder."""

from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import pytest

from officegym.cli import main
from officegym.replayer import Replayer, Verdict
from officegym.trajectory import TrajectoryReader

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xvfb,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("Xvfb") and shutil.which("xdotool")), reason="needs Xvfb and xdotool"
    ),
]


def test_synth_command_records_a_valid_human_like_episode(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    args = ["synth", "--task", "mail.star-with-shortcut", "--first-seed", "3", "--out", str(out)]
    assert main([*args, "--zip"]) == 0
    recording = out / "mail.star-with-shortcut" / "s3.zip"
    assert recording.exists() and not recording.with_suffix("").exists()

    with TrajectoryReader(recording) as reader:
        assert reader.meta.source == "synthetic"
        events = [e for _, e in reader.iter_events(check_frames=True)]
    moves = [(e.x, e.y, e.t) for e in events if e.type == "mouse.move"]
    assert len(moves) >= 20  # paths, not jumps
    # Sampled at 30 Hz or more while the hand moves.
    gaps = [b[2] - a[2] for a, b in itertools.pairwise(moves) if b[2] - a[2] < 200]
    assert sorted(gaps)[len(gaps) // 2] <= 1000 / 30
    # A curve: some move leaves the straight line between its neighbours.
    bends = [
        abs((c[0] - a[0]) * (b[1] - a[1]) - (c[1] - a[1]) * (b[0] - a[0]))
        / max(1.0, math.hypot(c[0] - a[0], c[1] - a[1]))
        for a, b, c in zip(moves, moves[1:], moves[2:], strict=False)
    ]
    assert max(bends) > 1
    # The star went on with the shortcut, typed outside any text field.
    shortcuts = [
        e.key
        for e in events
        if e.type == "key.down" and (e.target is None or e.target.tag not in ("input", "textarea"))
    ]
    assert "s" in shortcuts
    assert events[-1].type == "done"

    replayer = Replayer("fast")
    try:
        result = replayer.replay(recording)
    finally:
        replayer.close()
    assert result.verdict == Verdict.VALID, result.reason
    assert result.score == 1.0
    assert result.recording_seconds > 3 * result.replay_seconds


def test_synth_rejects_an_unknown_task(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--task", "mail.reply-to-sendr", "--out", str(tmp_path)]) == 2
    assert "did you mean" in capsys.readouterr().err.lower()
    assert not any(tmp_path.iterdir())
