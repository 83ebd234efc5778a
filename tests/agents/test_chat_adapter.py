"""The chat-completions adapter against a real local server that each test scripts: good replies,
error statuses, retries, a dead port, a slow reply, garbled bodies; every request counted, and
the step's account (`last_step`) kept. The options, the spec and the documented prompt too.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chat_server import ChatServer, Reply, completion, serve_chat

from officegym.agents import AgentError, load_agent
from officegym.agents._wire import MAX_REPLY_BYTES
from officegym.agents.remote import (
    SYSTEM_PROMPT,
    ChatCompletionsAgent,
    EndpointError,
    parse_chat_spec,
)
from officegym.runner import FAIL_FAST_AFTER

DOCS = Path(__file__).resolve().parents[2] / "docs" / "agents.md"


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    yield from serve_chat()


def observation(error: str = "") -> dict[str, Any]:
    return {
        "goal": "Star the email from Ana.",
        "url": "http://mail.office.test/",
        "axtree": '[1] banner\n[12] button "Star"',
        "last_action_error": error,
        "screenshot": np.full((8, 8, 3), 200, dtype=np.uint8),
    }


def chat_agent(server: ChatServer | str, **options: Any) -> ChatCompletionsAgent:
    url = server if isinstance(server, str) else server.url
    agent = ChatCompletionsAgent("test-model", url, **options)
    agent.reset({"action_mode": "browser", "goal": "Star the email from Ana."})
    return agent


def dead_port() -> int:
    """A port on which nothing listens (bound, then closed): connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_a_good_reply_gives_its_action_tokens_and_the_account_of_the_step(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICEGYM_API_KEY", "sk-test")
    chat_server.then(completion("The star is [12].\n```\nclick('12')\n```", prompt=900))
    agent = chat_agent(
        chat_server,
        max_tokens=256,
        temperature=0.3,
        extra_body={"top_p": 0.9, "stop": ["\n\n\n"]},
        headers={"X-Org": "acme"},
    )
    assert agent.act(observation()) == "click('12')"

    (request,) = chat_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert request.headers["X-Org"] == "acme"
    body = request.body
    assert body["model"] == "test-model"
    assert (body["max_tokens"], body["temperature"], body["top_p"]) == (256, 0.3, 0.9)
    assert body["stop"] == ["\n\n\n"]
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "fill" in body["messages"][0]["content"]  # the browser mode's actions are listed
    image = body["messages"][1]["content"][1]["image_url"]["url"]
    assert image.startswith("data:image/png;base64,iVBOR")

    step = agent.last_step
    assert step is not None
    assert step["reply"] == "The star is [12].\n```\nclick('12')\n```"
    assert (step["action"], step["error"]) == ("click('12')", None)
    assert step["tokens"] == {"prompt": 900, "completion": 7}
    assert isinstance(step["request_s"], float)
    usage = agent.usage
    assert {k: usage[k] for k in ("requests", "retries", "failed_requests")} == {
        "requests": 1,
        "retries": 0,
        "failed_requests": 0,
    }
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (900, 7)
    assert usage["latency_s"] == pytest.approx(step["request_s"], abs=0.002)


def test_temperature_null_and_no_max_tokens_leave_them_to_the_server(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OFFICEGYM_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    chat_server.then(completion("answer('done')"))
    chat_agent(chat_server, temperature=None).act(observation())
    body = chat_server.requests[0].body
    assert "temperature" not in body and "max_tokens" not in body
    assert "Authorization" not in chat_server.requests[0].headers  # no key: local servers


def test_401_fails_at_once_counted_with_its_status(chat_server: ChatServer) -> None:
    chat_server.then(Reply(401, b'{"error": {"message": "Incorrect API key"}}'))
    agent = chat_agent(chat_server, retries=3)
    with pytest.raises(EndpointError, match=r"answered HTTP 401: .*Incorrect API key") as caught:
        agent.act(observation())
    assert caught.value.kind == "HTTP 401"
    assert len(chat_server.requests) == 1  # a bad key does not get better on retry
    usage = agent.usage
    assert (usage["requests"], usage["retries"], usage["failed_requests"]) == (1, 0, 1)
    assert agent.last_step is not None and "HTTP 401" in agent.last_step["error"]


def test_429_then_200_is_retried_and_both_requests_count(chat_server: ChatServer) -> None:
    chat_server.then(
        Reply(429, b"slow down", headers={"Retry-After": "0"}), completion("click('12')")
    )
    agent = chat_agent(chat_server)
    assert agent.act(observation()) == "click('12')"
    assert len(chat_server.requests) == 2
    usage = agent.usage
    assert (usage["requests"], usage["retries"], usage["failed_requests"]) == (2, 1, 1)
    assert agent.last_step is not None and agent.last_step["error"] is None


def test_500_every_time_gives_up_after_the_retries_with_every_attempt_counted(
    chat_server: ChatServer,
) -> None:
    chat_server.answer = lambda body, headers: Reply(500, b"boom", headers={"Retry-After": "0"})
    agent = chat_agent(chat_server, retries=3)
    with pytest.raises(EndpointError, match=r"HTTP 500: boom; gave up after 4 attempt") as caught:
        agent.act(observation())
    assert caught.value.kind == "HTTP 500"
    assert len(chat_server.requests) == 4
    usage = agent.usage  # was `requests: 0` before every attempt was counted
    assert (usage["requests"], usage["retries"], usage["failed_requests"]) == (4, 3, 4)


def test_a_port_nothing_listens_on_is_connection_refused_on_every_attempt() -> None:
    agent = chat_agent(f"http://127.0.0.1:{dead_port()}/v1", retries=1)
    with pytest.raises(EndpointError, match=r"connection refused.*gave up after 2") as caught:
        agent.act(observation())
    assert caught.value.kind == "connection refused"
    usage = agent.usage
    assert (usage["requests"], usage["retries"], usage["failed_requests"]) == (2, 1, 2)


def test_a_reply_slower_than_the_timeout_is_a_timeout(chat_server: ChatServer) -> None:
    gate = threading.Event()
    chat_server.then(Reply(body=completion("click('12')").body, gate=gate))
    agent = chat_agent(chat_server, timeout=0.5, retries=0)
    try:
        with pytest.raises(EndpointError, match=r"did not answer within 0.5s") as caught:
            agent.act(observation())
    finally:
        gate.set()  # the client has given up: let the server's thread finish
    assert caught.value.kind == "timeout"
    assert (agent.usage["requests"], agent.usage["failed_requests"]) == (1, 1)


def test_a_reply_dripped_past_the_timeout_is_a_timeout(chat_server: ChatServer) -> None:
    # Every byte comes well within the timeout; the whole reply would take far longer.
    dripping = Reply(body=completion("click('12')").body, drip_s=0.05)
    chat_server.then(dripping)
    agent = chat_agent(chat_server, timeout=0.5, retries=0)
    with pytest.raises(EndpointError, match=r"did not send its whole reply within 0.5s") as caught:
        agent.act(observation())
    assert caught.value.kind == "timeout"
    assert not dripping.sent.is_set()  # the client gave up before the server was done


def test_a_reply_larger_than_the_limit_is_refused(chat_server: ChatServer) -> None:
    huge = Reply(body=b"[" + b"0," * (MAX_REPLY_BYTES // 2) + b"0]")
    chat_server.then(huge)
    agent = chat_agent(chat_server, retries=3)
    with pytest.raises(EndpointError, match=f"more than {MAX_REPLY_BYTES} bytes") as caught:
        agent.act(observation())
    assert caught.value.kind == "reply too large"
    assert len(chat_server.requests) == 1  # not retried: it would be as large again


@pytest.mark.parametrize("value", ["\u00b2", "1e3", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "9" * 7])
def test_a_retry_after_that_is_not_plain_seconds_is_ignored(
    chat_server: ChatServer, value: str
) -> None:
    # "²".isdigit() is True and float("²") fails: that was a raw ValueError out of act().
    chat_server.then(Reply(503, b"busy", headers={"Retry-After": value}), completion("click('1')"))
    agent = chat_agent(chat_server, retries=1)
    assert agent.act(observation()) == "click('1')"
    assert len(chat_server.requests) == 2 and agent.usage["retries"] == 1


@pytest.mark.parametrize(
    ("reply", "kind", "message"),
    [
        (Reply(200, b'{"choices": [ {"message"'), "reply not JSON", "not JSON"),
        (Reply(200, {"object": "error"}), "reply without choices", "without choices"),
        (Reply(200, {"choices": []}), "reply without choices", "without choices"),
        (
            Reply(200, {"choices": [{"message": {"content": 12}}]}),
            "reply without choices",
            "without choices",
        ),
    ],
)
def test_a_garbled_body_fails_the_step_with_its_kind(
    chat_server: ChatServer, reply: Reply, kind: str, message: str
) -> None:
    chat_server.then(reply)
    agent = chat_agent(chat_server)
    with pytest.raises(EndpointError, match=message) as caught:
        agent.act(observation())
    assert caught.value.kind == kind
    assert (agent.usage["requests"], agent.usage["failed_requests"]) == (1, 1)


def test_a_reply_without_an_action_is_the_action_and_the_step_says_so(
    chat_server: ChatServer,
) -> None:
    chat_server.then(completion("I am not sure what to do here.", finish_reason="length"))
    agent = chat_agent(chat_server)
    assert agent.act(observation()) == "I am not sure what to do here."  # the env refuses it
    step = agent.last_step
    assert step is not None and step["action"] == "I am not sure what to do here."
    assert "cut off at max_tokens" in step["error"]
    assert "no line of the reply reads as an action call" in step["error"]
    assert agent.usage["failed_requests"] == 0  # the server answered; the model missed


def test_a_long_reply_is_repeated_in_the_next_prompt_only_in_part(chat_server: ChatServer) -> None:
    chat_server.then(completion("x" * 5000), completion("click('12')"))
    agent = chat_agent(chat_server)
    agent.act(observation())
    agent.act(observation(error="unknown browser action"))
    text = chat_server.requests[1].body["messages"][1]["content"][0]["text"]
    assert "Your previous actions:\n" + "x" * 300 + "…\n" in text and "x" * 301 not in text


def test_history_zero_repeats_no_earlier_action(chat_server: ChatServer) -> None:
    chat_server.then(completion("click('12')"), completion("click('13')"), completion("noop()"))
    agent = chat_agent(chat_server, history=0)
    for _ in range(2):
        agent.act(observation())
    texts = [r.body["messages"][1]["content"][0]["text"] for r in chat_server.requests]
    assert not any("Your previous actions" in text for text in texts)
    one = chat_agent(chat_server, history=1)
    one.turns = ["click('12')", "click('13')"]
    one.act(observation())
    text = chat_server.requests[2].body["messages"][1]["content"][0]["text"]
    assert "Your previous actions:\nclick('13')\n" in text and "click('12')" not in text


@pytest.mark.parametrize(
    "url",
    [
        "http://user:s3cret-pw@127.0.0.1:9/v1",
        "http://s3cret-pw@127.0.0.1:9/v1",
        "https://127.0.0.1:9/v1?key=s3cret-pw",
    ],
)
def test_a_credential_in_the_agent_url_is_refused_without_being_echoed(url: str) -> None:
    for make in (
        lambda: ChatCompletionsAgent("m", url),
        lambda: load_agent(f"openai-compatible:m@{url}", seed=0),
        lambda: load_agent(url.replace("/v1", "/act"), seed=0),  # the HTTP agent
        # An option it does not take: the URL is refused before that error could quote it.
        lambda: load_agent(url.replace("/v1", "/act"), seed=0, no_such=1),
        lambda: load_agent(f"openai-compatible:m@{url}", seed=0, no_such=1),
    ):
        with pytest.raises(AgentError, match=r"\$OFFICEGYM_API_KEY") as caught:
            make()
        message = str(caught.value)
        assert "s3cret-pw" not in message and "http" in message and "127.0.0.1:9/" in message


def test_model_names_with_at_and_slash_are_read_from_the_right() -> None:
    assert parse_chat_spec("openai-compatible:meta-llama/Llama-3@v2@http://host:8000/v1") == (
        "meta-llama/Llama-3@v2",
        "http://host:8000/v1",
    )
    agent = load_agent("openai-compatible:Qwen/Qwen2-VL@x@http://127.0.0.1:9/v1", seed=0)
    assert isinstance(agent, ChatCompletionsAgent) and agent.model == "Qwen/Qwen2-VL@x"
    assert agent.url == "http://127.0.0.1:9/v1/chat/completions"
    for spec in (
        "openai-compatible:gpt-4o",
        "openai-compatible:@http://host/v1",
        "openai-compatible:gpt-4o@ftp://host/v1",
        "openai-compatible:gpt-4o@http:///v1",
    ):
        with pytest.raises(AgentError, match="openai-compatible:MODEL@URL"):
            parse_chat_spec(spec)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_tokens": 0}, "max_tokens=0"),
        ({"max_tokens": "512"}, "max_tokens='512'"),
        ({"temperature": -1}, "temperature=-1"),
        ({"temperature": True}, "temperature=True"),
        ({"timeout": 0}, "timeout=0"),
        ({"retries": -1}, "retries=-1"),
        ({"extra_body": {"messages": []}}, "extra_body may not set messages"),
        ({"extra_body": [1]}, "extra_body: give a JSON object"),
        ({"headers": {"X-Bad": "a\r\nInjected: 1"}}, "the value of X-Bad"),
        ({"headers": {"Bad Name": "a"}}, "is not a header name"),
        ({"system_prompt_file": "/nonexistent/prompt.txt"}, "No such file"),
    ],
)
def test_a_wrong_option_is_an_agent_error_naming_it(options: dict[str, Any], message: str) -> None:
    with pytest.raises(AgentError, match=message):
        ChatCompletionsAgent("m", "http://127.0.0.1:9/v1", **options)


def test_a_bad_timeout_variable_is_an_agent_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFICEGYM_AGENT_TIMEOUT", "soon")
    with pytest.raises(AgentError, match=r"\$OFFICEGYM_AGENT_TIMEOUT='soon' is not a number"):
        ChatCompletionsAgent("m", "http://127.0.0.1:9/v1")


def test_a_system_prompt_file_replaces_the_prompt_with_its_placeholders_filled(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text('Be brief. Actions: {actions}. JSON like {"a": 1} stays as it is.\n')
    chat_server.then(completion("press('Enter')"))
    chat_agent(chat_server, system_prompt_file=str(prompt)).act(observation())
    system = chat_server.requests[0].body["messages"][0]["content"]
    assert system.startswith("Be brief. Actions: answer, back, click, ")
    assert '{"a": 1} stays as it is.' in system and "{actions}" not in system

    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"x" * (64 * 1024 + 1))
    with pytest.raises(AgentError, match="longer than 65536 bytes"):
        ChatCompletionsAgent("m", chat_server.url, system_prompt_file=str(huge))
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(AgentError, match="not UTF-8"):
        ChatCompletionsAgent("m", chat_server.url, system_prompt_file=str(latin))


def test_the_system_prompt_is_documented_verbatim() -> None:
    assert SYSTEM_PROMPT in DOCS.read_text(encoding="utf-8")


def test_each_step_gets_an_account_of_its_own(chat_server: ChatServer) -> None:
    chat_server.then(completion("click('12')"), Reply(400, b"context too long"))
    agent = chat_agent(chat_server)
    agent.act(observation())
    first = agent.last_step
    with pytest.raises(EndpointError):
        agent.act(observation())
    second = agent.last_step
    assert first is not second and first is not None and second is not None
    assert (first["action"], first["error"]) == ("click('12')", None)
    assert (second["reply"], second["action"], second["tokens"]) == ("", "", None)
    assert "HTTP 400: context too long" in second["error"]
    agent.reset({"action_mode": "browser"})
    assert agent.last_step is None and agent.usage["requests"] == 0


def test_the_http_agent_counts_its_requests_and_keeps_the_reply_text(
    chat_server: ChatServer,
) -> None:
    chat_server.then(
        Reply(503, b"busy", headers={"Retry-After": "0"}),
        Reply(200, {"action": "click('12')", "reply": "I star it."}),
        Reply(200, {"no": "action"}),
    )
    agent = load_agent(chat_server.url + "/act", seed=0, headers={"X-Token": "t"})
    agent.reset({"task_id": "mail.star", "seed": 0})
    assert agent.act(observation()) == "click('12')"
    step = getattr(agent, "last_step", None)
    assert step is not None and (step["reply"], step["action"]) == ("I star it.", "click('12')")
    assert chat_server.requests[0].headers["X-Token"] == "t"
    assert json.loads(json.dumps(chat_server.requests[0].body))["step"] == 0
    with pytest.raises(EndpointError, match="without an 'action'") as caught:
        agent.act(observation())
    assert caught.value.kind == "reply without an action"
    usage = getattr(agent, "usage", {})
    assert (usage["requests"], usage["retries"], usage["failed_requests"]) == (3, 1, 2)


# ---- whole runs, as a user starts them ---------------------------------------------------------


def officegym(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "officegym.cli", *args], capture_output=True, text=True, timeout=900
    )


@pytest.mark.browser
@pytest.mark.slow
def test_a_run_against_a_bad_key_stops_after_its_first_failures_with_the_cause(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    chat_server.answer = lambda body, headers: Reply(
        401, b'{"error": {"message": "Incorrect API key provided: sk-wr**ng"}}'
    )
    run = tmp_path / "run"
    out = officegym(
        "run", "--suite", "smoke", "--workers", "2", "--out", str(run),
        "--agent", f"openai-compatible:test-model@{chat_server.url}",
        "--agent-option", "retries=0", "--agent-option", "max_tokens=32",
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    # One line says why, the last (a run off a terminal prints its progress there too).
    lines = out.stderr.strip().splitlines()
    (line,) = [x for x in lines if x.startswith("officegym run:")]
    assert line == lines[-1]
    assert line.startswith("officegym run: stopped: the first 3 episodes all failed the same way")
    assert "(agent_error: HTTP 401)" in line and "Incorrect API key provided" in line
    assert "--resume --retry-errors" in line
    assert not (run / "summary.json").exists()
    # The episodes that ended are kept, each with its one request counted; the run stopped there
    # (the other worker's episode under way was stopped with it, for a resume to play).
    with contextlib.closing(sqlite3.connect(run / "results.sqlite")) as db:
        rows = db.execute("SELECT episode_id, status, error, usage FROM episodes").fetchall()
    assert len(rows) == FAIL_FAST_AFTER
    for episode, status, error, usage in rows:
        assert status == "agent_error" and "failed at step 1 (HTTP 401)" in error
        counted = json.loads(usage)
        assert (counted["requests"], counted["failed_requests"]) == (1, 1)
        (step,) = (run / "episodes" / episode / "steps.jsonl").read_text().splitlines()
        failed = json.loads(step)
        assert failed["action"] is None and "HTTP 401" in failed["agent"]["error"]
    assert all(r.body["max_tokens"] == 32 for r in chat_server.requests)
