"""The run store: one SQLite row per finished episode, committed as it finishes."""

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
    finished_at TEXT NOT NULL, usage TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


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
        if "usage" not in columns:  # a run directory written before usage was stored
            self._db.execute("ALTER TABLE episodes ADD COLUMN usage TEXT NOT NULL DEFAULT '{}'")

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
