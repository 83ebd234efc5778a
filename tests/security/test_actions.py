"""Whatever an agent sends is its own error, and cannot break, hang or outlive its step (issue 27,
item 4); an episode cut off at its step limit is still a whole recording (item 9).

Every test runs a real env on a headless Chromium (no fakes): hostile actions in both action
modes, each followed by a normal one that must still work; a step that runs out of time is
stopped and types nothing afterwards; `type` and `fill` enter any Unicode text, the trajectory
spells it and the replayer types it again; an episode truncated at `max_steps` ends with `done`
and passes `officegym audit`.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.cli import main
from officegym.envs import actions as A
from officegym.errors import ActionError
from officegym.replayer import Replayer, Verdict
from officegym.tasks import get_task

pytestmark = pytest.mark.browser

TASK = "miniwob.enter-text"  # one text field and a Submit button; its page's clock is off
LIGHT = ("url", "axtree", "last_action_error")  # no screenshots: cheaper steps
VALUE_JS = "() => document.querySelector('#tt').value"
Env = Any


def nested_dict(depth: int) -> dict[str, Any]:
    top: dict[str, Any] = {}
    inner = top
    for _ in range(depth):
        inner["a"] = {}
        inner = inner["a"]
    return {"action": "click", "x": top, "y": 1}


def looped() -> dict[str, Any]:
    action: dict[str, Any] = {"action": "click", "y": 1}
    action["x"] = action
    return action


# What an agent (a model's garbled output, or one probing the env) can hand to step(), and what
# each did before: raised out of step(), hung it, or took the env down with it.
HOSTILE: list[tuple[str, Callable[[], Any]]] = [
    ("unhashable key", lambda: "click({[]:1},2)"),  # TypeError
    ("200,000 signs", lambda: "click(" + "-" * 200_000 + "1, 2)"),  # MemoryError
    ("150,000 signs", lambda: "click(" + "-" * 150_000 + "1, 2)"),  # within the length limit
    ("unclosed signs", lambda: "click(" + "-" * 150_000 + "1, 2"),
    ("deep parentheses", lambda: "click(" + "(" * 50_000 + "1" + ")" * 50_000 + ", 2)"),
    ("attribute chain", lambda: "click(" + "a." * 50_000 + "b, 2)"),
    ("f-string", lambda: "type(f'{" + "-" * 10_000 + "1}')"),
    ("deep JSON", lambda: '{"action": "click", "x": ' + "[" * 50_000 + "]" * 50_000 + ', "y": 1}'),
    ("deep dict", lambda: nested_dict(100_000)),  # RecursionError
    ("looped dict", looped),
    ("x 3.5e38", lambda: "click(3.5e38, 2)"),  # past float32: Chromium stalls for good
    ("x 1e39 JSON", lambda: '{"action": "click", "x": 1e39, "y": 2}'),
    ("x infinite", lambda: "click(1e400, 2)"),
    ("x NaN", lambda: '{"action": "click", "x": NaN, "y": 2}'),
    ("x NaN dict", lambda: {"action": "click", "x": float("nan"), "y": 2}),
    ("unchecked model", lambda: A.Click.model_construct(x=1e39, y=2.0)),
    ("off the page", lambda: "click(5000, 20)"),
    ("huge wheel", lambda: "wheel(10, 10, 0, 1e30)"),
    ("10 MB call", lambda: "type('" + "a" * 10_000_000 + "')"),
    ("10 MB fill", lambda: {"action": "fill", "element": "1", "text": "x" * 10_000_000}),
    ("100k type", lambda: {"action": "type", "text": "a" * 100_000}),
    ("lone surrogate", lambda: "type('\\ud800')"),
    ("huge integer", lambda: "click(" + "9" * 5_000 + ", 2)"),
    ("many keys", lambda: "hotkey(" + "'a', " * 200 + ")"),
    ("a set", lambda: {"action": "hotkey", "keys": {"Control", "a"}}),
    ("unclosed IPv6 URL", lambda: "goto('http://[::1')"),  # ValueError
    ("not an action", lambda: object()),
]


def text_field(obs: dict[str, Any]) -> Any:
    field = find_element(obs["axtree"], "textbox", "")
    assert field is not None and field.center is not None, obs["axtree"]
    return field


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["computer", "browser"])
def test_hostile_actions_are_the_agents_errors_and_the_env_goes_on(
    make_env: Callable[..., Env], mode: str
) -> None:
    env = make_env(TASK, action_mode=mode, observation=LIGHT)
    max_steps = get_task(TASK).max_steps
    step, field, typed = max_steps, None, ""  # start with a reset
    for case, make in HOSTILE:
        if step + 2 > max_steps:  # the next two steps must fit in the episode
            obs, _ = env.reset(seed=1)
            field, step, typed = text_field(obs), 0, ""
            if mode == "computer":  # focus the field: the normal action types into it
                obs, *_ = env.step(f"click{field.center}")
                step += 1
                assert not obs["last_action_error"]
        obs, _, terminated, _, _ = env.step(make())
        step += 1
        assert obs["last_action_error"], f"{case}: no error"
        assert not terminated, f"{case}: ended the episode"
        assert set(obs) == set(LIGHT), f"{case}: not an observation"

        typed += "k"
        assert field is not None
        normal = "type('k')" if mode == "computer" else f"fill('{field.id}', {typed!r})"
        obs, *_ = env.step(normal)
        step += 1
        assert not obs["last_action_error"], f"after {case}: {obs['last_action_error']}"
        assert env.unwrapped.evaluate_in_page(VALUE_JS) == typed, f"after {case}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"type({'a' * (A.MAX_TYPE_CHARS + 1)!r})", f"at most {A.MAX_TYPE_CHARS} characters"),
        ("key('Enter' * 1000)", "arguments must be literals"),
        ("click(1, 2, 'left', 4, 5)", "takes at most 3 arguments"),
        ("click(" + "[" * 5 + "]" * 5 + ", 2)", f"deeper than {A.MAX_DEPTH} levels"),
        ("click(" + "-" * 40 + "1, 2)", "names and operators"),
    ],
)
def test_limits_are_named_in_the_error(text: str, message: str) -> None:
    with pytest.raises(ActionError, match=message):
        A.parse_action(text, "computer")


def test_text_limits_of_fill_and_answer() -> None:
    fill = {"action": "fill", "element": "1", "text": "x" * A.MAX_TEXT_CHARS}
    assert A.parse_action(fill, "browser") == A.Fill(element="1", text=fill["text"])
    with pytest.raises(ActionError, match=f"at most {A.MAX_TEXT_CHARS} characters"):
        A.parse_action({**fill, "text": fill["text"] + "x"}, "browser")
    with pytest.raises(ActionError, match=f"at most {A.MAX_TEXT_CHARS} characters"):
        A.parse_action({"action": "answer", "text": "x" * (A.MAX_TEXT_CHARS + 1)}, "browser")


# Each key takes the page 10 ms to handle and is counted: typing the longest text allowed then
# takes 20 s at least, far past the time the test gives that step (1 s), on any machine.
SLOW_KEYS_JS = """() => {
  window.__keys = 0;
  addEventListener("keydown", () => {
    window.__keys++;
    const start = performance.now();
    while (performance.now() - start < 10) {}
  }, true);
}"""


def steady(read: Callable[[], Any], deadline_s: float = 30) -> Any:
    """The value `read()` gives twice in a row (polled until the deadline)."""
    last, end = read(), time.monotonic() + deadline_s
    while time.monotonic() < end:
        time.sleep(0.2)
        now = read()
        if now == last:
            return now
        last = now
    raise AssertionError(f"still changing after {deadline_s} s: {last!r}")


@pytest.mark.slow
def test_a_step_out_of_time_is_stopped_and_nothing_types_on(
    make_env: Callable[..., Env], tmp_path: Path
) -> None:
    env = make_env(TASK, action_mode="computer", observation=LIGHT)
    obs, _ = env.reset(seed=2, options={"trajectory_dir": tmp_path / "ep"})
    page = env.unwrapped
    page.evaluate_in_page(SLOW_KEYS_JS)
    obs, *_ = env.step(f"click{text_field(obs).center}")
    assert not obs["last_action_error"]

    default, page.step_timeout = page.step_timeout, 1.0  # this step only
    obs, _, terminated, truncated, _ = env.step(f"type({'a' * A.MAX_TYPE_CHARS!r})")
    page.step_timeout = default
    assert "was stopped" in obs["last_action_error"] and not (terminated or truncated)
    found = re.search(r"after (\d+) of its (\d+) characters", obs["last_action_error"])
    assert found, obs["last_action_error"]
    typed = int(found.group(1))
    keys = steady(lambda: page.evaluate_in_page("() => window.__keys"))
    # Cut off, and nothing types on: the page got the keys the step recorded (and at most the
    # one in flight when it stopped), however long the step ran on a loaded machine.
    assert typed <= keys <= typed + 1 < A.MAX_TYPE_CHARS, (typed, keys)
    value = page.evaluate_in_page(VALUE_JS)

    obs, *_ = env.step("type('ok')")  # the env goes on: its next steps work
    assert not obs["last_action_error"]
    assert steady(lambda: page.evaluate_in_page("() => window.__keys")) == keys + 2
    assert page.evaluate_in_page(VALUE_JS) == value + "ok"


TEXT = "José 🙂 中文 ä"  # keyed, accented, an emoji (two UTF-16 units), CJK


def spelled(events: list[dict[str, Any]]) -> str:
    """The text that the key and text events of one action put into a field."""
    out = ""
    for e in events:
        if e["type"] == "key.down" and (len(e["key"]) == 1 or e["key"] == "Enter"):
            out += "\n" if e["key"] == "Enter" else e["key"]
        elif e["type"] == "text.input":
            out = e["text"] if e.get("replace") else out + e["text"]
    return out


@pytest.fixture(scope="module")
def replayer() -> Iterator[Replayer]:
    r = Replayer("fast")
    yield r
    r.close()


def os_input_ready() -> bool:
    return shutil.which("Xvfb") is not None and shutil.which("xdotool") is not None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "backend"),
    [
        ("computer", "headless"),
        ("browser", "headless"),
        pytest.param(
            "computer",
            "os_input",
            marks=[
                pytest.mark.xvfb,
                pytest.mark.skipif(not os_input_ready(), reason="needs Xvfb and xdotool"),
            ],
        ),
    ],
)
def test_any_unicode_text_is_entered_recorded_and_replayed(
    make_env: Callable[..., Env], tmp_path: Path, replayer: Replayer, mode: str, backend: str
) -> None:
    os_input = backend == "os_input"
    extra = {"backend": "xvfb", "os_input": True} if os_input else {}
    env = make_env(TASK, action_mode=mode, **extra)
    folder = tmp_path / "ep"
    obs, info = env.reset(seed=3, options={"trajectory_dir": folder})
    field = text_field(obs)
    if mode == "computer":
        obs, *_ = env.step(f"click{field.center}")
        entered = A.Type(text=TEXT)
    else:
        entered = A.Fill(element=field.id, text=TEXT)
    obs, *_ = env.step(entered)
    assert not obs["last_action_error"]
    assert env.unwrapped.evaluate_in_page(VALUE_JS) == TEXT

    # Then the task is done as usual: the field gets its answer, and Submit is clicked.
    target = get_task(TASK).solve(info["params"])[0].text
    if mode == "computer":
        env.step("hotkey('Control', 'a')")
        obs, *_ = env.step(A.Type(text=target))
    else:
        obs, *_ = env.step(A.Fill(element=field.id, text=target))
    submit = find_element(obs["axtree"], "button", "Submit")
    assert submit is not None and submit.center is not None
    click = f"click{submit.center}" if mode == "computer" else f"click('{submit.id}')"
    obs, _, terminated, _, info = env.step(click)
    assert terminated and info["success"], obs["last_action_error"]

    lines = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
    mine = [e for e in lines if e.get("action") == entered.model_dump()]
    assert spelled(mine) == TEXT
    if mode == "computer":  # the keyed characters stay keys; the others are text.input
        assert {e["text"] for e in mine if e["type"] == "text.input"} == {"é", "🙂", "中文", "ä"}
    assert lines[-1] == {"t": lines[-1]["t"], "type": "done", "reason": "page_done"}

    # The replay must put the same text into the field: a check right after it says so.
    after = max(i for i, e in enumerate(lines) if e in mine)
    while lines[after + 1]["type"] in ("observe", "screenshot"):
        after += 1
    check = {
        "t": lines[after]["t"],
        "type": "check",
        "kind": "element",
        "target": {"selector": "#tt"},
        "properties": {"value": TEXT},
    }
    lines.insert(after + 1, check)
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines))
    verdict = replayer.replay(folder)
    assert verdict.verdict == Verdict.VALID, verdict.reason


@pytest.mark.slow
def test_an_episode_cut_off_at_max_steps_ends_with_done_and_passes_audit(
    make_env: Callable[..., Env], tmp_path: Path
) -> None:
    env = make_env(TASK, action_mode="computer")
    folder = tmp_path / "run" / "ep"
    env.reset(seed=4, options={"trajectory_dir": folder})
    for n in range(1, get_task(TASK).max_steps + 1):
        _, _, terminated, truncated, _ = env.step("wait(0)")
        assert not terminated and truncated == (n == get_task(TASK).max_steps)

    lines = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
    assert lines[-1] == {"t": lines[-1]["t"], "type": "done", "reason": "max_steps"}
    findings = tmp_path / "findings.jsonl"
    assert main(["audit", str(folder), "--out", str(findings)]) == 0
    kinds = [json.loads(x)["kind"] for x in findings.read_text().splitlines()]
    assert "truncated" not in kinds
