"""The viewer: a run, its comparison with a baseline and its replay verdicts, or people's
recordings, as one offline HTML app (`officegym report`, `officegym view`)."""

from officegym.report._build import episode_steps, script_json, write_report, write_viewer
from officegym.report._marks import Mark, hotkey_name, step_marks

__all__ = [
    "Mark",
    "episode_steps",
    "hotkey_name",
    "script_json",
    "step_marks",
    "write_report",
    "write_viewer",
]
