"""`officegym record` and `synth`: recordings by a person, or human-like ones of the oracle."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from officegym.cli._shared import EXIT_NEGATIVE, EXIT_OK, Verbs, add_quiet, progress_bar

if TYPE_CHECKING:
    from officegym.trajectory import CapturePolicy


def add_parser(verbs: Verbs) -> None:
    """Add the `record` and `synth` verbs.

    Args:
        verbs: The CLI's subparsers.
    """
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
    _add_policy(record)
    record.set_defaults(func=cmd_record)

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
    _add_policy(synth)
    add_quiet(synth)
    synth.set_defaults(func=cmd_synth)


def _add_policy(verb: argparse.ArgumentParser) -> None:
    verb.add_argument(
        "--policy",
        type=Path,
        metavar="POLICY.yaml",
        help="capture policy: pages never captured, fields always masked, pause hotkey, "
        "idle limit (docs/data-quality.md#capture-policy)",
    )


def _load_policy(args: argparse.Namespace, console: Console) -> CapturePolicy | None:
    """The `--policy` file, read before any browser starts; names no officegym app are said.

    Raises:
        CapturePolicyError: the file cannot be used (exit code 2).
    """
    from officegym.tasks.apps import APP_MODULES
    from officegym.trajectory import load_policy

    if args.policy is None:
        return None
    policy = load_policy(args.policy)
    for app in policy.exclude.apps:
        if app not in APP_MODULES:  # a host name of some other site is fine, a typo is not
            console.print(
                f"[yellow]note[/]: {escape(app)!r} in exclude.apps is no officegym app "
                f"({escape(', '.join(sorted(APP_MODULES)))}); it excludes hosts {escape(app)}.*",
                soft_wrap=True,
            )
    return policy


def cmd_record(args: argparse.Namespace, console: Console) -> int:
    """Record one task until the answer is typed here or the window is closed.

    Returns:
        EXIT_OK, or 130 when interrupted (what was recorded until then is kept).
    """
    import threading

    from officegym.recorder import Recorder

    if (args.out / "meta.json").exists() and not args.overwrite:
        raise ValueError(f"{args.out} already holds a recording: pick another --out or --overwrite")
    policy = _load_policy(args, console)
    recorder = Recorder(
        args.task, args.seed, args.out, backend=args.backend, overwrite=True, policy=policy
    )
    recorder.start()

    # soft_wrap: one line each, whatever the terminal's width, for programs that read them.
    def say(text: str) -> None:
        console.print(text, soft_wrap=True)

    say(f"[bold]Task[/] {escape(args.task)} (seed {args.seed}): {escape(recorder.goal)}")
    if args.backend == "xvfb":
        say(
            f"The browser is on virtual display {recorder.display}; see it with, for example, "
            f"`x11vnc -display {recorder.display}` and a VNC viewer."
        )
    say(
        "Do the task in the browser window. Then type your answer here and press Enter "
        "(just Enter when the task asks for none), or close the window."
    )
    if policy is not None and policy.pause_hotkey:
        hotkey = escape(policy.pause_hotkey)
        say(f"Press {hotkey} in the browser to pause capture; press it again to go on.")

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
                say(f"[red]could not end the recording: {escape(str(exc))}[/]")
                recorder.finished.set()

    threading.Thread(target=read_answer, daemon=True).start()
    try:
        recorder.wait()
    except KeyboardInterrupt:
        recorder.close()
        say(escape(f"interrupted: what was recorded until now is in {args.out}, without an answer"))
        return 130
    evaluation = recorder.evaluation
    done = "done" if evaluation and evaluation.success else "not done"
    score = f"score {evaluation.score:.2f}" if evaluation else "not scored"
    say(escape(f"recorded {args.out}: the task is {done} ({score})"))
    return EXIT_OK


def cmd_synth(args: argparse.Namespace, console: Console) -> int:
    """Synthesize the recordings asked for; a failed one is reported and the rest go on.

    Returns:
        EXIT_NEGATIVE when a recording failed or its task was not done, else EXIT_OK.
    """
    from officegym.tasks import get_task, suite_tasks

    task_ids = args.task or suite_tasks(args.suite)
    for task_id in task_ids:
        get_task(task_id)  # an unknown id fails before anything starts
    if args.per_task < 1:
        raise ValueError("--per-task must be at least 1")
    args.capture_policy = _load_policy(args, console)
    seeds = range(args.first_seed, args.first_seed + args.per_task)
    failures = 0
    with progress_bar(console, quiet=args.quiet) as bar:
        job = bar.add_task("synthesizing", total=len(task_ids) * len(seeds))
        for task_id in task_ids:
            for seed in seeds:
                failures += not _synth_one(args, task_id, seed, console)
                bar.advance(job)
    return EXIT_NEGATIVE if failures else EXIT_OK


def _synth_one(args: argparse.Namespace, task_id: str, seed: int, console: Console) -> bool:
    """Make one recording into `--out` and print its line; True if it did its task.

    Raises:
        BrowserUnavailableError: no browser or screen to record in (no other will work either).
    """
    import shutil

    from officegym.errors import BrowserUnavailableError
    from officegym.recorder import synthesize
    from officegym.trajectory import zip_trajectory

    folder = args.out / task_id / f"s{seed}"
    try:
        result = synthesize(task_id, seed, folder, policy=args.capture_policy)
    except BrowserUnavailableError:
        raise
    except Exception as exc:  # one failed recording never stops the others
        shutil.rmtree(folder, ignore_errors=True)  # half a recording is not one
        console.print(f"[red]failed[/] {task_id} seed {seed}: {escape(str(exc))}")
        return False
    if args.zip:
        zip_trajectory(folder, folder.with_suffix(".zip"))
        shutil.rmtree(folder)
    mark = "[green]done[/]" if result.success else "[red]task not done[/]"
    again = f", {result.reclicks} click(s) made again" if result.reclicks else ""
    console.print(f"{mark} {task_id} seed {seed} in {result.seconds:.1f}s{again}")
    return result.success
