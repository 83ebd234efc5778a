"""The browser side of a step: carry out the action and let the page settle, within the step's time.

A step that runs out of time is cancelled where it is, on the host's loop, and waited for until it
has stopped: nothing of it goes on in the background (a long `type` stops typing), the env stays
usable, and the step reports it as its `last_action_error`, keeping the events of what got done.
"""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import Error as PlaywrightError

from officegym import trajectory as T
from officegym.browser import Stage
from officegym.envs._executor import Clock, Executor
from officegym.envs.actions import Action, TabClose, TabFocus, Type
from officegym.errors import ActionError

# A step's own work ends well within this: a wait is at most 10 s, a page settles or gives up in
# 5 s (three times over when it navigates), a new tab loads in 5 s, `type` is bounded by its
# length. What goes beyond it is stuck, and is stopped.
STEP_TIMEOUT_S = 60.0
# The tab actions act on the stage, not on a page: the env carries them out, not the executor.
STAGE_ACTIONS = (TabFocus, TabClose)


async def perform(
    stage: Stage,
    executor: Executor,
    action: Action,
    clock: Clock,
    probe: str,
    timeout: float = STEP_TIMEOUT_S,
) -> tuple[list[T.Event], str, Any]:
    """Carry out `action` and wait for the page to settle, for at most `timeout` seconds.

    Returns:
        The events, the error ("" if none: the action's, or that the step ran out of time), and
        the value of the JS expression `probe` read once the page settled (None if it did not).
    """
    events: list[T.Event] = []
    settled: list[Any] = [0, None]
    executor.cut_short = []

    async def act() -> None:
        events.extend(await stage.adopt_tabs(0, clock))  # a page opened one by itself
        if isinstance(action, STAGE_ACTIONS):
            done = await tab_action(stage, action, clock)
            events.extend(e.model_copy(update={"action": action.model_dump()}) for e in done)
        else:
            executor.watch = stage.watch
            events.extend(await executor.run(stage.page, action, clock))
        # The task's page state is read in the same round trip, once the page is quiet.
        result = await stage.watch.settle(scrolled=action.action == "wheel", probe=probe)
        settled[:] = result or (0, None)
        events.extend(await stage.adopt_tabs(int(settled[0] or 0), clock))

    try:
        # wait_for cancels `act` when the time is up and returns only once it has stopped.
        await asyncio.wait_for(act(), timeout)
    except TimeoutError:
        events.extend(executor.cut_short)
        # Cut short while typing, or after the keys were all sent (while the page settled).
        typed = executor.cut_short or events
        return events, _out_of_time(action, typed, timeout), None
    except ActionError as exc:
        events.extend(executor.cut_short)
        return events, str(exc), None
    except PlaywrightError as exc:  # the page went away under a `type`, say
        events.extend(executor.cut_short)
        return events, f"{action.action} failed: {str(exc).splitlines()[0]}", None
    return events, "", settled[1]


def _out_of_time(action: Action, done: list[T.Event], timeout: float) -> str:
    so_far = ""
    if isinstance(action, Type):
        typed = sum(isinstance(e, T.KeyDown) for e in done)
        typed += sum(len(e.text) for e in done if isinstance(e, T.TextInput))
        so_far = f" after {typed} of its {len(action.text)} characters"
    return (
        f"{action.action} did not finish within the step's {timeout:g} s and was stopped"
        f"{so_far}; the page is as it left it"
    )


async def tab_action(stage: Stage, action: TabFocus | TabClose, clock: Clock) -> list[T.Event]:
    """Carry out a tab action on the stage; its events.

    Raises:
        ActionError: no such open tab, or the last tab would close.
    """
    if isinstance(action, TabFocus):
        await stage.focus_tab(action.index)
        return [T.TabSwitch(t=clock(), index=action.index)]
    return [T.TabClose(t=clock(), index=await stage.close_tab())]  # stamped as it begins


# What a step says of what the page tried to reach: a page can try (or fake, in its console) a
# thousand requests in one step, and the observation must stay readable and small.
BLOCKED_SHOWN, BLOCKED_CHARS = 10, 200


def blocked_text(blocked: list[str]) -> str:
    """The first attempts the page made outside the task's apps, each cut short, and how many
    more there were."""
    shown = [
        b[:BLOCKED_CHARS] + ("…" if len(b) > BLOCKED_CHARS else "") for b in blocked[:BLOCKED_SHOWN]
    ]
    more = len(blocked) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "")
