"""App state: one in-memory SQLite database per app per world, shared by server and evaluators.

Why in-memory + serialize/deserialize: restoring a seeded snapshot takes well under a millisecond,
and the snapshot bytes double as the "same seed, same state" fingerprint.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

Row = dict[str, Any]


class StateStore:
    """A thread-safe in-memory SQLite database.

    The app server (its own thread) and the env (the caller's thread) both use it, so every access
    goes through one lock.

    >>> s = StateStore()
    >>> s.executescript("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2);")
    >>> s.query("SELECT sum(x) AS total FROM t")
    [{'total': 3}]
    """

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run the block in one transaction (rolled back on error)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a read query and return its rows as dicts."""
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql, params).fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Return the first column of the first row, or None."""
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
            return None if row is None else row[0]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement; return the last row id."""
        with self._lock:
            return int(self._conn.execute(sql, params).lastrowid or 0)

    def executescript(self, sql: str) -> None:
        """Run several statements (schema creation)."""
        with self._lock:
            self._conn.executescript(sql)

    def snapshot(self) -> bytes:
        """Serialize the whole database (the bytes are stable for identical content)."""
        with self._lock:
            return self._conn.serialize()

    def restore(self, data: bytes) -> None:
        """Replace the whole database with a snapshot taken by `snapshot`."""
        with self._lock:
            self._conn.deserialize(data)

    def digest(self) -> str:
        """sha256 of the serialized database: equal digests mean byte-identical state."""
        return hashlib.sha256(self.snapshot()).hexdigest()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
