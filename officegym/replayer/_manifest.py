"""The manifest: one row per recording, for a pipeline to decide which to keep.

`officegym audit` and `officegym replay` write it twice, as `manifest.csv` and as
`manifest.parquet`, from the one schema `MANIFEST_COLUMNS`: where the recording came from, how
its import went, its verdict, how many findings of each severity and kind it has, its length
and size, and the source's own success label. Each file is written under a temporary name and
renamed, so a crash never leaves half a manifest under the real name.

A spreadsheet opening `manifest.csv` would run a cell that starts with `=`, `+`, `-`, `@`, a
tab or a carriage return as a formula; a path or a source name is someone else's text, so in
the CSV such a text cell (and one that starts with `'`, to keep the escape reversible) gets a
leading `'` (OWASP's advice against CSV injection). `read_manifest` takes it off again; the
Parquet file keeps every value exactly.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from officegym.errors import OfficegymError, TrajectoryFormatError
from officegym.replayer._findings import FINDINGS, Finding, RecordingStats
from officegym.replayer._where import ColumnKind
from officegym.trajectory import TrajectoryMeta, TrajectoryReader

CSV_NAME, PARQUET_NAME = "manifest.csv", "manifest.parquet"
IMPORT_REPORT = "import-report.jsonl"  # what `officegym import` writes next to trajectories
MAX_REPORT_LINE = 16 * 2**20  # a report line lists one file's skipped steps: never this long
FILE_MODE = 0o644
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")  # "'": so the escape reverses exactly


class ManifestError(OfficegymError, ValueError):
    """A manifest that cannot be read: not one `audit` or `replay` wrote (the message names the
    file, the line and the column)."""


ColumnType = Literal["text", "int", "float"]


@dataclass(frozen=True)
class Column:
    """One column of the manifest."""

    name: str
    type: ColumnType
    nullable: bool
    doc: str

    @property
    def kind(self) -> ColumnKind:
        """What a filter compares it as: text or a number."""
        return "text" if self.type == "text" else "number"


MANIFEST_COLUMNS: tuple[Column, ...] = (
    Column("source", "text", False, "the source file (an import's), else the trajectory"),
    Column("trajectory", "text", False, "the trajectory, as an absolute path"),
    Column("import_outcome", "text", True, "imported, partial (from import-report.jsonl)"),
    Column("verdict", "text", True, "the replay's verdict (empty from `audit`)"),
    Column("reward", "float", True, "the source's own reward, when it keeps one"),
    Column("raw_reward", "float", True, "the source's reward before any time penalty"),
    Column("duration_s", "float", False, "the recording's length in seconds"),
    Column("events", "int", False, "events in the recording"),
    Column("clicks", "int", False, "mouse.down events"),
    Column("keys", "int", False, "key.down events"),
    Column("frames", "int", False, "screenshot events"),
    Column("errors", "int", False, "findings of severity error"),
    Column("warnings", "int", False, "findings of severity warning"),
    Column("infos", "int", False, "findings of severity info"),
    *(Column(kind, "int", False, f"{kind} findings") for kind in FINDINGS),
)
COLUMNS: dict[str, Column] = {c.name: c for c in MANIFEST_COLUMNS}
COUNTED = ("events", "clicks", "keys", "frames")  # from the recording's stats, not findings
_SEVERITY_COLUMN = {"error": "errors", "warning": "warnings", "info": "infos"}

Row = dict[str, Any]


def manifest_row(
    trajectory: Path,
    meta: TrajectoryMeta | None,
    stats: RecordingStats,
    findings: Sequence[Finding],
    verdict: str | None = None,
    import_outcome: str | None = None,
) -> Row:
    """The manifest's row for one recording.

    Args:
        trajectory: the recording.
        meta: its header (None when unreadable).
        stats: what it holds, as the audit counted it.
        findings: its findings.
        verdict: its replay's verdict (None from an audit).
        import_outcome: its line in import-report.jsonl, if any.
    """
    imported = meta.imported if meta is not None else None
    label = imported.label if imported is not None else None
    row: Row = {
        "source": imported.path if imported is not None else str(trajectory.absolute()),
        "trajectory": str(trajectory.absolute()),
        "import_outcome": import_outcome,
        "verdict": verdict,
        "reward": label.reward if label is not None else None,
        "raw_reward": label.raw_reward if label is not None else None,
        "duration_s": stats.seconds,
        "events": stats.events,
        "clicks": stats.clicks,
        "keys": stats.keys,
        "frames": stats.frames,
        **{c.name: 0 for c in MANIFEST_COLUMNS if c.type == "int" and c.name not in COUNTED},
    }
    for finding in findings:
        row[_SEVERITY_COLUMN[finding.severity]] += 1
        row[finding.kind] += 1  # a Finding's kind is always one of FINDINGS
    return row


def read_recording(path: Path) -> tuple[TrajectoryMeta | None, RecordingStats]:
    """A recording's header and counts, read without auditing it (for a replay's rows).

    Unreadable parts count as far as they could be read; a bad header gives None.
    """
    stats = RecordingStats()
    try:
        with TrajectoryReader(path) as reader:
            meta = reader.meta
            with contextlib.suppress(TrajectoryFormatError):
                for _, event in reader.iter_events(ordered=False):
                    stats.see(event)
    except (TrajectoryFormatError, OSError):
        return None, stats
    return meta, stats


class ImportOutcomes:
    """Each recording's outcome in the import-report.jsonl of the import that made it: the
    nearest one in the recording's folder or above it, matched by the path below that folder."""

    def __init__(self) -> None:
        self._reports: dict[Path, dict[tuple[str, ...], str | None] | None] = {}

    def outcome(self, trajectory: Path) -> str | None:
        """`imported` or `partial` (a rejected file made no recording); None if no report
        names the recording."""
        path = trajectory.absolute()
        for folder in path.parents:
            report = self._report(folder)
            if report is not None:
                return report.get(path.relative_to(folder).parts)
        return None

    def _report(self, folder: Path) -> dict[tuple[str, ...], str | None] | None:
        if folder not in self._reports:
            self._reports[folder] = _read_report(folder / IMPORT_REPORT)
        return self._reports[folder]


