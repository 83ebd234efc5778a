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
    from officegym.replayer import AuditResult, Finding, OcrWorkers
    from officegym.trajectory import CapturePolicy


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
    audit.add_argument(
        "--policy",
        type=existing_path,
        metavar="POLICY.yaml",
        help="also report what breaks this capture policy (docs/data-quality.md#capture-policy)",
    )
    audit.add_argument(
        "--frames",
        action="store_true",
        help="also read every stored frame with OCR (Tesseract) for secrets and personal data",
    )
    _add_ocr_workers(audit)
    add_quiet(audit)
    audit.set_defaults(func=cmd_audit)

    redact = verbs.add_parser("redact", help="a copy with secrets replaced and blacked out")
    redact.add_argument("src", type=existing_path, help="trajectory folder or .zip")
    redact.add_argument("--out", required=True, type=Path, help="folder or .zip to create")
    redact.add_argument(
        "--pii", action="store_true", help="also replace e-mail addresses and phone numbers"
    )
    redact.add_argument(
        "--frames",
        action="store_true",
        help="also paint over what OCR reads on the frames (secrets; with --pii, personal data)",
    )
    redact.add_argument(
        "--style",
        choices=("black", "blur"),
        default="black",
        help="how --frames paints a box (black, the default, is safe; a blur can be undone by "
        "blurring guesses alike)",
    )
    redact.add_argument(
        "--allow-unreadable",
        action="store_true",
        help="with --frames: copy frames OCR cannot read as they are, instead of stopping",
    )
    _add_ocr_workers(redact)
    add_quiet(redact)
    redact.set_defaults(func=cmd_redact)


def _add_ocr_workers(parser: argparse.ArgumentParser) -> None:
    """`--workers`: processes reading frames with --frames, one pool for the whole command."""
    parser.add_argument(
        "--workers",
        type=_worker_count,
        default=1,
        help="processes reading frames with --frames (default 1; at most the CPU count)",
    )


def _worker_count(text: str) -> int:
    """A --workers value: a whole number of at least 1."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of processes, 1 or more")
    return count


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    """Audit every trajectory, writing its findings as they are known, then the manifest."""
    from officegym.replayer import (
        Finding,
        ImportOutcomes,
        OcrWorkers,
        manifest_row,
        write_manifest,
    )
    from officegym.trajectory import find_trajectories, load_policy

    paths = list(find_trajectories(args.paths))
    if not paths:
        raise ValueError(f"no trajectories found in {' '.join(map(str, args.paths))}")
    policy = load_policy(args.policy) if args.policy is not None else None
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

    ocr = OcrWorkers(args.workers)  # started on first use: only with --frames
    with args.out.open("w") as out, progress_bar(console, quiet=args.quiet) as bar, ocr:
        job = bar.add_task("auditing", total=len(paths))
        for path in paths:
            findings, digest, stats, meta = _audit_one(path)
            if policy is not None and meta is not None:
                findings += _audit_policy(path, policy)
            if args.frames and meta is not None:
                findings += _audit_frames(path, ocr)
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


def _audit_frames(path: Path, workers: OcrWorkers) -> list[Finding]:
    """`--frames`: what OCR reads on the recording's frames (its events are audited already)."""
    from officegym.errors import TrajectoryFormatError
    from officegym.replayer import audit_frames
    from officegym.trajectory import TrajectoryReader

    try:
        with TrajectoryReader(path) as reader:
            return audit_frames(reader, workers)
    except TrajectoryFormatError:
        return []  # the event audit reported the recording `malformed`


def _audit_policy(path: Path, policy: CapturePolicy) -> list[Finding]:
    """`--policy`: where the recording breaks the capture policy."""
    from officegym.replayer import check_policy
    from officegym.trajectory import TrajectoryReader

    with TrajectoryReader(path) as reader:
        return check_policy(reader, policy)


def cmd_redact(args: argparse.Namespace, console: Console) -> int:
    """Write a redacted copy of one trajectory and say what was replaced and blacked out."""
    from officegym.replayer import OcrWorkers, redact, redact_with_frames

    with progress_bar(console, quiet=args.quiet) as bar, OcrWorkers(args.workers) as ocr:
        job = bar.add_task("redacting", total=None)

        def written(done: int, total: int) -> None:
            bar.update(job, completed=done, total=total)

        if args.frames:
            report, painted = redact_with_frames(
                args.src, args.out, pii=args.pii, style=args.style, workers=ocr,
                allow_unreadable=args.allow_unreadable, progress=written,
            )  # fmt: skip
        else:
            report, painted = redact(args.src, args.out, pii=args.pii, progress=written), None
    if painted is not None:
        seen = ", ".join(f"{n} {k}" for k, n in sorted(painted.kinds.items())) or "nothing"
        console.print(
            f"OCR: {args.style} over {painted.boxes} boxes in {painted.frames} frames ({seen})",
            markup=False,
        )
        if painted.unreadable:  # only with --allow-unreadable: otherwise an error
            console.print(
                f"note: OCR could not read {', '.join(painted.unreadable[:10])}: copied as they "
                "are (--allow-unreadable); check them by eye",
                soft_wrap=True,
                markup=False,  # frame names may hold brackets
            )
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
