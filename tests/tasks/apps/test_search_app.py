"""The search engine: seeded determinism, ranking, escaped highlighting, "did you mean",
filters, pagination and the knowledge panel (fast, without a browser), then its keyboard
shortcuts and a result opened at its own host in Chromium."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from officegym.agents.axtree import find_element
from officegym.tasks import Apps, get_task
from officegym.tasks.apps import StateStore, app_url, hosts_of, load_app
from officegym.tasks.apps.people import directory
from officegym.tasks.apps.search import (
    APP,
    PER_PAGE,
    SITES,
    Filters,
    add_page,
    day,
    find_page,
    panel,
    search,
    suggestion,
)


def populated(seed: int = 0) -> StateStore:
    store = StateStore()
    APP.populate(store, random.Random(f"search/{seed}"), directory(seed))
    return store


@pytest.fixture(scope="module")
def corpus() -> bytes:
    return populated().snapshot()


@pytest.fixture
def store(corpus: bytes) -> StateStore:
    s = StateStore()
    s.restore(corpus)
    return s


def client(store: StateStore, host: str = "search") -> TestClient:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope["officegym.store"], scope["officegym.host"] = store, host
        await APP.asgi(scope, receive, send)

    return TestClient(app)


def test_same_seed_same_bytes_and_a_corpus_of_thousands(corpus: bytes) -> None:
    assert populated(0).snapshot() == corpus != populated(1).snapshot()
    s = StateStore()
    s.restore(corpus)
    assert s.scalar("SELECT count(*) FROM pages") >= 2500
    assert s.scalar("SELECT count(DISTINCT site) FROM pages") == 5


def test_the_best_page_comes_first(store: StateStore) -> None:
    add_page(store, "wiki", "/mention", "Weekly notes", "We talked about zanzibarite once.",
             kind="wiki")  # fmt: skip
    add_page(store, "wiki", "/about", "Zanzibarite handbook", "All about zanzibarite: "
             "zanzibarite pricing and zanzibarite support.", kind="wiki")  # fmt: skip
    titles = [str(r["title"]) for r in search(store, "zanzibarite").rows]
    assert titles == ["<mark>Zanzibarite</mark> handbook", "Weekly notes"]
    assert str(search(store, "travel policy").rows[0]["title"]) == (
        "<mark>Travel</mark> <mark>policy</mark>"
    )


def test_snippets_show_markup_as_text(store: StateStore) -> None:
    add_page(store, "wiki", "/xss", "Odd <b>page</b>",
             'Text <script>alert("x")</script> & quillwort <img src=x onerror=alert(1)>',
             kind="wiki")  # fmt: skip
    (row,) = search(store, "quillwort").rows
    assert "<script>" not in str(row["snippet"]) and "&lt;script&gt;" in str(row["snippet"])
    assert "<mark>quillwort</mark>" in str(row["snippet"])
    assert str(row["title"]) == "Odd &lt;b&gt;page&lt;/b&gt;"
    html = client(store).get("/search", params={"q": "quillwort"}).text
    assert "<script>alert" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    page = client(store, "wiki").get("/xss").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_did_you_mean(store: StateStore) -> None:
    assert suggestion(store, "travle polcy") == "travel policy"
    assert suggestion(store, "travel policy") == ""
    assert suggestion(store, "qqqqqqqq") == ""
    add_page(store, "wiki", "/q", "Project Quillfeather", "The quillfeather budget.", kind="wiki")
    assert suggestion(store, "quilfeather budget") == "quillfeather budget"
    html = client(store).get("/search", params={"q": "quilfeather"}).text
    assert 'Did you mean: <a href="/search?q=quillfeather">quillfeather</a>' in html


def test_filters_and_sort(store: StateStore) -> None:
    for n, ago in enumerate((2, 20, 200, 600)):
        add_page(store, "news", f"/t/{n}", f"Tarnwick update {n}", "Tarnwick news.", kind="news",
                 days_ago=ago)  # fmt: skip
    add_page(store, "wiki", "/t", "Tarnwick notes", "Tarnwick.", kind="wiki", days_ago=1)
    count = {t: search(store, "tarnwick", Filters(time=t)).total for t in ("week", "month", "year")}
    assert count == {"week": 2, "month": 3, "year": 4}
    assert search(store, "tarnwick").total == 5
    assert search(store, "tarnwick", Filters(kind="news")).total == 4
    assert search(store, "tarnwick", Filters(site="wiki")).total == 1
    newest = search(store, "tarnwick", Filters(sort="date")).rows
    assert [r["published"] for r in newest] == sorted(
        (r["published"] for r in newest), reverse=True
    )
    assert all(
        r["published"] >= day(7) for r in search(store, "tarnwick", Filters(time="week")).rows
    )


def test_pagination(store: StateStore) -> None:
    first, second = search(store, "release notes"), search(store, "release notes", page=2)
    assert first.total > 2 * PER_PAGE and len(first.rows) == len(second.rows) == PER_PAGE
    assert not {r["id"] for r in first.rows} & {r["id"] for r in second.rows}
    html = client(store).get("/search", params={"q": "release notes", "page": "2"}).text
    assert 'aria-label="Page 2" aria-current="page"' in html and ">Previous</a>" in html


def test_knowledge_panel(store: StateStore) -> None:
    product = panel(store, "atlas release notes")
    assert product is not None and product["kind"] == "product"
    assert product["facts"][0]["label"] == "Product lead"
    person = directory(0)[3]
    about = panel(store, person.name.lower())
    assert about is not None and {"label": "E-mail", "value": person.email} in about["facts"]
    assert panel(store, "zzz") is None


def test_every_result_opens_at_its_host(store: StateStore) -> None:
    for row in search(store, "policy").rows + search(store, "atlas").rows:
        page = find_page(store, site=row["site"], path=row["path"])
        assert page is not None
        html = client(store, row["site"]).get(row["path"]).text
        assert f"<h1>{page['title']}</h1>" in html.replace("&#39;", "'")
    assert client(store, "intranet").get("/no/such/page").status_code == 404
    assert client(store, "intranet").get("/policies").status_code == 200  # a section's list


def step(env: Any, action: str) -> dict[str, Any]:
    obs, *_ = env.step(action)
    assert obs["last_action_error"] == "", (action, obs["last_action_error"])
    return obs  # type: ignore[no-any-return]


@pytest.mark.browser
def test_shortcuts_and_reading_a_result(make_env: Any) -> None:
    env = make_env("search.policy-value", action_mode="browser")
    _, info = env.reset(seed=0)
    obs = step(env, "press('/')")
    assert 'searchbox "Search", focused' in obs["axtree"]
    box = find_element(obs["axtree"], "searchbox", "Search")
    assert box is not None
    step(env, f"fill('{box.id}', 'release notes')")
    obs = step(env, "press('Enter')")
    assert "/search?q=release+notes" in obs["url"] and 'navigation "Pages"' in obs["axtree"]
    obs = step(env, "press('n')")  # the next page of results
    assert "page=2" in obs["url"]
    obs = step(env, "press('p')")
    assert "page=2" not in obs["url"]
    topic = info["params"]["topic"]
    step(env, f"goto('{app_url('search', '/search?q=' + topic.replace(' ', '+'))}')")
    obs = step(env, "press('/')")
    assert 'searchbox "Search", focused' in obs["axtree"]
    link = find_element(obs["axtree"], "link", f"{topic} policy")
    assert link is not None
    obs = step(env, f"click('{link.id}')")
    assert obs["url"].startswith("http://intranet.office.test/policies/")
    assert info["params"]["value_text"] in obs["axtree"]


# Regressions of the review: did-you-mean, evaluators, parameters, hosts, accessibility.


def test_no_suggestion_for_words_the_index_knows(store: StateStore) -> None:
    for q in ("hotels", "meeting", "north wind", "policies", "travel"):
        assert suggestion(store, q) == "", q
    assert search(store, "travle polcy").suggestion == "travel policy"
    # A correction is offered only if it finds more than the query itself.
    add_page(store, "wiki", "/quill", "Quillwort notes", "About quillwort.", kind="wiki")
    add_page(store, "wiki", "/quilt", "Quiltwort notes", "About quiltwort.", kind="wiki")
    assert suggestion(store, "quiltwort") == ""


def test_result_pages_past_the_last_and_absurd_numbers(store: StateStore) -> None:
    add_page(store, "wiki", "/lone", "Plumbago notes", "Plumbago.", kind="wiki")
    assert search(store, "plumbago", page=999).page == 1
    html = client(store).get("/search", params={"q": "plumbago", "page": "999"}).text
    assert "1 result" in html and "No results" not in html and "Plumbago" in html
    huge = client(store).get("/search", params={"q": "plumbago", "page": "9" * 5000})
    assert huge.status_code == 200 and "Plumbago" in huge.text


def test_sites_are_the_hosts_the_app_list_gives_search(store: StateStore) -> None:
    assert set(SITES) == set(hosts_of("search")) - {"search"}
    assert client(store, "nosuchsite").get("/").status_code == 404
    assert client(store, "nosuchsite").get("/x").status_code == 404


def test_past_week_is_seven_days(store: StateStore) -> None:
    for ago in (6, 7):
        add_page(store, "news", f"/w/{ago}", f"Cobblewick {ago}", "Cobblewick.", kind="news",
                 days_ago=ago)  # fmt: skip
    assert [r["path"] for r in search(store, "cobblewick", Filters(time="week")).rows] == ["/w/6"]


def test_results_heading_panel_link_and_paged_listings(store: StateStore) -> None:
    html = client(store).get("/search", params={"q": "atlas"}).text
    assert '<h1 class="visually-hidden">Results for “atlas”</h1>' in html
    assert '<a href="http://help.office.test/atlas">Help center</a>' in html
    first = client(store, "news").get("/").text
    second = client(store, "news").get("/", params={"page": "2"}).text
    assert ">Next</a>" in first and ">Previous</a>" in second
    listed = [set(re.findall(r'<li><a href="([^"]+)"', html)) for html in (first, second)]
    assert listed[0] and not listed[0] & listed[1]


def judged(store: StateStore, task_id: str, seed: int = 0) -> tuple[Any, Any, dict[str, Any]]:
    """The task, the apps it sees and its params on `seed`, set up on `store`."""
    task, apps = get_task(task_id), Apps({"search": store})
    params = task.sample_params(random.Random(seed), apps)
    task.setup(apps, params)
    return task, apps, params


def passes(task: Any, apps: Any, params: dict[str, Any], answer: str) -> bool:
    return all(c.passed for c in task.evaluate(apps, params, answer))


def test_compare_guides_reads_a_fixed_form(store: StateStore) -> None:
    task, apps, p = judged(store, "search.compare-guides")
    win, lose, diff = p["winner"], p["loser"], p["diff"]
    assert passes(task, apps, p, f"{win}, ${diff}") and passes(task, apps, p, f"{win}: {diff}")
    assert not passes(task, apps, p, f"{lose} has the lower subsidy; {win} pays ${diff} more")
    assert not passes(task, apps, p, f"{lose}, ${diff}")
    assert not passes(task, apps, p, f"{win} pays ${diff} less than {lose}")
    for seed in range(50):
        q = task.sample_params(random.Random(seed), apps)
        amounts = {*q["values"].values(), *q["old_values"].values()}
        assert not amounts & {*q["wrong_diffs"], q["diff"]}


def test_missing_release_needs_a_reason_and_no_decoy(store: StateStore) -> None:
    task, apps, p = judged(store, "search.missing-release")
    product, asked, latest = p["product"], p["asked"], p["latest"]
    made_up = "it adds offline mode for recent items and dashboards load twice as fast"
    assert not passes(task, apps, p, f"There is no breaking change in {product} {asked}: {made_up}")
    assert not passes(task, apps, p, f"{product} {asked}: cannot say.")
    for right in (
        f"I could not find release notes for {product} {asked}; the latest is {latest}.",
        f"There is no {product} {asked}: its latest release is {latest}.",
        f"{product} {asked} does not exist ({asked} is a {product} Mobile version).",
    ):
        assert passes(task, apps, p, right), right
    decoy = " ".join(task.decoy(p))
    assert not passes(task, apps, p, f"There is no {product} {asked}, but: {decoy}")


def test_missing_policy_needs_a_reason(store: StateStore) -> None:
    task, apps, p = judged(store, "search.missing-policy")
    missing = p["missing"]
    assert not passes(task, apps, p, f"The {missing} policy: there is no limit, it is unlimited.")
    assert not passes(task, apps, p, f"There is no {missing} policy; the limit is $455.")
    assert passes(task, apps, p, f"I couldn't find a {missing} policy on the intranet.")
    assert passes(task, apps, p, f"There is no {missing} policy.")


def test_hedged_answers_fail(store: StateStore) -> None:
    task, apps, p = judged(store, "search.policy-value")
    current = p["values"][0]
    assert passes(task, apps, p, p["value_text"])
    assert not passes(task, apps, p, f"{p['value_text']} (or possibly {current + 5})")
    task, apps, p = judged(store, "search.count-news")
    k = len(p["recent"])
    assert passes(task, apps, p, f"{k} articles")
    assert not passes(task, apps, p, f"{k}, or maybe {k + 1}")
    task, apps, p = judged(store, "search.latest-versions")
    listed = "; ".join(f"{i['product']} {i['versions'][-1]}" for i in p["items"])
    assert passes(task, apps, p, listed)
    assert not passes(task, apps, p, f"{listed} (or perhaps 99.0.1)")


def test_answers_in_other_forms_pass(store: StateStore) -> None:
    task, apps, p = judged(store, "search.careers-salary")
    low, high = p["ranges"][0]
    assert passes(task, apps, p, f"${low // 1000}k–${high // 1000}k")
    task, apps, p = judged(store, "search.latest-version")
    assert passes(task, apps, p, f"v{p['latest']}")
    assert not passes(task, apps, p, f"1{p['latest']}")
    task, apps, p = judged(store, "search.policy-owner")
    assert passes(task, apps, p, p["owners"][0]["email"])
    assert not passes(task, apps, p, p["owners"][1]["email"])


def test_corpus_titles_owners_and_note_dates_agree(store: StateStore) -> None:
    assert store.scalar("SELECT count(DISTINCT title) FROM pages") == store.scalar(
        "SELECT count(*) FROM pages"
    )
    owners = {r["email"]: r["name"] for r in store.query("SELECT name, email FROM people")}
    for page in store.query("SELECT * FROM pages WHERE site = 'wiki' AND body LIKE '%Owner: %'"):
        assert f"Owner: {owners[page['owner']]}." in page["body"], page["path"]
    notes = store.query("SELECT title, published FROM pages WHERE title LIKE '% weekly sync – %'")
    assert notes and all(r["title"].endswith(r["published"]) for r in notes)


def test_other_apps_public_parts_when_in_the_world(store: StateStore) -> None:
    world = {"search": store}
    for name in ("code", "network"):
        world[name] = StateStore()
        load_app(name).populate(world[name], random.Random(f"{name}/0"), directory(0))
    repo = world["code"].query("SELECT owner, name FROM repos ORDER BY id LIMIT 1")[0]
    job = world["network"].query("SELECT id, title FROM jobs WHERE closed = 0 LIMIT 1")[0]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope["officegym.store"], scope["officegym.host"] = store, "search"
        scope["officegym.stores"] = world
        await APP.asgi(scope, receive, send)

    html = TestClient(app).get("/search", params={"q": repo["name"]}).text
    repo_url = app_url("code", f"/{repo['owner']}/{repo['name']}")
    assert f'<a href="{repo_url}">' in html
    html = TestClient(app).get("/search", params={"q": job["title"]}).text
    job_url = app_url("network", f"/jobs/{job['id']}")
    assert f'<a href="{job_url}">' in html
    alone = client(store).get("/search", params={"q": repo["name"]}).text
    assert "From other apps" not in alone
