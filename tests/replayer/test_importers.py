"""Importers: recordings written in each tool's own format (fixtures written by hand from the
formats' documentation) become trajectory v1, and what has no counterpart is listed, not guessed."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from officegym.replayer.importers import find_sources, import_all, import_one
from officegym.trajectory import TrajectoryReader

FIXTURES = Path(__file__).parent / "fixtures"


def events_of(path: str | None) -> list[dict[str, Any]]:
    assert path is not None
    with TrajectoryReader(path) as reader:
        return [e.model_dump(exclude_none=True) for _, e in reader.iter_events()]


def test_chrome_recorder_steps_become_selector_events_checks_and_keys(tmp_path: Path) -> None:
    result = import_one("chrome-recorder", FIXTURES / "chrome-recorder-order.json", tmp_path / "o")
    assert result.outcome == "partial"
    assert [(s.position, s.step) for s in result.skipped] == [
        ("steps[20]", "emulateNetworkConditions")
    ]
    with TrajectoryReader(result.trajectory or "") as reader:
        meta = reader.meta
    assert meta.source == "import:chrome-recorder"
    assert meta.start_url == "http://shop.example.test/form.html"
    assert (meta.viewport.width, meta.viewport.height) == (800, 600)
    assert meta.extra["timing"] == "synthesized"
    events = events_of(result.trajectory)
    types = [e["type"] for e in events]
    assert types[0] == "check" and events[0]["kind"] == "navigation"
    assert events[0]["title"] == "Order form"
    down = next(e for e in events if e["type"] == "mouse.down")
    assert "x" not in down  # found at replay time from the selectors
    assert down["target"]["selector"] == "aria/Name"
    assert down["target"]["alternatives"] == ["#name", 'xpath///*[@id="name"]', "pierce/#name"]
    assert down["target"]["offset"] == {"x": 40.0, "y": 9.0}
    shifted = next(e for e in events if e.get("key") == "A")
    assert shifted["modifiers"] == ["Shift"]
    change = next(e for e in events if e["type"] == "text.input")
    assert change == {**change, "text": "m", "replace": True}
    assert change["target"]["alternatives"] == ["#size"]
    wheel = next(e for e in events if e["type"] == "mouse.wheel")
    assert (wheel["dx"], wheel["dy"], wheel["target"]["selector"]) == (0.0, 60.0, "#list")
    checks = [e for e in events if e["type"] == "check"]
    assert [c["kind"] for c in checks] == ["navigation", "element", "element", "expression"]
    assert checks[1]["operator"] == "==" and checks[1]["count"] == 3
    assert types[-1] == "done"


def test_chrome_recorder_double_click_is_two_presses_counted(tmp_path: Path) -> None:
    source = tmp_path / "double.json"
    steps = [
        {"type": "navigate", "url": "http://shop.example.test/form.html"},
        {"type": "doubleClick", "selectors": [["#name"]], "offsetX": 5, "offsetY": 4},
    ]
    source.write_text(json.dumps({"title": "double", "steps": steps}))
    result = import_one("chrome-recorder", source, tmp_path / "o")
    assert result.outcome == "imported", result.skipped
    presses = [
        (e["type"], e["click_count"])
        for e in events_of(result.trajectory)
        if e["type"] in ("mouse.down", "mouse.up")
    ]
    assert presses == [("mouse.down", 1), ("mouse.up", 1), ("mouse.down", 2), ("mouse.up", 2)]


def test_chrome_recorder_reports_each_step_it_cannot_convert(tmp_path: Path) -> None:
    source = tmp_path / "odd.json"
    steps = [
        {"type": "navigate", "url": "http://shop.example.test/form.html"},
        {"type": "click", "selectors": [["#outer", ""]], "offsetX": 1, "offsetY": 1},
        {"type": "click", "frame": ["top"], "selectors": [["#a"]], "offsetX": 1, "offsetY": 1},
        {"type": "click", "target": 7, "selectors": [["#a"]]},
        {"type": "click", "selectors": [["#a"]], "offsetX": "1", "offsetY": 2},
        {"type": "teleport"},
        "not a step",
        {"type": "keyDown", "key": "Enter"},
        {"type": "setViewport", "width": 10, "height": 10},
        {"type": "customStep", "name": "login", "parameters": {}},
    ]
    source.write_text(json.dumps({"title": "odd", "steps": steps}))
    result = import_one("chrome-recorder", source, tmp_path / "o")
    reasons = {s.position: s.reason for s in result.skipped}
    assert set(reasons) == {f"steps[{i}]" for i in (1, 2, 3, 4, 5, 6, 8, 9)}
    assert "chains" in reasons["steps[1]"] and "frame: " in reasons["steps[2]"]
    assert "target: " in reasons["steps[3]"] and "offsetX" in reasons["steps[4]"]
    assert "unknown step type 'teleport'" in reasons["steps[5]"]
    assert "mid-recording" in reasons["steps[8]"]
    assert [e["type"] for e in events_of(result.trajectory)] == ["key.down", "done"]
    # Each says whether it acts: only the viewport change is harmless to leave out.
    assert {s.position for s in result.skipped if not s.acts} == {"steps[8]"}


@pytest.mark.parametrize(
    ("step", "acts"),
    [({"type": "scroll", "frame": [0], "x": 0, "y": 300}, False),
     ({"type": "emulateNetworkConditions", "download": 1000, "upload": 1000, "latency": 20}, False),
     ({"type": "emulateNetworkConditions", "download": 0, "upload": 0, "latency": 0}, True),
     ({"type": "change", "frame": [-1], "selectors": [["#a"]], "value": "x"}, True),
     ({"type": "hover", "selectors": [["#a", 5]]}, True),
     ({"type": "click", "selectors": [["#a"]], "timeout": 60000}, True),
     ({"type": "waitForElement", "selectors": [["#a"]], "operator": "!="}, True),
     ({"type": "click", "selectors": [["#a"]], "assertedEvents": [{"type": "x"}]}, True)],
)  # fmt: skip
def test_chrome_recorder_skips_say_whether_they_act(
    tmp_path: Path, step: dict[str, Any], acts: bool
) -> None:
    source = tmp_path / "one.json"
    steps = [{"type": "navigate", "url": "http://shop.example.test/form.html"}, step]
    source.write_text(json.dumps({"steps": steps}))
    result = import_one("chrome-recorder", source, tmp_path / "o")
    assert [s.acts for s in result.skipped] == [acts], result.skipped
    with TrajectoryReader(result.trajectory or "") as reader:
        assert reader.meta.imported is not None
        assert [s.acts for s in reader.meta.imported.skipped] == [acts]
    report = json.loads(json.dumps(result.to_json()))  # as import-report.jsonl has it
    assert [s["acts"] for s in report["skipped"]] == [acts]


def test_rrweb_events_get_selectors_from_the_snapshot_and_its_mutations(tmp_path: Path) -> None:
    result = import_one("rrweb", FIXTURES / "rrweb-order.json", tmp_path / "o")
    assert [(s.position, s.step, s.acts) for s in result.skipped] == [
        ("events[28]", "Custom", False),  # a breadcrumb: it records, it does nothing
        ("events[29]", "ViewportResize", False),
    ]
    events = events_of(result.trajectory)
    downs = [e for e in events if e["type"] == "mouse.down"]
    assert [d["target"]["selector"] for d in downs] == [
        "#name",
        "#size",
        "#color",
        "#c-green",
        "#submit",
    ]
    assert downs[2]["target"]["text"] == "Colour: none"  # a text node's element, with its text
    inputs = [e for e in events if e["type"] == "text.input"]
    assert [i["text"] for i in inputs] == ["A", "Ad", "Ada", "m"]
    assert all(i["replace"] for i in inputs)
    wheel = next(e for e in events if e["type"] == "mouse.wheel")
    assert wheel["dy"] == 60.0 and wheel["target"]["selector"] == "#list"
    times = [e["t"] for e in events]
    assert times == sorted(times) and times[0] == 200.0  # move batches placed at their own times


def test_rrweb_inside_a_session_replay_export_and_with_masked_input(tmp_path: Path) -> None:
    events = json.loads((FIXTURES / "rrweb-order.json").read_text())["events"]
    for e in events:
        if e["type"] == 2:
            field = e["data"]["node"]["childNodes"][1]["childNodes"][1]["childNodes"][2]
            field["attributes"]["type"] = "password"
    export = {"version": "2023-04-28", "data": {"id": "x", "snapshots": [
        {"windowId": "w1", "data": e} for e in events]}}  # fmt: skip
    source = tmp_path / "posthog-export.json.gz"
    source.write_bytes(gzip.compress(json.dumps(export).encode()))
    result = import_one("rrweb", source, tmp_path / "o")
    assert result.outcome == "partial", result.reason
    typed = [e for e in events_of(result.trajectory) if e["type"] == "text.input"][:3]
    assert all(e["masked"] and set(e["text"]) == {"•"} for e in typed)


def test_miniwob_demonstration_keys_and_clicks(tmp_path: Path) -> None:
    source = tmp_path / "enter-text_0.json.gz"
    source.write_bytes(gzip.compress((FIXTURES / "miniwob-enter-text.json").read_bytes()))
    result = import_one("miniwob", source, tmp_path / "o")
    assert [(s.position, s.step, s.acts) for s in result.skipped] == [
        ("states[16]", "scroll", False)
    ]
    events = events_of(result.trajectory)
    keys = [e["key"] for e in events if e["type"] == "key.down"]
    assert keys == ["Shift", "A", "d", "a"]  # the bubble-phase copies are dropped
    downs = [e for e in events if e["type"] == "mouse.down"]
    assert [(d["x"], d["y"], d["target"]["selector"], d["target"]["tag"]) for d in downs] == [
        (60.0, 75.0, "#tt", "input"), (40.0, 120.0, "#subbtn", "button")]  # fmt: skip
    with TrajectoryReader(result.trajectory or "") as reader:
        meta = reader.meta
    assert meta.task is None and meta.start_url is None
    assert meta.extra["miniwob_task"] == "enter-text" and meta.outcome.claimed_success is True


def test_miniwob_dropdown_choice_is_a_press_on_the_select_and_its_keys(tmp_path: Path) -> None:
    """record.js records DOM input only: a choice in a `<select>` made with the keyboard is the
    press on the select, then the keys; the native list's own clicks reach no page."""
    result = import_one("miniwob", FIXTURES / "miniwob-choose-list.json", tmp_path / "o")
    assert result.outcome == "imported", result.skipped
    events = events_of(result.trajectory)
    down = next(e for e in events if e["type"] == "mouse.down")
    assert (down["target"]["selector"], down["target"]["tag"]) == ("#options", "select")
    keys = [e["key"] for e in events if e["type"] == "key.down"]
    assert keys == ["ArrowDown", "ArrowDown", "Enter"]
    assert [e["type"] for e in events[-3:]] == ["mouse.down", "mouse.up", "done"]  # Submit


