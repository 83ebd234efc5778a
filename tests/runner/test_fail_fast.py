"""Fail fast, the agent's account of each step, and agent options, at the runner's level.

(Whole runs against a chat server that fails or answers are in tests/agents/test_chat_adapter.py
and test_remote_agents.py.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from officegym.cli._run import agent_option, agent_options
from officegym.errors import AgentError, RunSettingsError
from officegym.results import EpisodeResult
from officegym.runner import FAIL_FAST_AFTER, FailFast, RunConfig, failure_kind
from officegym.runner._folder import claimed
from officegym.runner._steps import REPLY_TEXT_LIMIT, agent_turn, annotate_trajectory
from officegym.trajectory import AgentTurn, TrajectoryReader, TrajectoryWriter

SPEC = "openai-compatible:m@http://127.0.0.1:9/v1"


def failed(n: int, kind: str = "HTTP 401", body: str = "bad key", step: int = 1) -> EpisodeResult:
    error = f"agent {SPEC!r} failed at step {step} ({kind}): http://h/v1 answered {kind}: {body}"
    return EpisodeResult(f"e{n}", "t", n, SPEC, False, 0.0, error=error, status="agent_error")


def finished(n: int) -> EpisodeResult:
    return EpisodeResult(f"e{n}", "t", n, SPEC, False, 0.0, status="done")


def play(results: list[EpisodeResult], after: int = FAIL_FAST_AFTER) -> int:
    """How many results the watcher took before it stopped the run (all of them if it did not)."""
    watch = FailFast(after, "runs/x")
    for taken, result in enumerate(results, 1):
        try:
            watch.observe(result)
        except AgentError:
            return taken
    return len(results)


def test_the_same_failure_from_the_start_stops_the_run_at_the_third() -> None:
    # Bodies differ (a request id, a step): the status is what makes them the same.
    results = [failed(0, body="id 1"), failed(1, body="id 2", step=3)] + [failed(n) for n in (2, 3)]
    assert play(results) == 3
    with pytest.raises(AgentError) as caught:
        play_raising([failed(n) for n in range(3)])
    message = str(caught.value)
    assert "first 3 episodes all failed the same way (agent_error: HTTP 401)" in message
    assert "\n" not in message and "--resume --retry-errors" in message


def play_raising(results: list[EpisodeResult]) -> None:
    watch = FailFast(FAIL_FAST_AFTER, "runs/x")
    for result in results:
        watch.observe(result)


@pytest.mark.parametrize(
    "results",
    [
        [finished(0)] + [failed(n) for n in range(1, 6)],  # it worked once: failures are results
        [failed(0), failed(1, kind="HTTP 429")] + [failed(n) for n in range(2, 6)],
        [failed(0), finished(1), failed(2), failed(3)],
    ],
)
def test_a_success_or_another_failure_first_means_no_fail_fast(
    results: list[EpisodeResult],
) -> None:
    assert play(results) == len(results)


def test_fail_fast_zero_never_stops_and_another_number_is_kept() -> None:
    assert play([failed(n) for n in range(10)], after=0) == 10
    assert play([failed(n) for n in range(10)], after=5) == 5


def test_what_makes_two_failures_the_same() -> None:
    refused = failed(0, kind="connection refused")
    assert failure_kind(refused) == "agent_error: connection refused"
    assert failure_kind(failed(0, kind="ValueError", body="step 4 broke")) == (
        "agent_error: ValueError"
    )
    slow = [
        EpisodeResult("e", "t", 0, SPEC, False, 0.0, error=f"the agent took longer than "
                      f"120s at step {n}", status="timeout")
        for n in (1, 7)
    ]  # fmt: skip
    assert failure_kind(slow[0]) == failure_kind(slow[1]) is not None
    crashed = EpisodeResult("e", "t", 0, SPEC, False, 0.0, error="browser died", status="crashed")
    assert failure_kind(crashed) is None and failure_kind(finished(0)) is None
    # A spec that reads like a failure does not fool it: the kind is read after the spec.
    tricky = "x:Agent failed at step 1 (HTTP 500): "
    error = f"agent {tricky!r} failed at step 1 (OSError): disk"
    odd = EpisodeResult("e", "t", 0, tricky, False, 0.0, error=error, status="agent_error")
    assert failure_kind(odd) == "agent_error: OSError"


class Talker:
    def __init__(self, last_step: Any) -> None:
        self.last_step = last_step


def test_an_agents_account_is_kept_bounded_and_typed() -> None:
    long = "r" * (REPLY_TEXT_LIMIT + 5)
    given = {
        "reply": long,
        "action": "click('1')",
        "request_s": 0.25,
        "tokens": {"prompt": 3, "completion": 4},
        "error": None,
    }
    turn = agent_turn(Talker(given))
    assert turn is not None
    assert turn.reply == "r" * REPLY_TEXT_LIMIT + f"… ({REPLY_TEXT_LIMIT + 5} characters)"
    assert (turn.action, turn.request_s, turn.error) == ("click('1')", 0.25, None)
    assert turn.tokens is not None and (turn.tokens.prompt, turn.tokens.completion) == (3, 4)
    wrong = {
        "reply": ["not", "text"],
        "request_s": float("nan"),
        "tokens": {"prompt": True, "completion": -1},
        "error": 5,
    }
    hostile = agent_turn(Talker(wrong))
    assert hostile == AgentTurn()  # wrong types are left out, not trusted
    assert agent_turn(Talker(None)) is None and agent_turn(object()) is None
    # A step whose act() raised has an account, the failure its error, even with no last_step.
    assert agent_turn(object(), "boom") == AgentTurn(error="boom")
    assert agent_turn(Talker({"error": "own words"}), "boom") == AgentTurn(error="own words")


def test_the_accounts_go_on_the_first_event_of_each_step(tmp_path: Path) -> None:
    meta = {
        "id": "e",
        "source": "agent",
        "recorder": {"name": "t", "version": "1"},
        "viewport": {"width": 8, "height": 8},
        "started_at": "2024-05-01T12:00:00Z",
    }
    frame = {"frame": "frames/000000.png", "sha256": "0" * 64}
    with TrajectoryWriter(tmp_path, meta) as writer:
        for event in [
            {"t": 0, "type": "observe", "url": "u"}, {"t": 0, "type": "screenshot", **frame},
            {"t": 1, "type": "mouse.move", "x": 1, "y": 1},  # step 1: a click
            {"t": 1, "type": "mouse.down", "x": 1, "y": 1},
            {"t": 2, "type": "observe", "url": "u"}, {"t": 2, "type": "screenshot", **frame},
            {"t": 3, "type": "observe", "url": "u"},  # step 2: refused, it wrote nothing
            {"t": 3, "type": "screenshot", **frame},
            {"t": 4, "type": "answer", "text": "42"}, {"t": 4, "type": "done"},  # step 3
        ]:  # fmt: skip
            writer.write(event)
    turns = {n: AgentTurn(reply=f"step {n}", action=f"a{n}") for n in (1, 2, 3)}
    assert annotate_trajectory(tmp_path, turns)
    events = TrajectoryReader(tmp_path).events()
    told = {i: e.agent.reply for i, e in enumerate(events) if e.agent is not None}
    assert told == {2: "step 1", 6: "step 2", 8: "step 3"}
    assert [e.type for e in events][6] == "observe"
    assert not list(tmp_path.glob(".events.*"))  # the temporary file became events.jsonl
    assert not annotate_trajectory(tmp_path / "not-yet", turns)  # no events here (yet)


def test_agent_options_are_json_or_text_and_given_once() -> None:
    assert agent_option('extra_body={"top_p": 0.9}') == ("extra_body", {"top_p": 0.9})
    assert agent_option("temperature=null") == ("temperature", None)
    assert agent_option("system_prompt_file=p.txt") == ("system_prompt_file", "p.txt")
    for bad in ("max_tokens", "=3", "max-tokens=3"):
        with pytest.raises(Exception, match="write KEY=VALUE"):
            agent_option(bad)
    with pytest.raises(ValueError, match="max_tokens is given twice"):
        agent_options([("max_tokens", 1), ("max_tokens", 2)])


def test_agent_options_are_run_settings_with_secrets_kept_as_a_digest(tmp_path: Path) -> None:
    options = {"max_tokens": 512, "api_key": "sk-secret", "headers": {"api-key": "az-secret"}}
    config = RunConfig("smoke", SPEC, 1, tmp_path / "run", agent_options=options)
    with claimed(config):
        pass
    stored = (tmp_path / "run" / "results.sqlite").read_bytes()
    assert b"sk-secret" not in stored and b"az-secret" not in stored and b"512" in stored
    same = RunConfig("smoke", SPEC, 1, tmp_path / "run", resume=True, agent_options=options)
    with claimed(same):
        pass
    other = {**options, "max_tokens": 64}
    changed = RunConfig("smoke", SPEC, 1, tmp_path / "run", resume=True, agent_options=other)
    with pytest.raises(RunSettingsError, match="agent_options") as caught, claimed(changed):
        pass
    assert caught.value.field == "agent_options"
    assert "sk-secret" not in str(caught.value) and json.dumps(64) in str(caught.value)
