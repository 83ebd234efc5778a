"""Fail fast, the agent's account of each step, and agent options, at the runner's level.

(Whole runs against a chat server that fails or answers are in tests/agents/test_chat_adapter.py
and test_remote_agents.py.)
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from officegym.cli._run import agent_option, agent_options
from officegym.errors import AgentError, RunSettingsError
from officegym.results import RESULTS_FILE, EpisodeResult, ResultStore, load_results
from officegym.runner import (
    FAIL_FAST_AFTER,
    FailFast,
    Job,
    Pending,
    RetryPolicy,
    RunConfig,
    failure_before_acting,
)
from officegym.runner._folder import claimed
from officegym.runner._jobs import EPISODE_TIMEOUT_KIND, STEP_TIMEOUT_KIND
from officegym.runner._run import fail_fast_watch
from officegym.runner._steps import REPLY_TEXT_LIMIT, agent_turn, annotate_trajectory
from officegym.trajectory import AgentTurn, TrajectoryReader, TrajectoryWriter

SPEC = "openai-compatible:m@http://127.0.0.1:9/v1"


def failed(
    n: int,
    kind: str = "HTTP 401",
    body: str = "bad key",
    steps: int = 0,
    status: str = "agent_error",
) -> EpisodeResult:
    """An agent failure at step `steps + 1` (0: its first step, before it acted)."""
    error = f"agent {SPEC!r} failed at step {steps + 1} ({kind}): http://h/v1 answered: {body}"
    return EpisodeResult(
        f"e{n}", "t", n, SPEC, False, 0.0, steps=steps, error=error, status=status, error_kind=kind
    )


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


def test_the_same_failure_before_acting_stops_the_run_at_the_third() -> None:
    # Bodies differ (a request id): the kind is what makes them the same.
    results = [failed(0, body="id 1"), failed(1, body="id 2")] + [failed(n) for n in (2, 3)]
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


def test_failures_after_the_agent_acted_never_stop_a_run() -> None:
    # A prompt past the model's context at step 3 of every episode: the agent works.
    late = [failed(n, kind="HTTP 400", body="context length exceeded", steps=2) for n in range(6)]
    assert play(late) == len(late)
    # One that acted first: what follows are results, even the same failure before acting.
    assert play([failed(0, steps=2)] + [failed(n) for n in range(1, 6)]) == 6


def test_an_episode_timeout_is_not_a_failure_before_acting() -> None:
    # The pool records an episode past its time without steps: it counts for nothing.
    slow = [failed(n, kind=EPISODE_TIMEOUT_KIND, status="timeout") for n in range(5)]
    assert play(slow) == len(slow) and failure_before_acting(slow[0]) is None
    # A step timeout before the first action is a hung agent, and counts.
    hung = [failed(n, kind=STEP_TIMEOUT_KIND, status="timeout") for n in range(5)]
    assert play(hung) == FAIL_FAST_AFTER
    assert failure_before_acting(hung[0]) == "timeout: step timeout"


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


def test_retry_errors_never_fails_fast(tmp_path: Path) -> None:
    # Its episodes are the failed ones by selection: the same failures again stop nothing.
    retry = RunConfig("smoke", SPEC, 1, tmp_path, resume=True, retry_errors=True)
    play_watch(fail_fast_watch(retry))
    with pytest.raises(AgentError):
        play_watch(fail_fast_watch(replace(retry, retry_errors=False)))


def play_watch(watch: FailFast) -> None:
    for result in [failed(n) for n in range(FAIL_FAST_AFTER)]:
        watch.observe(result)


def test_the_kind_is_the_results_field_not_read_from_its_text() -> None:
    assert failure_before_acting(failed(0, kind="connection refused")) == (
        "agent_error: connection refused"
    )
    # The text may say anything (an agent's spec, a server's words): only the field counts.
    worded = EpisodeResult(
        "e", "t", 0, SPEC, False, 0.0, status="agent_error",
        error="agent 'x' failed at step 1 (HTTP 500): …", error_kind="OSError",
    )  # fmt: skip
    assert failure_before_acting(worded) == "agent_error: OSError"
    unknown = replace(worded, error_kind=None)  # a row of an earlier version: not counted
    crashed = replace(worded, status="crashed")
    assert failure_before_acting(unknown) is None and failure_before_acting(crashed) is None
    assert failure_before_acting(finished(0)) is None


def test_the_error_kind_is_stored_and_old_stores_still_load(tmp_path: Path) -> None:
    old = tmp_path / "old" / RESULTS_FILE
    old.parent.mkdir()
    with contextlib.closing(sqlite3.connect(old)) as db:  # the first release's table
        db.execute(
            "CREATE TABLE episodes (episode_id TEXT PRIMARY KEY, task_id TEXT NOT NULL, "
            "seed INTEGER NOT NULL, agent TEXT NOT NULL, success INTEGER NOT NULL, "
            "score REAL NOT NULL, checkpoints TEXT NOT NULL, steps INTEGER NOT NULL, "
            "seconds REAL NOT NULL, error TEXT NOT NULL DEFAULT '', answer TEXT, "
            "trajectory TEXT NOT NULL DEFAULT '', finished_at TEXT NOT NULL)"
        )
        db.execute("INSERT INTO episodes VALUES ('e', 't', 0, 'a', 0, 0, '[]', 1, 1, 'x', "
                   "NULL, '', '')")  # fmt: skip
        db.commit()
    (row,) = load_results(old.parent)
    assert (row.error, row.error_kind) == ("x", None)
    store = ResultStore(old)
    store.add(failed(1, kind="HTTP 401"))
    store.close()
    assert [r.error_kind for r in load_results(old.parent)] == [None, "HTTP 401"]


def test_a_timeout_without_a_result_keeps_its_kind_and_steps() -> None:
    kept: list[EpisodeResult] = []
    policy = RetryPolicy(SPEC, 0, kept.append)
    job = Job("t", 0, "e", "traj")
    policy.settle(Pending(job, 1), "timeout", "slow", None, kind=STEP_TIMEOUT_KIND, steps=4)
    assert (kept[0].error_kind, kept[0].steps) == (STEP_TIMEOUT_KIND, 4)


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


def test_agent_options_are_run_settings_without_their_transport(tmp_path: Path) -> None:
    options = {"max_tokens": 512, "api_key": "sk-secret", "headers": {"api-key": "az-secret"}}
    config = RunConfig("smoke", SPEC, 1, tmp_path / "run", agent_options=options)
    with claimed(config):
        pass
    stored = (tmp_path / "run" / RESULTS_FILE).read_bytes()
    assert b"sk-secret" not in stored and b"az-secret" not in stored and b"512" in stored
    # The fix the fail-fast message asks for: a new key, headers, timeout, retries.
    transport = {"api_key": "sk-new", "headers": {"X": "y"}, "timeout": 300, "retries": 0}
    fixed = {"max_tokens": 512, **transport}
    same = RunConfig("smoke", SPEC, 1, tmp_path / "run", resume=True, agent_options=fixed)
    with claimed(same):
        pass
    other = {**options, "max_tokens": 64}
    changed = RunConfig("smoke", SPEC, 1, tmp_path / "run", resume=True, agent_options=other)
    with pytest.raises(RunSettingsError, match="agent_options") as caught, claimed(changed):
        pass
    assert caught.value.field == "agent_options"
    assert "sk-secret" not in str(caught.value) and json.dumps(64) in str(caught.value)


def test_a_run_of_the_version_that_stored_secret_digests_resumes(tmp_path: Path) -> None:
    run = tmp_path / "run"
    with claimed(RunConfig("smoke", SPEC, 1, run)):
        pass
    store = ResultStore(run / RESULTS_FILE)
    store.set_info(agent_options={"max_tokens": 8, "api_key": "sha256:0123456789ab"})
    store.close()
    again = RunConfig("smoke", SPEC, 1, run, resume=True, agent_options={"max_tokens": 8})
    with claimed(again):
        pass


def test_the_system_prompt_is_checked_by_its_contents_not_its_path(tmp_path: Path) -> None:
    prompt, moved = tmp_path / "prompt.txt", tmp_path / "moved.txt"
    prompt.write_text("Be brief. {actions}")

    def config(path: Path, resume: bool = True) -> RunConfig:
        options = {"system_prompt_file": str(path)}
        return RunConfig("smoke", SPEC, 1, tmp_path / "run", resume=resume, agent_options=options)

    with claimed(config(prompt, resume=False)):
        pass
    moved.write_text(prompt.read_text())
    with claimed(config(moved)):  # the same prompt elsewhere: the same run
        pass
    prompt.write_text("Be thorough. {actions}")  # edited: the episodes would mix two prompts
    with pytest.raises(RunSettingsError, match="agent_options"), claimed(config(prompt)):
        pass
