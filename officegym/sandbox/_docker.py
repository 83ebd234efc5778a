"""Docker sandboxes: one container per worker, with its browser and apps, and no way out.

Each container runs the env server (`python -m officegym.sandbox`) as a non-root user under an
init process, with CPU, memory and process limits, no capabilities, and no network at all
(`network_mode: none`: loopback only, so no route, no DNS, no neighbours). The host reaches it
through a Unix socket in a folder mounted into the container. Why not a published port on an
internal network: Docker does not publish ports of containers on internal networks, and an
internal network still gives the container a default route to the host's bridge (the engine
drops the traffic there with firewall rules); a container with no network has nothing to drop.
Every container carries the labels `officegym.sandbox` and `officegym.run=<run id>`, so
`cleanup()` (and `officegym sandbox cleanup`) finds whatever a killed run left behind (and any
network that carries the label, should a compose project of yours make one).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import tempfile
import time
from multiprocessing.connection import Client, Connection
from pathlib import Path
from typing import Any

from officegym.errors import SandboxError
from officegym.sandbox._image import ensure_image
from officegym.sandbox._wire import Message, recv, send

SANDBOX_LABEL = "officegym.sandbox"
RUN_LABEL = "officegym.run"
WORKER_LABEL = "officegym.worker"  # the pid of the worker process that started the container
API_TIMEOUT = 60.0  # seconds, for every Docker API call but image builds
START_TIMEOUT = 90.0  # for the env server to listen after the container starts
SOCKET_DIR = "/run/officegym"
MAX_MESSAGE = 256 * 2**20  # bytes: what the host accepts in one message from a sandbox


def _folders() -> Path:
    """Where each container's socket folder lives on the host: one folder per container name."""
    return Path(tempfile.gettempdir()) / f"officegym-sandbox-{os.getuid()}"


def docker_client() -> Any:
    """A Docker SDK client whose every call times out.

    Raises:
        SandboxError: the `docker` package is missing or no engine answers.
    """
    try:
        import docker.client
    except ImportError as exc:
        raise SandboxError(
            "the docker sandbox needs the docker SDK: pip install 'officegym[docker]'"
        ) from exc
    try:
        client = docker.client.from_env(timeout=int(API_TIMEOUT))
        client.ping()
    except Exception as exc:
        raise SandboxError(
            f"no Docker engine answers ({type(exc).__name__}: {exc}); start dockerd (the "
            "sandbox needs an engine on this machine: it shares a folder with each container)"
        ) from exc
    return client


def engine_available() -> str | None:
    """None when a Docker engine answers; otherwise why not, in one line (for test skips)."""
    try:
        docker_client().close()
    except SandboxError as exc:
        return str(exc)
    return None


