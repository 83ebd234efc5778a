"""The one error hierarchy of officegym.

Every message says what was wrong, where (file:line:field, task id, event index) and what to do.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterable


class OfficegymError(Exception):
    """Root of every error officegym raises on purpose."""


class UnknownNameError(OfficegymError, KeyError):
    """A task, suite, agent or app name that is not registered."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        known = sorted(known)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        listing = f" Known {kind}s: {', '.join(known[:12])}{' …' if len(known) > 12 else ''}."
        self.kind, self.name, self.suggestions = kind, name, close
        super().__init__(f"unknown {kind} {name!r}.{hint}{listing}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class TrajectoryFormatError(OfficegymError, ValueError):
    """A trajectory file that does not follow the format.

    Attributes:
        path: the file that was read.
        line: 1-based line number in that file, or None for whole-file problems.
        field: dotted path of the offending field, or None.
    """

    def __init__(self, path: str, line: int | None, field: str | None, problem: str) -> None:
        self.path, self.line, self.field, self.problem = path, line, field, problem
        where = path + (f":{line}" if line is not None else "") + (f": {field}" if field else "")
        super().__init__(f"{where}: {problem}")


class ActionError(OfficegymError, ValueError):
    """An action that cannot be parsed or carried out (becomes `last_action_error` in envs)."""


class BrowserUnavailableError(OfficegymError, RuntimeError):
    """No Chromium could be launched."""


class TaskSetupError(OfficegymError, RuntimeError):
    """A task could not prepare its initial state."""


class VariantError(OfficegymError, ValueError):
    """A variant (`popup`, `core@popup+narrow`) that is malformed or does not apply to the task."""


class SandboxError(OfficegymError, RuntimeError):
    """A sandbox (a Docker container and its env server) could not start, or failed."""


class AgentError(OfficegymError, RuntimeError):
    """The agent itself failed (never retried: it is the thing being measured)."""


class ResultStoreError(OfficegymError, sqlite3.Error):
    """A run's `results.sqlite` could not be opened, read or written (the message names it).

    Also a `sqlite3.Error`, so code that caught SQLite's own errors still catches it.
    """


class RunFolderError(OfficegymError, RuntimeError):
    """A run folder (`--out`) that cannot be used as asked: it holds something else, or
    `--resume` names a folder that is not a run's."""


class RunFolderLockedError(RunFolderError):
    """Another run, or the workers of an earlier one, is using the run folder."""


class RunSettingsError(RunFolderError):
    """`--resume` with a setting other than the one the run folder was started with.

    Attributes:
        field: the setting (`agent`, `suite`, `seeds`, `action_mode`, …).
        stored: its value in the run folder.
        given: its value now.
    """

    def __init__(self, folder: str, field: str, stored: object, given: object) -> None:
        self.field, self.stored, self.given = field, stored, given
        super().__init__(
            f"{folder} was run with {field} {stored!r}, not {given!r}: resume it with "
            f"{_as_flags(field, stored)}, or pass another --out for a run with "
            f"{_as_flags(field, given)}"
        )


# Settings given as a repeated flag, by the flag's name.
_REPEATED_FLAGS = {"tasks": "--task", "agent_options": "--agent-option"}


def _as_flags(field: str, value: object) -> str:
    """The command-line flags that give `field` the value `value`: `--task a --task b`."""
    flag = _REPEATED_FLAGS.get(field)
    if flag is None:
        return f"--{field.replace('_', '-')} {value}"
    if isinstance(value, dict):
        items = [f"{key}={item}" for key, item in value.items()]
    elif isinstance(value, list | tuple):
        items = [str(item) for item in value]
    else:
        items = [str(value)]
    return " ".join(f"{flag} {item}" for item in items) if items else f"no {flag}"
