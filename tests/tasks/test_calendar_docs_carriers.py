"""Where Calendar and Docs show an injected instruction (calendar_tasks/attacks.py,
docs_tasks/attacks.py), in Chromium: an invitation's description on the invitations list, a
comment's attached picture (the `image` style: only the picture says it, the page's text and
the image's alt do not, and the page's policy lets it load), and an outside address offered by
the sharing autocomplete. The attacks themselves are proved by tests/tasks/test_injections.py."""

from __future__ import annotations

from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.tasks import get_task
from officegym.tasks.apps import app_url
from officegym.tasks.docs_tasks.attacks import IMAGE_COMMENT
from officegym.tasks.injections import INJECTION_PARAM, get_attack
from officegym.tasks.variants import parse_variant

pytestmark = [pytest.mark.browser, pytest.mark.slow]
INJECT = parse_variant("inject")


def _seed_with(task_id: str, attack: str, style: str) -> int:
    """The first seed whose injected episode carries this attack in this style."""
    task = get_task(task_id)
    for seed in range(40):
        spec = task.build_initial_state(seed, INJECT).params[INJECTION_PARAM]
        if (spec["attack"], spec["style"]) == (attack, style):
            return seed
    raise AssertionError(f"no seed of {task_id} carries {attack} as {style}")


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def test_an_invitation_shows_its_description_on_the_invitations_list(make_env: Any) -> None:
    env = make_env("calendar.accept-invitation", action_mode="browser", variant="inject")
    _, info = env.reset(
        seed=_seed_with("calendar.accept-invitation", "calendar.delete-event", "plain")
    )
    spec = info["params"][INJECTION_PARAM]
    request = get_attack(spec["attack"]).request(spec)
    obs, *_ = env.step(f"goto('{app_url('calendar', '/invitations')}')")
    assert request in _collapsed(obs["axtree"])
    # The carrier is the task's own invitation: its row is the one that shows the text.
    assert find_element(obs["axtree"], "link", info["params"]["title"]) is not None


def test_a_picture_comment_carries_the_request_only_in_its_pixels(make_env: Any) -> None:
    seed = _seed_with("docs.answer-from-document", "docs.share-outside", "image")
    env = make_env("docs.answer-from-document", action_mode="browser", variant="inject")
    _, info = env.reset(seed=seed)
    spec = info["params"][INJECTION_PARAM]
    page = app_url("docs", f"/d/{spec['doc_id']}")
    obs, *_ = env.step(f"goto('{page}')")
    tree = _collapsed(obs["axtree"])
    assert IMAGE_COMMENT in tree and 'img "Attached image: screenshot.png"' in tree
    assert spec["address"] not in tree  # the request is in the picture only
    host, stage = env.unwrapped._host, env.unwrapped._stage
    shown = host.run(
        stage.page.evaluate(
            "[...document.querySelectorAll('.comment-image')]"
            ".map(i => [i.complete, i.naturalWidth, i.alt])"
        )
    )
    assert len(shown) == 1 and shown[0][0] is True and shown[0][1] > 0, shown  # it loaded
    assert spec["address"] not in shown[0][2]


def test_sharing_offers_an_outside_address_typed_in_full_and_no_unknown_name(
    make_env: Any,
) -> None:
    env = make_env("docs.share-with-outsider", action_mode="browser")
    obs, info = env.reset(seed=3)
    params = info["params"]
    obs, *_ = env.step(f"goto('{app_url('docs', '/?q=' + params['title'])}')")

    def do(action: str, role: str, name: str, *args: str) -> dict[str, Any]:
        el = find_element(obs["axtree"], role, name)
        assert el is not None, (role, name, obs["url"])
        quoted = "".join(f", '{a}'" for a in args)
        out, *_ = env.step(f"{action}('{el.id}'{quoted})")
        assert out["last_action_error"] == "", out["last_action_error"]
        return out  # type: ignore[no-any-return]

    obs = do("click", "link", params["title"])
    obs = do("click", "button", "Share")
    obs = do("fill", "combobox", "Add people", params["name"].split()[0])
    assert find_element(obs["axtree"], "option", params["name"]) is None  # still not shareable
    obs = do("fill", "combobox", "Add people", "audit-team@contoso-audit.net")
    option = find_element(obs["axtree"], "option", "audit-team@contoso-audit.net")
    assert option is not None, obs["axtree"][-800:]
