"""Agent adapters against small real HTTP servers started by the tests.

The servers are the "models": one wraps the oracle behind the `http://…/act` wire format, one
speaks chat completions and writes the oracle's next action as text, so a full episode goes
through each adapter, the wire format and the env's parser, and must succeed.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from officegym.agents import AgentError, load_agent
from officegym.agents._wire import RequestMeter, post_json
from officegym.agents.oracle import OracleAgent
from officegym.agents.remote import ChatCompletionsAgent, HttpAgent, action_from_reply
from officegym.runner import EpisodeRunner
from officegym.tasks import get_task
from officegym.trajectory import TrajectoryReader

Handler = Callable[[dict[str, Any], dict[str, str]], tuple[int, Any]]


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], str]]:
    """Start a local HTTP server answering POSTs with `handler(json_body, headers)`."""
    servers: list[ThreadingHTTPServer] = []

    def start(handler: Handler) -> str:
        class Answer(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, reply = handler(body, dict(self.headers))
                data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_post_json_retries_busy_servers_and_fails_at_once_on_bad_requests(
    serve: Callable[[Handler], str],
) -> None:
    statuses = iter([503, 429, 200])
    url = serve(lambda body, _: (next(statuses), {"echo": body}))
    meter = RequestMeter()
    reply = post_json(url, {"a": 1}, timeout=5, retries=3, backoff=0.01, meter=meter)
    assert reply.body == {"echo": {"a": 1}}
    assert (meter.requests, meter.retries, meter.failed) == (3, 2, 2)

    bad = serve(lambda body, _: (400, b"missing field 'observation'\nmore"))
    with pytest.raises(AgentError, match=r"HTTP 400: missing field 'observation'$"):
        post_json(bad, {}, timeout=5, retries=3, backoff=0.01)

    down = serve(lambda body, _: (502, {}))
    with pytest.raises(AgentError, match=r"HTTP 502.*gave up after 3 attempt"):
        post_json(down, {}, timeout=5, retries=2, backoff=0.01)

    gate = threading.Event()

    def slow(body: dict[str, Any], _: dict[str, str]) -> tuple[int, Any]:
        gate.wait(60)  # answers only once the client has given up
        return 200, {}

    meter = RequestMeter()
    try:
        with pytest.raises(AgentError, match=r"did not answer within 0.2s"):
            post_json(serve(slow), {}, timeout=0.2, retries=0, meter=meter)
    finally:
        gate.set()
    assert (meter.requests, meter.retries, meter.failed) == (1, 0, 1)

    garbage = serve(lambda body, _: (200, b"<html>"))
    with pytest.raises(AgentError, match="not JSON"):
        post_json(garbage, {}, timeout=5, retries=0)


def test_agent_specs_pick_the_adapter() -> None:
    assert isinstance(load_agent("http://127.0.0.1:9/act", seed=0), HttpAgent)
    chat = load_agent("openai-compatible:qwen2-vl@http://127.0.0.1:9/v1", seed=0)
    assert isinstance(chat, ChatCompletionsAgent) and chat.model == "qwen2-vl"
    assert chat.url == "http://127.0.0.1:9/v1/chat/completions"
    with pytest.raises(AgentError, match="openai-compatible:MODEL@URL"):
        load_agent("openai-compatible:gpt-4o")
    assert action_from_reply("Open it.\n```python\nclick('12')\n```") == "click('12')"
    assert action_from_reply("no idea") == "no idea"


def oracle_for(task_id: str, seed: int, mode: str = "computer") -> OracleAgent:
    """The oracle as a server-side "model": it knows the task, as a trained model would."""
    oracle = OracleAgent()
    params = dict(get_task(task_id).initial_state(seed).params)
    oracle.reset({"task_id": task_id, "seed": seed, "params": params, "action_mode": mode})
    return oracle


@pytest.mark.browser
def test_an_http_agent_solves_a_task_and_sees_screenshots_and_errors(
    serve: Callable[[Handler], str], tmp_path: Path
) -> None:
    seen: list[dict[str, Any]] = []
    oracles: dict[tuple[str, int], OracleAgent] = {}

    def act(body: dict[str, Any], _: dict[str, str]) -> tuple[int, Any]:
        seen.append(body)
        episode, obs = body["episode"], body["observation"]
        if body["step"] == 0:
            return 200, {"action": "click("}  # a malformed action first: the env reports it
        key = (episode["task_id"], episode["seed"])
        oracle = oracles.setdefault(key, oracle_for(*key))
        return 200, {"action": oracle.act(obs).model_dump()}

    url = serve(act) + "/act"
    result = EpisodeRunner(url).run("mail.star-with-shortcut", 2, "e1", tmp_path / "t")
    assert result.success, (result.error, result.checkpoints)
    usage = result.usage
    assert {k: usage[k] for k in ("requests", "retries", "failed_requests")} == {
        "requests": result.steps,
        "retries": 0,
        "failed_requests": 0,
    }
    assert isinstance(usage["latency_s"], float)
    first, second = seen[0], seen[1]
    assert first["observation"]["goal"] and first["episode"]["action_mode"] == "computer"
    assert "params" not in first["episode"]  # the task's parameters would give answers away
    image = Image.open(io.BytesIO(base64.b64decode(first["observation"]["screenshot_png"])))
    assert image.format == "PNG" and image.size == (1280, 720)
    assert "[" in first["observation"]["axtree"] and not first["observation"]["last_action_error"]
    assert "click(" in second["observation"]["last_action_error"]
    steps = [json.loads(line) for line in (tmp_path / "steps.jsonl").read_text().splitlines()]
    assert steps[0]["error"] and len(steps) == result.steps
    assert steps[0]["agent"]["action"] == "click(" and steps[0]["agent"]["error"] is None
    assert json.loads(steps[1]["agent"]["action"])["action"] in ("click", "key", "hotkey")


@pytest.mark.browser
def test_an_http_agent_that_rejects_the_request_ends_the_episode_with_the_reason(
    serve: Callable[[Handler], str], tmp_path: Path
) -> None:
    url = serve(lambda body, _: (422, b"unsupported action_mode")) + "/act"
    result = EpisodeRunner(url).run("mail.star-with-shortcut", 0, "e1", tmp_path / "t")
    assert not result.success and result.score == 0
    assert "failed at step 1 (HTTP 422)" in result.error
    assert "HTTP 422: unsupported action_mode" in result.error
    # The failed step has its line: no action reached the env, and the agent says why.
    (line,) = [json.loads(x) for x in (tmp_path / "steps.jsonl").read_text().splitlines()]
    assert (line["step"], line["action"], line["env_ms"]) == (1, None, None)
    assert "HTTP 422: unsupported action_mode" in line["agent"]["error"]


@pytest.mark.browser
def test_a_chat_completions_model_solves_a_task_with_every_request_and_reply_kept(
    serve: Callable[[Handler], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id, seed = "mail.apply-label", 1
    requests: list[dict[str, Any]] = []
    oracle: list[OracleAgent] = []

    def complete(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        if headers.get("Authorization") != "Bearer sk-test":
            return 401, b"bad key"
        requests.append(body)
        if len(requests) == 2:
            return 503, b"overloaded"  # once: the adapter retries it
        text = body["messages"][1]["content"][0]["text"]
        if "Your previous actions" not in text:
            oracle[:] = [oracle_for(task_id, seed, "browser")]
        tree = text.split("Accessibility tree:\n", 1)[1]
        call = oracle[0].act({"axtree": tree}).to_call()
        reply = {"role": "assistant", "content": f"Next I do this.\n```\n{call}\n```"}
        usage = {"prompt_tokens": 1000, "completion_tokens": 20}
        return 200, {"choices": [{"message": reply}], "usage": usage}

    monkeypatch.setenv("OFFICEGYM_API_KEY", "sk-test")
    monkeypatch.setenv("OFFICEGYM_PRICE_INPUT", "2.5")
    monkeypatch.setenv("OFFICEGYM_PRICE_OUTPUT", "10")
    spec = f"openai-compatible:test-model@{serve(complete)}/v1"
    runner = EpisodeRunner(spec, action_mode="browser", agent_options={"max_tokens": 64})
    result = runner.run(task_id, seed, "e1", tmp_path / "t")
    runner.close()
    assert result.success, (result.error, result.checkpoints)
    n = result.steps
    assert result.usage == {
        "requests": n + 1,  # the 503 was a request too
        "retries": 1,
        "failed_requests": 1,
        "latency_s": pytest.approx(result.usage["latency_s"]),
        "prompt_tokens": 1000 * n,
        "completion_tokens": 20 * n,
        "cost": pytest.approx(n * (1000 * 2.5 + 20 * 10) / 1e6),
    }
    assert all(r["max_tokens"] == 64 for r in requests)  # --agent-option reaches the request
    # What the model said, and what was read from it, per step: in steps.jsonl ...
    steps = [json.loads(line) for line in (tmp_path / "steps.jsonl").read_text().splitlines()]
    assert [s["step"] for s in steps] == list(range(1, n + 1))
    for line in steps:
        agent = line["agent"]
        assert agent["reply"] == f"Next I do this.\n```\n{line['action']}\n```"
        assert agent["action"] == line["action"] and agent["error"] is None
        assert agent["tokens"] == {"prompt": 1000, "completion": 20}
        assert isinstance(agent["request_s"], float)
        # The tree kept with the step is the one the model was shown for it.
        assert line["axtree"] and any(line["axtree"] in text for text in _texts(requests))
    assert sum(s["agent"]["request_s"] for s in steps) == pytest.approx(
        result.usage["latency_s"], abs=0.01
    )
    # ... and in the trajectory, on the first event of each step, after the reset's observe.
    events = TrajectoryReader(tmp_path / "t").events()
    told = [(i, e.agent) for i, e in enumerate(events) if e.agent is not None]
    assert [a.model_dump() for _, a in told] == [s["agent"] for s in steps]
    assert events[0].type == "observe" and told[0][0] > 0
    first = requests[0]
    assert first["model"] == "test-model" and first["messages"][0]["role"] == "system"
    assert "fill" in first["messages"][0]["content"]  # the browser mode's actions are listed
    image = first["messages"][1]["content"][1]["image_url"]["url"]
    assert image.startswith("data:image/png;base64,iVBOR")


def _texts(value: object) -> list[str]:
    """Every string inside a JSON value (the text parts of the requests' messages)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


@pytest.mark.browser
def test_an_agent_failing_mid_episode_loses_no_event_to_the_annotation(
    serve: Callable[[Handler], str], tmp_path: Path
) -> None:
    # A step, then the server refuses (a prompt past the context, say): the episode ends on the
    # agent's failure while the env would still write to its trajectory.
    replies = iter([(200, {"action": "click(5, 5)", "reply": "I click."})])
    url = serve(lambda body, _: next(replies, (400, b"context length exceeded"))) + "/act"
    runner = EpisodeRunner(url)
    try:
        result = runner.run("mail.star-with-shortcut", 0, "e1", tmp_path / "t")
        # The env's trajectory is closed before its events are rewritten: no file of this
        # process is left open on the events.jsonl the rewrite replaced.
        assert not [p for p in open_files() if "events.jsonl" in p]
    finally:
        runner.close()
    assert (result.status, result.error_kind, result.steps) == ("agent_error", "HTTP 400", 1)
    events = TrajectoryReader(tmp_path / "t").events()
    assert [e.type for e in events].count("observe") == 2  # after the reset and the step
    assert [e.agent.reply for e in events if e.agent] == ["I click."]


def open_files() -> list[str]:
    """The paths this process holds open (a deleted file's ends in " (deleted)")."""
    paths = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            paths.append(os.readlink(f"/proc/self/fd/{fd}"))
    return paths
