"""What the verbs share: exit codes, progress, tables, and arguments that several verbs take.

Every verb prints on one console and must read as well in a pipe or a CI log as on a terminal:
off a terminal a table is plain rows and progress is a line every PROGRESS_LINE_PERCENT.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from rich.console import Console

# Not from officegym.envs, which imports Gymnasium and every task: the parser must stay light.
from officegym._env_backends import ENV_BACKENDS

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.table import Table

EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE = 0, 1, 2
# Off a terminal, progress is a line on stderr each time this much more of the work is done.
PROGRESS_LINE_PERCENT = 10

# A verb's handler: its parsed arguments and the console in, the exit code out.
Handler: TypeAlias = Callable[[argparse.Namespace, Console], int]
# What `add_subparsers` returns. argparse names the class privately and it is generic only for
# type checkers, hence the string.
Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def progress_bar(console: Console, *fields: str, quiet: bool = False) -> Progress:
    """Progress of items done out of all, with the time left, fit for where it is shown.

    On a terminal, a bar. Off one (a pipe, a file, a CI log), a line on stderr each time
    another PROGRESS_LINE_PERCENT of the items is done, with done/total and the time left, so
    stdout keeps only the verb's results. Nothing at all with `quiet`.

    Args:
        console: The console to draw on; whether it is a terminal decides the form.
        *fields: Format strings of more columns (as rich's `Progress` takes them), shown between
            the count and the time left, and at the end of each line off a terminal.
        quiet: Show no progress.

    Returns:
        The progress, to be entered as a context manager; `add_task`, `advance` and `update`
        as rich's `Progress` has them.
    """
    # Imported here: only the verbs that show progress pay for rich.progress.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    if quiet:
        return Progress(console=console, disable=True)
    if not console.is_terminal:
        return _progress_lines(fields)
    return Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        *fields,
        TimeRemainingColumn(),
        console=console,
    )


def _progress_lines(fields: tuple[str, ...]) -> Progress:
    """rich's `Progress` with nothing drawn, that prints a line each PROGRESS_LINE_PERCENT."""
    from rich.progress import Progress, TaskID

    # Defined here, as rich.progress is imported only when progress is shown. A subclass keeps
    # rich's counting, timing and calls, so the verbs use one object whatever the form.
    class ProgressLines(Progress):
        """Counts as rich does, draws nothing, prints a line at each step of the share done."""

        def __init__(self) -> None:
            super().__init__(disable=True)
            self.steps_shown: dict[TaskID, int] = {}

        def advance(self, task_id: TaskID, advance: float = 1) -> None:
            super().advance(task_id, advance)
            self.show(task_id)

        def update(self, task_id: TaskID, **changes: Any) -> None:
            super().update(task_id, **changes)
            self.show(task_id)

        def show(self, task_id: TaskID) -> None:
            task = next(t for t in self.tasks if t.id == task_id)
            if not task.total or task.total <= 0:
                return  # the total is not known yet: nothing to say a share of
            total = int(task.total)
            done = min(int(task.completed), total)
            step = done * 100 // total // PROGRESS_LINE_PERCENT
            if step <= self.steps_shown.get(task_id, 0):
                return
            self.steps_shown[task_id] = step
            elapsed = task.elapsed or 0.0
            # The mean pace so far: lines are far apart, so a recent window would say little.
            left = elapsed / done * (total - done) if done else None
            when = f"done in {_clock(elapsed)}" if done >= total else f"ETA {_clock(left)}"
            extra = "".join(f", {field.format(task=task)}" for field in fields)
            print(
                f"{task.description}: {done}/{total} ({done * 100 // total}%), {when}{extra}",
                file=sys.stderr,
                flush=True,
            )

    return ProgressLines()


def _clock(seconds: float | None) -> str:
    """Seconds as H:MM:SS, as rich's bar shows the time left; `?` when not known."""
    return "?" if seconds is None else str(timedelta(seconds=round(seconds)))


def print_table(console: Console, table: Table) -> None:
    """Print a table: drawn on a terminal; off one, as plain rows that tools can read.

    Plain rows are tab-separated, one per line: the title first if the table has one, then the
    header, then the rows, whatever their length (a tab or line break inside a cell becomes a
    space), so `grep`, `cut -f` and CI logs see every row whole.

    Args:
        console: The console to print on.
        table: The table, its cells plain text or rich markup.
    """
    if console.is_terminal:
        console.print(table)
        return
    from rich.errors import MarkupError
    from rich.text import Text

    def plain(cell: object) -> str:
        # As the table would show it: markup is styling, not text; brackets that are not
        # markup stay as they are.
        if isinstance(cell, str):
            with contextlib.suppress(MarkupError):
                cell = Text.from_markup(cell)
        value = cell.plain if isinstance(cell, Text) else str(cell)
        return " ".join(value.replace("\t", " ").splitlines())

    lines = [plain(table.title)] if table.title else []
    lines.append("\t".join(plain(column.header) for column in table.columns))
    rows = zip(*(column.cells for column in table.columns), strict=True)
    lines += ["\t".join(map(plain, row)) for row in rows]
    for line in lines:
        # Past rich, which would turn the tabs into spaces.
        print(line, file=console.file)


def existing_path(text: str) -> Path:
    """The `type` of an argument naming an input: a file or folder that must be there.

    A missing one is a usage error before anything starts: `main` turns the FileNotFoundError
    (which argparse lets through, unlike a ValueError) into one line and exit code 2.

    Raises:
        FileNotFoundError: nothing is at `text`.
    """
    path = Path(text)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "no such file or folder", text)
    return path


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


def add_quiet(parser: argparse.ArgumentParser, also: str = "") -> None:
    """Add `--quiet`: no progress (and, for some verbs, fewer lines).

    Args:
        parser: The verb's parser.
        also: What else the verb leaves out with it, as a phrase after "no progress".
    """
    parser.add_argument("--quiet", action="store_true", help=f"no progress{also}")
