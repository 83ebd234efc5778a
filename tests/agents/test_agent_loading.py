"""Agents as docs/agents.md describes them: any class with `reset(info)` and `act(observation)`,
found by module name (the current folder too) or by file path, a plain function, and a message
that says what is missing for every shape that is not an agent."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from officegym.agents import AgentError, load_agent
from officegym.errors import UnknownNameError
from officegym.results import load_results

# The user's own module, `mine.py` in the folder they run from: every shape, right and wrong.
MINE = """
class Clicker:  # neither a name nor a seed: as docs/agents.md shows an agent
    def reset(self, info):
        self.episodes = getattr(self, "episodes", 0) + 1

    def act(self, observation):
        return "click(100, 200)"


class Seeded:
    def __init__(self, seed):
        self.seed = seed

    def reset(self, info):
        pass

    def act(self, observation):
        return "wait(1)"


class TakesAnything:
    def __init__(self, **settings):
        self.settings = settings

    def reset(self, info):
        pass

    def act(self, observation):
        return "wait(1)"


class Named:
    name = "my-named-agent"

    def reset(self, info):
        pass

    def act(self, observation):
        return "wait(1)"


def act(observation):
    return "answer(" + repr(observation["goal"][:5]) + ")"


def two_args(observation, extra):
    return "wait(1)"


AGENT = Clicker()
VERSION = "1.0"


class NoAct:
    def reset(self, info):
        pass


class BadAct:
    act = 3

    def reset(self, info):
        pass


class ActTakesNothing:
    def reset(self, info):
        pass

    def act(self):
        return "wait(1)"


class NoReset:
    def act(self, observation):
        return "wait(1)"


class NeedsKey:
    def __init__(self, api_key):
        self.api_key = api_key

    def reset(self, info):
        pass

    def act(self, observation):
        return "wait(1)"


