"""Episode results and the run store: one SQLite row per finished episode, committed as it finishes.

A leaf of the package: it imports no browser, env or task, so whatever reads a run's results
(statistics, reports, comparisons) stays light.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS episodes (
    episode_id TEXT PRIMARY KEY, task_id TEXT NOT NULL, seed INTEGER NOT NULL,
    agent TEXT NOT NULL, success INTEGER NOT NULL, score REAL NOT NULL,
    checkpoints TEXT NOT NULL, steps INTEGER NOT NULL, seconds REAL NOT NULL,
    error TEXT NOT NULL DEFAULT '', answer TEXT, trajectory TEXT NOT NULL DEFAULT '',
    finished_at TEXT NOT NULL, usage TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'done', attempts INTEGER NOT NULL DEFAULT 1
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
}
# How an episode ended. `done`: it ran to its end (success or not); `agent_error`: the agent
# raised; `timeout`: the agent or the episode ran past its limit; `crashed`: the env, browser or
# worker failed on every attempt.
STATUSES = ("done", "agent_error", "timeout", "crashed")


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


@dataclass(frozen=True)
class Attempt:
    """One try at an episode, kept whatever became of it (retries are visible)."""

    episode_id: str
    attempt: int
    status: str
    error: str
    at: float  # Unix time the attempt ended


class ResultStore:
    """`results.sqlite` of a run directory. Every `add` is its own committed transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(episodes)")}
        for name, definition in LATER_COLUMNS.items():
            if name not in columns:  # a run directory written by an earlier version
                self._db.execute(f"ALTER TABLE episodes ADD COLUMN {name} {definition}")

    def add(self, result: EpisodeResult) -> None:
        row = asdict(result)
        row["checkpoints"] = json.dumps(row["checkpoints"])
        row["usage"] = json.dumps(row["usage"])
        row["success"] = int(row["success"])
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self._db.execute(
            f"INSERT OR REPLACE INTO episodes ({cols}) VALUES ({marks})", list(row.values())
        )

    def add_attempt(self, attempt: Attempt) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO attempts VALUES (?, ?, ?, ?, ?)", list(asdict(attempt).values())
        )

    def attempts(self, episode_id: str | None = None) -> list[Attempt]:
        query, args = "SELECT * FROM attempts", [episode_id]
        if episode_id is None:
            args = []
        else:
            query += " WHERE episode_id = ?"
        rows = self._db.execute(query + " ORDER BY episode_id, attempt", args)
        return [Attempt(**dict(r)) for r in rows]

    def done_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT episode_id FROM episodes")}

    def results(self) -> list[EpisodeResult]:
        out = []
        for r in self._db.execute("SELECT * FROM episodes ORDER BY task_id, seed"):
            row = dict(r)
            row["checkpoints"] = json.loads(row["checkpoints"])
            row["usage"] = json.loads(row["usage"])
            row["success"] = bool(row["success"])
            out.append(EpisodeResult(**row))
        return out

    def set_info(self, **values: Any) -> None:
        for key, value in values.items():
            self._db.execute(
                "INSERT OR REPLACE INTO run (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )

    def info(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM run")}

    def close(self) -> None:
        self._db.close()


def load_results(run_dir: str | Path) -> list[EpisodeResult]:
    """Every stored episode of a run directory.

    Raises:
        FileNotFoundError: the directory holds no results.sqlite (names what to pass instead).
    """
    path = Path(run_dir) / "results.sqlite"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: pass a directory written by `officegym run --out DIR`"
        )
    store = ResultStore(path)
    try:
        return store.results()
    finally:
        store.close()