@pytest.mark.parametrize(
    ("fmt", "content", "expected"),
    [
        ("chrome-recorder", b"\xff\xfe\x00binary", "not UTF-8"),
        ("chrome-recorder", b'{"steps": [', "not JSON"),
        ("chrome-recorder", b'{"title": "x"}', "steps: expected list"),
        ("rrweb", b'{"foo": 1}', "no rrweb events"),
        ("rrweb", b"[]", "the array of events is empty"),
        ("rrweb", b'[{"type": 1, "data": {}, "timestamp": 5}]', "no Meta event names the page"),
        ("rrweb", b'[{"type": 4, "data": {"href": ""}, "timestamp": 5}]', "address is empty"),
        ("rrweb", b'["packed", "packed"]', "are packed"),
        ("miniwob", b'{"states": []}', "no mouse or key input"),
        ("miniwob", b"[1, 2]", "expected dict"),
    ],
)
def test_rejections_name_the_file_position_and_reason(
    tmp_path: Path, fmt: str, content: bytes, expected: str
) -> None:
    source = tmp_path / "bad.json"
    source.write_bytes(content)
    result = import_one(fmt, source, tmp_path / "out")
    assert result.outcome == "rejected"
    assert result.reason.startswith(str(source)) and expected in result.reason, result.reason
    assert result.position not in ("", "whole file"), result  # a line, byte or field path
    assert not (tmp_path / "out").exists()  # no half-written trajectory is left behind


