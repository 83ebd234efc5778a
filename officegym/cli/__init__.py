"""`officegym …`: one verb per job. Exit codes: 0 ok, 1 negative verdict, 2 bad usage or input.

Each verb (or close group of verbs) lives in a module of its own that adds its sub-parsers and
sets their `func` to its handler; `main` parses and calls that handler.
"""

from __future__ import annotations

import argparse
import os
import select
import sqlite3
import sys
from collections.abc import Sequence

from rich.console import Console

from officegym.cli import (
    _compare,
    _data,
    _export,
    _import,
    _record,
    _replay,
    _run,
    _sandbox,
    _select,
    _tasks,
    _view,
)
from officegym.cli._shared import EXIT_OK, EXIT_USAGE, Handler
from officegym.errors import OfficegymError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The `officegym` argument parser, with every verb's sub-parser.

    Returns:
        The parser; each verb's namespace carries its handler as `func`.
    """
    parser = argparse.ArgumentParser(
        prog="officegym", description="Replay and evaluation harness for computer-use agents."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_installed_version()}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    # In the order that `officegym --help` lists them.
    _tasks.add_parser(verbs)
    _run.add_parser(verbs)
    _replay.add_parser(verbs)
    _record.add_parser(verbs)
    _compare.add_parser(verbs)
    _view.add_parser(verbs)
    _import.add_parser(verbs)
    _data.add_parser(verbs)
    _select.add_parser(verbs)
    _export.add_parser(verbs)
    _sandbox.add_parser(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the verb that `argv` names.

    Args:
        argv: The arguments after `officegym`; the process's own when None.

    Returns:
        The exit code: the verb's own, or EXIT_USAGE after one line on stderr for bad input,
        and for a file or folder that cannot be read or written (read-only, full, missing).
    """
    try:
        args = build_parser().parse_args(argv)
    except FileNotFoundError as exc:  # an input that is not there (`existing_path`)
        print(f"officegym: {_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    console = _CliConsole(highlight=False)
    # Off a terminal rich wraps at 80 columns: a pipe, a file or a CI log gets whole lines.
    console.soft_wrap = not console.is_terminal
    handler: Handler = args.func
    try:
        code = handler(args, console)
        sys.stdout.flush()  # a reader gone shows here, inside the try, not at exit
        return code
    except (OfficegymError, ValueError) as exc:
        print(f"officegym {args.verb}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError as exc:
        if _stdout_reader_gone():
            # `officegym tasks list | head -1`: nothing is wrong with the command or its
            # files, so no message and EXIT_OK, as `head` asked for no more.
            _silence_stdout()
            return EXIT_OK
        # A socket or a subprocess that went away is an error like any other.
        print(f"officegym {args.verb}: {_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, sqlite3.Error) as exc:
        # A missing input, or a read-only or full place to write: what and where, no traceback.
        print(f"officegym {args.verb}: {_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE


def _installed_version() -> str:
    """The version of the installed package, as its metadata (from pyproject.toml) has it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("officegym")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


class _CliConsole(Console):
    """The verbs' console: when the reader of stdout goes away, the verb goes on without it.

    `officegym run … | head -1` still plays every episode and writes its summary and report;
    only what it prints is dropped. (rich's own console exits with 1 there, mid-run.)
    """

    def on_broken_pipe(self) -> None:
        """Called by rich inside its `except BrokenPipeError` around a write to stdout."""
        if not _stdout_reader_gone():
            raise  # the BrokenPipeError rich is handling: not about stdout
        self.quiet = True
        _silence_stdout()


def _stdout_reader_gone() -> bool:
    """Whether the reader of stdout has gone, so a BrokenPipeError is about stdout.

    Flushing stdout fails once more when its last write did; otherwise a pipe (or socket)
    whose reader closed it polls as an error, where one that is read from polls as writable.
    """
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    except (OSError, ValueError):  # closed, or no file: not a reader gone
        return False
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # stdout is no file (a test's capture)
        return False
    poll = select.poll()
    poll.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poll.poll(0))


def _silence_stdout() -> None:
    """Point stdout, whose reader has gone, at /dev/null: what is still written to it (and
    Python's flush at exit, which would raise once more) goes nowhere (the Python docs' "Note
    on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is no file (a test's capture): nothing to flush
        pass


def _os_error(exc: OSError | sqlite3.Error) -> str:
    """An OSError as `PATH: reason` (both paths of a rename), other errors as they say."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        paths = f"{exc.filename} -> {exc.filename2}" if exc.filename2 else f"{exc.filename}"
        return f"{paths}: {exc.strerror}"
    return str(exc) or type(exc).__name__
