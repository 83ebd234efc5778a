"""MiniWoB++ as officegym tasks: suite `miniwob`, one template per page the package ships.

The page's own episode logic decides the reward, as in MiniWoB++ itself: the episode starts with
`Math.seedrandom(seed)` (so a seed gives the same problem every time), the utterance is the goal,
the episode ends when the page says it is done, and it succeeds when the page's raw reward is
positive. The page's 10-second clock is switched off: officegym's step and episode timeouts
apply instead, and rewards are not discounted by time (the raw reward is the score). The panel of
past rewards is hidden, and the next episode starts in the same page, as MiniWoB++ does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from officegym.tasks import (
    Apps,
    Checkpoint,
    ChooseOption,
    ClickOn,
    FillIn,
    PlanStep,
    Task,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.miniwob import task_pages

SETUP_JS = """(seed) => {
  Math.seedrandom(seed);
  core.EPISODE_MAX_TIME = 2147483647;
  core.startEpisodeReal();
  clearTimeout(core.CD_TIMER);
  // The panel of past rewards and episode counts would tell one episode about the last.
  const panel = document.getElementById("reward-display");
  if (panel) panel.style.display = "none";
  const said = core.getUtterance();  // some pages say {utterance, fields}
  return typeof said === "object" ? {utterance: said.utterance, fields: said.fields || {}}
                                  : {utterance: said};
}"""
PROBE_JS = """() => ({done: WOB_DONE_GLOBAL, reward: WOB_RAW_REWARD_GLOBAL,
                   reason: WOB_REWARD_REASON === null ? '' : String(WOB_REWARD_REASON)})"""


class MiniWoBTask(Task):
    """One MiniWoB++ page; subclasses are made per page by `_register_pages`."""

    page: ClassVar[str]
    apps = ("miniwob",)
    instruction = "{utterance}"
    max_steps = 20
    page_setup = SETUP_JS
    page_probe = PROBE_JS
    restart_in_page = True

    def page_done(self, state: Mapping[str, Any] | None) -> bool:
        return bool(state and state.get("done"))

    def evaluate_page(
        self, state: Mapping[str, Any] | None, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        done = bool(state and state.get("done"))
        reward = float(state["reward"]) if state and done else 0.0
        detail = f"raw reward {reward:g}" + (
            f" ({state['reason']})" if state and state.get("reason") else ""
        )
        if not done:
            detail = "the page never ended the episode"
        return [Checkpoint("page reward is positive", done and reward > 0, detail=detail)]

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return self.evaluate_page(None, params, answer)

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        plan = ORACLES.get(self.page)
        if plan is None:
            raise NotImplementedError(f"miniwob.{self.page} has no oracle yet")
        return plan(str(params["utterance"]))


def _quoted(utterance: str) -> list[str]:
    return re.findall(r'"([^"]*)"', utterance)


def _between(utterance: str, before: str, after: str) -> str:
    match = re.search(re.escape(before) + r"\s*(.*?)\s*" + re.escape(after), utterance)
    if match is None:
        raise ValueError(f"cannot read the utterance {utterance!r}")
    return match.group(1)


def _select_all(utterance: str) -> list[PlanStep]:
    # 'Select ZlR, 3U, gq and click Submit.' / 'Select nothing and click Submit.'
    items = _between(utterance, "Select", "and click Submit")
    words = [] if items == "nothing" else [w.strip() for w in items.split(",")]
    return [*(ClickOn("checkbox", w, exact=True) for w in words if w), _submit()]


def _submit() -> ClickOn:
    return ClickOn("button", "Submit", exact=True)


# Oracle plans from the utterance, for the pages whose utterance says all there is to do.
ORACLES: dict[str, Callable[[str], list[PlanStep]]] = {
    "click-test": lambda u: [ClickOn("button", "Click Me!", exact=True)],
    "click-test-2": lambda u: [ClickOn("button", "ONE", exact=True)],
    "click-test-transfer": lambda u: [
        ClickOn("button", _between(u, "Click button", "."), exact=True)
    ],
    "click-button": lambda u: [ClickOn("button", _quoted(u)[0], exact=True)],
    "click-button-sequence": lambda u: [
        ClickOn("button", "ONE", exact=True),
        ClickOn("button", "TWO", exact=True),
    ],
    "click-option": lambda u: [
        ClickOn("radio", _between(u, "Select", "and click Submit"), exact=True),
        _submit(),
    ],
    "click-checkboxes": _select_all,
    "choose-list": lambda u: [
        ChooseOption("combobox", "", _between(u, "Select", "from the list")),
        _submit(),
    ],
    "enter-text": lambda u: [FillIn("textbox", "", _quoted(u)[0]), _submit()],
    "enter-text-2": lambda u: [
        FillIn("textbox", "", _quoted(u)[0].upper() if "upper" in u else _quoted(u)[0].lower()),
        _submit(),
    ],
    "focus-text": lambda u: [ClickOn("textbox", "")],
    "login-user": lambda u: [
        FillIn("textbox", "", _quoted(u)[0]),
        FillIn("textbox", "", _quoted(u)[1], index=1),
        ClickOn("button", "Login", exact=True),
    ],
    "enter-password": lambda u: [
        FillIn("textbox", "", _quoted(u)[0]),
        FillIn("textbox", "", _quoted(u)[0], index=1),
        _submit(),
    ],
}


def _register_pages() -> None:
    for page in task_pages():
        tags = ["miniwob"] + (["oracle"] if page in ORACLES else [])
        cls = type(
            f"MiniWoB_{page.replace('-', '_')}",
            (MiniWoBTask,),
            {
                "id": f"miniwob.{page}",
                "page": page,
                "start_path": f"/miniwob/{page}.html",
                "tags": tuple(tags),
                "__module__": __name__,
                "__doc__": f"MiniWoB++ {page}: the page's own goal and reward.",
            },
        )
        register(cls)


_register_pages()
