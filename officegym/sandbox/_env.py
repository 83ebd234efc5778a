"""`DockerEnv`: the Gymnasium env of a task whose browser and apps run in a sandbox container.

The agent stays on the host (it may need a model's API; the container may reach nothing); the
container holds Chromium, the apps and the evaluator. Observations, rewards and `info` are the
same as `OfficeEnv`'s; the episode's trajectory is written in the container and copied to the
host's `trajectory_dir` when the episode ends.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any, SupportsFloat

import gymnasium as gym
from gymnasium.error import ResetNeeded

from officegym.envs import (
    ELEMENT_ID,
    OBSERVATION_FIELDS,
    OfficeEnvLike,
    bound_observation,
    observation_space,
)
from officegym.envs.actions import ActionMode, ActionSpace, parse_action
from officegym.errors import ActionError, SandboxError
from officegym.sandbox._docker import DockerWorker
from officegym.sandbox._wire import unpack_observation
from officegym.tasks import Checkpoint, Evaluation, get_task
from officegym.tasks.variants import parse_variant


class DockerEnv(gym.Env[dict[str, Any], Any], OfficeEnvLike):
    """One office task in a Docker sandbox, with `OfficeEnv`'s interface.

    Args:
        task_id: a registered task id.
        worker: the sandbox to use (one per worker; envs of several tasks can share it in turn).
            Without one, the env starts its own and removes it on `close()`.
        run_id: labels a sandbox the env starts itself.
        backend, action_mode, observation, viewport, screenshot_format, prepare_next, variant:
            as for `OfficeEnv`, applied inside the container.

    Raises:
        UnknownNameError: unknown task id or variant.
        VariantError: a variant that does not apply to the task.
        SandboxError: the sandbox could not start, or the env in it could not be made.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}  # noqa: RUF012 — gymnasium's API

    def __init__(
        self,
        task_id: str,
        worker: DockerWorker | None = None,
        run_id: str = "adhoc",
        backend: str = "headless",
        action_mode: ActionMode = "computer",
        observation: tuple[str, ...] = OBSERVATION_FIELDS,
        viewport: tuple[int, int] = (1280, 720),
        screenshot_format: str = "jpeg",
        prepare_next: bool = True,
        render_mode: str | None = None,
        variant: str | None = None,
    ) -> None:
        self.task = get_task(task_id)
        self.action_mode, self.render_mode = action_mode, render_mode
        if variant:  # its window is the agent's viewport, here as in the container
            chosen = parse_variant(variant)
            chosen.check(self.task)
            viewport = chosen.for_episode(task_id, 0).window or viewport
        self.viewport = (int(viewport[0]), int(viewport[1]))
        self.fields = tuple(f for f in OBSERVATION_FIELDS if f in observation)
        self.observation_space = observation_space(self.fields, self.viewport)
        self.action_space: ActionSpace = ActionSpace(action_mode, *self.viewport)
        self._owns_worker = worker is None
        self.worker = worker if worker is not None else DockerWorker(run_id)
        self.evaluation: Evaluation | None = None
        self.episode_id: str | None = None
        self._trajectory_dir: Path | None = None
        self._last: dict[str, Any] = {}
        self._handle: int | None = None
        try:
            reply, _ = self.worker.call(
                {
                    "op": "make",
                    "task_id": task_id,
                    "backend": backend,
                    "action_mode": action_mode,
                    "observation": list(self.fields),
                    "viewport": list(self.viewport),
                    "screenshot_format": screenshot_format,
                    "prepare_next": prepare_next,
                    "variant": variant,
                }
            )
            self._handle = int(reply["env"])
        except BaseException:
            self.close()
            raise

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        self.action_space.seed(seed)
        self._collect_trajectory()
        options = dict(options or {})
        folder = options.pop("trajectory_dir", None)
        self._trajectory_dir = Path(folder) if folder is not None else None
        reply, pixels = self._call(
            {"op": "reset", "seed": seed, "options": options, "record": folder is not None}
        )
        self.evaluation = None
        info: dict[str, Any] = reply["info"]
        self.episode_id = info.get("episode_id")
        return self._observation(reply, pixels), info

    def step(self, action: Any) -> tuple[dict[str, Any], SupportsFloat, bool, bool, dict[str, Any]]:
        if self.episode_id is None:
            raise ResetNeeded("call reset() before step()")
        try:  # bounded here too: what crosses to the container must be plain, small JSON
            action = parse_action(action, self.action_mode, self.viewport).model_dump(mode="json")
        except ActionError as exc:
            # The env in the container refuses this as well and makes it the step's error,
            # counting the step; the agent's own object may not even serialise (a loop).
            action = f"<unreadable action: {str(exc)[:500]}>"
        reply, pixels = self._call({"op": "step", "action": action})
        if reply.get("evaluation") is not None:
            self.evaluation = Evaluation(tuple(Checkpoint(**c) for c in reply["evaluation"]))
        terminated, truncated = bool(reply["terminated"]), bool(reply["truncated"])
        obs = self._observation(reply, pixels)
        if terminated or truncated:
            self._collect_trajectory()
        return obs, reply["reward"], terminated, truncated, reply["info"]

    def _observation(self, reply: dict[str, Any], pixels: bytes | None) -> dict[str, Any]:
        # Bounded here too: the container runs pages an agent steered, and is not trusted.
        # Already shown by the env inside: kept when in its space, escaped again otherwise.
        obs = bound_observation(unpack_observation(reply["obs"], pixels), already_shown=True)
        self._last = obs
        self.action_space.element_ids = ELEMENT_ID.findall(obs.get("axtree", ""))
        return obs

    def _collect_trajectory(self) -> None:
        """Copy the episode's trajectory out of the container into `trajectory_dir`."""
        folder, self._trajectory_dir = self._trajectory_dir, None
        if folder is None or self.worker.conn is None:
            return
        _, archive = self._call({"op": "trajectory"})
        if archive is None:
            return
        with zipfile.ZipFile(io.BytesIO(archive)) as files:
            # The archive comes from the sandbox: its names stay inside the folder, and it is
            # stored, not compressed, so what it unpacks to is no more than what was received.
            for entry in files.infolist():
                target = (folder / entry.filename).resolve()
                if not target.is_relative_to(folder.resolve()):
                    raise SandboxError(
                        f"sandbox trajectory file {entry.filename!r} points outside {folder}"
                    )
                if entry.compress_type != zipfile.ZIP_STORED:
                    raise SandboxError(f"sandbox trajectory file {entry.filename!r} is compressed")
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            files.extractall(folder)

    def evaluate_in_page(self, script: str, arg: Any = None) -> Any:
        """Run a script in the episode's page, as a hostile page would (conformance tests)."""
        reply, _ = self._call({"op": "evaluate", "script": script, "arg": arg})
        return reply["result"]

    def state_digest(self) -> str:
        """sha256 over every app's state in the sandbox (equal digests: identical state)."""
        reply, _ = self._call({"op": "digest"})
        return str(reply["digest"])

    def _call(self, request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
        return self.worker.call(dict(request, env=self._handle))

    def render(self) -> Any:
        return self._last.get("screenshot")

    def close(self) -> None:
        worker = getattr(self, "worker", None)
        if worker is None:
            return
        if worker.conn is not None and self._handle is not None:
            try:
                self._collect_trajectory()
                self._call({"op": "close"})
            except Exception:
                pass  # a sandbox that is gone, or has another env now, has nothing of ours
        self._handle = None
        if self._owns_worker:
            worker.close()
        super().close()
