"""A virtual X display (Xvfb) for headed Chromium: the `xvfb` backend and the recorder's tests.

Xvfb must not outlive the process that started it, even one killed with SIGKILL (no `atexit`,
no `finally` runs then): a runner's hung worker is killed so, and each Xvfb left behind holds
about 70 MB. Linux's parent-death signal (`PR_SET_PDEATHSIG`) does it: the kernel signals Xvfb
when its parent goes. Playwright's driver needs nothing of the kind (it exits when its pipe from
this process closes, and closes the browser), nor does xdotool (it exits with its X server).
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable

from officegym.errors import BrowserUnavailableError

# Big enough for a 1280x720 viewport plus Chromium's tab strip and toolbar.
SCREEN = (1600, 1000)
START_TIMEOUT_S = 30.0  # for Xvfb to say which display it took (it takes ms; more under load)
STOP_TIMEOUT_S = 5.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Looked up now: between fork and exec the child may only call what is already loaded.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if os.name == "posix" else None


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A `preexec_fn` that makes the child get `sig` when the thread that started it ends.

    The kernel ties the signal to the parent *thread*: start the child from a thread that lives
    as long as the child should (`VirtualDisplay` keeps one per display).
    """
    parent = os.getpid()

    def preexec() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, int(sig))
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(1)

    return preexec


class VirtualDisplay:
    """Starts Xvfb on a free display number; `name` is the value for DISPLAY.

    The process environment is left alone (browsers get DISPLAY passed explicitly), so a
    headless env and a virtual display can live in one process. Xvfb gets SIGTERM when this
    process ends, however it ends.

    Raises:
        BrowserUnavailableError: Xvfb is not installed or did not start.
    """

    def __init__(self, size: tuple[int, int] = SCREEN) -> None:
        if shutil.which("Xvfb") is None:
            raise BrowserUnavailableError(
                "Xvfb is not installed: run `apt-get install xvfb` (or `make install`)"
            )
        self.size = size
        # Xvfb writes here as long as it runs: for the error if it fails to start.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 — closed in stop()
        read, write = os.pipe()
        command = [
            "Xvfb", "-br", "-nolisten", "tcp", "-screen", "0", f"{size[0]}x{size[1]}x24",
            # It picks a free display number and writes it to this descriptor.
            "-displayfd", str(write),
            # No key auto-repeat: on a loaded machine a press and its release sent together
            # by xdotool can arrive far enough apart for the server to repeat the key.
            "-ardelay", "3600000",
        ]  # fmt: skip
        started: concurrent.futures.Future[subprocess.Popen[bytes]] = concurrent.futures.Future()
        # The thread that starts Xvfb waits for it, so it ends only when Xvfb does (or with the
        # process): the parent-death signal follows the thread, not the process.
        self._keeper = threading.Thread(
            target=self._keep, args=(command, write, started), name="officegym-xvfb", daemon=True
        )
        self._keeper.start()
        try:
            self.process = started.result(START_TIMEOUT_S)
            self.name = f":{self._display_number(read)}"
        except Exception as exc:
            said = self._messages()
            self.stop()
            raise BrowserUnavailableError(f"Xvfb did not start: {exc}{said}") from exc
        finally:
            os.close(read)

    def _keep(
        self,
        command: list[str],
        write: int,
        started: concurrent.futures.Future[subprocess.Popen[bytes]],
    ) -> None:
        try:
            process = subprocess.Popen(
                command,
                pass_fds=[write],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                preexec_fn=die_with_parent(),
            )
        except OSError as exc:
            started.set_exception(exc)
            return
        finally:
            os.close(write)  # Xvfb has its copy: the pipe ends when Xvfb closes it or exits
        started.set_result(process)
        process.wait()

    def _display_number(self, read: int) -> int:
        """The number Xvfb writes to the display pipe once it is ready for clients."""
        text = b""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not text.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no display number from Xvfb in {START_TIMEOUT_S:g} s")
            ready, _, _ = select.select([read], [], [], left)
            if ready:
                chunk = os.read(read, 64)
                if not chunk:  # it closed the pipe: it exited
                    raise RuntimeError(f"Xvfb exited with status {self.process.wait()}")
                text += chunk
        return int(text)

    def _messages(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode(errors="replace").strip()
        return f"; it said: {text[-500:]}" if text else ""

    @property
    def pid(self) -> int | None:
        """Xvfb's process id (None before it started)."""
        process = getattr(self, "process", None)
        return process.pid if process is not None else None

    def stop(self) -> None:
        """Stop Xvfb (idempotent)."""
        process = getattr(self, "process", None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._keeper.join(STOP_TIMEOUT_S)
        self._log.close()
