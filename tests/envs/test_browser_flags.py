"""The Chromium the env launches and its switches: headless runs the headless shell when it is
installed; ours keep Playwright's disabled features (Chromium keeps only the last
--disable-features), and new windows of the headed browser load no address-bar WebUI popups."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from officegym.browser import BrowserHost, chromium_executable

pytestmark = pytest.mark.browser


def browser_cmdline(headless: bool) -> list[str]:
    """The command line of this process's headless or headed Chromium browser process."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    stack, found = [os.getpid()], []
    while stack:
        for pid in children.get(stack.pop(), []):
            stack.append(pid)
            try:
                args = (Path("/proc") / str(pid) / "cmdline").read_text().split("\0")
            except OSError:
                continue
            browser = "--remote-debugging-pipe" in args and not any(
                a.startswith("--type=") for a in args
            )
            if browser and ("--headless" in args) == headless:
                found.append(args)
    assert found, "no Chromium browser process under this test process"
    return found[0]


@pytest.mark.skipif(
    not shutil.which("chromium-headless-shell") or bool(os.environ.get("OFFICEGYM_CHROMIUM")),
    reason="the headless shell is not installed (make install installs it), or a binary is set",
)
def test_headless_runs_the_headless_shell_and_headed_runs_chromium() -> None:
    BrowserHost.acquire("headless")
    program = browser_cmdline(headless=True)[:3]  # Debian's /usr/bin entries are sh scripts
    assert "chromium-headless-shell" in [Path(a).name for a in program], program
    assert chromium_executable(headless=True) == shutil.which("chromium-headless-shell")
    assert Path(chromium_executable(headless=False) or "").name != "chromium-headless-shell"


@pytest.mark.xvfb
def test_our_disabled_features_keep_playwrights_and_drop_the_omnibox_webui() -> None:
    # Headed: the headless shell has no address bar, so only the full browser shows the popups.
    host = BrowserHost.acquire("xvfb")
    lists = [
        a.split("=", 1)[1].split(",")
        for a in browser_cmdline(headless=False)
        if a.startswith("--disable-features=")
    ]
    assert len(lists) == 2, lists  # Playwright's, then ours: Chromium keeps the last
    playwrights, ours = lists
    assert set(playwrights) <= set(ours), (
        f"add to PLAYWRIGHT_DISABLED_FEATURES: {set(playwrights) - set(ours)}"
    )

    async def targets() -> list[str]:
        assert host.browser is not None
        context = await host.browser.new_context()
        await context.new_page()
        session = await host.browser.new_browser_cdp_session()
        infos = (await session.send("Target.getTargets"))["targetInfos"]
        await session.detach()
        await context.close()
        return [str(t["url"]) for t in infos]

    urls = host.run(targets())
    assert "about:blank" in urls
    assert not [u for u in urls if "omnibox" in u], urls  # no popup WebUI per new window
