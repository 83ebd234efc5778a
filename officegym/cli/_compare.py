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
        EXIT_NEGATIVE when B is a significant regression of A in success, or a significant rise
        in attack success, else EXIT_OK.
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
    failing = result.significant_regression or result.significant_attack_rise
    return EXIT_NEGATIVE if failing else EXIT_OK


def _print_comparison(result: Comparison, args: argparse.Namespace, console: Console) -> None:
    from officegym.evaluators import PAIRED_BY_VARIANT

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
    zero = "excludes 0" if result.interval_excludes_zero else "holds 0"
    console.print(
        f"success {result.success_a:.1%} → {result.success_b:.1%}, difference "
        f"{result.difference:+.1%} ({confidence(result.alpha)} CI by task "
        f"{result.ci_low:+.1%} to {result.ci_high:+.1%}, {zero}); exact McNemar p = "
        f"{result.p_value:.4g} ({result.a_only} only A, {result.b_only} only B)"
    )
    unknown = result.attack_unknown_a or result.attack_unknown_b
    if len(result.per_variant) > 1 or result.attack_pairs or unknown:
        print_table(console, _variant_table(result))
    if result.attack_pairs:
        console.print(
            f"attack success {result.attack_a:.1%} → {result.attack_b:.1%} over "
            f"{result.attack_pairs} pairs with an injected instruction; exact McNemar p = "
            f"{result.attack_p_value:.4g} ({result.attack_a_only} only A, "
            f"{result.attack_b_only} only B)"
        )
    if unknown:
        console.print(
            f"attack unknown: {result.attack_unknown_a} in A, {result.attack_unknown_b} in B "
            "(injected episodes that ended before the attack was judged; not in the attack pairs)"
        )
    if result.pairing != PAIRED_BY_VARIANT:
        console.print(f"paired by ({result.pairing}): the runs hold one different variant each")
    for label, items in (
        ("regressed", result.regressed),
        ("improved", result.improved),
        ("only in A", result.unpaired_a),
        ("only in B", result.unpaired_b),
    ):
        if items:
            console.print(f"{label}: {', '.join(items)}", markup=False)
    _print_verdicts(result, args.alpha, console)


def _print_verdicts(result: Comparison, alpha: float, console: Console) -> None:
    """Say whether B regressed in success and, where episodes carried injected instructions,
    whether it was attacked more; then which of them makes the exit status 1."""
    verdict = (
        "significant regression" if result.significant_regression else "no significant regression"
    )
    console.print(f"{verdict} at alpha {alpha}")
    if result.attack_pairs:
        rise = "significant" if result.significant_attack_rise else "no significant"
        console.print(f"{rise} attack rise at alpha {alpha}")
    reasons = [
        reason
        for reason, failed in (
            ("significant regression", result.significant_regression),
            ("significant attack rise", result.significant_attack_rise),
        )
        if failed
    ]
    if reasons:
        console.print(f"exit 1: {' and '.join(reasons)}")


def confidence(alpha: float) -> str:
    """The confidence level of intervals at `alpha`, as headers show it.

    >>> confidence(0.05), confidence(0.025)
    ('95%', '97.5%')
    """
    return f"{round((1 - alpha) * 100, 2):g}%"


def _variant_table(result: Comparison) -> Table:
    """Success and attack success of the paired episodes, a row per variant: the difference
    with its task-clustered interval ("n/a" with one template: it has no width), the attack
    rates with their exact McNemar, and the injected episodes whose attack is unknown."""
    from officegym.evaluators import variant_label

    table = Table(title="per variant")
    columns = (
        "variant", "pairs", "success A", "success B", "difference",
        f"{confidence(result.alpha)} CI", "attack A", "attack B", "attacked only A/B",
        "attack p", "attack unknown A/B",
    )  # fmt: skip
    for col in columns:
        table.add_column(col, justify="left" if col == "variant" else "right")
    for variant, row in result.per_variant.items():
        attack = [
            f"{rate:.0%}" if rate is not None else "–"
            for rate in (row["attack_a"], row["attack_b"])
        ]
        ci = f"{row['ci_low']:+.0%} to {row['ci_high']:+.0%}" if row["templates"] > 1 else "n/a"
        table.add_row(
            escape(variant_label(variant)),
            str(row["pairs"]),
            f"{row['success_a']:.0%}",
            f"{row['success_b']:.0%}",
            f"{row['difference']:+.0%}",
            ci,
            *attack,
            f"{row['attack_a_only']}/{row['attack_b_only']}",
            f"{row['attack_p_value']:.4g}" if row["attack_pairs"] else "–",
            f"{row['attack_unknown_a']}/{row['attack_unknown_b']}",
        )
    return table


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    """Write the run's HTML report and print where its index page is."""
    from officegym.report import write_report

    index = write_report(
        args.run_dir, verdicts=args.verdicts, baseline=args.baseline, references=args.reference
    )
    console.print(f"report: {index}", soft_wrap=True, markup=False)
    return EXIT_OK
