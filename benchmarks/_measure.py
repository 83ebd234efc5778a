"""Shared helpers for the benchmark scripts: medians, percentiles, PSS of a process tree."""

from __future__ import annotations

import contextlib
import os
import statistics
from pathlib import Path


def summary_ms(samples: list[float]) -> str:
    """'median X ms, p90 Y ms (n=N)' for samples in seconds."""
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   (n={len(ms)})"


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def tree_pss_mib(pid: int | None = None) -> float:
    """Proportional set size of a process and all its descendants, in MiB (Linux only)."""
    todo, total = [pid or os.getpid()], 0
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            todo += _children(p)
        except OSError:
            continue
    return total / 1024
