"""Aggregates over a run: success and score with clustered CIs, pass@k and pass^k, breakdowns.

Every interval resamples task templates, never single episodes: the seeds of one template share
its difficulty (see `cluster_bootstrap_ci`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import median
from typing import Any

from officegym.evaluators._checks import LabelsOf, labels_from_id
from officegym.evaluators._metrics import EpisodeMetrics
from officegym.evaluators._stats import interval, pass_at_k, pass_hat_k
from officegym.evaluators._variants import attack_success, attack_unknown, per_variant
from officegym.results import EpisodeResult


def group_summary(results: Sequence[EpisodeResult], alpha: float = 0.05) -> dict[str, Any]:
    """Episodes, templates, success and mean score with CIs for one group of episodes."""
    success: dict[str, list[float]] = defaultdict(list)
    score: dict[str, list[float]] = defaultdict(list)
    for r in results:
        success[r.task_id].append(float(r.success))
        score[r.task_id].append(r.score)
    return {
        "episodes": len(results),
        "templates": len(success),
        "success": interval(success, alpha),
        "score": interval(score, alpha),
    }


def pass_k_table(results: Iterable[EpisodeResult]) -> dict[str, dict[int, float]]:
    """pass@k and pass^k for k = 1 … the fewest seeds any task has, averaged over tasks.

    A task under each variant of the run counts as a task of its own: the seeds of `popup` are
    not more attempts at the clean task.
    """
    attempts: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for r in results:
        attempts[r.task_id, r.variant].append(r.success)
    if not attempts:
        return {"pass_at_k": {}, "pass_hat_k": {}}
    most = min(len(v) for v in attempts.values())
    table: dict[str, dict[int, float]] = {"pass_at_k": {}, "pass_hat_k": {}}
    for k in range(1, most + 1):
        rows = [(len(v), sum(v)) for v in attempts.values()]
        table["pass_at_k"][k] = round(sum(pass_at_k(n, c, k) for n, c in rows) / len(rows), 4)
        table["pass_hat_k"][k] = round(sum(pass_hat_k(n, c, k) for n, c in rows) / len(rows), 4)
    return table


def efficiency_summary(metrics: Sequence[EpisodeMetrics]) -> dict[str, Any]:
    """Medians of the efficiency ratios and means of step agreement, where a reference existed."""
    steps = [m.steps_ratio for m in metrics if m.steps_ratio is not None]
    times = [m.time_ratio for m in metrics if m.time_ratio is not None]
    agreements = [m.agreement for m in metrics if m.agreement is not None]
    infeasible = [m.infeasible_handled for m in metrics if m.infeasible_handled is not None]
    out: dict[str, Any] = {
        "with_reference": len(steps),
        "median_steps_ratio": round(median(steps), 3) if steps else None,
        "median_time_ratio": round(median(times), 3) if times else None,
        "infeasible_episodes": len(infeasible),
        "infeasible_handled": round(sum(infeasible) / len(infeasible), 4) if infeasible else None,
    }
    if agreements:
        n = len(agreements)
        out["step_agreement"] = {
            "episodes": n,
            "element_accuracy": round(sum(a.element_accuracy for a in agreements) / n, 4),
            "operation_f1": round(sum(a.operation_f1 for a in agreements) / n, 4),
            "step_success_rate": round(sum(a.step_success_rate for a in agreements) / n, 4),
        }
    return out


def aggregate(
    results: Sequence[EpisodeResult],
    metrics: Sequence[EpisodeMetrics] = (),
    alpha: float = 0.05,
    labels: LabelsOf = labels_from_id,
) -> dict[str, Any]:
    """The whole run: overall, per app and per skill tag, pass@k / pass^k, efficiency; per
    variant, the attack success over the episodes whose injected instruction was judged, and
    how many injected episodes ended before it could be (`attack_unknown`).

    `overall`, `per_app` and `per_tag` take every episode of the run, whatever its variant (one
    variant: the run's figures as they always were); `per_variant` keeps them apart.

    `labels` says each task's apps and tags (pass `officegym.tasks.task_labels`); without it,
    episodes are grouped by their id's app prefix only.

    Raises:
        ValueError: no episodes.
    """
    if not results:
        raise ValueError("the run has no episodes to aggregate")
    by_app: dict[str, list[EpisodeResult]] = defaultdict(list)
    by_tag: dict[str, list[EpisodeResult]] = defaultdict(list)
    for r in results:
        task = labels(r.task_id)
        for app in task.apps:
            by_app[app].append(r)
        for tag in task.tags:
            by_tag[tag].append(r)
    return {
        "overall": group_summary(results, alpha),
        **pass_k_table(results),
        "per_app": {k: group_summary(v, alpha) for k, v in sorted(by_app.items())},
        "per_tag": {k: group_summary(v, alpha) for k, v in sorted(by_tag.items())},
        "efficiency": efficiency_summary(metrics),
        "alpha": alpha,
        "per_variant": per_variant(results, alpha),
        "attack_success": attack_success(results, alpha),
        "attack_unknown": sum(attack_unknown(r) for r in results),
    }