class DockerWorker:
    """One sandbox container and the connection to its env server.

    Args:
        run_id: labels the container, for cleanup by run.
        cpus: CPU limit (cores).
        memory: memory limit, in Docker's notation (``"2g"``).

    Raises:
        SandboxError: no engine, the image failed to build, or the server did not come up.
    """

    def __init__(self, run_id: str = "adhoc", cpus: float = 1.0, memory: str = "2g") -> None:
        self.run_id = run_id
        self.client = docker_client()
        self.container: Any = None
        self.conn: Connection | None = None
        self._name = f"officegym-{_safe(run_id)}-{secrets.token_hex(4)}"
        _folders().mkdir(mode=0o700, exist_ok=True)  # private: only this user reaches inside
        self._folder = _folders() / self._name
        self._folder.mkdir()
        atexit.register(self.close)  # a script that forgets close() leaves nothing running
        try:
            self._start(ensure_image(self.client), cpus, memory)
        except BaseException:
            self.close()
            raise

    def _start(self, image: str, cpus: float, memory: str) -> None:
        name = self._name
        labels = {SANDBOX_LABEL: "1", RUN_LABEL: self.run_id, WORKER_LABEL: str(os.getpid())}
        key = secrets.token_bytes(32)
        # The container's user (uid 1000) creates the socket here; only the key admits a client.
        self._folder.chmod(0o777)
        self.container = self.client.containers.run(
            image,
            name=name,
            detach=True,
            init=True,
            user="officegym",
            labels=labels,
            network_mode="none",
            nano_cpus=int(cpus * 1e9),
            mem_limit=memory,
            memswap_limit=memory,
            pids_limit=1024,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            environment={"OFFICEGYM_AUTHKEY": key.hex()},
            volumes={str(self._folder): {"bind": SOCKET_DIR, "mode": "rw"}},
        )
        socket = self._folder / "env.sock"
        deadline = time.monotonic() + START_TIMEOUT
        while not socket.exists():
            self.container.reload()
            if self.container.status not in ("created", "running"):
                raise SandboxError(
                    f"sandbox container {name} stopped before its env server listened "
                    f"({self.container.status}): {self.logs()}"
                )
            if time.monotonic() > deadline:
                raise SandboxError(
                    f"sandbox container {name}: no env server after {START_TIMEOUT:g}s: "
                    f"{self.logs()}"
                )
            time.sleep(0.05)  # polling a file the container creates: there is no event for it
        while True:  # the socket exists a moment before the server listens on it
            try:
                self.conn = Client(str(socket), family="AF_UNIX", authkey=key)
                return
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise SandboxError(
                        f"sandbox container {name}: its env server refused the connection"
                    ) from None
                time.sleep(0.05)

    @property
    def name(self) -> str:
        return self._name

    def logs(self, lines: int = 20) -> str:
        """The container's last lines of output (for error messages)."""
        with contextlib.suppress(Exception):
            text = self.container.logs(tail=lines).decode("utf-8", "replace").strip()
            return text or "(no output)"
        return "(no logs)"

    def call(self, request: dict[str, Any], blob: bytes | None = None) -> Message:
        """Send one request to the env server and return its reply.

        Raises:
            SandboxError: the container is gone or the server failed; the message has why.
        """
        conn = self.conn
        if conn is None:
            raise SandboxError(f"sandbox {self.name} is closed")
        try:
            send(conn, request, blob)
            reply, out = recv(conn, MAX_MESSAGE)
        except BaseException as exc:
            # A reply not read (an interrupt, a bad message) would answer the next request:
            # the connection is done for.
            self.conn = None
            with contextlib.suppress(Exception):
                conn.close()
            if not isinstance(exc, Exception):
                raise
            raise SandboxError(
                f"sandbox container {self.name} failed during {request.get('op')!r} "
                f"({type(exc).__name__}: {exc}); its last output: {self.logs()}"
            ) from exc
        if not reply.get("ok"):
            raise SandboxError(
                f"sandbox {self.name}: {request.get('op')!r} failed: "
                f"{reply.get('error_type')}: {reply.get('error')}"
            )
        return reply, out

    def close(self) -> None:
        """Stop and remove the container (idempotent; never raises)."""
        atexit.unregister(self.close)
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        container, self.container = self.container, None
        if container is not None:
            with contextlib.suppress(Exception):
                container.remove(force=True)
        with contextlib.suppress(Exception):
            self.client.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> DockerWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def cleanup(run_id: str | None = None, worker: int | None = None) -> dict[str, int]:
    """Remove every officegym sandbox container and network (of one run, or of one worker
    process of it, if given), and the containers' socket folders.

    Returns:
        How many containers and networks were removed.

    Raises:
        SandboxError: no Docker engine answers.
    """
    client = docker_client()
    selector = _selector(run_id, worker)
    removed = {"containers": 0, "networks": 0}
    try:
        for name in _container_names(client, selector):
            with contextlib.suppress(Exception):
                client.api.remove_container(name, force=True)
                removed["containers"] += 1
                shutil.rmtree(_folders() / name, ignore_errors=True)
        for network in client.networks.list(filters={"label": selector}):
            with contextlib.suppress(Exception):
                network.remove()
                removed["networks"] += 1
    finally:
        client.close()
    return removed


def _selector(run_id: str | None, worker: int | None = None) -> list[str]:
    """Docker label filters: every sandbox, one run's, or one worker's of a run."""
    selector = [f"{RUN_LABEL}={run_id}"] if run_id else [SANDBOX_LABEL]
    if worker is not None:
        selector.append(f"{WORKER_LABEL}={worker}")
    return selector


def build_image() -> str:
    """`ensure_image` with a client of its own: the sandbox image's tag, built if missing.

    Raises:
        SandboxError: no engine answers, or the image could not be built.
    """
    client = docker_client()
    try:
        return ensure_image(client)
    finally:
        client.close()


def labelled(run_id: str | None = None) -> dict[str, list[str]]:
    """Names of the sandbox containers and networks that exist (of one run, if given)."""
    client = docker_client()
    selector = _selector(run_id)
    try:
        return {
            "containers": _container_names(client, selector),
            "networks": [n.name for n in client.networks.list(filters={"label": selector})],
        }
    finally:
        client.close()


def _container_names(client: Any, selector: list[str]) -> list[str]:
    """The names of the labelled containers, from the list call alone: `containers.list()`
    inspects each one afterwards, and a container that a finishing worker removes in between
    makes it fail with 404."""
    rows = client.api.containers(all=True, filters={"label": selector})
    return [row["Names"][0].lstrip("/") for row in rows if row.get("Names")]


def new_run_id(name: str) -> str:
    """A run id for labels: the run's name and a random suffix."""
    return f"{_safe(name)[:40]}-{secrets.token_hex(3)}"


def _safe(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_.-]", "-", text).strip("-.") or "run"
