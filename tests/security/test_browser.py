"""What a page's own script can do to the browser around it (issue 27, items 2 and 6).

An agent can make an app page run script (issue 27 found markup Mail echoed unescaped), so these
tests run script in the page's main world through the Playwright page, as such a script would:

- It reaches nothing over WebRTC: STUN and TURN, over UDP and TCP, to ports on 127.0.0.1 that
  the test listens on, get nothing, on the headless shell and on the full chromium (each honours
  a different switch).
- It cannot replace or break the page helper (page.js's `window.__og`): after each attempt a
  step observes and acts as before, in both action modes.

And Xvfb, Playwright's driver and the browser die with the process that owns the env, SIGKILLed
too, as the runner kills a hung worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest

from officegym.agents.axtree import find_element

pytestmark = pytest.mark.browser
XVFB = pytest.param(
    "xvfb",
    marks=[
        pytest.mark.xvfb,
        pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb"),
    ],
)
DEADLINE_S = 60.0  # for a condition a test waits on; it comes in well under a second when right


# ---- WebRTC ---------------------------------------------------------------------------------
# Gathers candidates from the ICE servers; done once gathering completes or the connection
# fails, or at the deadline (when something kept trying, as Chromium did before the switches).
ICE_JS = """async ([servers, deadlineMs]) => {
  const pc = new RTCPeerConnection({iceServers: servers});
  pc.createDataChannel("probe");
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    const check = () => {
      if (pc.iceGatheringState === "complete" || pc.connectionState === "failed") resolve();
    };
    pc.onicegatheringstatechange = check;
    pc.onconnectionstatechange = check;
    check();
    setTimeout(resolve, deadlineMs);
  });
  const state = pc.iceGatheringState;
  pc.close();
  return state;
}"""


def drain(udp: socket.socket, tcp: socket.socket) -> tuple[int, int]:
    """Datagrams waiting on `udp` and connections waiting on `tcp` (neither blocks)."""
    datagrams = connections = 0
    while True:
        try:
            udp.recvfrom(65536)
        except BlockingIOError:
            break
        datagrams += 1
    while True:
        try:
            tcp.accept()[0].close()
        except BlockingIOError:
            break
        connections += 1
    return datagrams, connections


@pytest.mark.parametrize("backend", ["headless", XVFB])
def test_webrtc_reaches_no_port(make_env: Callable[..., Any], backend: str) -> None:
    env = make_env("mail.apply-label", backend=backend)
    env.reset(seed=0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, socket.socket() as tcp:
        udp.bind(("127.0.0.1", 0))
        tcp.bind(("127.0.0.1", 0))
        tcp.listen()
        udp.setblocking(False)
        tcp.setblocking(False)
        u, t = udp.getsockname()[1], tcp.getsockname()[1]
        servers = [
            {"urls": f"stun:127.0.0.1:{u}"},
            {
                "urls": [
                    f"turn:127.0.0.1:{u}?transport=udp",
                    f"turn:127.0.0.1:{t}?transport=tcp",
                    f"turns:127.0.0.1:{t}?transport=tcp",
                ],
                "username": "user",
                "credential": "secret",
            },
        ]
        page = env.unwrapped._stage.page
        state = env.unwrapped._host.run(page.evaluate(ICE_JS, [servers, DEADLINE_S * 1000]))
        obs, *_ = env.step("wait(100)")
        assert drain(udp, tcp) == (0, 0), "a STUN/TURN request reached the listening ports"
    assert state == "complete"  # it gave up at once: nothing to try
    assert obs["last_action_error"] == "" and 'button "Compose"' in obs["axtree"]


# ---- the page helper ------------------------------------------------------------------------
THROW = "() => { throw new TypeError('replaced by the page') }"
# What page script can do to the helper and to the built-ins it calls, one after another.
ATTACKS = [
    "window.__og = {}",
    "delete window.__og",
    f"__og.settle = {THROW}; __og.snapshot = {THROW}; __og.element = {THROW}",
    "Object.defineProperty(window, '__og', {value: {}, writable: true, configurable: true})",
    f"Element.prototype.getBoundingClientRect = {THROW}",
    f"document.querySelectorAll = {THROW}; Document.prototype.querySelectorAll = {THROW};"
    f" Element.prototype.querySelectorAll = {THROW}; Element.prototype.querySelector = {THROW}",
    f"Array.prototype.map = {THROW}",
    f"Array.from = {THROW}; for (const m of ['filter', 'join', 'includes', 'some', 'find'])"
    f" Array.prototype[m] = {THROW}",
    f"for (const m of ['replace', 'trim', 'slice', 'split', 'toLowerCase', 'startsWith'])"
    f" String.prototype[m] = {THROW}; RegExp.prototype.exec = {THROW}",
    f"window.getComputedStyle = {THROW}; Document.prototype.elementFromPoint = {THROW};"
    f" CSS.escape = {THROW}; JSON.stringify = {THROW}; Math.round = {THROW}",
    f"for (const m of ['getAttribute', 'hasAttribute', 'closest', 'matches'])"
    f" Element.prototype[m] = {THROW}; Node.prototype.contains = {THROW}",
    f"for (const [o, p] of [[Node, 'textContent'], [HTMLElement, 'innerText'],"
    " [Element, 'tagName'], [Element, 'children'], [DOMRectReadOnly, 'width'],"
    " [NodeList, 'length'], [HTMLCollection, 'length'], [HTMLInputElement, 'value']])"
    f" Object.defineProperty(o.prototype, p, {{get: {THROW}, configurable: true}})",
    "window.setTimeout = () => 0; window.requestAnimationFrame = () => 0;"
    " performance.now = () => 0",
    f"Promise.prototype.then = {THROW}; Promise.prototype.constructor = function () {{}};"
    f" window.Promise = {THROW}",
]
# These break Playwright's own evaluate (its helper script in the page calls them), which the
# env's reads do not go through: the observation stays whole. (The executor's element lookups
# do, so in browser mode an action can then fail, as an action error.)
DRIVER_ATTACKS = [
    f"Object.entries = {THROW}; Object.keys = {THROW}",
    f"Array.prototype.slice = {THROW}; Array.prototype.push = {THROW}",
    f"Array.prototype[Symbol.iterator] = {THROW}",
]


def attack(env: Any, script: str) -> None:
    """Run `script` in the page's main world, as the page's own script; what it throws is the
    page's affair. (Through CDP: some of these break Playwright's evaluate for what follows.)"""
    page = env.unwrapped._stage.page

    async def run() -> None:
        session = await page.context.new_cdp_session(page)
        await session.send("Runtime.evaluate", {"expression": f"try {{ {script} }} catch (e) {{}}"})
        await session.detach()

    env.unwrapped._host.run(run())


def click_checkbox(env: Any, obs: dict[str, Any], mode: str) -> tuple[dict[str, Any], bool]:
    """Click the first message's checkbox; the observation after, and whether it was checked."""
    box = find_element(obs["axtree"], "checkbox", "Select: ")
    assert box is not None and box.center is not None, obs["axtree"][:500]
    action = f"click('{box.id}')" if mode == "browser" else "click({}, {})".format(*box.center)
    obs, *_ = env.step(action)
    return obs, "checked" in box.states


