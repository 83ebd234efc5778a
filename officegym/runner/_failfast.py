"""Fail fast: a run whose first episodes all fail the same way is stopped, not played to the end.

A dead server, a wrong URL or a bad key fails every episode at its first step; playing the
whole suite then only fills the results with `agent_error`. So when the first
`FAIL_FAST_AFTER` episodes of a run (of this invocation, with `--resume` too, but not with
`--retry-errors`: those are the failed ones by selection) all end in the same agent failure,
the run stops with that failure: the episodes already stored stay stored, the ones under way
are stopped (a `--resume` plays them), and the CLI exits 2 with one line.

"The same failure" is the same status (`agent_error` or `timeout`) with the same
`error_kind`: the HTTP status or the way the connection failed (`HTTP 401`, `connection
refused`, `timeout`, …) for the adapters' requests, `step timeout` for an agent that thought
past its step time, the exception's class for any other agent. Not the whole message: a
server's error body may name a request id, a token count or a time that differs each time,
and three 401s are the same bad key whatever their bodies say.

Only failures before the agent acted count (at its reset, or its first step: `steps == 0`).
An agent that got an action through works; it may fail later for reasons of the episode (a
prompt past the model's context, an HTTP 400 at step 12), and those are results. An episode
past its time (`episode timeout`) is not counted either: the agent may have acted all along.
Only the start of a run is watched: once an episode has ended otherwise (solved or not, or
failed after acting), or a failure of another kind came, every later failure is a result like
any other.
"""

from __future__ import annotations

from officegym.errors import AgentError
from officegym.results import EpisodeResult
from officegym.runner._jobs import EPISODE_TIMEOUT_KIND

# How many episodes in a row, from the start of a run, must fail the same way to stop it.
FAIL_FAST_AFTER = 3
# The statuses of an agent's failures (an infrastructure crash is not the agent's).
AGENT_FAILURES = ("agent_error", "timeout")
# How much of the failure the one line of the CLI quotes.
CAUSE_CHARS = 400


def failure_before_acting(result: EpisodeResult) -> str | None:
    """How the agent failed, if it failed before it acted: what two episodes must share to
    have failed "the same way" (see the module docstring); None otherwise.

    >>> from officegym.results import EpisodeResult
    >>> failed = EpisodeResult("e", "t", 0, "a", False, 0.0, status="agent_error",
    ...     error="agent 'a' failed at step 1 (HTTP 401): no", error_kind="HTTP 401")
    >>> failure_before_acting(failed)
    'agent_error: HTTP 401'
    """
    if (
        result.status not in AGENT_FAILURES
        or result.steps > 0
        or result.error_kind is None
        or result.error_kind == EPISODE_TIMEOUT_KIND
    ):
        return None
    return f"{result.status}: {result.error_kind}"


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
        kind = failure_before_acting(result)
        if kind is None or (self.kind is not None and kind != self.kind):
            self.watching = False  # the agent acted, or fails in more than one way
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
