"""Env latency and memory: reset, a click step with screenshot + AX tree, PSS per env.

Run: `.venv/bin/python benchmarks/env_latency.py [--episodes 20] [--steps 6]`; `--apps
mail,network,search` times reset and a view-loading click on a task of each app instead.
Prints medians and p90s; the figures go in benchmarks/RESULTS.md. `--backends headless,xvfb,docker`
also times reset and the click step on each backend (and the docker sandbox) side by side, in one
run, with each one's ratio to headless; `--only-backends` does just that.

An episode here is what a quick agent does: reset with the next seed, then a few clicks that each
load a view (open a folder, go back to the inbox). Reset is timed as the caller sees it. Clicks
that change the page without a request (ticking a checkbox) are timed separately.
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import time
from typing import Any

import gymnasium
from _measure import summary_ms, tree_pss_mib

import officegym  # noqa: F401 — registers the envs
from officegym.agents.axtree import find_element
from officegym.envs.actions import Click, ClickElement

TASK = "officegym/mail.apply-label-v0"
TARGETS = ("Starred", "Inbox", "Sent", "Inbox")
# `--apps`: per app, a task that starts on it and the links a quick agent clicks through (each
# loads a view), so reset and click step compare across apps on the same kind of work.
APP_TOURS = {
    "mail": (TASK, TARGETS),
    "network": ("officegym/network.accept-invitation-v0", ("Jobs", "My network", "Messaging")),
    "search": ("officegym/search.policy-value-v0", ("News", "Search")),
}


def latency(episodes: int, steps: int, image_format: str) -> None:
    env = gymnasium.make(TASK, action_mode="computer", screenshot_format=image_format)
    env.reset(seed=0)  # browser start-up is not a reset
    resets, clicks, busy_clicks = [], [], []
    for episode in range(1, episodes + 1):
        t = time.perf_counter()
        obs, _ = env.reset(seed=episode)
        resets.append(time.perf_counter() - t)
        for i in range(steps):
            # The first steps run while the next episode is being prepared; the rest do not.
            preparing = not env.unwrapped._next.done()  # type: ignore[attr-defined]
            el = find_element(obs["axtree"], "link", TARGETS[i % len(TARGETS)])
            if el is None or el.center is None:
                raise SystemExit(f"no {TARGETS[i % len(TARGETS)]} link in the page")
            t = time.perf_counter()
            obs, *_ = env.step(Click(x=el.center[0], y=el.center[1]))
            (busy_clicks if preparing else clicks).append(time.perf_counter() - t)
    misses = []
    for episode in range(episodes // 2):  # seeds the env did not expect: the page is loaded now
        t = time.perf_counter()
        env.reset(seed=1000 + 7 * episode)
        misses.append(time.perf_counter() - t)
    env.close()
    print(f"reset, expected seed       {summary_ms(resets)}")
    print(f"reset, unexpected seed     {summary_ms(misses)}")
    print(f"click step ({image_format} + AX)    {summary_ms(clicks)}")
    if busy_clicks:
        print(f"  … while preparing next   {summary_ms(busy_clicks)}")


def local_clicks(n: int) -> None:
    """Clicks that change the page without a request: ticking a conversation's checkbox."""
    env = gymnasium.make(TASK, action_mode="computer")
    obs, _ = env.reset(seed=0)
    env.unwrapped.wait_prepared()  # type: ignore[attr-defined]  # measure the steady state
    box = find_element(obs["axtree"], "checkbox", "Select:")
    if box is None or box.center is None:
        raise SystemExit("no conversation checkbox in the page")
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        obs, _, terminated, truncated, _ = env.step(Click(x=box.center[0], y=box.center[1]))
        samples.append(time.perf_counter() - t)
        if terminated or truncated:
            obs, _ = env.reset()
            env.unwrapped.wait_prepared()  # type: ignore[attr-defined]
    env.close()
    print(f"click step, no request     {summary_ms(samples)}")


def browser_mode(n: int) -> None:
    env = gymnasium.make(TASK, action_mode="browser")
    obs, _ = env.reset(seed=0)
    samples = []
    for i in range(n):
        el = find_element(obs["axtree"], "link", TARGETS[i % len(TARGETS)])
        if el is None:
            raise SystemExit("link not found")
        t = time.perf_counter()
        obs, _, terminated, truncated, _ = env.step(ClickElement(element=el.id))
        samples.append(time.perf_counter() - t)
        if terminated or truncated:
            obs, _ = env.reset()
    env.close()
    print(f"browser-mode click step    {summary_ms(samples)}")


def memory(extra: int, prepare_next: bool) -> None:
    gc.collect()
    base = tree_pss_mib()
    envs, sizes = [], []
    for i in range(1 + extra):
        env = gymnasium.make(TASK, prepare_next=prepare_next)
        env.reset(seed=i)
        envs.append(env)
        env.unwrapped.wait_prepared()  # type: ignore[attr-defined]  # both stages in memory
        sizes.append(tree_pss_mib())
    print(f"memory, prepare_next={prepare_next}")
    print(f"PSS before any env         {base:7.1f} MiB (python + imports)")
    print(f"first env, all included    {sizes[0]:7.1f} MiB")
    for i in range(1, len(sizes)):
        print(f"  + env {i + 1}                  {sizes[i] - sizes[i - 1]:7.1f} MiB")
    for env in envs:
        env.close()


