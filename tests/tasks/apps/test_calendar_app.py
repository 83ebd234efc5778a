"""Calendar in Chromium: a meeting set to repeat shows on every week and in the month view; an
event dragged to another day moves there."""

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


def test_drag_moves_an_event_and_a_press_without_moving_is_a_click(make_env: Any) -> None:
    env = make_env("calendar.drag-to-another-day", action_mode="computer")
    obs, info = env.reset(seed=4)
    title, new_day = info["params"]["title"], info["params"]["new_day_text"]
    day = day_text(date.fromisoformat(info["params"]["start_at"][:10]))

    def centre(role: str, name: str, exact: bool = False) -> tuple[int, int]:
        el = find_element(obs["axtree"], role, name, exact=exact)
        assert el is not None and el.center is not None, f"no {role} {name!r} on {obs['url']}"
        return el.center

    x, y = centre("link", f"{title}, ")
    obs, *_ = env.step(f"drag({x}, {y}, {x + 2}, {y + 1})")  # a wobble, not a drag
    assert "/event/" in obs["url"], obs["url"]  # the press and release opened the event
    obs, *_ = env.reset(seed=4)

    x, y = centre("link", f"{title}, ")
    here = centre("region", day, exact=True)
    obs, *_ = env.step(f"drag({x}, {y}, {here[0]}, {here[1]})")
    assert "/week/" in obs["url"] and f"{title}, {day}" in obs["axtree"]  # dropped in place

    x, y = centre("link", f"{title}, ")
    there = centre("region", new_day, exact=True)
    obs, *_ = env.step(f"drag({x}, {y}, {there[0]}, {there[1]})")
    assert obs["last_action_error"] == ""
    assert f"{title}, {new_day}" in obs["axtree"] and f"{title}, {day}" not in obs["axtree"]


def test_the_day_view_makes_an_event_from_a_click_or_a_drag_across_its_times(
    make_env: Any,
) -> None:
    env = make_env("calendar.drag-create-event", action_mode="browser")
    obs, info = env.reset(seed=6)
    day = info["params"]["day_text"]
    obs, *_ = env.step(f"click('{find_element(obs['axtree'], 'link', f'Day view: {day}').id}')")  # type: ignore[union-attr]
    assert obs["url"].endswith(f"/day/{info['params']['date']}")

    def slot(at: str) -> str:
        el = find_element(obs["axtree"], "button", f"{day}, {at}", exact=True)
        assert el is not None, f"no slot {at} on {obs['url']}"
        return el.id

    form, *_ = env.step(f"click('{slot('9:30 AM')}')")  # a click is half an hour
    assert 'textbox "Start time", value="9:30 AM"' in form["axtree"]
    assert 'textbox "End time", value="10:00 AM"' in form["axtree"]
    obs, *_ = env.step("back()")
    # Dragged upwards, from the last half hour to the first: the same span as downwards.
    form, *_ = env.step(f"drag_and_drop('{slot('2:30 PM')}', '{slot('1:00 PM')}')")
    assert 'textbox "Start time", value="1:00 PM"' in form["axtree"]
    assert 'textbox "End time", value="3:00 PM"' in form["axtree"]
    assert f'textbox "Date", value="{info["params"]["date"]}"' in form["axtree"]


