"""`officegym export`: recordings as a dataset to train on, one row per step.

Each recording is read twice, both times streamed: first checked whole (its events, every
frame's hash, that every distinct frame decodes as a PNG or JPEG image, and that every value
fits its column: int64, a timestamp a calendar holds), then written step by step. A recording
that fails the check is skipped, named with the reason, and the export goes on; one that passes
is written whole. Writing that fails (a full disk) stops the export and takes back what it
wrote: no recording is in the dataset in part, and none is said to be skipped that is.

Recordings are named relative to the folder holding the path they were found under (`recs/a`
for `recs/a` found under `recs`): the dataset and its card hold no path of this machine.

Labels come from a manifest (`officegym audit` or `replay`): the one given, else the nearest
`manifest.parquet` (or `.csv`) in a recording's folder or above it that names the recording.
The search for a manifest goes up no further than the path given (a recording given itself:
its folder). `--where` filters recordings on the manifest's columns with the language of
`officegym select`; a recording no manifest names has null labels (its source's own reward
aside), so a condition on them leaves it out (SQL's rule for nulls, as `select` has it).
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from officegym.errors import OfficegymError, TrajectoryFormatError
from officegym.replayer._dataset_card import CARD_NAME, write_card
from officegym.replayer._export_formats import (
    DEFAULT_SHARD_BYTES,
    EXPORT_COLUMNS,
    FORMATS,
    LABEL_COLUMNS,
    ExportError,
    Row,
    RowWriter,
    discard_export,
    frame_name,
    label_values,
    prepare_out,
    refuse_inputs_inside,
    row_writer,
    unfit_columns,
)
from officegym.replayer._export_steps import StepTrees, iter_steps
from officegym.replayer._manifest import (
    COLUMNS,
    CSV_NAME,
    PARQUET_NAME,
    ManifestError,
    read_manifest,
)
from officegym.replayer._where import ColumnKind, compile_where
from officegym.tasks.recorded_goal import recorded_goal
from officegym.trajectory import Screenshot, TrajectoryMeta, TrajectoryReader, find_trajectories
from officegym.trajectory.step_log import STEP_LOG_FILE

# A frame of more pixels than this is not decoded but skipped (8K UHD is 33 M): a few bytes of
# PNG can claim a picture that takes gigabytes to decode.
MAX_FRAME_PIXELS = 64 * 2**20
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_UNREADABLE = (TrajectoryFormatError, OSError, zipfile.BadZipFile, EOFError)


class ExportFrameError(OfficegymError, ValueError):
    """A recording's frame that no image loader would decode: the recording is skipped."""


class ExportValueError(OfficegymError, ValueError):
    """A recording's value that its column cannot hold (a seed past int64, a time past the
    calendar's end): the recording is skipped."""


class ExportWriteError(ExportError):
    """Writing the dataset failed (a full disk): the export stops and takes back what it wrote."""


@dataclass(frozen=True)
class Found:
    """A recording found under a path given, and its name in the dataset (`name_of`)."""

    path: Path
    name: str
    root: Path  # the path given it was found under


