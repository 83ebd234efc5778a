"""OfficeEnv: a Gymnasium env for one office task, on a shared headless Chromium."""

from __future__ import annotations

import asyncio
import base64
import io
import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.error import ResetNeeded
from PIL import Image
from playwright.async_api import BrowserContext, CDPSession, Page
from playwright.async_api import Error as PlaywrightError

import officegym
from officegym.envs._browser import BrowserHost
from officegym.envs._executor import Executor, PageWatch
from officegym.envs.actions import ActionError, ActionMode, ActionSpace, Answer, TextSpace, parse_action
from officegym.tasks import Apps, Evaluation, get_task
from officegym.tasks.apps import StateStore
from officegym.trajectory import TrajectoryWriter

OBSERVATION_FIELDS = ("goal", "url", "screenshot", "axtree", "last_action_error", "tabs")
BACKENDS = ("headless",)
_ELEMENT_ID = re.compile(r"^\s*\[([^\]]+)\]", re.M)


class OfficeEnv(gym.Env[dict[str, Any], Any]):
    """One office task as a Gymnasium env.

    Args:
        task_id: a registered task id, e.g. ``"mail.reply-to-sender"``.
        backend: ``"headless"`` (Playwright Chromium).
        action_mode: ``"computer"`` (pixels and keys) or ``"browser"`` (element ids).
        observation: which observation fields to fill; leaving out ``"screenshot"`` makes steps
            cheaper.
        viewport: (width, height) of the page in CSS pixels.
        trajectory_dir: if set, every episode writes its trajectory to ``<dir>/<episode id>/``
            (``reset(options={"trajectory_dir": path})`` sets the exact folder of one episode).
        render_mode: ``"rgb_array"`` returns the last screenshot.

    Raises:
        UnknownNameError: unknown task id (with a did-you-mean).
        ValueError: unknown backend, action mode or observation field.

    >>> import gymnasium, officegym  # doctest: +SKIP
    >>> env = gymnasium.make("officegym/mail.apply-label-v0", action_mode="browser")  # doctest: +SKIP
    >>> obs, info = env.reset(seed=0)  # doctest: +SKIP
    >>> obs, reward, terminated, truncated, info = env.step("click('12')")  # doctest: +SKIP
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, task_id: str, backend: str = "headless", action_mode: ActionMode = "computer",
                 observation: tuple[str, ...] = OBSERVATION_FIELDS,
                 viewport: tuple[int, int] = (1280, 720), trajectory_dir: str | Path | None = None,
                 render_mode: str | None = None) -> None:
        self.task = get_task(task_id)
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; available: {', '.join(BACKENDS)}")
        if action_mode not in ("computer", "browser"):
            raise ValueError(f"unknown action_mode {action_mode!r}; use 'computer' or 'browser'")
        unknown = set(observation) - set(OBSERVATION_FIELDS)
        if unknown:
            raise ValueError(f"unknown observation fields {sorted(unknown)}; "
                             f"available: {', '.join(OBSERVATION_FIELDS)}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode {render_mode!r} is not supported; use 'rgb_array'")
        self.backend, self.action_mode, self.render_mode = backend, action_mode, render_mode
        self.fields = tuple(f for f in OBSERVATION_FIELDS if f in observation)
        self.width, self.height = viewport
        self.trajectory_dir = Path(trajectory_dir) if trajectory_dir else None
        obs_spaces: dict[str, spaces.Space[Any]] = {
            name: TextSpace() for name in self.fields if name != "screenshot"}
        if "screenshot" in self.fields:
            obs_spaces["screenshot"] = spaces.Box(0, 255, (self.height, self.width, 3), np.uint8)
        self.observation_space = spaces.Dict(obs_spaces)
        self.action_space = ActionSpace(action_mode, self.width, self.height)

        self._host: BrowserHost | None = None
        self._world_id = uuid.uuid4().hex
        self._stores: dict[str, StateStore] = {}
        self._context: BrowserContext | None = None
        self._next_context: asyncio.Task[BrowserContext] | None = None
        self._page: Page | None = None
        self._watch: PageWatch | None = None
        self._cdp: CDPSession | None = None
        self._executor = Executor(self.task.apps)
        self._writer: TrajectoryWriter | None = None
        self._params: dict[str, Any] = {}
        self._t0 = 0.0
        self._steps = 0
        self._done = True
        self._answer: str | None = None
        self._last_obs: dict[str, Any] = {}
        self.seed_used: int | None = None
        self.episode_id: str | None = None
        self.evaluation: Evaluation | None = None

    # ---- lifecycle ------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        self.action_space.seed(seed)
        if seed is None:
            seed = int(self.np_random.integers(0, 2**31 - 1))
        self._finish_trajectory()
        if self._host is None:
            self._host = BrowserHost.acquire()
        init = self.task.initial_state(seed)
        world = self._host.server.world(self._world_id)
        for app, snapshot in init.snapshots.items():
            self._stores.setdefault(app, StateStore()).restore(snapshot)
            world.stores[app] = self._stores[app]
        self._params, self.seed_used = dict(init.params), seed
        self._steps, self._done, self._answer, self.evaluation = 0, False, None, None
        self._executor = Executor(self.task.apps)
        self.episode_id = f"{self.task.id}-s{seed}-{uuid.uuid4().hex[:8]}"
        self._t0 = time.perf_counter()
        obs = self._host.run(self._reset_browser())
        self._open_trajectory(options or {})
        self._record([], obs)
        return obs, self._info()

    async def _reset_browser(self) -> dict[str, Any]:
        assert_host = self._host
        if assert_host is None:
            raise ResetNeeded("the env is closed")
        old = self._context
        if self._next_context is not None:
            self._context = await self._next_context
        else:
            self._context = await assert_host.new_context(self._world_id, self.width, self.height)
        if old is not None:
            asyncio.ensure_future(_close_quietly(old))  # off the reset path
        self._context.on("page", self._on_new_page)
        self._use_page(self._context.pages[0])
        page = self._require_page()
        await page.goto(self.task.start_url, wait_until="load")
        await self._require_watch().settle()
        obs = await self._observe()
        # The next episode's context is made while this one runs.
        self._next_context = asyncio.ensure_future(
            assert_host.new_context(self._world_id, self.width, self.height))
        return obs

    def step(self, action: Any) -> tuple[dict[str, Any], SupportsFloat, bool, bool, dict[str, Any]]:
        if self._done or self._host is None:
            raise ResetNeeded("call reset() before step(): the episode has ended or not begun")
        self._steps += 1
        error = ""
        events: list[dict[str, Any]] = []
        try:
            parsed = parse_action(action, self.action_mode)
        except ActionError as exc:
            parsed, error = None, str(exc)
        if parsed is not None:
            events, error, obs = self._host.run(self._step_browser(parsed))
        else:
            obs = self._host.run(self._observe())
        obs["last_action_error"] = error
        terminated = isinstance(parsed, Answer)
        if terminated and isinstance(parsed, Answer):
            self._answer = parsed.text
        truncated = not terminated and self._steps >= self.task.max_steps
        reward = 0.0
        if terminated or truncated:
            self._done = True
            self.evaluation = self.task.score(Apps(self._stores), self._params, self._answer)
            reward = self.evaluation.score
        self._record(events, obs)
        if self._done:
            self._finish_trajectory()
        return self._filter(obs), reward, terminated, truncated, self._info(error)

    async def _step_browser(self, action: Any) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
        page, watch = self._require_page(), self._require_watch()
        error = ""
        events: list[dict[str, Any]] = []
        try:
            events = await self._executor.run(page, action, self._clock)
            await watch.settle()
        except ActionError as exc:
            error = str(exc)
        except PlaywrightError as exc:
            error = f"{type(action).__name__.lower()} failed: {str(exc).splitlines()[0]}"
        if watch.blocked:
            error = (error + "; " if error else "") + "navigation blocked: " + \
                "; ".join(watch.blocked) + " (episodes reach only the task's apps)"
            watch.blocked.clear()
        return events, error, await self._observe()

    # ---- observation ----------------------------------------------------------------------------
    async def _observe(self) -> dict[str, Any]:
        page = self._require_page()
        want_shot = "screenshot" in self.fields

        async def snapshot() -> dict[str, Any]:
            try:
                snap: dict[str, Any] = await page.evaluate(
                    "() => window.__og ? __og.snapshot() : {text: '', title: document.title, url: location.href}")
                return snap
            except PlaywrightError:
                return {"text": "", "title": "", "url": page.url}

        async def shot() -> bytes | None:
            if not want_shot:
                return None
            if self._cdp is None:
                self._cdp = await page.context.new_cdp_session(page)
            data = await self._cdp.send("Page.captureScreenshot",
                                        {"format": "png", "optimizeForSpeed": True})
            return base64.b64decode(data["data"])

        snap, png = await asyncio.gather(snapshot(), shot())
        self.action_space.element_ids = _ELEMENT_ID.findall(snap["text"])
        tabs = "\n".join(f"{i}: {p.url}{' (active)' if p is page else ''}"
                         for i, p in enumerate(page.context.pages))
        obs: dict[str, Any] = {"goal": self.task.goal(self._params), "url": page.url,
                               "axtree": snap["text"], "last_action_error": "", "tabs": tabs,
                               "_title": snap.get("title") or "", "_png": png}
        if png is not None:
            obs["screenshot"] = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        self._last_obs = obs
        return obs

    def _filter(self, obs: dict[str, Any]) -> dict[str, Any]:
        return {k: obs[k] for k in self.fields}

    def render(self) -> np.ndarray[Any, Any] | None:  # type: ignore[override]
        shot: np.ndarray[Any, Any] | None = self._last_obs.get("screenshot")
        return shot

    # ---- trajectory -----------------------------------------------------------------------------
    def _clock(self) -> float:
        return round((time.perf_counter() - self._t0) * 1000, 3)

    def _open_trajectory(self, options: dict[str, Any]) -> None:
        folder = options.get("trajectory_dir")
        if folder is None and self.trajectory_dir is not None:
            folder = self.trajectory_dir / str(self.episode_id)
        if folder is None:
            return
        meta = {
            "id": self.episode_id, "source": "agent", "agent": options.get("agent"),
            "recorder": {"name": "officegym.env", "version": officegym.__version__},
            "task": {"id": self.task.id, "seed": self.seed_used, "params": self._params},
            "start_url": self.task.start_url,
            "viewport": {"width": self.width, "height": self.height, "device_scale_factor": 1.0},
            "coordinate_space": "viewport", "locale": "en-US", "timezone": "UTC",
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "extra": {"action_mode": self.action_mode, "backend": self.backend},
        }
        self._writer = TrajectoryWriter(folder, meta, overwrite=True)

    def _record(self, events: list[dict[str, Any]], obs: dict[str, Any]) -> None:
        writer = self._writer
        if writer is None:
            return
        for event in events:
            writer.write(event)
        t = self._clock()
        writer.write({"t": t, "type": "observe", "url": obs["url"], "title": obs["_title"]})
        if obs.get("_png"):
            frame, digest = writer.add_frame(obs["_png"], "png")
            writer.write({"t": t, "type": "screenshot", "frame": frame, "sha256": digest})

    def _finish_trajectory(self) -> None:
        if self._writer is not None:
            self._writer.set_outcome(claimed_success=None, answer=self._answer)
            self._writer.close()
            self._writer = None

    # ---- pages ----------------------------------------------------------------------------------
    def _use_page(self, page: Page) -> None:
        self._page, self._watch, self._cdp = page, PageWatch(page), None

    def _on_new_page(self, page: Page) -> None:
        self._use_page(page)  # a link opened in a new tab: follow it, as a person would

    def _require_page(self) -> Page:
        if self._page is None:
            raise ResetNeeded("call reset() first")
        return self._page

    def _require_watch(self) -> PageWatch:
        if self._watch is None:
            raise ResetNeeded("call reset() first")
        return self._watch

    def _info(self, error: str = "") -> dict[str, Any]:
        info: dict[str, Any] = {"task_id": self.task.id, "seed": self.seed_used,
                                "episode_id": self.episode_id, "step": self._steps,
                                "params": self._params, "action_mode": self.action_mode,
                                "viewport": (self.width, self.height)}
        if self.evaluation is not None:
            info.update(success=self.evaluation.success, score=self.evaluation.score,
                        checkpoints=self.evaluation.as_dicts(), answer=self._answer)
        return info

    @property
    def apps(self) -> Apps:
        """The live state of this env's apps (for evaluators and tests)."""
        return Apps(self._stores)

    def state_digest(self) -> str:
        """sha256 over every app's state: equal digests mean byte-identical state."""
        return "".join(f"{name}:{store.digest()};" for name, store in sorted(self._stores.items()))

    def close(self) -> None:
        self._finish_trajectory()
        host, self._host = self._host, None
        if host is None:
            return

        async def shutdown() -> None:
            for ctx in (self._context, await self._next_context if self._next_context else None):
                if ctx is not None:
                    await _close_quietly(ctx)

        try:
            host.run(shutdown(), timeout=30)
        finally:
            host.server.drop_world(self._world_id)
            self._stores.clear()
            self._context = self._next_context = self._page = self._watch = None
            self._done = True
            host.release()
        super().close()


async def _close_quietly(context: BrowserContext) -> None:
    try:
        await context.close()
    except PlaywrightError:
        pass
