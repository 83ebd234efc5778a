"""Scoring: per-episode metrics, run aggregates that hold up, and paired comparison of two runs."""

from officegym.evaluators._aggregate import aggregate, pass_k_table
from officegym.evaluators._compare import Comparison, compare_runs, load_results
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
    "Comparison",
    "EpisodeMetrics",
    "Reference",
    "StepAgreement",
    "aggregate",
    "cluster_bootstrap_ci",
    "compare_runs",
    "episode_metrics",
    "load_references",
    "load_results",
    "mcnemar_exact",
    "operation_f1",
    "pass_at_k",
    "pass_hat_k",
    "pass_k_table",
    "step_agreement",
    "trajectory_steps",
]
