"""Importers: recordings made by other tools, as trajectory v1.

`officegym import FORMAT SRC... --out DIR` writes one trajectory per source file, plus
`DIR/import-report.jsonl` with each file's outcome and every step it could not convert. Nothing
is written or removed outside `DIR`: output names are plain folder names, and every path is
checked by `inside` before it is used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from officegym.replayer.importers import chrome_recorder, miniwob, rrweb
from officegym.replayer.importers._common import (
    MAX_SOURCE_BYTES,
    Conversion,
    ImportFormatError,
    ImportResult,
    Skipped,
    import_one,
    read_source,
)

CONVERTERS: dict[str, Callable[[Any, Path], Conversion]] = {
    "chrome-recorder": chrome_recorder.convert,
    "rrweb": rrweb.convert,
    "miniwob": miniwob.convert,
}
FORMATS = tuple(CONVERTERS)
SOURCE_SUFFIXES = (".json", ".json.gz", ".jsonl", ".gz")
REPORT_NAME = "import-report.jsonl"  # in --out, next to the trajectories
_NAME_BYTES = 200  # a folder name, with room for "-N", within every file system's 255


def find_sources(paths: Iterable[str | Path]) -> list[Path]:
    """Source files: the files given, and the .json/.json.gz/.jsonl files under folders."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith(SOURCE_SUFFIXES)
            )
        else:
            found.append(path)  # a missing file gets its own `rejected` line
    return found


def output_names(sources: list[Path]) -> list[str]:
    """A folder name per source: its name without the suffix, made unique with -2, -3, …

    A name is always one plain folder inside `--out`: separators and control characters become
    `_`, and a name of dots only (`..json` would give `.`) becomes `recording`. None is the
    report's name.
    """
    names, used = [], {REPORT_NAME}
    for source in sources:
        base = source.name
        for suffix in (".gz", ".json", ".jsonl"):
            base = base.removesuffix(suffix)
        base = _safe_name(base)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        names.append(name)
    return names


def _safe_name(base: str) -> str:
    name = "".join("_" if ch in "/\\" or ord(ch) < 32 else ch for ch in base)
    name = name.encode()[:_NAME_BYTES].decode(errors="ignore")
    return name if name.strip(".") else "recording"


def _import_chunk(job: tuple[str, str, list[tuple[str, str]]]) -> list[ImportResult]:
    fmt, root, pairs = job
    return [import_one(fmt, Path(src), Path(out), Path(root)) for src, out in pairs]


def import_all(
    fmt: str, sources: list[Path], out: Path, workers: int | None = None
) -> Iterator[ImportResult]:
    """Import every source into `out`, yielding each file's result as its chunk finishes.

    Args:
        workers: processes to convert in (default: one per CPU); 1 converts in this one.

    Raises:
        ValueError: `fmt` is not a known format.
    """
    if fmt not in CONVERTERS:
        raise ValueError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")
    pairs = [(str(s), str(out / n)) for s, n in zip(sources, output_names(sources), strict=True)]
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(pairs) < 20:
        for src, dest in pairs:
            yield import_one(fmt, Path(src), Path(dest), out)
        return
    size = max(1, min(200, len(pairs) // (workers * 8)))  # small chunks keep the bar moving
    chunks = [(fmt, str(out), pairs[i : i + size]) for i in range(0, len(pairs), size)]
    with ProcessPoolExecutor(workers) as pool:
        for results in pool.map(_import_chunk, chunks):
            yield from results


__all__ = [
    "CONVERTERS",
    "FORMATS",
    "MAX_SOURCE_BYTES",
    "REPORT_NAME",
    "ImportFormatError",
    "ImportResult",
    "Skipped",
    "find_sources",
    "import_all",
    "import_one",
    "output_names",
    "read_source",
]
