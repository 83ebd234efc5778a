"""`officegym run`: an agent on a suite, every episode stored, a summary and a report at the end."""

from __future__ import annotations

import argparse
import json
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from officegym.cli._shared import (
    EXIT_OK,
    Verbs,
    add_backend,
    add_workers,
    print_table,
    progress_bar,
)
from officegym.sandbox import SANDBOXES

if TYPE_CHECKING:
    from officegym.results import EpisodeResult
    from officegym.runner import RunSummary


def add_parser(verbs: Verbs) -> None:
    """Add the `run` verb.

    Args:
        verbs: The CLI's subparsers.
    """
    run = verbs.add_parser("run", help="run an agent on a suite and store every episode")
    run.add_argument(
        "--suite",
        required=True,
        help="suite name (officegym tasks list); SUITE@VARIANT plays it under a variant, "
        "e.g. core@popup+narrow; robust and inject play each task clean and under variants "
        "(docs/variants.md)",
    )
    run.add_argument(
        "--task",
        action="append",
        metavar="ID",
        help="only this task of the suite (repeat for more; a resume must name the same ones)",
    )
    run.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="only the first N episodes of the plan: the suite's tasks in the order "
        "`tasks list --suite` prints them, each task's seeds in turn",
    )
    run.add_argument(
        "--agent",
        required=True,
        help="oracle, random, package.module:Class, http://HOST:PORT/PATH "
        "or openai-compatible:MODEL@URL (docs/agents.md)",
    )
    _add_agent_options(run)
    run.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 of every task (default 1)")
    add_workers(run)
    run.add_argument("--out", required=True, type=Path, help="run directory to write")
    run.add_argument("--action-mode", choices=("computer", "browser"), default="computer")
    add_backend(run)
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out: skip the episodes stored there (the run's settings "
        "must be the same)",
    )
    run.add_argument(
        "--retry-errors",
        action="store_true",
        help="with --resume: play again the episodes that ended in an error (agent_error, "
        "timeout, crashed); their earlier attempts are kept",
    )
    run.add_argument("--quiet", action="store_true", help="no per-episode lines")
    run.add_argument("--no-report", action="store_true", help="do not write OUT/report/")
    _add_limits(run)
    _add_placement(run)
    run.set_defaults(func=cmd_run)


def _add_agent_options(run: argparse.ArgumentParser) -> None:
    """How the agent is made, and when a failing one stops the run."""
    run.add_argument(
        "--agent-option",
        action="append",
        type=agent_option,
        metavar="KEY=VALUE",
        help="an argument of the agent's constructor; VALUE is read as JSON when it is JSON "
        "(max_tokens=512, temperature=0.2, extra_body='{\"top_p\": 0.9}'), else as text "
        "(system_prompt_file=prompt.txt); repeat for more (docs/agents.md)",
    )
    run.add_argument(
        "--fail-fast",
        type=int,
        metavar="N",
        help="stop the run (exit 2, naming the cause) when its first N episodes all fail the "
        "same way, e.g. HTTP 401 or connection refused (default 3; 0: never)",
    )


def agent_option(text: str) -> tuple[str, Any]:
    """`KEY=VALUE` of `--agent-option`: the key, and the value read as JSON, else as text.

    >>> agent_option("max_tokens=512"), agent_option("system_prompt_file=my prompt.txt")
    (('max_tokens', 512), ('system_prompt_file', 'my prompt.txt'))

    Raises:
        argparse.ArgumentTypeError: no `=`, or a key that is not a Python name.
    """
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(
            f"{text[:80]!r}: write KEY=VALUE, KEY an argument name such as max_tokens"
        )
    try:
        return key, json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        return key, value


