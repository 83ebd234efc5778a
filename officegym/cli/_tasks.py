"""`officegym tasks list`: the task templates and the suites they belong to."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from officegym.cli._shared import EXIT_OK, Verbs, add_json, print_table

CLEAN = "clean"  # how the table shows a task played under no variant


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
        "variant applies to; robust, inject: with the variants each plays under)",
    )
    add_json(listing)
    listing.set_defaults(func=cmd_tasks_list)


def cmd_tasks_list(args: argparse.Namespace, console: Console) -> int:
    """Print every task (or one suite's) as a table (plain rows off a terminal), or as JSON.

    A suite whose tasks play under variants (`robust`, `core@popup`) lists each task once, with
    the variants it plays under ("" for clean in JSON, `clean` in the table). An empty suite
    (`inject` before its variant is registered) lists nothing and says why on stderr.
    """
    from officegym.tasks import empty_suite_reason, get_task, suite_members, suites, task_ids

    members = suite_members(args.suite) if args.suite else []
    played: dict[str, list[str]] = {}
    for m in members:
        played.setdefault(m.task_id, []).append(m.variant)
    with_variants = any(m.variant for m in members)
    ids = list(played) if args.suite else task_ids()
    memberships = suites()
    rows: list[dict[str, Any]] = []
    for tid in ids:
        task = get_task(tid)
        row: dict[str, Any] = {
            "id": tid,
            "apps": list(task.apps),
            "tags": list(task.tags),
            "max_steps": task.max_steps,
            "instruction": task.instruction,
            "suites": sorted(s for s, tasks in memberships.items() if tid in tasks),
        }
        if with_variants:
            row["variants"] = played[tid]
        rows.append(row)
    if args.suite and not members:
        print(empty_suite_reason(args.suite), file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    # The count goes below, so that off a terminal the header is the first line.
    count = f"{len(rows)} tasks" + (f" in suite {args.suite!r}" if args.suite else "")
    if len(members) != len(rows):
        count += f", {len(members)} episodes per seed"
    table = Table(caption=count)
    columns = ("id", "apps", "tags", *(("variants",) if with_variants else ()), "instruction")
    for col in columns:
        table.add_column(col, overflow="fold")
    for r in rows:
        cells = [r["id"], ",".join(r["apps"]), ",".join(r["tags"])]
        if with_variants:
            cells.append(",".join(v or CLEAN for v in r["variants"]))
        table.add_row(*cells, r["instruction"])
    print_table(console, table)
    return EXIT_OK
