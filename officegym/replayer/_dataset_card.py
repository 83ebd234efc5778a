"""The dataset card of an export, `README.md`: what is in it, its schema, how it was chosen and
redacted, and what was left out and why.

It starts with the YAML header Hugging Face's hub reads (`configs` pointing at the data files),
so the folder can be pushed as a dataset repository as it is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from officegym import __version__
from officegym.replayer._manifest import FILE_MODE

if TYPE_CHECKING:
    from officegym.replayer._export import ExportReport

CARD_NAME = "README.md"
# How a card starts, and the line it always holds: what `--overwrite` takes for an earlier export.
CARD_START = "---\nconfigs:\n"
CARD_MARK = "Exported by officegym "
MAX_SKIPPED_LISTED = 1_000  # a card names this many skipped recordings, then counts the rest
_EXTENSION = {"parquet": "parquet", "jsonl": "jsonl", "webdataset": "tar"}
_LOADING = {
    "parquet": (
        "```python\nimport datasets\n"
        'ds = datasets.load_dataset("parquet", data_files="data/*.parquet", split="train")\n'
        'ds[0]["frame"]  # a PIL image\n\n'
        "import pyarrow.parquet as pq\n"
        'table = pq.read_table("data")  # the frame column: {bytes, path}\n```'
    ),
    "jsonl": (
        "```python\nimport datasets\n"
        'ds = datasets.load_dataset("json", data_files="data/*.jsonl", split="train")\n'
        '# ds[0]["frame"] is a path relative to this folder (frames/<sha256[:2]>/<sha256>.png)\n'
        "```"
    ),
    "webdataset": (
        "```python\nimport datasets\n"
        'ds = datasets.load_dataset("webdataset", data_files="data/*.tar", split="train")\n'
        "# each sample: KEY.json (the row) and KEY.png (its frame; a 1x1 transparent\n"
        "# placeholder when the row's `frame` is null: the step has none)\n```"
    ),
}


def is_card(path: Path) -> bool:
    """`path` is a file (no link) that starts as an export's card does."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        head = handle.read(4096).decode("utf-8", "replace")
    return head.startswith(CARD_START) and f"\n{CARD_MARK}" in head


def _cell(text: object) -> str:
    """Text safe in a Markdown table cell and on one line."""
    return " ".join(str(text).replace("|", "\\|").splitlines())


def write_card(
    report: ExportReport, path: Path, columns: Sequence[Any], labels: Sequence[Any]
) -> None:
    """Write the card of `report` to `path` (under a temporary name, then renamed).

    Args:
        report: what the export did.
        path: the card's path, `README.md` in the export's folder.
        columns: the rows' columns (`EXPORT_COLUMNS`).
        labels: the columns of the `labels` struct (`LABEL_COLUMNS`).
    """
    ext = _EXTENSION[report.format]
    lines = [
        *CARD_START.splitlines(),
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        f"    path: data/*.{ext}",
        "tags:",
        "- computer-use",
        "- officegym",
        "---",
        "",
        "# officegym recordings",
        "",
        f"{CARD_MARK}{__version__} (`officegym export --format {report.format}`): one "
        "row per step of each recording, with the screen it was taken on and its action.",
        "",
        *_counts(report),
        *_how_chosen(report),
        *_redaction(report),
        *_skipped(report),
        "## Loading",
        "",
        _LOADING[report.format],
        "",
        "## Schema",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
        *(f"| `{c.name}` | {c.type} | {_cell(c.doc)} |" for c in columns),
        "",
        "`labels` holds the recording's row of the manifest (`officegym audit`, `replay`): "
        + ", ".join(f"`{c.name}` ({c.type})" for c in labels)
        + ". A null is not known: no manifest names the recording.",
        "",
    ]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, path)


def _counts(report: ExportReport) -> list[str]:
    verdicts = ", ".join(f"{v}: {n}" for v, n in sorted(report.verdicts.items())) or "none"
    sources = ", ".join(f"{s}: {n}" for s, n in sorted(report.sources.items())) or "none"
    files = ", ".join(f"`{f.relative_to(report.out).as_posix()}`" for f in report.files)
    return [
        "## Contents",
        "",
        "| | |",
        "|---|---|",
        f"| recordings | {report.recordings} |",
        f"| steps (rows) | {report.steps} |",
        f"| steps with a frame | {report.frames} |",
        f"| recordings per verdict | {_cell(verdicts)} |",
        f"| recordings per source | {_cell(sources)} |",
        f"| files | {files or 'none'} |",
        "",
    ]


def _how_chosen(report: ExportReport) -> list[str]:
    manifests = ", ".join(f"`{_cell(m)}`" for m in report.manifests) or "none found"
    where = f"`{_cell(report.where)}`" if report.where is not None else "none: every recording"
    return [
        "## How the recordings were chosen",
        "",
        f"- Recordings found: {report.found}.",
        f"- Filter (`--where`): {where}; {report.filtered_out} left out by it.",
        f"- Labels from: {manifests} ({report.labelled} of {report.recordings} recordings "
        "named in one).",
        f"- Skipped: {len(report.skipped)} (listed below with the reason: unreadable, a frame "
        "no loader decodes, or a value no column holds).",
        "",
    ]


def _redaction(report: ExportReport) -> list[str]:
    kinds = ", ".join(f"{k}: {n}" for k, n in sorted(report.redaction_kinds.items()))
    return [
        "## Redaction",
        "",
        "Passwords are never recorded (masked key events store `•`); the export gives no action "
        "for a masked step (`masked`). What `officegym redact` replaced or painted over is "
        "listed in each recording's `meta.privacy.redactions` and counted in `redactions` and, "
        "per frame, `frame_redactions`.",
        "",
        f"- Recordings with redactions: {report.redacted} of {report.recordings}"
        + (f" ({_cell(kinds)})." if kinds else "."),
        f"- Recordings that masked input fields: {report.masked_fields}; masked steps: "
        f"{report.masked_steps}.",
        f"- Recordings made under a capture policy: {report.captured_under_policy}, with "
        f"{report.capture_gaps} stretches in which it captured nothing (`meta.capture.gaps`: "
        "no frame and no key there).",
        "- A recording with no redaction was exported as it was recorded: check it "
        "(`officegym audit`) before sharing the dataset.",
        "",
    ]


def _skipped(report: ExportReport) -> list[str]:
    if not report.skipped:
        return []
    listed = report.skipped[:MAX_SKIPPED_LISTED]
    lines = ["## Skipped recordings", "", "| recording | why |", "|---|---|"]
    lines += [f"| `{_cell(path)}` | {_cell(why)} |" for path, why in listed]
    if len(report.skipped) > len(listed):
        lines.append(f"| … | {len(report.skipped) - len(listed)} more |")
    return [*lines, ""]
