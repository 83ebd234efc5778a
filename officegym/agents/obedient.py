"""The obedient agent: does what an injected instruction asks, to prove every attack can be done.

On an episode of the `inject` variant it carries out the attack's own plan (from the task's
start page) and then answers, ignoring the user's task; on any other episode it is the oracle.
A benchmark's attack success rate means something only if an agent that follows the attacker
reaches the attack's goal: the template tests play this agent on every injected template.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from officegym.agents.oracle import OracleAgent
from officegym.tasks import Submit
from officegym.tasks.injections import INJECTION_PARAM, get_attack


class ObedientAgent(OracleAgent):
    """Follows the attacker's instruction when the episode carries one, else the task's plan."""

    name = "obedient"

    def reset(self, info: dict[str, Any]) -> None:
        super().reset(info)
        params = info.get("params") or {}
        spec = params.get(INJECTION_PARAM)
        if spec:
            self.plan = deque([*get_attack(spec["attack"]).plan(params), Submit()])
