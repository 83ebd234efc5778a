"""The import contract of .importlinter: the layers keep their order and private modules stay
private. `make test` runs lint-imports on the package; these tests show the contract is one that
can fail, by planting a bad import in a copy of the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contract, on the `officegym` found in `package_parent`."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(CONFIG)],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "officegym",
        tmp_path / "officegym",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "*.js", "*.css"),
    )
    return tmp_path


def plant(package_parent: Path, module: str, line: str) -> None:
    path = package_parent / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_package_keeps_its_import_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # The statistics reach up into the runner: the cycle the layers forbid.
        ("officegym.evaluators._stats", "import officegym.runner", "Layers"),
        # The trajectory format imports the env.
        ("officegym.trajectory._io", "from officegym.envs import actions", "Layers"),
        # A layer above may use tasks, but only through their public face.
        ("officegym.runner._run", "import officegym.tasks._registry", "Private modules"),
        ("officegym.report._build", "from officegym.evaluators._stats import pass_at_k", "Private"),
    ],
)
def test_a_planted_bad_import_breaks_the_contract(
    package_copy: Path, module: str, line: str, broken: str
) -> None:
    plant(package_copy, module, line)
    result = lint_imports(package_copy)
    assert result.returncode == 1, result.stdout
    verdicts = [ln for ln in result.stdout.splitlines() if ln.endswith(("KEPT", "BROKEN"))]
    assert [ln for ln in verdicts if ln.endswith("BROKEN")] == [
        next(ln for ln in verdicts if ln.startswith(broken))
    ], result.stdout
    assert f"{module} -> " in result.stdout, result.stdout


def test_the_statistics_load_no_browser_env_or_image_library() -> None:
    probe = (
        "import sys, officegym.evaluators, officegym.results, officegym.trajectory\n"
        "print(sorted(m for m in ('gymnasium', 'playwright', 'PIL', 'officegym.envs',"
        " 'officegym.tasks', 'officegym.runner') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_importing_gymnasium_after_officegym_registers_every_task() -> None:
    probe = (
        "import officegym, gymnasium\n"
        "from officegym.tasks import task_ids\n"
        "ids = {f'officegym/{t}-v0' for t in task_ids()}\n"
        "print(len(ids), len(ids - set(gymnasium.registry)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    registered, missing = map(int, out.stdout.split())
    assert registered > 80 and missing == 0, out.stdout
