"""The oracle: carries out a task's own plan through the env's public action API."""

from __future__ import annotations

from collections import deque
from typing import Any

from officegym.agents._base import AgentError
from officegym.agents.axtree import find_element
from officegym.envs import actions as A
from officegym.tasks import (
    ChooseOption,
    ClickOn,
    FillIn,
    OpenUrl,
    PlanStep,
    PressKey,
    Submit,
    get_task,
)


class OracleAgent:
    """Follows `Task.solve(params)`, finding each element by role and name in the observation.

    Works in both action modes: in `computer` mode it clicks element centres (scrolling first
    when an element is outside the viewport) and types; in `browser` mode it uses element ids.
    """

    name = "oracle"

    def __init__(self, seed: int | None = None) -> None:
        self.plan: deque[PlanStep] = deque()
        self.queued: deque[A._Action] = deque()
        self.mode = "computer"
        self.height = 720

    def reset(self, info: dict[str, Any]) -> None:
        task = get_task(info["task_id"])
        self.plan = deque(task.solve(info["params"]))
        self.queued.clear()
        self.mode = info.get("action_mode", "computer")
        self.height = int(info.get("viewport", (1280, 720))[1])

    def act(self, observation: dict[str, Any]) -> A._Action:
        if not self.queued:
            if not self.plan:
                return A.Answer(text="")
            step = self.plan[0]
            actions = self._translate(step, observation)
            if actions and not isinstance(actions[0], A.Wheel):
                self.plan.popleft()  # a scroll comes first; the step itself is tried again after
            self.queued.extend(actions)
        return self.queued.popleft()

    def _translate(self, step: PlanStep, obs: dict[str, Any]) -> list[A._Action]:
        if isinstance(step, Submit):
            return [A.Answer(text=step.answer)]
        if isinstance(step, PressKey):
            if self.mode == "browser":
                return [A.Press(key=step.key)]
            keys = step.key.split("+")
            return [A.Hotkey(keys=keys) if len(keys) > 1 else A.Key(key=step.key)]
        if isinstance(step, OpenUrl):
            if self.mode == "browser":
                return [A.Goto(url=step.url)]
            raise AgentError("the oracle cannot open a URL in computer mode")
        if isinstance(step, ClickOn | FillIn | ChooseOption):
            el = find_element(
                obs.get("axtree", ""),
                step.role,
                step.name,
                getattr(step, "index", 0),
                exact=getattr(step, "exact", False),
            )
            if el is None:
                raise AgentError(
                    f"oracle: no {step.role} named like {step.name!r} on {obs.get('url')}"
                    f"; last error: {obs.get('last_action_error') or 'none'}"
                )
            if self.mode == "browser":
                if isinstance(step, FillIn):
                    return [A.Fill(element=el.id, text=step.text)]
                if isinstance(step, ChooseOption):
                    return [A.Select(element=el.id, option=step.option)]
                return [A.ClickElement(element=el.id)]
            if el.center is None:
                raise AgentError(f"oracle: {step.role} {step.name!r} has no position")
            x, y = el.center
            if not 0 <= y < self.height:
                return [A.Wheel(x=640, y=self.height / 2, dy=y - self.height / 2)]
            if isinstance(step, FillIn):
                return [A.Click(x=x, y=y), A.Hotkey(keys=["Control", "a"]), A.Type(text=step.text)]
            if isinstance(step, ChooseOption):
                # As a person does with the keyboard: focus the list, type the option's name
                # (the list jumps to it), confirm.
                return [A.Click(x=x, y=y), A.Type(text=step.option), A.Key(key="Enter")]
            return [A.Click(x=x, y=y)]
        raise AgentError(f"oracle: unknown plan step {step!r}")
