"""`officegym select`: the recordings of a manifest that match a filter, put into one folder.

A manifest is a file someone hands you, so its rows are not trusted to name only recordings:
every chosen row must lead (after its links are followed) to a trajectory below a root folder,
the manifest's own folder unless told otherwise, and must open as one with `TrajectoryReader`;
any other row is refused, before anything is written.

Each chosen recording keeps its path below the folder that holds all the chosen recordings, so
names never collide and the layout of the import is kept. Files are hard links where that can
be done without touching the source's mode: only a file that is already mode 0644, on the same
file system, is linked; any other is copied and made 0644. A hard link is the source's data:
a tool that edits a selected file in place edits the original too (`copy` avoids that). Never a
symbolic link: the trajectory reader refuses links that lead out of a recording, and a symbolic
link breaks when its source moves.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from officegym.errors import TrajectoryFormatError
from officegym.replayer._manifest import FILE_MODE, ManifestError, Row, read_manifest
from officegym.replayer._where import compile_where
from officegym.trajectory import TrajectoryReader

DIR_MODE = 0o755


@dataclass
class Selection:
    """What `select_recordings` did."""

    total: int  # rows in the manifest
    chosen: list[Path] = field(default_factory=list)  # where each chosen recording now is
    linked: int = 0  # files hard-linked
    copied: int = 0  # files copied


def select_recordings(
    manifest: Path, where: str, out: Path, *, copy: bool = False, root: Path | None = None
) -> Selection:
    """Put the recordings of `manifest` whose rows match `where` into `out`.

    Args:
        manifest: a manifest.csv or manifest.parquet written by `audit` or `replay`.
        where: the filter (see `compile_where`), over the manifest's columns.
        out: the folder to put them in (created; may exist, but nothing in it is replaced).
        copy: copy every file instead of hard-linking (a link shares the source's data).
        root: the folder every chosen recording must be in (default: the manifest's folder).

    Returns:
        How many rows there were, where the chosen recordings went, files linked and copied.

    Raises:
        WhereError: a bad filter.
        ManifestError: a bad manifest; a chosen recording outside `root`, missing or not a
            trajectory; a place in `out` that is taken. Checked before anything is written.
    """
    columns, rows = read_manifest(manifest)
    keep = compile_where(where, columns)
    base = manifest.parent.absolute()
    inside = (root if root is not None else base).resolve()
    # (once each: a manifest edited by hand may name a recording twice)
    chosen = list(
        dict.fromkeys(
            _trajectory(base, inside, row, number, manifest)
            for number, row in enumerate(rows, start=1)
            if keep(row)
        )
    )
    selection = Selection(len(rows))
    if not chosen:
        return selection
    common = Path(os.path.commonpath([p.parent for p in chosen]))
    places = [(src, out / src.relative_to(common)) for src in chosen]
    for src, dest in places:
        _check(src, dest, out)
    _make_dir(out)
    for src, dest in places:
        _place_recording(src, dest, copy, selection)
        selection.chosen.append(dest)
    return selection


def _trajectory(base: Path, root: Path, row: Row, number: int, manifest: Path) -> Path:
    """Where a chosen row's recording really is (links followed): inside `root`, and a
    trajectory `TrajectoryReader` opens, or a `ManifestError` naming the row."""
    value = row.get("trajectory")
    where = f"{manifest}: row {number}"
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where} has no trajectory: {row.get('source')!r}")
    try:
        path = (base / value).resolve()  # relative paths: from the manifest's folder
    except (OSError, RuntimeError) as exc:  # a loop of links
        raise ManifestError(f"{where}: {value!r}: {exc}") from None
    if not path.is_relative_to(root):
        raise ManifestError(
            f"{where}: {value!r} is outside {root}: a manifest's recordings must be below "
            "its folder (give --root to choose another)"
        )
    try:
        with TrajectoryReader(path) as reader:
            reader.meta  # noqa: B018 (reading the header is the check)
    except (TrajectoryFormatError, OSError, zipfile.BadZipFile) as exc:
        raise ManifestError(f"{where}: {value!r} is not a trajectory: {exc}") from None
    return path


def _check(src: Path, dest: Path, out: Path) -> None:
    if out.resolve().is_relative_to(src):
        raise ManifestError(f"{out} is inside the recording {src}: choose --out elsewhere")
    if dest.exists() or dest.is_symlink():
        raise ManifestError(f"{dest} already exists: choose an empty --out, or remove it")
    if not out.exists():
        return  # a new folder holds no link that could lead out of it
    parent = dest.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.resolve().is_relative_to(out.resolve()):
        raise ManifestError(f"{dest} would be written outside {out} (a link on the way)")


def _make_dir(path: Path) -> None:
    """`path` and the folders above it that are missing, each 0755 whatever the umask (a
    folder that exists is left as it is)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir()
        os.chmod(folder, DIR_MODE)


def _place_recording(src: Path, dest: Path, copy: bool, selection: Selection) -> None:
    _make_dir(dest.parent)
    if src.is_file():
        _place_file(src, dest, copy, selection)
        return
    for folder, dirs, files in os.walk(src):  # links to folders are not followed
        here = Path(folder)
        target = dest / here.relative_to(src)
        _make_dir(target)
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
        for name in files:
            source = here / name
            # A link inside a recording is copied as the file it leads to, if that is in the
            # recording; a link out of it would not be read anyway.
            if source.is_symlink() and not source.resolve().is_relative_to(src.resolve()):
                continue
            _place_file(source, target / name, copy, selection)


def _place_file(src: Path, dest: Path, copy: bool, selection: Selection) -> None:
    info = src.lstat()
    if not stat.S_ISREG(src.stat().st_mode):
        return  # a pipe or a device is no part of a recording (and would block a copy)
    if not copy and stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == FILE_MODE:
        try:
            os.link(src, dest)
        except OSError:
            pass  # another file system, or links refused: copied below
        else:
            selection.linked += 1
            return
    shutil.copyfile(src, dest)
    os.chmod(dest, FILE_MODE)
    selection.copied += 1
