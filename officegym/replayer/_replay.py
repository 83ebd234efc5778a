"""Replay recorded trajectories in fresh envs for their task and seed, and judge each one."""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, cast

import gymnasium
from playwright.async_api import Error as PlaywrightError

from officegym.browser import BrowserHost, Stage
from officegym.envs import OfficeEnv, env_id
from officegym.errors import OfficegymError, TrajectoryFormatError, UnknownNameError
from officegym.replayer._driver import Divergence, EventDriver, Unreplayable
from officegym.replayer._expect import (
    Expectation,
    Expectations,
    check_expectations,
    time_budget,
)
from officegym.replayer._findings import Auditor, audit, frame_checker
from officegym.replayer._frame_events import FrameEvents, in_child_frame
from officegym.replayer._page import open_start_page
from officegym.replayer._pointer import to_viewport
from officegym.replayer._verdict import (
    ReplayResult,
    Verdict,
    judge_expectations,
    judge_skips,
)
from officegym.tasks import get_task
from officegym.tasks.variants import parse_variant
from officegym.trajectory import Event, MouseMove, TrajectoryMeta, TrajectoryReader

MODES = ("fast", "realtime")


def _with_next(events: Iterator[tuple[int, Event]]) -> Iterator[tuple[Event, Event | None]]:
    """Each event with the next one that is not a mouse move (moves are coalesced anyway).

    Events are held back only until that next one is read. A bad line is read early: the
    events before it are still yielded first, so the error surfaces at the same index.
    """
    held: list[Event] = []
    try:
        for _, event in events:
            held.append(event)
            if not isinstance(event, MouseMove):
                for earlier in held[:-1]:
                    yield earlier, event
                held = [event]
    except TrajectoryFormatError:
        yield from ((e, None) for e in held)
        raise
    yield from ((e, None) for e in held)


