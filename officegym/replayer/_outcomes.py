"""How a replayed event can fail: the page did not match, or the event cannot be reproduced;
and how the code that waits for the page before failing polls it."""

from __future__ import annotations

POLL_S = 0.05  # between two looks at the page while waiting for a condition


class Divergence(Exception):
    """The replay found something other than what was recorded."""


class Unreplayable(Exception):
    """The recording holds something this replayer cannot reproduce."""
