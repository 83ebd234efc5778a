"""The manifest and `officegym select`: `audit` and `replay` write the same rows as CSV and as
Parquet, with a fixed schema; a filter in a small safe language picks exactly the rows it says,
and the recordings they name land in a folder that mirrors their layout, files 0644; a bad
filter is a usage error naming what is wrong."""

from __future__ import annotations

import csv
import decimal
import json
import math
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from officegym.cli import main
from officegym.replayer import (
    MANIFEST_COLUMNS,
    ManifestError,
    WhereError,
    compile_where,
    read_manifest,
    write_manifest,
)
from officegym.replayer._findings import FINDINGS
from officegym.trajectory import TrajectoryReader, TrajectoryWriter

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parents[2] / "examples/trajectories/mail.apply-label/s0.zip"


def recording(path: Path, clicks: list[tuple[float, float]], done: bool = True) -> Path:
    """A recording of a few clicks on an 800x600 page; without `done` it is truncated."""
    meta = {"id": path.name, "source": "human", "recorder": {"name": "t", "version": "1"},
            "viewport": {"width": 800, "height": 600},
            "started_at": "2026-01-01T00:00:00Z"}  # fmt: skip
    with TrajectoryWriter(path, meta) as writer:
        t = 0.0
        for x, y in clicks:
            t += 800
            writer.write({"t": t, "type": "mouse.down", "x": x, "y": y})
            writer.write({"t": t + 90, "type": "mouse.up", "x": x, "y": y})
        if done:
            writer.write({"t": t + 500, "type": "done"})
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Recordings in nested folders: clean ones, a truncated one (an error), one click outside
    the page (errors too), and a clean one of one click."""
    root = tmp_path / "recordings"
    recording(root / "alice/mon", [(10, 10), (200, 300), (640, 480)])
    recording(root / "alice/tue", [(50, 60), (70, 80)], done=False)
    recording(root / "bob/mon", [(100, 100), (900, 100)])
    recording(root / "bob/deep/wed", [(400, 300)])
    return root


def audit_into(paths: list[Path], out: Path) -> Path:
    assert main(["audit", *map(str, paths), "--out", str(out / "findings.jsonl"), "--no-fail"]) == 0
    return out


def test_audit_writes_the_same_rows_as_csv_and_parquet_with_a_fixed_schema(
    corpus: Path, tmp_path: Path
) -> None:
    out = audit_into([corpus], tmp_path / "audit")
    assert sorted(p.name for p in out.iterdir()) == [
        "findings.jsonl",
        "manifest.csv",
        "manifest.parquet",
    ]  # fmt: skip  (and no temporary file left)
    for name in ("manifest.csv", "manifest.parquet"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644
    table = pq.read_table(out / "manifest.parquet")
    names = [c.name for c in MANIFEST_COLUMNS]
    assert table.column_names == names
    assert [*names[:14], *FINDINGS] == names  # a column per kind, found or not
    assert table.schema.field("errors").type == pa.int64()
    assert table.schema.field("reward").type == pa.float64()
    with (out / "manifest.csv").open(newline="") as f:
        assert next(csv.reader(f)) == names
    _, from_csv = read_manifest(out / "manifest.csv")
    assert from_csv == table.to_pylist()

    rows = {Path(r["trajectory"]).relative_to(corpus).as_posix(): r for r in table.to_pylist()}
    assert list(rows) == ["alice/mon", "alice/tue", "bob/deep/wed", "bob/mon"]
    mon = rows["alice/mon"]
    assert mon["source"] == mon["trajectory"] == str((corpus / "alice/mon").absolute())
    assert (mon["events"], mon["clicks"], mon["keys"], mon["frames"]) == (7, 3, 0, 0)
    assert mon["duration_s"] == 2.9
    assert (mon["verdict"], mon["import_outcome"], mon["reward"], mon["raw_reward"]) == (None,) * 4
    assert (mon["errors"], mon["warnings"], mon["infos"]) == (0, 0, 0)
    assert (rows["alice/tue"]["errors"], rows["alice/tue"]["truncated"]) == (1, 1)
    assert (rows["bob/mon"]["errors"], rows["bob/mon"]["outside_viewport"]) == (2, 2)
    findings = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    assert sum(r["errors"] + r["warnings"] + r["infos"] for r in rows.values()) == len(findings)


def test_an_imported_recording_names_its_source_outcome_and_label(tmp_path: Path) -> None:
    imported = tmp_path / "imported"
    sources = [FIXTURES / "miniwob-enter-text.json", FIXTURES / "miniwob-choose-list.json"]
    assert main(["import", "miniwob", *map(str, sources), "--out", str(imported)]) == 0
    lines = (imported / "import-report.jsonl").read_text().splitlines()
    report = [json.loads(line) for line in lines]
    out = audit_into([imported], tmp_path / "audit")
    _, rows = read_manifest(out / "manifest.parquet")
    assert len(rows) == len(report) == 2
    for line in report:
        row = next(r for r in rows if Path(r["trajectory"]) == Path(line["trajectory"]).absolute())
        assert row["source"] == line["source"]  # the path as given to `import`
        assert row["import_outcome"] == line["outcome"]
        source = json.loads(Path(line["source"]).read_text())
        assert (row["reward"], row["raw_reward"]) == (source["reward"], source["rawReward"])


def test_a_failed_write_leaves_the_manifests_that_were_there(corpus: Path, tmp_path: Path) -> None:
    out = audit_into([corpus], tmp_path / "audit")
    before = {name: (out / name).read_bytes() for name in ("manifest.csv", "manifest.parquet")}
    _, rows = read_manifest(out / "manifest.csv")
    broken = [*rows[:2], {**rows[2], "events": "many"}]  # fails while the Parquet is written
    with pytest.raises(pa.ArrowException):
        write_manifest(broken, out)
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in out.iterdir()) == sorted([*before, "findings.jsonl"])


def test_select_links_exactly_the_rows_the_filter_keeps(corpus: Path, tmp_path: Path) -> None:
    out = audit_into([corpus], tmp_path / "audit")
    os.chmod(corpus / "alice/mon/events.jsonl", 0o644)  # to be linked
    os.chmod(corpus / "alice/mon/meta.json", 0o600)  # to be copied: a link would share its mode
    keep = tmp_path / "keep"
    where = "errors == 0 and verdict == null and clicks in (1, 3)"
    argv = ["select", str(out / "manifest.csv"), "--where", where, "--root", str(corpus)]
    assert main([*argv, "--out", str(keep)]) == 0
    chosen = sorted(p.parent.relative_to(keep).as_posix() for p in keep.rglob("meta.json"))
    assert chosen == ["alice/mon", "bob/deep/wed"]  # their layout kept, from the common folder
    for path in keep.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), path
    source, linked = corpus / "alice/mon/events.jsonl", keep / "alice/mon/events.jsonl"
    assert os.path.samefile(source, linked)  # 0644 already: a hard link
    assert not os.path.samefile(corpus / "alice/mon/meta.json", keep / "alice/mon/meta.json")
    assert stat.S_IMODE((corpus / "alice/mon/meta.json").stat().st_mode) == 0o600  # untouched
    with TrajectoryReader(keep / "alice/mon") as reader:
        assert len(reader.events()) == 7

    copied = tmp_path / "copied"
    where = "not (errors == 0) or bob_is_not_a_column == 1"
    argv = ["select", str(out / "manifest.parquet"), "--root", str(corpus), "--out", str(copied)]
    assert main([*argv, "--where", where]) == 2
    where = "truncated > 0 or (outside_viewport >= 2 and warnings == 0)"
    assert main([*argv, "--where", where, "--copy"]) == 0
    chosen = sorted(p.parent.relative_to(copied).as_posix() for p in copied.rglob("meta.json"))
    assert chosen == ["alice/tue", "bob/mon"]
    assert not os.path.samefile(corpus / "bob/mon/events.jsonl", copied / "bob/mon/events.jsonl")


def test_select_refuses_before_writing_anything(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = audit_into([corpus], tmp_path / "audit")
    manifest = str(out / "manifest.csv")
    keep = tmp_path / "keep"
    (keep / "alice/mon").mkdir(parents=True)  # a place that is taken
    capsys.readouterr()
    argv = ["select", manifest, "--root", str(corpus), "--where"]
    assert main([*argv, "errors == 0", "--out", str(keep)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert [p.relative_to(keep).as_posix() for p in keep.rglob("*")] == ["alice", "alice/mon"]

    shutil.rmtree(corpus / "bob/deep")  # a chosen recording that is gone
    assert main([*argv, "clicks == 1", "--out", str(tmp_path / "k2")]) == 2
    assert "not a trajectory" in capsys.readouterr().err
    assert not (tmp_path / "k2").exists()


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("verdit == 'valid'", "unknown column 'verdit' (did you mean 'verdict'?)"),
        ("errors = 0", "unexpected '=' at character 8 (use == to compare)"),
        ("errors == 'none'", "'errors' and text 'none' cannot be compared"),
        ("(errors == 0", "expected ) at the end"),
        ("errors == 0 and", "expected a column, a 'string', a number or null at the end"),
        ("errors 0", "expected a comparison (==, !=, <, <=, >, >=, in), got '0' at character 8"),
        ("__import__('os').system('id') == 0", "unexpected '.' at character 17"),
        ("__import__ == 0", "unknown column '__import__'"),
        ("", "the expression is empty"),
    ],
)
def test_a_bad_filter_is_a_usage_error_naming_what_is_wrong(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, said: str
) -> None:
    out = audit_into([corpus], tmp_path / "audit")
    capsys.readouterr()
    keep = tmp_path / "keep"
    assert main(["select", str(out / "manifest.csv"), "--where", where, "--out", str(keep)]) == 2
    assert said in capsys.readouterr().err
    assert not keep.exists()


def test_the_filter_language() -> None:
    columns: dict[str, Any] = {"verdict": "text", "errors": "number", "reward": "number"}
    rows = [
        {"verdict": "valid", "errors": 0, "reward": 0.84},
        {"verdict": "diverged", "errors": 0, "reward": None},
        {"verdict": None, "errors": 2, "reward": -1.0},
    ]

    def keeps(where: str) -> list[int]:
        test = compile_where(where, columns)
        return [i for i, row in enumerate(rows) if test(row)]

    assert keeps("verdict == 'valid' or errors > 0 and reward < 0") == [0, 2]  # and binds first
    assert keeps("(verdict == 'valid' or errors > 0) and reward < 0") == [2]
    # SQL's three-valued logic: a comparison with a null is unknown, and so is its `not`
    assert keeps("not verdict in ('valid', \"diverged\")") == []
    assert keeps("verdict not in ('valid')") == [1]
    assert keeps("verdict in ('valid', null)") == [0, 2]  # `null` in a list: the null test
    assert keeps("reward == null") == [1]
    assert keeps("reward != null") == [0, 2]
    assert keeps("not reward == null") == [0, 2]  # the null test is true or false
    assert keeps("reward < 1 or reward >= 1") == [0, 2]  # a null is neither
    assert keeps("reward < 0.5") == keeps("not reward >= 0.5") == [2]
    assert keeps("verdict != 'valid'") == [1]
    assert keeps("reward > 1 or errors == 0") == [0, 1]  # true or unknown: true
    assert keeps("not (reward > 1 and errors == 2)") == [0, 1, 2]  # false and unknown: false
    assert keeps("not (reward > 1 or errors == 2)") == [0]  # unknown or false: unknown
    assert keeps("reward >= -1.0e0 and errors <= 0.5") == [0]
    assert keeps("verdict == 'it\\'s'") == []
    assert keeps("errors >= reward") == [2]  # column with column
    for number in ("9" * 400, "1" + "0" * 29 + ".5", "1e999", "-" + "9" * 31):
        with pytest.raises(WhereError, match=r"number .* at character 10 is"):
            compile_where(f"errors < {number}", columns)
    assert keeps("errors < " + "9" * 30) == [0, 1, 2]  # 30 characters: still a number
    with pytest.raises(WhereError, match="nested more than 64 deep"):
        compile_where("not " * 100 + "errors == 0", columns)
    with pytest.raises(WhereError, match="longer than"):
        compile_where("errors == 0 or " * 400 + "errors == 0", columns)


@pytest.mark.browser
def test_replay_writes_the_manifest_with_each_verdict(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "apply-label.zip")
    recording(folder / "no-task", [(10, 10)])  # names no task: unreplayable, still audited
    out = tmp_path / "replay"
    argv = ["replay", str(folder), "--out", str(out / "verdicts.jsonl"), "--no-fail"]
    assert main(argv) == 0
    _, rows = read_manifest(out / "manifest.parquet")
    assert [(Path(r["trajectory"]).name, r["verdict"]) for r in rows] == [
        ("apply-label.zip", "valid"),
        ("no-task", "unreplayable"),
    ]
    assert rows[0]["clicks"] > 0 and rows[0]["frames"] > 0 and rows[0]["duration_s"] > 0
    _, from_csv = read_manifest(out / "manifest.csv")
    assert from_csv == rows


def test_select_takes_only_trajectories_below_the_manifests_folder(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The reviewer's case: a manifest handed over that names files elsewhere on the machine.
    secret = tmp_path / "secret"
    (secret / "rec").mkdir(parents=True)
    (secret / "private.zip").write_bytes(b"pk!")
    (secret / "rec/meta.json").write_bytes(b"{}\n")
    folder = tmp_path / "m"
    folder.mkdir()
    manifest = folder / "manifest.parquet"
    rows = [{"trajectory": str(secret / "private.zip"), "verdict": "a"},
            {"trajectory": "../secret/rec", "verdict": "b"},
            {"trajectory": "../../../recordings/alice/mon", "verdict": "c"},
            {"trajectory": "../recordings/bob/mon", "verdict": "d"}]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), manifest)
    out = tmp_path / "out"
    for verdict, row in (("a", 1), ("b", 2), ("d", 4)):
        argv = ["select", str(manifest), "--where", f"verdict == '{verdict}'"]
        assert main([*argv, "--out", str(out)]) == 2
        said = capsys.readouterr().err
        assert f"row {row}:" in said and f"is outside {folder}" in said and "--root" in said
    # --root lets the recordings folder in; a row leading out of it still is refused.
    argv = ["select", str(manifest), "--root", str(corpus), "--out", str(out), "--where"]
    assert main([*argv, "verdict == 'c'"]) == 2
    assert "row 3:" in capsys.readouterr().err
    assert main([*argv, "verdict in ('b', 'd')"]) == 2
    assert "row 2:" in capsys.readouterr().err
    assert not out.exists()  # nothing written
    # Inside the root, a file or folder is taken only if it opens as a trajectory.
    argv = ["select", str(manifest), "--root", str(tmp_path), "--out", str(out), "--where"]
    for verdict, row in (("a", 1), ("b", 2)):
        assert main([*argv, f"verdict == '{verdict}'"]) == 2
        assert f"row {row}: " in (said := capsys.readouterr().err) and "not a trajectory" in said
    assert not out.exists()
    # A link in the root to a folder outside it is followed, and refused.
    (corpus / "link").symlink_to(secret / "rec")
    pq.write_table(pa.Table.from_pylist([{"trajectory": str(corpus / "link")}]), manifest)
    argv = ["select", str(manifest), "--root", str(corpus), "--out", str(out)]
    assert main([*argv, "--where", "trajectory != null"]) == 2
    assert "is outside" in capsys.readouterr().err
    assert not out.exists()


def test_select_lays_out_the_chosen_rows_below_their_own_common_folder(
    corpus: Path, tmp_path: Path
) -> None:
    out = audit_into([corpus], tmp_path / "audit")
    _, rows = read_manifest(out / "manifest.parquet")
    stray = {**rows[0], "trajectory": "/nowhere/at/all", "clicks": 99}  # never chosen
    manifest = corpus / "manifest"
    manifest.mkdir()
    write_manifest([*rows, stray], manifest)
    keep = tmp_path / "keep"
    argv = ["select", str(manifest / "manifest.csv"), "--root", str(corpus)]
    assert main([*argv, "--where", "clicks >= 2 and clicks < 99", "--out", str(keep)]) == 0
    chosen = sorted(p.parent.relative_to(keep).as_posix() for p in keep.rglob("meta.json"))
    assert chosen == ["alice/mon", "alice/tue", "bob/mon"]  # not tmp/.../alice/mon: no stray /
    only = tmp_path / "only"
    assert main([*argv, "--where", "clicks == 3", "--out", str(only)]) == 0
    assert [p.parent.name for p in only.rglob("meta.json")] == ["mon"]
    assert (only / "mon/meta.json").is_file()


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("verdict", pa.array([b"valid"], pa.binary())),
        ("verdict", pa.array([True])),
        ("verdict", pa.array([1], pa.timestamp("s"))),
        ("reward", pa.array([decimal.Decimal("1.00")], pa.decimal128(5, 2))),
        ("reward", pa.array([[0.5]])),
        ("reward", pa.array([{"a": 1}])),
        ("errors", pa.array([1.5])),  # an int column holding floats
        ("mine", pa.array([b"x"], pa.binary())),  # a column of its own: text or numbers only
    ],
)
def test_a_parquet_column_of_a_type_the_manifest_never_holds_is_refused(
    tmp_path: Path, column: str, values: pa.Array
) -> None:
    path = tmp_path / "manifest.parquet"
    table = pa.table({"trajectory": ["a"], column: values})
    pq.write_table(table, path)
    with pytest.raises(ManifestError, match=f"column '{column}' holds"):
        read_manifest(path)


def test_a_parquet_number_that_is_not_finite_is_refused_as_in_csv(tmp_path: Path) -> None:
    for value in (math.nan, math.inf):
        pq.write_table(pa.table({"trajectory": ["a"], "reward": [value]}), tmp_path / "m.parquet")
        with pytest.raises(ManifestError, match=f"m.parquet:1: reward: '{value}' is not a number"):
            read_manifest(tmp_path / "m.parquet")
        (tmp_path / "m.csv").write_text(f"trajectory,reward\na,{value}\n")
        with pytest.raises(ManifestError, match=f"m.csv:2: reward: '{value}' is not a number"):
            read_manifest(tmp_path / "m.csv")
    pq.write_table(pa.table({"trajectory": ["a"], "reward": pa.array([None], pa.float64()),
                             "verdict": pa.array(["v"], pa.large_string())}),
                   tmp_path / "m.parquet")  # fmt: skip
    assert read_manifest(tmp_path / "m.parquet") == (
        {"trajectory": "text", "reward": "number", "verdict": "text"},
        [{"trajectory": "a", "reward": None, "verdict": "v"}],
    )


def test_a_csv_cell_a_spreadsheet_would_run_is_escaped_and_read_back_exactly(
    corpus: Path, tmp_path: Path
) -> None:
    out = audit_into([corpus], tmp_path / "audit")
    _, rows = read_manifest(out / "manifest.parquet")
    sources = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "'q", "''", "ok"]
    rows = [{**rows[i % len(rows)], "source": source, "verdict": source, "reward": -1.0}
            for i, source in enumerate(sources)]  # fmt: skip
    folder = tmp_path / "written"
    folder.mkdir()
    write_manifest(rows, folder)
    with (folder / "manifest.csv").open(newline="") as f:
        cells = [(r["source"], r["reward"]) for r in csv.DictReader(f)]
    assert sorted(cells) == sorted(
        ("'" + s if s != "ok" else s, "-1.0") for s in sources
    )  # a number stays a number
    from_csv, from_parquet = (
        read_manifest(folder / n) for n in ("manifest.csv", "manifest.parquet")
    )
    assert from_csv == from_parquet
    assert sorted(r["source"] for r in from_csv[1]) == sorted(sources)  # exactly as given
    keep = tmp_path / "keep"
    argv = ["select", str(folder / "manifest.csv"), "--root", str(corpus), "--out", str(keep)]
    assert main([*argv, "--where", "source == '=HYPERLINK(\"http://x\")'"]) == 0
    assert len(list(keep.rglob("meta.json"))) == 1
