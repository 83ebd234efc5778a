"""Validator accuracy: does replay + audit catch broken recordings, and pass clean ones?

Run: `cd benchmarks && ../.venv/bin/python validator_accuracy.py [--per-task K] [--workers W]`

Builds a labelled corpus from clean synthetic recordings (`officegym synth` of the mail suite,
seeds 100..100+K-1 so they are not the shipped examples): each clean copy, and one corrupted
copy per fault kind and recording. Replays all of them (fast mode, every check on, the audit
included) and counts a copy as flagged when its verdict is not `valid` or a finding is an error.
Prints recall per fault kind and the false-invalid rate on clean copies (targets: recall ≥ 99 %,
false-invalid ≤ 1 %), each with its one-sided 95 % Clopper–Pearson bound: the rate the counts
rule out. `--clean-repeats K` replays each clean recording K times (as separate copies), which
measures the replay's own flakiness: a second row counts replays (0 of 300 or more bounds the
chance that one replay of a clean recording is flagged below 1 %), while the clean row counts
recordings, flagged when any of their replays was.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scipy.stats import beta

from officegym.recorder import synthesize
from officegym.replayer import replay_all
from officegym.tasks import suite_tasks

Events = list[dict[str, Any]]
EDITABLE = ("input", "textarea")


def load(folder: Path) -> tuple[dict[str, Any], Events]:
    meta = json.loads((folder / "meta.json").read_text())
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    return meta, events


def save(folder: Path, meta: dict[str, Any], events: Events) -> None:
    (folder / "meta.json").write_text(json.dumps(meta))
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))


def clicks(events: Events) -> list[int]:
    return [i for i, e in enumerate(events) if e["type"] == "mouse.down" and e.get("target")]


def dropped_click(folder: Path, rng: random.Random) -> bool:
    """A click on a button, link or row is lost. (Not a click into a text field: when the field
    has the focus already, that click changes nothing, and no validator can tell it is gone.)"""
    meta, events = load(folder)
    fields = ("textbox", "combobox", "searchbox")
    downs = [
        i for i in clicks(events)
        if events[i]["target"].get("tag") not in EDITABLE and events[i]["target"].get("role") not in fields  # noqa: E501
    ]  # fmt: skip
    if not downs:
        return False
    down = downs[len(downs) // 2]
    up = next(i for i in range(down + 1, len(events)) if events[i]["type"] == "mouse.up")
    save(folder, meta, [e for i, e in enumerate(events) if i not in (down, up)])
    return True


def shifted_coordinates(folder: Path, rng: random.Random) -> bool:
    """A calibration error: every position from the second click on is off by (35, 55) px."""
    meta, events = load(folder)
    downs = clicks(events)
    if len(downs) < 2:
        return False
    for event in events[downs[1] :]:
        if "x" in event and "y" in event:
            event["x"] += 35
            event["y"] += 55
    save(folder, meta, events)
    return True


def wrong_seed(folder: Path, rng: random.Random) -> bool:
    meta, events = load(folder)
    meta["task"]["seed"] += 7
    save(folder, meta, events)
    return True


def reordered_timestamps(folder: Path, rng: random.Random) -> bool:
    meta, events = load(folder)
    pairs = [
        i for i in range(len(events) // 3, len(events) - 1) if events[i]["t"] < events[i + 1]["t"]
    ]
    if not pairs:
        return False
    i = pairs[0]
    events[i]["t"], events[i + 1]["t"] = events[i + 1]["t"], events[i]["t"]
    save(folder, meta, events)
    return True


def impossible_timestamp(folder: Path, rng: random.Random) -> bool:
    meta, events = load(folder)
    events[len(events) // 2]["t"] = -40.0
    save(folder, meta, events)
    return True


def truncated_file(folder: Path, rng: random.Random) -> bool:
    path = folder / "events.jsonl"
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])
    return True


def wrong_field(folder: Path, rng: random.Random) -> bool:
    """The click that put the focus in a field landed in another field, and the keys went there."""
    meta, events = load(folder)
    fields = {}  # selector -> (index of a click on it, its target)
    for i in clicks(events):
        target = events[i]["target"]
        if target.get("tag") in EDITABLE:
            fields.setdefault(target.get("selector"), (i, target))
    for i, event in enumerate(events):
        target = event.get("target") or {}
        if event["type"] != "key.down" or target.get("tag") not in EDITABLE:
            continue
        other = next((v for k, v in fields.items() if k != target.get("selector")), None)
        focus = max((j for j in clicks(events) if j < i), default=None)
        if other is None or focus is None:
            continue
        click = events[other[0]]
        for j in range(focus, len(events)):  # that click, and the keys typed after it
            e = events[j]
            if j > focus and e["type"] in ("mouse.down", "nav.goto"):
                break
            if e["type"] in ("mouse.down", "mouse.up"):
                e["x"], e["y"], e["target"] = click["x"], click["y"], other[1]
            elif (
                e["type"] in ("key.down", "key.up")
                and (e.get("target") or {}).get("tag") in EDITABLE
            ):
                e["target"] = other[1]
        save(folder, meta, events)
        return True
    return False


def missing_frame(folder: Path, rng: random.Random) -> bool:
    frames = sorted((folder / "frames").glob("*"))
    if not frames:
        return False
    frames[len(frames) // 2].unlink()
    return True


def unmasked_secret(folder: Path, rng: random.Random) -> bool:
    """A card number captured in the text of a clicked element."""
    meta, events = load(folder)
    downs = clicks(events)
    if not downs:
        return False
    events[downs[0]]["target"]["text"] = "Card 5500 0000 0000 0004 exp 12/29"
    save(folder, meta, events)
    return True


FAULTS: dict[str, Callable[[Path, random.Random], bool]] = {
    "dropped_click": dropped_click,
    "shifted_coordinates": shifted_coordinates,
    "wrong_seed": wrong_seed,
    "reordered_timestamps": reordered_timestamps,
    "impossible_timestamp": impossible_timestamp,
    "truncated_file": truncated_file,
    "typing_in_wrong_field": wrong_field,
    "missing_frame": missing_frame,
    "unmasked_secret": unmasked_secret,
}


def one_sided_bound(hits: int, n: int, *, upper: bool) -> str:
    """The Clopper–Pearson one-sided 95 % bound: `≤ x %` on a false-invalid rate, `≥ x %` on a
    recall."""
    if not n:
        return "-"
    if upper:
        return f"≤ {1.0 if hits == n else beta.ppf(0.95, hits + 1, n - hits):.1%}"
    return f"≥ {0.0 if hits == 0 else beta.ppf(0.05, hits, n - hits + 1):.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-task", type=int, default=3, help="clean recordings per mail task")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the corpus in this folder")
    parser.add_argument(
        "--clean-repeats", type=int, default=1, help="replays of each clean recording (copies)"
    )
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="officegym-validator-"))
    rng = random.Random(0)
    labels: dict[str, str] = {}
    started = time.perf_counter()
    for task in suite_tasks("mail"):
        for seed in range(100, 100 + args.per_task):
            clean = root / "clean" / f"{task}-s{seed}"
            if not (clean / "meta.json").exists():
                synthesize(task, seed, clean)
            labels[str(clean)] = "clean"
            for repeat in range(1, args.clean_repeats):
                again = root / f"clean-{repeat}" / clean.name
                shutil.rmtree(again, ignore_errors=True)
                shutil.copytree(clean, again)
                labels[str(again)] = "clean-replay"
            for fault, corrupt in FAULTS.items():
                copy = root / fault / clean.name
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(clean, copy)
                if corrupt(copy, rng):
                    labels[str(copy)] = fault
                else:
                    shutil.rmtree(copy)
    synth_s = time.perf_counter() - started
    started = time.perf_counter()
    flagged: dict[str, bool] = {}
    missed: list[str] = []
    for result in replay_all([Path(p) for p in labels], "fast", args.workers):
        errors = [f for f in result.findings if f.severity == "error"]
        flagged[result.trajectory] = result.verdict != "valid" or bool(errors)
        label = labels[result.trajectory]
        if label.startswith("clean") == flagged[result.trajectory]:
            missed.append(
                f"{label}: {result.trajectory}: {result.verdict} {result.reason[:120]} {errors[:1]}"
            )
    replay_s = time.perf_counter() - started
    print(f"machine: {platform.node()} ({platform.machine()}), corpus {root}")
    print(f"{len(labels)} recordings; synth {synth_s:.0f} s, replay+audit {replay_s:.0f} s "
          f"with {args.workers} workers")  # fmt: skip
    print(f"{'kind':24} {'n':>4} {'flagged':>8} {'rate':>7} {'95 % bound':>11}")
    # A clean recording counts as flagged when any replay of it was.
    by_name: dict[str, bool] = {}
    for path, label in labels.items():
        if label.startswith("clean"):
            name = Path(path).name
            by_name[name] = by_name.get(name, False) or flagged.get(path, False)
    rows = {"clean (false-invalid)": (len(by_name), sum(by_name.values()), True)}
    if args.clean_repeats > 1:
        replays = [p for p, label in labels.items() if label.startswith("clean")]
        hits = sum(flagged.get(p, False) for p in replays)
        rows["clean, per replay"] = (len(replays), hits, True)
    for kind in FAULTS:
        paths = [p for p, label in labels.items() if label == kind]
        rows[kind] = (len(paths), sum(flagged.get(p, False) for p in paths), False)
    for name, (n, hits, upper) in rows.items():
        rate = hits / n if n else float("nan")
        bound = one_sided_bound(hits, n, upper=upper)
        print(f"{name:24} {n:4d} {hits:8d} {rate:7.1%} {bound:>11}")
    for line in missed:
        print("wrong:", line)


if __name__ == "__main__":
    main()
