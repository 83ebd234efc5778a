"""A virtual X display (Xvfb) for headed Chromium: the `xvfb` backend and the recorder's tests."""

from __future__ import annotations

import shutil

from officegym.errors import BrowserUnavailableError

# Big enough for a 1280x720 viewport plus Chromium's tab strip and toolbar.
SCREEN = (1600, 1000)


class VirtualDisplay:
    """Starts Xvfb on a free display number; `name` is the value for DISPLAY.

    The process environment is left alone (browsers get DISPLAY passed explicitly), so a
    headless env and a virtual display can live in one process.

    Raises:
        BrowserUnavailableError: Xvfb is not installed or did not start.
    """

    def __init__(self, size: tuple[int, int] = SCREEN) -> None:
        if shutil.which("Xvfb") is None:
            raise BrowserUnavailableError(
                "Xvfb is not installed: run `apt-get install xvfb` (or `make install`)"
            )
        from pyvirtualdisplay.display import Display

        self.size = size
        self._display = Display(
            visible=False,
            size=size,
            color_depth=24,
            manage_global_env=False,
            # No key auto-repeat: on a loaded machine a press and its release sent together
            # by xdotool can arrive far enough apart for the server to repeat the key.
            extra_args=["-ardelay", "3600000"],
        )
        try:
            self._display.start()
        except Exception as exc:
            raise BrowserUnavailableError(f"Xvfb did not start: {exc}") from exc
        self.name: str = self._display.new_display_var

    def stop(self) -> None:
        """Stop Xvfb (idempotent)."""
        if self._display.is_alive():
            self._display.stop()
