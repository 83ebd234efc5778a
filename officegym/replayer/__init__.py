"""Replay recorded trajectories and say, per recording, whether it is valid, where and why not."""

from officegym.replayer._replay import MODES, Replayer, replay_all
from officegym.replayer._verdict import ReplayResult, Verdict

__all__ = [
    "MODES",
    "ReplayResult",
    "Replayer",
    "Verdict",
    "replay_all",
]
