"""`officegym view RECORDING…`: people's recordings in the viewer the run reports use."""

from __future__ import annotations

import argparse
import tempfile
import webbrowser
from pathlib import Path

from rich.console import Console

from officegym.cli._shared import EXIT_OK, Verbs, existing_path


def add_parser(verbs: Verbs) -> None:
    """Add the `view` verb.

    Args:
        verbs: The CLI's subparsers.
    """
    view = verbs.add_parser(
        "view", help="open recordings (trajectory folders or zips) in the offline viewer"
    )
    view.add_argument(
        "recordings",
        nargs="+",
        type=existing_path,
        metavar="RECORDING",
        help="trajectory folders or zips, or folders to search for them",
    )
    view.add_argument(
        "--out",
        type=Path,
        help="folder to write the viewer to (default: a new temporary folder, printed)",
    )
    view.add_argument(
        "--open", action="store_true", help="also open the viewer in the default web browser"
    )
    view.set_defaults(func=cmd_view)


def cmd_view(args: argparse.Namespace, console: Console) -> int:
    """Write the viewer of the recordings found and print the path of its page.

    Raises:
        ValueError: no recording found under the paths, or `--out` holds other files.
    """
    from officegym.report import write_viewer
    from officegym.trajectory import find_trajectories

    recordings = list(find_trajectories(args.recordings))
    if not recordings:
        raise ValueError(f"no recordings found in {' '.join(map(str, args.recordings))}")
    out = args.out or Path(tempfile.mkdtemp(prefix="officegym-view-"))
    page = write_viewer(recordings, out)
    # Not markup: the path may hold brackets (`a[/]b`).
    console.print(f"viewer: {page}", soft_wrap=True, highlight=False, markup=False)
    if args.open:
        webbrowser.open(page.resolve().as_uri())
    return EXIT_OK