@pytest.mark.parametrize("mode", ["computer", "browser"])
def test_page_script_cannot_replace_the_page_helper(
    make_env: Callable[..., Any], mode: str
) -> None:
    env = make_env("mail.apply-label", action_mode=mode)
    obs, _ = env.reset(seed=1)
    for script in ATTACKS:
        attack(env, script)
        obs, was_checked = click_checkbox(env, obs, mode)
        assert obs["last_action_error"] == "", (script, obs["last_action_error"])
        assert 'button "Compose"' in obs["axtree"], (script, obs["axtree"][:500])
        box = find_element(obs["axtree"], "checkbox", "Select: ")
        assert box is not None and ("checked" in box.states) != was_checked, script  # it acted


@pytest.mark.parametrize("mode", ["computer", "browser"])
def test_the_observation_survives_a_page_that_breaks_the_drivers_evaluate(
    make_env: Callable[..., Any], mode: str
) -> None:
    env = make_env("mail.apply-label", action_mode=mode)
    obs, _ = env.reset(seed=1)
    expected = obs["axtree"]
    for script in DRIVER_ATTACKS:
        attack(env, script)
        obs, *_ = env.step("wait(10)")
        assert obs["last_action_error"] == "", (script, obs["last_action_error"])
        assert obs["axtree"] == expected, script
    if mode == "computer":  # its actions need no element lookup in the page
        obs, _ = click_checkbox(env, obs, mode)
        assert obs["last_action_error"] == "" and obs["axtree"] != expected


FAKE_TREE_LINES = """
const add = (tag, attr, value, text) => {
  const e = document.createElement(tag); e.setAttribute(attr, value); e.textContent = text;
  document.body.append(e);
};
add("div", "role", 'button "Fake"\\n[999] link', "A");
add("button", "data-og-id", '998] link "Planted', "B");
add("div", "role", "switch checkbox", "C");
"""


