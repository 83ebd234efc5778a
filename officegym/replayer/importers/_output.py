"""Writing an import's trajectory: only inside `--out`, in one go, removed again if it fails.

The trajectory is the format `TrajectoryWriter` writes (meta.json indented, one compact event a
line; no `frames/`, as an import has no screenshots), but written whole once it is converted:
an import is a batch, and one that was cut off is run again (meta.json is written first, so
what it left is an earlier import, which the new one replaces). So it skips the writer's fsync
of meta.json (most of the time of importing a small file) and its line-by-line flushes. Files
get the mode the umask gives (0644 under the usual 022), like any file a program creates.
"""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from officegym.errors import TrajectoryFormatError
from officegym.replayer.importers._common import (
    MAX_NOTES,
    Conversion,
    ImportFormatError,
    Skipped,
)
from officegym.trajectory import EVENTS_FILE, META_FILE, TrajectoryMeta, parse_event

_STEP_CHARS, _REASON_CHARS = 100, 500  # of a skip noted in meta.json (the source names steps)


def inside(root: Path, path: Path, where: str) -> Path:
    """`path` with its links resolved, once it is known to lie inside `root` (the import's
    `--out`) and not be `root` itself. Every path an import writes or removes comes from here.

    Args:
        where: the source file being imported, to name in the error.

    Raises:
        ImportFormatError: `path` leads to `root` or out of it.
    """
    base, full = _real(root.absolute()), path.resolve()
    if full == base or not full.is_relative_to(base):
        problem = f"its trajectory would be written at {full}, not inside {base}: refused"
        raise ImportFormatError(where, None, "output folder", problem)
    return full


@functools.lru_cache(maxsize=16)
def _real(root: Path) -> Path:
    """An absolute `root` with its links resolved, once per process: `--out` is where it was
    when the import began, and a link put in its place later leads nowhere `inside` allows."""
    return root.resolve()


def clear(root: Path, path: Path, where: str) -> Path:
    """`path` checked by `inside`, with an earlier import there removed: what the new one
    replaces. Anything else there (a file, a folder that is not a trajectory) is kept.

    Raises:
        ImportFormatError: `path` leads out of `root`, holds something not a trajectory, or
            the earlier import cannot be removed.
    """
    full = inside(root, path, where)
    try:
        if full.is_dir() and ((full / META_FILE).is_file() or not any(full.iterdir())):
            shutil.rmtree(full)
        elif full.exists() or full.is_symlink():
            problem = f"{full} already exists and is not a trajectory: not replaced"
            raise ImportFormatError(where, None, "output folder", problem)
    except OSError as exc:
        problem = f"the earlier import at {full} cannot be removed: {exc.strerror}"
        raise ImportFormatError(where, None, "output folder", problem) from None
    return full


def discard(root: Path, path: Path, where: str) -> None:
    """Remove what an import that failed wrote at `path` (half a trajectory is not one), and
    the folders made for it that are left empty; if `path` no longer leads inside `root`,
    nothing."""
    try:
        full = inside(root, path, where)
    except ImportFormatError:
        return
    shutil.rmtree(full, ignore_errors=True)
    base = _real(root.absolute())
    for parent in full.parents:
        if parent == base or not parent.is_relative_to(base):
            break
        try:
            parent.rmdir()  # only if empty: another trajectory may be in it
        except OSError:
            break


def write_conversion(
    conversion: Conversion, out: Path, where: str, root: Path
) -> tuple[int, list[Skipped]]:
    """Write the trajectory at `out` inside `root`, with `meta.imported` saying where it came
    from; an event the format refuses is skipped with the reason.

    Args:
        where: the source file as given to the import, stored as `meta.imported.path`.

    Returns:
        The number of events written and the skipped steps (the importer's and the writer's).

    Raises:
        ImportFormatError: `out` leads out of `root`, the header does not validate, or no
            event could be written.
    """
    lines, index_of, skipped = _checked_events(conversion, str(out / EVENTS_FILE))
    imported = _imported(conversion, where, index_of, len(lines), skipped)
    meta = _checked_meta({**conversion.meta, "imported": imported}, where)
    if len(lines) <= 1 and conversion.events:  # only the closing `done`
        span = f"{conversion.events[0][0]} to {conversion.events[-1][0]}"
        raise ImportFormatError(where, None, span, "no step could be converted")
    dest = inside(root, out, where)
    dest.mkdir(parents=True, exist_ok=True)  # no frames/: an import has no screenshots
    text = meta.model_dump_json(indent=2, exclude_none=True) + "\n"
    (dest / META_FILE).write_text(text, "utf-8")
    (dest / EVENTS_FILE).write_text("".join(lines), "utf-8")
    return len(lines), skipped


def _checked_meta(meta: dict[str, Any], where: str) -> TrajectoryMeta:
    try:
        return TrajectoryMeta.model_validate(meta)
    except ValidationError as exc:  # a header field taken from the source
        first = exc.errors(include_url=False)[0]
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        problem = first["msg"].removeprefix("Value error, ")
        at = f"meta: {field.removeprefix('.')}" if field else "meta"
        raise ImportFormatError(where, None, at, problem) from None


def _checked_events(
    conversion: Conversion, path: str
) -> tuple[list[str], list[int | None], list[Skipped]]:
    """The lines of events.jsonl (a closing `done` added if the source has none), where each
    event went (its line index, None if refused), and the skips with the writer's refusals."""
    skipped = list(conversion.skipped)
    lines: list[str] = []
    index_of: list[int | None] = []
    last_t, last_type = 0.0, None
    for position, raw in conversion.events:
        try:
            event = parse_event(raw, path=path, line=len(lines) + 1)
            if event.t < last_t:
                problem = f"t={event.t:g} is before the previous event's t={last_t:g}"
                raise TrajectoryFormatError(path, len(lines) + 1, "t", problem)
        except TrajectoryFormatError as exc:
            reason = f"{exc.field + ': ' if exc.field else ''}{exc.problem}"
            skipped.append(Skipped(position, str(raw.get("type")), reason))
            index_of.append(None)
            continue
        index_of.append(len(lines))
        lines.append(event.model_dump_json(exclude_none=True) + "\n")
        last_t, last_type = event.t, event.type
    if last_type != "done":
        lines.append(json.dumps({"t": last_t, "type": "done"}) + "\n")
    return lines, index_of, skipped


def _imported(
    conversion: Conversion,
    where: str,
    index_of: list[int | None],
    count: int,
    skipped: list[Skipped],
) -> dict[str, Any]:
    """`meta.imported`: the source, its label, and (the first MAX_NOTES of) the skipped steps,
    clock jumps and unknown keys, by their place in events.jsonl."""

    written_from = [count - 1] * (len(index_of) + 1)  # the first line of event i or a later one
    for i in range(len(index_of) - 1, -1, -1):
        here = index_of[i]
        written_from[i] = here if here is not None else written_from[i + 1]
    jumps = [{"event": written_from[i], "seconds": s} for i, s in conversion.clock_jumps]
    keys = [
        {"event": index_of[i], "code": code}
        for i, code in conversion.unknown_keys
        if index_of[i] is not None
    ]
    notes = [
        {"position": s.position, "step": s.step[:_STEP_CHARS], "reason": s.reason[:_REASON_CHARS]}
        for s in skipped[:MAX_NOTES]
    ]
    return {
        "path": where,
        "format": conversion.meta["source"].removeprefix("import:"),
        "label": conversion.label,
        "skipped": notes,
        "clock_jumps": jumps[:MAX_NOTES],
        "unknown_keys": keys[:MAX_NOTES],
    }
