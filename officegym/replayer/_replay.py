"""Replay recorded trajectories in fresh envs for their task and seed, and judge each one."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, cast

import gymnasium

from officegym.envs import env_id
from officegym.envs._env import OfficeEnv
from officegym.errors import TrajectoryFormatError, UnknownNameError
from officegym.replayer._driver import Divergence, EventDriver, Unreplayable
from officegym.replayer._verdict import ReplayResult, Verdict
from officegym.tasks import get_task
from officegym.trajectory import TrajectoryReader

MODES = ("fast", "realtime")


def find_trajectories(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every trajectory under the given paths: folders holding `meta.json`, and `.zip` files.

    A path that is neither (a typo, a stray file) is yielded as is, so it gets its own verdict.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not (path / "meta.json").exists():
            found = sorted({p.parent for p in path.rglob("meta.json")} | set(path.rglob("*.zip")))
            yield from found
        else:
            yield path


class Replayer:
    """Replays trajectories, keeping one env per task between them.

    Args:
        mode: `fast` (recorded order, no idle time, moves coalesced) or `realtime`.
    """

    def __init__(self, mode: str = "fast") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown replay mode {mode!r}; use 'fast' or 'realtime'")
        self.mode = mode
        self._envs: dict[tuple[str, int, int], gymnasium.Env[Any, Any]] = {}

    def replay(self, path: str | Path) -> ReplayResult:
        """Replay one trajectory and return its verdict (never raises for a bad recording)."""
        start = time.perf_counter()
        result = ReplayResult(trajectory=str(path), verdict=Verdict.VALID)
        try:
            with TrajectoryReader(path) as reader:
                self._replay(reader, result)
        except TrajectoryFormatError as exc:
            result.verdict, result.reason = Verdict.MALFORMED, str(exc)
        result.replay_seconds = round(time.perf_counter() - start, 3)
        return result

    def _replay(self, reader: TrajectoryReader, result: ReplayResult) -> None:
        meta = reader.meta
        if meta.task is None:
            result.verdict = Verdict.UNREPLAYABLE
            result.reason = f"{reader.path}: meta.json names no task, so there is nothing to check"
            return
        result.task, result.seed = meta.task.id, meta.task.seed
        try:
            task = get_task(meta.task.id)
        except UnknownNameError as exc:
            result.verdict, result.reason = Verdict.UNREPLAYABLE, str(exc)
            return
        env = self._env(task.id, meta.viewport.width, meta.viewport.height)
        env.reset(seed=meta.task.seed, options={"next_seed": meta.task.seed})
        office = cast(OfficeEnv, env.unwrapped)
        driver = EventDriver(office.stage, self.mode, reader)
        index, last_t = -1, 0.0
        try:
            for _, event in reader.iter_events():
                index += 1  # the event being replayed, counted from 0 (also on a bad line)
                last_t = event.t
                office.host.run(driver.play(event))
        except Divergence as exc:
            result.verdict, result.event_index, result.reason = Verdict.DIVERGED, index, str(exc)
        except Unreplayable as exc:
            result.verdict, result.event_index, result.reason = (
                Verdict.UNREPLAYABLE,
                index,
                str(exc),
            )
        except TrajectoryFormatError as exc:  # the line after the last good event is bad
            result.verdict, result.event_index = Verdict.MALFORMED, index + 1
            result.reason = str(exc)
        result.recording_seconds = round(last_t / 1000, 3)
        if result.verdict != Verdict.VALID:
            return
        office.host.run(driver.settle())
        evaluation = task.score(office.apps, office.stage.params, driver.answer)
        result.score = evaluation.score
        if not evaluation.success:
            failed = [c.name for c in evaluation.checkpoints if not c.passed]
            result.verdict = Verdict.TASK_FAILED
            result.reason = "the task is not done: failed " + "; ".join(failed)

    def _env(self, task_id: str, width: int, height: int) -> gymnasium.Env[Any, Any]:
        key = (task_id, width, height)
        if key not in self._envs:
            self._envs[key] = gymnasium.make(
                env_id(task_id),
                viewport=(width, height),
                prepare_next=False,
                observation=("goal", "url", "axtree", "last_action_error", "tabs"),
            )
        return self._envs[key]

    def close(self) -> None:
        for env in self._envs.values():
            env.close()
        self._envs.clear()


_WORKER: Replayer | None = None


def _worker_init(mode: str) -> None:
    global _WORKER
    _WORKER = Replayer(mode)


def _worker_replay(path: str) -> ReplayResult:
    if _WORKER is None:
        raise RuntimeError("worker not initialised")
    return _WORKER.replay(path)


def replay_all(paths: list[Path], mode: str = "fast", workers: int = 1) -> Iterator[ReplayResult]:
    """Replay every trajectory, yielding each verdict as soon as it is known (any order)."""
    if workers <= 1:
        replayer = Replayer(mode)
        try:
            for path in paths:
                yield replayer.replay(path)
        finally:
            replayer.close()
        return
    ctx = multiprocessing.get_context("spawn")  # Playwright does not survive fork
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_worker_init, initargs=(mode,)
    ) as pool:
        futures = [pool.submit(_worker_replay, str(p)) for p in paths]
        for future in as_completed(futures):
            yield future.result()