def _read_report(path: Path) -> dict[tuple[str, ...], str | None] | None:
    """Outcomes by every tail of the trajectory's path as the report names it (the import
    named it relative to its own working folder); a tail two trajectories share leads to None,
    never to the other one's outcome."""
    if not path.is_file():
        return None
    found: dict[tuple[str, ...], str | None] = {}
    owner: dict[tuple[str, ...], tuple[str, ...]] = {}
    try:
        with path.open("rb") as f:
            while line := f.readline(MAX_REPORT_LINE):
                if not line.endswith(b"\n") and len(line) == MAX_REPORT_LINE:
                    while (rest := f.readline(MAX_REPORT_LINE)) and not rest.endswith(b"\n"):
                        pass  # a line past the bound: skipped whole, never held
                    continue
                entry = _report_entry(line)
                if entry is None:
                    continue
                parts = Path(entry[0]).parts
                for i in range(len(parts)):
                    tail = parts[i:]
                    same = owner.setdefault(tail, parts) == parts
                    found[tail] = entry[1] if same else None
    except OSError:
        return None
    return found


def _report_entry(line: bytes) -> tuple[str, str] | None:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None  # not a line of ours: the rest of the report still counts
    if not isinstance(data, dict):
        return None
    trajectory, outcome = data.get("trajectory"), data.get("outcome")
    if isinstance(trajectory, str) and trajectory and isinstance(outcome, str):
        return trajectory, outcome
    return None


