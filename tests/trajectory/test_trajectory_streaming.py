"""The reader streams: memory stays flat however long events.jsonl is."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from officegym.trajectory import TrajectoryReader, zip_trajectory

N_EVENTS = 200_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def long_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rec = tmp_path_factory.mktemp("long") / "rec"
    rec.mkdir()
    meta = {
        "format": "officegym.trajectory/1",
        "id": "long",
        "source": "synthetic",
        "recorder": {"name": "test", "version": "1"},
        "viewport": {"width": 1280, "height": 720},
        "started_at": "2024-05-01T12:00:00Z",
    }
    (rec / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    # Written directly (not through the writer) to keep the fixture fast.
    with open(rec / "events.jsonl", "w", encoding="utf-8") as f:
        for i in range(N_EVENTS):
            kind = i % 3
            if kind == 0:
                line = f'{{"t":{i},"type":"mouse.move","x":{i % 1280},"y":{i % 720}}}'
            elif kind == 1:
                line = f'{{"t":{i},"type":"key.down","key":"a","code":"KeyA"}}'
            else:
                line = f'{{"t":{i},"type":"text.input","text":"chunk {i}"}}'
            f.write(line + "\n")
    return rec


def peak_while_iterating(path: Path) -> tuple[int, int]:
    count = 0
    with TrajectoryReader(path) as reader:
        tracemalloc.start()
        try:
            for _line, event in reader.iter_events():
                count += 1
                del event
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return count, peak


@pytest.mark.parametrize("packed", [False, True], ids=["directory", "zip"])
def test_iterating_a_long_file_keeps_memory_flat(
    long_recording: Path, tmp_path: Path, packed: bool
) -> None:
    path = zip_trajectory(long_recording, tmp_path / "long.zip") if packed else long_recording
    size = (long_recording / "events.jsonl").stat().st_size
    count, peak = peak_while_iterating(path)
    assert count == N_EVENTS
    # Loading everything would need several times the file size; streaming needs a few
    # read buffers. Both limits are far from the boundary, so this is not flaky.
    assert size > 8_000_000
    assert peak < 2_000_000, f"peak {peak} bytes while streaming a {size}-byte file"


def test_events_list_is_the_loading_alternative(long_recording: Path) -> None:
    events: list[Any] = TrajectoryReader(long_recording).events()
    assert len(events) == N_EVENTS
    assert events[-1].t == N_EVENTS - 1