@pytest.mark.slow
def test_a_demonstration_without_snapshots_is_written_as_it_is_read(tmp_path: Path) -> None:
    """A demonstration whose states have no `dom` (record.js's shape with the snapshots left
    out): 19 MB of keys grew memory by 11x its size (210 MB) while every event waited for the
    end. Its events are now written as they are converted: what remains (6 MB) is the reading
    and writing buffers, the same for any size."""
    source = tmp_path / "keys.json"
    presses = 150_000
    with source.open("w") as f:  # written a state at a time: the test holds no 19 MB either
        f.write('{"taskName": "keys", "states": [{"time": 0, "action": null}')
        for i in range(presses):
            for j, kind in enumerate(("keydown", "keyup")):
                action = {"type": kind, "keyCode": 65, "charCode": 0, "timing": 1}
                f.write(", " + json.dumps({"time": 2 * i + j + 1, "action": action}))
        f.write('], "reward": 1, "rawReward": 1}')
    size = source.stat().st_size
    measure = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "import officegym.replayer.importers as importers\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "result = importers.import_one('miniwob', Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(result.outcome, result.events, after - before)\n"
    )
    done = subprocess.run([sys.executable, "-c", measure, str(source), str(tmp_path / "o")],
                          capture_output=True, text=True, check=True)  # fmt: skip
    outcome, events, growth = done.stdout.split()
    assert (outcome, int(events)) == ("imported", 2 * presses + 1)  # down and up, then done
    assert int(growth) < size // 2, f"peak memory grew by {int(growth):,} bytes for {size:,}"


