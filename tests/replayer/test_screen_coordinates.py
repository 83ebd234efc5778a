"""Recordings in screen coordinates (what OS-level capture stores) replay on the xvfb backend
with the page's offset on the recording's screen taken off every position."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from officegym.replayer import Replayer, Verdict

EXAMPLE = Path(__file__).parents[2] / "examples" / "trajectories" / "mail.apply-label" / "s0.zip"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb"),
]


def screen_copy(folder: Path, space: str = "screen") -> Path:
    """The example as an OS-level capture would store it: every position on the screen."""
    with zipfile.ZipFile(EXAMPLE) as archive:
        archive.extractall(folder)
    meta = json.loads((folder / "meta.json").read_text())
    dx, dy = meta["screen_offset"]["x"], meta["screen_offset"]["y"]
    assert dy > 0, "the page sits below the browser's toolbar on the recording's screen"
    lines = []
    for line in (folder / "events.jsonl").read_text().splitlines():
        event: dict[str, Any] = json.loads(line)
        if "x" in event and "y" in event:
            event["x"], event["y"] = event["x"] + dx, event["y"] + dy
        box = (event.get("target") or {}).get("bbox")
        if box:
            box["x"], box["y"] = box["x"] + dx, box["y"] + dy
        lines.append(json.dumps(event))
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n")
    meta["coordinate_space"] = space
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


def test_a_screen_coordinate_recording_replays_valid_on_xvfb(tmp_path: Path) -> None:
    replayer = Replayer("fast", backend="xvfb")
    try:
        result = replayer.replay(screen_copy(tmp_path / "screen"))
        assert result.verdict == Verdict.VALID, result.reason
        # The same positions read as viewport positions land off target: the offset matters.
        wrong = replayer.replay(screen_copy(tmp_path / "viewport", space="viewport"))
        assert wrong.verdict == Verdict.DIVERGED, wrong.reason
    finally:
        replayer.close()
