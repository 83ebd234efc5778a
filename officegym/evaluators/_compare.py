"""Compare two runs episode by episode: paired differences, exact McNemar, regressions, and the
rise or fall of attack success where episodes carried injected instructions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from officegym.evaluators._stats import cluster_bootstrap_ci, mcnemar_exact
from officegym.evaluators._variants import (
    TASK_VARIANT_SEPARATOR,
    attack_unknown,
    episode_name,
    variant_label,
)
from officegym.results import EpisodeResult, load_results

# What a pair of episodes shares: (task, variant, seed).
PairKey = tuple[str, str, int]
# A run's episodes by pair key.
Runs = dict[PairKey, EpisodeResult]
# How the episodes of two runs were paired (`Comparison.pairing`).
PAIRED_BY_VARIANT = "task, variant, seed"
PAIRED_BY_SEED = "task, seed"


@dataclass(frozen=True)
class Pairing:
    """The episodes of runs A and B by pair key; a pair is a key both hold."""

    by: str  # PAIRED_BY_VARIANT, or PAIRED_BY_SEED for two runs of one different variant each
    a: Runs
    b: Runs

    @property
    def keys(self) -> list[PairKey]:
        return sorted(self.a.keys() & self.b.keys())


def pair_episodes(a: Sequence[EpisodeResult], b: Sequence[EpisodeResult]) -> Pairing:
    """Pair the episodes of two runs by (task, variant, seed).

    Two runs that share no such episode but hold one variant each, and not the same one (the
    clean suite in one folder, `core@popup` in another), are paired by (task, seed): the
    comparison is then the variant's cost. The key's variant is `clean→popup` for those.
    """
    by_a = {(r.task_id, r.variant, r.seed): r for r in a}
    by_b = {(r.task_id, r.variant, r.seed): r for r in b}
    variants_a, variants_b = {r.variant for r in a}, {r.variant for r in b}
    one_each = len(variants_a) == len(variants_b) == 1 and variants_a != variants_b
    if by_a.keys() & by_b.keys() or not one_each:
        return Pairing(PAIRED_BY_VARIANT, by_a, by_b)
    across = f"{variant_label(variants_a.pop())}→{variant_label(variants_b.pop())}"
    return Pairing(
        PAIRED_BY_SEED,
        {(r.task_id, across, r.seed): r for r in a},
        {(r.task_id, across, r.seed): r for r in b},
    )


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
    # Tasks whose success fell (rose), and each task's paired figures: by task id, or, when
    # the pairs hold more than one variant, by `task@variant` for a variant's (`task` for clean).
    regressed: list[str] = field(default_factory=list)
    improved: list[str] = field(default_factory=list)
    per_task: dict[str, dict[str, float]] = field(default_factory=dict)
    unpaired_a: list[str] = field(default_factory=list)
    unpaired_b: list[str] = field(default_factory=list)
    pairing: str = PAIRED_BY_VARIANT
    # By variant as stored ("" for clean; `clean→popup` paired by seed): pairs, templates,
    # success_a, success_b, difference with ci_low and ci_high (tasks resampled), attack_pairs,
    # attack_a, attack_b (None without attack pairs), attack_a_only, attack_b_only,
    # attack_p_value, attack_unknown_a, attack_unknown_b.
    per_variant: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Pairs where both episodes carried an injected instruction (`attacked` not None).
    attack_pairs: int = 0
    attack_a: float | None = None  # share of those A was attacked in; None without any
    attack_b: float | None = None
    attack_a_only: int = 0  # attack pairs where A did what the injection asked and B did not
    attack_b_only: int = 0
    attack_p_value: float = 1.0  # exact McNemar on the attack pairs' discordant counts
    # Paired episodes of A (B) that carried an injected instruction nobody judged: they ended in
    # a timeout, a crash or the agent's error first (`attacked` None). Not in the attack pairs.
    attack_unknown_a: int = 0
    attack_unknown_b: int = 0

    @property
    def interval_excludes_zero(self) -> bool:
        """Whether the task-clustered interval of the difference excludes 0. The McNemar test
        takes the pairs as independent, and the seeds and variants of one template are not:
        a significant test whose interval holds 0 rests on few templates."""
        return self.ci_low > 0 or self.ci_high < 0

    @property
    def significant_regression(self) -> bool:
        """B is worse than A and the exact McNemar test says it is not chance."""
        return self.b_only < self.a_only and self.p_value < self.alpha

    @property
    def significant_attack_rise(self) -> bool:
        """B was attacked more often than A and the exact McNemar test says it is not chance."""
        return self.attack_b_only > self.attack_a_only and self.attack_p_value < self.alpha

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "significant_regression": self.significant_regression,
            "significant_attack_rise": self.significant_attack_rise,
            "interval_excludes_zero": self.interval_excludes_zero,
        }


def compare_runs(run_a: Path, run_b: Path, alpha: float = 0.05) -> Comparison:
    """Pair the episodes of two runs (`pair_episodes`) and compare their success and, over the
    pairs that carried injected instructions in both, their attack success.

    Raises:
        FileNotFoundError: a run directory holds no results.
        ValueError: the runs share no episode to pair.
    """
    pairing = pair_episodes(load_results(run_a), load_results(run_b))
    a, b, keys = pairing.a, pairing.b, pairing.keys
    if not keys:
        raise ValueError(f"{run_a} and {run_b} share no ({pairing.by}) episode to compare")
    several_variants = len({key[1] for key in keys}) > 1
    by_row: dict[str, list[PairKey]] = defaultdict(list)
    by_variant: dict[str, list[PairKey]] = defaultdict(list)
    for key in keys:
        by_row[_row_name(key, several_variants)].append(key)
        by_variant[key[1]].append(key)
    per_task = {name: _task_row(a, b, ks) for name, ks in sorted(by_row.items())}
    mean, low, high = cluster_bootstrap_ci(_differences_by_task(a, b, keys), alpha=alpha)
    a_only = sum(a[k].success and not b[k].success for k in keys)
    b_only = sum(b[k].success and not a[k].success for k in keys)
    attack = _attack_counts(a, b, keys)
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
        per_task=per_task,
        unpaired_a=_unpaired(a, b),
        unpaired_b=_unpaired(b, a),
        pairing=pairing.by,
        per_variant={
            v: _variant_row(a, b, ks, alpha)
            for v, ks in sorted(by_variant.items(), key=lambda item: (item[0] != "", item[0]))
        },
        attack_pairs=attack["pairs"],
        attack_a=attack["rate_a"],
        attack_b=attack["rate_b"],
        attack_a_only=attack["a_only"],
        attack_b_only=attack["b_only"],
        attack_p_value=mcnemar_exact(attack["a_only"], attack["b_only"]),
        attack_unknown_a=attack["unknown_a"],
        attack_unknown_b=attack["unknown_b"],
    )


def _row_name(key: PairKey, several_variants: bool) -> str:
    """The `per_task` row a pair counts in: its task, or `task@variant` for a variant's pair
    when the pairs hold more than one variant (a task's variants are then rows of their own)."""
    task, variant, _ = key
    return f"{task}{TASK_VARIANT_SEPARATOR}{variant}" if several_variants and variant else task


def _differences_by_task(a: Runs, b: Runs, keys: list[PairKey]) -> dict[str, list[float]]:
    """B − A success of each pair, clustered by task whatever the variant: a template's
    seeds and variants share its difficulty."""
    diffs: dict[str, list[float]] = defaultdict(list)
    for key in keys:
        diffs[key[0]].append(float(b[key].success) - float(a[key].success))
    return diffs


def _task_row(a: Runs, b: Runs, keys: list[PairKey]) -> dict[str, float]:
    n = len(keys)
    sa = sum(a[k].success for k in keys) / n
    sb = sum(b[k].success for k in keys) / n
    return {
        "pairs": n,
        "success_a": sa,
        "success_b": sb,
        "difference": sb - sa,
        "score_difference": sum(b[k].score - a[k].score for k in keys) / n,
    }


def _variant_row(a: Runs, b: Runs, keys: list[PairKey], alpha: float) -> dict[str, Any]:
    """One variant's pairs: success, the difference with its task-clustered interval (no
    width with one template), and the attack comparison with its own exact McNemar."""
    n = len(keys)
    sa = sum(a[k].success for k in keys) / n
    sb = sum(b[k].success for k in keys) / n
    diffs = _differences_by_task(a, b, keys)
    _, low, high = cluster_bootstrap_ci(diffs, alpha=alpha)
    attack = _attack_counts(a, b, keys)
    return {
        "pairs": n,
        "templates": len(diffs),
        "success_a": sa,
        "success_b": sb,
        "difference": sb - sa,
        "ci_low": low,
        "ci_high": high,
        "attack_pairs": attack["pairs"],
        "attack_a": attack["rate_a"],
        "attack_b": attack["rate_b"],
        "attack_a_only": attack["a_only"],
        "attack_b_only": attack["b_only"],
        "attack_p_value": mcnemar_exact(attack["a_only"], attack["b_only"]),
        "attack_unknown_a": attack["unknown_a"],
        "attack_unknown_b": attack["unknown_b"],
    }


def _attack_counts(a: Runs, b: Runs, keys: list[PairKey]) -> dict[str, Any]:
    """Over the pairs where both episodes' attacks were judged: their number, each run's
    attack rate (None without any) and the discordant counts; and the episodes of each run
    that carried an injection nobody judged (`attack_unknown`)."""
    both = [k for k in keys if a[k].attacked is not None and b[k].attacked is not None]
    n = len(both)
    return {
        "pairs": n,
        "rate_a": sum(bool(a[k].attacked) for k in both) / n if n else None,
        "rate_b": sum(bool(b[k].attacked) for k in both) / n if n else None,
        "a_only": sum(bool(a[k].attacked) and not b[k].attacked for k in both),
        "b_only": sum(bool(b[k].attacked) and not a[k].attacked for k in both),
        "unknown_a": sum(attack_unknown(a[k]) for k in keys),
        "unknown_b": sum(attack_unknown(b[k]) for k in keys),
    }


def _unpaired(mine: Runs, theirs: Runs) -> list[str]:
    """The episodes of `mine` with no twin in `theirs`, by the names the runner gives them."""
    return sorted(
        episode_name(r.task_id, r.variant, r.seed) for k, r in mine.items() if k not in theirs
    )
