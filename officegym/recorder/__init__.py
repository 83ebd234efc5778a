"""Record people doing office tasks, and make human-like recordings from oracle plans."""

from __future__ import annotations

from officegym.recorder._recorder import RECORDER_BACKENDS, Recorder
from officegym.recorder._synth import SynthError, SynthResult, synthesize, synthesize_suite

__all__ = [
    "RECORDER_BACKENDS",
    "Recorder",
    "SynthError",
    "SynthResult",
    "synthesize",
    "synthesize_suite",
]
