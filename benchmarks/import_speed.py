"""Import speed: files/s, MB/s and peak memory of `officegym import miniwob`.

Run: `cd benchmarks && ../.venv/bin/python import_speed.py [--files N] [--big-mb M] [--workers W]`

Makes its corpus at run time in a temporary folder: N MiniWoB++ demonstrations as `record.js`
writes them (every input twice, in the capture and the bubble phase, each state with the page's
DOM as `core.getDOMInfo` gives it), of varied size (pages of 2 to 8 elements, 1 to 4 inputs,
a few kB to ~200 kB), and one long demonstration of about M MB. Then it runs `officegym import
miniwob` as a user does, in a child process: once on the N files, once on the big one alone. Each
run's peak RSS is the largest of the import process and its workers (`wait4`'s resource usage of
the child, which includes its own waited-for children).

Before each run the disk is synced (`os.sync`), so a run does not pay for writing back what the
last one wrote. After the small files, a plain Python loop in as many processes makes the same
folders and files (the same sizes, no content) in a new folder: the floor the kernel and the
disk set, which the import cannot beat (`--no-floor` leaves it out).

Every run writes into a new folder (`out-small-1`, `out-small-2`, …), and the benchmark removes
nothing while it times: on ext4 without a journal (this VM's disk), the kernel does not reuse
an inode for 60 s after it was freed (5 min while its inode table block is unwritten), and each
new file first steps over every such inode, so making 10,000 files right after deleting 20,000
took 6x the system CPU: a run made right after the last one's output was deleted paid for that
deletion (the erratic disk figures of earlier rounds). With `--keep`, the outputs are kept too
(remove them, and wait a minute, before timing the disk again); without it, the temporary
folder goes when all is done. `--rounds N` repeats the small import N times and prints the
median.

Before the imports it times `officegym import --help` three times (the median is printed): the
command's start-up, its imports, which every run pays once whatever the number of files.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TASK_AREA = (160, 210)  # MiniWoB++'s task area; some pages (flight.*) are larger
PHASES = (1, 3)  # record.js listens in the capture (1) and the bubble (3) phase


def element(
    ref: int, tag: str, box: tuple[float, float, float, float], **extra: Any
) -> dict[str, Any]:
    left, top, width, height = box
    return {
        "tag": tag,
        "left": left,
        "top": top,
        "width": width,
        "height": height,
        "children": [],
        "id": f"e{ref}",
        "classes": "",
        "ref": ref,
        "bgColor": "rgba(0, 0, 0, 0)",
        "fgColor": "rgb(0, 0, 0)",
        **extra,
    }


def page(rng: random.Random, elements: int, size: tuple[int, int]) -> dict[str, Any]:
    """A BODY holding `elements` buttons, text fields and pieces of text in a grid."""
    body = element(1, "BODY", (0, 0, *size))
    wrap = element(2, "DIV", (0, 0, *size))
    wrap["id"] = "wrap"
    body["children"].append(wrap)
    for i in range(elements):
        box = (2 + (i % 4) * 38, 55 + (i // 4) * 12 % (size[1] - 60), 36, 11)
        kind = rng.choice(("BUTTON", "INPUT_text", "t", "SPAN"))
        extra = {"value": ""} if kind == "INPUT_text" else {"text": f"item {i} {kind.lower()}"}
        wrap["children"].append(element(10 + i, kind, box, **extra))
    return body


def snapshot(dom: dict[str, Any], target: int | None) -> dict[str, Any]:
    """The DOM as getDOMInfo returns it, with the event's target flagged `recordingTarget`."""
    out = dict(dom, children=[snapshot(c, target) for c in dom["children"]])
    if dom["ref"] == target:
        out["recordingTarget"] = True
    return out


def inputs(rng: random.Random, dom: dict[str, Any], count: int | None) -> Iterator[tuple[str, Any]]:
    """Clicks on elements, and words typed into text fields (`count` of them, or endless)."""
    items = dom["children"][0]["children"]
    done = 0
    while count is None or done < count:
        done += 1
        item = rng.choice(items)
        yield "click", item
        if item["tag"] == "INPUT_text":
            yield "type", (item, rng.choice(("hello", "1042p", "Alaska", "ok")))


