"""Replay recorded trajectories and say, per recording, whether it is valid, where and why not."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names __getattr__ gives, typed for the checker
    from officegym.replayer._expect import Expectation, Expectations, load_expectations
    from officegym.replayer._export import ExportReport, export_recordings
    from officegym.replayer._export_formats import EXPORT_COLUMNS, FORMATS, ExportError
    from officegym.replayer._findings import AuditResult, Finding, RecordingStats, audit
    from officegym.replayer._frame_audit import FrameMatch, OcrWorkers, audit_frames, scan_frame
    from officegym.replayer._frame_redact import FrameRedactionReport, redact_with_frames
    from officegym.replayer._manifest import (
        MANIFEST_COLUMNS,
        ImportOutcomes,
        ManifestError,
        manifest_row,
        read_manifest,
        read_recording,
        write_manifest,
    )
    from officegym.replayer._ocr import FrameImageError, OcrFrameError, OcrUnavailableError
    from officegym.replayer._policy_check import check_policy
    from officegym.replayer._redact import RedactionReport, redact
    from officegym.replayer._replay import MODES, Replayer, replay_all
    from officegym.replayer._selection import Selection, select_recordings
    from officegym.replayer._verdict import ReplayResult, Verdict
    from officegym.replayer._where import WhereError, compile_where

__all__ = [
    "EXPORT_COLUMNS",
    "FORMATS",
    "MANIFEST_COLUMNS",
    "MODES",
    "AuditResult",
    "Expectation",
    "Expectations",
    "ExportError",
    "ExportReport",
    "Finding",
    "FrameImageError",
    "FrameMatch",
    "FrameRedactionReport",
    "ImportOutcomes",
    "ManifestError",
    "OcrFrameError",
    "OcrUnavailableError",
    "OcrWorkers",
    "RecordingStats",
    "RedactionReport",
    "ReplayResult",
    "Replayer",
    "Selection",
    "Verdict",
    "WhereError",
    "audit",
    "audit_frames",
    "check_policy",
    "compile_where",
    "export_recordings",
    "load_expectations",
    "manifest_row",
    "read_manifest",
    "read_recording",
    "redact",
    "redact_with_frames",
    "replay_all",
    "scan_frame",
    "select_recordings",
    "write_manifest",
]

# The module (in this package) that defines each public name, loaded when the name is first
# asked for. Eager, `import officegym.replayer.importers` paid for all of them (~0.55 s): the
# export pulls in Gymnasium and every task, replay and expectations Playwright, the frame
# audit PIL; a verb imports only the modules behind the names it uses.
_MODULE_OF = {
    **dict.fromkeys(("Expectation", "Expectations", "load_expectations"), "_expect"),
    **dict.fromkeys(("ExportReport", "export_recordings"), "_export"),
    **dict.fromkeys(("EXPORT_COLUMNS", "FORMATS", "ExportError"), "_export_formats"),
    **dict.fromkeys(("AuditResult", "Finding", "RecordingStats", "audit"), "_findings"),
    **dict.fromkeys(("FrameMatch", "OcrWorkers", "audit_frames", "scan_frame"), "_frame_audit"),
    **dict.fromkeys(("FrameRedactionReport", "redact_with_frames"), "_frame_redact"),
    **dict.fromkeys(
        (
            "MANIFEST_COLUMNS",
            "ImportOutcomes",
            "ManifestError",
            "manifest_row",
            "read_manifest",
            "read_recording",
            "write_manifest",
        ),
        "_manifest",
    ),
    **dict.fromkeys(("FrameImageError", "OcrFrameError", "OcrUnavailableError"), "_ocr"),
    "check_policy": "_policy_check",
    **dict.fromkeys(("RedactionReport", "redact"), "_redact"),
    **dict.fromkeys(("MODES", "Replayer", "replay_all"), "_replay"),
    **dict.fromkeys(("Selection", "select_recordings"), "_selection"),
    **dict.fromkeys(("ReplayResult", "Verdict"), "_verdict"),
    **dict.fromkeys(("WhereError", "compile_where"), "_where"),
}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once loaded, a plain attribute: __getattr__ is not asked again
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
