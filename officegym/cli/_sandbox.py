"""`officegym sandbox build|cleanup`: the Docker sandbox's image and its leftovers."""

from __future__ import annotations

import argparse

from rich.console import Console

from officegym.cli._shared import EXIT_OK, Verbs


def add_parser(verbs: Verbs) -> None:
    """Add the `sandbox` verb and its `cleanup` and `build` actions.

    Args:
        verbs: The CLI's subparsers.
    """
    sandbox = verbs.add_parser("sandbox", help="the Docker sandboxes: build the image, clean up")
    sandbox_verbs = sandbox.add_subparsers(dest="sandbox_verb", required=True, metavar="ACTION")
    sweep = sandbox_verbs.add_parser("cleanup", help="remove sandbox containers and networks")
    sweep.add_argument("--run", help="only those of this run id (default: every one)")
    sweep.set_defaults(func=cmd_sandbox_cleanup)
    build = sandbox_verbs.add_parser(
        "build", help="build the sandbox image (and its base if missing)"
    )
    build.set_defaults(func=cmd_sandbox_build)


def cmd_sandbox_build(args: argparse.Namespace, console: Console) -> int:
    """Build the sandbox image (if missing) and print its tag."""
    from officegym.sandbox import build_image

    console.print(f"sandbox image: {build_image()}", soft_wrap=True)
    return EXIT_OK


def cmd_sandbox_cleanup(args: argparse.Namespace, console: Console) -> int:
    """Remove the sandbox containers and networks: all of them, or one run's with `--run`."""
    from officegym.sandbox import cleanup

    removed = cleanup(args.run)
    which = f" of run {args.run}" if args.run else ""
    console.print(
        f"removed {removed['containers']} containers and {removed['networks']} networks{which}",
        markup=False,  # --run is the user's text
    )
    return EXIT_OK
