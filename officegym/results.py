"""Episode results and the run store: one SQLite row per finished episode, committed as it finishes.

A leaf of the package: it imports no browser, env or task, so whatever reads a run's results
(statistics, reports, comparisons) stays light.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from officegym.errors import ResultStoreError

# The store's file name in a run folder (what every reader and writer of a run opens).
RESULTS_FILE = "results.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS episodes (
    episode_id TEXT PRIMARY KEY, task_id TEXT NOT NULL, seed INTEGER NOT NULL,
    agent TEXT NOT NULL, success INTEGER NOT NULL, score REAL NOT NULL,
    checkpoints TEXT NOT NULL, steps INTEGER NOT NULL, seconds REAL NOT NULL,
    error TEXT NOT NULL DEFAULT '', answer TEXT, trajectory TEXT NOT NULL DEFAULT '',
    finished_at TEXT NOT NULL, usage TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'done', attempts INTEGER NOT NULL DEFAULT 1,
    error_kind TEXT, variant TEXT NOT NULL DEFAULT '', attacked INTEGER
);
CREATE TABLE IF NOT EXISTS attempts (
    episode_id TEXT NOT NULL, attempt INTEGER NOT NULL, status TEXT NOT NULL,
    error TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (episode_id, attempt)
);
CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Columns added after the first release, with their definitions, for older run directories.
LATER_COLUMNS = {
    "usage": "TEXT NOT NULL DEFAULT '{}'",
    "status": "TEXT NOT NULL DEFAULT 'done'",
    "attempts": "INTEGER NOT NULL DEFAULT 1",
    "error_kind": "TEXT",  # NULL in the rows of earlier versions: their kind is not known
    "variant": "TEXT NOT NULL DEFAULT ''",
    "attacked": "INTEGER",  # NULL: the episode carried no injected instruction
}
# How an episode ended. `done`: it ran to its end (success or not); `agent_error`: the agent
# raised; `timeout`: the agent or the episode ran past its limit; `crashed`: the env, browser or
# worker failed on every attempt.
STATUSES = ("done", "agent_error", "timeout", "crashed")
# The statuses of an episode that ended in an error (what `--retry-errors` plays again).
ERROR_STATUSES = ("agent_error", "timeout", "crashed")


@dataclass
class EpisodeResult:
    """The outcome of one episode, as stored."""

    episode_id: str
    task_id: str
    seed: int
    agent: str
    success: bool
    score: float
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    error: str = ""
    answer: str | None = None
    trajectory: str = ""
    finished_at: str = ""
    # What the agent reported spending (model adapters: requests, tokens, cost); {} for others.
    usage: dict[str, Any] = field(default_factory=dict)
    status: str = "done"
    attempts: int = 1
    # How an agent's failure came about, worded the same each time it fails so (`HTTP 401`,
    # `connection refused`, `step timeout`, an exception's class, …); None when the episode
    # did not fail by the agent, or was stored by a version that did not keep it.
    error_kind: str | None = None
    # The variant the episode was played under (`narrow+popup`, officegym.tasks.variants), in
    # registry order; "" for the apps as they are. A run may hold several: the suite's
    # (`core@popup`), or each member's own (`robust`: each task clean and under each variant).
    variant: str = ""
    # Whether the episode reached the goal of an instruction injected into the data the agent
    # read (`inject` variant, officegym.tasks.injections); None when it carried none.
    attacked: bool | None = None

    def failed_checkpoints(self) -> list[str]:
        """The names of the task's checkpoints that did not pass. An attack's (kind `attack`)
        are not the user's task: that their goal was not reached is no failure, and `attacked`
        says whether it was."""
        return [
            c["name"] for c in self.checkpoints if not c["passed"] and c.get("kind") != "attack"
        ]


@dataclass(frozen=True)
class Attempt:
    """One try at an episode, kept whatever became of it (retries are visible)."""

    episode_id: str
    attempt: int
    status: str
    error: str
    at: float  # Unix time the attempt ended


class ResultStore:
    """`RESULTS_FILE` of a run directory. Every `add` is its own committed transaction.

    A new store appears with its tables already in it: it is made under a temporary name in the
    same folder and linked into place, so a reader of a live run never finds the file without
    its schema.

    Raises:
        ResultStoreError: (from every method) SQLite could not open, read or write the file;
            the message names it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._errors():
            if not self.path.exists():
                _create(self.path)
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(episodes)")}
            for name, definition in LATER_COLUMNS.items():
                if name not in columns:  # a run directory written by an earlier version
                    self._db.execute(f"ALTER TABLE episodes ADD COLUMN {name} {definition}")

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        # SQLite's messages ("unable to open database file", "database or disk is full") do not
        # say which file: the CLI's one line about it must.
        try:
            yield
        except sqlite3.Error as exc:
            raise ResultStoreError(f"{self.path}: {exc}") from exc

    def add(self, result: EpisodeResult) -> None:
        row = asdict(result)
        row["checkpoints"] = json.dumps(row["checkpoints"])
        row["usage"] = json.dumps(row["usage"])
        row["success"] = int(row["success"])
        row["attacked"] = None if row["attacked"] is None else int(row["attacked"])
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._errors():
            self._db.execute(
                f"INSERT OR REPLACE INTO episodes ({cols}) VALUES ({marks})", list(row.values())
            )

    def add_attempt(self, attempt: Attempt) -> None:
        with self._errors():
            self._db.execute(
                "INSERT OR REPLACE INTO attempts VALUES (?, ?, ?, ?, ?)",
                list(asdict(attempt).values()),
            )

    def attempts(self, episode_id: str | None = None) -> list[Attempt]:
        query, args = "SELECT * FROM attempts", [episode_id]
        if episode_id is None:
            args = []
        else:
            query += " WHERE episode_id = ?"
        with self._errors():
            rows = self._db.execute(query + " ORDER BY episode_id, attempt", args).fetchall()
        return [Attempt(**dict(r)) for r in rows]

    def last_attempts(self) -> dict[str, int]:
        """The number of each episode's last stored attempt, by episode id (only those with one)."""
        with self._errors():
            rows = self._db.execute(
                "SELECT episode_id, MAX(attempt) FROM attempts GROUP BY episode_id"
            ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def done_ids(self) -> set[str]:
        with self._errors():
            return {r[0] for r in self._db.execute("SELECT episode_id FROM episodes")}

    def ids_by_episode(self) -> dict[tuple[str, str, int], str]:
        """Each stored episode's id by its (task id, variant, seed): what a resumed run matches
        its plan against, whatever the version that stored it named it (`<task>-s0` under a
        variant, before variants had ids of their own)."""
        with self._errors():
            rows = self._db.execute("SELECT task_id, variant, seed, episode_id FROM episodes")
            return {(r[0], r[1], int(r[2])): r[3] for r in rows}

    def error_ids(self) -> set[str]:
        """The episodes that ended in an error: a status of `ERROR_STATUSES`, or an error
        message under status `done` (rows of versions that had no status)."""
        marks = ", ".join("?" for _ in ERROR_STATUSES)
        query = f"SELECT episode_id FROM episodes WHERE status IN ({marks}) OR error != ''"
        with self._errors():
            return {r[0] for r in self._db.execute(query, ERROR_STATUSES)}

    def results(self) -> list[EpisodeResult]:
        with self._errors():
            rows = self._db.execute("SELECT * FROM episodes ORDER BY task_id, seed").fetchall()
        out = []
        for r in rows:
            row = dict(r)
            row["checkpoints"] = json.loads(row["checkpoints"])
            row["usage"] = json.loads(row["usage"])
            row["success"] = bool(row["success"])
            row["attacked"] = None if row["attacked"] is None else bool(row["attacked"])
            out.append(EpisodeResult(**row))
        return out

    def set_info(self, **values: Any) -> None:
        with self._errors():
            for key, value in values.items():
                self._db.execute(
                    "INSERT OR REPLACE INTO run (key, value) VALUES (?, ?)",
                    (key, json.dumps(value)),
                )

    def info(self) -> dict[str, Any]:
        with self._errors():
            rows = self._db.execute("SELECT key, value FROM run").fetchall()
        return {k: json.loads(v) for k, v in rows}

    def close(self) -> None:
        self._db.close()


def _create(path: Path) -> None:
    """Make the store at `path` with its schema, visible only once complete.

    Linked into place rather than renamed: `os.link` fails where a file already is, so two
    processes creating the same store at once (pytest-xdist workers sharing an `--out`) keep
    the first, where a rename would replace a store that may already hold results.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.executescript(SCHEMA)
            # Set here, it is written into the file's header: the store is WAL from its start.
            db.execute("PRAGMA journal_mode=WAL")
        finally:
            db.close()  # the last connection: SQLite folds the -wal file in and removes it
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def load_results(run_dir: str | Path) -> list[EpisodeResult]:
    """Every stored episode of a run directory.

    Raises:
        FileNotFoundError: the directory holds no `RESULTS_FILE` (names what to pass instead).
    """
    path = Path(run_dir) / RESULTS_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: pass a directory written by `officegym run --out DIR`"
        )
    store = ResultStore(path)
    try:
        return store.results()
    finally:
        store.close()
