"""`officegym audit` and `redact`: captured data checked, and cleaned."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.console import Console

from officegym.cli._shared import (
    EXIT_NEGATIVE,
    EXIT_OK,
    Verbs,
    add_quiet,
    existing_path,
    progress_bar,
)

if TYPE_CHECKING:  # the replayer loads Playwright: imported by the handlers, when they run
    from officegym.replayer import AuditResult


def add_parser(verbs: Verbs) -> None:
    """Add the `audit` and `redact` verbs.

    Args:
        verbs: The CLI's subparsers.
    """
    audit = verbs.add_parser("audit", help="findings on recordings: privacy, timing, noise")
    audit.add_argument(
        "paths", nargs="+", type=existing_path, metavar="PATH", help="trajectories or folders"
    )
    audit.add_argument("--out", required=True, type=Path, help="findings.jsonl to write")
    audit.add_argument(
        "--no-fail", action="store_true", help="exit 0 even when a finding is an error"
    )
    add_quiet(audit)
    audit.set_defaults(func=cmd_audit)

    redact = verbs.add_parser("redact", help="a copy with secrets replaced and blacked out")
    redact.add_argument("src", type=existing_path, help="trajectory folder or .zip")
    redact.add_argument("--out", required=True, type=Path, help="folder or .zip to create")
    redact.add_argument(
        "--pii", action="store_true", help="also replace e-mail addresses and phone numbers"
    )
    add_quiet(redact)
    redact.set_defaults(func=cmd_redact)


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    """Audit every trajectory, writing its findings as they are known, then the manifest."""
    from officegym.replayer import Finding, ImportOutcomes, manifest_row, write_manifest
    from officegym.trajectory import find_trajectories

    paths = list(find_trajectories(args.paths))
    if not paths:
        raise ValueError(f"no trajectories found in {' '.join(map(str, args.paths))}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    kinds: Counter[str] = Counter()
    errors = 0
    first_with: dict[str, Path] = {}
    rows, outcomes = [], ImportOutcomes()

    def write(out: IO[str], path: Path, item: Finding) -> None:
        nonlocal errors
        line = {"trajectory": str(path), **item.to_json()}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        kinds[item.kind] += 1
        errors += item.severity == "error"

    with args.out.open("w") as out, progress_bar(console, quiet=args.quiet) as bar:
        job = bar.add_task("auditing", total=len(paths))
        for path in paths:
            findings, digest, stats, meta = _audit_one(path)
            if digest is not None and digest in first_with:
                same = f"the same input as {first_with[digest]}"
                findings.append(Finding.of("duplicate_recording", None, same))
            elif digest is not None:
                first_with[digest] = path
            for item in findings:
                write(out, path, item)
            out.flush()  # a finding is kept the moment it is known
            rows.append(manifest_row(path, meta, stats, findings, None, outcomes.outcome(path)))
            bar.advance(job)
    manifest, _ = write_manifest(rows, args.out.parent)
    listing = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) or "no findings"
    console.print(
        f"{len(paths)} trajectories: {listing}   findings: {args.out}   manifest: {manifest} "
        "(and .parquet)",
        markup=False,  # paths may hold brackets
    )
    return EXIT_NEGATIVE if errors and not args.no_fail else EXIT_OK


def _audit_one(path: Path) -> AuditResult:
    """One recording's audit; a recording that cannot be opened is `malformed`."""
    from officegym.errors import TrajectoryFormatError
    from officegym.replayer import AuditResult, Finding, RecordingStats, audit
    from officegym.trajectory import TrajectoryReader

    try:
        with TrajectoryReader(path) as reader:
            return audit(reader)
    except TrajectoryFormatError as exc:
        return AuditResult([Finding.of("malformed", None, str(exc))], None, RecordingStats(), None)


def cmd_redact(args: argparse.Namespace, console: Console) -> int:
    """Write a redacted copy of one trajectory and say what was replaced and blacked out."""
    from officegym.replayer import redact

    with progress_bar(console, quiet=args.quiet) as bar:
        job = bar.add_task("redacting", total=None)

        def written(done: int, total: int) -> None:
            bar.update(job, completed=done, total=total)

        report = redact(args.src, args.out, pii=args.pii, progress=written)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.kinds.items())) or "nothing found"
    console.print(
        f"redacted {report.events} events ({kinds}), blacked out regions in {report.frames} "
        f"frames: {args.out}",
        soft_wrap=True,
        markup=False,  # paths may hold brackets
    )
    if report.unboxed:
        console.print(
            f"[yellow]note[/]: events {report.unboxed[:10]} had no screen box recorded: frames "
            "showing their text were not blacked out; check them by eye",
            soft_wrap=True,
        )
    return EXIT_OK
