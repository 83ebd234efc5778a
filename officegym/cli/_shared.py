"""What the verbs share: exit codes, the progress bar, and arguments that several verbs take."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from rich.console import Console

from officegym.envs import ENV_BACKENDS

if TYPE_CHECKING:
    from rich.progress import Progress

EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE = 0, 1, 2

# A verb's handler: its parsed arguments and the console in, the exit code out.
Handler: TypeAlias = Callable[[argparse.Namespace, Console], int]
# What `add_subparsers` returns. argparse names the class privately and it is generic only for
# type checkers, hence the string.
Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def progress_bar(console: Console, *fields: str) -> Progress:
    """A bar of items done out of all with the time left; it draws nothing off a terminal.

    Args:
        console: The console to draw on.
        *fields: Format strings of more columns, shown between the count and the time left.

    Returns:
        The bar, to be entered as a context manager.
    """
    # Imported here: only the verbs that show a bar pay for rich.progress.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        *fields,
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )


def add_workers(parser: argparse.ArgumentParser) -> None:
    """Add `--workers`, the number of worker processes (default 1)."""
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")


def add_backend(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """Add `--backend`, the env backend (default headless).

    Args:
        parser: The verb's parser.
        help_text: Its help text, if the verb gives one.
    """
    parser.add_argument("--backend", choices=ENV_BACKENDS, default="headless", help=help_text)


def add_json(parser: argparse.ArgumentParser) -> None:
    """Add `--json`, to print JSON instead of a table."""
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
