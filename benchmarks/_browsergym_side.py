"""The BrowserGym half of vs_browsergym.py; runs in BrowserGym's own venv and prints JSON.

Usage: python _browsergym_side.py CHROMIUM EPISODES TASK...
(MINIWOB_URL must point at the miniwob package's html/miniwob/ folder, as file://.)

The scripted solutions are the same plans as officegym's oracle for these pages, read from the
utterance and carried out with BrowserGym's own actions on its element ids.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time

import browsergym.miniwob  # noqa: F401  (registers browsergym/miniwob.*)
import gymnasium as gym
from browsergym.utils.obs import flatten_axtree_to_str
from playwright.sync_api import BrowserType

LINE = re.compile(r"\[(?P<bid>[^\]]+)\] (?P<role>\w+) '(?P<name>(?:[^'\\]|\\.)*)'")


def find(tree: str, role: str, name: str | None = None, index: int = 0) -> str:
    hits = [m["bid"] for m in LINE.finditer(tree) if m["role"] == role and
            (name is None or m["name"] == name)]  # fmt: skip
    return hits[index]


def quoted(utterance: str) -> list[str]:
    return re.findall(r'"([^"]*)"', utterance)


def plan(task: str, utterance: str, tree: str) -> list[str]:
    if task == "click-test":
        return [f"click('{find(tree, 'button', 'Click Me!')}')"]
    if task == "click-button":
        return [f"click('{find(tree, 'button', quoted(utterance)[0])}')"]
    if task == "enter-text":
        box, submit = find(tree, "textbox"), find(tree, "button", "Submit")
        return [f"fill('{box}', {quoted(utterance)[0]!r})", f"click('{submit}')"]
    if task == "choose-list":
        option = re.search(r"Select (.*?) from the list", utterance)[1]  # type: ignore[index]
        box, submit = find(tree, "combobox"), find(tree, "button", "Submit")
        return [f"select_option('{box}', {option!r})", f"click('{submit}')"]
    raise ValueError(f"no scripted solution for {task}")


def use_chromium(path: str) -> None:
    """Launch the system Chromium (BrowserGym launches Playwright's own download otherwise)."""
    launch = BrowserType.launch

    def launch_system(self: BrowserType, *args: object, **kwargs: object) -> object:
        kwargs.setdefault("executable_path", path)
        return launch(self, *args, **kwargs)  # type: ignore[arg-type]

    BrowserType.launch = launch_system  # type: ignore[method-assign,assignment]


def main() -> None:
    chromium, episodes, tasks = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    use_chromium(chromium)
    out: dict[str, dict[str, object]] = {}
    for task in tasks:
        env = gym.make(
            f"browsergym/miniwob.{task}",
            headless=True,
        )
        resets, steps, successes = [], [], 0
        started = time.perf_counter()
        for seed in range(episodes):
            t0 = time.perf_counter()
            obs, _ = env.reset(seed=seed)
            resets.append(time.perf_counter() - t0)
            tree = flatten_axtree_to_str(obs["axtree_object"])
            reward = 0.0
            for action in plan(task, obs["goal"], tree):
                t0 = time.perf_counter()
                obs, reward, terminated, truncated, _info = env.step(action)
                steps.append(time.perf_counter() - t0)
                if terminated or truncated:
                    break
            successes += reward > 0
        wall = time.perf_counter() - started
        env.close()
        out[task] = {
            "episodes": episodes,
            "successes": successes,
            "wall_s": wall,
            "reset_median_ms": statistics.median(resets) * 1000,
            "step_median_ms": statistics.median(steps) * 1000,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