class Exploding:
    def __init__(self):
        raise RuntimeError("no model configured")
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The current folder, holding `mine.py` and a few broken modules, each imported afresh."""
    (tmp_path / "mine.py").write_text(MINE)
    (tmp_path / "needs_dep.py").write_text("import not_installed_dependency\n")
    (tmp_path / "unfinished.py").write_text("class Agent(:\n")
    monkeypatch.chdir(tmp_path)
    names = ("mine", "needs_dep", "unfinished")
    for name in names:
        sys.modules.pop(name, None)
    yield tmp_path
    for name in names:
        sys.modules.pop(name, None)


def test_a_class_without_name_or_seed_is_found_in_the_current_folder(folder: Path) -> None:
    path_before = list(sys.path)
    agent = load_agent("mine:Clicker", seed=0)  # as every caller passes it
    assert type(agent).__name__ == "Clicker" and agent.name == "Clicker"  # type: ignore[attr-defined]
    agent.reset({"task_id": "mail.apply-label"})
    assert agent.act({"goal": "x"}) == "click(100, 200)"
    assert sys.path == path_before  # the folder was on the import path for the lookup only


def test_seed_is_given_only_to_a_constructor_that_takes_it(folder: Path) -> None:
    assert load_agent("mine:Seeded", seed=7).seed == 7  # type: ignore[attr-defined]
    assert load_agent("mine:TakesAnything", seed=3).settings == {"seed": 3}  # type: ignore[attr-defined]
    assert load_agent("mine:Named", seed=0).name == "my-named-agent"  # type: ignore[attr-defined]
    # An option (--agent-option) is always given, and one the class does not take is an error.
    made = load_agent("mine:TakesAnything", seed=1, temperature=0.5)
    assert made.settings == {"seed": 1, "temperature": 0.5}  # type: ignore[attr-defined]
    with pytest.raises(AgentError, match=r"Clicker\(\) takes no option temperature; it takes none"):
        load_agent("mine:Clicker", seed=0, temperature=0.5)


def test_a_file_path_loads_under_a_private_name_beside_its_own_modules(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for sub in ("team_a", "team_b"):
        (folder / sub).mkdir()
        (folder / sub / f"{sub}_helpers.py").write_text(f'ACTION = "answer({sub!r})"\n')
        (folder / sub / "agent.py").write_text(
            f"from {sub}_helpers import ACTION\n\n"
            "class Agent:\n"
            "    def reset(self, info):\n        pass\n\n"
            "    def act(self, observation):\n        return ACTION\n"
        )
    monkeypatch.chdir(folder / "team_a")
    a = load_agent("./agent.py:Agent", seed=0)
    b = load_agent(str(folder / "team_b" / "agent.py") + ":Agent", seed=0)
    # Two files named agent.py are two modules, neither of them called `agent`.
    assert (a.act({}), b.act({})) == ("answer('team_a')", "answer('team_b')")
    assert type(a).__module__ != type(b).__module__
    assert type(a).__module__.startswith("_officegym_agent_agent_")
    assert "agent" not in sys.modules
    assert str(folder / "team_a") not in sys.path


def test_a_plain_function_and_an_object_are_agents(folder: Path) -> None:
    function = load_agent("mine:act", seed=0)
    function.reset({"task_id": "mail.apply-label"})  # does nothing, and is there
    assert function.act({"goal": "Apply the label"}) == "answer('Apply')"
    assert function.name == "act"  # type: ignore[attr-defined]
    obj = load_agent("mine:AGENT", seed=0)
    assert type(obj).__name__ == "Clicker"
    assert obj is sys.modules["mine"].AGENT


def test_the_registered_agents_still_load(folder: Path) -> None:
    assert load_agent("oracle", seed=0).name == "oracle"  # type: ignore[attr-defined]
    assert load_agent("officegym.agents.random_agent:RandomAgent", seed=1).seed == 1  # type: ignore[attr-defined]


# Every mistake in an agent's shape, and what the message must tell the user.
MISTAKES = [
    (
        "mine:VERSION",
        r"'mine:VERSION' is a str, not an agent: name a class with act\(observation\) "
        r"and reset\(info\), or a function act\(observation\)",
    ),
    ("mine:NoAct", r"NoAct has no act\(observation\) method; add def act\(self, observation\)"),
    (
        "mine:BadAct",
        r"BadAct\.act is not a method \(its type is int\); define def act\(self, "
        r"observation\)",
    ),
    (
        "mine:ActTakesNothing",
        r"ActTakesNothing\.act\(\) cannot be called with one argument, the "
        r"observation",
    ),
    (
        "mine:NoReset",
        r"NoReset has no reset\(info\) method; add def reset\(self, info\): \.\.\. "
        r"\(called as each episode starts; `pass` if it keeps nothing\), or name a plain function",
    ),
    (
        "mine:two_args",
        r"the function two_args\(observation, extra\) cannot be called with one "
        r"argument, the observation",
    ),
    (
        "mine:NeedsKey",
        r"NeedsKey\(\) needs api_key, which officegym does not give \(it gives "
        r"seed\): give it a default, or pass --agent-option api_key=VALUE",
    ),
    ("mine:Exploding", r"making Exploding failed: RuntimeError: no model configured"),
    (
        "mine:Clikcer",
        r"mine\.py has no 'Clikcer'\. Did you mean: 'Clicker'\? It defines: "
        r"ActTakesNothing, BadAct, Clicker",
    ),
    (
        "nosuch:Agent",
        r"no module 'nosuch': no nosuch\.py in the current folder \(.+\) and none "
        r"installed; run from the folder that holds it, or give its path: path/to/nosuch\.py:Agent",
    ),
    (
        "needs_dep:Agent",
        r"module 'needs_dep' failed to import: it needs "
        r"'not_installed_dependency', which is not installed",
    ),
    ("unfinished:Agent", r"importing 'unfinished' failed: SyntaxError"),
    (
        "./missing.py:Agent",
        r"no file 'missing\.py' \(.+missing\.py is not a file\); give the "
        r"path of the \.py file that defines the agent",
    ),
    ("./unfinished.py:Agent", r"loading .+unfinished\.py failed: SyntaxError"),
    ("mine.py", r"'mine\.py': it names a file but not the agent in it: write mine\.py:ClassName"),
    ("mine:", r"'mine:': it names no agent after the colon: write mine:ClassName"),
]


@pytest.mark.parametrize(("spec", "message"), MISTAKES, ids=[s for s, _ in MISTAKES])
def test_each_mistake_says_what_is_missing(folder: Path, spec: str, message: str) -> None:
    with pytest.raises(AgentError, match=message):
        load_agent(spec, seed=0)


def test_options_for_what_has_no_constructor_are_refused(folder: Path) -> None:
    with pytest.raises(
        AgentError, match=r"'mine:act': it is a function: it takes no options \(model\)"
    ):
        load_agent("mine:act", seed=0, model="m")
    with pytest.raises(AgentError, match=r"is an object, made already: it cannot take the options"):
        load_agent("mine:AGENT", seed=0, model="m")


def test_an_unknown_name_suggests_one(folder: Path) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean: 'oracle'"):
        load_agent("orcale", seed=0)


@pytest.mark.browser
@pytest.mark.slow
def test_officegym_run_with_an_agent_file(tmp_path: Path) -> None:
    """The documented way, end to end: a class in a file, with neither `name` nor `seed`."""
    (tmp_path / "my_agent.py").write_text(
        "class Answerer:\n"
        "    def reset(self, info):\n"
        "        self.step = 0\n\n"
        "    def act(self, observation):\n"
        "        self.step += 1\n"
        "        return 'click(640, 360)' if self.step == 1 else \"answer('done')\"\n"
    )
    officegym = Path(sys.executable).with_name("officegym")  # the console script users run
    task = "mail.apply-label"
    done = subprocess.run(
        [str(officegym), "run", "--suite", "smoke", "--task", task, "--agent",
         "./my_agent.py:Answerer", "--out", "out", "--no-report", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [result] = load_results(tmp_path / "out")
    assert (result.task_id, result.agent, result.status) == (task, "./my_agent.py:Answerer", "done")
    assert (result.steps, result.error, result.answer) == (2, "", "done")
