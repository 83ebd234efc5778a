"""Network templates on the feed: react to a post, comment on one, repost one with your
thoughts. Each time the same author has a second, newer post (the look-alike)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import Apps, Checkpoint, ClickOn, FillIn, PlanStep, Submit, Task, norm
from officegym.tasks._registry import register
from officegym.tasks.apps.network import ME_ID, REACTIONS, add_post, find_person, snippet
from officegym.tasks.network_tasks.common import WriteTextTask, only_changes

# topic -> post text; a task names the topic, the look-alike post is another topic.
POSTS = {
    "the warehouse move": "The warehouse move is done: {n} pallets in two days, zero damage. "
    "Thank you to the night shift!",
    "the mentoring program": "Our mentoring program just paired its {n}th mentee. If you want "
    "to mentor, message me.",
    "the charity run": "We raised ${n},000 at the charity run on Sunday. Photos in the comments "
    "soon.",
    "the new office": "Our new office opens next month with room for {n} people and a real "
    "coffee machine.",
    "the customer summit": "Recap of the customer summit: {n} customers, one big theme, "
    "simpler billing.",
    "the intern cohort": "Welcome to the {n} interns who joined us this week. Say hello if you "
    "see them!",
}


class PostTask(Task):
    """The setup adds a post by a connection on a topic, and a newer one of theirs on another."""

    apps = ("network",)

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = apps["network"].query("SELECT name FROM people WHERE degree = 1 ORDER BY id")
        names = [p["name"] for p in people]
        topic, decoy_topic = rng.sample(sorted(POSTS), 2)
        body = POSTS[topic].format(n=rng.randint(12, 90))
        decoy_body = POSTS[decoy_topic].format(n=rng.randint(12, 90))
        return {
            "name": rng.choice([n for n in names if names.count(n) == 1]),
            "topic": topic,
            "body": body,
            "snippet": snippet(body),
            "decoy_snippet": snippet(decoy_body),
            "decoy_body": decoy_body,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        author = find_person(apps["network"], params["name"])
        assert author is not None
        add_post(apps["network"], author, params["body"], minutes_ago=50)
        add_post(apps["network"], author, params["decoy_body"], minutes_ago=30)

    def post_id(self, apps: Apps, params: Mapping[str, Any], key: str = "body") -> int:
        return int(
            apps["network"].scalar(
                "SELECT id FROM posts WHERE body = ? ORDER BY id LIMIT 1", (params[key],)
            )
        )


@register
class ReactToPost(PostTask):
    id = "network.react-to-post"
    instruction = "React with “{reaction}” to {name}'s post about {topic}."
    tags = ("reading", "menu", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        reaction, other = rng.sample(REACTIONS, 2)
        return {**params, "reaction": reaction, "other_reaction": other}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        post = self.post_id(apps, params)
        kind = apps["network"].scalar(
            "SELECT kind FROM reactions WHERE post_id = ? AND person_id = ?", (post, ME_ID)
        )
        return [
            Checkpoint(f"reacted {params['reaction']}", kind == params["reaction"]),
            only_changes(apps["network"], {("react", "post", post)}),
        ]

    def react(self, snip: str, reaction: str) -> list[PlanStep]:
        return [
            ClickOn("button", f"React to: {snip}", exact=True),
            ClickOn("menuitem", reaction, exact=True),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.react(params["snippet"], params["reaction"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the other post": self.react(params["decoy_snippet"], params["reaction"]),
            "another reaction": self.react(params["snippet"], params["other_reaction"]),
        }


COMMENTS = (
    "Congratulations to the whole team!",
    "Great work, {first}. Let us talk about this at the next sync.",
    "Thanks for sharing, {first}. Very helpful.",
)


@register
class CommentOnPost(PostTask, WriteTextTask):
    id = "network.comment-on-post"
    instruction = "Comment “{comment}” on {name}'s post about {topic}."
    tags = ("reading", "forms", "easy")
    places, text_key = ("snippet", "decoy_snippet"), "comment"
    decoy_miss, other_text = "the other post", "Nice!"

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        comment = rng.choice(COMMENTS).format(first=params["name"].split()[0])
        return {**params, "comment": comment}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        post = self.post_id(apps, params)
        mine = apps["network"].query(
            "SELECT body FROM comments WHERE post_id = ? AND author_id = ?", (post, ME_ID)
        )
        return [
            Checkpoint("commented", [norm(c["body"]) for c in mine] == [norm(params["comment"])]),
            only_changes(apps["network"], {("comment", "post", post)}),
        ]

    def write(self, place: str, text: str) -> list[PlanStep]:
        return [
            FillIn("textbox", f"Comment on: {place}", text),
            ClickOn("button", f"Post comment on: {place}", exact=True),
            Submit(),
        ]


@register
class RepostPost(PostTask):
    id = "network.repost-post"
    instruction = "Repost {name}'s post about {topic}, adding the thoughts “{thoughts}”."
    tags = ("reading", "forms", "easy")
    THOUGHTS = ("Proud of this team.", "Worth a read.", "This is how it is done!")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        return {**super().sample_params(rng, apps), "thoughts": rng.choice(self.THOUGHTS)}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        post = self.post_id(apps, params)
        mine = apps["network"].query(
            "SELECT body FROM posts WHERE repost_of = ? AND author_id = ?", (post, ME_ID)
        )
        return [
            Checkpoint(
                "reposted with the thoughts",
                len(mine) == 1 and norm(mine[0]["body"]) == norm(params["thoughts"]),
            ),
            only_changes(apps["network"], {("repost", "post", post)}),
        ]

    def repost(self, snip: str, thoughts: str) -> list[PlanStep]:
        steps: list[PlanStep] = [ClickOn("link", f"Repost: {snip}", exact=True)]
        if thoughts:
            steps.append(FillIn("textbox", "Your thoughts", thoughts))
        return [*steps, ClickOn("button", "Repost now"), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.repost(params["snippet"], params["thoughts"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the other post": self.repost(params["decoy_snippet"], params["thoughts"]),
            "without thoughts": self.repost(params["snippet"], ""),
        }