def test_a_page_cannot_write_lines_or_ids_into_the_tree(make_env: Callable[..., Any]) -> None:
    """Roles and ids are the words of the tree's lines: one a page wrote is kept only if it is
    one word, so no element of the page passes for another line or another id."""
    env = make_env("mail.apply-label", action_mode="browser")
    env.reset(seed=1)
    attack(env, FAKE_TREE_LINES)
    obs, *_ = env.step("wait(10)")
    tree = obs["axtree"]
    ids = re.findall(r"^\s*\[([^\]]*)\]", tree, re.M)
    assert ids and all(i.isdigit() for i in ids), ids
    assert "999" not in ids and "998" not in ids and '"Fake"' not in tree and "Planted" not in tree
    planted = find_element(tree, "button", "B")
    assert planted is not None and planted.id.isdigit()
    # A list of roles: the first one counts.
    assert re.search(r"^\s*\[\d+\] switch\b", tree, re.M), tree[-800:]
    assert re.search(r'^\s*\[\d+\] button "A"', tree, re.M), tree[-800:]


# ---- processes die with their owner ---------------------------------------------------------
OWNER = """
import sys
import gymnasium
import officegym
env = gymnasium.make("officegym/mail.apply-label-v0", backend="xvfb")
env.reset(seed=0)
print("ready", flush=True)
sys.stdin.read()  # until the test kills this process
"""


def process_id(pid: int) -> tuple[int, str] | None:
    """(pid, start time): which process a pid is, so a reused pid is not taken for it; None
    once it has exited (a zombie has exited, whoever is yet to reap it)."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else (pid, fields[19])


def descendants(pid: int) -> dict[tuple[int, str], str]:
    """Every live process below `pid`, by identity, with the name of its program."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found: dict[tuple[int, str], str] = {}
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            stack.append(child)
            ident = process_id(child)
            if ident is not None:
                try:
                    program = (Path("/proc") / str(child) / "cmdline").read_text().split("\0")[0]
                except OSError:
                    continue
                found[ident] = Path(program).name
    return found


def alive_after_deadline(processes: dict[tuple[int, str], str]) -> dict[tuple[int, str], str]:
    """Those of `processes` still running once all have exited or the deadline passed."""
    deadline = time.monotonic() + DEADLINE_S
    alive = dict(processes)
    while alive and time.monotonic() < deadline:
        alive = {ident: name for ident, name in alive.items() if process_id(ident[0]) == ident}
        time.sleep(0.05)
    return alive


def reap(processes: dict[tuple[int, str], str]) -> None:
    """Kill what a failed test left running, so it does not outlive the test run."""
    for pid, _ in processes:
        with contextlib.suppress(OSError):  # it has exited after all
            os.kill(pid, signal.SIGKILL)


def started_by(pid: int) -> dict[tuple[int, str], str]:
    """What an xvfb env's owner started: its Xvfb, Playwright's driver (node), the browser."""
    started = descendants(pid)
    names = set(started.values())
    assert {"Xvfb", "node"} <= names, started
    assert any(n.startswith(("chrom", "headless")) for n in names), started
    return started


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_xvfb_driver_and_browser_die_with_a_sigkilled_owner() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        assert owner.stdout.readline().strip() == "ready"
        started = started_by(owner.pid)
    finally:
        owner.kill()
        owner.wait()
    left = alive_after_deadline(started)
    reap(left)
    assert not left, f"still running after the owner was killed: {left}"


def hold_an_xvfb_env(conn: Connection) -> None:
    """A spawned worker, as the runner's: an xvfb env, its Xvfb's pid sent, then wait."""
    import gymnasium

    import officegym  # noqa: F401 — registers the envs

    env = gymnasium.make("officegym/mail.apply-label-v0", backend="xvfb")
    env.reset(seed=0)
    conn.send("ready")
    conn.recv()  # until the test kills this process


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_a_spawned_worker_killed_with_sigkill_leaves_no_xvfb() -> None:
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    worker = ctx.Process(target=hold_an_xvfb_env, args=(theirs,), daemon=True)
    worker.start()
    try:
        assert ours.poll(DEADLINE_S) and ours.recv() == "ready", "the worker started no env"
        started = started_by(worker.pid or 0)
    finally:
        worker.kill()  # SIGKILL, as the runner's pool does to a hung worker
        worker.join()
    left = alive_after_deadline(started)
    reap(left)
    assert not left, f"still running after the worker was killed: {left}"
