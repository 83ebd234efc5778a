"""The conformance suite every backend and sandbox passes: headless, xvfb (driver input and
OS-level input), docker.

The same smoke tasks succeed; whatever an agent or a page tries to reach outside the task's
apps fails and is reported; and nothing of one episode is visible in the next.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import play

from officegym.tasks import suite_tasks
from officegym.trajectory import TrajectoryReader

BACKENDS = [
    pytest.param("headless", marks=pytest.mark.browser),
    pytest.param(
        "xvfb",
        marks=[
            pytest.mark.browser,
            pytest.mark.xvfb,
            pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb"),
        ],
    ),
    pytest.param(  # headed, and acting through the window system (xdotool) as a hand does
        "xvfb-os",
        marks=[
            pytest.mark.browser,
            pytest.mark.xvfb,
            pytest.mark.skipif(shutil.which("xdotool") is None, reason="needs Xvfb and xdotool"),
        ],
    ),
    pytest.param("docker", marks=[pytest.mark.docker, pytest.mark.slow]),
]

MakeEnv = Callable[..., Any]


class Backend:
    """How a test opens envs on one backend, and looks for files the episode may have written."""

    def __init__(self, name: str, make: MakeEnv, find: Callable[[str], list[str]]) -> None:
        self.name, self.make, self.find = name, make, find


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, make_env: MakeEnv) -> Iterator[Backend]:
    if request.param != "docker":

        def find_local(name: str) -> list[str]:
            # Where Chromium would save it (its download folder), and where we run.
            roots = [Path.home() / "Downloads", Path.cwd(), Path(tempfile.gettempdir())]
            return [str(root / name) for root in roots if (root / name).exists()]

        options = {"backend": "xvfb", "os_input": True} if request.param == "xvfb-os" else {}
        options = options or {"backend": request.param}
        yield Backend(request.param, lambda task, **kw: make_env(task, **options, **kw), find_local)
        return
    from officegym.sandbox import DockerEnv

    worker = request.getfixturevalue("docker_worker")
    made: list[Any] = []

    def make_docker(task: str, **kwargs: Any) -> Any:
        env = DockerEnv(task, worker, **kwargs)
        made.append(env)
        return env

    def find_in_container(name: str) -> list[str]:
        _, out = worker.container.exec_run(["find", "/", "-xdev", "-name", name])
        return [line for line in out.decode().splitlines() if line and "Permission" not in line]

    yield Backend("docker", make_docker, find_in_container)
    for env in made:
        env.close()


def test_smoke_tasks_succeed_and_write_their_trajectories(backend: Backend, tmp_path: Path) -> None:
    for task_id in suite_tasks("smoke"):
        env = backend.make(task_id)
        folder = tmp_path / task_id
        info = play(env, 0, trajectory_dir=folder)
        assert info["success"], (backend.name, task_id, info["checkpoints"])
        reader = TrajectoryReader(folder)
        assert reader.meta.task is not None and reader.meta.task.id == task_id
        types = [e.type for e in reader.events()]
        assert types[-2:] == ["answer", "done"] and "mouse.down" in types
        env.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/",
        "https://1.1.1.1/",
        "file:///etc/passwd",
        "http://localhost:9/",
        "http://127.0.0.1:9/",
        "http://chat.office.test/",  # an app, but not this task's
    ],
)
def test_navigating_outside_fails_and_is_reported(backend: Backend, url: str) -> None:
    env = backend.make("mail.apply-label", action_mode="browser")
    env.reset(seed=0)
    obs, *_ = env.step(f"goto({url!r})")
    assert "blocked" in obs["last_action_error"] and url in obs["last_action_error"]
    assert obs["url"] == "http://mail.office.test/"


FETCH = "u => fetch(u).then(() => 'reached').catch(e => 'failed: ' + e.message)"
WEBSOCKET = """u => new Promise(done => {
    const socket = new WebSocket(u);
    socket.onopen = () => done('open');
    socket.onerror = () => done('error');
    setTimeout(() => done('no answer'), 5000);
})"""
DOWNLOAD = """name => {
    const link = document.createElement('a');
    link.href = 'data:text/plain,a secret';
    link.download = name;
    document.body.appendChild(link);
    link.click();
    return 'clicked';
}"""


def test_what_a_page_tries_outside_fails_and_is_reported(backend: Backend) -> None:
    env = backend.make("mail.apply-label", action_mode="browser")
    env.reset(seed=0)
    page = env.unwrapped
    for url in ("http://example.com/", "http://localhost:9/", "http://192.0.2.1/"):
        assert page.evaluate_in_page(FETCH, url).startswith("failed"), url
    obs, *_ = env.step("wait(100)")
    assert "request to http://example.com/" in obs["last_action_error"]
    assert "request to http://192.0.2.1/" in obs["last_action_error"]

    for url in ("ws://example.com/", "ws://localhost:9/"):
        assert page.evaluate_in_page(WEBSOCKET, url) == "error", url
    obs, *_ = env.step("wait(100)")
    assert "WebSocket to ws://example.com/" in obs["last_action_error"]

    name = f"officegym-{uuid.uuid4().hex}.txt"
    assert page.evaluate_in_page(DOWNLOAD, name) == "clicked"
    obs, *_ = env.step("wait(300)")
    assert f"download of data:text/plain,a secret ({name})" in obs["last_action_error"]
    assert backend.find(name) == []  # refused: written nowhere


COOKIES_AND_STORAGE = """() => {
    document.cookie = 'left=behind; path=/';
    localStorage.setItem('left', 'behind');
    sessionStorage.setItem('left', 'behind');
    history.pushState({}, '', '/starred');
    return history.length;
}"""
WHAT_IS_LEFT = """() => ({cookie: document.cookie, local: localStorage.length,
                       session: sessionStorage.length, history: history.length})"""


def test_nothing_of_an_episode_is_visible_in_the_next(backend: Backend) -> None:
    env = backend.make("mail.apply-label", action_mode="browser")
    env.reset(seed=0)
    fresh = env.unwrapped.state_digest()
    untouched = env.unwrapped.evaluate_in_page(WHAT_IS_LEFT)
    assert untouched["cookie"] == "" and untouched["local"] == 0
    info = play(env, 0)  # the oracle labels a mail: the app's data changes
    assert info["success"] and env.unwrapped.state_digest() != fresh
    assert env.unwrapped.evaluate_in_page(COOKIES_AND_STORAGE) > untouched["history"]
    for seed in (0, 1):  # built on the spot, and prepared while the last episode ran
        env.reset(seed=seed)
        left = env.unwrapped.evaluate_in_page(WHAT_IS_LEFT)
        assert left == untouched, (seed, left)
    env.reset(seed=0)
    assert env.unwrapped.state_digest() == fresh
