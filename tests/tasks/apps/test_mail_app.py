"""The Mail app in a real browser: views, shortcuts, autocomplete, the label menu, no errors."""

from __future__ import annotations

from typing import Any

import pytest

from officegym.agents.axtree import find_element

pytestmark = pytest.mark.browser


class Page:
    """Drives an env with computer actions and reads the AX tree, like a careful person."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.obs, self.info = env.reset(seed=5)
        self.errors: list[str] = []
        host, stage = env.unwrapped._host, env.unwrapped._stage

        async def listen() -> None:
            stage.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
            stage.page.on("pageerror", lambda e: self.errors.append(str(e)))
            stage.page.on("requestfailed", lambda r: self.errors.append(f"failed {r.url}"))
            stage.page.on(
                "response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}")
            )

        host.run(listen())

    def step(self, action: str) -> dict[str, Any]:
        self.obs, *_ = self.env.step(action)
        assert self.obs["last_action_error"] == "", self.obs["last_action_error"]
        return self.obs

    def reload(self) -> dict[str, Any]:
        """Reload the tab, as a person pressing F5 would: the whole page, not a swapped view."""
        host, stage = self.env.unwrapped._host, self.env.unwrapped._stage
        host.run(stage.page.reload(wait_until="load"))
        return self.step("wait(100)")

    def find(self, role: str, name: str) -> Any:
        el = find_element(self.obs["axtree"], role, name)
        assert el is not None, f"no {role} {name!r} in:\n{self.obs['axtree'][:3000]}"
        return el

    def click(self, role: str, name: str) -> dict[str, Any]:
        x, y = self.find(role, name).center
        return self.step(f"click({x}, {y})")

    @property
    def mail(self) -> Any:
        return self.env.unwrapped.apps["mail"]


@pytest.fixture
def page(make_env: Any) -> Page:
    return Page(make_env("mail.apply-label", action_mode="computer"))


def test_views_render_without_errors(page: Page) -> None:
    assert 'region "Inbox"' in page.obs["axtree"]
    unread = page.mail.scalar(
        "SELECT count(*) FROM threads WHERE in_inbox AND unread AND NOT trashed"
    )
    assert page.find("link", "Inbox").name == f"Inbox {unread}"
    for folder in ("Starred", "Sent", "Archive", "Trash", "Work"):
        obs = page.click("link", folder)
        assert folder.lower() in obs["url"].lower() and f'heading "{folder}"' in obs["axtree"]
    obs = page.click("link", "Inbox")
    thread = find_element(obs["axtree"], "link", "Hi Alex")
    assert thread is not None
    obs = page.step(f"click({thread.center[0]}, {thread.center[1]})")
    assert "/thread/" in obs["url"] and 'article "Message from' in obs["axtree"]
    obs = page.reload()  # a deep link to a conversation renders the whole page
    assert 'article "Message from' in obs["axtree"] and 'navigation "Folders"' in obs["axtree"]
    obs = page.step("key('u')")
    assert obs["url"] == "http://mail.office.test/"
    assert page.errors == []


def test_keyboard_shortcuts(page: Page) -> None:
    first = page.mail.query(
        "SELECT id, starred FROM threads WHERE in_inbox AND NOT trashed "
        "ORDER BY last_date DESC, id DESC LIMIT 3"
    )
    page.step("key('j')")
    page.step("key('k')")
    page.step("key('j')")  # cursor on the second conversation
    page.step("key('s')")
    assert page.mail.scalar("SELECT starred FROM threads WHERE id = ?", (first[1]["id"],)) == (
        0 if first[1]["starred"] else 1
    )
    page.step("key('e')")
    assert page.mail.scalar("SELECT in_inbox FROM threads WHERE id = ?", (first[1]["id"],)) == 0
    page.step("key('k')")
    page.step("key('#')")
    assert page.mail.scalar("SELECT trashed FROM threads WHERE id = ?", (first[0]["id"],)) == 1
    obs = page.step("key('Enter')")
    assert "/thread/" in obs["url"]
    obs = page.step("key('r')")
    assert 'dialog "Reply"' in obs["axtree"]
    obs = page.step("key('Escape')")
    obs = page.step("key('/')")
    assert "focused" in page.find("searchbox", "Search mail").states
    page.step("key('Escape')")
    obs = page.step("key('c')")
    assert 'dialog "New message"' in obs["axtree"]
    vias = {r["via"] for r in page.mail.query("SELECT via FROM activity")}
    assert vias == {"shortcut"}
    assert page.errors == []


def test_compose_with_autocomplete_and_send(page: Page) -> None:
    page.click("button", "Compose")
    page.click("combobox", "To")
    obs = page.step("type('Gra')")
    option = page.find("option", "Grace Liu")
    assert "selected" in option.states
    page.step("key('Enter')")
    obs = page.step("type('x@')")
    assert "Remove Grace Liu" in obs["axtree"]
    page.step("hotkey('Control', 'a')")
    page.step("key('Backspace')")
    page.click("textbox", "Subject")
    page.step("type('Hello there')")
    page.click("textbox", "Message body")
    page.step("type('See you soon.')")
    obs = page.click("button", "Send")
    assert "status" in obs["axtree"] and "Message sent." in obs["axtree"]
    sent = page.mail.query("SELECT to_addrs, subject, body FROM messages WHERE kind = 'sent'")
    assert len(sent) == 1 and sent[0]["subject"] == "Hello there"
    assert sent[0]["to_addrs"].startswith("grace.liu@") and sent[0]["body"] == "See you soon."
    assert page.errors == []


def test_send_without_recipient_is_refused_in_the_dialog(page: Page) -> None:
    page.click("button", "Compose")
    obs = page.click("button", "Send")
    assert "Add at least one recipient." in obs["axtree"]
    assert page.mail.scalar("SELECT count(*) FROM messages WHERE kind = 'sent'") == 0


def test_label_menu_is_a_custom_dropdown(page: Page) -> None:
    subject = page.info["params"]["subject"]
    page.click("searchbox", "Search mail")
    page.step(f"type({subject!r})")
    obs = page.step("key('Enter')")
    assert "search?q=" in obs["url"]
    page.click("link", subject)
    button = page.find("button", "Labels")
    assert "expanded" not in button.states
    obs = page.click("button", "Labels")
    assert "expanded" in page.find("button", "Labels").states
    assert 'menu "Labels"' in obs["axtree"]
    page.step("key('ArrowDown')")
    page.step("key('Enter')")  # the second label, by keyboard
    labels = page.mail.query(
        "SELECT l.name FROM thread_labels tl JOIN labels l ON l.id = "
        "tl.label_id JOIN threads t ON t.id = tl.thread_id WHERE t.subject = ?",
        (subject,),
    )
    assert [r["name"] for r in labels] == ["Finance"]
    assert page.errors == []
