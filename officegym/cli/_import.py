"""`officegym import`: recordings made by other tools in, as trajectory v1.

Quiet by default, as a batch of thousands of files should be: a progress bar with the time
left, then one summary line. What happened to each file (and every step it could not convert)
is in `import-report.jsonl`; `--verbose` also prints it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from officegym.cli._shared import (
    EXIT_NEGATIVE,
    EXIT_OK,
    Verbs,
    add_quiet,
    existing_path,
    progress_bar,
)

if TYPE_CHECKING:
    from officegym.replayer.importers import ImportResult

SKIPS_SHOWN = 5  # per file with --verbose; the report has them all


def add_parser(verbs: Verbs) -> None:
    """Add the `import` verb.

    Args:
        verbs: The CLI's subparsers.
    """
    imp = verbs.add_parser("import", help="convert recordings of other tools to trajectory v1")
    imp.add_argument(
        "format",
        choices=_Formats(),
        metavar="FORMAT",  # argparse would list the choices, and so import them, right away
        help="the tool that made the recordings: %(choices)s",
    )
    imp.add_argument(
        "sources", nargs="+", type=existing_path, metavar="SRC", help="files, or folders of them"
    )
    imp.add_argument("--out", required=True, type=Path, help="folder for the trajectories")
    imp.add_argument("--workers", type=int, help="processes to convert in (default: CPUs)")
    imp.add_argument(
        "--verbose", action="store_true", help="a line per file, with its skipped steps"
    )
    imp.add_argument(
        "--fail-on-reject", action="store_true", help="exit 1 when any file is rejected"
    )
    add_quiet(imp)
    imp.set_defaults(func=cmd_import)


class _Formats:
    """The import formats as `choices`, read from the importers only when a value is checked or
    the help shown. Importing them loads `officegym.trajectory` and its pydantic models (about
    0.2 s of CPU): paid by the parser, every verb would pay it."""

    def __contains__(self, value: object) -> bool:
        from officegym.replayer.importers import FORMATS

        return value in FORMATS

    def __iter__(self) -> Iterator[str]:
        from officegym.replayer.importers import FORMATS

        return iter(FORMATS)


def cmd_import(args: argparse.Namespace, console: Console) -> int:
    """Import every source; a bad one is reported and the rest go on.

    Returns:
        1 when no file could be imported, or with `--fail-on-reject` when one was rejected;
        else 0.
    """
    from officegym.replayer.importers import REPORT_NAME, find_sources, import_all

    sources = find_sources(args.sources, exclude=[args.out])
    if not sources:
        raise ValueError(
            f"no .json, .json.gz or .jsonl files in {' '.join(map(str, args.sources))}"
        )
    folders = [s for s in args.sources if s.is_dir()]
    args.out.mkdir(parents=True, exist_ok=True)
    report = args.out / REPORT_NAME
    counts: Counter[str] = Counter()
    start = time.perf_counter()
    with report.open("w") as out, progress_bar(console, quiet=args.quiet) as bar:
        job = bar.add_task(f"importing {args.format}", total=len(sources))
        for result in import_all(args.format, sources, args.out, args.workers, folders):
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            counts[result.outcome] += 1
            bar.advance(job)
            if args.verbose:
                _print_result(console, result, report)
    seconds = time.perf_counter() - start
    summary = ", ".join(f"{counts[k]} {k}" for k in ("imported", "partial", "rejected"))
    console.print(
        f"{len(sources)} files: {summary} in {seconds:.1f} s; report: {escape(str(report))}",
        soft_wrap=True,
    )
    if counts["imported"] + counts["partial"] == 0:
        return EXIT_NEGATIVE
    return EXIT_NEGATIVE if args.fail_on_reject and counts["rejected"] else EXIT_OK


def _print_result(console: Console, result: ImportResult, report: Path) -> None:
    """One file's outcome, and its first skipped steps."""
    if result.outcome == "rejected":
        console.print(f"[red]rejected[/] {escape(result.reason)}", soft_wrap=True)
        return
    line = f"{result.outcome} {result.source} → {result.trajectory} ({result.events} events)"
    console.print(escape(line), soft_wrap=True)
    for skip in result.skipped[:SKIPS_SHOWN]:
        text = f"  skipped {skip.position} ({skip.step}): {skip.reason}"
        console.print(f"[yellow]{escape(text)}[/]", soft_wrap=True)
    if len(result.skipped) > SKIPS_SHOWN:
        more = len(result.skipped) - SKIPS_SHOWN
        console.print(escape(f"  … {more} more in {report}"), soft_wrap=True)
