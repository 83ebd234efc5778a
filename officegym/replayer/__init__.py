"""Replay recorded trajectories and say, per recording, whether it is valid, where and why not."""

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
