"""The run folder (`--out`): one run at a time, never mixed with another run's results.

A run holds an exclusive `flock` on `run.lock` in its folder for its whole life, with its pid,
host and start time written in the file; the kernel drops the lock when the process ends, also
on SIGKILL, so a lock is never stale. Each local worker holds a shared lock on `workers.lock`:
a runner that was SIGKILLed leaves workers that finish their current step before they notice,
and a run that starts in the folder meanwhile would write into the trajectories they still
write. The lock files stay in the folder (never removed: a process that opened the old file
would lock a file no other run sees).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from officegym.errors import RunFolderError, RunFolderLockedError, RunSettingsError
from officegym.results import RESULTS_FILE, ResultStore
from officegym.runner._config import RunConfig

LOCK_NAME = "run.lock"
WORKERS_LOCK_NAME = "workers.lock"
# The settings that make a run what it is: `--resume` must give the same ones. A field that
# RunConfig lacks (a variant, say, before runs have one) is left out.
RUN_FIELDS = (
    "agent",
    "agent_options",
    "suite",
    "tasks",
    "seeds",
    "action_mode",
    "backend",
    "sandbox",
    "variant",
)
# Agent options that say how to reach the agent, not what it is: a resume may change them (a new
# key, a longer timeout, as the fail-fast message asks), and they are not stored (a key or a
# header's token is a secret).
TRANSPORT_OPTIONS = frozenset({"api_key", "headers", "timeout", "retries"})
# Agent options that name a file whose contents make the run: stored as the contents' digest,
# so a prompt edited between a run and its resume is told, and one moved is not.
FILE_OPTIONS = ("system_prompt_file",)
# The most of such a file that is read for its digest (a prompt file is far smaller).
MAX_DIGEST_BYTES = 2**20


def run_settings(config: RunConfig) -> dict[str, Any]:
    """The settings of `RUN_FIELDS` that `config` has, as stored in the run info table.

    Raises:
        RunFolderError: a file an agent option names cannot be read.
    """
    settings = {name: getattr(config, name) for name in RUN_FIELDS if hasattr(config, name)}
    if "agent_options" in settings:
        settings["agent_options"] = _run_options(settings["agent_options"])
    # As they come back from the table (JSON: a tuple as a list), to compare equal with it.
    return dict(json.loads(json.dumps(settings)))


def _run_options(options: dict[str, Any]) -> dict[str, Any]:
    """The agent options that make the run: no transport option, a file as its digest."""
    kept = _without_transport(options)
    for name in FILE_OPTIONS:
        if isinstance(kept.get(name), str):
            kept[name] = _file_digest(name, kept[name])
    return kept


def _file_digest(option: str, path: str) -> str:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_DIGEST_BYTES)
    except OSError as exc:
        raise RunFolderError(f"agent option {option}={path}: {exc.strerror or exc}") from None
    return "sha256:" + hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def claimed(config: RunConfig) -> Iterator[ResultStore]:
    """Lock `config.out` for this run, check it may be used as asked, and open its store.

    Yields:
        The run's store, its settings recorded; closed and the folder unlocked on the way out.

    Raises:
        RunFolderLockedError: another run, or workers of an earlier one, use the folder.
        RunFolderError: the folder is a file, or not empty and `resume` is off, or `resume`
            is on and the folder holds things but no store.
        RunSettingsError: `resume` with a setting other than the stored one.
        ResultStoreError: the store could not be opened, read or written.
        OSError: the folder could not be made or locked.
    """
    out = config.out
    if out.exists() and not out.is_dir():
        raise RunFolderError(f"{out} is a file: --out names a folder for the run")
    out.mkdir(parents=True, exist_ok=True)
    if not (out / LOCK_NAME).exists():
        # No run of this version was ever here: refuse a folder of other things before a lock
        # file is left in it. (With a lock file, the lock first: a live run is named as such.)
        _check_contents(out, config.resume)
    with _locked(out):
        _check_contents(out, config.resume)
        store = ResultStore(out / RESULTS_FILE)
        try:
            if config.resume:
                _check_settings(out, store.info(), run_settings(config))
            store.set_info(**run_settings(config))
            yield store
        finally:
            store.close()


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        if not _try_lock(fd, out / LOCK_NAME):
            holder = _describe(_read_holder(fd))
            raise RunFolderLockedError(
                f"{out} is in use by another run ({holder}; {out / LOCK_NAME}): wait for it to "
                "end, or pass another --out"
            )
        _check_no_workers(out, fd)
        try:
            _write_holder(fd)
        except OSError as exc:  # a full or size-limited disk: say which file
            raise OSError(exc.errno, exc.strerror, str(out / LOCK_NAME)) from exc
        try:
            yield
        finally:
            # Emptied, so the file names no one once this run is over.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # drops the lock


def _check_no_workers(out: Path, lock_fd: int) -> None:
    """Refuse the folder while workers of an earlier run still hold `workers.lock`."""
    fd = os.open(out / WORKERS_LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        if not _try_lock(fd, out / WORKERS_LOCK_NAME):
            holder = _describe(_read_holder(lock_fd))
            raise RunFolderLockedError(
                f"{out}: workers of an earlier run ({holder}) are still finishing an episode in "
                f"it; wait for them to exit (`fuser {out / WORKERS_LOCK_NAME}` lists them), or "
                "pass another --out"
            )
    finally:
        os.close(fd)  # also drops the lock taken here: this run's workers take it shared


def _try_lock(fd: int, path: Path) -> bool:
    """Lock `fd` exclusively if no one else has; False if someone has.

    Raises:
        OSError: the file system cannot lock (naming the file).
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # a file system without locks (some network ones)
        raise OSError(exc.errno, f"cannot lock it: {exc.strerror}", str(path)) from exc
    return True


