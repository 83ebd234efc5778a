"""`officegym compare` and `report`: two runs side by side, and a run as a static HTML report."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from officegym.cli._shared import (
    EXIT_NEGATIVE,
    EXIT_OK,
    Verbs,
    add_json,
    existing_path,
    print_table,
)

if TYPE_CHECKING:
    from officegym.evaluators import Comparison


def add_parser(verbs: Verbs) -> None:
    """Add the `compare` and `report` verbs.

    Args:
        verbs: The CLI's subparsers.
    """
    compare = verbs.add_parser("compare", help="compare run B with baseline run A, paired")
    compare.add_argument(
        "run_a", type=existing_path, metavar="RUN_A", help="baseline run directory"
    )
    compare.add_argument(
        "run_b", type=existing_path, metavar="RUN_B", help="candidate run directory"
    )
    compare.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="significance level of the exact McNemar test (default 0.05)",
    )
    add_json(compare)
    compare.add_argument(
        "--html",
        action="store_true",
        help="also write RUN_B/report/ with its compare view against RUN_A",
    )
    compare.set_defaults(func=cmd_compare)

    report = verbs.add_parser("report", help="write a run's offline HTML viewer (RUN/report/)")
    report.add_argument("run_dir", type=existing_path, metavar="RUN_DIR", help="run directory")
    report.add_argument(
        "--verdicts", type=existing_path, help="verdicts.jsonl of `officegym replay`"
    )
    report.add_argument("--baseline", type=existing_path, help="a run to compare this one against")
    report.add_argument(
        "--reference",
        type=existing_path,
        action="append",
        help="oracle run or valid recordings to measure efficiency against (repeatable)",
    )
    report.set_defaults(func=cmd_report)


def cmd_compare(args: argparse.Namespace, console: Console) -> int:
    """Compare run B with run A, as a table or JSON, and with `--html` as a report page too.

    Returns:
        EXIT_NEGATIVE when B is a significant regression of A, else EXIT_OK.
    """
    from officegym.evaluators import compare_runs

    result = compare_runs(args.run_a, args.run_b, args.alpha)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        _print_comparison(result, args, console)
    if args.html:
        from officegym.report import write_report

        page = write_report(args.run_b, baseline=args.run_a, alpha=args.alpha)
        # The viewer's compare view, as an address a browser opens; with --json, stdout holds
        # only the JSON.
        where = f"report: {page.resolve().as_uri()}#/compare"
        print(where, file=sys.stderr if args.json else sys.stdout)
    return EXIT_NEGATIVE if result.significant_regression else EXIT_OK


def _print_comparison(result: Comparison, args: argparse.Namespace, console: Console) -> None:
    # Paths and task ids are text, not markup: a folder may be named `a[/]b`.
    table = Table(
        title=f"{escape(str(args.run_b))} vs {escape(str(args.run_a))}: "
        f"{result.pairs} paired episodes"
    )
    for col in ("task", "pairs", "success A", "success B", "difference"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for task, row in result.per_task.items():
        table.add_row(
            escape(task),
            str(int(row["pairs"])),
            f"{row['success_a']:.0%}",
            f"{row['success_b']:.0%}",
            f"{row['difference']:+.0%}",
        )
    print_table(console, table)
    console.print(
        f"success {result.success_a:.1%} → {result.success_b:.1%}, difference "
        f"{result.difference:+.1%} (95% CI by task {result.ci_low:+.1%} to "
        f"{result.ci_high:+.1%}); exact McNemar p = {result.p_value:.4g} "
        f"({result.a_only} only A, {result.b_only} only B)"
    )
    for label, items in (
        ("regressed", result.regressed),
        ("improved", result.improved),
        ("only in A", result.unpaired_a),
        ("only in B", result.unpaired_b),
    ):
        if items:
            console.print(f"{label}: {', '.join(items)}", markup=False)
    verdict = (
        "significant regression" if result.significant_regression else "no significant regression"
    )
    console.print(f"{verdict} at alpha {args.alpha}")


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    """Write the run's HTML report and print where its index page is."""
    from officegym.report import write_report

    index = write_report(
        args.run_dir, verdicts=args.verdicts, baseline=args.baseline, references=args.reference
    )
    console.print(f"report: {index}", soft_wrap=True, markup=False)
    return EXIT_OK
