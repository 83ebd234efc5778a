"""Sheets in Chromium: a column's filter hides rows, the arrow keys step over them, and removing
the filter shows them again."""

from __future__ import annotations

from typing import Any

import pytest

from officegym.agents.axtree import find_element

pytestmark = pytest.mark.browser


def step(env: Any, action: str) -> dict[str, Any]:
    obs, *_ = env.step(action)
    assert obs["last_action_error"] == "", (action, obs["last_action_error"])
    return obs  # type: ignore[no-any-return]


def click(env: Any, obs: dict[str, Any], role: str, name: str) -> dict[str, Any]:
    el = find_element(obs["axtree"], role, name, exact=role in ("checkbox", "button"))
    assert el is not None, f"no {role} {name!r} on {obs['url']}"
    return step(env, f"click('{el.id}')")


def test_filter_hides_rows_and_arrows_step_over_them(make_env: Any) -> None:
    env = make_env("sheets.filter-by-status", action_mode="browser")
    obs, info = env.reset(seed=5)
    rows, status = info["params"]["rows"], info["params"]["status"]
    kept = [i + 1 for i, row in enumerate(rows) if i == 0 or row[2] == status]  # 1-based rows
    gone = [i + 1 for i, row in enumerate(rows) if i > 0 and row[2] != status]

    obs = click(env, obs, "link", info["params"]["book"])
    for role, name in (
        ("button", "Column C menu"),
        ("menuitem", "Filter by values…"),
        ("button", "Clear"),
        ("checkbox", status),
        ("button", "OK"),
    ):
        obs = click(env, obs, role, name)
    shown = {int(line.split('"')[1].split(":")[0][1:]) for line in obs["axtree"].splitlines()
             if 'gridcell "A' in line and ":" in line}  # fmt: skip
    assert shown == set(kept)
    assert f"only {status} orders show" in [
        c["name"] for c in env.unwrapped.task.score(
            env.unwrapped.apps, info["params"], None, None
        ).as_dicts() if c["passed"]
    ]  # fmt: skip

    # From the header, ArrowDown lands on the next row the filter shows.
    obs = click(env, obs, "gridcell", "A1")
    obs = step(env, "press('ArrowDown')")
    assert f'value="A{kept[1]}"' in obs["axtree"]  # the name box

    obs = click(env, obs, "button", "Column C menu")
    obs = click(env, obs, "menuitem", "Remove filter")
    assert all(f'gridcell "A{r}:' in obs["axtree"] for r in gone)
