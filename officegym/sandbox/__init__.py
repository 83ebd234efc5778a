"""Where episodes run: `local` (processes on this machine) or `docker` (a container per worker).

`get_sandbox(name)` gives the `Sandbox` of a `--sandbox` name; the runner meets it only through
that protocol's hooks (check, start_run, start_worker, cleanup_worker, cleanup_run).
`DockerEnv` is an office task whose browser and apps run in a sandbox container; `DockerWorker`
is one such container; `cleanup()` removes what a run left behind (`officegym sandbox cleanup`).
The container side is `python -m officegym.sandbox` (the env server).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from officegym.sandbox._base import Sandbox, SandboxWorker
from officegym.sandbox._registry import SANDBOX_REGISTRY, SANDBOXES, get_sandbox

if TYPE_CHECKING:  # the names __getattr__ gives, typed for the checker
    from officegym.sandbox._docker import (
        DockerWorker,
        build_image,
        cleanup,
        engine_available,
        labelled,
        new_run_id,
    )
    from officegym.sandbox._env import DockerEnv
    from officegym.sandbox._image import ensure_image

__all__ = [
    "SANDBOXES",
    "SANDBOX_REGISTRY",
    "DockerEnv",
    "DockerWorker",
    "Sandbox",
    "SandboxWorker",
    "build_image",
    "cleanup",
    "engine_available",
    "ensure_image",
    "get_sandbox",
    "labelled",
    "new_run_id",
]

_DOCKER_NAMES = (
    "DockerWorker",
    "build_image",
    "cleanup",
    "engine_available",
    "labelled",
    "new_run_id",
)


def __getattr__(name: str) -> Any:
    # Importing officegym.sandbox stays cheap: the Docker SDK and the env load when used.
    if name == "DockerEnv":
        from officegym.sandbox._env import DockerEnv

        return DockerEnv
    if name in _DOCKER_NAMES:
        from officegym.sandbox import _docker

        return getattr(_docker, name)
    if name == "ensure_image":
        from officegym.sandbox._image import ensure_image

        return ensure_image
    raise AttributeError(name)
