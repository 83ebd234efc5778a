"""Fail fast: a run whose first episodes all fail the same way is stopped, not played to the end.

A dead server, a wrong URL or a bad key fails every episode at its first step; playing the
whole suite then only fills the results with `agent_error`. So when the first
`FAIL_FAST_AFTER` episodes of a run (of this invocation, with `--resume` too) all end in the
same agent failure, the run stops with that failure: the episodes already stored stay stored,
the ones under way are stopped (a `--resume` plays them), and the CLI exits 2 with one line.

"The same failure" is the same status (`agent_error` or `timeout`) with the same kind: the HTTP
status or the way the connection failed (`HTTP 401`, `connection refused`, `timeout`, …) for
the adapters' requests, the exception's class for any other agent. Not the whole message: a
server's error body may name a request id, a token count or a time that differs each time,
and three 401s are the same bad key whatever their bodies say.

Only the start of a run is watched: once an episode has ended without an agent failure (solved
or not), or a failure of another kind came, the agent is known to work at least sometimes and
every later failure is a result like any other.
"""

from __future__ import annotations

import re

from officegym.errors import AgentError
from officegym.results import EpisodeResult

# How many episodes in a row, from the start of a run, must fail the same way to stop it.
FAIL_FAST_AFTER = 3
# The statuses of an agent's failures (an infrastructure crash is not the agent's).
AGENT_FAILURES = ("agent_error", "timeout")
# How much of the failure the one line of the CLI quotes.
CAUSE_CHARS = 400

# The kind in an agent failure as the episode runner words it: "… failed at step 3 (HTTP 401): …"
_KIND = re.compile(r"failed (?:at step \d+|to reset) \((?P<kind>[^()]{1,120})\): ")


def failure_kind(result: EpisodeResult) -> str | None:
    """What two episodes must share to have failed "the same way"; None if not an agent failure.

    >>> from officegym.results import EpisodeResult
    >>> failed = EpisodeResult("e", "t", 0, "a", False, 0.0, status="agent_error",
    ...     error="agent 'a' failed at step 2 (HTTP 401): http://h/v1 answered HTTP 401: no")
    >>> failure_kind(failed)
    'agent_error: HTTP 401'
    """
    if result.status not in AGENT_FAILURES:
        return None
    # The agent's spec may hold anything: the kind is read after it.
    prefix = f"agent {result.agent!r} "
    text = result.error.removeprefix(prefix)
    named = _KIND.match(text)
    if named:
        return f"{result.status}: {named['kind']}"
    # The runner's own words (a timeout, an agent no worker could make): the same words, with
    # the numbers (a step, seconds) left out.
    return f"{result.status}: {re.sub(r'[0-9.]+', '#', text)}"


class FailFast:
    """Watches a run's results as they come and stops it when its first `after` all failed the
    same way (see the module docstring).

    Args:
        after: how many; 0 never stops a run.
        out: the run folder, named in the message.
    """

    def __init__(self, after: int, out: str) -> None:
        self.after, self.out = after, out
        self.watching = after > 0
        self.kind: str | None = None
        self.count = 0

    def observe(self, result: EpisodeResult) -> None:
        """Take the next final result of the run.

        Raises:
            AgentError: it is the `after`-th failure in a row of one kind, from the start; the
                message names the kind and quotes the failure.
        """
        if not self.watching:
            return
        kind = failure_kind(result)
        if kind is None or (self.kind is not None and kind != self.kind):
            self.watching = False  # the agent works, or fails in more than one way
            return
        self.kind, self.count = kind, self.count + 1
        if self.count < self.after:
            return
        cause = " ".join(result.error.split())  # one line, whatever the server said
        if len(cause) > CAUSE_CHARS:
            cause = cause[:CAUSE_CHARS] + "…"
        raise AgentError(
            f"stopped: the first {self.count} episodes all failed the same way ({kind}); the "
            f"last: {cause} — fix the agent, then `--resume --retry-errors` in {self.out} plays "
            f"them again (the stored episodes are kept; --fail-fast 0 never stops a run)"
        )
