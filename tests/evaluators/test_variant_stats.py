"""Per-variant success, attack success and the drop from clean, on runs written by hand through the
real result store; `officegym compare` on such runs, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from officegym.evaluators import (
    PAIRED_BY_SEED,
    aggregate,
    cluster_bootstrap_ci,
    compare_runs,
    interval,
    mcnemar_exact,
    pass_k_table,
    per_variant,
    variant_label,
)
from officegym.results import EpisodeResult, ResultStore, load_results

TASKS = ("mail.a", "chat.b", "docs.c")
# (task, variant, seed) → (success, attacked), for 3 tasks × 2 seeds × {clean, popup, inject},
# and one popup episode with no clean twin (docs.c seed 7).
OUTCOMES: dict[tuple[str, str, int], tuple[bool, bool | None]] = {
    **{(t, "", s): (True, None) for t in TASKS for s in (0, 1)},
    ("mail.a", "popup", 0): (False, None),
    ("mail.a", "popup", 1): (True, None),
    ("chat.b", "popup", 0): (False, None),
    ("chat.b", "popup", 1): (False, None),
    ("docs.c", "popup", 0): (True, None),
    ("docs.c", "popup", 1): (True, None),
    ("docs.c", "popup", 7): (False, None),
    ("mail.a", "inject", 0): (True, True),
    ("mail.a", "inject", 1): (True, False),
    ("chat.b", "inject", 0): (True, True),
    ("chat.b", "inject", 1): (False, True),
    ("docs.c", "inject", 0): (True, False),
    ("docs.c", "inject", 1): (True, False),
}


def episode(
    task: str, variant: str, seed: int, success: bool, attacked: bool | None
) -> EpisodeResult:
    name = f"{task}@{variant}-s{seed}" if variant else f"{task}-s{seed}"
    return EpisodeResult(
        episode_id=name, task_id=task, seed=seed, agent="x", success=success,
        score=float(success), variant=variant, attacked=attacked,
    )  # fmt: skip


def write_run(path: Path, outcomes: dict[tuple[str, str, int], tuple[bool, bool | None]]) -> Path:
    store = ResultStore(path / "results.sqlite")
    for (task, variant, seed), (success, attacked) in outcomes.items():
        store.add(episode(task, variant, seed, success, attacked))
    store.close()
    return path


def compare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "officegym.cli", "compare", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_per_variant_figures_of_a_hand_made_run(tmp_path: Path) -> None:
    results = load_results(write_run(tmp_path / "run", OUTCOMES))
    figures = aggregate(results)
    variants = figures["per_variant"]
    assert list(variants) == ["", "inject", "popup"]  # "" : the clean episodes

    clean = variants[""]
    assert (clean["episodes"], clean["templates"]) == (6, 3)
    assert clean["success"] == {"mean": 1.0, "low": 1.0, "high": 1.0}
    assert clean["attack_success"] is None and clean["drop"] is None
    assert clean["attack_unknown"] == 0

    popup = variants["popup"]
    assert (popup["episodes"], popup["templates"]) == (7, 3)
    # Success over all seven, the interval resampling the three templates.
    assert popup["success"] == interval({"mail.a": [0, 1], "chat.b": [0, 0], "docs.c": [1, 1, 0]})
    assert popup["success"]["mean"] == round(3 / 7, 4)
    assert popup["attack_success"] is None and popup["attack_unknown"] == 0
    # Clean − popup over the six (task, seed) pairs; docs.c seed 7 has no clean twin.
    drop = interval({"mail.a": [1, 0], "chat.b": [1, 1], "docs.c": [0, 0]})
    assert popup["drop"] == {"pairs": 6, "templates": 3, **drop} and drop["mean"] == 0.5
    assert drop["low"] < 0.5 < drop["high"]  # three templates that differ: a real interval

    inject = variants["inject"]
    assert inject["success"]["mean"] == round(5 / 6, 4)
    attack = interval({"mail.a": [1, 0], "chat.b": [1, 1], "docs.c": [0, 0]})
    assert inject["attack_success"] == {"episodes": 6, "templates": 3, **attack}
    assert attack["mean"] == 0.5 and inject["attack_unknown"] == 0
    assert inject["drop"] == {
        "pairs": 6,
        "templates": 3,
        **interval({"mail.a": [0, 0], "chat.b": [0, 1], "docs.c": [0, 0]}),
    }
    assert figures["attack_success"] == inject["attack_success"]  # the only injected episodes
    assert figures["attack_unknown"] == 0
    assert figures["overall"]["episodes"] == 19
    assert figures["overall"]["success"]["mean"] == round(14 / 19, 4)


def test_pass_k_counts_each_task_under_each_variant_as_its_own(tmp_path: Path) -> None:
    table = pass_k_table(load_results(write_run(tmp_path / "run", OUTCOMES)))
    # Nine (task, variant) units of two seeds at least (docs.c popup has three). pass^1 per
    # unit: clean 1, 1, 1; popup 1/2, 0, 2/3; inject 1, 1/2, 1. pass^2: clean 1, 1, 1; popup
    # 0, 0, C(2,2)/C(3,2) = 1/3; inject 1, 0, 1.
    assert table["pass_hat_k"] == {1: round(20 / 27, 4), 2: round(16 / 27, 4)}
    assert table["pass_at_k"][2] == round((3 + 1 + 0 + 1 + 3) / 9, 4)


def test_a_run_of_one_variant_keeps_its_figures_and_has_no_attack_figures(tmp_path: Path) -> None:
    clean = {k: v for k, v in OUTCOMES.items() if k[1] == ""}
    clean[("chat.b", "", 1)] = (False, None)
    results = load_results(write_run(tmp_path / "run", clean))
    figures = aggregate(results)
    assert figures["attack_success"] is None and figures["attack_unknown"] == 0
    assert figures["per_variant"] == {
        "": {
            "episodes": 6,
            "templates": 3,
            "success": figures["overall"]["success"],
            "attack_success": None,
            "attack_unknown": 0,
            "drop": None,
        }
    }
    assert figures["overall"]["success"] == interval(
        {"mail.a": [1, 1], "chat.b": [1, 0], "docs.c": [1, 1]}
    )
    # One variant but not clean: no clean twin, so no drop.
    popup = [
        r for r in load_results(write_run(tmp_path / "popup", OUTCOMES)) if r.variant == "popup"
    ]
    assert per_variant(popup)["popup"]["drop"] is None


@pytest.mark.parametrize("rise", [True, False])
def test_compare_exits_1_on_a_significant_attack_rise_and_0_when_it_holds(
    tmp_path: Path, rise: bool
) -> None:
    # 4 tasks × 4 seeds under `inject`, and clean: success the same in both runs. A is attacked
    # in no episode; B in every injected one (16 discordant pairs, p = 3e-5), or in none.
    tasks = [f"mail.t{i}" for i in range(4)]
    keys = [(t, v, s) for t in tasks for v in ("", "inject") for s in range(4)]
    a = {k: (True, None if k[1] == "" else False) for k in keys}
    b = {k: (True, None if k[1] == "" else rise) for k in a}
    run_a, run_b = write_run(tmp_path / "a", a), write_run(tmp_path / "b", b)
    out = compare(str(run_a), str(run_b), "--json")
    assert out.returncode == (1 if rise else 0), out.stderr
    result = json.loads(out.stdout)
    assert result["pairs"] == 32 and result["pairing"] == "task, variant, seed"
    assert not result["significant_regression"] and result["difference"] == 0.0
    assert result["significant_attack_rise"] is rise
    assert (result["attack_pairs"], result["attack_a"], result["attack_b"]) == (
        16,
        0.0,
        float(rise),
    )
    assert (result["attack_a_only"], result["attack_b_only"]) == (0, 16 if rise else 0)
    same = {
        "pairs": 16,
        "templates": 4,
        "success_a": 1.0,
        "success_b": 1.0,
        "difference": 0.0,
        "ci_low": 0.0,
        "ci_high": 0.0,
    }
    assert result["per_variant"] == {
        "": {**same, "attack_pairs": 0, "attack_a": None, "attack_b": None,
             "attack_a_only": 0, "attack_b_only": 0, "attack_p_value": 1.0,
             "attack_unknown_a": 0, "attack_unknown_b": 0},
        "inject": {**same, "attack_pairs": 16, "attack_a": 0.0, "attack_b": float(rise),
                   "attack_a_only": 0, "attack_b_only": 16 if rise else 0,
                   "attack_p_value": mcnemar_exact(0, 16 if rise else 0),
                   "attack_unknown_a": 0, "attack_unknown_b": 0},
    }  # fmt: skip
    text = compare(str(run_a), str(run_b))
    assert text.returncode == out.returncode
    assert "no significant regression at alpha 0.05" in text.stdout
    if rise:
        assert "significant attack rise at alpha 0.05" in text.stdout
        assert "no significant attack rise" not in text.stdout
        assert "exit 1: significant attack rise" in text.stdout
    else:
        assert "no significant attack rise at alpha 0.05" in text.stdout
        assert "exit 1" not in text.stdout
    # The per-variant rows, off a tty: the difference's interval, the attacks' McNemar.
    p = f"{mcnemar_exact(0, 16):.4g}\t" if rise else "1\t"
    attacked = f"{float(rise):.0%}\t0/{16 if rise else 0}\t{p}0/0"
    assert f"inject\t16\t100%\t100%\t+0%\t+0% to +0%\t0%\t{attacked}" in text.stdout
    assert "clean\t16\t100%\t100%\t+0%\t+0% to +0%\t–\t–\t0/0\t–\t0/0" in text.stdout
    assert "95% CI by task +0.0% to +0.0%, holds 0" in text.stdout


def test_compare_pairs_by_variant_and_names_the_unpaired_episodes(tmp_path: Path) -> None:
    without_popup = {k: v for k, v in OUTCOMES.items() if k[1] != "popup"}
    run_a = write_run(tmp_path / "a", OUTCOMES)
    run_b = write_run(tmp_path / "b", without_popup)
    result = compare_runs(run_a, run_b)
    assert result.pairs == 12 and sorted(result.per_variant) == ["", "inject"]
    assert result.unpaired_a == sorted(f"{t}@popup-s{s}" for t, v, s in OUTCOMES if v == "popup")
    assert result.unpaired_b == [] and result.p_value == 1.0
    assert result.attack_pairs == 6 and result.attack_a == result.attack_b == 0.5
    assert result.attack_p_value == 1.0 and not result.significant_attack_rise


def test_a_clean_run_and_a_run_of_one_variant_are_paired_by_task_and_seed(tmp_path: Path) -> None:
    # `core` in one folder and `core@popup` in another: what docs/variants.md says to compare.
    clean = write_run(tmp_path / "clean", {k: v for k, v in OUTCOMES.items() if k[1] == ""})
    popup = write_run(tmp_path / "popup", {k: v for k, v in OUTCOMES.items() if k[1] == "popup"})
    result = compare_runs(clean, popup)
    assert result.pairing == PAIRED_BY_SEED and result.pairs == 6
    assert (result.a_only, result.b_only) == (3, 0)
    assert list(result.per_variant) == ["clean→popup"]
    assert result.unpaired_b == ["docs.c@popup-s7"]
    out = compare(str(clean), str(popup))
    assert out.returncode == 0, out.stderr  # 3 discordant pairs can never be significant
    assert "paired by (task, seed)" in out.stdout


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`officegym ARGS` in this process (as the console script runs it): (exit code, stdout)."""
    from officegym.cli import main

    code = main(list(args))
    return code, capsys.readouterr().out


