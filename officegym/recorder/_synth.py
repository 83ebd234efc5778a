"""Synthetic human recordings: a task's oracle plan, carried out as a person's input would be.

The oracle decides what to do from the page; each decision becomes OS-level input on the
recorder's Xvfb display through xdotool (curved mouse paths, typing cadence, typos, pauses), and
the recorder captures it the way it captures a person: through the browser's own input events.
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from officegym.agents.oracle import OracleAgent
from officegym.browser import keysym
from officegym.envs import actions as A
from officegym.errors import AgentError, BrowserUnavailableError, OfficegymError
from officegym.recorder import _humanize as H
from officegym.recorder._recorder import Recorder
from officegym.tasks import suite_tasks
from officegym.trajectory import CapturePolicy


class SynthError(OfficegymError):
    """A synthetic recording could not be made (the message names task, seed and step)."""


@dataclass
class SynthResult:
    task: str
    seed: int
    path: Path
    success: bool
    seconds: float
    reclicks: int = 0  # clicks the page never saw, made again


class Xdo:
    """Runs xdotool command chains on one X display."""

    def __init__(self, display: str) -> None:
        self.env = {**os.environ, "DISPLAY": display}

    def run(self, commands: list[str]) -> None:
        if not commands:
            return
        try:
            subprocess.run(["xdotool", *commands], env=self.env, check=True, capture_output=True)
        except FileNotFoundError:
            raise BrowserUnavailableError(
                "xdotool is not installed: run `apt-get install xdotool` (or `make install`)"
            ) from None
        except subprocess.CalledProcessError as exc:
            raise SynthError(f"xdotool failed: {exc.stderr.decode().strip()}") from None


class HumanHand:
    """Turns env actions into human-paced OS-level input, tracking where the pointer is."""

    def __init__(
        self, xdo: Xdo, offset: tuple[int, int], rng: random.Random, recorder: Recorder
    ) -> None:
        self.xdo, self.offset, self.rng, self.recorder = xdo, offset, rng, recorder
        self.pointer: tuple[float, float] = (offset[0] + 640, offset[1] + 360)
        self.reclicks = 0
        self.on_mouse = True

    def _to_screen(self, x: float, y: float) -> tuple[float, float]:
        return x + self.offset[0], y + self.offset[1]

    def _move(self, x: float, y: float) -> list[str]:
        end = self._to_screen(x, y)
        path = H.mouse_path(self.pointer, end, self.rng)
        self.pointer = end
        return H.move_commands(path)

    def perform(self, action: A.Action) -> None:
        rng = self.rng
        if isinstance(action, A.Click):
            # Aim near the centre, not at it: people do not hit the same pixel twice.
            x, y = action.x + rng.uniform(-3, 3), action.y + rng.uniform(-2, 2)
            before = self.recorder.counts["mouse.down"]
            self.xdo.run(self._move(x, y) + H.click_commands(rng))
            # Now and then the page never sees a press (seen on Xvfb under load); a person
            # whose click did nothing clicks again, and so does the hand.
            for _ in range(2):
                if self._page_saw("mouse.down", before):
                    break
                self.reclicks += 1
                self.xdo.run(H.click_commands(rng))
        elif isinstance(action, A.Type):
            self.xdo.run(H.typing_commands(action.text, rng))
        elif isinstance(action, A.Key):
            self.xdo.run(["key", keysym(action.key)])
        elif isinstance(action, A.Hotkey):
            self.xdo.run(H.hotkey_commands(action.keys, rng))
        elif isinstance(action, A.Wheel):
            self.xdo.run(self._move(action.x, action.y) + H.wheel_commands(action.dy, rng))
        else:
            raise SynthError(f"no human input for the action {action!r}")

    def _page_saw(self, kind: str, before: int, timeout: float = 0.8) -> bool:
        deadline = time.monotonic() + timeout
        while self.recorder.counts[kind] <= before:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def think(self, action: A.Action, new_view: bool) -> None:
        """The pauses of the Keystroke-Level Model (Card, Moran and Newell): reading a view that
        just appeared, mental preparation before each pointing (about 1.2 s), a short one before
        a key, and homing the hand when it moves between keyboard and mouse (0.4 s)."""
        rng = self.rng
        pause = rng.uniform(1.5, 4.0) if new_view else 0.0
        pointing = isinstance(action, A.Click | A.Wheel)
        if pointing != self.on_mouse:
            pause += rng.uniform(0.3, 0.5)
            self.on_mouse = pointing
        if pointing:
            pause += min(4.0, max(0.5, rng.lognormvariate(math.log(1.2), 0.35)))
        else:
            pause += rng.uniform(0.2, 0.6)
        time.sleep(pause)


def synthesize(
    task_id: str,
    seed: int,
    out: str | Path,
    *,
    variant: int = 0,
    max_actions: int = 80,
    policy: CapturePolicy | None = None,
) -> SynthResult:
    """Record the oracle's solution of one task and seed as synthetic human input.

    Args:
        variant: draws another hand (other paths, cadence and typos) for the same task and seed.
        policy: the capture policy the recorder follows, as it would for a person.

    Raises:
        SynthError: the oracle could not finish, or the recording failed.
        BrowserUnavailableError: no Chromium, Xvfb or xdotool.
    """
    started = time.perf_counter()
    recorder = Recorder(
        task_id, seed, out, backend="xvfb", source="synthetic", overwrite=True, policy=policy
    )
    recorder.start()
    try:
        assert recorder.display is not None and recorder.stage is not None
        xdo = Xdo(recorder.display)
        rng = random.Random(f"synth/{task_id}/{seed}/{variant}")
        # The first move tells the recorder, and us, where the page sits on the screen.
        xdo.run(["mousemove", str(rng.randint(500, 800)), str(rng.randint(300, 500))])
        offset = _wait_for_offset(recorder)
        hand = HumanHand(xdo, offset, rng, recorder)
        agent = OracleAgent()
        agent.reset(
            {
                "task_id": task_id,
                "params": dict(recorder.stage.params),
                "action_mode": "computer",
                "viewport": recorder.viewport,
            }
        )
        seen_url = ""
        for _ in range(max_actions):
            observation = recorder.observe()
            try:
                action = agent.act(observation)
            except AgentError as exc:
                raise SynthError(f"{task_id} seed {seed}: {exc}") from None
            hand.think(action, new_view=observation["url"] != seen_url)
            seen_url = observation["url"]
            if isinstance(action, A.Answer):
                evaluation = recorder.finish(action.text)
                break
            hand.perform(action)
        else:
            raise SynthError(
                f"{task_id} seed {seed}: the plan did not end in {max_actions} actions"
            )
    finally:
        recorder.close()
    return SynthResult(
        task_id,
        seed,
        Path(out),
        evaluation.success,
        round(time.perf_counter() - started, 2),
        hand.reclicks,
    )


def _wait_for_offset(recorder: Recorder, timeout: float = 5) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    while recorder.screen_offset is None:
        if time.monotonic() > deadline:
            raise SynthError("the page did not see the pointer: is the window on the display?")
        time.sleep(0.02)
    return recorder.screen_offset


def synthesize_suite(
    suite: str,
    per_task: int,
    out: str | Path,
    *,
    first_seed: int = 0,
    policy: CapturePolicy | None = None,
) -> Iterator[SynthResult]:
    """`per_task` recordings of every task in the suite, seeds first_seed, first_seed+1, …,
    into `out/<task id>/s<seed>/`."""
    for task_id in suite_tasks(suite):
        for seed in range(first_seed, first_seed + per_task):
            yield synthesize(task_id, seed, Path(out) / task_id / f"s{seed}", policy=policy)
