"""The action parser: typed actions from strings, dicts and JSON; never executed as code."""

from __future__ import annotations

import pytest

from officegym.envs import actions as A
from officegym.envs.actions import ActionError, ActionSpace, parse_action


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("click(120, 48)", A.Click(x=120, y=48)),
        ("click(x=1, y=2, button='right')", A.Click(x=1, y=2, button="right")),
        ("double_click(5, 6)", A.DoubleClick(x=5, y=6)),
        ("drag(1, 2, 3, 4)", A.Drag(x1=1, y1=2, x2=3, y2=4)),
        ("wheel(10, 10, 0, 300)", A.Wheel(x=10, y=10, dx=0, dy=300)),
        ("key('Enter')", A.Key(key="Enter")),
        ("hotkey('Control', 'a')", A.Hotkey(keys=["Control", "a"])),
        ("hotkey('Control+Shift+k')", A.Hotkey(keys=["Control", "Shift", "k"])),
        ('type("hello, world")', A.Type(text="hello, world")),
        ("answer('42')", A.Answer(text="42")),
        ("tab_focus(1)", A.TabFocus(index=1)),
        ("tab_close()", A.TabClose()),
        ('{"action": "move", "x": 3, "y": 4}', A.Move(x=3, y=4)),
    ],
)
def test_computer_actions_parse(text: str, expected: A._Action) -> None:
    assert parse_action(text, "computer") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("click('12')", A.ClickElement(element="12")),
        ("click(12)", A.ClickElement(element="12")),
        ("fill('a3', 'hi')", A.Fill(element="a3", text="hi")),
        ("select('7', 'Work')", A.Select(element="7", option="Work")),
        ("press('Enter')", A.Press(key="Enter")),
        ("press('4', 'Control+a')", A.Press(element="4", key="Control+a")),
        ("goto('http://mail.office.test/')", A.Goto(url="http://mail.office.test/")),
        ("back()", A.Back()),
        ("drag_and_drop(12, '30')", A.DragAndDrop(element="12", to="30")),
        ("tab_focus(0)", A.TabFocus(index=0)),
    ],
)
def test_browser_actions_parse_browsergym_style(text: str, expected: A._Action) -> None:
    assert parse_action(text, "browser") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("click(", "cannot parse action"),
        ("explode()", "unknown computer action 'explode'"),
        ("__import__('os').system('true')", "an action is one call"),
        ("click(x=__import__('os'))", "arguments must be literals"),
        ("click('a', 2)", "click: x: Input should be a valid number"),
        ("click(1, 2, 'left', 4)", "click takes at most 3 arguments"),
        ("{not json", "invalid JSON action"),
        ("fill('1', 'x')", "unknown computer action 'fill'"),
        ("tab_focus(-1)", "tab_focus: index: Input should be greater than or equal to 0"),
    ],
)
def test_malformed_actions_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ActionError, match=message.replace("(", r"\(")):
        parse_action(text, "computer")


def test_model_of_the_other_mode_is_refused() -> None:
    with pytest.raises(ActionError, match="is not a browser action"):
        parse_action(A.Click(x=1, y=2), "browser")


def test_action_round_trips_through_its_call_string() -> None:
    for action in (A.Click(x=1.5, y=2), A.Hotkey(keys=["Control", "a"]), A.Type(text="a'b\"c")):
        assert parse_action(action.to_call(), "computer") == action


def test_action_space_samples_valid_actions_reproducibly() -> None:
    space = ActionSpace("computer", 800, 600, seed=3)
    first = [space.sample() for _ in range(20)]
    space.seed(3)
    assert [space.sample() for _ in range(20)] == first
    assert all(space.contains(a) for a in first)
    browser = ActionSpace("browser", 800, 600, seed=1)
    browser.element_ids = ["4", "9"]
    assert {getattr(browser.sample(), "element", "4") for _ in range(30)} <= {"4", "9"}
    assert not space.contains("fill('1', 'x')")
