"""`officegym …`: one verb per job. Exit codes: 0 ok, 1 negative verdict, 2 bad usage or input."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from officegym.envs import ENV_BACKENDS
from officegym.errors import OfficegymError
from officegym.sandbox import SANDBOXES

EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="officegym", description="Replay and evaluation harness for computer-use agents."
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    tasks = verbs.add_parser("tasks", help="list tasks and suites")
    tasks_verbs = tasks.add_subparsers(dest="tasks_verb", required=True, metavar="ACTION")
    listing = tasks_verbs.add_parser("list", help="list the task templates")
    listing.add_argument("--suite", help="only the tasks of this suite (e.g. smoke, mail, core)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    run = verbs.add_parser("run", help="run an agent on a suite and store every episode")
    run.add_argument("--suite", required=True, help="suite name (officegym tasks list)")
    run.add_argument(
        "--agent",
        required=True,
        help="oracle, random, package.module:Class, http://HOST:PORT/PATH "
        "or openai-compatible:MODEL@URL (docs/agents.md)",
    )
    run.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 of every task (default 1)")
    run.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    run.add_argument("--out", required=True, type=Path, help="run directory to write")
    run.add_argument("--action-mode", choices=("computer", "browser"), default="computer")
    run.add_argument("--backend", choices=ENV_BACKENDS, default="headless")
    run.add_argument("--resume", action="store_true", help="skip episodes already in --out")
    run.add_argument("--quiet", action="store_true", help="no per-episode lines")
    run.add_argument("--no-report", action="store_true", help="do not write OUT/report/")
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
    run.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="local: worker processes here (default); ray: Ray actors (officegym[ray])",
    )
    run.add_argument("--ray-address", help="a running Ray cluster (default: start one here)")
    run.add_argument(
        "--no-pin",
        action="store_true",
        help="let the kernel place the workers (default: with 2+ local workers, each worker "
        "and its browser stay on a core of their own)",
    )
    run.add_argument(
        "--sandbox",
        choices=SANDBOXES,
        default="local",
        help="local: browsers and apps run here (default); docker: a container per worker",
    )

    replay = verbs.add_parser("replay", help="replay trajectories and judge each one")
    replay.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="trajectory folders or zips, or folders to search for them",
    )
    replay.add_argument("--out", required=True, type=Path, help="verdicts.jsonl to write")
    replay.add_argument(
        "--mode",
        choices=("fast", "realtime"),
        default="fast",
        help="fast: no idle time, moves coalesced (default); realtime: as recorded",
    )
    replay.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    replay.add_argument(
        "--backend", choices=ENV_BACKENDS, default="headless", help="env backend to replay in"
    )
    replay.add_argument(
        "--no-fail", action="store_true", help="exit 0 even when some recordings are not valid"
    )
    replay.add_argument(
        "--serve", type=Path, help="answer the pages of imported recordings from this folder"
    )

    record = verbs.add_parser("record", help="record yourself doing a task in a browser window")
    record.add_argument("--task", required=True, help="task id (officegym tasks list)")
    record.add_argument("--seed", type=int, default=0, help="task seed (default 0)")
    record.add_argument("--out", required=True, type=Path, help="trajectory folder to write")
    record.add_argument(
        "--backend",
        choices=("display", "xvfb"),
        default="display",
        help="display: a window on $DISPLAY (default); xvfb: a virtual screen",
    )
    record.add_argument("--overwrite", action="store_true", help="replace an existing recording")

    synth = verbs.add_parser(
        "synth", help="make human-like recordings of the oracle's solutions (needs Xvfb)"
    )
    which = synth.add_mutually_exclusive_group(required=True)
    which.add_argument("--suite", help="every task of this suite (officegym tasks list)")
    which.add_argument("--task", action="append", help="this task (repeat for more)")
    synth.add_argument("--per-task", type=int, default=1, help="recordings per task (default 1)")
    synth.add_argument("--first-seed", type=int, default=0, help="seed of the first recording")
    synth.add_argument("--out", required=True, type=Path, help="folder to write them into")
    synth.add_argument("--zip", action="store_true", help="store each recording as a .zip")

    compare = verbs.add_parser("compare", help="compare run B with baseline run A, paired")
    compare.add_argument("run_a", type=Path, metavar="RUN_A", help="baseline run directory")
    compare.add_argument("run_b", type=Path, metavar="RUN_B", help="candidate run directory")
    compare.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="significance level of the exact McNemar test (default 0.05)",
    )
    compare.add_argument("--json", action="store_true", help="print JSON instead of a table")
    compare.add_argument(
        "--html",
        action="store_true",
        help="also write RUN_B/report/ with a compare page against RUN_A",
    )

    report = verbs.add_parser("report", help="write a static HTML report of a run")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="run directory")
    report.add_argument("--verdicts", type=Path, help="verdicts.jsonl of `officegym replay`")
    report.add_argument("--baseline", type=Path, help="a run to compare this one against")
    report.add_argument(
        "--reference",
        type=Path,
        action="append",
        help="oracle run or valid recordings to measure efficiency against (repeatable)",
    )

    from officegym.replayer._commands import add_parsers

    add_parsers(verbs)
    sandbox = verbs.add_parser("sandbox", help="the Docker sandboxes: build the image, clean up")
    sandbox_verbs = sandbox.add_subparsers(dest="sandbox_verb", required=True, metavar="ACTION")
    sweep = sandbox_verbs.add_parser("cleanup", help="remove sandbox containers and networks")
    sweep.add_argument("--run", help="only those of this run id (default: every one)")
    sandbox_verbs.add_parser("build", help="build the sandbox image (and its base if missing)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(stderr=False, highlight=False)
    try:
        if args.verb == "tasks":
            return cmd_tasks_list(args, console)
        if args.verb == "run":
            return cmd_run(args, console)
        if args.verb == "replay":
            return cmd_replay(args, console)
        if args.verb == "compare":
            return cmd_compare(args, console)
        if args.verb == "report":
            return cmd_report(args, console)
        if args.verb == "record":
            return cmd_record(args, console)
        if args.verb == "synth":
            return cmd_synth(args, console)
        if args.verb in ("import", "audit", "redact"):
            from officegym.replayer import _commands

            return int(getattr(_commands, f"cmd_{args.verb}")(args, console))
        if args.verb == "sandbox":
            from officegym.sandbox._commands import cmd_sandbox

            return cmd_sandbox(args, console)
    except OfficegymError as exc:
        print(f"officegym {args.verb}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, FileNotFoundError, FileExistsError) as exc:
        print(f"officegym {args.verb}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def cmd_tasks_list(args: argparse.Namespace, console: Console) -> int:
    from officegym.tasks import get_task, suite_tasks, suites, task_ids

    ids = suite_tasks(args.suite) if args.suite else task_ids()
    rows: list[dict[str, Any]] = []
    for tid in ids:
        task = get_task(tid)
        rows.append(
            {
                "id": tid,
                "apps": list(task.apps),
                "tags": list(task.tags),
                "max_steps": task.max_steps,
                "instruction": task.instruction,
                "suites": sorted(s for s, members in suites().items() if tid in members),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    table = Table(title=f"{len(rows)} tasks" + (f" in suite {args.suite!r}" if args.suite else ""))
    for col in ("id", "apps", "tags", "instruction"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], ",".join(r["apps"]), ",".join(r["tags"]), r["instruction"])
    console.print(table)
    return EXIT_OK


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from officegym.results import EpisodeResult
    from officegym.runner import Limits, RunConfig, run

    config = RunConfig(
        suite=args.suite,
        agent=args.agent,
        seeds=args.seeds,
        out=args.out,
        workers=args.workers,
        action_mode=args.action_mode,
        backend=args.backend,
        resume=args.resume,
        limits=Limits(args.step_timeout, args.episode_timeout, args.retries),
        executor=args.executor,
        ray_address=args.ray_address,
        sandbox=args.sandbox,
        pin_cores=not args.no_pin,
    )
    columns = (
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        "success {task.fields[rate]}",
        TimeRemainingColumn(),
    )
    bar = Progress(*columns, console=console, disable=not console.is_terminal)
    job = bar.add_task("episodes", total=None, rate="–")
    successes = 0

    def progress(result: EpisodeResult, done: int, total: int) -> None:
        nonlocal successes
        successes += result.success
        bar.update(job, completed=done, total=total, rate=f"{successes / done:.0%}")
        if args.quiet:
            return
        mark = "[green]✓[/]" if result.success else "[red]✗[/]"
        failed = [c["name"] for c in result.checkpoints if not c["passed"]]
        note = (
            f"  [dim]{result.error or 'failed: ' + '; '.join(failed)}[/]"
            if failed or result.error
            else ""
        )
        if result.status not in ("done", "agent_error"):
            note = f"  [yellow]{result.status}[/]{note}"
        if result.attempts > 1:
            note += f"  [yellow](attempt {result.attempts})[/]"
        console.print(
            f"[{done:>3}/{total}] {mark} {result.episode_id:<40} score {result.score:.2f}"
            f"  {result.steps:>3} steps  {result.seconds:5.2f}s{note}"
        )

    signal.signal(signal.SIGTERM, _interrupt)  # a terminated run still tears down its sandboxes
    with bar:
        summary = run(config, on_result=progress)
    print_summary(summary, console, args.out)
    if not args.no_report:
        from officegym.report import write_report

        console.print(f"report: {write_report(args.out)}", soft_wrap=True)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def cmd_replay(args: argparse.Namespace, console: Console) -> int:
    from collections import Counter

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from officegym.replayer import Verdict, replay_all
    from officegym.trajectory import find_trajectories

    paths = list(find_trajectories(args.paths))
    if not paths:
        raise ValueError(f"no trajectories found in {' '.join(args.paths)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with (
        args.out.open("w") as out,
        Progress(*columns, console=console, disable=not console.is_terminal) as bar,
    ):
        job = bar.add_task("replaying", total=len(paths))
        for result in replay_all(paths, args.mode, args.workers, args.backend, args.serve):
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            out.flush()  # a verdict is kept the moment it is known
            counts[result.verdict] += 1
            bar.advance(job)
            if result.verdict != Verdict.VALID:
                where = f" at event {result.event_index}" if result.event_index is not None else ""
                console.print(
                    f"[red]{result.verdict}[/]{where}: {result.trajectory}: {result.reason}",
                    markup=True,
                    highlight=False,
                )
    summary = ", ".join(f"{counts[v]} {v}" for v in Verdict if counts[v])
    console.print(f"{len(paths)} trajectories: {summary}   verdicts: {args.out}")
    invalid = len(paths) - counts[Verdict.VALID]
    return EXIT_NEGATIVE if invalid and not args.no_fail else EXIT_OK


def cmd_record(args: argparse.Namespace, console: Console) -> int:
    import threading

    from officegym.recorder import Recorder

    if (args.out / "meta.json").exists() and not args.overwrite:
        raise ValueError(f"{args.out} already holds a recording: pick another --out or --overwrite")
    recorder = Recorder(args.task, args.seed, args.out, backend=args.backend, overwrite=True)
    recorder.start()

    # soft_wrap: one line each, whatever the terminal's width, for programs that read them.
    def say(text: str) -> None:
        console.print(text, soft_wrap=True)

    say(f"[bold]Task[/] {args.task} (seed {args.seed}): {recorder.goal}")
    if args.backend == "xvfb":
        say(
            f"The browser is on virtual display {recorder.display}; see it with, for example, "
            f"`x11vnc -display {recorder.display}` and a VNC viewer."
        )
    say(
        "Do the task in the browser window. Then type your answer here and press Enter "
        "(just Enter when the task asks for none), or close the window."
    )

    def read_answer() -> None:
        try:
            line = sys.stdin.readline()
        except (OSError, ValueError):
            line = ""
        if not line and args.backend == "display":
            return  # no terminal input: the window's closing ends the recording
        try:  # at end of input on a virtual screen nobody can close, end without an answer
            recorder.finish((line.rstrip("\n") or None) if line else None)
        except Exception as exc:  # the window closed meanwhile: that ended it already
            if not recorder.finished.is_set():
                say(f"[red]could not end the recording: {exc}[/]")
                recorder.finished.set()

    threading.Thread(target=read_answer, daemon=True).start()
    try:
        recorder.wait()
    except KeyboardInterrupt:
        recorder.close()
        say(f"interrupted: what was recorded until now is in {args.out}, without an answer")
        return 130
    evaluation = recorder.evaluation
    done = "done" if evaluation and evaluation.success else "not done"
    score = f"score {evaluation.score:.2f}" if evaluation else "not scored"
    say(f"recorded {args.out}: the task is {done} ({score})")
    return EXIT_OK


def cmd_synth(args: argparse.Namespace, console: Console) -> int:
    import shutil

    from officegym.errors import BrowserUnavailableError
    from officegym.recorder import synthesize
    from officegym.tasks import get_task, suite_tasks
    from officegym.trajectory import zip_trajectory

    failures = 0
    task_ids = args.task or suite_tasks(args.suite)
    for task_id in task_ids:
        get_task(task_id)  # an unknown id fails before anything starts
    for task_id in task_ids:
        for seed in range(args.first_seed, args.first_seed + args.per_task):
            folder = args.out / task_id / f"s{seed}"
            try:
                result = synthesize(task_id, seed, folder)
            except BrowserUnavailableError:
                raise  # nothing else will work either
            except Exception as exc:  # one failed recording never stops the others
                failures += 1
                shutil.rmtree(folder, ignore_errors=True)  # half a recording is not one
                console.print(f"[red]failed[/] {task_id} seed {seed}: {exc}", soft_wrap=True)
                continue
            if args.zip:
                zip_trajectory(folder, folder.with_suffix(".zip"))
                shutil.rmtree(folder)
            failures += not result.success
            mark = "[green]done[/]" if result.success else "[red]task not done[/]"
            again = f", {result.reclicks} click(s) made again" if result.reclicks else ""
            console.print(f"{mark} {task_id} seed {seed} in {result.seconds:.1f}s{again}")
    return EXIT_NEGATIVE if failures else EXIT_OK


def cmd_compare(args: argparse.Namespace, console: Console) -> int:
    from officegym.evaluators import compare_runs

    result = compare_runs(args.run_a, args.run_b, args.alpha)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        table = Table(title=f"{args.run_b} vs {args.run_a}: {result.pairs} paired episodes")
        for col in ("task", "pairs", "success A", "success B", "difference"):
            table.add_column(col, justify="left" if col == "task" else "right")
        for task, row in result.per_task.items():
            table.add_row(
                task,
                str(int(row["pairs"])),
                f"{row['success_a']:.0%}",
                f"{row['success_b']:.0%}",
                f"{row['difference']:+.0%}",
            )
        console.print(table)
        console.print(
            f"success {result.success_a:.1%} → {result.success_b:.1%}, difference "
            f"{result.difference:+.1%} (95% CI by task {result.ci_low:+.1%} to "
            f"{result.ci_high:+.1%}); exact McNemar p = {result.p_value:.4g} "
            f"({result.a_only} only A, {result.b_only} only B)"
        )
        for label, items in (
            ("regressed", result.regressed),
            ("improved", result.improved),
            ("only in A", result.unpaired_a),
            ("only in B", result.unpaired_b),
        ):
            if items:
                console.print(f"{label}: {', '.join(items)}")
        verdict = (
            "significant regression"
            if result.significant_regression
            else "no significant regression"
        )
        console.print(f"{verdict} at alpha {args.alpha}")
    if args.html:
        from officegym.report import write_report

        page = write_report(args.run_b, baseline=args.run_a, alpha=args.alpha).parent
        print(f"report: {page / 'compare.html'}", file=sys.stderr if args.json else sys.stdout)
    return EXIT_NEGATIVE if result.significant_regression else EXIT_OK


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from officegym.report import write_report

    index = write_report(
        args.run_dir, verdicts=args.verdicts, baseline=args.baseline, references=args.reference
    )
    console.print(f"report: {index}", soft_wrap=True)
    return EXIT_OK


def print_summary(summary: dict[str, Any], console: Console, out: Path) -> None:
    table = Table(
        title=f"{summary['agent']} on {summary['suite']} — {summary['episodes']} "
        f"episodes, success {summary['success_rate']:.0%}, "
        f"mean score {summary['mean_score']:.2f}"
    )
    for col in ("task", "episodes", "success", "mean score", "mean steps", "errors"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for task_id, row in summary["per_task"].items():
        table.add_row(
            task_id,
            str(row["episodes"]),
            f"{row['success_rate']:.0%}",
            f"{row['mean_score']:.2f}",
            f"{row['mean_steps']:.1f}",
            str(row["errors"]),
        )
    console.print(table)
    console.print(f"results: {out / 'results.sqlite'}   summary: {out / 'summary.json'}")


if __name__ == "__main__":
    sys.exit(main())