def agent_options(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The `--agent-option` pairs as keyword arguments.

    Raises:
        ValueError: a key given twice.
    """
    options: dict[str, Any] = {}
    for key, value in pairs:
        if key in options:
            raise ValueError(f"--agent-option {key} is given twice: give each option once")
        options[key] = value
    return options


def _add_limits(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--step-timeout",
        type=float,
        default=120.0,
        help="seconds the agent (or the env) may take for one step (default 120)",
    )
    run.add_argument(
        "--episode-timeout",
        type=float,
        default=900.0,
        help="seconds one episode may take (default 900)",
    )
    run.add_argument(
        "--retries",
        type=int,
        default=2,
        help="more attempts for an episode whose browser or worker failed (default 2)",
    )


def _add_placement(run: argparse.ArgumentParser) -> None:
    """Where the workers run: executor, cores, sandbox."""
    run.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="local: worker processes here (default); ray: Ray actors (officegym[ray])",
    )
    run.add_argument("--ray-address", help="a running Ray cluster (default: start one here)")
    run.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="with 2+ local workers, keep each worker and its browser on a core of its own "
        "(default: off; the kernel places them, which is not slower idle and faster beside "
        "other work, see benchmarks/RESULTS.md)",
    )
    run.add_argument(
        "--sandbox",
        choices=SANDBOXES,
        default="local",
        help="local: browsers and apps run here (default); docker: a container per worker",
    )


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    """Run the suite with a progress bar and a line per episode, then summarise and report."""
    from officegym.runner import FAIL_FAST_AFTER, Limits, RunConfig, run

    config = RunConfig(
        suite=args.suite,
        agent=args.agent,
        seeds=args.seeds,
        out=args.out,
        workers=args.workers,
        action_mode=args.action_mode,
        backend=args.backend,
        resume=args.resume,
        retry_errors=args.retry_errors,
        limits=Limits(args.step_timeout, args.episode_timeout, args.retries),
        executor=args.executor,
        ray_address=args.ray_address,
        sandbox=args.sandbox,
        pin_cores=args.pin,
        tasks=tuple(args.task or ()),
        limit=args.limit,
        agent_options=agent_options(args.agent_option or []),
        fail_fast=FAIL_FAST_AFTER if args.fail_fast is None else args.fail_fast,
    )
    bar = progress_bar(console, "success {task.fields[rate]}")
    job = bar.add_task("episodes", total=None, rate="–")
    successes = played = 0

    def progress(result: EpisodeResult, done: int, total: int) -> None:
        nonlocal successes, played
        # Of the episodes played now: `done` also counts those a resume found stored.
        successes, played = successes + result.success, played + 1
        bar.update(job, completed=done, total=total, rate=f"{successes / played:.0%}")
        if not args.quiet:
            console.print(_episode_line(result, done, total))

    signal.signal(signal.SIGTERM, _interrupt)  # a terminated run still tears down its sandboxes
    with bar:
        summary = run(config, on_result=progress)
    index = None
    if not args.no_report:  # written before anything is printed: a reader gone cannot stop it
        from officegym.report import write_report

        index = write_report(args.out)
    print_summary(summary, console, args.out)
    if index is not None:
        console.print(f"report: {index}", soft_wrap=True, markup=False)  # a path: no markup
    return EXIT_OK


def _episode_line(result: EpisodeResult, done: int, total: int) -> str:
    """One episode's line: its mark, score, steps and time, what went wrong if anything, and
    whether an injected instruction's goal was reached (`attacked`, whatever the task's end)."""
    mark = "[green]✓[/]" if result.success else "[red]✗[/]"
    failed = result.failed_checkpoints()
    # Escaped: an agent's error may hold brackets that rich would take for markup.
    note = (
        f"  [dim]{escape(result.error or 'failed: ' + '; '.join(failed))}[/]"
        if failed or result.error
        else ""
    )
    if result.status not in ("done", "agent_error"):
        note = f"  [yellow]{result.status}[/]{note}"
    if result.attempts > 1:
        note += f"  [yellow](attempt {result.attempts})[/]"
    if result.attacked:
        note += "  [red]attacked[/]"
    return (
        f"[{done:>3}/{total}] {mark} {escape(result.episode_id):<40} score {result.score:.2f}"
        f"  {result.steps:>3} steps  {result.seconds:5.2f}s{note}"
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def print_summary(summary: RunSummary, console: Console, out: Path) -> None:
    """Print the run's summary as a table per task, and where its results are.

    Args:
        summary: The run's summary (what OUT/summary.json holds).
        console: The console to print on.
        out: The run directory.
    """
    # Names as given (an agent's model or path may hold brackets), not markup.
    table = Table(
        title=f"{escape(summary.agent)} on {escape(summary.suite)} — {summary.episodes} "
        f"episodes, success {summary.success_rate:.0%}, "
        f"mean score {summary.mean_score:.2f}"
    )
    for col in ("task", "episodes", "success", "mean score", "mean steps", "errors"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for task_id, row in summary.per_task.items():
        table.add_row(
            escape(task_id),
            str(row.episodes),
            f"{row.success_rate:.0%}",
            f"{row.mean_score:.2f}",
            f"{row.mean_steps:.1f}",
            str(row.errors),
        )
    print_table(console, table)
    console.print(
        f"results: {out / 'results.sqlite'}   summary: {out / 'summary.json'}", markup=False
    )
