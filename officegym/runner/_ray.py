"""The Ray executor: the same workers as Ray actors, for runs that outgrow one machine.

Each actor owns an `EpisodeRunner` (a browser and its apps) and plays one episode at a time. The
driver keeps the episode deadline: an actor past it is killed and the episode recorded as
`timeout`; an actor that dies (its node, process or browser) is replaced and the episode
retried, as on the local pool. Step deadlines need the step reports only the local pool gets,
so on Ray the episode timeout is the one that applies.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from officegym.errors import OfficegymError
from officegym.results import Attempt, EpisodeResult
from officegym.runner._config import Limits, WorkerSpec
from officegym.runner._jobs import EPISODE_TIMEOUT_KIND, Job, Pending, RetryPolicy


class RayUnavailableError(OfficegymError, RuntimeError):
    """Ray is not installed (it is the `officegym[ray]` extra)."""


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailableError(
            "--executor ray needs Ray: pip install 'officegym[ray]'"
        ) from None
    return ray


class _Actor:
    """Body of the Ray actor (wrapped with `ray.remote` at run time, so Ray stays optional)."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.runner = spec.episode_runner()

    def run(self, job: Job) -> EpisodeResult | str:
        try:
            return self.runner.run(
                job.task_id,
                job.seed,
                job.episode_id,
                job.trajectory,
                variant=job.variant,
                prepare_next=job.prepare_next,
            )
        except Exception as exc:  # the env failed: report it; the driver retries elsewhere
            return f"the env failed: {type(exc).__name__}: {exc}"

    def close(self) -> None:
        self.runner.close()


@dataclass
class _Running:
    """An episode in flight on an actor, since `started` (monotonic)."""

    actor: Any
    pending: Pending
    started: float


class RayPool:
    """Runs jobs on `workers` Ray actors; `record` gets each final result as it is known.

    Args:
        address: a running cluster's address (`ray://…` or `HOST:PORT`); None starts a local
            Ray on this machine for the run.
    """

    def __init__(
        self, workers: int, spec: WorkerSpec, limits: Limits, address: str | None = None
    ) -> None:
        self.workers, self.spec, self.limits, self.address = workers, spec, limits, address

    def run(
        self,
        jobs: list[Job],
        record: Callable[[EpisodeResult], None],
        on_attempt: Callable[[Attempt], None] | None = None,
    ) -> None:
        """Play every job to a final result, retrying as `RetryPolicy` says.

        Raises:
            RayUnavailableError: Ray is not installed, or could not start or be reached.
        """
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports home: runs are offline
        ray = _ray()
        started_here = not ray.is_initialized()
        if started_here:
            self._init(ray)
        policy = RetryPolicy(self.spec.agent, self.limits.retries, record, on_attempt)
        try:
            _RayRun(self, ray, policy, jobs).run()
        finally:
            if started_here:
                ray.shutdown()

    def _init(self, ray: Any) -> None:
        try:
            ray.init(
                address=self.address,
                num_cpus=None if self.address else self.workers,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        except (OSError, ConnectionError, RuntimeError, ValueError) as exc:
            where = self.address or "on this machine"
            raise RayUnavailableError(f"could not start Ray {where}: {exc}") from exc


class _RayRun:
    """One `RayPool.run`: its queue, its actors, and the loop that keeps the episode deadline."""

    def __init__(self, pool: RayPool, ray: Any, policy: RetryPolicy, jobs: list[Job]) -> None:
        self.pool, self.ray, self.policy = pool, ray, policy
        self.actor_class = ray.remote(num_cpus=1, max_restarts=0)(_Actor)
        self.queue: deque[Pending] = deque(Pending(job, 1) for job in jobs)
        self.idle: list[Any] = []
        self.running: dict[Any, _Running] = {}  # by the reference to the actor's result

    def run(self) -> None:
        try:
            while self.queue or self.running:
                self._launch()
                done, _ = self.ray.wait(list(self.running), num_returns=1, timeout=0.5)
                for ref in done:
                    self._collect(ref)
                self._check_deadlines()
        finally:
            self._shut_down()

    def _launch(self) -> None:
        """Start queued jobs on idle actors, or new ones, up to `workers` at a time."""
        while self.queue and len(self.running) < self.pool.workers:
            actor = self.idle.pop() if self.idle else self.actor_class.remote(self.pool.spec)
            pending = self.queue.popleft()
            ref = actor.run.remote(pending.job)
            self.running[ref] = _Running(actor, pending, time.monotonic())

    def _finish(
        self,
        pending: Pending,
        status: str,
        error: str,
        result: EpisodeResult | None,
        kind: str | None = None,
    ) -> None:
        again = self.policy.settle(pending, status, error, result, kind=kind)
        if again is not None:
            self.queue.appendleft(again)

    def _collect(self, ref: Any) -> None:
        running = self.running.pop(ref)
        actor, pending = running.actor, running.pending
        try:
            value = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:  # the actor or its node died
            self.ray.kill(actor)
            reason = str(exc).strip().splitlines()[0]
            self._finish(pending, "crashed", f"the Ray worker died: {reason}", None)
            return
        if isinstance(value, str):
            self.ray.kill(actor)  # its browser is suspect: the next job gets a new one
            self._finish(pending, "crashed", value, None)
        else:
            self.idle.append(actor)
            self._finish(pending, value.status, value.error, value)

    def _check_deadlines(self) -> None:
        now, timeout = time.monotonic(), self.pool.limits.episode_timeout
        for ref, running in list(self.running.items()):
            if now - running.started > timeout:
                del self.running[ref]
                self.ray.kill(running.actor)
                reason = f"the episode took longer than {timeout:g}s"
                self._finish(running.pending, "timeout", reason, None, EPISODE_TIMEOUT_KIND)

    def _shut_down(self) -> None:
        """Let idle actors close their browsers; kill whatever is still busy."""
        with contextlib.suppress(self.ray.exceptions.RayError):
            self.ray.get([actor.close.remote() for actor in self.idle], timeout=30)
        for actor in self.idle + [r.actor for r in self.running.values()]:
            self.ray.kill(actor)
