"""What the viewer draws for a step, from real trajectories: the committed synthetic recordings
(a person's hand on an Xvfb screen) and event models as the env writes them."""

from __future__ import annotations

from pathlib import Path

from officegym.report import hotkey_name, step_marks
from officegym.trajectory import (
    MASK,
    KeyDown,
    KeyUp,
    MouseDown,
    MouseMove,
    MouseUp,
    Target,
    TextInput,
    TrajectoryReader,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "trajectories"


def bursts(recording: Path) -> list[list[str]]:
    """The labels of each burst of input between two screenshots of a recording."""
    labels: list[list[str]] = []
    burst: list[object] = []
    with TrajectoryReader(recording) as reader:
        for _, event in reader.iter_events():
            if event.type == "screenshot":
                if burst:
                    labels.append([m.label for m in step_marks(burst)])
                burst = []
            else:
                burst.append(event)
    return labels


def test_a_persons_shortcut_is_named_once_and_their_typing_is_shown() -> None:
    labels = bursts(EXAMPLES / "mail.apply-label" / "s0.zip")
    flat = [label for burst in labels for label in burst]
    # Control went down with modifiers [Control], then "a" with [Control]: one shortcut.
    assert flat.count("Control+A") == 1
    assert not [label for label in flat if "Control+Control" in label or label == "Control+a"]
    typed = "".join(
        label.removeprefix("typed “").removesuffix("”")
        for label in flat
        if label.startswith("typed")
    )
    assert typed == "Receipt for Nova #8219"  # keys one at a time, Shift for capitals and "#"
    assert "Enter" in flat  # a key that types nothing is a key, named


def test_a_shortcut_key_outside_a_text_field_is_a_key_and_backspace_edits_the_text() -> None:
    labels = bursts(EXAMPLES / "mail.star-with-shortcut" / "s0.zip")
    flat = [label for burst in labels for label in burst]
    # The person typed "Orion r", then Backspace removed the "r" (in the next burst).
    assert "typed “Orion r”" in flat and "typed “⌫timesheet”" in flat
    # "s" pressed on the message list stars it: a shortcut, not typing.
    assert "s" in flat and "typed “s”" not in flat


def test_the_envs_hotkey_and_type_events_give_one_shortcut_and_the_text() -> None:
    # What the env's executor writes for hotkey(["Control", "a"]) then type("Hi!") in a field.
    field = Target(tag="input", role="textbox", name="Subject")
    held = ["Control"]
    events = [
        KeyDown(t=1, key="Control", modifiers=held, target=field),
        KeyDown(t=2, key="a", modifiers=held, target=field),
        KeyUp(t=3, key="a", modifiers=held),
        KeyUp(t=4, key="Control", modifiers=held),
    ]
    for i, char in enumerate("Hi!"):
        mods = ["Shift"] if char in "H!" else []
        events += [KeyDown(t=10 + i, key=char, modifiers=mods, target=field)]
    marks = step_marks(events)
    assert [(m.kind, m.label) for m in marks] == [("key", "Control+A"), ("type", "typed “Hi!”")]


def test_a_drag_is_its_path_and_a_click_is_a_point() -> None:
    events = [
        MouseMove(t=0, x=100, y=100),
        MouseDown(t=1, x=100, y=100),
        *(MouseMove(t=2 + i, x=100 + 20 * i, y=100 + 10 * i) for i in range(1, 6)),
        MouseUp(t=10, x=200, y=150),
        MouseDown(t=11, x=300, y=300, click_count=2),
        MouseUp(t=12, x=301, y=300, click_count=2),
    ]
    drag, click = step_marks(events)
    assert drag.kind == "drag" and drag.path[0] == (100, 100) and drag.path[-1] == (200, 150)
    assert len(drag.path) == 7  # down, five moves, up
    assert (click.kind, click.label, click.x, click.y) == ("click", "double-click", 300, 300)


def test_masked_typing_shows_no_characters_and_screen_coordinates_are_moved() -> None:
    box = Target(tag="input", bbox={"x": 110, "y": 220, "width": 200, "height": 30})
    marks = step_marks(
        [TextInput(t=0, text=MASK * 8, masked=True, target=box), MouseDown(t=1, x=60, y=130)],
        offset=(10, 20),
    )
    assert marks[0].label == "typed (masked)" and (marks[0].x, marks[0].y) == (100, 200)
    assert (marks[1].x, marks[1].y) == (50, 110)


def test_hotkey_names() -> None:
    assert hotkey_name("Tab", ["Shift"]) == "Shift+Tab"
    assert hotkey_name(" ", ["Control"]) == "Control+Space"
    assert hotkey_name("Shift", ["Shift"]) == "Shift"
