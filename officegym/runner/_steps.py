"""What an episode keeps of each step besides the env's trajectory: `steps.jsonl`, and the
agent's own account of the step (`agent.last_step`), in that log and in the trajectory.

An agent may say what happened in its step by setting `last_step` in every `act()` (docs/agents.md):
a dict with `reply` (the model's text), `action` (what it read from it), `request_s`, `tokens`
(`{"prompt": n, "completion": n}`) and `error`. The runner takes it after each `act()`, also one
that raised, and keeps what has the right type, bounded: an agent is the thing under test, and
its account is no more trusted than its actions.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from officegym.errors import TrajectoryFormatError
from officegym.trajectory import EVENTS_FILE, AgentTurn, TokenCount, TrajectoryReader

# What steps.jsonl keeps of an action: enough to read it; an agent's 10 MB string is not kept whole.
ACTION_TEXT_LIMIT = 2000
# What is kept of a model's reply per step (and of an agent's error): a reply that reasons at
# length fits; a runaway one is cut, and the note says how long it was.
REPLY_TEXT_LIMIT = 8000


def cut(text: str, limit: int) -> str:
    """`text` up to `limit` characters, with a note of its length when it was longer.

    >>> cut("abcdef", 3)
    'abc… (6 characters)'
    """
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def action_text(action: Any) -> str:
    """The action as steps.jsonl shows it. Whatever the agent returned (a nested or looped
    structure, a huge string) gives a line: the env has already refused what it cannot parse."""
    try:
        call = action.to_call() if hasattr(action, "to_call") else action
        if not isinstance(call, str):
            call = json.dumps(call, default=str)
    except (ValueError, TypeError, RecursionError):
        call = f"<{type(action).__name__} the parser refused>"
    return cut(call, ACTION_TEXT_LIMIT)


def agent_turn(agent: Any, failure: str | None = None) -> AgentTurn | None:
    """The agent's account of the step it just took, from its `last_step`.

    Args:
        agent: the agent, after its `act()`.
        failure: why its `act()` raised, if it did: the turn's error when the agent gave none.

    Returns:
        The account, with what has the wrong type left out and texts cut to their limits; None
        when the agent gives none and its step did not fail.
    """
    try:
        given = getattr(agent, "last_step", None)
    except Exception:  # a property that raises: the agent gives nothing usable
        given = None
    if not isinstance(given, dict):
        if failure is None:
            return None
        given = {}
    error = _text(given.get("error"), REPLY_TEXT_LIMIT) or failure
    return AgentTurn(
        reply=_text(given.get("reply"), REPLY_TEXT_LIMIT) or "",
        action=_text(given.get("action"), ACTION_TEXT_LIMIT) or "",
        request_s=_seconds(given.get("request_s")),
        tokens=_tokens(given.get("tokens")),
        error=cut(error, REPLY_TEXT_LIMIT) if error else None,
    )


def _text(value: Any, limit: int) -> str | None:
    return cut(value, limit) if isinstance(value, str) else None


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value), 3) if 0 <= value < math.inf else None


def _tokens(value: Any) -> TokenCount | None:
    if not isinstance(value, dict):
        return None
    prompt, completion = value.get("prompt"), value.get("completion")
    counts = [n for n in (prompt, completion) if isinstance(n, int) and not isinstance(n, bool)]
    if len(counts) != 2 or min(counts) < 0:
        return None
    return TokenCount(prompt=counts[0], completion=counts[1])


def step_line(
    step: int,
    action: Any,
    obs: dict[str, Any],
    t0: float,
    t1: float,
    turn: AgentTurn | None,
    axtree: object = None,
) -> dict[str, Any]:
    """One line of steps.jsonl: the action as the agent gave it, its error, where time went,
    the agent's account of the step (null when it gives none) and the accessibility tree the
    agent chose the action on (as the env gave it, so within the env's own limit; null when
    the observation has none)."""
    return {
        "step": step,
        "action": action_text(action),
        "error": obs.get("last_action_error") or "",
        "think_ms": round((t1 - t0) * 1000, 1),
        "env_ms": round((time.perf_counter() - t1) * 1000, 1),
        "url": obs.get("url", ""),
        "agent": turn.model_dump() if turn else None,
        "axtree": axtree if isinstance(axtree, str) else None,
    }


def failed_step_line(step: int, obs: dict[str, Any], t0: float, turn: AgentTurn) -> dict[str, Any]:
    """The line of the step whose `act()` raised: no action reached the env (`action` and
    `env_ms` are null), and the agent's account says why (`agent.error`)."""
    return {
        "step": step,
        "action": None,
        "error": "",
        "think_ms": round((time.perf_counter() - t0) * 1000, 1),
        "env_ms": None,
        "url": obs.get("url", ""),
        "agent": turn.model_dump(),
    }


def annotate_trajectory(folder: Path, turns: dict[int, AgentTurn]) -> bool:
    """Put each step's agent account on the first event that step wrote in the trajectory.

    The env writes the trajectory as the episode goes, and knows nothing of the agent's reply;
    once the episode's events are all written, they are rewritten with the accounts, into a
    temporary file that then replaces `events.jsonl` (a reader never sees half of it). An
    agent's trajectory has an `observe` (and its screenshot) after reset and after every step,
    so step n's events follow the n-th `observe`; a step whose action the env refused wrote
    none, and its account goes on the `observe` that ends it.

    Args:
        folder: the episode's trajectory folder.
        turns: the accounts by step number (1 for the first step).

    Returns:
        False when the folder holds no events yet (a sandbox's env hands them over later);
        True when done with it: rewritten, or left as it was because it cannot be read (the
        accounts are in steps.jsonl all the same).
    """
    path = folder / EVENTS_FILE
    if not path.is_file():
        return False
    try:
        fd, temporary = tempfile.mkstemp(prefix=".events.", suffix=".tmp", dir=folder)
    except OSError:
        return True
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            _write_annotated(folder, turns, out)
            # On disk before it takes the place of the events: a crash right after the rename
            # must not leave an empty events.jsonl where the env's own copy was. (As
            # officegym.trajectory does for meta.json; its helper is private to it.)
            out.flush()
            os.fchmod(out.fileno(), os.stat(path).st_mode & 0o777)  # mkstemp's is 0600
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except (TrajectoryFormatError, OSError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return True


def _write_annotated(folder: Path, turns: dict[int, AgentTurn], out: Any) -> None:
    observed, marked = 0, 0
    with TrajectoryReader(folder) as reader:
        for _, event in reader.iter_events():
            if event.type != "screenshot" and observed > marked:
                marked = observed  # the first event of step `observed`
                if observed in turns:
                    event = event.model_copy(update={"agent": turns[observed]})
            if event.type == "observe":
                observed += 1
            out.write(event.model_dump_json(exclude_none=True) + "\n")