def write_manifest(rows: Iterable[Row], folder: Path) -> tuple[Path, Path]:
    """Write `manifest.csv` and `manifest.parquet` in `folder`, rows sorted by trajectory,
    files 0644. Both are written under temporary names first and renamed only once both are
    whole: a failure leaves the manifests that were there as they were.

    Returns:
        The paths of the CSV and the Parquet file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    ordered = sorted(rows, key=lambda r: str(r["trajectory"]))
    names = [c.name for c in MANIFEST_COLUMNS]
    types = {"text": pa.string(), "int": pa.int64(), "float": pa.float64()}
    schema = pa.schema(
        [pa.field(c.name, types[c.type], nullable=c.nullable) for c in MANIFEST_COLUMNS]
    )
    text = {c.name for c in MANIFEST_COLUMNS if c.type == "text"}
    csv_path, parquet_path = folder / CSV_NAME, folder / PARQUET_NAME
    with _replacing(csv_path, parquet_path) as (csv_tmp, parquet_tmp):
        table = pa.Table.from_pylist([{n: r[n] for n in names} for r in ordered], schema=schema)
        pq.write_table(table, parquet_tmp)
        with csv_tmp.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(names)
            writer.writerows([_csv_cell(r[n], n in text) for n in names] for r in ordered)
    return csv_path, parquet_path


def _csv_cell(value: Any, is_text: bool) -> Any:
    if value is None:
        return ""
    if is_text and str(value).startswith(_FORMULA_STARTS):
        return "'" + str(value)  # not a formula in a spreadsheet; taken off by read_manifest
    return value


@contextlib.contextmanager
def _replacing(*paths: Path) -> Iterator[list[Path]]:
    """Temporary paths beside `paths`, renamed to them once all are written (all removed if
    writing fails)."""
    temps = [path.with_name(f".{path.name}.{os.getpid()}.tmp") for path in paths]
    try:
        yield temps
        for tmp, path in zip(temps, paths, strict=True):
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)


def read_manifest(path: Path) -> tuple[dict[str, ColumnKind], list[Row]]:
    """Read a manifest written by `write_manifest`, as CSV or Parquet (by its suffix).

    Returns:
        Its columns with what each holds, and its rows (an empty cell is None).

    Raises:
        ManifestError: not a manifest: no `trajectory` column, a number that is not one (or
            not finite), a Parquet column of a type the manifest never holds.
        OSError: the file cannot be read.
    """
    if path.suffix == ".parquet":
        return _read_parquet(path)
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        try:
            header = next(reader, None)
            _check_header(path, header)
            assert header is not None
            rows = [_csv_row(path, reader.line_num, header, cells) for cells in reader]
        except (csv.Error, UnicodeDecodeError) as exc:
            where = f"{path}:{reader.line_num + 1}"
            raise ManifestError(f"{where}: not CSV we can read: {exc}") from None
    return {n: COLUMNS[n].kind if n in COLUMNS else "text" for n in header}, rows


def _csv_row(path: Path, line: int, header: list[str], cells: list[str]) -> Row:
    if len(cells) != len(header):
        raise ManifestError(f"{path}:{line}: {len(cells)} cells, the header has {len(header)}")
    return {name: _cell(path, line, name, value) for name, value in zip(header, cells, strict=True)}


def _read_parquet(path: Path) -> tuple[dict[str, ColumnKind], list[Row]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except pa.ArrowException as exc:
        raise ManifestError(f"{path}: not a Parquet file we can read: {exc}") from None
    _check_header(path, table.column_names)
    types = {field.name: _parquet_type(path, field) for field in table.schema}
    rows = table.to_pylist()
    for line, row in enumerate(rows, start=1):
        for name, value in row.items():
            if value is not None and types[name] != "text":
                _check_number(path, line, name, value)
    return {name: "text" if t == "text" else "number" for name, t in types.items()}, rows


def _parquet_type(path: Path, field: Any) -> ColumnType:
    """What a Parquet column holds, which must be what the schema says for one of ours (text,
    int, float; a column the schema does not name may hold any of them); anything else (bytes,
    bools, times, decimals, lists) would compare wrongly or not at all."""
    import pyarrow as pa

    kinds: dict[ColumnType, bool] = {
        "text": pa.types.is_string(field.type) or pa.types.is_large_string(field.type),
        "int": pa.types.is_integer(field.type),
        "float": pa.types.is_floating(field.type),
    }
    column = COLUMNS.get(field.name)
    if column is not None and not kinds[column.type]:
        raise ManifestError(
            f"{path}: column {field.name!r} holds {field.type}, the manifest's holds {column.type}"
        )
    found = [kind for kind, holds in kinds.items() if holds]
    if not found:
        raise ManifestError(
            f"{path}: column {field.name!r} holds {field.type}: a manifest's columns hold "
            "text, int or float"
        )
    return found[0]


def _check_header(path: Path, header: Sequence[str] | None) -> None:
    if not header or "trajectory" not in header:
        raise ManifestError(
            f"{path}: no `trajectory` column: not a manifest written by `officegym audit` "
            "or `officegym replay`"
        )
    if len(set(header)) != len(header):
        raise ManifestError(f"{path}:1: a column is named twice")


def _cell(path: Path, line: int, name: str, value: str) -> Any:
    column = COLUMNS.get(name)
    if value == "":
        return None
    if column is None:
        return value
    if column.type == "text":
        return value[1:] if value.startswith("'") else value  # the writer's formula escape
    try:
        number = int(value) if column.type == "int" else float(value)
    except ValueError:
        number = math.nan
    return _check_number(path, line, name, number, value)


def _check_number(path: Path, line: int, name: str, number: Any, shown: Any = None) -> Any:
    """A cell of a number column: a finite int or float (a CSV's and a Parquet's alike)."""
    finite = isinstance(number, int | float) and not isinstance(number, bool)
    try:
        finite = finite and math.isfinite(number)
    except OverflowError:
        finite = False
    if not finite:
        shown = str(number if shown is None else shown)[:40]
        raise ManifestError(f"{path}:{line}: {name}: {shown!r} is not a number")
    return number