def failed_episode(task: str, variant: str, seed: int, status: str) -> EpisodeResult:
    """An episode that ended in `status` before it was evaluated, as the runner records one."""
    from officegym.runner import Job, Pending, RetryPolicy

    recorded: list[EpisodeResult] = []
    name = f"{task}@{variant}-s{seed}"
    job = Job(task, seed, name, f"/nowhere/{name}", variant=variant)
    RetryPolicy("x", retries=0, record=recorded.append).settle(
        Pending(job, 1), status, "it ended", None, kind="episode timeout"
    )
    return recorded[0]


def test_the_names_of_variants_are_the_tasks_own() -> None:
    # The evaluators import no task, so they spell these names themselves: they must agree.
    from officegym.evaluators._variants import (
        INJECT_VARIANT,
        TASK_VARIANT_SEPARATOR,
        VARIANT_COMBINE,
    )
    from officegym.tasks import variants

    assert INJECT_VARIANT == variants.INJECT_VARIANT
    assert VARIANT_COMBINE == variants.COMBINE
    assert TASK_VARIANT_SEPARATOR == variants.SUITE_SEPARATOR


def test_an_injected_episode_that_failed_before_evaluation_is_attack_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # B timed out on an injected episode, its agent raised in one under narrow+inject, and a
    # popup one crashed: the injected two are neither attacked nor safe; the popup one carried
    # no injection.
    outcomes = {k: v for k, v in OUTCOMES.items() if k[1] != "popup"}
    outcomes[("mail.a", "narrow+inject", 0)] = (True, True)
    outcomes[("mail.a", "popup", 0)] = (True, None)
    failed = [
        failed_episode("mail.a", "inject", 1, "timeout"),
        failed_episode("mail.a", "narrow+inject", 0, "agent_error"),
        failed_episode("mail.a", "popup", 0, "crashed"),
    ]
    assert all(r.attacked is None and not r.success for r in failed)
    replaced = {(r.task_id, r.variant, r.seed) for r in failed}
    run_a = write_run(tmp_path / "a", outcomes)
    run_b = write_run(tmp_path / "b", {k: v for k, v in outcomes.items() if k not in replaced})
    store = ResultStore(run_b / "results.sqlite")
    for r in failed:
        store.add(r)
    store.close()

    figures = aggregate(load_results(run_b))
    inject = figures["per_variant"]["inject"]
    assert inject["attack_unknown"] == 1
    # Judged: mail.a s0 (yes), chat.b (yes, yes), docs.c (no, no); not the one that timed out.
    assert inject["attack_success"] == {
        "episodes": 5,
        "templates": 3,
        **interval({"mail.a": [1], "chat.b": [1, 1], "docs.c": [0, 0]}),
    }
    assert figures["per_variant"]["narrow+inject"]["attack_unknown"] == 1
    assert figures["per_variant"]["narrow+inject"]["attack_success"] is None
    assert figures["per_variant"]["popup"]["attack_unknown"] == 0
    assert figures["attack_unknown"] == 2 and figures["attack_success"]["episodes"] == 5

    result = compare_runs(run_a, run_b)
    assert (result.attack_unknown_a, result.attack_unknown_b) == (0, 2)
    assert result.attack_pairs == 5  # the pairs whose attack was judged in both
    assert result.per_variant["inject"]["attack_unknown_b"] == 1
    assert result.per_variant["narrow+inject"]["attack_unknown_b"] == 1
    assert result.per_variant["narrow+inject"]["attack_pairs"] == 0
    assert result.per_variant["popup"]["attack_unknown_b"] == 0
    code, out = cli(capsys, "compare", str(run_a), str(run_b))
    assert code == 0
    assert "attack unknown: 0 in A, 2 in B" in out


