"""`officegym report RUN` and `officegym view RECORDING…`: the viewer, written as files.

The viewer is one page, `index.html`, that works offline from file://: its data is JSON inside
the page (a `<script type="application/json">`, never run), its code and style are files next to
it (`viewer*.js`, `viewer.css`), and its screenshots are image files it names by relative URLs
(a run's own frames where the run keeps them; copies under `frames/` for recordings and zips).
A Content-Security-Policy lets the page load only those files: no inline script, no network.
Nothing read from a run or a recording reaches the page as markup: the scripts put every text
in with `textContent`.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from officegym.errors import RunFolderError
from officegym.evaluators import (
    aggregate,
    compare_runs,
    episode_metrics,
    load_references,
    pair_episodes,
)
from officegym.report._episodes import recording_episode, run_episode, totals
from officegym.report._marks import clip
from officegym.report._timeline import (
    MAX_LOG_LINE,
    TEXT_CHARS,
    Frames,
    Step,
    agent_timeline,
    read_step_log,
)
from officegym.results import RESULTS_FILE, EpisodeResult, ResultStore, load_results
from officegym.tasks import task_labels

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# The scripts of the viewer, in the order the page loads them (each adds to `OG`).
SCRIPTS = ("viewer-core.js", "viewer-list.js", "viewer-episode.js", "viewer-compare.js")
# What `officegym view` checks before it writes into a folder that is not empty: a viewer's page.
GENERATOR = "officegym viewer"
# The files an earlier version's report wrote, removed so no stale page stays beside the viewer.
OLD_REPORT_FILES = ("style.css", "compare.html", "verdicts.html")
VERSION = "officegym.viewer/1"  # the `format` of the page's data (docs/viewer.md, "Data")
MAX_VERDICTS = 50_000
# The long texts of steps (models' replies, accessibility trees) one page holds at most, in
# characters: a run of thousands of episodes would otherwise make a page no browser opens.
STEP_TEXT_BUDGET = 40_000_000
OVER_BUDGET = "(not kept: the page holds at most {:,} characters of replies and trees)"


def write_report(
    run_dir: str | Path,
    *,
    verdicts: str | Path | None = None,
    baseline: str | Path | None = None,
    references: list[str | Path] | None = None,
    alpha: float = 0.05,
) -> Path:
    """Write the run's viewer to `RUN_DIR/report/` and return the path of its `index.html`.

    Args:
        verdicts: a `verdicts.jsonl` of `officegym replay`, shown in its own view.
        baseline: another run; the compare view then pairs this run's episodes with its.
        references: oracle runs or valid recordings, for efficiency and step agreement.
        alpha: the significance level of the summary's intervals and the comparison's test.

    Raises:
        FileNotFoundError: the run (or baseline, or verdicts file) does not exist.
        ValueError: the baseline shares no (task, variant, seed) episode with the run (nor,
            for two runs of one different variant each, a (task, seed) one); a verdicts line
            is not JSON.
        RunFolderError: `RUN_DIR/report` is a link, or leads out of the run folder.
    """
    run = Path(run_dir)
    results = load_results(run)
    info = _run_info(run)
    out = _report_folder(run)
    _remove_old_report(out)
    frames = Frames(out, copy=False)
    refs = load_references(references or [])
    metrics = {r.episode_id: episode_metrics(r, refs, task_labels) for r in results}
    episodes = [
        run_episode(run, r, metrics[r.episode_id], frames, f"e{i}") for i, r in enumerate(results)
    ]
    summary = (
        aggregate(results, list(metrics.values()), alpha, labels=task_labels) if results else None
    )
    title = f"{info.get('agent', '?')} on {info.get('suite', '?')}"
    data: dict[str, Any] = {
        "kind": "run",
        "title": title,
        "source": str(run),
        "info": {k: v for k, v in info.items() if isinstance(v, str | int | float | bool)},
        "episodes": episodes,
        "totals": totals(episodes),
        "summary": summary,
        "compare": _comparison(run, Path(baseline), alpha, frames) if baseline else None,
        "verdicts": _verdicts(Path(verdicts)) if verdicts else None,
    }
    return _write_app(out, f"{title} — officegym report", data)


def write_viewer(recordings: Sequence[str | Path], out: str | Path) -> Path:
    """Write a viewer of recordings (trajectory folders or zips) to `out`; return its page.

    Every frame is copied into `out/frames/`, so the folder can be handed on whole. A
    recording that cannot be read is listed with the reason (error kind `unreadable`).

    Raises:
        ValueError: `out` holds files, and no viewer written earlier.
    """
    folder = Path(out)
    page = folder / "index.html"
    if folder.exists() and any(folder.iterdir()):
        if not (page.is_file() and GENERATOR in page.read_text(errors="replace")[:2000]):
            raise ValueError(f"{folder} holds files that are no viewer's: choose another --out")
        _remove_tree(folder / "frames")
    folder.mkdir(parents=True, exist_ok=True)
    frames = Frames(folder, copy=True)
    episodes = [recording_episode(Path(p), frames, f"r{i}") for i, p in enumerate(recordings)]
    title = f"{len(episodes)} recording{'' if len(episodes) == 1 else 's'}"
    data = {
        "kind": "recordings",
        "title": title,
        "source": ", ".join(str(p) for p in recordings[:5]) + (" …" if len(recordings) > 5 else ""),
        "info": {},
        "episodes": episodes,
        "totals": totals(episodes),
        "summary": None,
        "compare": None,
        "verdicts": None,
    }
    return _write_app(folder, f"{title} — officegym viewer", data)


def episode_steps(result: EpisodeResult, page_dir: Path) -> tuple[list[Step], tuple[int, int]]:
    """The episode's steps from its trajectory and step log, each with the frame it acted on
    as a URL relative to `page_dir`, and the page's size.

    An agent's trajectory has one `observe` (and its screenshot) after reset and after every
    step, so step i's events lie between observations i-1 and i, and observation i-1 is what
    the agent saw when it chose step i.
    """
    trajectory = Path(result.trajectory) if result.trajectory else None
    log = read_step_log(trajectory.parent / "steps.jsonl") if trajectory else []
    timeline = agent_timeline(trajectory, log, Frames(page_dir, copy=False), "e0")
    return timeline.steps, timeline.viewport


def _run_info(run: Path) -> dict[str, Any]:
    store = ResultStore(run / RESULTS_FILE)
    try:
        return store.info()
    finally:
        store.close()


def _report_folder(run: Path) -> Path:
    """`run/report`, made if missing; refused when it is a link or leads out of `run`.

    Run folders are shared: one whose `report` links elsewhere would have the report clear
    and write files in a place its owner never named.
    """
    out = run / "report"
    if out.is_symlink() or (out.exists() and not out.resolve().is_relative_to(run.resolve())):
        raise RunFolderError(
            f"{out} is a link out of the run folder: a report is written only inside its run; "
            "remove the link and run the report again"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def _remove_old_report(out: Path) -> None:
    """Remove what an earlier report of this run wrote that this one does not write again.

    A link found in its place is removed as a link: what it points to is never touched.
    """
    for name in OLD_REPORT_FILES:
        (out / name).unlink(missing_ok=True)  # unlink never follows a link
    pages = out / "episodes"  # one page per episode, before the viewer
    if pages.is_symlink():
        pages.unlink()
    elif pages.is_dir():
        for page in pages.glob("*.html"):
            page.unlink()
        if not any(pages.iterdir()):
            pages.rmdir()
    _remove_tree(out / "frames")  # copies of zipped trajectories' frames


def _remove_tree(path: Path) -> None:
    """Remove the folder `path`, or the link `path` itself when it is one (rmtree refuses a
    link, and the frames would then be written through it); rmtree never follows the links
    inside."""
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _comparison(run: Path, baseline: Path, alpha: float, frames: Frames) -> dict[str, Any]:
    """The baseline's episodes, each paired with this run's as `compare_runs` pairs them (by
    task, variant and seed), what flipped, and the paired statistics."""
    stats = compare_runs(baseline, run, alpha)
    theirs_rows = load_results(baseline)
    pairing = pair_episodes(theirs_rows, load_results(run))
    mine, theirs = pairing.b, pairing.a
    base_episodes = [
        run_episode(baseline, r, None, frames, f"b{i}") for i, r in enumerate(theirs_rows)
    ]
    pairs = []
    for task, variant, seed in sorted(mine.keys() | theirs.keys()):
        a, b = theirs.get((task, variant, seed)), mine.get((task, variant, seed))
        flip = ""
        if a is not None and b is not None and a.success != b.success:
            flip = "pass->fail" if a.success else "fail->pass"
        pairs.append(
            {
                "task": task,
                "variant": variant,
                "seed": seed,
                "a": a.episode_id if a else None,
                "b": b.episode_id if b else None,
                "flip": flip,
            }
        )
    info = _run_info(baseline)
    return {
        "baseline": {
            "source": str(baseline),
            "title": f"{info.get('agent', '?')} on {info.get('suite', '?')}",
        },
        "stats": stats.as_dict(),
        "episodes": base_episodes,
        "totals": totals(base_episodes),
        "pairs": pairs,
    }


def _verdicts(path: Path) -> dict[str, Any]:
    """The rows of a replay's `verdicts.jsonl`, their texts cut to bounds."""
    rows: list[dict[str, Any]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_LOG_LINE + 1), b""), 1):
            if len(rows) >= MAX_VERDICTS or not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                raise ValueError(f"{path}:{number}: not a verdict line") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{number}: not a verdict line (no JSON object)")
            rows.append(_bounded(row))
    return {"source": str(path), "rows": rows}


