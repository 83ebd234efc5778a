"""The action executor: a handler for every action type, and trajectory event models out.

The page here is a stand-in that answers the executor's two questions (what is at a point, what
has the focus) and takes its input, so these tests need no browser.
"""

from __future__ import annotations

import asyncio
import itertools
import typing
from pathlib import Path
from typing import Any

import pytest

from officegym import trajectory as T
from officegym.envs import actions as A
from officegym.envs._env import STAGE_ACTIONS
from officegym.envs._executor import HANDLERS, Executor
from officegym.trajectory import TrajectoryReader, TrajectoryWriter

MODES = {"computer": A.ComputerAction, "browser": A.BrowserAction}


def action_types(mode: str) -> set[type[A._Action]]:
    union = typing.get_args(MODES[mode])[0]  # Annotated[Union[...], Field(...)]
    return set(typing.get_args(union))


@pytest.mark.parametrize("mode", sorted(MODES))
def test_every_action_has_a_handler_but_those_the_env_carries_out(mode: str) -> None:
    types = action_types(mode)
    missing = {t.__name__ for t in types - set(HANDLERS) - set(STAGE_ACTIONS)}
    assert not missing, f"no executor handler for {sorted(missing)}"
    assert not set(STAGE_ACTIONS) & set(HANDLERS)  # the env routes these before the executor


def test_each_handler_takes_the_action_type_it_is_listed_for() -> None:
    for action_type, handler in HANDLERS.items():
        assert typing.get_type_hints(handler)["a"] is action_type, handler.__name__


def test_a_tab_action_given_to_the_executor_is_refused() -> None:
    with pytest.raises(TypeError, match="TabClose"):
        asyncio.run(Executor(("mail",)).run(None, A.TabClose(), clock()))  # type: ignore[arg-type]


class FakeInput:
    """Takes mouse or keyboard input and remembers it."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        async def send(*args: Any, **kwargs: Any) -> None:
            self.sent.append((name, *args, *kwargs.values()))

        return send


class FakePage:
    def __init__(self, focused: dict[str, Any] | None = None) -> None:
        self.focused = focused
        self.mouse, self.keyboard = FakeInput(), FakeInput()

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        if "describe" in script:
            return {"selector": "#send", "role": "button", "name": "Send", "tag": "button",
                    "bbox": {"x": 10, "y": 20, "width": 30, "height": 40}}  # fmt: skip
        return self.focused


def clock() -> Any:
    ticks = itertools.count()
    return lambda: float(next(ticks))


def run(action: A._Action, page: FakePage) -> list[T.Event]:
    return asyncio.run(Executor(("mail",)).run(page, action, clock()))  # type: ignore[arg-type]


def test_a_click_is_a_move_a_press_on_its_target_and_a_release() -> None:
    page = FakePage()
    events = run(A.Click(x=25, y=40), page)
    assert [type(e) for e in events] == [T.MouseMove, T.MouseDown, T.MouseUp]
    assert [e.t for e in events] == [0, 1, 2]
    assert isinstance(events[1], T.MouseDown) and events[1].target is not None
    assert events[1].target.name == "Send" and events[2].target is None
    assert all(e.action == {"action": "click", "x": 25, "y": 40, "button": "left"} for e in events)
    assert [s[0] for s in page.mouse.sent] == ["move", "down", "up"]


def test_keys_into_a_password_field_are_masked_in_the_events_and_the_action(
    tmp_path: Path,
) -> None:
    page = FakePage({"password": True, "selector": "#pw", "tag": "input"})
    events = run(A.Type(text="hunter2"), page)
    assert [s[1] for s in page.keyboard.sent if s[0] == "down"] == list("hunter2")
    downs = [e for e in events if isinstance(e, T.KeyDown)]
    assert len(downs) == 7 and all(e.masked and e.key == T.MASK for e in downs)
    assert all(e.action == {"action": "type", "text": T.MASK * 7} for e in events)
    meta = {
        "id": "x",
        "source": "agent",
        "recorder": {"name": "t", "version": "1"},
        "viewport": {"width": 800, "height": 600},
        "started_at": "2026-01-01T00:00:00Z",
    }
    with TrajectoryWriter(tmp_path, meta) as writer:
        for event in events:
            writer.write(event)
    assert "hunter" not in (tmp_path / "events.jsonl").read_text()
    assert TrajectoryReader(tmp_path).events() == events


def test_an_answer_ends_the_events() -> None:
    events = run(A.Answer(text="42"), FakePage())
    assert events == [
        T.Answer(t=0, text="42", action={"action": "answer", "text": "42"}),
        T.Done(t=1, action={"action": "answer", "text": "42"}),
    ]
