"""Baselines on the `core` suite: the oracle (should be 100 %) and the random agent (a floor that
shows the tasks are not solved by chance).

Run: `cd benchmarks && ../.venv/bin/python suite_baselines.py [--seeds N] [--workers W]`

Runs `officegym run --suite core` for each agent, then prints the success rate and mean score
overall and per app, episodes per minute, and every task the oracle failed.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any


def run(agent: str, seeds: int, workers: int, out: Path) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "officegym.cli",
            "run",
            "--suite",
            "core",
            "--agent",
            agent,
            "--seeds",
            str(seeds),
            "--workers",
            str(workers),
            "--out",
            str(out),
            "--quiet",
            "--no-report",
        ],
        check=True,
    )
    return json.loads((out / "summary.json").read_text()), time.monotonic() - started


def by_app(summary: dict[str, Any]) -> dict[str, tuple[int, int, float]]:
    apps: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for task_id, row in summary["per_task"].items():
        app = apps[task_id.split(".")[0]]
        app[0] += row["episodes"]
        app[1] += row["successes"]
        app[2] += row["mean_score"] * row["episodes"]
    return {k: (int(e), int(s), t / e) for k, (e, s, t) in sorted(apps.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(
        f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{args.seeds} seeds · {args.workers} workers"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for agent in ("oracle", "random"):
            summary, seconds = run(agent, args.seeds, args.workers, Path(tmp) / agent)
            n = summary["episodes"]
            print(
                f"\n{agent}: {n} episodes, success {summary['success_rate']:.1%}, mean score "
                f"{summary['mean_score']:.3f}, {60 * n / seconds:.1f} episodes/min, statuses "
                f"{summary['statuses']}"
            )
            for app, (episodes, successes, score) in by_app(summary).items():
                print(f"  {app:9} {successes:3}/{episodes:<3} success   mean score {score:.3f}")
            failed = [
                t for t, row in summary["per_task"].items() if row["successes"] < row["episodes"]
            ]
            if agent == "oracle":
                print(f"  oracle failures: {failed or 'none'}")


if __name__ == "__main__":
    main()