def test_compare_gives_each_variant_its_interval_and_attack_mcnemar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 4 tasks × 2 seeds, clean and inject; popup for mail.t0 only (one template). B loses the
    # injected episodes of t0, t1 and t2, is attacked in 7 of 8 where A was in none.
    tasks = [f"mail.t{i}" for i in range(4)]
    keys = [(t, v, s) for t in tasks for v in ("", "inject") for s in (0, 1)]
    keys += [("mail.t0", "popup", s) for s in (0, 1)]
    a = {k: (True, None if k[1] != "inject" else False) for k in keys}
    lost = {k for k in keys if k[1] == "inject" and k[0] != "mail.t3"}
    b = {k: (k not in lost, None if k[1] != "inject" else k != keys[3]) for k in keys}
    run_a, run_b = write_run(tmp_path / "a", a), write_run(tmp_path / "b", b)
    result = compare_runs(run_a, run_b, alpha=0.1)

    inject = result.per_variant["inject"]
    mean, low, high = cluster_bootstrap_ci(
        {"mail.t0": [-1, -1], "mail.t1": [-1, -1], "mail.t2": [-1, -1], "mail.t3": [0, 0]},
        alpha=0.1,
    )
    assert (inject["templates"], inject["difference"]) == (4, -0.75) and mean == -0.75
    assert (inject["ci_low"], inject["ci_high"]) == (low, high) and high < 0
    assert (inject["attack_a_only"], inject["attack_b_only"]) == (0, 7)
    assert inject["attack_p_value"] == mcnemar_exact(0, 7)
    popup = result.per_variant["popup"]
    assert popup["templates"] == 1 and popup["ci_low"] == popup["ci_high"] == 0.0
    assert result.per_variant[""]["attack_p_value"] == 1.0
    assert result.interval_excludes_zero  # −6 of 20 pairs, the interval by task below 0
    assert result.as_dict()["interval_excludes_zero"] is True

    code, out = cli(capsys, "compare", str(run_a), str(run_b), "--alpha", "0.1")
    assert code == 1  # 6 discordant pairs one way, and 7 attacks
    assert "90% CI by task" in out and "excludes 0" in out and "95%" not in out
    assert "\t90% CI\t" in out  # the per-variant header
    ci = f"{low:+.0%} to {high:+.0%}"
    assert f"inject\t8\t100%\t25%\t-75%\t{ci}\t0%\t88%\t0/7\t{mcnemar_exact(0, 7):.4g}\t0/0" in out
    assert "popup\t2\t100%\t100%\t+0%\tn/a\t" in out  # one template: no interval to show


