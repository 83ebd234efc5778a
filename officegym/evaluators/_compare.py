"""Compare two runs episode by episode: paired differences, exact McNemar, regressions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from officegym.evaluators._stats import cluster_bootstrap_ci, mcnemar_exact
from officegym.results import load_results


@dataclass
class Comparison:
    """The paired comparison of run A (baseline) and run B (candidate)."""

    pairs: int
    success_a: float
    success_b: float
    difference: float  # B − A success rate over paired episodes
    ci_low: float
    ci_high: float
    a_only: int  # paired episodes A solved and B did not
    b_only: int
    p_value: float
    alpha: float
    regressed: list[str] = field(default_factory=list)
    improved: list[str] = field(default_factory=list)
    per_task: dict[str, dict[str, float]] = field(default_factory=dict)
    unpaired_a: list[str] = field(default_factory=list)
    unpaired_b: list[str] = field(default_factory=list)

    @property
    def significant_regression(self) -> bool:
        """B is worse than A and the exact McNemar test says it is not chance."""
        return self.b_only < self.a_only and self.p_value < self.alpha

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "significant_regression": self.significant_regression}


def compare_runs(run_a: Path, run_b: Path, alpha: float = 0.05) -> Comparison:
    """Pair the episodes of two runs by (task, seed) and compare their success."""
    a = {(r.task_id, r.seed): r for r in load_results(run_a)}
    b = {(r.task_id, r.seed): r for r in load_results(run_b)}
    keys = sorted(a.keys() & b.keys())
    if not keys:
        raise ValueError(f"{run_a} and {run_b} share no (task, seed) episode to compare")
    diffs: dict[str, list[float]] = {}
    per_task: dict[str, dict[str, float]] = {}
    for key in keys:
        diffs.setdefault(key[0], []).append(float(b[key].success) - float(a[key].success))
    for task, values in diffs.items():
        task_keys = [k for k in keys if k[0] == task]
        sa = sum(a[k].success for k in task_keys) / len(task_keys)
        sb = sum(b[k].success for k in task_keys) / len(task_keys)
        mean_score = sum(b[k].score - a[k].score for k in task_keys) / len(task_keys)
        per_task[task] = {
            "pairs": len(values),
            "success_a": sa,
            "success_b": sb,
            "difference": sb - sa,
            "score_difference": mean_score,
        }
    mean, low, high = cluster_bootstrap_ci(diffs, alpha=alpha)
    a_only = sum(a[k].success and not b[k].success for k in keys)
    b_only = sum(b[k].success and not a[k].success for k in keys)
    return Comparison(
        pairs=len(keys),
        success_a=sum(a[k].success for k in keys) / len(keys),
        success_b=sum(b[k].success for k in keys) / len(keys),
        difference=mean,
        ci_low=low,
        ci_high=high,
        a_only=a_only,
        b_only=b_only,
        p_value=mcnemar_exact(a_only, b_only),
        alpha=alpha,
        regressed=sorted(t for t, row in per_task.items() if row["difference"] < 0),
        improved=sorted(t for t, row in per_task.items() if row["difference"] > 0),
        per_task=dict(sorted(per_task.items())),
        unpaired_a=sorted(f"{t}-s{s}" for t, s in a.keys() - b.keys()),
        unpaired_b=sorted(f"{t}-s{s}" for t, s in b.keys() - a.keys()),
    )
