"""`officegym tasks list`: the task templates and the suites they belong to."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from officegym.cli._shared import EXIT_OK, Verbs, add_json, print_table


def add_parser(verbs: Verbs) -> None:
    """Add the `tasks` verb and its `list` action.

    Args:
        verbs: The CLI's subparsers.
    """
    tasks = verbs.add_parser("tasks", help="list tasks and suites")
    tasks_verbs = tasks.add_subparsers(dest="tasks_verb", required=True, metavar="ACTION")
    listing = tasks_verbs.add_parser("list", help="list the task templates")
    listing.add_argument(
        "--suite",
        help="only the tasks of this suite (e.g. smoke, mail, core; core@narrow: those a "
        "variant applies to)",
    )
    add_json(listing)
    listing.set_defaults(func=cmd_tasks_list)


def cmd_tasks_list(args: argparse.Namespace, console: Console) -> int:
    """Print every task (or one suite's) as a table (plain rows off a terminal), or as JSON."""
    from officegym.tasks import get_task, suite_tasks, suites, task_ids

    ids = suite_tasks(args.suite) if args.suite else task_ids()
    rows: list[dict[str, Any]] = []
    for tid in ids:
        task = get_task(tid)
        rows.append(
            {
                "id": tid,
                "apps": list(task.apps),
                "tags": list(task.tags),
                "max_steps": task.max_steps,
                "instruction": task.instruction,
                "suites": sorted(s for s, members in suites().items() if tid in members),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    # The count goes below, so that off a terminal the header is the first line.
    count = f"{len(rows)} tasks" + (f" in suite {args.suite!r}" if args.suite else "")
    table = Table(caption=count)
    for col in ("id", "apps", "tags", "instruction"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], ",".join(r["apps"]), ",".join(r["tags"]), r["instruction"])
    print_table(console, table)
    return EXIT_OK
