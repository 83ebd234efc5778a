"""Where episodes run: `local` (processes on this machine) or `docker` (a container per worker).

`DockerEnv` is an office task whose browser and apps run in a sandbox container; `DockerWorker`
is one such container; `cleanup()` removes what a run left behind (`officegym sandbox cleanup`).
The container side is `python -m officegym.sandbox` (the env server).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SANDBOXES",
    "DockerEnv",
    "DockerWorker",
    "cleanup",
    "engine_available",
    "ensure_image",
    "labelled",
    "new_run_id",
]

# local: the worker's browser and apps are processes here; docker: they run in a container.
SANDBOXES = ("local", "docker")


def __getattr__(name: str) -> Any:
    # Importing officegym.sandbox stays cheap: the Docker SDK and the env load when used.
    if name == "DockerEnv":
        from officegym.sandbox._env import DockerEnv

        return DockerEnv
    if name in ("DockerWorker", "cleanup", "engine_available", "labelled", "new_run_id"):
        from officegym.sandbox import _docker

        return getattr(_docker, name)
    if name == "ensure_image":
        from officegym.sandbox._image import ensure_image

        return ensure_image
    raise AttributeError(name)
