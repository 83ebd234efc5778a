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
from typing import Any

from officegym.errors import OfficegymError
from officegym.results import Attempt, EpisodeResult
from officegym.runner._episode import Job
from officegym.runner._pool import Limits, WorkerSpec


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
            return self.runner.run(*job)
        except Exception as exc:  # the env failed: report it; the driver retries elsewhere
            return f"the env failed: {type(exc).__name__}: {exc}"

    def close(self) -> None:
        self.runner.close()


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
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports home: runs are offline
        ray = _ray()
        started_here = not ray.is_initialized()
        if started_here:
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
        actor_class = ray.remote(num_cpus=1, max_restarts=0)(_Actor)
        queue: deque[tuple[Job, int]] = deque((job, 1) for job in jobs)
        idle: list[Any] = []
        running: dict[Any, tuple[Any, Job, int, float]] = {}  # ref -> (actor, job, attempt, t0)

        def finish(job: Job, attempt: int, status: str, error: str, result: Any) -> None:
            task_id, seed, episode_id, trajectory = job
            if on_attempt:
                on_attempt(Attempt(episode_id, attempt, status, error, round(time.time(), 3)))
            if status == "crashed" and attempt <= self.limits.retries:
                queue.appendleft((job, attempt + 1))
                return
            if not isinstance(result, EpisodeResult):
                result = EpisodeResult(
                    episode_id, task_id, seed, self.spec.agent, False, 0.0,
                    error=error, trajectory=trajectory, status=status,
                )  # fmt: skip
            result.attempts = attempt
            record(result)

        try:
            while queue or running:
                while queue and len(running) < self.workers:
                    actor = idle.pop() if idle else actor_class.remote(self.spec)
                    job, attempt = queue.popleft()
                    running[actor.run.remote(job)] = (actor, job, attempt, time.monotonic())
                done, _ = ray.wait(list(running), num_returns=1, timeout=0.5)
                for ref in done:
                    actor, job, attempt, _t0 = running.pop(ref)
                    try:
                        value = ray.get(ref)
                    except ray.exceptions.RayError as exc:  # the actor or its node died
                        ray.kill(actor)
                        reason = str(exc).strip().splitlines()[0]
                        finish(job, attempt, "crashed", f"the Ray worker died: {reason}", None)
                        continue
                    if isinstance(value, str):
                        ray.kill(actor)  # its browser is suspect: the next job gets a new one
                        finish(job, attempt, "crashed", value, None)
                    else:
                        idle.append(actor)
                        finish(job, attempt, value.status, value.error, value)
                now = time.monotonic()
                for ref, (actor, job, attempt, t0) in list(running.items()):
                    if now - t0 > self.limits.episode_timeout:
                        del running[ref]
                        ray.kill(actor)
                        reason = f"the episode took longer than {self.limits.episode_timeout:g}s"
                        finish(job, attempt, "timeout", reason, None)
        finally:
            # Let idle actors close their browsers; kill whatever is still busy.
            with contextlib.suppress(ray.exceptions.RayError):
                ray.get([actor.close.remote() for actor in idle], timeout=30)
            for actor in idle + [a for a, *_ in running.values()]:
                ray.kill(actor)
            if started_here:
                ray.shutdown()
