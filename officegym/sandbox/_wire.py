"""What crosses the sandbox boundary: JSON headers, and raw bytes beside them.

Nothing is pickled: the host never unpickles what a sandbox sends (a sandbox runs pages an
agent steered; it is not trusted to hand the host code). A message is one JSON header, then, when
the header says so, one raw blob (a screenshot's pixels, a zipped trajectory).
"""

from __future__ import annotations

import json
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

Message = tuple[dict[str, Any], bytes | None]


def send(conn: Connection, header: dict[str, Any], blob: bytes | None = None) -> None:
    conn.send_bytes(json.dumps(dict(header, blob=blob is not None), default=_jsonable).encode())
    if blob is not None:
        conn.send_bytes(blob)


def recv(conn: Connection, limit: int | None = None) -> Message:
    """One message; `limit` caps each part's size in bytes (OSError beyond it).

    Raises:
        EOFError: the other side has gone.
        OSError: a part is larger than `limit`.
        ValueError: the header is not a JSON object.
    """
    header = json.loads(conn.recv_bytes(limit))
    if not isinstance(header, dict):
        raise ValueError(f"a sandbox message must be a JSON object, got {type(header).__name__}")
    blob = conn.recv_bytes(limit) if header.pop("blob", False) else None
    return header, blob


def pack_observation(obs: dict[str, Any]) -> Message:
    """An observation as a header and, when it has a screenshot, the raw pixels as the blob."""
    header = {k: v for k, v in obs.items() if k != "screenshot"}
    shot = obs.get("screenshot")
    if shot is None:
        return header, None
    array = np.ascontiguousarray(shot, dtype=np.uint8)
    header["screenshot_shape"] = list(array.shape)
    return header, array.tobytes()


def unpack_observation(header: dict[str, Any], blob: bytes | None) -> dict[str, Any]:
    obs = dict(header)
    shape = obs.pop("screenshot_shape", None)
    if shape is not None and blob is not None:
        obs["screenshot"] = np.frombuffer(blob, dtype=np.uint8).reshape(shape).copy()
    return obs


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)
