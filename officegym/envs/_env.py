"""OfficeEnv: a Gymnasium env for one office task, on a shared headless Chromium."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import math
import re
import time
from pathlib import Path
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.error import ResetNeeded
from PIL import Image, ImageGrab
from playwright.async_api import Error as PlaywrightError

from officegym import trajectory as T
from officegym.browser import (
    POPUPS_PROBE,
    SCREEN,
    TWO_FRAMES_JS,
    BrowserHost,
    OsInput,
    Stage,
    page_state_js,
    prepare_stage,
    read_page,
    restart_stage,
)
from officegym.envs import ENV_BACKENDS
from officegym.envs._bounds import OBSERVATION_TEXT_LIMITS, bound_observation
from officegym.envs._executor import Executor
from officegym.envs._protocol import OfficeEnvLike
from officegym.envs._record import episode_meta
from officegym.envs._spaces import text_space
from officegym.envs._step import STAGE_ACTIONS, STEP_TIMEOUT_S, blocked_text, perform
from officegym.envs._variants import resolve_variant, to_page, to_screen
from officegym.envs.actions import (
    VIEWPORT_MARGIN,
    ActionMode,
    ActionSpace,
    Answer,
    parse_action,
)
from officegym.errors import ActionError
from officegym.tasks import Apps, Evaluation, get_task
from officegym.trajectory import TrajectoryWriter

OBSERVATION_FIELDS = ("goal", "url", "screenshot", "axtree", "last_action_error", "tabs")
# Asked for by name, never by default: the whole virtual screen (xvfb backend only).
SCREEN_FIELD = "screen"
# The element ids of an accessibility tree as the observation writes it: `[12] button "Send"`.
ELEMENT_ID = re.compile(r"^\s*\[([^\]]+)\]", re.M)
__all__ = ["ELEMENT_ID", "OBSERVATION_FIELDS", "STAGE_ACTIONS", "OfficeEnv", "observation_space"]


def observation_space(fields: tuple[str, ...], viewport: tuple[int, int]) -> spaces.Dict:
    """The observation space of an env that fills `fields` at this viewport size: Gymnasium's
    own spaces (`Text` and `Box`), so vector envs can share observations in memory."""
    images = {"screenshot": viewport, SCREEN_FIELD: SCREEN}
    obs_spaces: dict[str, spaces.Space[Any]] = {
        name: text_space(name) for name in fields if name in OBSERVATION_TEXT_LIMITS
    }
    for name, (width, height) in images.items():
        if name in fields:
            obs_spaces[name] = spaces.Box(0, 255, (height, width, 3), np.uint8)
    return spaces.Dict(obs_spaces)


class OfficeEnv(gym.Env[dict[str, Any], Any], OfficeEnvLike):
    """One office task as a Gymnasium env.

    Args:
        task_id: a registered task id, e.g. ``"mail.reply-to-sender"``.
        backend: ``"headless"`` (Chromium's headless mode) or ``"xvfb"`` (a headed Chromium
            window on a virtual X display the process starts; needs Xvfb).
        action_mode: ``"computer"`` (pixels and keys) or ``"browser"`` (element ids).
        observation: which observation fields to fill; leaving out ``"screenshot"`` makes steps
            cheaper.
        viewport: (width, height) of the page in CSS pixels.
        trajectory_dir: if set, every episode writes its trajectory to ``<dir>/<episode id>/``
            (``reset(options={"trajectory_dir": path})`` sets the exact folder of one episode).
        render_mode: ``"rgb_array"`` returns the last screenshot.
        screenshot_format: ``"jpeg"`` (quality 90, the default: faster) or ``"png"`` (lossless).
        prepare_next: prepare the next episode while this one runs (fast resets, one more
            browser context in memory); False trades reset time for memory.
        os_input: (xvfb backend) act through the window system with xdotool, as a person's
            hand does, instead of through the browser's driver. Add ``"screen"`` to
            `observation` for the whole virtual screen as well. Either one prepares no episode
            ahead (its window would cover this one's), so resets load the page. Positions must
            then lie on the page: beyond it is the browser's own window.
        step_timeout: seconds a step's action may take (the page settling included); one that
            takes longer is stopped, nothing of it left running, and reported as the step's
            ``last_action_error``.
        variant: play the task under a variant (`officegym.tasks.variants`, docs/variants.md):
            ``"narrow"``, ``"popup+narrow"``…; its window replaces `viewport`. `info["variant"]`
            names it (None: as the apps are).

    Raises:
        UnknownNameError: unknown task id or variant (with a did-you-mean).
        VariantError: a variant that does not apply to the task.
        ValueError: unknown backend, action mode, observation field or format.

    While an episode runs, the env prepares the next one (state, context, loaded page) for the
    seed it expects next: ``seed + 1`` after ``reset(seed=seed)``, or the one it will draw itself
    for ``reset()``. ``reset(options={"next_seed": n})`` names it explicitly, and
    ``reset(options={"prepare_next": False})`` prepares none after this episode (a caller that
    knows it is the last, or that the next is another seed). A reset with another seed still
    works; it just pays for the page load.

    Example (needs Chromium, so not run as a doctest)::

        env = gymnasium.make("officegym/mail.apply-label-v0", action_mode="browser")
        obs, info = env.reset(seed=0)
        obs, reward, terminated, truncated, info = env.step("click('12')")
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}  # noqa: RUF012 — gymnasium's API

    def __init__(
        self,
        task_id: str,
        backend: str = "headless",
        action_mode: ActionMode = "computer",
        observation: tuple[str, ...] = OBSERVATION_FIELDS,
        viewport: tuple[int, int] = (1280, 720),
        trajectory_dir: str | Path | None = None,
        render_mode: str | None = None,
        screenshot_format: str = "jpeg",
        prepare_next: bool = True,
        os_input: bool = False,
        step_timeout: float = STEP_TIMEOUT_S,
        variant: str | None = None,
    ) -> None:
        self.task = get_task(task_id)
        self.variant, viewport, self.scale = resolve_variant(variant, self.task, viewport)
        if backend not in ENV_BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; available: {', '.join(ENV_BACKENDS)}")
        if action_mode not in ("computer", "browser"):
            raise ValueError(f"unknown action_mode {action_mode!r}; use 'computer' or 'browser'")
        unknown = set(observation) - {*OBSERVATION_FIELDS, SCREEN_FIELD}
        if unknown:
            raise ValueError(
                f"unknown observation fields {sorted(unknown)}; "
                f"available: {', '.join(OBSERVATION_FIELDS)}, {SCREEN_FIELD} (xvfb)"
            )
        if (os_input or SCREEN_FIELD in observation) and backend != "xvfb":
            raise ValueError("os_input and the 'screen' observation need backend='xvfb'")
        if screenshot_format not in ("jpeg", "png"):
            raise ValueError(f"screenshot_format {screenshot_format!r}: use 'jpeg' or 'png'")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode {render_mode!r} is not supported; use 'rgb_array'")
        self.backend, self.action_mode, self.render_mode = backend, action_mode, render_mode
        # On a screen every context is a window: a next episode prepared ahead would open on
        # top of this one, in front of the pointer and in the screen's picture.
        self.prepare_next = prepare_next and not (os_input or SCREEN_FIELD in observation)
        if not 0 < float(step_timeout) < math.inf:
            raise ValueError(f"step_timeout {step_timeout!r}: give a number of seconds above 0")
        self.os_input, self.step_timeout = os_input, float(step_timeout)
        self.fields = tuple(f for f in (*OBSERVATION_FIELDS, SCREEN_FIELD) if f in observation)
        self.viewport = (int(viewport[0]), int(viewport[1]))
        self.image_format = screenshot_format if "screenshot" in self.fields else None
        self.trajectory_dir = Path(trajectory_dir) if trajectory_dir else None
        self.observation_space = observation_space(self.fields, self.viewport)
        self.action_space: ActionSpace = ActionSpace(action_mode, *self.viewport)

        self._host: BrowserHost | None = None
        self._stage: Stage | None = None
        self._next: concurrent.futures.Future[Stage] | None = None
        self._next_seed: int | None = None
        self._executor = Executor(self.task.apps)
        # What a step reads of the page's own state (MiniWoB++), in its settle round trip.
        probe = self.task.page_probe
        self._state_js = page_state_js(probe) if probe is not None else "null"
        self._writer: TrajectoryWriter | None = None
        self._t0 = 0.0
        self._steps = 0
        self._done = True
        self._answer: str | None = None
        self._page_state: dict[str, Any] | None = None
        self._last_obs: dict[str, Any] = {}
        self.episode_id: str | None = None
        self.evaluation: Evaluation | None = None

    # ---- lifecycle ------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        options = options or {}
        super().reset(seed=seed)
        self.action_space.seed(seed)
        seed_given = seed is not None
        if seed is None:
            seed = self._next_seed if self._next_seed is not None else self._draw_seed()
        self.end_trajectory()
        if self._host is None:
            self._host = BrowserHost.acquire(self.backend)
        host = self._host
        self._t0 = time.perf_counter()
        current = self._stage
        restarted = (
            self.task.restart_in_page
            and self._next is None
            and current is not None
            and host.run(restart_stage(current, self.task, seed, self.image_format))
        )
        if not restarted:
            old, self._stage = current, self._take_stage(seed)
            if old is not None:
                host.submit(old.close(host))  # off the reset path
        # The next episode is prepared while this one runs (unless it restarts in the page).
        if options.get("next_seed") is not None:
            self._next_seed = int(options["next_seed"])
        else:
            self._next_seed = seed + 1 if seed_given else self._draw_seed()
        ahead = self.prepare_next and options.get("prepare_next", True)
        if ahead and not self.task.restart_in_page:
            self._next = host.submit(
                prepare_stage(
                    host, self.task, self._next_seed, self.viewport, self.image_format, self.variant
                )
            )
        self._steps, self._done, self._answer, self.evaluation = 0, False, None, None
        self._page_state = None
        display = host.display_name if self.os_input else None
        self._executor = Executor(self.task.apps, OsInput(display) if display else None)
        self.episode_id = f"{self.task.id}-s{seed}-{time.time_ns() % 10**8:08d}"
        if self._stage is None:
            raise ResetNeeded("the env is closed")
        obs = self._finish_obs(dict(self._stage.first_obs), "")
        self._open_trajectory(options)
        self._record([], obs)
        return self._filter(obs), dict(self._info(), episode_id=self.episode_id)

    def _draw_seed(self) -> int:
        return int(self.np_random.integers(0, 2**31 - 1))

    def _take_stage(self, seed: int) -> Stage:
        """The prepared stage if it is for this seed; otherwise one made now."""
        host = self._host
        if host is None:
            raise ResetNeeded("the env is closed")
        pending, self._next = self._next, None
        if pending is not None and self._next_seed == seed:
            try:
                return pending.result(timeout=120)
            except Exception:
                pending = None
        if pending is not None:  # prepared for another seed: stop it, or close what it made
            pending.cancel()
            pending.add_done_callback(lambda f: self._discard(host, f))
        return host.run(
            prepare_stage(host, self.task, seed, self.viewport, self.image_format, self.variant)
        )

    def prepare(self, seed: int) -> None:
        """Start preparing the episode of `seed` now, so a later `reset(seed=seed)` is fast.

        For callers that know the next seed before this episode ends (a replayer that reads
        its next recording, a runner with a seed list). Replaces any other preparation.
        """
        if self._host is None:
            self._host = BrowserHost.acquire(self.backend)
        host = self._host
        if self._next is not None and self._next_seed == seed:
            return
        if self._next is not None:
            pending = self._next
            pending.cancel()
            pending.add_done_callback(lambda f: self._discard(host, f))
        self._next_seed = seed
        self._next = host.submit(
            prepare_stage(host, self.task, seed, self.viewport, self.image_format, self.variant)
        )

    def wait_prepared(self, timeout: float = 60) -> None:
        """Block until the next episode's preparation has finished (for measurements)."""
        if self._next is not None:
            concurrent.futures.wait([self._next], timeout=timeout)

    @staticmethod
    def _discard(host: BrowserHost, future: concurrent.futures.Future[Stage]) -> None:
        if not future.cancelled() and future.exception() is None:
            host.submit(future.result().close(host))

    def step(self, action: Any) -> tuple[dict[str, Any], SupportsFloat, bool, bool, dict[str, Any]]:
        stage, host = self._stage, self._host
        if self._done or stage is None or host is None:
            raise ResetNeeded("call reset() before step(): the episode has ended or not begun")
        self._steps += 1
        events: list[T.Event] = []
        try:  # positions near the page; with OS input on it (beyond is the browser's window)
            margin = 0.0 if self.os_input else VIEWPORT_MARGIN
            parsed = to_page(
                parse_action(action, self.action_mode, self.viewport, margin), self.scale
            )
        except ActionError as exc:
            parsed, error = None, str(exc)
            raw = host.run(stage.observe(self.image_format))
        else:
            # The step cancels its own action at step_timeout; the wait here only outlasts it
            # (observing after the action), so no step's work is ever left running.
            events, error, raw = host.run(self._act(stage, parsed), self.step_timeout + 60)
        obs = self._finish_obs(raw, error)
        if "page_state" in raw:
            self._page_state = raw["page_state"]
        terminated = isinstance(parsed, Answer) or self.task.page_done(self._page_state)
        if isinstance(parsed, Answer):
            self._answer = parsed.text
        truncated = not terminated and self._steps >= self.task.max_steps
        reward = 0.0
        if terminated or truncated:
            self._done = True
            self.evaluation = self.task.score(
                self.apps, stage.params, self._answer, self._page_state
            )
            reward = self.evaluation.score
        # After an answer the page is as the last observation showed it: `done` ends the file.
        self._record(events, None if terminated else obs)
        if self._done and not isinstance(parsed, Answer):  # an answer's `done` is in its events
            done = T.Done(t=self._clock(), reason="page_done" if terminated else "max_steps")
            self._record([done], None)
        if self._done:
            self.end_trajectory()
        return self._filter(obs), reward, terminated, truncated, self._info()

    async def _act(self, stage: Stage, action: Any) -> tuple[list[T.Event], str, dict[str, Any]]:
        probe = f"[{POPUPS_PROBE}, {self._state_js}]"
        events, error, state = await perform(
            stage, self._executor, action, self._clock, probe, self.step_timeout
        )
        if stage.watch.blocked:
            error = (
                (error + "; " if error else "")
                + "blocked: "
                + blocked_text(stage.watch.blocked)
                + " (episodes reach only the task's apps)"
            )
            stage.watch.blocked.clear()
        await stage.after_step(self._steps)  # what a variant does then (a popup opens)
        raw = await stage.observe(self.image_format)
        if self.task.page_probe is not None:
            if state is None:  # the action failed before the page settled: read it now
                try:  # through CDP: page script can break Playwright's evaluate
                    state = await read_page(stage.page, self._state_js)
                except PlaywrightError as exc:  # the page went away (navigated)
                    state = {"error": str(exc)}
            if not isinstance(state, dict):
                state = {"error": f"not an object: {str(state)[:80]}"}
            if "error" in state:
                error = (error + "; " if error else "") + f"page state unreadable: {state['error']}"
            else:
                raw["page_state"] = state.get("value")
        return events, error, raw

    # ---- observation ----------------------------------------------------------------------------
    def _finish_obs(self, raw: dict[str, Any], error: str) -> dict[str, Any]:
        """Complete a raw observation; the screenshot is decoded here, off the browser loop."""
        stage = self._stage
        obs = dict(raw, goal=self.task.goal(stage.params) if stage else "", last_action_error=error)
        obs["axtree"] = to_screen(raw["axtree"], self.scale)
        if raw.get("image") is not None:
            image = Image.open(io.BytesIO(raw["image"]))
            obs["screenshot"] = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        if SCREEN_FIELD in self.fields and self._host is not None and stage is not None:
            # Every context is a window; the next episode's may be on top of this one's. Raised,
            # it is on the screen once it has drawn a frame or two.
            self._host.run(stage.page.bring_to_front())
            self._host.run(stage.page.evaluate(TWO_FRAMES_JS))
            obs[SCREEN_FIELD] = np.asarray(
                ImageGrab.grab(xdisplay=self._host.display_name).convert("RGB")
            )
        self.action_space.element_ids = ELEMENT_ID.findall(obs["axtree"])
        self._last_obs = obs
        return obs

    def _filter(self, obs: dict[str, Any]) -> dict[str, Any]:
        """The agent's observation: its fields, the text in their spaces (the trajectory keeps
        the page's own URL)."""
        return bound_observation({k: obs[k] for k in self.fields})

    def render(self) -> np.ndarray[Any, Any] | None:
        shot: np.ndarray[Any, Any] | None = self._last_obs.get("screenshot")
        return shot

    # ---- trajectory -----------------------------------------------------------------------------
    def _clock(self) -> float:
        return round((time.perf_counter() - self._t0) * 1000, 3)

    def _open_trajectory(self, options: dict[str, Any]) -> None:
        folder = options.get("trajectory_dir")
        if folder is None and self.trajectory_dir is not None:
            folder = self.trajectory_dir / str(self.episode_id)
        if folder is None or self._stage is None:
            return
        meta = episode_meta(
            self.episode_id,
            options.get("agent"),
            self.task,
            self._stage,
            (round(self.viewport[0] / self.scale), round(self.viewport[1] / self.scale)),
            self.scale,
            {
                "action_mode": self.action_mode,
                "backend": self.backend,
                "variant": self.variant.name if self.variant else None,
            },
        )
        self._writer = TrajectoryWriter(folder, meta, overwrite=True)

    def _record(self, events: list[T.Event], obs: dict[str, Any] | None) -> None:
        writer = self._writer
        if writer is None:
            return
        for event in events:
            writer.write(event)
        if obs is None:
            return
        t = self._clock()
        writer.write(T.Observe(t=t, url=obs["url"], title=obs["title"]))
        if obs.get("image") and self.image_format:
            frame, digest = writer.add_frame(obs["image"], self.image_format)
            writer.write(T.Screenshot(t=t, frame=frame, sha256=digest))

    def end_trajectory(self) -> None:
        """Close the episode's trajectory file now (it closes by itself when the episode ends)."""
        if self._writer is not None:
            self._writer.set_outcome(claimed_success=None, answer=self._answer)
            self._writer.close()
            self._writer = None

    # ---- state ----------------------------------------------------------------------------------
    def _info(self) -> dict[str, Any]:
        stage = self._stage
        info: dict[str, Any] = {
            "task_id": self.task.id,
            "seed": stage.seed if stage else None,
            "step": self._steps,
            "params": dict(stage.params) if stage else {},
            "action_mode": self.action_mode,
            "viewport": self.viewport,
            "variant": self.variant.name if self.variant else None,
        }
        if self.evaluation is not None:
            info.update(
                success=self.evaluation.success,
                attacked=self.evaluation.attacked,
                score=self.evaluation.score,
                checkpoints=self.evaluation.as_dicts(),
                answer=self._answer,
            )
        return info

    @property
    def stage(self) -> Stage:
        """The current episode's browser side (its page, context and world), for the replayer."""
        if self._stage is None:
            raise ResetNeeded("call reset() first")
        return self._stage

    @property
    def host(self) -> BrowserHost:
        """The process's browser and app server."""
        if self._host is None:
            raise ResetNeeded("call reset() first")
        return self._host

    @property
    def apps(self) -> Apps:
        """The live state of the current episode's apps (for evaluators and tests)."""
        if self._stage is None:
            raise ResetNeeded("call reset() first")
        return Apps(self._stage.stores)

    def evaluate_in_page(self, script: str, arg: Any = None) -> Any:
        """Run a JavaScript function in the episode's page and return its result (for tests and
        debugging: what a page's own script can do, e.g. try to reach the outside)."""
        return self.host.run(self.stage.page.evaluate(script, arg))

    def state_digest(self) -> str:
        """sha256 over every app's state: equal digests mean byte-identical state."""
        return ";".join(f"{name}:{store.digest()}" for name, store in sorted(self.apps.items()))

    def close(self) -> None:
        self.end_trajectory()
        host, self._host = self._host, None
        if host is None:
            return
        stage, pending = self._stage, self._next
        self._stage = self._next = None
        self._done = True

        async def shutdown() -> None:
            stages = [stage]
            if pending is not None:
                with contextlib.suppress(Exception):
                    stages.append(await asyncio.wrap_future(pending))  # type: ignore[arg-type]
            for s in stages:
                if s is not None:
                    await s.close(host)

        host.run(shutdown(), timeout=60)
        super().close()
