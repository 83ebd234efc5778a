"""Replay recorded trajectories and say, per recording, whether it is valid, where and why not."""

from officegym.replayer._findings import Finding, audit
from officegym.replayer._redact import RedactionReport, redact
from officegym.replayer._replay import MODES, Replayer, replay_all
from officegym.replayer._verdict import ReplayResult, Verdict

__all__ = [
    "MODES",
    "Finding",
    "RedactionReport",
    "ReplayResult",
    "Replayer",
    "Verdict",
    "audit",
    "redact",
    "replay_all",
]
