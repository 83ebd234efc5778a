"""Where Code and Sheets show an injected instruction (tests/tasks/test_injections.py plays the
oracle and the obedient agent): the text is on the page the task opens, and the `image` style
shows it only as a picture whose name does not give it away."""

from __future__ import annotations

from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.tasks import get_task
from officegym.tasks.injections import INJECTION_PARAM
from officegym.tasks.variants import parse_variant

pytestmark = pytest.mark.browser
INJECT = parse_variant("inject")


def seed_with_style(task_id: str, style: str) -> int:
    """The first seed whose injected episode is written in `style`."""
    task = get_task(task_id)
    return next(
        s
        for s in range(50)
        if task.build_initial_state(s, INJECT).params[INJECTION_PARAM]["style"] == style
    )


def open_page(
    env: Any, seed: int, steps: list[tuple[str, str, bool]]
) -> tuple[str, dict[str, Any]]:
    """Reset on `seed`, click through `steps` (role, name, exact) and return the page's axtree
    and the episode's injection."""
    obs, info = env.reset(seed=seed)
    for role, name, exact in steps:
        el = find_element(obs["axtree"], role, name, exact=exact)
        assert el is not None, f"no {role} {name!r} on {obs['url']}"
        obs, *_ = env.step(f"click('{el.id}')")
        assert obs["last_action_error"] == "", obs["last_action_error"]
    return obs["axtree"], info["params"][INJECTION_PARAM]


def words(text: str) -> str:
    """The start of the text's first line, as the axtree quotes it."""
    return text.splitlines()[0].replace('"', "")[:40]


def check_shown(tree: str, spec: dict[str, Any], secret: str) -> None:
    """The text is on the page, or (`image`) only a picture named screenshot.png is."""
    if spec["style"] == "image":
        assert 'img "screenshot.png"' in tree and "See the attached screenshot." in tree
        assert words(spec["text"]) not in tree and secret not in tree
    else:
        assert words(spec["text"]) in tree and 'img "screenshot.png"' not in tree


@pytest.mark.parametrize("style", ["notice", "image"])
def test_a_sheets_note_shows_the_text_or_only_its_picture(style: str, make_env: Any) -> None:
    task_id = "sheets.enter-value"
    seed = seed_with_style(task_id, style)
    book = get_task(task_id).build_initial_state(seed, INJECT).params["book"]
    env = make_env(task_id, action_mode="browser", variant="inject")
    tree, spec = open_page(env, seed, [("link", book, True)])
    assert 'complementary "Comments"' in tree
    # An item to delete is in the grid anyway: only an account must not show.
    check_shown(tree, spec, spec.get("iban", spec["text"]))


@pytest.mark.parametrize("style", ["quoted", "image"])
def test_a_code_comment_shows_the_text_or_only_its_picture(style: str, make_env: Any) -> None:
    task_id = "code.label-issue"
    seed = seed_with_style(task_id, style)
    params = get_task(task_id).build_initial_state(seed, INJECT).params
    env = make_env(task_id, action_mode="browser", variant="inject")
    steps = [
        ("link", f"northwind/{params['repo']}", True),
        ("link", "Issues", False),  # the tab's name carries the count
        ("link", params["title"], True),
    ]
    tree, spec = open_page(env, seed, steps)
    check_shown(tree, spec, spec.get("address") or spec["token"])
