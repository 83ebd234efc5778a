"""Fixtures for tests that need a real browser.

Each pytest-xdist worker is its own process and so gets its own Chromium (officegym shares one
browser per process across every env); envs are cheap contexts on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import gymnasium
import pytest

import officegym  # noqa: F401 — registers the envs
from officegym.agents.oracle import OracleAgent
from officegym.envs import env_id
from officegym.tasks import PlanStep

pytest_plugins = ["pytester"]


def _chromium_available() -> bool:
    from officegym.browser import chromium_executable

    if chromium_executable():
        return True
    cache = os.path.expanduser("~/.cache/ms-playwright")
    return os.path.isdir(cache) and any(n.startswith("chromium") for n in os.listdir(cache))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _chromium_available():
        return
    skip = pytest.mark.skip(
        reason="no Chromium: run `make test` (installs it) or apt-get install chromium"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def make_env() -> Iterator[Callable[..., gymnasium.Env[Any, Any]]]:
    """Make envs by task id; all are closed after the test."""
    made: list[gymnasium.Env[Any, Any]] = []

    def make(task_id: str, **kwargs: Any) -> gymnasium.Env[Any, Any]:
        env = gymnasium.make(env_id(task_id), **kwargs)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()


def play(
    env: gymnasium.Env[Any, Any],
    seed: int,
    plan: Callable[[dict[str, Any]], list[PlanStep]] | None = None,
    **reset_options: Any,
) -> dict[str, Any]:
    """Run the oracle to the end of an episode and return the final info.

    With `plan`, the oracle follows `plan(params)` instead of the task's own solution (for
    near-miss episodes: the same moves with a wrong detail).
    """
    agent = OracleAgent()
    obs, info = env.reset(seed=seed, options=reset_options or None)
    agent.reset(info)
    if plan is not None:
        agent.plan.clear()
        agent.plan.extend(plan(info["params"]))
    for _ in range(200):
        obs, _, terminated, truncated, info = env.step(agent.act(obs))
        assert not obs.get("last_action_error"), obs["last_action_error"]
        if terminated or truncated:
            return info
    raise AssertionError("episode did not end")


@pytest.fixture(scope="session")
def docker_worker() -> Iterator[Any]:
    """One sandbox container for this test process (the image is built once per machine).

    Skips, with the reason in one line, where no Docker engine answers.
    """
    from officegym.sandbox import DockerWorker, engine_available

    missing = engine_available()
    if missing:
        pytest.skip(f"no Docker engine here: {missing}")
    worker = DockerWorker(run_id=f"tests-{os.getpid()}")
    yield worker
    worker.close()
