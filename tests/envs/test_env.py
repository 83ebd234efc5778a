"""The Gymnasium env on a real Chromium and the real Mail app."""

from __future__ import annotations

import urllib.error
import urllib.request
import warnings
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import pytest
from conftest import play
from gymnasium.utils.env_checker import check_env

from officegym.envs import env_id, make
from officegym.errors import UnknownNameError
from officegym.tasks import task_ids
from officegym.tasks.apps import WORLD_HEADER
from officegym.trajectory import TrajectoryReader

pytestmark = pytest.mark.browser


# One task of each app, and MiniWoB++ pages of each kind (a button, a list, a text field).
# Every task runs in the same env class, so each extra id would add ~30 s of checker resets and
# no coverage here; every task's own reset and steps are played in tests/tasks/.
_OFFICE = [t for t in task_ids() if not t.startswith("miniwob.")]
CHECKED = [
    next(t for t in _OFFICE if t.startswith(app + "."))
    for app in dict.fromkeys(t.split(".")[0] for t in _OFFICE)
] + [
    "miniwob.click-test",
    "miniwob.choose-list",
    "miniwob.enter-text",
]


@pytest.mark.slow
@pytest.mark.parametrize("task_id", CHECKED)
def test_check_env_passes(task_id: str) -> None:
    env = gymnasium.make(env_id(task_id), render_mode="rgb_array")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a checker warning is a failure here
            check_env(env.unwrapped)
    finally:
        env.close()


def test_observation_has_every_field(make_env: Any) -> None:
    env = make_env("mail.apply-label")
    obs, info = env.reset(seed=1)
    assert env.observation_space.contains(obs)
    assert obs["url"] == "http://mail.office.test/"
    assert "Apply the label" in obs["goal"] and info["params"]["subject"] in obs["goal"]
    assert obs["screenshot"].shape == (720, 1280, 3) and obs["screenshot"].dtype == np.uint8
    assert obs["screenshot"].std() > 10  # a rendered page, not a blank frame
    assert 'button "Compose"' in obs["axtree"]
    assert "(active)" in obs["tabs"] and obs["last_action_error"] == ""
    assert np.array_equal(env.render(), obs["screenshot"])


def test_unknown_task_id_says_did_you_mean() -> None:
    with pytest.raises(UnknownNameError, match=r"Did you mean: 'mail\.reply-to-sender'"):
        make("mail.reply-to-sendr")
    with pytest.raises(gymnasium.error.NameNotFound):
        gymnasium.make("officegym/mail.reply-to-sendr-v0")


def test_malformed_action_becomes_last_action_error(make_env: Any) -> None:
    env = make_env("mail.apply-label")
    env.reset(seed=0)
    obs, reward, terminated, truncated, _ = env.step("click(100,")
    assert "cannot parse action" in obs["last_action_error"]
    assert (reward, terminated, truncated) == (0.0, False, False)
    obs, *_ = env.step("fill('1', 'x')")
    assert "unknown computer action 'fill'" in obs["last_action_error"]
    obs, *_ = env.step("click(10, 10)")
    assert obs["last_action_error"] == ""


def test_browser_action_on_missing_element_is_an_error_not_an_exception(make_env: Any) -> None:
    env = make_env("mail.apply-label", action_mode="browser")
    env.reset(seed=0)
    obs, *_ = env.step("click('9999')")
    assert "no element with id '9999'" in obs["last_action_error"]
    obs, *_ = env.step("select('6', 'Work')")  # element 6 is a button, not a <select>
    assert "not a <select>" in obs["last_action_error"]


