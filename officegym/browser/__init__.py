"""The browser seam that the env, the recorder, the replayer and the sandbox share.

`BrowserHost` owns one Chromium (and the app server and, for headed runs, the virtual display)
for a process; a `Stage` is one episode's browser context with its tabs; `PageWatch` follows a
page's navigations and what it tried to reach; `OsInput` acts through the window system as a
person's hand does; `PageMouse` is a page's mouse with the back and forward buttons too;
`read_page` evaluates in a page past anything its own script replaced.
The page script (`page.js`) that every context loads lives here too.
"""

from officegym.browser._display import SCREEN, VirtualDisplay
from officegym.browser._host import CHROMIUM_ARGS, BrowserHost, chromium_executable
from officegym.browser._mouse import SIDE_BUTTONS, PageMouse, PlaywrightButton, press_side_button
from officegym.browser._osinput import KEYSYMS, WHEEL_NOTCH, OsInput, keysym
from officegym.browser._stage import (
    JPEG_QUALITY,
    POPUPS_PROBE,
    TWO_FRAMES_JS,
    Stage,
    page_state_js,
    prepare_stage,
    restart_stage,
)
from officegym.browser._watch import PageWatch, read_page
from officegym.tasks.apps import DOMAIN, WORLD_HEADER, app_url

__all__ = [
    "CHROMIUM_ARGS",
    "DOMAIN",
    "JPEG_QUALITY",
    "KEYSYMS",
    "POPUPS_PROBE",
    "SCREEN",
    "SIDE_BUTTONS",
    "TWO_FRAMES_JS",
    "WHEEL_NOTCH",
    "WORLD_HEADER",
    "BrowserHost",
    "OsInput",
    "PageMouse",
    "PageWatch",
    "PlaywrightButton",
    "Stage",
    "VirtualDisplay",
    "app_url",
    "chromium_executable",
    "keysym",
    "page_state_js",
    "prepare_stage",
    "press_side_button",
    "read_page",
    "restart_stage",
]
