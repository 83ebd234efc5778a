"""`officegym select`: the recordings a manifest's filter keeps, linked or copied into a folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from officegym.cli._shared import EXIT_OK, Verbs, existing_path


def add_parser(verbs: Verbs) -> None:
    """Add the `select` verb.

    Args:
        verbs: The CLI's subparsers.
    """
    select = verbs.add_parser(
        "select", help="put the recordings a manifest's filter keeps into a folder"
    )
    select.add_argument(
        "manifest", type=existing_path, help="manifest.csv or manifest.parquet (audit, replay)"
    )
    select.add_argument(
        "--where",
        required=True,
        help="filter over the manifest's columns, e.g. \"verdict == 'valid' and errors == 0\"",
    )
    select.add_argument("--out", required=True, type=Path, help="folder to put them in")
    select.add_argument(
        "--copy",
        action="store_true",
        help="copy every file (default: hard links where possible; a hard link is the source's "
        "own data, so a tool that edits a selected file in place edits the original too)",
    )
    select.add_argument(
        "--root",
        type=Path,
        help="folder every chosen recording must be in, links followed (default: the "
        "manifest's folder); a row leading elsewhere is refused",
    )
    select.set_defaults(func=cmd_select)


def cmd_select(args: argparse.Namespace, console: Console) -> int:
    """Link or copy the chosen recordings; a bad filter or manifest is a usage error (exit 2)."""
    from officegym.replayer import select_recordings

    selection = select_recordings(
        args.manifest, args.where, args.out, copy=args.copy, root=args.root
    )
    console.print(
        f"{len(selection.chosen)} of {selection.total} recordings selected into {args.out} "
        f"({selection.linked} files linked, {selection.copied} copied)",
        markup=False,  # the path may hold brackets
        highlight=False,
    )
    return EXIT_OK