def test_page_requests_to_the_outside_fail(make_env: Any) -> None:
    """What a page's own script tries is stopped by the browser's network rules (not our parser)."""
    env = make_env("mail.apply-label")
    env.reset(seed=0)
    stage = env.unwrapped._stage
    host = env.unwrapped._host
    for url in ("http://example.com/", "http://10.0.0.1/", "http://localhost:9/"):
        result = host.run(
            stage.page.evaluate(
                "u => fetch(u).then(() => 'reached').catch(e => 'failed: ' + e.message)", url
            )
        )
        assert result.startswith("failed"), (url, result)
    # Another app of the suite is refused by the app server itself for this episode's world.
    request = urllib.request.Request(
        f"http://127.0.0.1:{host.server.port}/",
        headers={"Host": "chat.office.test", WORLD_HEADER: stage.world_id},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert "not part of this task" in refused.value.read().decode()


def test_each_episode_gets_a_fresh_context(make_env: Any) -> None:
    env = make_env("mail.apply-label")
    env.reset(seed=0)
    stage = env.unwrapped._stage
    host = env.unwrapped._host
    host.run(
        stage.page.evaluate(
            "() => { localStorage.setItem('k', 'v'); document.cookie = 'c=1; path=/'; }"
        )
    )
    for folder in ("Starred", "Sent", "Archive"):
        env.step("key('g')")  # a harmless key, then a real navigation
        env.unwrapped._host.run(stage.page.click(f"text={folder}"))
    assert host.run(stage.page.evaluate("() => history.length")) >= 4
    env.reset(seed=1)
    stage = env.unwrapped._stage
    leftovers = host.run(
        stage.page.evaluate("() => [localStorage.getItem('k'), document.cookie, history.length]")
    )
    # A new context's first tab: its blank page, then the start URL.
    assert leftovers == [None, "", 2]


def test_same_seed_same_state_and_observation_whether_prepared_or_not(make_env: Any) -> None:
    env = make_env("mail.reply-to-sender")
    obs_a, _ = env.reset(seed=7)  # made on demand
    digest_a = env.unwrapped.state_digest()
    env.reset(seed=6)  # the env now prepares seed 7 in the background…
    obs_b, _ = env.reset(seed=7)  # …and hands it over here
    assert env.unwrapped.state_digest() == digest_a
    assert obs_a["axtree"] == obs_b["axtree"] and obs_a["goal"] == obs_b["goal"]
    assert np.array_equal(obs_a["screenshot"], obs_b["screenshot"])
    env.reset(seed=8)
    assert env.unwrapped.state_digest() != digest_a


def test_episode_changes_state_but_next_reset_restores_it(make_env: Any) -> None:
    env = make_env("mail.star-with-shortcut", action_mode="browser")
    env.reset(seed=2)
    before = env.unwrapped.state_digest()
    info = play(env, 2)
    assert info["success"]
    assert env.unwrapped.state_digest() != before
    env.reset(seed=2)
    assert env.unwrapped.state_digest() == before


def test_every_episode_writes_a_replayable_trajectory(make_env: Any, tmp_path: Path) -> None:
    env = make_env("mail.compose-to-two", trajectory_dir=tmp_path)
    info = play(env, 0, agent="oracle")
    assert info["success"]
    (folder,) = tmp_path.iterdir()
    with TrajectoryReader(folder) as reader:
        meta = reader.meta
        events = [e for _, e in reader.iter_events(check_frames=True)]
    assert meta.source == "agent" and meta.agent == "oracle"
    assert meta.task is not None and (meta.task.id, meta.task.seed) == ("mail.compose-to-two", 0)
    assert meta.outcome.answer == ""
    types = [e.type for e in events]
    assert types[0] == "observe" and types[-1] == "done"
    downs = [e for e in events if e.type == "mouse.down"]
    assert downs and all(e.target is not None and e.target.selector for e in downs)
    assert any(e.target.name == "Send" for e in downs if e.target)
    keys = "".join(e.key for e in events if e.type == "key.down" and len(e.key) == 1)
    assert info["params"]["body"] in keys  # typed key by key in computer mode
    # One frame for the reset and one per step, but none after the final answer.
    assert sum(t == "screenshot" for t in types) == info["step"]


def test_password_keys_are_masked_in_trajectories(make_env: Any, tmp_path: Path) -> None:
    env = make_env("mail.apply-label", trajectory_dir=tmp_path)
    env.reset(seed=0)
    host, stage = env.unwrapped._host, env.unwrapped._stage
    host.run(
        stage.page.evaluate(
            "() => { const i = document.createElement('input'); "
            "i.type = 'password'; i.id = 'pw'; "
            "document.body.prepend(i); i.focus(); }"
        )
    )
    env.step("type('hunter2')")
    env.step("answer('')")
    (folder,) = tmp_path.iterdir()
    text = (folder / "events.jsonl").read_text()
    assert "hunter2" not in text and '"h"' not in text
    with TrajectoryReader(folder) as reader:
        keys = [e for _, e in reader.iter_events() if e.type == "key.down"]
    assert len(keys) == 7 and all(k.masked and k.key == "•" for k in keys)


def test_a_step_right_after_the_page_left_by_itself_observes_the_new_page(make_env: Any) -> None:
    # The observation's screenshot is asked for as the navigation begins; Chromium never
    # answered that capture, and the step hung until the host's 120 s timeout.
    env = make_env("miniwob.click-test", action_mode="browser")
    for _ in range(3):
        env.reset(seed=0)
        env.unwrapped.evaluate_in_page("() => { location.href = '/miniwob/'; }")
        obs, *_ = env.step("noop(10)")  # not an action: the step only observes
        assert "unknown browser action 'noop'" in obs["last_action_error"]
        assert obs["screenshot"].shape == (720, 1280, 3)


def test_a_screenshot_right_after_a_navigation_waits_for_the_first_frame(make_env: Any) -> None:
    # Chromium has no frame of a document that has just committed; without the wait and retry
    # most of these captures fail with "Unable to capture screenshot".
    env = make_env("mail.apply-label")
    env.reset(seed=0)
    host, stage = env.unwrapped._host, env.unwrapped._stage

    async def capture_after_commit(n: int) -> bytes:
        url = f"http://mail.office.test/?n={n}"
        await stage.page.evaluate(f"location.href = {url!r}")
        await stage.page.wait_for_url(url, wait_until="commit")
        return bytes(await stage.screenshot("jpeg"))

    for n in range(20):
        assert host.run(capture_after_commit(n))[:2] == b"\xff\xd8"  # a JPEG
