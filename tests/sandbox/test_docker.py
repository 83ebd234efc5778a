"""The Docker sandbox for real: how a container is locked down, a run in containers, and what
is left after a run ends and after its runner is SIGKILLed (nothing, once cleaned up)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from officegym.cli import main as officegym_main
from officegym.sandbox import engine_available, labelled
from officegym.tasks import suite_tasks

MISSING = engine_available()
pytestmark = [
    pytest.mark.docker,
    pytest.mark.slow,
    pytest.mark.skipif(MISSING is not None, reason=f"no Docker engine here: {MISSING}"),
]


def test_a_sandbox_container_is_locked_down(docker_worker: Any) -> None:
    container = docker_worker.container
    container.reload()
    host, config = container.attrs["HostConfig"], container.attrs["Config"]
    assert host["Init"] is True and host["CapDrop"] == ["ALL"]
    assert host["NanoCpus"] == 1_000_000_000 and host["Memory"] == 2 * 1024**3
    assert host["MemorySwap"] == host["Memory"] and host["PidsLimit"] == 1024
    assert "no-new-privileges" in host["SecurityOpt"]
    assert not host.get("PortBindings"), "nothing is published: the host uses a socket"
    assert config["User"] == "officegym" and config["Labels"]["officegym.sandbox"] == "1"
    assert host["NetworkMode"] == "none"

    code, out = container.exec_run(["id", "-u"])
    assert out.decode().strip() == "1000"
    code, out = container.exec_run(["cat", "/proc/net/dev"])
    interfaces = {line.split(":")[0].strip() for line in out.decode().splitlines()[2:]}
    assert interfaces == {"lo"}, interfaces
    code, out = container.exec_run(["cat", "/proc/net/route"])
    assert len(out.decode().strip().splitlines()) == 1, f"routes: {out.decode()}"  # header only
    # 192.0.2.1 is TEST-NET-1 (never routed); with no route the kernel refuses at once.
    probe = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=3)"
    code, out = container.exec_run(["python", "-c", probe])
    assert code != 0 and b"Network is unreachable" in out, out


def _run(out: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "officegym.cli", "run", "--quiet", "--no-report",
         "--agent", "oracle", "--sandbox", "docker", "--out", str(out), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def _run_id(run: Path) -> str | None:
    if not (run / "results.sqlite").exists():
        return None
    try:
        with sqlite3.connect(run / "results.sqlite") as db:
            row = db.execute("SELECT value FROM run WHERE key = 'sandbox_run'").fetchone()
    except sqlite3.OperationalError:  # the store is being created
        return None
    return json.loads(row[0]) if row else None


def test_a_run_in_containers_succeeds_and_leaves_nothing(tmp_path: Path) -> None:
    run = tmp_path / "run"
    process = _run(run, "--suite", "smoke", "--seeds", "1", "--workers", "2")
    out, err = process.communicate(timeout=900)
    assert process.returncode == 0, out + err
    summary = json.loads((run / "summary.json").read_text())
    smoke = len(suite_tasks("smoke"))
    assert summary["episodes"] == smoke and summary["success_rate"] == 1.0, summary["per_task"]
    run_id = _run_id(run)
    assert run_id and labelled(run_id) == {"containers": [], "networks": []}
    trajectory = run / "episodes" / "mail.apply-label-s0" / "trajectory"
    assert (trajectory / "meta.json").is_file() and any((trajectory / "frames").iterdir())


def test_after_a_sigkilled_run_cleanup_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    process = _run(run, "--suite", "mail", "--seeds", "3")
    deadline, run_id = time.monotonic() + 600, None
    while time.monotonic() < deadline and process.poll() is None:
        run_id = _run_id(run)
        if run_id and labelled(run_id)["containers"]:
            break
        time.sleep(0.2)
    assert run_id and process.poll() is None, "the run never started a sandbox"
    os.killpg(process.pid, signal.SIGKILL)  # the runner and its workers: nothing tears down
    process.wait(30)
    left = labelled(run_id)
    assert left["containers"], "a killed run leaves its sandboxes behind"

    assert officegym_main(["sandbox", "cleanup", "--run", run_id]) == 0
    assert f"removed {len(left['containers'])} containers" in capsys.readouterr().out
    assert labelled(run_id) == {"containers": [], "networks": []}
    assert officegym_main(["sandbox", "cleanup", "--run", run_id]) == 0  # idempotent


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="needs docker-compose")
def test_the_compose_worker_has_the_restrictions_of_ours() -> None:
    compose = Path(__file__).parents[2] / "docker" / "compose.yaml"
    done = subprocess.run(
        ["docker-compose", "-f", str(compose), "config"],
        env={**os.environ, "OFFICEGYM_AUTHKEY": "00"},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    service = yaml.safe_load(done.stdout)["services"]["sandbox"]
    assert service["network_mode"] == "none" and service["init"] is True
    assert service["user"] == "officegym" and service["cap_drop"] == ["ALL"]
    assert service["labels"]["officegym.sandbox"] == "1"
