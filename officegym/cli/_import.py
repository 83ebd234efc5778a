"""`officegym import`: recordings made by other tools in, as trajectory v1."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from rich.console import Console

from officegym.cli._shared import EXIT_NEGATIVE, EXIT_OK, Verbs, progress_bar


def add_parser(verbs: Verbs) -> None:
    """Add the `import` verb.

    Args:
        verbs: The CLI's subparsers.
    """
    from officegym.replayer.importers import FORMATS

    imp = verbs.add_parser("import", help="convert recordings of other tools to trajectory v1")
    imp.add_argument("format", choices=FORMATS, help="the tool that made the recordings")
    imp.add_argument("sources", nargs="+", metavar="SRC", help="files, or folders of them")
    imp.add_argument("--out", required=True, type=Path, help="folder for the trajectories")
    imp.add_argument("--workers", type=int, help="processes to convert in (default: CPUs)")
    imp.add_argument("--quiet", action="store_true", help="no line per skipped step")
    imp.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace, console: Console) -> int:
    """Import every source; a bad one is reported and the rest go on."""
    from officegym.replayer.importers import REPORT_NAME, find_sources, import_all

    sources = find_sources(args.sources)
    if not sources:
        raise ValueError(f"no .json, .json.gz or .jsonl files in {' '.join(args.sources)}")
    args.out.mkdir(parents=True, exist_ok=True)
    report = args.out / REPORT_NAME
    counts: Counter[str] = Counter()
    with report.open("w") as out, progress_bar(console) as bar:
        job = bar.add_task(f"importing {args.format}", total=len(sources))
        for result in import_all(args.format, sources, args.out, args.workers):
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            counts[result.outcome] += 1
            bar.advance(job)
            if result.outcome == "rejected":
                console.print(f"[red]rejected[/] {result.reason}", soft_wrap=True)
            elif result.skipped and not args.quiet:
                for skip in result.skipped[:5]:
                    console.print(
                        f"[yellow]skipped[/] {result.source}: {skip.position} ({skip.step}): "
                        f"{skip.reason}",
                        soft_wrap=True,
                    )
                if len(result.skipped) > 5:
                    console.print(f"  … {len(result.skipped) - 5} more in {report}")
    summary = ", ".join(f"{counts[k]} {k}" for k in ("imported", "partial", "rejected"))
    console.print(f"{len(sources)} files: {summary}   report: {report}")
    return EXIT_NEGATIVE if counts["rejected"] else EXIT_OK
