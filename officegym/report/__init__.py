"""Static HTML reports of runs, replay verdicts and comparisons (`officegym report`)."""

from officegym.report._build import episode_steps, write_report

__all__ = ["episode_steps", "write_report"]
