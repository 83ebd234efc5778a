"""`officegym export`: recordings as a dataset to train on (Parquet, JSON Lines, WebDataset)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from officegym.cli._shared import (
    EXIT_NEGATIVE,
    EXIT_OK,
    Verbs,
    add_quiet,
    existing_path,
    progress_bar,
)

# The formats as the replayer's export defines them; repeated here so that `--help` does not
# import the replayer (and Playwright with it). A test checks both agree.
FORMATS = ("parquet", "jsonl", "webdataset")
SKIPPED_SHOWN = 10  # skipped recordings named in the summary; the card names them all


def add_parser(verbs: Verbs) -> None:
    """Add the `export` verb.

    Args:
        verbs: The CLI's subparsers.
    """
    export = verbs.add_parser(
        "export", help="recordings as a dataset to train on: one row per step, with its card"
    )
    export.add_argument(
        "paths", nargs="+", type=existing_path, metavar="RECORDING", help="trajectories or folders"
    )
    export.add_argument("--format", required=True, choices=FORMATS, help="the files to write")
    export.add_argument("--out", required=True, type=Path, help="the dataset's folder (empty)")
    export.add_argument(
        "--where",
        help="keep the recordings whose manifest row matches, as `select` filters, e.g. "
        "\"verdict == 'valid' and errors == 0\"",
    )
    export.add_argument(
        "--manifest",
        type=existing_path,
        help="manifest.csv or .parquet to take labels from (default: the nearest one in or "
        "above each recording's folder that names it)",
    )
    export.add_argument(
        "--overwrite", action="store_true", help="replace an earlier export in --out"
    )
    export.add_argument(
        "--shard-mb",
        type=int,
        default=256,
        help="start a new data file past this many MiB (default 256)",
    )
    export.add_argument(
        "--no-fail", action="store_true", help="exit 0 even when a recording was skipped"
    )
    add_quiet(export)
    export.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace, console: Console) -> int:
    """Export, then say what was written and what was skipped; exit 1 if any was."""
    from officegym.replayer import export_recordings

    if args.shard_mb < 1:
        raise ValueError("--shard-mb must be at least 1")
    with progress_bar(console, quiet=args.quiet) as bar:
        job = bar.add_task("exporting", total=None)

        def done(count: int, total: int) -> None:
            bar.update(job, completed=count, total=total)

        report = export_recordings(
            args.paths,
            args.out,
            args.format,
            where=args.where,
            manifest=args.manifest,
            overwrite=args.overwrite,
            shard_bytes=args.shard_mb * 2**20,
            progress=done,
        )
    console.print(
        f"{report.recordings} of {report.found} recordings exported ({report.steps} steps, "
        f"{report.frames} with a frame; {report.filtered_out} left out by --where, "
        f"{len(report.skipped)} skipped): {args.out} (card: {args.out / 'README.md'})",
        markup=False,  # paths may hold brackets
    )
    for path, why in report.skipped[:SKIPPED_SHOWN]:
        console.print(f"skipped {path}: {why}", markup=False)
    if len(report.skipped) > SKIPPED_SHOWN:
        console.print(f"... and {len(report.skipped) - SKIPPED_SHOWN} more (see the card)")
    return EXIT_NEGATIVE if report.skipped and not args.no_fail else EXIT_OK
