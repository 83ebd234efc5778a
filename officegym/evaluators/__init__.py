"""Everything that judges: checkpoints and the evaluation of an episode, text matchers, per-episode
metrics, run aggregates that hold up, and the paired comparison of two runs.

This layer reads trajectories and stored results only: it imports no task, env or browser.
"""

from officegym.evaluators._aggregate import aggregate, pass_k_table
from officegym.evaluators._checks import (
    Checkpoint,
    Evaluation,
    LabelsOf,
    TaskLabels,
    labels_from_id,
    mentions,
    norm,
    numbers_in,
    says_infeasible,
)
from officegym.evaluators._compare import (
    PAIRED_BY_SEED,
    PAIRED_BY_VARIANT,
    Comparison,
    Pairing,
    compare_runs,
    pair_episodes,
)
from officegym.evaluators._metrics import (
    ActionStep,
    EpisodeMetrics,
    Reference,
    StepAgreement,
    episode_metrics,
    load_references,
    operation_f1,
    step_agreement,
    trajectory_steps,
)
from officegym.evaluators._stats import (
    cluster_bootstrap_ci,
    interval,
    mcnemar_exact,
    pass_at_k,
    pass_hat_k,
)
from officegym.evaluators._variants import (
    CLEAN_VARIANT,
    attack_success,
    attack_unknown,
    carries_injection,
    episode_name,
    per_variant,
    success_drop,
    variant_label,
)

__all__ = [
    "CLEAN_VARIANT",
    "PAIRED_BY_SEED",
    "PAIRED_BY_VARIANT",
    "ActionStep",
    "Checkpoint",
    "Comparison",
    "EpisodeMetrics",
    "Evaluation",
    "LabelsOf",
    "Pairing",
    "Reference",
    "StepAgreement",
    "TaskLabels",
    "aggregate",
    "attack_success",
    "attack_unknown",
    "carries_injection",
    "cluster_bootstrap_ci",
    "compare_runs",
    "episode_metrics",
    "episode_name",
    "interval",
    "labels_from_id",
    "load_references",
    "mcnemar_exact",
    "mentions",
    "norm",
    "numbers_in",
    "operation_f1",
    "pair_episodes",
    "pass_at_k",
    "pass_hat_k",
    "pass_k_table",
    "per_variant",
    "says_infeasible",
    "step_agreement",
    "success_drop",
    "trajectory_steps",
    "variant_label",
]
