"""The env server inside a sandbox container: one `OfficeEnv`, driven by the host over a socket.

It serves one client (the worker that started the container) and exits when that client goes
away, so a worker that dies takes its container's work with it. Trajectories are written inside
the container and handed to the host, zipped, when the host asks for them.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import traceback
import zipfile
from multiprocessing.connection import Connection, Listener
from pathlib import Path
from typing import Any

from officegym.sandbox._wire import Message, pack_observation, recv, send

# What the host may pass to the env: the same arguments `gymnasium.make` takes for officegym.
ENV_ARGUMENTS = (
    "backend",
    "action_mode",
    "observation",
    "viewport",
    "screenshot_format",
    "prepare_next",
    "variant",
)


class EnvServer:
    """Carries out the host's requests on one env at a time."""

    def __init__(self) -> None:
        from officegym.envs import OfficeEnv

        self._env_type = OfficeEnv
        self.env: OfficeEnv | None = None
        self.made = 0  # which `make` the current env came from: a stale client is refused
        self.trajectories = Path(tempfile.mkdtemp(prefix="officegym-trajectories-"))
        self.current = self.trajectories / "current"

    def handle(self, request: dict[str, Any], blob: bytes | None) -> Message:
        op = request.get("op")
        if op == "make":
            self.close_env()
            kwargs = {k: request[k] for k in ENV_ARGUMENTS if k in request}
            if "viewport" in kwargs:
                kwargs["viewport"] = tuple(kwargs["viewport"])
            if "observation" in kwargs:
                kwargs["observation"] = tuple(kwargs["observation"])
            self.env = self._env_type(request["task_id"], **kwargs)
            self.made += 1
            return {"ok": True, "env": self.made}, None
        env = self.env
        if env is None or request.get("env") != self.made:
            raise RuntimeError(
                f"{op!r} for env {request.get('env')}, but this sandbox's env is "
                f"{self.made if env else 'none'} (it was closed, or replaced by another)"
            )
        if op == "close":
            self.close_env()
            return {"ok": True}, None
        if op == "reset":
            options = dict(request.get("options") or {})
            if request.get("record"):
                shutil.rmtree(self.current, ignore_errors=True)
                options["trajectory_dir"] = self.current
            obs, info = env.reset(seed=request.get("seed"), options=options)
            header, pixels = pack_observation(obs)
            return {"ok": True, "obs": header, "info": info}, pixels
        if op == "step":
            obs, reward, terminated, truncated, info = env.step(request["action"])
            header, pixels = pack_observation(obs)
            evaluation = env.evaluation.as_dicts() if env.evaluation is not None else None
            reply = {
                "ok": True,
                "obs": header,
                "reward": float(reward),
                "terminated": terminated,
                "truncated": truncated,
                "info": info,
                "evaluation": evaluation,
            }
            return reply, pixels
        if op == "trajectory":
            env.end_trajectory()
            return {"ok": True}, _zip_folder(self.current)
        if op == "evaluate":  # a script in the episode's page, as a hostile page would run it
            result = env.evaluate_in_page(request["script"], request.get("arg"))
            return {"ok": True, "result": result}, None
        if op == "digest":
            return {"ok": True, "digest": env.state_digest()}, None
        raise ValueError(f"unknown request {op!r}")

    def close_env(self) -> None:
        if self.env is not None:
            env, self.env = self.env, None
            env.close()


def _zip_folder(folder: Path) -> bytes | None:
    if not folder.is_dir():
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # frames are JPEG/PNG
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def serve(conn: Connection) -> None:
    server = EnvServer()
    try:
        while True:
            try:
                request, blob = recv(conn)
            except (EOFError, OSError):
                return  # the worker is gone
            try:
                reply, out = server.handle(request, blob)
            except Exception as exc:
                reply = {
                    "ok": False,
                    "error_type": type(exc).__name__,
                    "error": str(exc) or type(exc).__name__,
                    "trace": traceback.format_exc(limit=6),
                }
                out = None
            send(conn, reply, out)
    finally:
        server.close_env()
        shutil.rmtree(server.trajectories, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m officegym.sandbox")
    parser.add_argument("--socket", required=True, type=Path, help="Unix socket to listen on")
    args = parser.parse_args(argv)
    key = os.environ.get("OFFICEGYM_AUTHKEY", "")
    if not key:
        print("OFFICEGYM_AUTHKEY is not set: the sandbox serves only a client that knows it",
              file=sys.stderr)  # fmt: skip
        return 2
    args.socket.unlink(missing_ok=True)
    # The host's user may differ from ours: the socket is open to all (the key is what admits
    # a client), and only the socket.
    previous = os.umask(0o000)
    try:
        listener = Listener(str(args.socket), family="AF_UNIX", authkey=bytes.fromhex(key))
    finally:
        os.umask(previous)
    with listener:
        print(f"officegym sandbox: listening on {args.socket}", flush=True)
        conn = listener.accept()
    with conn:
        serve(conn)
    return 0
