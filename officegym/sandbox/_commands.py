"""`officegym sandbox build|cleanup`: the Docker sandbox's image and its leftovers."""

from __future__ import annotations

import argparse

from rich.console import Console

EXIT_OK = 0


def cmd_sandbox(args: argparse.Namespace, console: Console) -> int:
    """Build the sandbox image, or remove sandbox containers (all, or one run's)."""
    from officegym.sandbox._docker import build_image, cleanup

    if args.sandbox_verb == "build":
        console.print(f"sandbox image: {build_image()}", soft_wrap=True)
        return EXIT_OK
    removed = cleanup(args.run)
    which = f" of run {args.run}" if args.run else ""
    console.print(
        f"removed {removed['containers']} containers and {removed['networks']} networks{which}"
    )
    return EXIT_OK
