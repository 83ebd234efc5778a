"""A run's step log, `steps.jsonl` beside each episode's trajectory: one JSON object a line per
step the agent took (`step`, from 1, its action, error, timings, the agent's account and the
accessibility tree it chose on), written by the runner as the episode goes.

The one reader of it, for whatever shows or exports an episode (the report, `export`). The file
may come from anyone: a line cut off by a crash, too long, or no JSON object ends it, and what
came before stands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STEP_LOG_FILE = "steps.jsonl"
# A line longer than this is not read (the runner keeps an action to 2,000 characters and an
# accessibility tree to the env's 64 k): it ends the log.
MAX_STEP_LOG_LINE = 1024 * 1024


def iter_step_log(path: Path) -> Iterator[dict[str, Any]]:
    """The lines of the step log at `path`, streamed (none if it is missing or no file)."""
    if not path.is_file():
        return
    with path.open("rb") as handle:
        while raw := handle.readline(MAX_STEP_LOG_LINE + 1):
            if len(raw) > MAX_STEP_LOG_LINE:
                return
            try:
                line = json.loads(raw)
            except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError
                return
            if not isinstance(line, dict):
                return
            yield line


def step_number(line: dict[str, Any]) -> int | None:
    """The line's `step` (from 1), or None when it holds no whole number."""
    value = line.get("step")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