def tour(
    env: Any, targets: tuple[str, ...], episodes: int, steps: int, settle: Any, label: str
) -> tuple[list[float], list[float]]:
    """Resets (the expected seed, after `settle()`, as an agent's thinking lets the next
    episode be prepared) and clicks on `targets` in turn, each loading a view: their times."""
    obs, _ = env.reset(seed=0)  # start-up (browser, display or container) is not a reset
    resets, clicks = [], []
    for episode in range(1, episodes + 1):
        settle()
        t = time.perf_counter()
        obs, _ = env.reset(seed=episode)
        resets.append(time.perf_counter() - t)
        for i in range(steps):
            el = find_element(obs["axtree"], "link", targets[i % len(targets)])
            if el is None or el.center is None:
                raise SystemExit(f"{label}: no {targets[i % len(targets)]} link on {obs['url']}")
            t = time.perf_counter()
            obs, *_ = env.step(Click(x=el.center[0], y=el.center[1]))
            clicks.append(time.perf_counter() - t)
    return resets, clicks


def print_rows(rows: dict[str, tuple[list[float], list[float]]], base_name: str) -> None:
    """Each row's reset and click medians, with its ratio to the row `base_name`."""
    base = rows.get(base_name)
    for name, (resets, clicks) in rows.items():
        ratio = ""
        if base and name != base_name:
            r = statistics.median(resets) / statistics.median(base[0])
            c = statistics.median(clicks) / statistics.median(base[1])
            ratio = f"   (× {base_name}: reset {r:.2f}, click {c:.2f})"
        print(f"{name:<9} reset  {summary_ms(resets)}")
        print(f"{name:<9} click  {summary_ms(clicks)}{ratio}")


def compare_apps(apps: list[str], episodes: int, steps: int) -> None:
    """Reset and a click step that loads a view, app by app, in one process."""
    rows = {}
    for app in apps:
        task, targets = APP_TOURS[app]
        env = gymnasium.make(task, action_mode="computer")
        prepared = env.unwrapped.wait_prepared  # type: ignore[attr-defined]
        rows[app] = tour(env, targets, episodes, steps, prepared, app)
        env.close()
    print_rows(rows, "mail")


def make_env(backend: str) -> Any:
    if backend == "docker":
        from officegym.sandbox import DockerEnv

        return DockerEnv("mail.apply-label", run_id="bench", action_mode="computer")
    if backend == "xvfb-os":  # headed, with input through the window system (xdotool)
        return gymnasium.make(TASK, action_mode="computer", backend="xvfb", os_input=True)
    return gymnasium.make(TASK, action_mode="computer", backend=backend)


def compare_backends(backends: list[str], episodes: int, steps: int) -> None:
    """Reset (the expected seed) and click step, each backend as the caller sees it."""
    rows = {}
    for backend in backends:
        env = make_env(backend)
        # A fixed pause before each reset: the docker sandbox cannot be asked whether the next
        # episode is prepared.
        rows[backend] = tour(env, TARGETS, episodes, steps, lambda: time.sleep(0.3), backend)
        if backend == "docker":
            stats = env.unwrapped.worker.container.stats(stream=False)  # type: ignore[attr-defined]
            print(f"docker container memory    {stats['memory_stats']['usage'] / 2**20:7.1f} MiB")
        env.close()
    print_rows(rows, "headless")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--extra-envs", type=int, default=3)
    parser.add_argument("--backends", default="", help="e.g. headless,xvfb,xvfb-os,docker")
    parser.add_argument("--only-backends", action="store_true")
    parser.add_argument("--apps", default="", help=f"compare apps only: {','.join(APP_TOURS)}")
    args = parser.parse_args()
    print(
        f"# env_latency  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  "
        f"{platform.machine()}  cores={len(__import__('os').sched_getaffinity(0))}"
    )
    if args.apps:
        compare_apps([a for a in args.apps.split(",") if a], args.episodes, args.steps)
        return
    backends = [b for b in args.backends.split(",") if b]
    if args.only_backends:
        compare_backends(
            backends or ["headless", "xvfb", "xvfb-os", "docker"], args.episodes, args.steps
        )
        return
    memory(args.extra_envs, prepare_next=True)  # first, while this process has no browser yet
    latency(args.episodes, args.steps, "jpeg")
    latency(max(4, args.episodes // 3), args.steps, "png")
    local_clicks(args.episodes * 2)
    browser_mode(args.episodes * 2)
    memory(args.extra_envs, prepare_next=False)  # the browser is up: compare the increments
    if backends:
        compare_backends(backends, args.episodes, args.steps)


if __name__ == "__main__":
    main()