def states(rng: random.Random, dom: dict[str, Any], count: int | None) -> Iterator[dict[str, Any]]:
    """The states record.js appends for `count` inputs (or endless), in order."""
    t = 0
    yield {"time": t, "action": None, "dom": snapshot(dom, None)}
    for kind, what in inputs(rng, dom, count):
        if kind == "click":
            x, y = what["left"] + what["width"] / 2, what["top"] + what["height"] / 2
            for action in ("mousedown", "mouseup", "click"):
                t += rng.randint(40, 200)
                for phase in PHASES:
                    act = {"type": action, "x": x, "y": y, "timing": phase}
                    yield {"time": t, "action": act, "dom": snapshot(dom, what["ref"])}
            continue
        field, text = what
        for char in text:
            code = ord(char.upper()) if char.isalpha() else ord(char)
            for action, key, charcode in (
                ("keydown", code, 0),
                ("keypress", ord(char), ord(char)),
                ("keyup", code, 0),
            ):
                t += rng.randint(30, 150)
                if action == "keypress":
                    field["value"] += char
                for phase in PHASES:
                    act = {"type": action, "keyCode": key, "charCode": charcode, "timing": phase}
                    yield {"time": t, "action": act, "dom": snapshot(dom, field["ref"])}


def write_demo(
    path: Path,
    rng: random.Random,
    elements: int,
    size: tuple[int, int],
    count: int | None = None,
    min_bytes: int = 0,
) -> int:
    """Write one demonstration of `count` inputs, or of at least `min_bytes`, state by state
    (a long one never is in memory as a whole); its size in bytes."""
    dom = page(rng, elements, size)
    written = 0
    with path.open("w") as f:
        f.write('{"taskName": "bench", "utterance": "Enter the text", "states": [')
        for i, state in enumerate(states(rng, dom, count)):
            if count is None and written >= min_bytes:
                break
            text = (", " if i else "") + json.dumps(state, separators=(",", ":"))
            written += f.write(text)
        f.write('], "reward": 0.8125, "rawReward": 1}')
    return path.stat().st_size


def make_corpus(root: Path, files: int, big_mb: float, seed: int = 0) -> tuple[Path, Path]:
    """`files` small demonstrations in subfolders of `root/small`, one big one in `root/big`."""
    rng = random.Random(seed)
    small, big = root / "small", root / "big"
    for i in range(files):
        folder = small / f"task{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        elements, count = rng.randint(2, 8), rng.randint(1, 4)
        write_demo(folder / f"demo_{i:05d}.json", rng, elements, TASK_AREA, count)
    big.mkdir()
    write_demo(big / "long.json", rng, 120, (375, 667), min_bytes=int(big_mb * 1e6))
    return small, big


def run_import(
    sources: Path, out: Path, workers: int
) -> tuple[float, int, float, tuple[float, float]]:
    """`officegym import miniwob` in a child: wall seconds, exit code, peak RSS in MiB, and
    CPU seconds (user, system) of the child and its workers."""
    cmd = [
        sys.executable,
        "-m",
        "officegym.cli",
        "import",
        "miniwob",
        str(sources),
        "--out",
        str(out),
        "--workers",
        str(workers),
    ]
    start = time.perf_counter()
    with open(os.devnull, "w") as devnull, tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(cmd, stdout=devnull, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)  # with its workers' usage: they are waited for
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        if child.returncode not in (0, 1):
            errors.seek(0)
            raise SystemExit(f"import failed ({child.returncode}): {errors.read().decode()}")
    cpu = (usage.ru_utime, usage.ru_stime)
    return wall, child.returncode, usage.ru_maxrss / 1024, cpu  # ru_maxrss: kB on Linux


def _make_files(job: tuple[str, list[tuple[str, int, int]]]) -> int:
    root, folders = job
    for name, events, meta in folders:
        folder = os.path.join(root, name)
        os.makedirs(folder, exist_ok=True)
        for file, size in (("events.jsonl", events), ("meta.json", meta)):
            with open(os.path.join(folder, file), "wb") as f:
                f.write(b"x" * size)
    return len(folders)


