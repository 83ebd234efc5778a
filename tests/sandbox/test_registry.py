"""The sandboxes by name: what the runner looks up, and the teardowns it may call at any time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from officegym.envs import OfficeEnvLike
from officegym.sandbox import SANDBOXES, DockerEnv, get_sandbox


def test_each_sandbox_name_gives_its_sandbox_and_an_unknown_name_says_the_known_ones() -> None:
    assert SANDBOXES == ("local", "docker")
    assert [get_sandbox(name).name for name in SANDBOXES] == list(SANDBOXES)
    with pytest.raises(ValueError, match=r"unknown sandbox 'vm': use one of \('local', 'docker'\)"):
        get_sandbox("vm")


def test_the_local_sandbox_labels_nothing_and_its_teardowns_are_idempotent() -> None:
    local = get_sandbox("local")
    local.check()
    assert local.start_run("run") is None
    worker = local.start_worker("local")
    worker.close()
    worker.close()
    local.cleanup_worker("local", 1)
    local.cleanup_run(None)
    local.cleanup_run(None)


def test_cleaning_up_a_docker_run_that_never_started_sweeps_no_other_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With no run id, `cleanup()` would remove every run's containers: the hook must not call it.
    import officegym.sandbox._docker as docker

    calls: list[str | None] = []
    monkeypatch.setattr(docker, "cleanup", lambda run_id=None: calls.append(run_id))
    get_sandbox("docker").cleanup_run(None)
    assert calls == []
    get_sandbox("docker").cleanup_run("r1")  # a run that started: its own containers only
    assert calls == ["r1"]


def test_docker_env_declares_the_office_env_protocol() -> None:
    assert OfficeEnvLike in DockerEnv.__mro__


def test_importing_the_sandbox_registry_loads_neither_docker_nor_a_browser() -> None:
    probe = (
        "import sys, officegym.sandbox as s; s.get_sandbox('docker'); "
        "print(sorted(m for m in ('docker', 'playwright', 'PIL') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
