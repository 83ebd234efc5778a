"""The oracle: carries out a task's own plan through the env's public action API."""

from __future__ import annotations

from collections import deque
from typing import Any

from officegym.agents.axtree import (
    Element,
    blocking_dialog,
    dismiss_button,
    find_element,
    notice_dismiss_button,
)
from officegym.envs import actions as A
from officegym.errors import AgentError
from officegym.tasks import (
    ChooseOption,
    ClickOn,
    DragTo,
    FillIn,
    OpenUrl,
    PlanStep,
    PressKey,
    Submit,
    SwitchTab,
    get_task,
)


class OracleAgent:
    """Follows `Task.solve(params)`, finding each element by role and name in the observation.

    Works in both action modes: in `computer` mode it clicks element centres (scrolling first
    when an element is outside the viewport) and types; in `browser` mode it uses element ids.
    A modal dialog its plan does not act in (a "What's new" notice, a survey, a cookie banner)
    it dismisses first, as a person would, then goes on where it was; if it was filling in a
    field, it fills it in again (the dialog took the focus, which closes what typing opened,
    such as a mention's suggestions; filling in replaces the text, so twice is as once).
    A notification over the page (a toast: a `status` or `alert` with a dismiss button) it
    dismisses before a step that points at something, as a person clears what may cover the
    target; it takes no focus, so typing and keys go on under it.
    """

    name = "oracle"

    def __init__(self) -> None:  # it follows the plan: nothing to seed
        self.plan: deque[PlanStep] = deque()
        self.queued: deque[A.Action] = deque()
        self.last_step: PlanStep | None = None  # the plan step begun last
        self.mode = "computer"
        self.height = 720

    def reset(self, info: dict[str, Any]) -> None:
        task = get_task(info["task_id"])
        self.plan = deque(task.solve(info["params"]))
        self.queued.clear()
        self.last_step = None
        self.mode = info.get("action_mode", "computer")
        self.height = int(info.get("viewport", (1280, 720))[1])

    def act(self, observation: dict[str, Any]) -> A.Action:
        dismiss = self._dismiss(observation)
        if dismiss is not None:
            if isinstance(self.last_step, FillIn):
                self.plan.appendleft(self.last_step)
                self.queued.clear()
                self.last_step = None
            return dismiss
        if not self.queued:
            if not self.plan:
                return A.Answer(text="")
            step = self.plan[0]
            notice = notice_dismiss_button(observation.get("axtree", ""))
            if notice is not None and isinstance(step, ClickOn | FillIn | ChooseOption | DragTo):
                return self._click_button(notice, "notification")
            actions = self._translate(step, observation)
            if actions and not isinstance(actions[0], A.Wheel):
                self.plan.popleft()  # a scroll comes first; the step itself is tried again after
                self.last_step = step
            self.queued.extend(actions)
        return self.queued.popleft()

    def _dismiss(self, obs: dict[str, Any]) -> A.Action | None:
        """The action that closes a modal dialog in the way, or None when there is none (or the
        next step acts inside it)."""
        found = blocking_dialog(obs.get("axtree", ""))
        if found is None:
            return None
        _, inside = found
        step = self.plan[0] if self.plan and not self.queued else None
        if isinstance(step, ClickOn | FillIn | ChooseOption | DragTo) and find_element(
            inside, step.role, step.name
        ):
            return None  # the plan's own dialog
        button = dismiss_button(inside)
        if button is None:
            return A.Press(key="Escape") if self.mode == "browser" else A.Key(key="Escape")
        return self._click_button(button, "dialog")

    def _click_button(self, button: Element, holder: str) -> A.Action:
        if self.mode == "browser":
            return A.ClickElement(element=button.id)
        if button.center is None:
            raise AgentError(f"oracle: the {holder}'s {button.name!r} button has no position")
        return A.Click(x=button.center[0], y=button.center[1])

    def _translate(self, step: PlanStep, obs: dict[str, Any]) -> list[A.Action]:
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
        if isinstance(step, SwitchTab):
            return [A.TabFocus(index=step.index)]
        if isinstance(step, DragTo):
            return self._drag(step, obs)
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

    def _drag(self, step: DragTo, obs: dict[str, Any]) -> list[A.Action]:
        text = obs.get("axtree", "")
        start = find_element(text, step.role, step.name)
        end = find_element(text, step.to_role, step.to_name, exact=True)
        if start is None or end is None:
            missing = step.name if start is None else step.to_name
            raise AgentError(f"oracle: nothing named {missing!r} to drag on {obs.get('url')}")
        if self.mode == "browser":
            return [A.DragAndDrop(element=start.id, to=end.id)]
        if start.center is None or end.center is None:
            raise AgentError(f"oracle: {step.name!r} or {step.to_name!r} has no position")
        for _, y in (start.center, end.center):
            if not 0 <= y < self.height:  # both ends must be on screen: bring the first there
                return [A.Wheel(x=640, y=self.height / 2, dy=start.center[1] - self.height / 3)]
        (x1, y1), (x2, y2) = start.center, end.center
        return [A.Drag(x1=x1, y1=y1, x2=x2, y2=y2)]
