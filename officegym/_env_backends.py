"""The env backends: what `OfficeEnv(backend=...)` and the CLI's `--backend` accept.

A module of its own, importing nothing, because `officegym.envs` imports Gymnasium (and with it
every task) and the CLI must not pay for that to build its parser.
"""

from __future__ import annotations

# headless: Chromium's headless mode; xvfb: a headed Chromium window on a virtual X display.
ENV_BACKENDS = ("headless", "xvfb")