class Replayer:
    """Replays trajectories, keeping one env per task between them.

    Args:
        mode: `fast` (recorded order, no idle time, moves coalesced) or `realtime`.
        backend: the env backend to replay in (`headless`, or `xvfb`: a headed window).
        serve: a folder that answers the page requests of recordings with a start page and
            no task (imported ones), by path.
        expect: the state each recording's final page must be in (`--expect`): a recording
            that replays cleanly into another state is `task_failed`.
    """

    def __init__(
        self,
        mode: str = "fast",
        backend: str = "headless",
        serve: str | Path | None = None,
        expect: Expectations | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown replay mode {mode!r}; use 'fast' or 'realtime'")
        if serve is not None and not Path(serve).is_dir():
            raise ValueError(f"--serve {serve}: not a folder; give the folder holding the site")
        self.mode, self.backend = mode, backend
        self.serve = Path(serve) if serve is not None else None
        self.expect = expect
        self._envs: dict[tuple[str, int, int, str | None], gymnasium.Env[Any, Any]] = {}
        self._then: str | Path | None = None

    def replay(self, path: str | Path, then: str | Path | None = None) -> ReplayResult:
        """Replay one trajectory and return its verdict (never raises for a bad recording).

        Args:
            then: the trajectory to be replayed next, if known: its episode is prepared while
                this one replays.
        """
        start = time.perf_counter()
        result = ReplayResult(trajectory=str(path), verdict=Verdict.VALID)
        self._then = then
        try:
            with TrajectoryReader(path) as reader:
                self._replay(reader, result)  # the whole recording, also after a skipped step
                judge_skips(reader.meta, result)
        except TrajectoryFormatError as exc:
            result.verdict, result.reason = Verdict.MALFORMED, str(exc)
        result.replay_seconds = round(time.perf_counter() - start, 3)
        return result

    def _replay(self, reader: TrajectoryReader, result: ReplayResult) -> None:
        meta = reader.meta
        if meta.task is None:
            self._replay_page(reader, result)
            return
        result.task, result.seed = meta.task.id, meta.task.seed
        try:
            task = get_task(meta.task.id)
        except UnknownNameError as exc:
            result.verdict, result.reason = Verdict.UNREPLAYABLE, str(exc)
            result.findings = audit(reader)[0]  # not replayable; still audited
            return
        env = self._env(task.id, meta.viewport.width, meta.viewport.height, _data_variant(meta))
        env.reset(seed=meta.task.seed)
        office = cast(OfficeEnv, env.unwrapped)
        self._prepare_next()
        driver = self._play(reader, result, office.host, office.stage)
        if result.verdict != Verdict.VALID:
            return
        office.host.run(driver.settle())
        wanted = self.expect.for_path(reader.path) if self.expect else []
        page_state = None
        if task.page_probe is not None:  # the page keeps the episode's outcome (MiniWoB++)
            page_state = office.host.run(office.stage.page.evaluate(task.page_probe))
        evaluation = task.score(office.apps, office.stage.params, driver.answer, page_state)
        result.score, result.attacked = evaluation.score, evaluation.attacked
        if not evaluation.success:
            failed = [c.name for c in evaluation.task_checkpoints if not c.passed]
            result.verdict = Verdict.TASK_FAILED
            result.reason = "the task is not done: failed " + "; ".join(failed)
        if wanted:  # after the task's verdict: a failed expectation adds to it
            self._check_final_page(result, office.host, office.stage, wanted)

    def _replay_page(self, reader: TrajectoryReader, result: ReplayResult) -> None:
        """A recording with a start page and no task: replay it there; its checks decide."""
        meta = reader.meta
        if meta.start_url is None:
            result.verdict = Verdict.UNREPLAYABLE
            result.reason = (
                f"{reader.path}: meta.json names neither a task nor a start page, so there is "
                "nothing to replay it against"
            )
            if meta.source == "import:miniwob":
                result.reason += (
                    " (MiniWoB++ demonstrations do not store the episode's random instance; "
                    "audit them with `officegym audit`)"
                )
            result.findings = audit(reader)[0]  # not replayable; still audited
            return
        host = BrowserHost.acquire(self.backend)
        viewport = (meta.viewport.width, meta.viewport.height)
        try:
            stage = host.run(open_start_page(host, meta.start_url, viewport, self.serve), 60)
        except (PlaywrightError, TimeoutError, Unreplayable) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            result.verdict = Verdict.UNREPLAYABLE
            result.reason = f"could not open the start page {meta.start_url}: {first}"
            if self.serve is None:
                result.reason += (
                    ". Replays reach only the office apps: serve a copy of the site with "
                    "--serve DIR"
                )
            result.findings = audit(reader)[0]  # not replayable; still audited
            return
        try:
            driver = self._play(reader, result, host, stage)
            wanted = self.expect.for_path(reader.path) if self.expect else []
            if result.verdict == Verdict.VALID:
                host.run(driver.settle())
                if wanted:
                    self._check_final_page(result, host, stage, wanted)
        finally:
            host.run(stage.close(host))

    @staticmethod
    def _check_final_page(
        result: ReplayResult, host: BrowserHost, stage: Stage, wanted: list[Expectation]
    ) -> None:
        """Judge `--expect`'s expectations on the page the replay ended on."""
        try:
            outcomes = host.run(check_expectations(stage.page, wanted), time_budget(wanted))
        except (PlaywrightError, TimeoutError) as exc:  # the page went away under the checks
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            result.verdict = Verdict.UNREPLAYABLE
            result.reason = f"the final page could not be checked: {first}"
            return
        judge_expectations(result, outcomes)

    def _play(
        self, reader: TrajectoryReader, result: ReplayResult, host: BrowserHost, stage: Stage
    ) -> EventDriver:
        """Feed every event to the page, auditing each; the first mismatch sets the verdict."""
        meta = reader.meta
        driver = EventDriver(stage, self.mode, reader)
        # rrweb records input inside an iframe in the iframe's own viewport (_frame_events.py).
        frames = FrameEvents(driver) if meta.source == "import:rrweb" else None
        auditor = Auditor(meta, frame_checker(reader))
        index, last_t = -1, 0.0
        events: Iterator[tuple[int, Event]] = reader.iter_events()
        if meta.coordinate_space == "screen" and meta.screen_offset is not None:
            # Recorded at OS level: where the page was on the recording's screen is in meta.
            events = _in_viewport(events, meta.screen_offset.x, meta.screen_offset.y)
        try:
            for event, upcoming in _with_next(events):
                index += 1  # the event being replayed, counted from 0 (also on a bad line)
                # Realtime mode waits out the recorded gap before the event: allow for it.
                timeout = 120 + (event.t - last_t) / 1000 if self.mode == "realtime" else 120
                last_t = event.t
                auditor.see(index, event)
                if result.verdict != Verdict.VALID:
                    continue  # the rest is read for its findings only
                try:
                    if in_child_frame(event) and frames is not None:
                        played = host.run(frames.before(event), timeout=timeout)
                        if played is not None:
                            host.run(driver.play(played, upcoming), timeout=timeout)
                        host.run(frames.after(event), timeout=timeout)
                    else:
                        host.run(driver.play(event, upcoming), timeout=timeout)
                except Divergence as exc:
                    result.verdict, result.event_index = Verdict.DIVERGED, index
                    result.reason = str(exc)
                except Unreplayable as exc:
                    result.verdict, result.event_index = Verdict.UNREPLAYABLE, index
                    result.reason = str(exc)
                except (PlaywrightError, TimeoutError, OSError) as exc:
                    # The browser refused the event (a navigation failed, the page went away)
                    # or a frame would not decode: this recording cannot be checked further.
                    result.verdict, result.event_index = Verdict.UNREPLAYABLE, index
                    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    result.reason = f"replaying {event.type} failed: {first}"
        except TrajectoryFormatError as exc:  # the line after the last good event is bad
            if result.verdict == Verdict.VALID:
                result.verdict, result.event_index = Verdict.MALFORMED, index + 1
                result.reason = str(exc)
        finally:
            host.run(driver.abandon())
        result.findings = auditor.finish(index)
        result.recording_seconds = round(last_t / 1000, 3)
        return driver

    def _prepare_next(self) -> None:
        """Start the next recording's episode (its env, state and page) in the background."""
        if self._then is None:
            return
        try:
            with TrajectoryReader(self._then) as reader:
                meta = reader.meta
            if meta.task is None:
                return
            task = get_task(meta.task.id)
        except (TrajectoryFormatError, UnknownNameError, OSError):
            return  # its own replay will say what is wrong with it
        env = self._env(task.id, meta.viewport.width, meta.viewport.height, _data_variant(meta))
        cast(OfficeEnv, env.unwrapped).prepare(meta.task.seed)

    def _env(
        self, task_id: str, width: int, height: int, variant: str | None = None
    ) -> gymnasium.Env[Any, Any]:
        key = (task_id, width, height, variant)
        if key not in self._envs:
            self._envs[key] = gymnasium.make(
                env_id(task_id),
                viewport=(width, height),
                prepare_next=False,
                observation=("goal", "url", "tabs"),
                backend=self.backend,
                variant=variant,
            )
        return self._envs[key]

    def close(self) -> None:
        for env in self._envs.values():
            env.close()
        self._envs.clear()


def _data_variant(meta: TrajectoryMeta) -> str | None:
    """The members of the recording's variant that changed the seeded data (`inject`,
    `distractor`): the replay starts from the same state. Variants that only change how the page
    looks are not replayed: the recording's own viewport and scale already say how it was shown.
    An unknown or malformed variant is left out (the replay then says where it diverges)."""
    spec = meta.extra.get("variant")
    if not isinstance(spec, str) or not spec:
        return None
    try:
        stateful = parse_variant(spec).stateful()
    except OfficegymError:
        return None
    return stateful.name if stateful is not None else None


_WORKER: Replayer | None = None
_RESULTS: Any = None  # the queue a worker puts each verdict on as soon as it is known


def _worker_init(
    mode: str, backend: str, serve: str | None, expect: Expectations | None, results: Any
) -> None:
    global _WORKER, _RESULTS
    _WORKER, _RESULTS = Replayer(mode, backend, serve, expect), results


def _worker_replay(index: int, paths: list[str]) -> None:
    if _WORKER is None:
        raise RuntimeError("worker not initialised")
    for i, path in enumerate(paths):
        _RESULTS.put((index, _WORKER.replay(path, paths[i + 1] if i + 1 < len(paths) else None)))


def replay_all(
    paths: list[Path],
    mode: str = "fast",
    workers: int = 1,
    backend: str = "headless",
    serve: str | Path | None = None,
    expect: Expectations | None = None,
) -> Iterator[ReplayResult]:
    """Replay every trajectory, yielding each verdict as soon as it is known (any order).

    Each replay prepares the next recording's episode while it runs. With several workers, each
    takes consecutive runs of recordings (of the same task, usually), so that still holds.
    """
    if workers <= 1:
        replayer = Replayer(mode, backend, serve, expect)
        try:
            for i, path in enumerate(paths):
                yield replayer.replay(path, paths[i + 1] if i + 1 < len(paths) else None)
        finally:
            replayer.close()
        return
    ctx = multiprocessing.get_context("spawn")  # Playwright does not survive fork
    results = ctx.Queue()
    size = max(1, min(8, -(-len(paths) // (workers * 2))))
    chunks = [[str(p) for p in paths[i : i + size]] for i in range(0, len(paths), size)]
    owed = [len(chunk) for chunk in chunks]  # verdicts still to come, per chunk
    stale = [0] * len(chunks)  # half-seconds of silence since the chunk's worker returned
    with ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=_worker_init,
        initargs=(mode, backend, str(serve) if serve else None, expect, results),
    ) as pool:
        futures = [pool.submit(_worker_replay, i, chunk) for i, chunk in enumerate(chunks)]
        while any(owed):
            try:
                index, result = results.get(timeout=0.5)
            except queue.Empty:
                for i, future in enumerate(futures):
                    if owed[i] and future.done():
                        stale[i] += 1
                    # What a worker put arrives within moments; after 5 s it is not coming.
                    if owed[i] and stale[i] > 10:
                        error = future.exception()
                        yield from _lost(chunks[i][len(chunks[i]) - owed[i] :], error)
                        owed[i] = 0
                continue
            owed[index] -= 1
            yield result


def _in_viewport(
    events: Iterator[tuple[int, Event]], dx: int, dy: int
) -> Iterator[tuple[int, Event]]:
    """Events in screen coordinates moved into the viewport (the page's corner at dx, dy)."""
    for line, event in events:
        yield line, to_viewport(event, dx, dy)


def _lost(paths: list[str], error: BaseException | None) -> Iterator[ReplayResult]:
    """Verdicts for the recordings a crashed worker took with it."""
    for path in paths:
        yield ReplayResult(
            trajectory=path,
            verdict=Verdict.UNREPLAYABLE,
            reason=f"the replay worker stopped ({error!r}); replay this one again",
        )
