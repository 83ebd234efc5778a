"""Statistics against known values, and the bootstrap's coverage on simulated data."""

from __future__ import annotations

import numpy as np
import pytest

from officegym.evaluators import cluster_bootstrap_ci, mcnemar_exact, pass_at_k, pass_hat_k


def test_exact_mcnemar_matches_the_hand_computed_binomial_tail() -> None:
    # 10 pairs only A solved, 2 only B: P(X <= 2 | n=12, p=1/2) * 2 = (1 + 12 + 66) / 4096 * 2
    assert mcnemar_exact(10, 2) == pytest.approx(79 / 4096 * 2)
    assert mcnemar_exact(2, 10) == mcnemar_exact(10, 2)
    assert mcnemar_exact(5, 5) == 1.0
    assert mcnemar_exact(0, 0) == 1.0


def test_pass_at_k_and_pass_hat_k_on_a_small_table() -> None:
    # Per task (attempts n, successes c): pass^2 = C(c,2)/C(n,2), averaged over tasks.
    table = [(4, 4), (4, 2), (4, 0)]
    assert np.mean([pass_hat_k(n, c, 2) for n, c in table]) == pytest.approx((1 + 1 / 6 + 0) / 3)
    assert np.mean([pass_at_k(n, c, 2) for n, c in table]) == pytest.approx((1 + 5 / 6 + 0) / 3)
    assert pass_hat_k(5, 3, 1) == pytest.approx(0.6) == pass_at_k(5, 3, 1)
    with pytest.raises(ValueError, match="k=3 must be between 1"):
        pass_hat_k(2, 1, 3)


def test_cluster_bootstrap_ci_covers_the_truth_in_at_least_93_of_100_runs() -> None:
    """Coverage is measured over 1,000 simulated runs, not 100: with a nominal 95 % interval, the
    count in any single batch of 100 swings by ±2, so 1,000 runs pin the rate down (±0.7 %)."""
    rng = np.random.default_rng(7)
    truth, covered, runs = 0.6, 0, 1000
    for rep in range(runs):
        # 40 templates whose own success rates vary around the truth (Beta(3, 2) has mean 0.6);
        # the 5 seeds of a template share its rate, so they are not independent samples.
        rates = rng.beta(3, 2, size=40)
        clusters = {f"t{i}": list(rng.random(5) < r) for i, r in enumerate(rates)}
        _, low, high = cluster_bootstrap_ci(clusters, resamples=1000, seed=rep)
        covered += low <= truth <= high
    assert covered / runs >= 0.93


def test_cluster_bootstrap_is_reproducible_and_handles_one_cluster() -> None:
    data = {"a": [1, 0, 1], "b": [0, 0], "c": [1]}
    assert cluster_bootstrap_ci(data, seed=3) == cluster_bootstrap_ci(data, seed=3)
    mean, low, high = cluster_bootstrap_ci(data)
    assert mean == pytest.approx(0.5) and low <= mean <= high
    assert cluster_bootstrap_ci({"only": [1, 1, 0, 0]}) == (0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match="no values"):
        cluster_bootstrap_ci({})
