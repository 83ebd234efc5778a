"""Replay speed: recordings per minute and speed factor (recording time ÷ replay wall time).

Run: `cd benchmarks && ../.venv/bin/python replay_speed.py [--seeds 2] [--corpus DIR]`
Without --corpus it records oracle episodes of the mail suite first (agent recordings: no idle
time, so their speed factor is near 1 by nature; human-paced recordings are where fast mode gains).
Replays in fast mode with every check on, at 1 and 2 workers.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections import Counter
from pathlib import Path

from officegym.replayer import find_trajectories, replay_all
from officegym.runner import EpisodeRunner
from officegym.tasks import suite_tasks


def record_corpus(root: Path, seeds: int) -> None:
    runner = EpisodeRunner("oracle")
    try:
        for task in suite_tasks("mail"):
            for seed in range(seeds):
                runner.run(task, seed, f"{task}-s{seed}", root / f"{task}-s{seed}")
    finally:
        runner.close()


def measure(paths: list[Path], workers: int) -> None:
    start = time.perf_counter()
    results = list(replay_all(paths, "fast", workers))
    wall = time.perf_counter() - start
    recorded = sum(r.recording_seconds for r in results)
    verdicts = Counter(str(r.verdict) for r in results)
    print(
        f"workers={workers}: {len(results)} recordings in {wall:6.1f} s "
        f"({len(results) / wall * 60:5.1f}/min), recorded {recorded:6.1f} s, "
        f"speed factor {recorded / wall:4.2f}x, verdicts {dict(verdicts)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--corpus", type=Path, help="replay these recordings instead")
    args = parser.parse_args()
    print(
        f"# replay_speed  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  "
        f"{platform.machine()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if corpus is None:
            corpus = Path(tmp)
            record_corpus(corpus, args.seeds)
        paths = list(find_trajectories([corpus]))
        for workers in (1, 2):
            measure(paths, workers)


if __name__ == "__main__":
    main()
