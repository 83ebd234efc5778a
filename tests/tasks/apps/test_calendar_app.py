"""Calendar in Chromium: a meeting set to repeat shows on every week and in the month view."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.tasks.apps import app_url
from officegym.tasks.apps.calendar import day_text

pytestmark = pytest.mark.browser


def test_a_weekly_meeting_shows_every_week(make_env: Any) -> None:
    env = make_env("calendar.repeat-weekly", action_mode="browser")
    obs, info = env.reset(seed=1)
    title, first = info["params"]["title"], date.fromisoformat(info["params"]["start_at"][:10])

    def act(role: str, name: str, exact: bool = False) -> dict[str, Any]:
        el = find_element(obs["axtree"], role, name, exact=exact)
        assert el is not None, f"no {role} {name!r} on {obs['url']}"
        out, *_ = env.step(f"click('{el.id}')")
        assert out["last_action_error"] == "", out["last_action_error"]
        return out  # type: ignore[no-any-return]

    for role, name, exact in (
        ("link", title, False),
        ("link", "Edit", True),
        ("button", "Repeat:", False),
        ("menuitemradio", "Every week", True),
        ("button", "Save", True),
    ):
        obs = act(role, name, exact)
    assert "Every week on" in obs["axtree"]

    later = first + timedelta(days=14)
    obs, *_ = env.step(f"goto('{app_url('calendar', f'/week/{later.isoformat()}')}')")
    assert f"{title}, {day_text(later)}" in obs["axtree"]  # two weeks on, same weekday
    earlier = first - timedelta(days=7)
    obs, *_ = env.step(f"goto('{app_url('calendar', f'/week/{earlier.isoformat()}')}')")
    assert title not in obs["axtree"]  # nothing before the first occurrence
    obs, *_ = env.step(f"goto('{app_url('calendar', f'/month/{first.isoformat()}')}')")
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    grid_end = last + timedelta(days=6 - last.weekday())  # the grid ends on a Sunday
    shown = (grid_end - first).days // 7 + 1  # one occurrence a week from the first
    assert obs["axtree"].count(f'"{title}, ') == shown
