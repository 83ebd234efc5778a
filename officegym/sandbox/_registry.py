"""The sandboxes by `--sandbox` name: `local` (processes here) and `docker` (a container each).

The table is fixed at import: worker processes are spawned (and Ray actors start elsewhere), so
they look their sandbox up by name in a fresh interpreter, where only what this module defines
exists. A new sandbox is a class with the `Sandbox` protocol's methods and an entry here.
Nothing here loads the Docker SDK or a browser until a method needs it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, cast

from officegym.errors import SandboxError

if TYPE_CHECKING:
    import gymnasium

    from officegym.envs.actions import ActionMode
    from officegym.sandbox._base import Sandbox, SandboxWorker
    from officegym.sandbox._docker import DockerWorker


class _LocalWorker:
    """A worker whose browser and apps are its own child processes: nothing to hold."""

    def make_env(
        self, task_id: str, action_mode: str, backend: str, variant: str | None = None
    ) -> gymnasium.Env[Any, Any]:
        import gymnasium

        from officegym.envs import env_id

        return gymnasium.make(
            env_id(task_id), action_mode=action_mode, backend=backend, variant=variant
        )

    def close(self) -> None:
        pass  # each env closes its own browser


class LocalSandbox:
    """Browsers and apps as processes on this machine (egress blocked but for the apps)."""

    name = "local"

    def check(self) -> None:
        pass  # the env says itself what it lacks (Playwright's Chromium, Xvfb)

    def start_run(self, run_name: str) -> str | None:
        return None  # nothing is made outside the workers' own processes

    def start_worker(self, run_id: str) -> SandboxWorker:
        return _LocalWorker()

    def cleanup_worker(self, run_id: str, pid: int) -> None:
        pass  # nothing of a local worker lives outside its own processes

    def cleanup_run(self, run_id: str | None) -> None:
        pass


class _DockerWorker:
    """A worker's sandbox container, started with its first env and shared by its tasks."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self._container: DockerWorker | None = None

    def make_env(
        self, task_id: str, action_mode: str, backend: str, variant: str | None = None
    ) -> gymnasium.Env[Any, Any]:
        from officegym.sandbox._docker import DockerWorker
        from officegym.sandbox._env import DockerEnv

        if self._container is None:
            self._container = DockerWorker(self.run_id)
        mode = cast("ActionMode", action_mode)
        return DockerEnv(
            task_id, self._container, action_mode=mode, backend=backend, variant=variant
        )

    def close(self) -> None:
        container, self._container = self._container, None
        if container is not None:
            container.close()  # idempotent and never raises


class DockerSandbox:
    """A container per worker (browser, Xvfb and apps) with no network, labelled by run."""

    name = "docker"

    def check(self) -> None:
        from officegym.sandbox._docker import engine_available

        missing = engine_available()
        if missing:
            raise SandboxError(f"--sandbox docker: {missing}")

    def start_run(self, run_name: str) -> str | None:
        from officegym.sandbox._docker import build_image, new_run_id

        build_image()  # here, once: in a worker a first build would outlast the step timeout
        return new_run_id(run_name)

    def start_worker(self, run_id: str) -> SandboxWorker:
        return _DockerWorker(run_id)

    def cleanup_worker(self, run_id: str, pid: int) -> None:
        from officegym.sandbox._docker import cleanup

        with contextlib.suppress(Exception):  # what is left, `officegym sandbox cleanup` sweeps
            cleanup(run_id, worker=pid)

    def cleanup_run(self, run_id: str | None) -> None:
        if run_id is None:  # the run never started: `cleanup(None)` would sweep every run's
            return
        from officegym.sandbox._docker import cleanup

        # Never in place of the error that ended the run; `officegym sandbox cleanup` removes
        # what is left if the engine has gone too.
        with contextlib.suppress(Exception):
            cleanup(run_id)


SANDBOX_REGISTRY: dict[str, Sandbox] = {"local": LocalSandbox(), "docker": DockerSandbox()}
# The names, for `--sandbox`'s choices.
SANDBOXES = tuple(SANDBOX_REGISTRY)


def get_sandbox(name: str) -> Sandbox:
    """The sandbox of a `--sandbox` name.

    Raises:
        ValueError: no sandbox has that name.
    """
    try:
        return SANDBOX_REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown sandbox {name!r}: use one of {SANDBOXES}") from None
