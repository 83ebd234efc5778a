"""The exported dataset's one schema, `EXPORT_COLUMNS`, and its three writers.

- **parquet**: `data/train-NNNNN.parquet`, the frame a struct `{bytes, path}` and the features
  in the schema's `huggingface` metadata, which is how Hugging Face `datasets` stores an `Image`
  column in Parquet: `load_dataset("parquet", ...)` gives the frame as a picture, pyarrow as
  bytes.
- **jsonl**: `data/train-NNNNN.jsonl`, one JSON object a line; each frame is a file of its own
  under `frames/`, named by its SHA-256 (written once, however many steps show it), and the row's
  `frame` is its path relative to the export's folder. (Base64 in the line would make every line
  of a step that shows the same screen a copy of it, a third larger.)
- **webdataset**: `data/train-NNNNN.tar` shards written with `tarfile`; every sample is
  `KEY.json` (the row) and `KEY.png` (its frame), KEY `rNNNNNN_sNNNNNN` (recording and step
  numbers: a key may not hold a dot, and a recording's id may). Every sample has the same two
  members, as Hugging Face's `webdataset` loader requires: a JPEG frame is stored as the PNG of
  its pixels (lossless; the row's `frame_sha256` is the recorded JPEG's), and a step with no
  frame has the 1x1 transparent PLACEHOLDER_PNG, its row's `frame` null.

Every writer holds at most one batch of rows, and starts a new file when the current one
reaches the shard size: memory stays flat whatever the export's size. Every path it writes is
checked to be inside the export's folder; the folder itself is checked first (`prepare_out`):
new, empty, or an earlier export holding only what an export writes.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import shutil
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from officegym.errors import OfficegymError
from officegym.replayer._dataset_card import CARD_NAME, is_card
from officegym.replayer._manifest import FILE_MODE, MANIFEST_COLUMNS

FORMATS = ("parquet", "jsonl", "webdataset")
DATA_DIR, FRAMES_DIR = "data", "frames"
DEFAULT_SHARD_BYTES = 256 * 2**20  # Hugging Face's advice for a Parquet file of a dataset
BATCH_ROWS = 256  # rows a Parquet writer holds before it writes them as one row group
BATCH_BYTES = 16 * 2**20  # ... or bytes of frames and text, whichever comes first

ExportType = Literal["text", "int", "float", "bool", "image", "labels"]
INT64 = range(-(2**63), 2**63)  # what an `int` column holds (Parquet's and Arrow's int64)


class ExportError(OfficegymError, ValueError):
    """An export that cannot be made: an unknown format, an output folder that is not empty
    (without `--overwrite`) or holds what an export does not write, a path leading out of it."""


@dataclass(frozen=True)
class ExportColumn:
    """One column of an exported row."""

    name: str
    type: ExportType
    doc: str


# The manifest's columns a row carries as its recording's labels (its paths are this machine's,
# and the verdict is a column of its own).
LABEL_COLUMNS = tuple(
    c for c in MANIFEST_COLUMNS if c.name not in ("source", "trajectory", "verdict")
)

EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("recording_id", "text", "the recording's `id` (meta.json)"),
    ExportColumn("recording", "text", "its path from the folder of the path given to export"),
    ExportColumn("source", "text", "who made it: human, agent, synthetic, import:…"),
    ExportColumn("step", "int", "the step's number in its recording, from 0"),
    ExportColumn("t_ms", "float", "when the step started, ms since the recording started"),
    ExportColumn("dt_ms", "float", "ms since the previous step started (null for step 0)"),
    ExportColumn("timestamp", "text", "when the step started, ISO 8601 (started_at + t_ms)"),
    ExportColumn("frame", "image", "the last screenshot at or before the step (PNG or JPEG)"),
    ExportColumn("frame_path", "text", "that screenshot's path inside the recording"),
    ExportColumn("frame_sha256", "text", "its SHA-256, as the recording states and checks"),
    ExportColumn("frame_t_ms", "float", "when it was taken, ms since the recording started"),
    ExportColumn("url", "text", "the page's URL at the step, where recorded"),
    ExportColumn("axtree", "text", "the accessibility tree the agent saw (a run's steps.jsonl)"),
    ExportColumn("action_mode", "text", "the mode an agent acted in: computer or browser"),
    ExportColumn("action", "text", "the action the env recorded for an agent's step, JSON"),
    ExportColumn("computer_action", "text", "the step as a computer-mode call, viewport pixels"),
    ExportColumn("browser_action", "text", "the step in browser mode, the element as `target`"),
    ExportColumn("events", "int", "events the step holds"),
    ExportColumn("masked", "bool", "the step's input was masked (a password): no action given"),
    ExportColumn("task_id", "text", "the task the recording was made on"),
    ExportColumn("seed", "int", "the task's seed"),
    ExportColumn("goal", "text", "the task's instruction, as it was given"),
    ExportColumn("verdict", "text", "the replay's verdict, from the manifest (null: unknown)"),
    ExportColumn("labels", "labels", "the recording's manifest row: findings, reward, sizes"),
    ExportColumn("redactions", "int", "regions and events redacted in the recording"),
    ExportColumn("frame_redactions", "int", "regions painted over in this step's frame"),
)
Row = dict[str, Any]
Frame = tuple[bytes, str]  # the image's bytes, and its name (the sha256 with the extension)


def fits(kind: str, value: Any) -> bool:
    """`value` can be stored in a column of `kind`: null, or an int64, a finite float, a bool,
    a text as the kind says (a number from a file may be any size)."""
    if value is None:
        return True
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and value in INT64
    if kind == "float":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and math.isfinite(value) and (not isinstance(value, int) or value in INT64)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, str) if kind == "text" else True


def label_values(row: Row) -> Row:
    """The `labels` struct of a manifest row: a value its column cannot hold (a count past
    int64, a text where a number goes) is null, as an unknown one is."""
    out: Row = {}
    for column in LABEL_COLUMNS:
        value = row.get(column.name)
        if column.type == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value) if value in INT64 else value
        out[column.name] = value if fits(column.type, value) else None
    return out


def unfit_columns(row: Row) -> list[str]:
    """The columns of `row` whose value its column cannot hold (`fits`)."""
    return [c.name for c in EXPORT_COLUMNS if not fits(c.type, row.get(c.name))]


def _arrow_type(column: ExportColumn) -> Any:
    import pyarrow as pa

    plain = {"text": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    if column.type == "image":
        return pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    if column.type == "labels":
        return pa.struct([(c.name, plain[c.type]) for c in LABEL_COLUMNS])
    return plain[column.type]


def _feature(kind: str) -> dict[str, Any]:
    dtype = {"text": "string", "int": "int64", "float": "float64", "bool": "bool"}[kind]
    return {"dtype": dtype, "_type": "Value"}


def hf_features() -> dict[str, Any]:
    """The columns as Hugging Face `datasets` writes its `Features` to JSON."""
    out: dict[str, Any] = {}
    for column in EXPORT_COLUMNS:
        if column.type == "image":
            out[column.name] = {"_type": "Image"}
        elif column.type == "labels":
            out[column.name] = {c.name: _feature(c.type) for c in LABEL_COLUMNS}
        else:
            out[column.name] = _feature(column.type)
    return out


def arrow_schema() -> Any:
    """The Parquet schema, with the features `datasets` reads in its metadata."""
    import pyarrow as pa

    fields = [pa.field(c.name, _arrow_type(c)) for c in EXPORT_COLUMNS]
    metadata = {"huggingface": json.dumps({"info": {"features": hf_features()}})}
    return pa.schema(fields, metadata=metadata)


_SHARD_NAME = re.compile(r"train-\d{5}\.(?:parquet|jsonl|tar)")
_FRAME_NAME = re.compile(r"([0-9a-f]{2})[0-9a-f]{62}\.(?:png|jpg)")


def _plain_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def foreign_entry(folder: Path) -> str | None:
    """The first thing in an export's `data/` or `frames/` that no export writes (`data/` holds
    only `train-NNNNN.EXT` files; `frames/` only `XX/<sha256>.png|jpg`, XX the hash's first two
    digits), or None: what `--overwrite` may delete."""
    if not _plain_folder(folder):
        return f"{folder.name} (not a folder)"
    for entry in folder.iterdir():
        if folder.name == DATA_DIR:
            if not (_plain_file(entry) and _SHARD_NAME.fullmatch(entry.name)):
                return f"{DATA_DIR}/{entry.name}"
            continue
        if not _plain_folder(entry):
            return f"{FRAMES_DIR}/{entry.name}"
        for frame in entry.iterdir():
            named = _FRAME_NAME.fullmatch(frame.name)
            if not (_plain_file(frame) and named and named.group(1) == entry.name):
                return f"{FRAMES_DIR}/{entry.name}/{frame.name}"
    return None


def discard_export(out: Path) -> None:
    """Take back what this export wrote into `out` (which `prepare_out` left empty)."""
    for name in (DATA_DIR, FRAMES_DIR):
        shutil.rmtree(out / name, ignore_errors=True)
    for path in out.glob(f".{CARD_NAME}.*.tmp"):
        path.unlink(missing_ok=True)


def refuse_inputs_inside(out: Path, inputs: Iterable[Path]) -> None:
    """An export into a folder a recording (or the manifest) is in could delete or mix it."""
    target = out.resolve()
    for path in inputs:
        with contextlib.suppress(OSError, RuntimeError):  # a loop of links: not inside
            if path.resolve().is_relative_to(target):
                raise ExportError(
                    f"{path} is inside --out {out}: the export would write over it; choose an "
                    "--out apart from the recordings"
                )


def prepare_out(out: Path, overwrite: bool) -> None:
    """`out` made, or emptied of an earlier export: its card, `data/` and `frames/` holding only
    the files an export writes; anything else in it and nothing is deleted."""
    if not out.exists():
        out.mkdir(parents=True)
        return
    if not out.is_dir():
        raise ExportError(f"{out} is not a folder: choose a folder for --out")
    found = sorted(out.iterdir())
    if found and not overwrite:
        names = ", ".join(p.name for p in found[:5])
        raise ExportError(
            f"{out} is not empty ({names}): choose an empty --out, or give --overwrite to "
            "replace an earlier export there"
        )
    for path in found:
        stray = _foreign(path)
        if stray is not None:
            raise ExportError(
                f"{out} holds {stray}, which no export writes: --overwrite replaces only an "
                f"earlier export ({CARD_NAME}, {DATA_DIR}/, {FRAMES_DIR}/); choose another --out"
            )
    for path in found:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _foreign(path: Path) -> str | None:
    """What in `path` (an entry of --out) an export does not write, or None."""
    if path.name == CARD_NAME:
        return None if is_card(path) else f"a {CARD_NAME} that is no export's card"
    if path.name in (DATA_DIR, FRAMES_DIR):
        return foreign_entry(path)
    return path.name


def inside(root: Path, rel: str) -> Path:
    """`root/rel`, refused unless it resolves inside `root` (no `..`, no link out of it)."""
    path = root / rel
    if not path.resolve().is_relative_to(root.resolve()):
        raise ExportError(f"{path} would be written outside {root} (a link on the way)")
    return path


class RowWriter(Protocol):
    """A writer of one format: rows in, files out."""

    files: list[Path]

    def write(self, row: Row, frame: Frame | None) -> None: ...

    def close(self) -> None: ...


class _Shards:
    """Numbered files `data/train-NNNNN.EXT`, a new one once the current is `limit` bytes."""

    def __init__(self, root: Path, ext: str, limit: int) -> None:
        self.root, self.ext, self.limit = root, ext, limit
        self.files: list[Path] = []
        self.size = 0

    def next_path(self) -> Path:
        path = inside(self.root, f"{DATA_DIR}/train-{len(self.files):05d}.{self.ext}")
        path.parent.mkdir(exist_ok=True)
        self.files.append(path)
        self.size = 0
        return path

    def full(self, adding: int) -> bool:
        return bool(self.files) and self.size > 0 and self.size + adding > self.limit


def frame_name(data: bytes, sha256: str) -> str:
    """A frame's file name: its SHA-256 and the extension of its format."""
    return sha256 + (".png" if data.startswith(b"\x89PNG") else ".jpg")


