"""Scoring across episodes: statistics that hold up, and paired comparison of two runs."""

from officegym.evaluators._compare import Comparison, compare_runs, load_results
from officegym.evaluators._stats import cluster_bootstrap_ci, mcnemar_exact, pass_at_k, pass_hat_k

__all__ = [
    "Comparison",
    "cluster_bootstrap_ci",
    "compare_runs",
    "load_results",
    "mcnemar_exact",
    "pass_at_k",
    "pass_hat_k",
]