@dataclass
class ExportReport:
    """What `export_recordings` did: for the command's summary and the dataset card."""

    out: Path
    format: str
    where: str | None
    found: int = 0  # recordings found under the paths given
    recordings: int = 0  # exported
    steps: int = 0
    frames: int = 0  # steps with a frame
    filtered_out: int = 0  # left out by --where
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (recording's name, why)
    verdicts: Counter[str] = field(default_factory=Counter)  # recordings by verdict
    sources: Counter[str] = field(default_factory=Counter)
    manifests: list[str] = field(default_factory=list)  # where the labels came from
    labelled: int = 0  # recordings a manifest names
    redacted: int = 0  # recordings with redactions in meta.privacy
    redaction_kinds: Counter[str] = field(default_factory=Counter)
    masked_fields: int = 0  # recordings that masked input fields
    masked_steps: int = 0
    captured_under_policy: int = 0  # recordings made under a capture policy (meta.capture)
    capture_gaps: int = 0  # stretches in which such a policy captured nothing
    files: list[Path] = field(default_factory=list)
    decoded: set[str] = field(default_factory=set)  # sha256 of the frames checked to decode


def export_recordings(
    paths: Iterable[Path],
    out: Path,
    fmt: str,
    *,
    where: str | None = None,
    manifest: Path | None = None,
    overwrite: bool = False,
    shard_bytes: int = DEFAULT_SHARD_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write the recordings under `paths` as a dataset in `out`, with its card (README.md).

    Args:
        paths: trajectory folders, zips, or folders to search for them.
        out: the dataset's folder: new or empty, or an earlier export's with `overwrite`.
        fmt: parquet, jsonl or webdataset.
        where: keep only the recordings whose manifest row matches (`compile_where`).
        manifest: the manifest to take labels from (default: the nearest one found).
        overwrite: replace an earlier export in `out`.
        shard_bytes: start a new data file past this size.
        progress: called with (recordings done, recordings) after each.

    Returns:
        What was exported, filtered out and skipped (and why).

    Raises:
        ExportError: an unknown format; a path given inside `out`; `out` not empty (without
            `overwrite`), or holding anything an export does not write.
        ExportWriteError: writing failed; what this export wrote is removed again.
        WhereError: a bad filter. ManifestError: a bad `manifest`.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    roots = [Path(p) for p in paths]
    labels = _Labels(manifest)
    keep = compile_where(where, labels.columns) if where is not None else None
    found = _distinct(_find(roots))
    refuse_inputs_inside(out, [*roots, *(f.path for f in found), *filter(None, [manifest])])
    prepare_out(out, overwrite)
    report = ExportReport(out, fmt, where, found=len(found))
    writer = row_writer(fmt, out, shard_bytes)
    try:
        for done, recording in enumerate(found, start=1):
            _export_one(recording, labels, keep, writer, report)
            if progress is not None:
                progress(done, len(found))
        _written(writer.close, out)
        report.files = list(writer.files)
        report.manifests = labels.used()
        _written(lambda: write_card(report, out / CARD_NAME, EXPORT_COLUMNS, LABEL_COLUMNS), out)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.close()
        discard_export(out)
        raise
    return report


def _written(write: Callable[[], None], out: Path) -> None:
    try:
        write()
    except OSError as exc:
        raise ExportWriteError(f"writing the export to {out} failed: {exc}") from exc


def _find(roots: list[Path]) -> Iterator[Found]:
    for root in roots:
        for path in find_trajectories([root]):
            yield Found(path, name_of(path, root), root)


def name_of(path: Path, root: Path) -> str:
    """`path`'s name in the dataset: relative to the folder holding `root`, the path given."""
    try:
        return path.absolute().relative_to(root.absolute().parent).as_posix()
    except ValueError:
        return path.name


class _Labels:
    """Each recording's manifest row: from the manifest given, else the nearest one found."""

    def __init__(self, manifest: Path | None) -> None:
        self.given = manifest
        self.columns: dict[str, ColumnKind] = {name: c.kind for name, c in COLUMNS.items()}
        self.found: dict[Path, dict[Path, Row] | None] = {}  # by folder: None, no manifest
        self.sources: dict[Path, str] = {}  # by folder: the manifest read there, named
        self.hits: set[str] = set()
        if manifest is not None:
            self.columns, rows = read_manifest(manifest)
            self.found[manifest.parent.absolute()] = _by_trajectory(manifest, rows)
            self.sources[manifest.parent.absolute()] = str(manifest)

    def row(self, found: Found) -> Row | None:
        """The recording's row, or None when no manifest names it."""
        real = found.path.resolve()
        for folder in self._folders(found):
            rows = self._rows(folder, found.root)
            if rows is not None and real in rows:
                self.hits.add(self.sources[folder])
                return rows[real]
        return None

    def _folders(self, found: Found) -> list[Path]:
        """Where to look: the manifest given's folder, else the recording's folder and those
        above it up to the path given (a recording given itself: up to its folder)."""
        if self.given is not None:
            return [self.given.parent.absolute()]
        root = found.root.absolute()
        top = root if root.is_dir() and not (root / "meta.json").exists() else root.parent
        folders = []
        for folder in found.path.absolute().parents:
            folders.append(folder)
            if folder == top or not folder.is_relative_to(top):
                break
        return folders

    def _rows(self, folder: Path, root: Path) -> dict[Path, Row] | None:
        if folder not in self.found:
            self.found[folder] = None
            for name in (PARQUET_NAME, CSV_NAME):
                path = folder / name
                if path.is_file():
                    try:
                        self.found[folder] = _by_trajectory(path, read_manifest(path)[1])
                    except (ManifestError, OSError):
                        continue  # not a manifest of ours: the labels are not known here
                    self.sources[folder] = name_of(path, root)
                    break
        return self.found[folder]

    def used(self) -> list[str]:
        return sorted(self.hits)


def _by_trajectory(manifest: Path, rows: list[Row]) -> dict[Path, Row]:
    out: dict[Path, Row] = {}
    for row in rows:
        value = row.get("trajectory")
        if isinstance(value, str) and value:
            try:
                out[(manifest.parent.absolute() / value).resolve()] = row
            except (OSError, RuntimeError):
                continue  # a loop of links: names no recording
    return out


def _export_one(
    found: Found,
    labels: _Labels,
    keep: Callable[[Row], bool] | None,
    writer: RowWriter,
    report: ExportReport,
) -> None:
    """Check the recording whole and skip it with the reason if it fails; else write it whole,
    and stop the export (ExportWriteError) if that fails."""
    try:
        with TrajectoryReader(found.path) as reader:
            manifest_row = labels.row(found)
            row = manifest_row or _unlabelled_row(found.path, reader.meta)
            if keep is not None and not keep(row):
                report.filtered_out += 1
                return
            base = _recording_values(found.name, reader.meta, row)
            _check(reader, base, report.decoded)
            try:
                _write(reader, found.path, base, writer, report)
            except (*_UNREADABLE, ExportError) as exc:
                raise ExportWriteError(
                    f"writing {found.name} to the export failed part way: {exc}"
                ) from exc
            _count(report, reader.meta, base["verdict"], manifest_row is not None)
    except (*_UNREADABLE, ExportFrameError, ExportValueError) as exc:
        why = str(exc).replace(str(found.path.absolute()), found.name)
        report.skipped.append((found.name, why.replace(str(found.path), found.name)))


def _check(reader: TrajectoryReader, base: Row, decoded: set[str]) -> None:
    """Read the recording whole before any of it is written: its events, its frames' hashes,
    that each distinct frame decodes (`decoded`: the hashes already seen to), and that its
    values fit their columns."""
    unfit = unfit_columns(base)
    if unfit:
        values = ", ".join(f"{name} {base[name]!r}" for name in unfit)
        raise ExportValueError(f"{values}: past what the column holds (int64)")
    start = _start(reader.meta)
    last = 0.0
    for line, event in reader.iter_events(check_frames=True):
        last = max(last, event.t)
        if isinstance(event, Screenshot) and event.sha256 not in decoded:
            where = f"events.jsonl:{line}"
            _check_frame(reader.read_frame(event.frame), f"{where}: frame {event.frame!r}")
            decoded.add(event.sha256)
    try:
        _timestamp(start, last)
    except (OverflowError, ValueError):
        raise ExportValueError(
            f"started_at {reader.meta.started_at} and an event at {last} ms: "
            "past the last time a timestamp holds (year 9999)"
        ) from None


def _check_frame(data: bytes, what: str) -> None:
    """A PNG or JPEG that decodes, of at most MAX_FRAME_PIXELS (else ExportFrameError)."""
    from PIL import Image

    if not data.startswith(_IMAGE_MAGIC):
        raise ExportFrameError(f"{what} is not a PNG or JPEG image")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_FRAME_PIXELS:
                size = f"{image.width}x{image.height}"
                raise ExportFrameError(f"{what} is {size}, past {MAX_FRAME_PIXELS:,} pixels")
            image.verify()  # its structure and checksums
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # and its pixels, as a loader will
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise ExportFrameError(f"{what} is no image a loader decodes: {exc}") from None


def _unlabelled_row(path: Path, meta: TrajectoryMeta) -> Row:
    """A recording's labels without a manifest: only its source's own reward is known."""
    label = meta.imported.label if meta.imported is not None else None
    row: Row = {name: None for name in COLUMNS}
    row["trajectory"] = str(path.absolute())
    row["reward"] = label.reward if label is not None else None
    row["raw_reward"] = label.raw_reward if label is not None else None
    return row


def _write(
    reader: TrajectoryReader, path: Path, base: Row, writer: RowWriter, report: ExportReport
) -> None:
    meta = reader.meta
    painted = Counter(
        str(r.get("frame")) for r in meta.privacy.redactions if isinstance(r.get("frame"), str)
    )
    log = path.parent / STEP_LOG_FILE if meta.source == "agent" and path.is_dir() else None
    with contextlib.closing(StepTrees(log)) as trees:
        _write_steps(reader, base, painted, trees, writer, report)


def _write_steps(
    reader: TrajectoryReader,
    base: Row,
    painted: Counter[str],
    trees: StepTrees,
    writer: RowWriter,
    report: ExportReport,
) -> None:
    start = _start(reader.meta)
    previous: float | None = None
    for step in iter_steps(reader):
        frame = None
        if step.frame is not None:
            data = reader.read_frame(step.frame[0])
            frame = (data, frame_name(data, step.frame[1]))
        values = {
            **base,
            "step": step.index,
            "t_ms": step.t,
            "dt_ms": None if previous is None else step.t - previous,
            "timestamp": _timestamp(start, step.t),
            "frame_path": step.frame[0] if step.frame else None,
            "frame_sha256": step.frame[1] if step.frame else None,
            "frame_t_ms": step.frame[2] if step.frame else None,
            "url": step.url,
            "axtree": trees.tree(step.index),
            "action": step.action_json(),
            "computer_action": step.computer,
            "browser_action": step.browser_json(),
            "events": step.events,
            "masked": step.masked,
            "frame_redactions": painted[step.frame[0]] if step.frame else 0,
        }
        writer.write({c.name: values.get(c.name) for c in EXPORT_COLUMNS}, frame)
        previous = step.t
        report.steps += 1
        report.frames += frame is not None
        report.masked_steps += step.masked


def _recording_values(name: str, meta: TrajectoryMeta, labels: Row) -> Row:
    mode = meta.extra.get("action_mode") if meta.source == "agent" else None
    return {
        "recording_id": meta.id,
        "recording": name,
        "source": meta.source,
        "action_mode": mode if isinstance(mode, str) else None,
        "task_id": meta.task.id if meta.task is not None else None,
        "seed": meta.task.seed if meta.task is not None else None,
        "goal": recorded_goal(meta),
        "verdict": labels.get("verdict"),
        "labels": label_values(labels),
        "redactions": len(meta.privacy.redactions),
    }


def _count(report: ExportReport, meta: TrajectoryMeta, verdict: Any, labelled: bool) -> None:
    report.recordings += 1
    report.verdicts[verdict if isinstance(verdict, str) else "(none)"] += 1
    report.sources[meta.source] += 1
    report.labelled += labelled
    report.redacted += bool(meta.privacy.redactions)
    report.masked_fields += bool(meta.privacy.masked_fields)
    # (getattr: `capture` is newer than some recordings' readers' models)
    capture = getattr(meta, "capture", None)
    report.captured_under_policy += capture is not None
    report.capture_gaps += len(getattr(capture, "gaps", None) or [])
    for redaction in meta.privacy.redactions:
        kind = redaction.get("kind")
        where = "frame" if "frame" in redaction else "event"
        report.redaction_kinds[f"{kind if isinstance(kind, str) else '?'} ({where})"] += 1


def _start(meta: TrajectoryMeta) -> datetime | None:
    try:
        return datetime.fromisoformat(meta.started_at)
    except ValueError:
        return None


def _timestamp(start: datetime | None, t_ms: float) -> str | None:
    """The wall-clock time of `t_ms` into the recording, ISO 8601 to the millisecond."""
    if start is None:
        return None
    return (start + timedelta(milliseconds=t_ms)).isoformat(timespec="milliseconds")


def _distinct(found: Iterable[Found]) -> list[Found]:
    """Each recording once, however many of the paths given lead to it."""
    seen: set[Path] = set()
    out = []
    for recording in found:
        try:
            real = recording.path.resolve()
        except (OSError, RuntimeError):  # a loop of links: read, and skipped with the reason
            real = recording.path.absolute()
        if real not in seen:
            seen.add(real)
            out.append(recording)
    return out
