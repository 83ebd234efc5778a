"""Importers: recordings made by other tools, as trajectory v1.

`officegym import FORMAT SRC... --out DIR` writes one trajectory per source file, plus
`DIR/import-report.jsonl` with each file's outcome and every step it could not convert. A
source found under a folder keeps its path relative to that folder (`SRC/a/x.json` →
`DIR/a/x/`). Nothing is written or removed outside `DIR`: output names are made of plain
folder names, and every path is checked by `inside` before it is used.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

from officegym.replayer.importers import chrome_recorder, miniwob, rrweb
from officegym.replayer.importers._common import (
    MAX_SOURCE_BYTES,
    Conversion,
    ImportFormatError,
    ImportResult,
    Skipped,
)
from officegym.replayer.importers._output import clear, discard, write_conversion
from officegym.replayer.importers._source import read_source

# Each converts a decoded source; a format in STREAMED is read from its file a piece at a time.
CONVERTERS: dict[str, Callable[[Any, Path], Conversion]] = {
    "chrome-recorder": chrome_recorder.convert,
    "rrweb": rrweb.convert,
    "miniwob": miniwob.convert,
}
STREAMED: dict[str, Callable[[Path], Conversion]] = {"miniwob": miniwob.convert_file}
FORMATS = tuple(CONVERTERS)
SOURCE_SUFFIXES = (".json", ".json.gz", ".jsonl", ".gz")
REPORT_NAME = "import-report.jsonl"  # in --out, next to the trajectories
_YOUNG_OBJECTS = 20_000  # a worker's collector passes after this many new objects (Python: 700)
_NAME_BYTES = 200  # a folder name, with room for "-N", within every file system's 255


def find_sources(paths: Iterable[str | Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Source files: the files given, and the .json/.json.gz/.jsonl files under folders.

    Args:
        paths: files and folders, as given on the command line.
        exclude: folders not to search (the import's own `--out`, when it is inside a source
            folder: its trajectories and report are not sources).
    """
    skip = {folder.resolve() for folder in exclude}
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            found.append(path)  # a missing file gets its own `rejected` line
            continue
        if path.resolve() in skip:
            continue
        under: list[Path] = []
        for folder, dirs, files in os.walk(path):  # links to folders are not followed
            here = Path(folder)
            dirs[:] = [d for d in dirs if (here / d).resolve() not in skip]
            under += (here / f for f in files if f.endswith(SOURCE_SUFFIXES))
        found += sorted(p for p in under if p.is_file())
    return found


def output_names(sources: list[Path], folders: Sequence[str | Path] = ()) -> list[str]:
    """A trajectory's path inside `--out` per source: the source's path relative to the
    deepest of `folders` that holds it (its file name if none does), without the suffix.

    Each part is one plain folder name: separators and control characters become `_`, and a
    name of dots only (`..json` would give `.`) becomes `recording`. Two sources that would
    share a path, or one whose path is a folder of another's, get `-2`, `-3`, …; none is the
    report's name.
    """
    # By parts, as `Path.relative_to` compares them, without making a path of each part.
    bases = sorted((Path(f).parts for f in folders), key=len, reverse=True)
    paths = []
    for source in sources:
        full = source.parts
        inner = next(
            (full[len(b) :] for b in bases if full[: len(b)] == b and (b or not source.root)),
            (source.name,),
        )
        *parents, name = inner
        for suffix in (".gz", ".json", ".jsonl"):
            name = name.removesuffix(suffix)
        parts = [*map(_safe_name, parents), _safe_name(name)]
        if len(parts) > 1 and parts[0] == REPORT_NAME:
            parts[0] = f"_{REPORT_NAME}"  # a folder cannot be where the report's file is
        paths.append(PurePosixPath(*parts))
    # A trajectory is never a folder that holds another: the folders are taken first.
    used = {REPORT_NAME, *(str(up) for path in paths for up in path.parents if up.parts)}
    names = []
    for path in map(str, paths):
        name, n = path, 1
        while name in used:
            n += 1
            name = f"{path}-{n}"
        used.add(name)
        names.append(name)
    return names