class ParquetRows:
    """Rows into Parquet files, a row group per batch."""

    def __init__(self, root: Path, shard_bytes: int) -> None:
        self.shards = _Shards(root, "parquet", shard_bytes)
        self.files = self.shards.files
        self.schema = arrow_schema()
        self.batch: list[Row] = []
        self.batch_bytes = 0
        self.writer: Any = None

    def write(self, row: Row, frame: Frame | None) -> None:
        import pyarrow.parquet as pq

        size = _row_bytes(row, frame)
        if self.writer is None or self.shards.full(size):
            self._flush()
            self._close_file()
            self.writer = pq.ParquetWriter(self.shards.next_path(), self.schema)
        image = {"bytes": frame[0], "path": frame[1]} if frame else None
        self.batch.append({**row, "frame": image})
        self.batch_bytes += size
        self.shards.size += size
        if len(self.batch) >= BATCH_ROWS or self.batch_bytes >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.batch and self.writer is not None:
            self.writer.write_table(pa.Table.from_pylist(self.batch, schema=self.schema))
        self.batch, self.batch_bytes = [], 0

    def _close_file(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.files[-1].chmod(FILE_MODE)
            self.writer = None

    def close(self) -> None:
        self._flush()
        self._close_file()


class JsonlRows:
    """Rows into JSON Lines files, frames into `frames/` by their SHA-256."""

    def __init__(self, root: Path, shard_bytes: int) -> None:
        self.root = root
        self.shards = _Shards(root, "jsonl", shard_bytes)
        self.files = self.shards.files
        self.out: io.TextIOWrapper | None = None

    def write(self, row: Row, frame: Frame | None) -> None:
        rel = None
        if frame is not None:
            rel = f"{FRAMES_DIR}/{frame[1][:2]}/{frame[1]}"
            path = inside(self.root, rel)
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(frame[0])
                path.chmod(FILE_MODE)
        line = json.dumps({**row, "frame": rel}, ensure_ascii=False) + "\n"
        data = line.encode("utf-8")
        if self.out is None or self.shards.full(len(data)):
            self._close_file()
            self.out = self.shards.next_path().open("w", encoding="utf-8")
        self.out.write(line)
        self.shards.size += len(data)

    def _close_file(self) -> None:
        if self.out is not None:
            self.out.close()
            self.files[-1].chmod(FILE_MODE)
            self.out = None

    def close(self) -> None:
        self._close_file()


PLACEHOLDER_PNG = bytes.fromhex(  # 1x1, transparent: a WebDataset sample of a step with no frame
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def png_of(data: bytes) -> bytes:
    """The frame as PNG: itself if it is one, else the PNG of its decoded pixels."""
    if data.startswith(b"\x89PNG"):
        return data
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.save(out, "PNG")
    return out.getvalue()


class WebDatasetRows:
    """Samples into tar shards: `KEY.json` and `KEY.png`, the same two in every sample."""

    def __init__(self, root: Path, shard_bytes: int) -> None:
        self.shards = _Shards(root, "tar", shard_bytes)
        self.files = self.shards.files
        self.tar: tarfile.TarFile | None = None
        self.recording = -1  # the number of the recording being written (rows come in order)
        self.last: tuple[Any, Any, int] | None = None  # its (recording, id, last step)
        self.png: tuple[str, bytes] | None = None  # the last frame's PNG, by its name

    def write(self, row: Row, frame: Frame | None) -> None:
        last = self.last
        if last is None or (last[0], last[1]) != (row["recording"], row["recording_id"]):
            self.recording += 1
        elif row["step"] <= last[2]:
            self.recording += 1  # the same name again: another recording
        self.last = (row["recording"], row["recording_id"], row["step"])
        key = f"r{self.recording:06d}_s{row['step']:06d}"
        payload = json.dumps({**row, "frame": f"{key}.png" if frame else None}, ensure_ascii=False)
        members = [(f"{key}.json", payload.encode("utf-8")), (f"{key}.png", self._png(frame))]
        size = sum(512 + len(data) + 511 for _, data in members)  # headers and padding
        if self.tar is None or self.shards.full(size):
            self._close_file()
            # Open across calls, one shard at a time; `close` closes the last.
            self.tar = tarfile.open(  # noqa: SIM115
                self.shards.next_path(), "w", format=tarfile.PAX_FORMAT
            )
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), FILE_MODE, 0
            self.tar.addfile(info, io.BytesIO(data))
        self.shards.size += size

    def _png(self, frame: Frame | None) -> bytes:
        if frame is None:
            return PLACEHOLDER_PNG
        if self.png is None or self.png[0] != frame[1]:  # steps in a row share a frame
            self.png = (frame[1], png_of(frame[0]))
        return self.png[1]

    def _close_file(self) -> None:
        if self.tar is not None:
            self.tar.close()
            self.files[-1].chmod(FILE_MODE)
            self.tar = None

    def close(self) -> None:
        self._close_file()


def _row_bytes(row: Row, frame: Frame | None) -> int:
    """About what a row takes in a file: its frame and its texts."""
    texts = sum(len(v) for v in row.values() if isinstance(v, str))
    return texts + (len(frame[0]) if frame else 0) + 200


def row_writer(fmt: str, root: Path, shard_bytes: int) -> RowWriter:
    """The writer of `fmt` into `root`.

    Raises:
        ExportError: an unknown format.
    """
    writers: dict[str, type[ParquetRows] | type[JsonlRows] | type[WebDatasetRows]] = {
        "parquet": ParquetRows,
        "jsonl": JsonlRows,
        "webdataset": WebDatasetRows,
    }
    if fmt not in writers:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return writers[fmt](root, shard_bytes)
