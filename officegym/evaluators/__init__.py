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
from officegym.evaluators._compare import Comparison, compare_runs
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
from officegym.evaluators._stats import cluster_bootstrap_ci, mcnemar_exact, pass_at_k, pass_hat_k

__all__ = [
    "ActionStep",
    "Checkpoint",
    "Comparison",
    "EpisodeMetrics",
    "Evaluation",
    "LabelsOf",
    "Reference",
    "StepAgreement",
    "TaskLabels",
    "aggregate",
    "cluster_bootstrap_ci",
    "compare_runs",
    "episode_metrics",
    "labels_from_id",
    "load_references",
    "mcnemar_exact",
    "mentions",
    "norm",
    "numbers_in",
    "operation_f1",
    "pass_at_k",
    "pass_hat_k",
    "pass_k_table",
    "says_infeasible",
    "step_agreement",
    "trajectory_steps",
]