def _safe_name(base: str) -> str:
    name = "".join("_" if ch in "/\\" or ord(ch) < 32 else ch for ch in base)
    name = name.encode()[:_NAME_BYTES].decode(errors="ignore")
    return name if name.strip(".") else "recording"


def import_one(fmt: str, source: Path, out: Path, root: Path | None = None) -> ImportResult:
    """Import one file; a bad file gives a `rejected` result, never an exception.

    Args:
        out: the trajectory folder to write.
        root: the folder every write and removal must stay inside (`--out`); by default the
            parent of `out`.
    """
    root = out.parent if root is None else root
    where = str(source)
    try:
        dest = clear(root, out, where)
    except ImportFormatError as exc:  # nothing was written, so nothing is removed
        return ImportResult(where, "rejected", reason=str(exc), position=exc.position)
    try:
        if fmt in STREAMED:
            conversion = STREAMED[fmt](source)
        else:
            conversion = CONVERTERS[fmt](read_source(source), source)
        events, skipped = write_conversion(conversion, out, where, root, dest)
    except ImportFormatError as exc:
        result = ImportResult(where, "rejected", reason=str(exc), position=exc.position)
    except RecursionError:  # a converter walking a document nested too deeply for it
        reason = f"{source}: nested too deeply to convert"
        result = ImportResult(where, "rejected", reason=reason, position="whole file")
    except Exception as exc:
        # The converters check every field they read, and the fuzz tests look for what they
        # miss; but a batch of thousands of files made by other tools must not stop at one
        # shape nobody foresaw. The file is rejected, naming what went wrong, and the rest go on.
        problem = f"could not be converted ({type(exc).__name__}: {exc}); please report this"
        result = ImportResult(where, "rejected", reason=f"{source}: {problem}",
                              position="whole file")  # fmt: skip
    else:
        outcome = "partial" if skipped else "imported"
        return ImportResult(where, outcome, str(out), events, skipped)
    discard(root, out, where)
    return result


def _start_worker() -> None:
    """Make the garbage collector cheap for a worker: it starts as a copy of this process, with
    every module imported, whose objects `freeze` takes out of the collector's full passes; and
    the thousands of objects each decoded file makes are freed by their reference counts (JSON
    makes no cycles), so a young-generation pass after every 700 of them is wasted work (with
    both, about 4.2 million instructions a small demonstration instead of 5.8 million)."""
    gc.freeze()
    gc.set_threshold(_YOUNG_OBJECTS, *gc.get_threshold()[1:])


def _import_chunk(job: tuple[str, str, list[tuple[str, str]]]) -> list[ImportResult]:
    fmt, root, pairs = job
    return [import_one(fmt, Path(src), Path(out), Path(root)) for src, out in pairs]


def import_all(
    fmt: str,
    sources: list[Path],
    out: Path,
    workers: int | None = None,
    folders: Sequence[str | Path] = (),
) -> Iterator[ImportResult]:
    """Import every source into `out`, yielding each file's result as its chunk finishes.

    Args:
        workers: processes to convert in (default: one per CPU); 1 converts in this one.
        folders: the folders the sources were found in: each source's trajectory keeps its
            path relative to its folder (see `output_names`).

    Raises:
        ValueError: `fmt` is not a known format.
    """
    if fmt not in CONVERTERS:
        raise ValueError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")
    names = output_names(sources, folders)
    pairs = [(str(s), str(out / n)) for s, n in zip(sources, names, strict=True)]
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(pairs) < 20:
        for src, dest in pairs:
            yield import_one(fmt, Path(src), Path(dest), out)
        return
    # Small chunks keep the bar moving, and both workers busy to the end.
    size = max(1, min(50, len(pairs) // (workers * 8)))
    chunks = [(fmt, str(out), pairs[i : i + size]) for i in range(0, len(pairs), size)]
    with ProcessPoolExecutor(workers, initializer=_start_worker) as pool:
        for results in pool.map(_import_chunk, chunks):
            yield from results


__all__ = [
    "CONVERTERS",
    "FORMATS",
    "MAX_SOURCE_BYTES",
    "REPORT_NAME",
    "STREAMED",
    "ImportFormatError",
    "ImportResult",
    "Skipped",
    "find_sources",
    "import_all",
    "import_one",
    "output_names",
    "read_source",
]
