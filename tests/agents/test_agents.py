"""Agent loading and the accessibility-tree reader the scripted agents use."""

from __future__ import annotations

import pytest

from officegym.agents import AgentError, load_agent
from officegym.agents.axtree import find_element, parse_axtree
from officegym.errors import UnknownNameError

TREE = """[1] banner
  [2] searchbox "Search mail", value="", center=(540,28)
[3] button "Compose", center=(100,92)
  StaticText "Alex Morgan"
[4] link "Say \\"hi\\" to Dana", center=(300,400)
[5] checkbox "Select all", checked, center=(227,79)"""


def test_parse_axtree_reads_ids_roles_names_and_centres() -> None:
    elements = parse_axtree(TREE)
    assert [e.id for e in elements] == ["1", "2", "3", "4", "5"]
    assert elements[3].name == 'Say "hi" to Dana'
    assert elements[1].center == (540, 28)
    assert elements[0].center is None
    assert "checked" in elements[4].states


def test_find_element_by_role_and_partial_name() -> None:
    hit = find_element(TREE, "button", "Comp")
    assert hit is not None and hit.id == "3"
    assert find_element(TREE, "link", "Compose") is None


def test_load_agent_by_name_and_by_path() -> None:
    assert load_agent("oracle").name == "oracle"
    assert load_agent("officegym.agents.random_agent:RandomAgent", seed=1).name == "random"


def test_unknown_agent_suggests_a_name() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean: 'oracle'"):
        load_agent("orcale")
    with pytest.raises(AgentError, match="no module 'no_such_module'"):
        load_agent("no_such_module:Agent")
    with pytest.raises(AgentError, match="is not an agent"):
        load_agent("collections:OrderedDict")