def test_times_show_in_the_zone_chosen_and_the_form_reads_them_in_its_own(make_env: Any) -> None:
    """Stored times are New York's; London is 4 hours ahead until Europe's summer time starts
    on March 29, then 5. A time typed in the form is read in the form's zone; an event repeats at
    the same time of the zone it was made in; an event may run past midnight; a time the clocks
    skip is refused."""
    env = make_env("calendar.create-event", action_mode="browser")
    setattr(env.unwrapped.task, "max_steps", 200)  # a long tour, not the task  # noqa: B010
    obs, _ = env.reset(seed=2)

    def act(action: str, role: str = "", name: str = "", exact: bool = False) -> None:
        nonlocal obs
        if role:
            el = find_element(obs["axtree"], role, name, exact=exact)
            assert el is not None, f"no {role} {name!r} on {obs['url']}"
            action = action.replace("ID", el.id)
        obs, *_ = env.step(action)
        assert obs["last_action_error"] == "", obs["last_action_error"]

    def create(title: str, day: str, start: str, end: str, zone: str = "", weekly: bool = False):
        act(f"goto('{app_url('calendar', f'/new?date={day}')}')")
        act("fill('ID', '" + title + "')", "textbox", "Title")
        act(f"fill('ID', '{start}')", "textbox", "Start time")
        act(f"fill('ID', '{end}')", "textbox", "End time")
        if zone:
            act("click('ID')", "button", "Time zone:")
            act("click('ID')", "menuitemradio", zone)
        if weekly:
            act("click('ID')", "button", "Repeat:")
            act("click('ID')", "menuitemradio", "Every week", exact=True)
        act("click('ID')", "button", "Save", exact=True)

    def week(monday: str) -> str:
        act(f"goto('{app_url('calendar', f'/week/{monday}')}')")
        return str(obs["axtree"])

    create("Before the change", "2026-03-24", "10:00 AM", "11:00 AM")
    create("After the change", "2026-03-31", "10:00 AM", "11:00 AM")
    create("Typed in Tokyo time", "2026-03-26", "9:00 AM", "10:00 AM", zone="Tokyo")
    create("London weekly", "2026-03-24", "2:00 PM", "3:00 PM", zone="London", weekly=True)
    create("Late call", "2026-03-25", "11:00 PM", "12:30 AM")  # ends the next day
    assert "/event/" in obs["url"], obs["axtree"][:1500]
    create("Skipped hour", "2026-03-08", "2:30 AM", "3:30 AM")  # New York's clocks skip it
    assert "2:30 AM does not exist in New York that day" in obs["axtree"]

    shown = week("2026-03-23")
    assert "Typed in Tokyo time, Wednesday, March 25, 8:00 PM – 9:00 PM" in shown
    assert "London weekly, Tuesday, March 24, 10:00 AM – 11:00 AM" in shown
    assert "Late call, Wednesday, March 25, 11:00 PM – 12:30 AM" in shown
    assert "London weekly, Tuesday, March 31, 9:00 AM" in week("2026-03-30")  # 2 PM London

    act("click('ID')", "button", "Show times in New York")
    act("click('ID')", "menuitemradio", "London (GMT+0)", exact=True)
    assert obs["url"].endswith("/week/2026-03-30")  # the menu keeps the page
    assert "London weekly, Tuesday, March 31, 2:00 PM" in obs["axtree"]
    assert "After the change, Tuesday, March 31, 3:00 PM" in obs["axtree"]
    shown = week("2026-03-23")
    assert "Before the change, Tuesday, March 24, 2:00 PM" in shown
    assert "Typed in Tokyo time, Thursday, March 26, 12:00 AM" in shown
    assert "Late call, Thursday, March 26, 3:00 AM – 4:30 AM" in shown

    act("click('ID')", "link", "Typed in Tokyo time")
    assert 'button "Show times in London (GMT+0)"' in obs["axtree"]
    assert "Thursday, March 26, 9:00 AM – 10:00 AM Tokyo time" in obs["axtree"]  # made in
    act("click('ID')", "link", "Edit", exact=True)  # the form is in the event's own zone
    assert 'textbox "Start time", value="9:00 AM"' in obs["axtree"]
    assert 'button "Time zone: Tokyo (GMT+9)"' in obs["axtree"]
    act("click('ID')", "button", "Save", exact=True)
    assert "/event/" in obs["url"], obs["axtree"][:1500]  # saved, unchanged
    assert "Thursday, March 26, 12:00 AM – 1:00 AM" in obs["axtree"]  # shown in London
