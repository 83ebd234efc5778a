"""Replay recorded trajectories and say, per recording, whether it is valid, where and why not."""

from officegym.replayer._findings import AuditResult, Finding, RecordingStats, audit
from officegym.replayer._manifest import (
    MANIFEST_COLUMNS,
    ImportOutcomes,
    ManifestError,
    manifest_row,
    read_manifest,
    read_recording,
    write_manifest,
)
from officegym.replayer._redact import RedactionReport, redact
from officegym.replayer._replay import MODES, Replayer, replay_all
from officegym.replayer._selection import Selection, select_recordings
from officegym.replayer._verdict import ReplayResult, Verdict
from officegym.replayer._where import WhereError, compile_where

__all__ = [
    "MANIFEST_COLUMNS",
    "MODES",
    "AuditResult",
    "Finding",
    "ImportOutcomes",
    "ManifestError",
    "RecordingStats",
    "RedactionReport",
    "ReplayResult",
    "Replayer",
    "Selection",
    "Verdict",
    "WhereError",
    "audit",
    "compile_where",
    "manifest_row",
    "read_manifest",
    "read_recording",
    "redact",
    "replay_all",
    "select_recordings",
    "write_manifest",
]
