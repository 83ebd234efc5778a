"""The sandbox image: built from docker/Dockerfile, tagged by the content it was built from.

The tag is a digest of everything the image copies in (pyproject.toml, README.md, the package)
and of the Dockerfile, so a changed checkout gets a fresh image and an unchanged one builds
nothing. Where the engine has no `debian:bookworm-slim` and no registry answers,
docker/offline-base.sh makes it first.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import officegym
from officegym.errors import SandboxError

REPOSITORY = "officegym-sandbox"
BASE_IMAGE = "debian:bookworm-slim"
IMAGE_LABEL = "officegym.image"
BUILD_TIMEOUT = 1800.0  # a first build installs Chromium and Python packages: minutes


def checkout_root() -> Path:
    """The officegym checkout this package runs from (where docker/Dockerfile is).

    Raises:
        SandboxError: the package is not installed from a checkout.
    """
    root = Path(officegym.__file__).resolve().parents[1]
    if not (root / "docker" / "Dockerfile").is_file():
        raise SandboxError(
            f"no docker/Dockerfile beside the officegym package ({root}): the sandbox image is "
            "built from an officegym checkout; install officegym from one (pip install -e .), "
            "or build the image yourself and name it in OFFICEGYM_SANDBOX_IMAGE"
        )
    return root


def image_tag(root: Path) -> str:
    """`officegym-sandbox:<digest>` of the files the image is built from."""
    digest = hashlib.sha256()
    files = [root / "pyproject.toml", root / "README.md", root / "docker" / "Dockerfile"]
    files += sorted(
        p for p in (root / "officegym").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return f"{REPOSITORY}:{digest.hexdigest()[:16]}"


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """One build at a time on this machine (parallel test workers all want the image)."""
    path = Path(tempfile.gettempdir()) / "officegym-sandbox-build.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_image(client: Any) -> str:
    """The sandbox image's tag, building it (and the base, when missing) if it is not there.

    Raises:
        SandboxError: the base image could not be made or the build failed (the message has
            the build's last lines).
    """
    import docker.client
    import docker.errors

    explicit = os.environ.get("OFFICEGYM_SANDBOX_IMAGE")
    if explicit:
        return explicit
    root = checkout_root()
    tag = image_tag(root)
    with _build_lock():
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.get(tag)
            return tag
        _ensure_base(client, root)
        fill_wheelhouse(root)
        # The same engine, with a timeout long enough for a first build.
        builder = docker.client.from_env(timeout=int(BUILD_TIMEOUT)).api
        log: list[str] = []
        try:
            for chunk in builder.build(
                path=str(root),
                dockerfile="docker/Dockerfile",
                tag=tag,
                rm=True,
                forcerm=True,
                labels={IMAGE_LABEL: officegym.__version__},
                decode=True,
            ):
                if "stream" in chunk:
                    log.append(chunk["stream"].rstrip())
                if "error" in chunk:
                    tail = "\n".join(line for line in log[-15:] if line)
                    raise SandboxError(
                        f"building {tag} from docker/Dockerfile failed: {chunk['error']}\n{tail}"
                    )
        finally:
            builder.close()
    return tag


def fill_wheelhouse(root: Path) -> Path:
    """Wheels of the package's dependencies in docker/.wheels, fetched by this machine's pip.

    The image installs from them with no index, so the build reaches no registry and inherits
    nothing of this machine's index, proxy or certificate settings. Refilled when
    pyproject.toml changes.

    Raises:
        SandboxError: pip could not fetch them (the message has pip's last lines).
    """
    wheels = root / "docker" / ".wheels"
    stamp = wheels / ".pyproject-sha256"
    want = hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == want:
        return wheels
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    project = tomllib.loads((root / "pyproject.toml").read_text())
    requirements = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    # For the image's Python (Debian 12's 3.11) and this machine's architecture, whatever
    # Python runs this: wheels only, nothing built here.
    machine = platform.machine()
    platforms = [f"--platform=manylinux_2_{m}_{machine}" for m in (36, 28, 17)]
    command = [
        sys.executable, "-m", "pip", "--disable-pip-version-check", "download", "--quiet",
        "--dest", str(wheels), "--only-binary=:all:", "--python-version=3.11",
        "--implementation=cp", *platforms, "--platform=manylinux2014_" + machine,
        "--platform=manylinux1_" + machine, *requirements, "wheel",
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise SandboxError(
            f"fetching the sandbox image's wheels failed: {(done.stderr or done.stdout)[-800:]}"
        )
    stamp.write_text(want)
    return wheels


def _ensure_base(client: Any, root: Path) -> None:
    import docker.errors

    with contextlib.suppress(docker.errors.ImageNotFound):
        client.images.get(BASE_IMAGE)
        return
    script = root / "docker" / "offline-base.sh"
    done = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise SandboxError(
            f"{BASE_IMAGE} is missing and {script} could not make it "
            f"(exit {done.returncode}): {(done.stderr or done.stdout).strip()[-800:]}"
        )