def _bounded(value: Any, depth: int = 0) -> Any:
    """JSON read from elsewhere, made safe to embed: texts cut, non-finite numbers as null,
    nesting and list lengths bounded."""
    if isinstance(value, str):
        return clip(value, TEXT_CHARS)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool | int) or value is None:
        return value
    if depth > 4:
        return clip(json.dumps(value, default=str)[:TEXT_CHARS], TEXT_CHARS)
    if isinstance(value, dict):
        return {clip(str(k), 200): _bounded(v, depth + 1) for k, v in list(value.items())[:100]}
    if isinstance(value, list | tuple):
        return [_bounded(v, depth + 1) for v in value[:200]]
    return clip(str(value), TEXT_CHARS)


def script_json(data: Any) -> str:
    """`data` as JSON that is safe inside a `<script>` element: no `<`, `>` or `&` (so no
    `</script>` or `<!--`) anywhere, and no NaN or Infinity, which JSON.parse refuses.

    >>> script_json({"reply": "</script><img src=x onerror=alert(1)>"})
    '{"reply":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    """
    text = json.dumps(_finite_only(data), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _finite_only(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite_only(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_only(v) for v in value]
    return value


def _spend_text_budget(episodes: list[dict[str, Any]]) -> None:
    """Keep steps' replies and trees in order until STEP_TEXT_BUDGET characters are spent;
    put a note in place of each one after that."""
    left = STEP_TEXT_BUDGET
    for episode in episodes:
        for step in episode["steps"]:
            for holder, key in ((step, "axtree"), (step.get("agent") or {}, "reply")):
                text = holder.get(key)
                if not text:
                    continue
                if len(text) <= left:
                    left -= len(text)
                else:
                    holder[key] = OVER_BUDGET.format(STEP_TEXT_BUDGET)


def _write_app(out: Path, title: str, data: dict[str, Any]) -> Path:
    """Write the page, its scripts and its style into `out`; return the page's path."""
    data = {"format": VERSION, "written": datetime.now(UTC).isoformat(timespec="seconds"), **data}
    _spend_text_budget([*data["episodes"], *(data["compare"] or {}).get("episodes", [])])
    jinja = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    page = jinja.get_template("index.html").render(
        title=title, generator=GENERATOR, scripts=SCRIPTS, data=script_json(data)
    )
    for name in ("viewer.css", *SCRIPTS, "index.html"):
        # A fresh file each: writing over a link, or a hard link, would write into another's.
        (out / name).unlink(missing_ok=True)
    for name in ("viewer.css", *SCRIPTS):
        shutil.copyfile(STATIC / name, out / name)
    (out / "index.html").write_text(page, encoding="utf-8")
    return out / "index.html"