def test_compare_keeps_each_variant_of_a_task_apart_in_per_task_and_the_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # chat.b loses both popup episodes in B and gains nothing clean: merged by task it would
    # be one row "chat.b" of 4 pairs; kept apart, "chat.b@popup" regressed and "chat.b" did not.
    a = {k: v for k, v in OUTCOMES.items() if k[1] != "inject"}
    b = {**a, ("chat.b", "popup", 0): (False, None), ("chat.b", "popup", 1): (False, None)}
    a[("chat.b", "popup", 0)] = a[("chat.b", "popup", 1)] = (True, None)
    a[("docs.c", "", 0)] = (False, None)  # B improves on clean docs.c
    result = compare_runs(write_run(tmp_path / "a", a), write_run(tmp_path / "b", b))
    assert sorted(result.per_task) == [
        "chat.b", "chat.b@popup", "docs.c", "docs.c@popup", "mail.a", "mail.a@popup",
    ]  # fmt: skip
    assert result.per_task["chat.b@popup"]["pairs"] == 2
    assert result.per_task["chat.b"]["difference"] == 0.0
    assert result.regressed == ["chat.b@popup"] and result.improved == ["docs.c"]
    code, out = cli(capsys, "compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 0  # two discordant pairs can never be significant
    assert "regressed: chat.b@popup\n" in out and "improved: docs.c\n" in out

    # Runs of one variant keep rows by task, as before variants.
    only_popup = {k: v for k, v in b.items() if k[1] == "popup"}
    one = compare_runs(write_run(tmp_path / "c", only_popup), write_run(tmp_path / "d", b))
    assert sorted(one.per_task) == ["chat.b", "docs.c", "mail.a"]
    assert one.per_variant.keys() == {"popup"}


def test_a_variant_stored_as_clean_keeps_a_row_apart_from_the_clean_episodes(
    tmp_path: Path,
) -> None:
    outcomes = {k: v for k, v in OUTCOMES.items() if k[1] == ""}
    outcomes[("mail.a", "clean", 0)] = (False, None)
    figures = aggregate(load_results(write_run(tmp_path / "run", outcomes)))
    assert list(figures["per_variant"]) == ["", "clean"]
    assert figures["per_variant"][""]["episodes"] == 6
    assert figures["per_variant"][""]["success"]["mean"] == 1.0
    assert figures["per_variant"]["clean"]["episodes"] == 1
    assert figures["per_variant"]["clean"]["drop"] == {
        "pairs": 1, "templates": 1, "mean": 1.0, "low": 1.0, "high": 1.0,
    }  # fmt: skip
    assert (variant_label(""), variant_label("clean")) == ("clean", "clean (variant)")
