"""Observations in Gymnasium's own spaces: vector envs with their defaults, and any text a page
shows kept inside the space."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.vector.utils import (
    create_shared_memory,
    read_from_shared_memory,
    write_to_shared_memory,
)

from officegym.agents.axtree import parse_axtree
from officegym.envs import (
    MAX_AXTREE_CHARS,
    OBSERVATION_FIELDS,
    OBSERVATION_TEXT_LIMITS,
    bound_observation,
    observation_space,
    observation_text,
    page_text,
)

VIEWPORT = (1280, 720)
TEXT_FIELDS = tuple(OBSERVATION_TEXT_LIMITS)
# What a page, a task or an error message can hold that is anything but plain text: a lone
# surrogate, controls, direction overrides, invisible marks, scripts and symbols beyond the
# charset, an emoji joined from several, a combining accent, a private-use character.
UNUSUAL = [
    "\ud800 lone",
    "nul\x00 bell\x07 cr\r esc\x1b del\x7f",
    "\u202eevil\u202c \u2066isolate\u2069 \u200fmark",
    "zero\u200bwidth soft\u00adhyphen bom\ufeff",
    "确定 取消 ヘルプ 한국어 עברית العربية हिन्दी",
    "👨\u200d👩\u200d👧 👍🏽 🇫🇷 ☀\ufe0f",
    "e\u0301 Zoë – “quoted” • € ±",
    "𝐀𝐁 \U000e0041 \ue000 \U0010ffff",
    '"\\ backslash and quote \\u00e9 written out',
]
# Text that an escape could be confused with, and escapes a cut could break: written-out escapes,
# backslashes alone and at the end, a character beyond U+FFFF and the two surrogates of its JSON
# pair held apart (a Python string can, a page's cannot), lone surrogates, controls.
APART_PAIR = "\ud83d\udf00"
TRICKY = [
    "\\u786e\\u5b9a",
    "确定",
    "a backslash at the end \\",
    "\\",
    "\\\\",
    "\\u",
    "\\\\u786e",
    "\\U0001f700",
    "\U0001f700",
    APART_PAIR,
    "\ud800",
    "\udc00\ud800",
    "nul\x00 bell\x07 cr\r esc\x1b del\x7f \u202e",
    "",
]
PLAIN_FIELDS = tuple(name for name in OBSERVATION_TEXT_LIMITS if name != "axtree")
NOTE = "…[cut short: the text has"


def test_the_text_fields_are_gymnasium_text_with_the_env_s_limits() -> None:
    space = observation_space(OBSERVATION_FIELDS, VIEWPORT)
    for name in TEXT_FIELDS:
        field = space[name]
        assert isinstance(field, spaces.Text)
        assert (field.min_length, field.max_length) == (0, OBSERVATION_TEXT_LIMITS[name])
    assert space["screenshot"] == spaces.Box(0, 255, (720, 1280, 3), np.uint8)
    create_shared_memory(space, n=2)  # the custom TextSpace had none: CustomSpaceError


def test_a_batch_of_texts_in_shared_memory_is_read_as_it_is_now() -> None:
    """Gymnasium reads a `Text` batch once, as the vector env starts; ours reads it when used."""
    space = observation_space(TEXT_FIELDS, VIEWPORT)
    memory = create_shared_memory(space, n=2)
    batch = read_from_shared_memory(space, memory, n=2)  # what AsyncVectorEnv holds and returns
    first = {name: "" for name in TEXT_FIELDS}
    then = dict(first, goal="Reply to Zoë – “Q3” 📌", axtree='[1] button "Send"\n  [2] link "é"')
    for index, obs in enumerate((first, then)):
        write_to_shared_memory(space, index, obs, memory)
    assert list(batch["goal"]) == ["", "Reply to Zoë – “Q3” 📌"]
    assert batch["axtree"][1] == then["axtree"] and batch["axtree"][-1] == then["axtree"]
    write_to_shared_memory(space, 0, dict(first, goal="the next step"), memory)
    assert batch["goal"][0] == "the next step"  # Gymnasium's own reader still says ""
    copied = copy.deepcopy(batch)  # as the vector env hands observations out (copy=True)
    assert copied["goal"] == ("the next step", "Reply to Zoë – “Q3” 📌")
    assert type(copied["goal"]) is tuple
    write_to_shared_memory(space, 0, first, memory)
    assert copied["goal"][0] == "the next step"  # a copy, not a view


@pytest.mark.parametrize("text", UNUSUAL + TRICKY, ids=range(len(UNUSUAL + TRICKY)))
def test_unusual_text_is_in_the_space_and_reads_back(text: str) -> None:
    space = observation_space(TEXT_FIELDS, VIEWPORT)
    for name in PLAIN_FIELDS:
        shown = observation_text(text, OBSERVATION_TEXT_LIMITS[name])
        assert space[name].contains(shown), (name, shown)
        assert page_text(shown) == text, name
    # The tree writes a name as a JSON string: escaped there, the name reads back exactly.
    line = f"[7] button {json.dumps(text, ensure_ascii=False)}, center=(10,20)"
    shown = observation_text(line, MAX_AXTREE_CHARS, tree=True)
    assert space["axtree"].contains(shown)
    [element] = parse_axtree(shown)
    expected = "\U0001f700" if text == APART_PAIR else text  # JSON joins a pair: pages have none
    assert (element.id, element.name, element.center) == ("7", expected, (10, 20))


@pytest.mark.parametrize("text", UNUSUAL + TRICKY, ids=range(len(UNUSUAL + TRICKY)))
def test_a_sandbox_s_observation_is_shown_once_not_escaped_twice(text: str) -> None:
    """DockerEnv bounds what its container sends, which the env inside already showed."""
    shown = bound_observation({name: text for name in TEXT_FIELDS})
    assert bound_observation(shown, already_shown=True) == shown
    # A container that skipped the bounding still gives texts in their spaces.
    space = observation_space(TEXT_FIELDS, VIEWPORT)
    raw = {name: text for name in TEXT_FIELDS}
    for name, value in bound_observation(raw, already_shown=True).items():
        assert space[name].contains(value), name


def test_distinct_texts_are_distinct_observations() -> None:
    """A written-out escape is not the character: `\\u786e\\u5b9a` and 确定 differ."""
    texts = set(UNUSUAL + TRICKY)
    for name in PLAIN_FIELDS:
        assert len({observation_text(t, OBSERVATION_TEXT_LIMITS[name]) for t in texts}) == len(
            texts
        )
    names = texts - {APART_PAIR}
    trees = {observation_text(json.dumps(t, ensure_ascii=False), 1_000, tree=True) for t in names}
    assert len(trees) == len(names)


@pytest.mark.parametrize("name", TEXT_FIELDS)
@pytest.mark.parametrize("tricky", [t for t in TRICKY if t], ids=range(len(TRICKY) - 1))
def test_a_cut_at_the_limit_never_splits_an_escape(name: str, tricky: str) -> None:
    """The tricky text is put at every position across the cut: the part shown reads back as the
    start of the text, and is written exactly as `observation_text` writes it."""
    limit, tree = OBSERVATION_TEXT_LIMITS[name], name == "axtree"
    space = observation_space(TEXT_FIELDS, VIEWPORT)[name]
    repeated = tricky * (40 // len(tricky) + 1)
    if tree and re.search("[\ud800-\udbff][\udc00-\udfff]", repeated):
        return  # JSON joins a pair: a page's text has none apart
    for pad in range(limit - 70, limit - 30):
        text = "a" * pad + repeated + "b" * 200
        source = json.dumps(text, ensure_ascii=False) if tree else text
        shown = observation_text(source, limit, tree=tree)
        assert len(shown) <= limit and space.contains(shown)
        head, _, note = shown.rpartition(NOTE)
        assert head and note.endswith(" characters]"), shown[-80:]
        read = json.loads(head + '"') if tree else page_text(head)  # a broken escape: an error
        assert text.startswith(read), (pad, head[-12:])
        written = json.dumps(read, ensure_ascii=False)[:-1] if tree else read
        assert observation_text(written, limit, tree=tree) == head, pad


def test_text_the_apps_show_is_left_as_it_is() -> None:
    text = "Apply the label “Personal” to “Receipt — Nova #8219” · ★ ✓ → 📌 🔒 ☀️ Zoë naïve"
    assert observation_text(text, 4096) == text
    assert observation_text("确定", 4096) == "\\u786e\\u5b9a"
    assert observation_text("\\u786e \\ 🜀", 4096) == "\\\\u786e \\\\ \\U0001f700"


def test_a_long_text_is_cut_to_its_limit_at_a_line_s_end() -> None:
    tree = "\n".join(f'[{i}] button "Näme 🙂 {i} 确定", center=(1,2)' for i in range(20_000))
    shown = observation_text(tree, MAX_AXTREE_CHARS, tree=True)
    assert len(shown) <= MAX_AXTREE_CHARS
    assert shown.endswith(f"\n…[cut short: the text has {len(tree):,} characters]")
    lines = shown.splitlines()[:-1]
    assert len(parse_axtree(shown)) == len(lines) > 1_000  # every line shown is whole
    assert parse_axtree(shown)[-1].name.endswith(" 确定")
    url = "http://mail.office.test/?q=" + "\ud83d" * 5_000  # escapes make it longer still
    shown = observation_text(url, OBSERVATION_TEXT_LIMITS["url"])
    assert len(shown) <= OBSERVATION_TEXT_LIMITS["url"] and shown.endswith("characters]")
    assert "\\ud83d…[cut short" in shown  # no escape cut in half before the note


# A page with text from outside the charset and a tree past its limit.
UNUSUAL_PAGE_JS = """() => {
  const weird = "确定 🙂 \\u202e\\u200b" + String.fromCharCode(0xD800) + " \\u{1D400} bell\\u0007";
  const button = document.createElement("button");
  button.textContent = weird;
  document.body.prepend(button);
  const list = document.createElement("div");
  for (let i = 0; i < 4000; i++) {
    const item = document.createElement("button");
    item.textContent = "Filler button number " + i + " with a long enough name";
    list.append(item);
  }
  document.body.append(list);
  return weird;
}"""


@pytest.mark.browser
def test_a_page_with_unusual_text_gives_observations_in_the_space(make_env: Any) -> None:
    env = make_env("mail.apply-label", action_mode="browser")
    env.reset(seed=0)
    weird = env.unwrapped.evaluate_in_page(UNUSUAL_PAGE_JS)
    # The error echoes the id it did not find: text from outside the charset too.
    obs, *_ = env.step(f"click({weird.replace(chr(0xD800), '')!r})")
    assert env.observation_space.contains(obs)
    assert '] button "\\u786e\\u5b9a 🙂 \\u202e\\u200b\\ud800' in obs["axtree"]
    assert weird in [e.name for e in parse_axtree(obs["axtree"])]  # read back exactly
    assert obs["axtree"].endswith("characters]") and len(obs["axtree"]) <= MAX_AXTREE_CHARS
    assert "no element with id '\\u786e\\u5b9a 🙂" in obs["last_action_error"]


# Run as a user would: a fresh interpreter (vector envs fork it), every default left as it is.
VECTOR_SCRIPT = """
import json, sys
import gymnasium
import officegym
from officegym.envs import env_id