@pytest.mark.slow
def test_ten_thousand_small_recordings_import_in_parallel(tmp_path: Path) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    good = (FIXTURES / "chrome-recorder-order.json").read_text()
    plain = json.loads(good)
    plain["steps"] = plain["steps"][:12]  # no network step: converts whole
    for i in range(10_000):
        text = json.dumps(plain) if i % 100 else ("{broken" if i % 200 else good)
        (sources / f"rec{i:05d}.json").write_text(text)
    out = tmp_path / "out"
    # As a user runs it, in a terminal (TTY_COMPATIBLE makes rich draw its progress bar into
    # the pipe): the bar counts to 10000, then one line with the counts by outcome; the
    # rejects are in the report only.
    done = subprocess.run(
        [sys.executable, "-m", "officegym.cli", "import", "chrome-recorder", str(sources),
         "--out", str(out), "--workers", "2"],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "TTY_COMPATIBLE": "1", "COLUMNS": "160"},
    )  # fmt: skip
    printed = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]  # most files were imported
    assert "10000/10000" in printed  # the progress bar, finished
    assert "10000 files: 9900 imported, 50 partial, 50 rejected in " in printed
    assert "broken" not in printed and "rejected " not in printed.replace("50 rejected", "")
    lines = (out / "import-report.jsonl").read_text().splitlines()
    assert len(lines) == 10_000
    assert len(list(out.glob("rec*/meta.json"))) == 9950


