"""officegym against BrowserGym on the same MiniWoB++ tasks, same machine, same run.

Run: `cd benchmarks && ../.venv/bin/python vs_browsergym.py [--episodes N] [--seeds-per-task S]
[--worker-rounds R] [--workers-only] [--competing-load]`

- BrowserGym (`browsergym-miniwob`, installed by this script into `benchmarks/.browsergym-venv`)
  and officegym each play N episodes of click-test, click-button, enter-text and choose-list with
  the same scripted plans (officegym's oracle plans; BrowserGym's side writes them with its own
  actions on its element ids), both headless on the system Chromium with their default
  observations, both on the `miniwob` package's pages (BrowserGym from file://, officegym from
  its app server). Prints episodes per minute, median reset and step latency, and the ratios.
- Then `officegym run --suite miniwob-oracle` at 1 and 2 workers, alternating, R rounds:
  episodes per minute and the scaling ratio, start-up included, and once running (from the first
  episode's end to the last one's, out of the run's attempt log: start-up and shutdown are paid
  once per run, not per episode). `--workers-only` skips the side-by-side part;
  `--competing-load` also runs each worker configuration beside a busy process (another user's
  job on a shared machine), each against one worker under the same load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium

import officegym  # noqa: F401  (registers the envs)
from officegym.agents.oracle import OracleAgent
from officegym.browser import chromium_executable
from officegym.envs import env_id
from officegym.tasks import suite_tasks
from officegym.tasks.apps.miniwob import html_dir

TASKS = ["click-test", "click-button", "enter-text", "choose-list"]
HERE = Path(__file__).parent
BG_VENV = HERE / ".browsergym-venv"
BG_PACKAGE = "browsergym-miniwob==0.14.3"


def browsergym_python() -> Path:
    """BrowserGym's venv, made on first use (its pinned Playwright must not meet ours)."""
    python = BG_VENV / "bin" / "python"
    if not python.exists():
        print(f"installing {BG_PACKAGE} into {BG_VENV} …", flush=True)
        venv.create(BG_VENV, with_pip=True)
    check = subprocess.run([python, "-c", "import browsergym.miniwob"], capture_output=True)
    if check.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "--quiet", BG_PACKAGE], check=True)
    return python


