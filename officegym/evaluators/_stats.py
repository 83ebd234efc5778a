"""Statistics that hold up for agent benchmarks.

Seeds of one task template are not independent samples, so confidence intervals resample whole
templates (a cluster bootstrap), and paired comparisons use exact tests on the discordant pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import comb

import numpy as np


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pair counts.

    Args:
        a_only: pairs where A succeeded and B failed.
        b_only: pairs where B succeeded and A failed.

    >>> round(mcnemar_exact(10, 2), 4)
    0.0386
    >>> mcnemar_exact(0, 0)
    1.0
    """
    # Imported here: scipy.stats takes ~0.4 s to import, and every run's summary imports this
    # module for its intervals, which need only numpy.
    from scipy.stats import binomtest

    n = a_only + b_only
    if n == 0:
        return 1.0
    return float(binomtest(min(a_only, b_only), n, 0.5, alternative="two-sided").pvalue)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Chance that at least one of k draws (without replacement) of n attempts succeeded.

    >>> pass_at_k(4, 2, 2)
    0.8333333333333334
    """
    if not 0 < k <= n:
        raise ValueError(f"k={k} must be between 1 and the number of attempts n={n}")
    return 1.0 - comb(n - c, k) / comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """pass^k: chance that all k draws (without replacement) of n attempts succeeded.

    >>> pass_hat_k(4, 2, 2)
    0.16666666666666666
    """
    if not 0 < k <= n:
        raise ValueError(f"k={k} must be between 1 and the number of attempts n={n}")
    return comb(c, k) / comb(n, k)


def cluster_bootstrap_ci(
    clusters: Mapping[str, Sequence[float]],
    alpha: float = 0.05,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Mean over all values, with a percentile CI that resamples whole clusters.

    Args:
        clusters: values (success 0/1, scores, paired differences) by cluster (task template).
        alpha: 0.05 gives a 95 % interval.
        resamples: bootstrap resamples.
        seed: the generator's seed, so the same data gives the same interval.

    Returns:
        (mean, low, high).

    Raises:
        ValueError: no values.
    """
    groups = [np.asarray(v, dtype=float) for v in clusters.values() if len(v)]
    if not groups:
        raise ValueError("no values to summarise")
    sums = np.array([g.sum() for g in groups])
    sizes = np.array([len(g) for g in groups])
    mean = float(sums.sum() / sizes.sum())
    if len(groups) == 1:
        return mean, mean, mean
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(groups), size=(resamples, len(groups)))
    stats = sums[picks].sum(axis=1) / sizes[picks].sum(axis=1)
    low, high = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
    # Resampling G clusters underestimates the variance of their mean by (G-1)/G; widen the
    # interval by the square root of that, as the usual small-sample correction does.
    widen = np.sqrt(len(groups) / (len(groups) - 1))
    return mean, float(mean + (low - mean) * widen), float(mean + (high - mean) * widen)


def interval(clusters: Mapping[str, Sequence[float]], alpha: float = 0.05) -> dict[str, float]:
    """{mean, low, high} of `cluster_bootstrap_ci`, to 4 places: how summaries show a rate.

    >>> interval({"mail.a": [1.0, 0.0]})
    {'mean': 0.5, 'low': 0.5, 'high': 0.5}
    """
    mean, low, high = cluster_bootstrap_ci(clusters, alpha=alpha)
    return {"mean": round(mean, 4), "low": round(low, 4), "high": round(high, 4)}