def test_sources_in_folders_keep_their_relative_paths(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(FIXTURES / "rrweb-order.json", tmp_path / folder / "session.json")
    sources = find_sources([tmp_path])
    out = tmp_path / "out"
    results = list(import_all("rrweb", sources, out, workers=1, folders=[tmp_path]))
    made = sorted(str(Path(r.trajectory or "").relative_to(out)) for r in results)
    assert made == ["a/session", "b/session"]  # were `session` and `session-2`
    # Without the folders they were found in, a source is named by its file name alone.
    results = list(import_all("rrweb", sources, out, workers=1))
    assert sorted(Path(r.trajectory or "").name for r in results) == ["session", "session-2"]


@pytest.mark.parametrize(
    ("fmt", "fixture"),
    [("chrome-recorder", "chrome-recorder-order.json"), ("rrweb", "rrweb-order.json"),
     ("miniwob", "miniwob-enter-text.json")],
)  # fmt: skip
def test_meta_says_where_an_import_came_from(tmp_path: Path, fmt: str, fixture: str) -> None:
    """`meta.imported`: the source (given relative, stored absolute), the format, the source's
    own label (MiniWoB++ has one), and the skipped steps, as the report has them."""
    source = Path(os.path.relpath(FIXTURES / fixture))  # relative, as typed on a command line
    result = import_one(fmt, source, tmp_path / "o")
    assert result.outcome in ("imported", "partial"), result
    with TrajectoryReader(result.trajectory or "") as reader:
        imported = reader.meta.imported
    assert imported is not None
    assert (imported.path, imported.format) == (str(source.absolute()), fmt)
    label = imported.label
    got = (label.reward, label.raw_reward) if label is not None else None
    assert got == ((0.84, 1.0) if fmt == "miniwob" else None)
    assert [(s.position, s.step, s.reason, s.acts) for s in imported.skipped] == [
        (s.position, s.step, s.reason, s.acts) for s in result.skipped
    ]


def test_the_cli_parser_is_built_without_loading_the_importers() -> None:
    # Every verb builds the whole parser: the import verb reads its formats only when it checks
    # one, so no verb pays for officegym.replayer (and Gymnasium with it) before it needs them.
    code = (
        "import sys\n"
        "import officegym.cli\n"
        "officegym.cli.build_parser()\n"
        "print([m for m in ('officegym.replayer', 'gymnasium') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_the_importers_load_no_env_browser_or_image_library() -> None:
    # officegym.replayer loads its modules when a name is first asked for: an import (which
    # needs none of them) no longer pays for Gymnasium and every task, Playwright and PIL.
    code = (
        "import sys\n"
        "import officegym.replayer, officegym.replayer.importers\n"
        "heavy = ('gymnasium', 'playwright', 'PIL', 'officegym.envs', 'officegym.tasks')\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "print(sorted(m for m in sys.modules if m.startswith('officegym.replayer._')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n[]\n"


def test_every_public_name_of_the_replayer_loads_and_is_listed() -> None:
    import officegym.replayer as replayer

    star: dict[str, object] = {}
    exec("from officegym.replayer import *", star)  # asks for every name in __all__
    assert sorted(set(star) - {"__builtins__"}) == sorted(replayer.__all__)
    assert set(replayer.__all__) <= set(dir(replayer))
    assert replayer.audit.__module__ == "officegym.replayer._findings"
    with pytest.raises(AttributeError, match="has no attribute 'audits'"):
        replayer.audits  # noqa: B018


def test_an_unknown_format_is_a_usage_error_naming_the_formats(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "officegym.cli", "import", "rrweb2", str(tmp_path),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "officegym import: error: argument FORMAT: invalid choice: 'rrweb2' "
        "(choose from 'chrome-recorder', 'rrweb', 'miniwob')"
    )
    assert not (tmp_path / "out").exists()
    shown = subprocess.run(
        [sys.executable, "-m", "officegym.cli", "import", "--help"],
        capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert "the tool that made the recordings: chrome-recorder, rrweb, miniwob\n" in shown.stdout
