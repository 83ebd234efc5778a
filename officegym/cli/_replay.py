"""`officegym replay`: replay trajectories and write a verdict per recording."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from officegym.cli._shared import (
    EXIT_NEGATIVE,
    EXIT_OK,
    Verbs,
    add_backend,
    add_quiet,
    add_workers,
    existing_path,
    progress_bar,
)


def add_parser(verbs: Verbs) -> None:
    """Add the `replay` verb.

    Args:
        verbs: The CLI's subparsers.
    """
    replay = verbs.add_parser("replay", help="replay trajectories and judge each one")
    replay.add_argument(
        "paths",
        nargs="+",
        type=existing_path,
        metavar="PATH",
        help="trajectory folders or zips, or folders to search for them",
    )
    replay.add_argument("--out", required=True, type=Path, help="verdicts.jsonl to write")
    replay.add_argument(
        "--mode",
        choices=("fast", "realtime"),
        default="fast",
        help="fast: no idle time, moves coalesced (default); realtime: as recorded",
    )
    add_workers(replay)
    add_backend(replay, "env backend to replay in")
    replay.add_argument(
        "--no-fail", action="store_true", help="exit 0 even when some recordings are not valid"
    )
    replay.add_argument(
        "--serve",
        type=existing_path,
        help="answer the pages of imported recordings from this folder",
    )
    replay.add_argument(
        "--expect",
        type=existing_path,
        metavar="FILE",
        help="JSON: per recording name (or glob), expressions and the values they must give "
        "on the final page; a replay that ends elsewhere is task_failed (docs/cli.md)",
    )
    add_quiet(replay)
    replay.set_defaults(func=cmd_replay)


def cmd_replay(args: argparse.Namespace, console: Console) -> int:
    """Replay every trajectory found, writing each verdict as soon as it is known.

    Returns:
        EXIT_NEGATIVE when a recording is not valid (unless `--no-fail`), else EXIT_OK.
    """
    from officegym.replayer import (
        ImportOutcomes,
        Verdict,
        load_expectations,
        manifest_row,
        read_recording,
        replay_all,
        write_manifest,
    )
    from officegym.trajectory import find_trajectories

    expect = load_expectations(args.expect) if args.expect else None  # a bad file: exit 2 now
    paths = list(find_trajectories(args.paths))
    if not paths:
        raise ValueError(f"no trajectories found in {' '.join(map(str, args.paths))}")
    unmatched = expect.unmatched(paths) if expect else []
    for key in unmatched:  # a misspelt key checks nothing: say so before replaying
        print(f"warning: --expect key {key!r} matches no recording", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    rows, outcomes = [], ImportOutcomes()
    with args.out.open("w") as out, progress_bar(console, quiet=args.quiet) as bar:
        job = bar.add_task("replaying", total=len(paths))
        for result in replay_all(paths, args.mode, args.workers, args.backend, args.serve, expect):
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            out.flush()  # a verdict is kept the moment it is known
            counts[result.verdict] += 1
            path = Path(result.trajectory)
            meta, stats = read_recording(path)  # the header and counts, for the manifest
            rows.append(
                manifest_row(
                    path, meta, stats, result.findings, result.verdict, outcomes.outcome(path)
                )
            )
            bar.advance(job)
            if result.verdict != Verdict.VALID:
                where = f" at event {result.event_index}" if result.event_index is not None else ""
                # Escaped: a path or a reason quoting a recording may hold brackets.
                said = escape(f"{result.trajectory}: {result.reason}")
                console.print(f"[red]{result.verdict}[/]{where}: {said}", highlight=False)
    manifest, _ = write_manifest(rows, args.out.parent)
    summary = ", ".join(f"{counts[v]} {v}" for v in Verdict if counts[v])
    if unmatched:
        summary += f"; {len(unmatched)} --expect keys matched no recording"
    console.print(
        f"{len(paths)} trajectories: {summary}   verdicts: {args.out}   manifest: {manifest} "
        "(and .parquet)",
        markup=False,  # paths may hold brackets
    )
    invalid = len(paths) - counts[Verdict.VALID]
    return EXIT_NEGATIVE if invalid and not args.no_fail else EXIT_OK
