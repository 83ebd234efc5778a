"""The rrweb conformance corpus: real rrweb recordings (tests/replayer/conformance/rrweb) of
forms, nested clicks, menus, scrolled containers and same-origin iframes (one nested), each
replayed through `officegym replay --serve --expect`. Every recording must be `valid` and end
in the state its expectations give; every broken copy (a wrong value, a click elsewhere, a
missing step) must not be `valid`."""

from __future__ import annotations

from pathlib import Path

import pytest
from conformance._harness import Corpus, CorpusRun, run_corpus

from officegym.replayer import load_expectations
from officegym.replayer.importers import import_one

CORPUS = Corpus(Path(__file__).parent / "conformance" / "rrweb", "rrweb")


def test_every_recording_has_a_broken_copy_and_expectations() -> None:
    CORPUS.check_layout()
    assert len(CORPUS.names()) >= 15


def test_the_recordings_import_whole(tmp_path: Path) -> None:
    """Nothing that acts is left out: what the import skips is listed and harmless."""
    for name in CORPUS.names():
        source = CORPUS.folder / "recordings" / f"{name}.json"
        result = import_one("rrweb", source, tmp_path / name)
        assert result.trajectory is not None, result.reason
        assert not [s for s in result.skipped if s.acts], (name, result.skipped)


@pytest.mark.browser
def test_the_corpus_replays_as_recorded_headless(tmp_path: Path) -> None:
    run = run_corpus(CORPUS, tmp_path)
    assert not run.problems(), "\n".join(run.problems())
    # Each expectation was evaluated on the final page, and every good one held.
    expect = load_expectations(CORPUS.expect_file)
    for name, row in run.good.items():
        assert len(row["expectations"]) == len(expect.for_path(name))
        assert all(e["passed"] for e in row["expectations"])


@pytest.mark.browser
@pytest.mark.xvfb
def test_the_corpus_replays_as_recorded_in_a_headed_window(tmp_path: Path) -> None:
    run = run_corpus(CORPUS, tmp_path, backend="xvfb")
    assert not run.problems(), "\n".join(run.problems())


def test_the_harness_flags_unchecked_valid_recordings_and_unjudged_broken_copies() -> None:
    checked = {"verdict": "valid", "expectations": [{"passed": True}]}
    run = CorpusRun(
        good={"a": {"verdict": "valid"}, "b": checked, "c": checked},
        broken={"a": {"verdict": "rejected", "reason": "bad"}, "b": {"verdict": "incomplete"},
                "c": {"verdict": "unreplayable", "reason": "no page"}},
    )  # fmt: skip
    problems = run.problems()
    assert [p.split(":")[0] for p in problems] == ["a", "broken/a", "broken/c"], problems
    assert "not checked" in problems[0] and "judged rejected" in problems[1]
