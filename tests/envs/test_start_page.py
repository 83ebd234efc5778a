"""Loading an episode's start page again when Chromium gave up on it because the machine's
network interfaces changed (a Docker container starting beside the run).

A real interface change cannot be made on cue here (it needs root and races Chromium's own
notifier), so these tests give `goto_start` a stand-in page whose `goto` fails as Chromium does
(`net::ERR_NETWORK_CHANGED`, in Playwright's own error type) a set number of times.
"""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Error as PlaywrightError

from officegym.browser._stage import START_PAGE_TRIES, goto_start


class FlakyPage:
    """Fails its first `failures` loads with `error`, then loads."""

    def __init__(self, failures: int, error: str) -> None:
        self.failures, self.error, self.loads = failures, error, 0

    async def goto(self, url: str, wait_until: str) -> None:
        self.loads += 1
        if self.loads <= self.failures:
            raise PlaywrightError(f"Page.goto: {self.error} at {url}")


def _go(page: FlakyPage) -> None:
    asyncio.run(goto_start(page, "http://mail.office.test/"))  # type: ignore[arg-type]


@pytest.mark.parametrize("failures", range(START_PAGE_TRIES))
def test_a_start_page_cut_off_by_a_network_change_is_loaded_again(failures: int) -> None:
    page = FlakyPage(failures, "net::ERR_NETWORK_CHANGED")
    _go(page)
    assert page.loads == failures + 1


def test_a_network_that_keeps_changing_fails_after_the_last_try() -> None:
    page = FlakyPage(START_PAGE_TRIES, "net::ERR_NETWORK_CHANGED")
    with pytest.raises(PlaywrightError, match="ERR_NETWORK_CHANGED"):
        _go(page)
    assert page.loads == START_PAGE_TRIES


@pytest.mark.parametrize("error", ["net::ERR_CONNECTION_REFUSED", "Timeout 30000ms exceeded"])
def test_any_other_failure_is_not_tried_again(error: str) -> None:
    page = FlakyPage(1, error)
    with pytest.raises(PlaywrightError, match=error.split()[0]):
        _go(page)
    assert page.loads == 1
