"""The local worker pool: N processes, each owning a browser and its apps, one episode at a time.

The parent process keeps every deadline. A worker notes in memory it shares with the parent
where it is (the agent thinking, or the env acting, at step n, since when); the parent reads it
at each poll, so a step costs no message and no wake-up of the parent. A worker stuck past its
step or episode timeout is killed. When it was the agent that hung, the episode is recorded as
`timeout` (the agent is what is measured: never retried); when the env hung, or the worker or
its browser died, the episode is retried on a fresh worker, at most `retries` more times, and
every attempt is recorded.

With `pin` (`--pin`) and more than one worker, each worker and every process it starts (its
Node driver, its Chromium, its app server) is pinned to one core, round robin over the cores
this process may use. A step is a chain of short wake-ups across those processes; unpinned, the
kernel of a virtual machine may pack two workers' chains onto one core while the other idles.
But a pinned worker cannot leave a core another process keeps busy: measured on 2 cores in one
run (benchmarks/RESULTS.md, 2026-12-06), pinned workers were not faster idle and were slower
beside a busy process, so the kernel places them by default. One worker is never pinned: its
chain runs about 20 % faster spread over every core.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from officegym.results import Attempt, EpisodeResult
from officegym.runner._config import Limits, WorkerSpec
from officegym.runner._folder import hold_shared
from officegym.runner._jobs import (
    EPISODE_TIMEOUT_KIND,
    STEP_TIMEOUT_KIND,
    Job,
    Pending,
    RetryPolicy,
)
from officegym.sandbox import get_sandbox


def worker_cores(workers: int) -> list[int | None]:
    """The core each worker is pinned to (None: not pinned), round robin over the usable ones."""
    cores = sorted(os.sched_getaffinity(0))
    if workers < 2 or len(cores) < 2:
        return [None] * workers
    return [cores[lane % len(cores)] for lane in range(workers)]


PHASES = ("start", "act", "step")  # "act": the agent is thinking; "step": the env is acting


def _worker_main(
    conn: Connection,
    spec: WorkerSpec,
    progress: Any,
    core: int | None = None,
    hold: str | None = None,
) -> None:
    """A worker: run the episodes it is sent, note its steps in `progress` (phase, step, since),
    and exit after an env failure.

    `hold` is a run folder's `workers.lock`, locked shared while this process lives: a worker
    orphaned by a SIGKILLed runner still writes its episode, and keeps a new run out meanwhile.
    """
    if hold is not None:
        hold_shared(hold)  # the descriptor stays open, and the lock held, until the process exits
    if core is not None:
        # Before any thread or child process exists: they all inherit this affinity.
        with contextlib.suppress(OSError):  # a container may forbid it; then run unpinned
            os.sched_setaffinity(0, {core})

    parent = os.getppid()

    def note(phase: str, step: int) -> None:
        if os.getppid() != parent:  # the runner was killed: stop here, as --resume redoes this
            raise BrokenPipeError("the runner is gone")
        _note(progress, phase, step, time.monotonic())

    runner = None
    try:
        try:
            runner = spec.episode_runner()
        except Exception as exc:
            # Making the runner is looking up the sandbox (checked before the run) and making
            # the agent: a failure here is the agent's (its import or constructor), and final.
            detail = traceback.format_exception_only(exc)[-1].strip()
            error = f"agent {spec.agent!r} could not be made in the worker: {detail}"
            _refuse_job(conn, error, type(exc).__name__)
            return
        while True:
            try:
                job: Job | None = conn.recv()
            except EOFError:  # the parent is gone
                return
            if job is None:
                return
            try:
                result = runner.run(
                    job.task_id,
                    job.seed,
                    job.episode_id,
                    job.trajectory,
                    on_step=note,
                    variant=job.variant,
                    prepare_next=job.prepare_next,
                )
            except Exception as exc:  # the env, its browser or its apps failed, not the agent
                detail = traceback.format_exception_only(exc)[-1].strip()
                conn.send(("crashed", f"the env failed: {detail}"))
                return  # a fresh process gets a fresh browser
            conn.send(("done", result))
    except (BrokenPipeError, EOFError):
        return
    finally:
        if runner is not None:
            with contextlib.suppress(Exception):
                runner.close()


def _refuse_job(conn: Connection, error: str, kind: str) -> None:
    """Answer the job this worker is sent with an agent error (it can play none)."""
    try:
        if conn.recv() is not None:
            conn.send(("agent_error", error, kind))
    except EOFError:
        pass


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    lane: int
    pending: Pending | None = None  # the job it plays, and which attempt at it
    started: float = 0.0
    progress: Any = None  # shared with the worker: phase index, step, monotonic time since

    def where(self) -> tuple[str, int, float]:
        """(phase, step, since when) as the worker last noted it."""
        with _locked(self.progress):
            phase, step, since = self.progress[:]
        return PHASES[int(phase)], int(step), since


@contextlib.contextmanager
def _locked(progress: Any) -> Iterator[None]:
    # A process killed while it held the lock would hold it for ever: after a second, go on
    # without it (a dead worker's deadline says so; a dead parent leaves nothing to tell).
    lock = progress.get_lock()
    held = lock.acquire(timeout=1.0)
    try:
        yield
    finally:
        if held:
            lock.release()


def _note(progress: Any, phase: str, step: int, since: float) -> None:
    """Write where a worker is (by the worker as it goes, by the parent as it hands out a job)."""
    with _locked(progress):
        progress[:] = [PHASES.index(phase), step, since]


class _Lanes:
    """The jobs cut into one contiguous lane per worker.

    A worker then plays a task's seeds in order, so the episode its env prepares ahead (the next
    seed) is the one it gets next. A worker whose lane is empty takes the back half of the
    longest lane, which keeps both halves contiguous.
    """

    def __init__(self, jobs: list[Job], lanes: int) -> None:
        size = -(-len(jobs) // lanes) if jobs else 1
        self.lanes = [
            deque(Pending(j, 1) for j in jobs[i * size : (i + 1) * size]) for i in range(lanes)
        ]

    def __bool__(self) -> bool:
        return any(self.lanes)

    def take(self, lane: int) -> Pending | None:
        own = self.lanes[lane]
        if not own:
            longest = max(self.lanes, key=len)
            stolen = [longest.pop() for _ in range(max(1, len(longest) // 2)) if longest]
            own.extend(reversed(stolen))
        return own.popleft() if own else None

    def again(self, lane: int, item: Pending) -> None:
        self.lanes[lane].appendleft(item)


@dataclass
class WorkerPool:
    """Runs jobs on `workers` processes; `record` gets each final result as it is known."""

    workers: int
    spec: WorkerSpec
    limits: Limits = field(default_factory=Limits)
    poll: float = 0.5
    pin: bool = False  # each worker on a core of its own (see the module docstring)
    hold: str | None = None  # a file each worker locks shared while it lives (workers.lock)

    def run(
        self,
        jobs: list[Job],
        record: Callable[[EpisodeResult], None],
        on_attempt: Callable[[Attempt], None] | None = None,
    ) -> None:
        """Play every job to a final result, retrying as `RetryPolicy` says.

        Returns once every job's result is recorded and every worker has exited.
        """
        policy = RetryPolicy(self.spec.agent, self.limits.retries, record, on_attempt)
        _PoolRun(self, policy, jobs).run()


class _PoolRun:
    """One `WorkerPool.run`: its lanes, its workers, and the loop that keeps their deadlines."""

    def __init__(self, pool: WorkerPool, policy: RetryPolicy, jobs: list[Job]) -> None:
        self.pool, self.policy, self.limits = pool, policy, pool.limits
        self.ctx = multiprocessing.get_context("spawn")  # Playwright does not survive fork
        self.lanes = _Lanes(jobs, pool.workers)
        self.slots: list[_Slot] = []
        self.leaving: list[_Slot] = []  # told to stop: closing their browsers while others finish
        self.cores = worker_cores(pool.workers) if pool.pin else [None] * pool.workers
        self.sandbox = get_sandbox(pool.spec.sandbox)

    def run(self) -> None:
        try:
            while self.lanes or any(s.pending for s in self.slots):
                self._deal()
                busy = [s for s in self.slots if s.pending]
                ready = wait(
                    [s.conn for s in busy] + [s.process.sentinel for s in busy], self.pool.poll
                )
                for slot in busy:
                    if slot.conn in ready or slot.process.sentinel in ready:
                        self._read(slot)
                for slot in [s for s in self.slots if s.pending]:
                    self._check_deadlines(slot)
        finally:
            self._shut_down()

    def _deal(self) -> None:
        """Give each idle lane its next job, starting its worker if it has none; dismiss the
        worker of a lane with no work left."""
        for lane in range(self.pool.workers):
            slot = next((s for s in self.slots if s.lane == lane), None)
            if slot is not None and slot.pending:
                continue
            item = self.lanes.take(lane)
            if item is None:
                if slot is not None:  # no work is left for it (a retry starts a new one)
                    self._dismiss(slot)
                continue
            slot = slot or self._start(lane)
            now = time.monotonic()
            slot.pending, slot.started = item, now
            _note(slot.progress, "start", 0, now)
            slot.conn.send(item.job)

    def _start(self, lane: int) -> _Slot:
        parent, child = self.ctx.Pipe()
        progress = self.ctx.Array("d", 3)
        args = (child, self.pool.spec, progress, self.cores[lane], self.pool.hold)
        process = self.ctx.Process(target=_worker_main, args=args, daemon=True)
        process.start()
        child.close()
        slot = _Slot(process, parent, lane, progress=progress)
        self.slots.append(slot)
        return slot

    def _finish(
        self,
        slot: _Slot,
        status: str,
        error: str,
        result: EpisodeResult | None,
        kind: str | None = None,
        steps: int = 0,
    ) -> None:
        pending, slot.pending = slot.pending, None  # settled, even if recording it stops the run
        if pending is None:
            raise RuntimeError("a result from a worker without a job")
        again = self.policy.settle(pending, status, error, result, kind=kind, steps=steps)
        if again is not None:
            self.lanes.again(slot.lane, again)

    def _dismiss(self, slot: _Slot) -> None:
        with contextlib.suppress(OSError):
            slot.conn.send(None)
        self.slots.remove(slot)
        self.leaving.append(slot)

    def _stop(self, slot: _Slot) -> None:
        slot.process.kill()
        slot.process.join(5)
        slot.conn.close()
        self.slots.remove(slot)
        if slot.process.pid is not None:  # a killed worker cannot tear down its own sandbox
            self.sandbox.cleanup_worker(self.pool.spec.run_id, slot.process.pid)

    def _shut_down(self) -> None:
        # A worker still in an episode when the run ends (stopped by its fail-fast, or an
        # interrupt) is stopped at once: nothing will read its result, and a resume plays it.
        for slot in [s for s in self.slots if s.pending]:
            self._stop(slot)
        for slot in list(self.slots):  # all at once: each closes its browser in parallel
            self._dismiss(slot)
        for slot in self.leaving:
            slot.process.join(10)
            if slot.process.is_alive():
                slot.process.kill()
            slot.conn.close()

    def _read(self, slot: _Slot) -> None:
        try:
            while slot.conn.poll():
                message: tuple[Any, ...] = slot.conn.recv()
                if message[0] == "done":
                    self._finish(slot, message[1].status, message[1].error, message[1])
                    return
                elif message[0] == "agent_error":
                    self._finish(slot, message[0], message[1], None, kind=message[2])
                    self._stop(slot)
                    return
                elif message[0] == "crashed":
                    self._finish(slot, message[0], message[1], None)
                    self._stop(slot)
                    return
        except (EOFError, OSError):
            pass
        if not slot.process.is_alive():  # died without a word: killed, or Chromium took it down
            code = slot.process.exitcode
            self._finish(slot, "crashed", f"the worker process died (exit code {code})", None)
            self._stop(slot)

    def _check_deadlines(self, slot: _Slot) -> None:
        now, limits = time.monotonic(), self.limits
        phase, step, since = slot.where()
        allowed = limits.step_timeout
        if phase == "start":
            allowed = max(allowed, limits.start_timeout)
        if now - slot.started > limits.episode_timeout:
            reason = f"the episode took longer than {limits.episode_timeout:g}s"
        elif now - since <= allowed:
            return
        elif phase == "start":
            reason = f"the env took longer than {allowed:g}s to start and reset"
        else:
            doing = "the agent" if phase == "act" else "the env"
            reason = f"{doing} took longer than {allowed:g}s at step {step + 1}"
        # A hung agent is the agent's failure; a hung env is ours, and worth another try.
        if now - slot.started > limits.episode_timeout:
            status, kind = "timeout", EPISODE_TIMEOUT_KIND
        elif phase == "act":
            status, kind = "timeout", STEP_TIMEOUT_KIND
        else:
            status, kind = "crashed", None
        self._stop(slot)  # first: recording the result may stop the run (fail-fast)
        self._finish(slot, status, reason, None, kind=kind, steps=step)