def hold_shared(path: str | Path) -> int | None:
    """Take a shared lock on a run folder's `workers.lock` for the life of this process.

    Returns:
        The descriptor that holds it (kept open until the process exits), or None where the
        file cannot be opened or locked (a folder on another machine): the worker runs anyway.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _write_holder(fd: int) -> None:
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    data = json.dumps(holder).encode() + b"\n"
    # One write, then the tail cut: whoever reads meanwhile sees these bytes in front.
    os.pwrite(fd, data, 0)
    os.ftruncate(fd, len(data))


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        text = os.pread(fd, 4096, 0).decode(errors="replace")
        holder, _ = json.JSONDecoder().raw_decode(text)
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _describe(holder: dict[str, Any]) -> str:
    if not holder.get("pid"):
        return "it has not written its name yet"
    here = holder.get("host") == socket.gethostname()
    gone = here and not _alive(int(holder["pid"]))
    return (
        f"pid {holder['pid']} on {holder.get('host', '?')}, started {holder.get('started', '?')}"
        + (", which has exited" if gone else "")
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, as another user
        return True
    return True


def _check_contents(out: Path, resume: bool) -> None:
    present = sorted(p.name for p in out.iterdir() if p.name not in (LOCK_NAME, WORKERS_LOCK_NAME))
    if not present:
        return
    if not resume:
        raise RunFolderError(
            f"{out} is not empty ({_listing(out, present)}): add --resume to continue the run "
            "in it, or pass another --out for a new run"
        )
    if RESULTS_FILE not in present:
        raise RunFolderError(
            f"{out} holds {_listing(out, present)} but no {RESULTS_FILE}, so there is no run in it "
            "to resume: pass another --out"
        )


def _listing(out: Path, present: list[str]) -> str:
    """What a folder holds, briefly: its first few names, and the episodes of a store in it."""
    names = ", ".join(present[:5]) + (f" and {len(present) - 5} more" if len(present) > 5 else "")
    if RESULTS_FILE not in present:
        return names
    try:  # read-only: whatever this file is, a refusal must not change it
        uri = (out / RESULTS_FILE).resolve().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            episodes = db.execute("SELECT count(*) FROM episodes").fetchone()[0]
            info = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM run")}
    except (sqlite3.Error, ValueError):  # not a store of ours: the names say enough
        return names
    run = f" of {info['agent']} on {info['suite']}" if {"agent", "suite"} <= set(info) else ""
    return f"{names}; {RESULTS_FILE} holds {episodes} episodes{run}"


def _check_settings(out: Path, stored: dict[str, Any], given: dict[str, Any]) -> None:
    if isinstance(stored.get("agent_options"), dict):  # an earlier version stored them all
        stored = {**stored, "agent_options": _without_transport(stored["agent_options"])}
    for name, value in given.items():
        # A setting the folder does not record (an earlier version's run) cannot be checked.
        if name in stored and stored[name] != value:
            raise RunSettingsError(str(out), name, stored[name], value)


def _without_transport(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k not in TRANSPORT_OPTIONS}
