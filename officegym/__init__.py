"""officegym: a sandboxed replay and evaluation harness for computer-use agents on office work.

Importing it registers every task as a Gymnasium env (`officegym/<task id>-v0`); nothing starts
until an env is made.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

from officegym.errors import OfficegymError, UnknownNameError

try:  # pyproject.toml holds the one definition; installed, it is in the package's metadata
    __version__ = importlib.metadata.version("officegym")
except importlib.metadata.PackageNotFoundError:  # a source tree on sys.path, not installed
    __version__ = "0+unknown"
__all__ = ["OfficegymError", "UnknownNameError", "__version__"]


def _register_envs() -> None:
    from officegym._registration import register_envs

    register_envs()


class _RegisterWithGymnasium(importlib.abc.MetaPathFinder):
    """Registers the envs right after Gymnasium itself is imported.

    Registration needs Gymnasium, but most of officegym (statistics, results, trajectories) does
    not: importing Gymnasium here would make `import officegym.evaluators` pay for it. Gymnasium
    has no plugin hook of its own (1.x), so this finder wraps its loader once and removes itself.
    """

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "gymnasium":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader, run_module = spec.loader, spec.loader.exec_module

        def run_then_register(module: ModuleType) -> None:
            run_module(module)
            _register_envs()

        loader.exec_module = run_then_register  # type: ignore[method-assign]
        return spec


if "gymnasium" in sys.modules:
    _register_envs()
elif not any(isinstance(f, _RegisterWithGymnasium) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterWithGymnasium())
