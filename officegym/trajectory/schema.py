"""The JSON Schema of trajectory format v1, generated from the pydantic models.

Run ``python -m officegym.trajectory.schema [PATH]`` from the repository root to regenerate
``docs/trajectory.schema.json``; ``--check`` only compares and exits 1 when it is out of date.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ._schema import DEFAULT_PATH, render_schema, trajectory_json_schema

__all__ = ["DEFAULT_PATH", "main", "render_schema", "trajectory_json_schema"]


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the schema file.

    Args:
        argv: command-line arguments; ``sys.argv[1:]`` when None.

    Returns:
        The exit code: 0, or 1 when ``--check`` finds the file out of date.
    """
    parser = argparse.ArgumentParser(prog="python -m officegym.trajectory.schema")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = render_schema()
    path: Path = args.path
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(f"{path} is out of date; run: python -m officegym.trajectory.schema {path}")
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
