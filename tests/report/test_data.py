"""The viewer's data from hostile runs and recordings, without a browser: a run folder written
with the trajectory format's own writer and result store, then spoiled the ways files from
elsewhere are (wrong types, huge texts, markup, links out, a line cut in half)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from officegym.report import write_report, write_viewer
from officegym.results import EpisodeResult, ResultStore
from officegym.trajectory import (
    MouseDown,
    MouseUp,
    Observe,
    Screenshot,
    TrajectoryWriter,
    zip_trajectory,
)

EPISODE = "mail.apply-label-s0"
META = {
    "id": EPISODE,
    "source": "agent",
    "recorder": {"name": "tests", "version": "1"},
    "task": {"id": "mail.apply-label", "seed": 0, "params": {"label": "Work", "subject": "Hi"}},
    "viewport": {"width": 640, "height": 360},
    "started_at": "2026-01-01T00:00:00+00:00",
}


def png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), (shade, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def make_run(root: Path, log: list[Any]) -> Path:
    """A run of one episode of three steps (a click each) with `log` as its steps.jsonl (a
    line per item: objects as JSON, strings as they are)."""
    run = root / "run"
    trajectory = run / "episodes" / EPISODE / "trajectory"
    writer = TrajectoryWriter(trajectory, META)
    for step in range(4):
        t = step * 100.0
        writer.write(Observe(t=t, url="http://mail.office.test/"))
        frame, digest = writer.add_frame(png(step * 50), "png")
        writer.write(Screenshot(t=t, frame=frame, sha256=digest))
        if step < 3:
            writer.write(MouseDown(t=t + 10, x=100 + step, y=50))
            writer.write(MouseUp(t=t + 20, x=100 + step, y=50))
    writer.close()
    lines = [item if isinstance(item, str) else json.dumps(item) for item in log]
    (trajectory.parent / "steps.jsonl").write_text("".join(line + "\n" for line in lines))
    store = ResultStore(run / "results.sqlite")
    store.set_info(agent="scripted", suite="smoke")
    store.add(
        EpisodeResult(
            episode_id=EPISODE, task_id="mail.apply-label", seed=0, agent="scripted",
            success=False, score=0.0, steps=3, trajectory=str(trajectory),
        )
    )  # fmt: skip
    store.close()
    return run


def page_data(index: Path) -> dict[str, Any]:
    """The viewer's data as the browser reads it: the text of the data element, up to the first
    `</script>` (where the HTML parser ends it, whatever JSON says)."""
    html = index.read_text()
    start = html.index('<script type="application/json" id="officegym-data">')
    text = html[html.index(">", start) + 1 : html.index("</script>", start)]
    data: dict[str, Any] = json.loads(text)
    return data


def step(n: int, **more: Any) -> dict[str, Any]:
    return {"step": n, "action": f"click({100 + n - 1}, 50)", "error": "", **more}


def test_a_step_logs_fields_are_kept_to_their_types_and_bounds(tmp_path: Path) -> None:
    huge = "x" * 50_000
    log = [
        step(
            1,
            agent={"reply": huge, "tokens": {"prompt": 10, "completion": 2}, "request_s": 1.5},
            axtree="[1] link",
            think_ms="fast",
        ),
        step(2, agent={"reply": 7, "tokens": {"prompt": "many"}, "error": ["no"]}, env_ms=1e999),
        "{not json",  # a line cut off by a crash: the log ends here
        step(3, agent={"reply": "never read"}),
    ]
    index = write_report(make_run(tmp_path, log))
    [episode] = page_data(index)["episodes"]
    first, second, third, final = episode["steps"]
    assert len(first["agent"]["reply"]) == 20_000 and first["agent"]["reply"].endswith("…")
    assert first["agent"]["tokens"] == {"prompt": 10, "completion": 2}
    assert first["axtree"] == "[1] link" and "think_ms" not in first
    assert "agent" not in second and "env_ms" not in second  # nothing of the right type
    assert "agent" not in third and third["action"] == "click" and third["frame"]
    assert final["action"] == "(final page)"
    assert episode["usage"] == {"prompt": 10.0, "completion": 2.0}  # summed from the steps
    assert episode["goal"] == "Apply the label “Work” to the email “Hi”."


def test_markup_in_the_data_cannot_end_its_script_element(tmp_path: Path) -> None:
    reply = "</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)>"
    index = write_report(make_run(tmp_path, [step(1, agent={"reply": reply})]))
    assert page_data(index)["episodes"][0]["steps"][0]["agent"]["reply"] == reply
    assert "alert" not in re.sub(
        r'id="officegym-data">.*?</script>', "", index.read_text(), flags=re.S
    )


def test_a_frame_linked_out_of_its_trajectory_is_not_shown(tmp_path: Path) -> None:
    run = make_run(tmp_path, [step(1), step(2), step(3)])
    secret = tmp_path / "secret.png"
    secret.write_bytes(png(0))
    frame = run / "episodes" / EPISODE / "trajectory" / "frames" / "000001.png"
    frame.unlink()
    frame.symlink_to(secret)
    steps = page_data(write_report(run))["episodes"][0]["steps"]
    assert [s["frame"] is not None for s in steps] == [True, False, True, True]
    report = run / "report"
    for shown in (s["frame"] for s in steps if s["frame"]):
        assert (report / shown).resolve().is_relative_to(run.resolve())


def test_a_trajectory_broken_midway_keeps_the_steps_before_and_says_where(
    tmp_path: Path,
) -> None:
    run = make_run(tmp_path, [])
    events = run / "episodes" / EPISODE / "trajectory" / "events.jsonl"
    lines = events.read_text().splitlines()
    events.write_text("\n".join([*lines[:6], '{"t": 1e3, "type": "teleport"}', *lines[6:]]) + "\n")
    [episode] = page_data(write_report(run))["episodes"]
    assert "events.jsonl:7" in episode["problem"] and "teleport" in episode["problem"]
    # Step 1, and the page after it: as far as it read.
    assert [s["action"] for s in episode["steps"]] == ["click", "(the last page read)"]


def test_view_copies_frames_into_its_folder_and_reuses_only_its_own(tmp_path: Path) -> None:
    run = make_run(tmp_path, [])
    recording = zip_trajectory(run / "episodes" / EPISODE / "trajectory", tmp_path / "rec.zip")
    out = tmp_path / "viewer"
    [episode] = page_data(write_viewer([recording], out))["episodes"]
    frames = [s["frame"] for s in episode["steps"]]
    assert len(frames) == 4 and all(f.startswith("frames/r0/") for f in frames)
    assert all((out / f).is_file() for f in frames)
    write_viewer([recording], out)  # again into its own folder: allowed
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="no viewer's"):
        write_viewer([recording], tmp_path / "other")


def test_the_pages_of_an_earlier_report_are_removed(tmp_path: Path) -> None:
    run = make_run(tmp_path, [])
    old = run / "report"
    (old / "episodes").mkdir(parents=True)
    for name in ("compare.html", "verdicts.html", "style.css", f"episodes/{EPISODE}.html"):
        (old / name).write_text("stale")
    (old / "episodes" / "notes.txt").write_text("not the report's")
    write_report(run)
    left = sorted(str(p.relative_to(old)) for p in old.rglob("*") if p.is_file())
    viewer = ["viewer-compare.js", "viewer-core.js", "viewer-episode.js", "viewer-list.js"]
    assert left == [os.path.join("episodes", "notes.txt"), "index.html", *viewer, "viewer.css"]


def test_a_page_keeps_replies_and_trees_up_to_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from officegym.report import _build

    monkeypatch.setattr(_build, "STEP_TEXT_BUDGET", 50)
    log = [step(n, agent={"reply": f"reply {n} " + "." * 12}, axtree="[1] link") for n in (1, 2, 3)]
    steps = page_data(write_report(make_run(tmp_path, log)))["episodes"][0]["steps"]
    kept = [(s["axtree"], s["agent"]["reply"]) for s in steps[:3]]
    note = "(not kept: the page holds at most 50 characters of replies and trees)"
    assert kept == [
        ("[1] link", "reply 1 ............"),
        ("[1] link", note),  # 8 + 20 + 8 spent: 20 more would pass 50
        ("[1] link", note),
    ]


def test_a_report_folder_linked_out_of_the_run_is_refused_and_its_target_untouched(
    tmp_path: Path,
) -> None:
    from officegym.errors import RunFolderError

    run = make_run(tmp_path, [])
    victim = tmp_path / "victim"
    victim.mkdir()
    for name in ("compare.html", "index.html", "viewer.css"):
        (victim / name).write_text("the victim's")
    (victim / "frames").mkdir()
    (victim / "frames" / "keep.png").write_bytes(png(1))
    (run / "report").symlink_to(victim)
    before = {str(p.relative_to(victim)): p.read_bytes() for p in victim.rglob("*") if p.is_file()}

    with pytest.raises(RunFolderError, match="is a link out of the run folder"):
        write_report(run)
    after = {str(p.relative_to(victim)): p.read_bytes() for p in victim.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("name", ["frames", "episodes", "index.html", "viewer.css", "style.css"])
def test_a_link_in_an_old_report_is_removed_as_a_link(tmp_path: Path, name: str) -> None:
    run = make_run(tmp_path, [])
    victim = tmp_path / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "sub" / "page.html").write_text("the victim's")
    (victim / "file.css").write_text("the victim's")
    (run / "report").mkdir()
    target = victim / ("file.css" if "." in name else "sub")
    (run / "report" / name).symlink_to(target)

    write_report(run)
    assert (victim / "sub" / "page.html").read_text() == "the victim's"
    assert (victim / "file.css").read_text() == "the victim's"
    assert not (run / "report" / name).is_symlink()


def test_a_link_in_an_old_viewer_is_removed_as_a_link(tmp_path: Path) -> None:
    run = make_run(tmp_path, [])
    recording = zip_trajectory(run / "episodes" / EPISODE / "trajectory", tmp_path / "rec.zip")
    out = tmp_path / "viewer"
    write_viewer([recording], out)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "notes.txt").write_text("the victim's")
    shutil.rmtree(out / "frames")
    (out / "frames").symlink_to(victim)
    (out / "viewer.css").unlink()
    (out / "viewer.css").symlink_to(victim / "notes.txt")

    [episode] = page_data(write_viewer([recording], out))["episodes"]
    assert [p.name for p in victim.iterdir()] == ["notes.txt"]
    assert (victim / "notes.txt").read_text() == "the victim's"
    assert not (out / "frames").is_symlink() and not (out / "viewer.css").is_symlink()
    assert all((out / s["frame"]).is_file() for s in episode["steps"])