def run_browsergym(episodes: int, chromium: str) -> dict[str, Any]:
    folder = html_dir()
    if folder is None:
        sys.exit("the miniwob package is missing: pip install 'officegym[miniwob]'")
    env = {**os.environ, "MINIWOB_URL": (folder / "miniwob").as_uri() + "/"}
    done = subprocess.run(
        [browsergym_python(), HERE / "_browsergym_side.py", chromium, str(episodes), *TASKS],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"BrowserGym side failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_officegym(episodes: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for task in TASKS:
        env = gymnasium.make(env_id(f"miniwob.{task}"), action_mode="browser")
        resets, steps, successes = [], [], 0
        started = time.perf_counter()
        for seed in range(episodes):
            t0 = time.perf_counter()
            obs, info = env.reset(seed=seed)
            resets.append(time.perf_counter() - t0)
            agent = OracleAgent()
            agent.reset(info)
            while True:
                action = agent.act(obs)
                t0 = time.perf_counter()
                obs, _, terminated, truncated, info = env.step(action)
                steps.append(time.perf_counter() - t0)
                if terminated or truncated:
                    break
            successes += bool(info.get("success"))
        wall = time.perf_counter() - started
        env.close()
        out[task] = {
            "episodes": episodes,
            "successes": successes,
            "wall_s": wall,
            "reset_median_ms": statistics.median(resets) * 1000,
            "step_median_ms": statistics.median(steps) * 1000,
        }
    return out


def run_workers(workers: int, seeds: int, pin: bool = True) -> tuple[int, float, float]:
    """Episodes, wall seconds of the whole command, and episodes/min once running."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        cli = [sys.executable, "-m", "officegym.cli", "run", "--suite", "miniwob-oracle"]
        subprocess.run(
            [*cli, "--agent", "oracle", "--seeds", str(seeds), "--workers", str(workers),
             "--quiet", "--no-report", "--out", f"{tmp}/run", *(["--pin"] if pin else [])],
            check=True,
            capture_output=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        with sqlite3.connect(f"{tmp}/run/results.sqlite") as db:
            ends = sorted(at for (at,) in db.execute("SELECT at FROM attempts"))
    running = 60 * (len(ends) - 1) / (ends[-1] - ends[0])
    return len(suite_tasks("miniwob-oracle")) * seeds, wall, running


def per_minute(rows: dict[str, Any]) -> float:
    return 60 * sum(r["episodes"] for r in rows.values()) / sum(r["wall_s"] for r in rows.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20, help="episodes per task and side")
    parser.add_argument("--seeds-per-task", type=int, default=8, help="for the worker runs")
    parser.add_argument("--worker-rounds", type=int, default=1, help="1- and 2-worker runs each")
    parser.add_argument("--workers-only", action="store_true", help="only the worker runs")
    parser.add_argument(
        "--competing-load",
        action="store_true",
        help="also run each worker configuration beside a busy process (one core's worth)",
    )
    args = parser.parse_args()
    chromium = chromium_executable(headless=True) or sys.exit("no system Chromium: make install")
    print(f"{platform.node()}: {os.cpu_count()} cores, {platform.platform()}, {chromium}")
    if not args.workers_only:
        side_by_side(args.episodes, chromium)
    worker_scaling(args.seeds_per_task, args.worker_rounds, args.competing_load)


def side_by_side(episodes: int, chromium: str) -> None:
    theirs = run_browsergym(episodes, chromium)
    ours = run_officegym(episodes)
    print(f"\n{episodes} episodes per task, browser actions, default observations")
    head = f"{'task':<14}{'side':<12}{'ep/min':>8}{'reset ms':>10}{'step ms':>9}{'solved':>8}"
    print(head)
    for task in TASKS:
        for side, rows in (("browsergym", theirs), ("officegym", ours)):
            r = rows[task]
            print(
                f"{task:<14}{side:<12}{60 * r['episodes'] / r['wall_s']:>8.1f}"
                f"{r['reset_median_ms']:>10.1f}{r['step_median_ms']:>9.1f}"
                f"{r['successes']:>5}/{r['episodes']}"
            )
    reset_ratio = statistics.median(
        theirs[t]["reset_median_ms"] / ours[t]["reset_median_ms"] for t in TASKS
    )
    step_ratio = statistics.median(
        theirs[t]["step_median_ms"] / ours[t]["step_median_ms"] for t in TASKS
    )
    print(
        f"\nepisodes/min: officegym {per_minute(ours):.1f}, BrowserGym {per_minute(theirs):.1f}"
        f" -> {per_minute(ours) / per_minute(theirs):.1f}x (target >= 10x)"
    )
    print(f"reset latency {reset_ratio:.1f}x lower, step latency {step_ratio:.1f}x lower")


BUSY_LOOP = "while True: pass"


@contextlib.contextmanager
def competing_load(on: bool) -> Iterator[None]:
    """A process that keeps one core busy for as long as the block runs (another user's job)."""
    if not on:
        yield
        return
    busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
    try:
        yield
    finally:
        busy.kill()
        busy.wait()


def worker_scaling(seeds: int, rounds: int, loaded: bool = False) -> None:
    """1 worker, 2 workers (each pinned to a core, `--pin`), 2 unpinned (the default), and 4 (two
    per core: what a step's waits for frames leave idle, the second worker on a core uses).
    With `loaded`, each also runs beside a busy process, alternating with its idle run."""
    plain = {"1": (1, False), "2 --pin": (2, True), "2": (2, False), "4 --pin": (4, True)}
    configs = {f"{k}{' +load' * busy}": (*v, busy) for k, v in plain.items()
               for busy in ((False, True) if loaded else (False,))}  # fmt: skip
    whole: dict[str, list[float]] = {name: [] for name in configs}
    running: dict[str, list[float]] = {name: [] for name in configs}
    for _ in range(rounds):
        for name, (workers, pin, busy) in configs.items():  # alternating: a busy spell hits all
            with competing_load(busy):
                n, wall, rate = run_workers(workers, seeds, pin)
            whole[name].append(60 * n / wall)
            running[name].append(rate)
            print(f"officegym run --workers {name}: {n} episodes in {wall:.1f}s, "
                  f"{60 * n / wall:.1f} episodes/min (start-up included), "
                  f"{rate:.1f} once running")  # fmt: skip
    for label, rates in (("start-up included", whole), ("once running", running)):
        ratios = ", ".join(
            f"--workers {name} {statistics.median(rates[name]) / baseline(rates, name):.2f}x"
            for name in configs
            if not name.startswith("1")
        )
        print(f"against 1 worker, {label}: {ratios} (medians of {rounds} rounds; "
              "target for 2 workers >= 1.7x on 2 cores)")  # fmt: skip


def baseline(rates: dict[str, list[float]], name: str) -> float:
    """One worker's median rate under the same load as the configuration `name`."""
    return statistics.median(rates["1 +load" if name.endswith("+load") else "1"])


if __name__ == "__main__":
    main()
