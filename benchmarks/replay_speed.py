"""Replay speed: recordings per minute and speed factor (recording time ÷ replay wall time).

Run: `cd benchmarks && ../.venv/bin/python replay_speed.py [--corpus DIR] [--oracle-seeds N]`
The corpus defaults to the shipped example recordings (synthetic human input, human pace:
examples/trajectories). `--oracle-seeds N` records oracle episodes of the mail suite instead
(agent recordings have no idle time, so their speed factor is near 1 by nature).
Replays in fast mode with every check on, at 1 and 2 workers.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections import Counter
from pathlib import Path

from officegym.replayer import replay_all
from officegym.runner import EpisodeRunner
from officegym.tasks import suite_tasks
from officegym.trajectory import find_trajectories

EXAMPLES = Path(__file__).parents[1] / "examples" / "trajectories"


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
        f"speed factor {recorded / wall:5.1f}x, verdicts {dict(verdicts)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=EXAMPLES, help="recordings to replay")
    parser.add_argument("--oracle-seeds", type=int, help="replay N seeds of oracle episodes")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(
        f"# replay_speed  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  "
        f"{platform.machine()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if args.oracle_seeds:
            corpus = Path(tmp)
            record_corpus(corpus, args.oracle_seeds)
        paths = list(find_trajectories([corpus]))
        print(f"corpus: {corpus} ({len(paths)} recordings)")
        for workers in args.workers:
            measure(paths, workers)


if __name__ == "__main__":
    main()
