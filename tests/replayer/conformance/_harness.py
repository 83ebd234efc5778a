"""The conformance corpora's harness: import a corpus's recordings, replay them through the
real CLI with `--serve` and `--expect`, and say which verdicts are wrong.

A corpus is a folder per source format (`rrweb/`, `chrome/`):

    site/                fixture pages, answered for every host by path (`--serve`): so
                         http://a.test/x.html and http://b.test/x.html are both site/x.html, and
                         cross-origin to each other
    recordings/NAME.json recordings that must replay `valid`, ending in the state expect.json gives
    broken/NAME.json     a broken copy of each (same NAME), which must not be `valid`
    expect.json          the `--expect` file (docs/cli.md); its keys are NAMEs (or globs), so
                         they apply to the good recording and its broken copy alike
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from officegym.cli import main
from officegym.replayer import load_expectations
from officegym.replayer.importers import import_one

# What a broken copy may be judged: it replayed and the replay saw what is broken.
BROKEN_VERDICTS = frozenset({"diverged", "task_failed", "incomplete"})


@dataclass
class Corpus:
    """One format's corpus folder (see the module's docstring)."""

    folder: Path
    fmt: str  # the `officegym import` format: "rrweb", "chrome-recorder"
    site_name: str = "site"

    @property
    def site(self) -> Path:
        return self.folder / self.site_name

    @property
    def expect_file(self) -> Path:
        return self.folder / "expect.json"

    def names(self) -> list[str]:
        """The recordings' NAMEs, sorted."""
        return sorted(p.stem for p in (self.folder / "recordings").glob("*.json"))

    def check_layout(self) -> None:
        """Every recording has a broken copy and expectations; every broken copy a recording.

        Raises:
            AssertionError: naming what is missing.
        """
        names = self.names()
        broken = sorted(p.stem for p in (self.folder / "broken").glob("*.json"))
        expect = load_expectations(self.expect_file)
        assert names, f"{self.folder}: no recordings"
        assert names == broken, f"recordings and broken copies differ: {names} vs {broken}"
        bare = [n for n in names if not expect.for_path(self.folder / "recordings" / n)]
        assert not bare, f"{self.expect_file}: no expectations for {bare}"


@dataclass
class CorpusRun:
    """Verdicts per NAME: the verdicts.jsonl line, or {"verdict": "rejected", …} when the
    import rejected the file."""

    good: dict[str, dict[str, Any]] = field(default_factory=dict)
    broken: dict[str, dict[str, Any]] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """A line per wrong verdict: a good recording not `valid`, or `valid` without every
        expectation checked and met (what `--expect` is for: this cannot happen if it works);
        a broken copy judged anything but diverged, task_failed or incomplete (`valid` missed
        what is broken; rejected, malformed or unreplayable never judged it)."""
        out = []
        for name, v in sorted(self.good.items()):
            if v["verdict"] != "valid":
                out.append(f"{name}: expected valid, got {v['verdict']}: {v.get('reason', '')}")
                continue
            checks = v.get("expectations") or []
            failed = [c for c in checks if not c.get("passed")]
            if not checks or failed:
                said = json.dumps(failed or "not checked")
                out.append(f"{name}: VALID IN A WRONG FINAL STATE: {said}")
        for name, v in sorted(self.broken.items()):
            if v["verdict"] == "valid":
                out.append(f"broken/{name}: judged valid (the replay missed what is broken)")
            elif v["verdict"] not in BROKEN_VERDICTS:
                out.append(
                    f"broken/{name}: judged {v['verdict']}, not one of {sorted(BROKEN_VERDICTS)}"
                    f" (a broken copy must be replayed and judged): {v.get('reason', '')}"
                )
        return out


def _import(corpus: Corpus, kind: str, out: Path) -> tuple[list[Path], dict[str, dict[str, Any]]]:
    """Import `recordings/` or `broken/` into `out/NAME`: the trajectories and the rejections."""
    paths, rejected = [], {}
    for source in sorted((corpus.folder / kind).glob("*.json")):
        result = import_one(corpus.fmt, source, out / source.stem, out)
        if result.trajectory is None:
            rejected[source.stem] = {"verdict": "rejected", "reason": result.reason}
        else:
            paths.append(Path(result.trajectory))
    return paths, rejected


def run_corpus(
    corpus: Corpus, tmp: Path, backend: str = "headless", names: list[str] | None = None
) -> CorpusRun:
    """Import the corpus (good recordings to `tmp/valid`, broken copies to `tmp/broken`) and
    replay all of them in one `officegym replay --serve --expect` (one browser).

    Args:
        names: only these NAMEs (default: all).
    """
    good, good_rejected = _import(corpus, "recordings", tmp / "valid")
    broken, broken_rejected = _import(corpus, "broken", tmp / "broken")
    if names is not None:
        good = [p for p in good if p.name in names]
        broken = [p for p in broken if p.name in names]
    run = CorpusRun(dict(good_rejected), dict(broken_rejected))
    verdicts = tmp / "verdicts.jsonl"
    args = ["replay", *map(str, good + broken), "--out", str(verdicts), "--quiet"]
    args += ["--serve", str(corpus.site), "--expect", str(corpus.expect_file), "--no-fail"]
    args += ["--backend", backend]
    assert main(args) == 0, f"officegym {' '.join(args)} failed"
    for line in verdicts.read_text().splitlines():
        row = json.loads(line)
        path = Path(row["trajectory"])
        (run.good if path.parent.name == "valid" else run.broken)[path.name] = row
    return run