def floor(imported: Path, dest: Path, workers: int) -> None:
    """Make the folders and files of `imported` (the same sizes) in `dest`, in `workers`
    processes, and print the time: what creating them costs, whatever writes them."""
    folders = [
        (str(meta.parent.relative_to(imported)), (meta.parent / "events.jsonl").stat().st_size,
         meta.stat().st_size)
        for meta in sorted(imported.rglob("meta.json"))
    ]  # fmt: skip
    jobs = [(str(dest), folders[i : i + 50]) for i in range(0, len(folders), 50)]
    dest.mkdir()
    os.sync()
    start, before = time.perf_counter(), os.times()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        made = sum(pool.map(_make_files, jobs, chunksize=1))
    wall, after = time.perf_counter() - start, os.times()
    user = after.children_user - before.children_user
    system = after.children_system - before.children_system
    print(
        f"floor: plain Python makes the same {made} folders of two files in {wall:.2f} s, "
        f"{made / wall:.0f} folders/s, CPU {user:.2f} s user + {system:.2f} s system"
    )


def corpus_bytes(folder: Path) -> tuple[int, int, int]:
    """Files, total bytes and the largest file's bytes under `folder`."""
    sizes = [p.stat().st_size for p in folder.rglob("*.json")]
    return len(sizes), sum(sizes), max(sizes)


def start_up() -> float:
    """Median wall seconds of `officegym import --help`: the imports every run starts with."""
    cmd = [sys.executable, "-m", "officegym.cli", "import", "--help"]
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, folder: Path, out: Path, workers: int) -> float:
    """Import `folder` into `out` (a new folder), print the figures; the files per second."""
    count, total, largest = corpus_bytes(folder)
    os.sync()  # what was written before is not this run's to write back
    before = os.getloadavg()[0]
    wall, code, peak, (user, system) = run_import(folder, out, workers)
    cpu = user + system
    outcomes: dict[str, int] = {}
    for line in (out / "import-report.jsonl").read_text().splitlines():
        outcome = json.loads(line)["outcome"]
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print(
        f"{name}: {count} files, {total / 1e6:.1f} MB (largest {largest / 1e6:.1f} MB), "
        f"workers={workers}: {wall:.2f} s, {count / wall:.0f} files/s, "
        f"{total / 1e6 / wall:.1f} MB/s, CPU {user:.2f} s user + {system:.2f} s system "
        f"({count / cpu:.0f} files per CPU-second), peak RSS {peak:.0f} MiB "
        f"({peak * 2**20 / largest:.2f}x the largest file), exit {code}, {outcomes}; "
        f"load average {before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    return count / wall


def new_folder(root: Path, name: str) -> Path:
    """`root/name-N` for the first N not taken: a run never writes where one was removed."""
    n = 1
    while (root / f"{name}-{n}").exists():
        n += 1
    return root / f"{name}-{n}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000, help="small demonstrations")
    parser.add_argument("--big-mb", type=float, default=100, help="size of the long one (MB)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--keep", type=Path, help="make the corpus here and keep it (a later run reuses it)"
    )
    parser.add_argument(
        "--no-floor", action="store_true", help="do not time plain Python making the files"
    )
    parser.add_argument("--rounds", type=int, default=1, help="imports of the small files")
    parser.add_argument("--no-big", action="store_true", help="do not import the big file")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"# import_speed  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  "
        f"{platform.machine()}  {os.cpu_count()} CPUs  load {load[0]:.1f} {load[1]:.1f}  "
        f"bytecode {'not written' if sys.dont_write_bytecode else 'cached'}"
    )
    print(f"start-up: `officegym import --help` takes {start_up():.2f} s (median of 3)")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        corpus = root / "corpus"
        if corpus.is_dir():  # made by an earlier run with --keep
            small, big = corpus / "small", corpus / "big"
        else:
            start = time.perf_counter()
            small, big = make_corpus(corpus, args.files, args.big_mb)
            print(f"corpus made in {time.perf_counter() - start:.1f} s")
        outputs, rates = [], []
        for _ in range(args.rounds):
            outputs.append(new_folder(root, "out-small"))
            rates.append(report("small", small, outputs[-1], args.workers))
        if args.rounds > 1:
            print(f"small: median of {args.rounds} rounds {statistics.median(rates):.0f} files/s")
        if not args.no_floor:
            outputs.append(new_folder(root, "out-floor"))
            floor(outputs[0], outputs[-1], args.workers)
        if not args.no_big:
            outputs.append(new_folder(root, "out-big"))
            report("big", big, outputs[-1], args.workers)
        if args.keep:  # see the module's docstring
            print(f"outputs kept: {' '.join(str(out) for out in outputs)}")


if __name__ == "__main__":
    main()
