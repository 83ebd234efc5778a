"""What a sandbox is to the runner: the `Sandbox` and `SandboxWorker` protocols.

A run meets its sandbox at five points, in this order (the hooks of inspect_ai's sandboxes,
named for a run of workers rather than a task of samples):

1. `Sandbox.check()` — in the runner, before anything starts: can this sandbox run here?
2. `Sandbox.start_run(name)` — in the runner, once: what every worker shares (an image) and the
   run id that labels what the workers make.
3. `Sandbox.start_worker(run_id)` — in each worker, when its first env is needed: a
   `SandboxWorker`, whose `make_env` gives the env of each task it plays and whose `close()`
   tears down what it holds when the worker ends.
4. `Sandbox.cleanup_worker(run_id, pid)` — in the runner, after it killed a worker, which then
   could not tear down its own.
5. `Sandbox.cleanup_run(run_id)` — in the runner, after the run however it ended.

Every teardown is idempotent and never raises: it runs in `finally` blocks, where an error of
its own would hide the one that ended the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import gymnasium


class SandboxWorker(Protocol):
    """One worker's part of a sandbox (a container, or nothing at all), kept across its tasks."""

    def make_env(
        self, task_id: str, action_mode: str, backend: str, variant: str | None = None
    ) -> gymnasium.Env[Any, Any]:
        """The env of one task in this worker's sandbox (under `variant`, if given).

        The env may be wrapped (`gymnasium.make` adds checks); its `unwrapped` is an
        `officegym.envs.OfficeEnvLike`.

        Raises:
            UnknownNameError: unknown task id.
            SandboxError: the sandbox could not make the env.
        """
        ...

    def close(self) -> None:
        """Tear down what this worker holds (idempotent; never raises)."""
        ...


class Sandbox(Protocol):
    """Where a worker's browser and apps run: one per `--sandbox` name (stateless)."""

    name: str

    def check(self) -> None:
        """Fail before the run starts if this sandbox cannot run on this machine.

        Raises:
            SandboxError: what it lacks, in one line.
        """
        ...

    def start_run(self, run_name: str) -> str | None:
        """Prepare what every worker of the run shares; return the run's id.

        Args:
            run_name: the run's name (its output folder's), for a readable id.

        Returns:
            The id that labels whatever the run's workers make (recorded in the run's info as
            `sandbox_run`), or None when the sandbox makes nothing to label.

        Raises:
            SandboxError: what the workers need could not be prepared.
        """
        ...

    def start_worker(self, run_id: str) -> SandboxWorker:
        """A worker's sandbox, in the worker's own process.

        Raises:
            SandboxError: the sandbox could not start.
        """
        ...

    def cleanup_worker(self, run_id: str, pid: int) -> None:
        """Remove what the worker process `pid` left after it was killed (never raises)."""
        ...

    def cleanup_run(self, run_id: str | None) -> None:
        """Remove whatever the run's workers left (idempotent; never raises)."""
        ...