kind, task = sys.argv[1:]
parent = None
if kind == "fork_after_a_browser":
    # The parent has a browser running when the vector env forks its workers.
    parent = gymnasium.make(env_id(task))
    parent.reset(seed=5)
if kind == "make_vec":
    envs = gymnasium.make_vec(env_id(task), num_envs=2, vectorization_mode="async")
elif kind == "fork_after_a_browser":
    envs = gymnasium.vector.AsyncVectorEnv(
        [lambda: gymnasium.make(env_id(task))] * 2, context="fork"
    )
else:
    envs = gymnasium.vector.AsyncVectorEnv([lambda: gymnasium.make(env_id(task))] * 2)
try:
    first, _ = envs.reset(seed=[0, 1])
    after, *_ = envs.step(["click(10, 10)", "fill('1', 'x')"])
finally:
    envs.close()
    if parent is not None:
        parent.close()

def plain(batch):
    return {
        k: {"shape": list(v.shape), "means": [float(x.mean()) for x in v]}
        if hasattr(v, "shape") else list(v)
        for k, v in batch.items()
    }

print(json.dumps({"vector": type(envs).__name__, "reset": plain(first), "step": plain(after)}))
"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["AsyncVectorEnv", "make_vec", "fork_after_a_browser"])
def test_two_async_vector_envs_reset_and_step(kind: str) -> None:
    task = "mail.apply-label"
    done = subprocess.run(
        [sys.executable, "-c", VECTOR_SCRIPT, kind, task],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["vector"] == "AsyncVectorEnv"
    space = observation_space(OBSERVATION_FIELDS, VIEWPORT)
    for phase in ("reset", "step"):
        batch = out[phase]
        assert batch["screenshot"]["shape"] == [2, 720, 1280, 3]
        assert min(batch["screenshot"]["means"]) > 10  # rendered pages, not empty memory
        for index in (0, 1):
            for name in TEXT_FIELDS:
                assert space[name].contains(batch[name][index]), (phase, name, index)
            assert batch["url"][index] == "http://mail.office.test/"
            assert 'button "Compose"' in batch["axtree"][index]
    goals = out["reset"]["goal"]
    assert goals[0].startswith("Apply the label") and goals[0] != goals[1]  # seeds 0 and 1
    assert out["reset"]["last_action_error"] == ["", ""]
    # Each env's own step, as it is after the step (not the text of the start).
    errors = out["step"]["last_action_error"]
    assert errors[0] == "" and "unknown computer action 'fill'" in errors[1]
