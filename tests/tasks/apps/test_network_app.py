"""The Network app: seeded data, people search, the application's résumés from Drive (or the
user's own documents), and in Chromium its shortcuts, filters with pages and refusals."""

from __future__ import annotations

import random
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from starlette.testclient import TestClient

from officegym.agents.axtree import find_element
from officegym.tasks import Apps, norm
from officegym.tasks.apps import StateStore, app_url, load_app
from officegym.tasks.apps.drive import add_file, add_folder
from officegym.tasks.apps.network import (
    PAGE_SIZE,
    activity,
    add_person,
    add_post,
    find_person,
    snippet,
)
from officegym.tasks.apps.network._common import FIELD_LIMITS
from officegym.tasks.apps.network._social import search_people
from officegym.tasks.apps.people import directory
from officegym.tasks.network_tasks.jobs import CLOSED_REASON, same_phone
from officegym.tasks.network_tasks.messaging import NOT_CONNECTED_REASON
from officegym.tasks.network_tasks.profile import EndorseSkill


def world(seed: int = 0) -> StateStore:
    store = StateStore()
    load_app("network").populate(store, random.Random(f"network/{seed}"), directory(seed))
    return store


def client(store: StateStore, others: dict[str, StateStore] | None = None) -> TestClient:
    """The app with its store (and other apps' stores) in the scope, as the server gives them."""
    app = load_app("network").asgi

    async def with_stores(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        scope["officegym.store"] = store
        scope["officegym.stores"] = {"network": store, **(others or {})}
        await app(scope, receive, send)

    return TestClient(with_stores)


def test_a_seed_always_builds_the_same_world() -> None:
    assert world(3).snapshot() == world(3).snapshot()
    assert world(3).snapshot() != world(4).snapshot()
    store = world(0)
    assert 140 <= int(store.scalar("SELECT count(*) FROM people")) <= 160
    colleagues = {p.email for p in directory(0)}
    firsts = {r["email"] for r in store.query("SELECT email FROM people WHERE degree = 1")}
    assert colleagues <= firsts  # the world's colleagues are the user's connections


def test_search_filters_narrow_and_sort_by_name() -> None:
    store = world(1)
    everyone = search_people(store, {})
    assert len(everyone) > 10 * PAGE_SIZE
    assert [p["name"] for p in everyone] == sorted(p["name"] for p in everyone)
    pid = add_person(store, "Zeno Quist", title="Chief of Staff", company="Litware", degree=2)
    found = search_people(store, {"company": "Litware", "title": "chief of", "degree": "2"})
    assert [p["id"] for p in found] == [pid]
    assert search_people(store, {"company": "Litware", "degree": "1", "title": "Chief of"}) == []


def test_snippet_cuts_at_a_word() -> None:
    assert snippet("Short post.") == "Short post."
    long = "The warehouse move is done: 40 pallets in two days, zero damage."
    assert snippet(long) == "The warehouse move is done: 40 pallets in two…"


@pytest.fixture
def drive_store() -> Iterator[StateStore]:
    """A Drive world with the user's PDFs in folders, a trashed one, someone else's, a picture."""
    drive = StateStore()
    load_app("drive").populate(drive, random.Random("drive/0"), directory(0))
    jobs = add_folder(drive, "Job search")
    add_file(drive, "Resume from Drive.pdf", ["Alex"], parent=jobs)
    old = add_file(drive, "Old resume.pdf", ["Alex"])
    drive.execute("UPDATE items SET trashed = 1 WHERE id = ?", (old,))
    add_file(drive, "Their resume.pdf", ["Sam"], owner="someone@else.test")
    add_file(drive, "Portrait.png", [])
    yield drive
    drive.close()


def apply_with(c: TestClient, resume: str) -> None:
    contact = {"step": "contact", "email": "a@b.test", "phone": "+1 206 555 0100"}
    assert c.post("/jobs/1/apply", data=contact, follow_redirects=False).status_code == 303
    step = {"step": "resume", "resume": resume}
    assert c.post("/jobs/1/apply", data=step, follow_redirects=False).status_code == 303
    done = c.post("/jobs/1/apply", data={"step": "review"}, follow_redirects=False)
    assert done.headers["location"] == "/jobs/1?applied=1"


def test_resumes_are_the_users_own_pdfs_in_drive(drive_store: StateStore) -> None:
    store = world(0)
    c = client(store, {"drive": drive_store})
    page = c.get("/jobs/1/apply?step=resume").text
    assert "Resume from Drive.pdf (in Job search)" in page
    for absent in ("Old resume.pdf", "Their resume.pdf", "Portrait.png", "Resume 2026"):
        assert absent not in page
    fid = int(drive_store.scalar("SELECT id FROM items WHERE name = 'Resume from Drive.pdf'"))
    apply_with(c, f"drive:{fid}")
    row = store.query("SELECT * FROM applications")[0]
    assert (row["resume_source"], row["resume_id"], row["resume_name"]) == (
        "drive",
        fid,
        "Resume from Drive.pdf",
    )


def test_resumes_are_the_users_own_without_drive() -> None:
    store = world(0)
    page = client(store).get("/jobs/1/apply?step=resume").text
    assert "Alex Morgan - Resume 2026.pdf" in page
    apply_with(client(store), "network:1")
    assert store.query("SELECT resume_source FROM applications") == [{"resume_source": "network"}]


def test_refusals() -> None:
    store = world(0)
    c = client(store)
    bad = c.post("/jobs/1/apply", data={"step": "contact", "email": "a@b.test", "phone": "12"})
    assert "Enter your email and a phone number." in bad.text
    closed = store.scalar("SELECT id FROM jobs WHERE closed = 1 ORDER BY id")
    assert "no longer accepting applications" in c.get(f"/jobs/{closed}/apply").text
    stranger = store.scalar(
        "SELECT id FROM people WHERE degree = 3 AND open_messages = 0 ORDER BY id"
    )
    assert "accepts messages from connections only" in c.get(f"/messaging/new/{stranger}").text
    assert store.scalar("SELECT count(*) FROM activity") == 0


def step(env: Any, action: str) -> dict[str, Any]:
    obs, *_ = env.step(action)
    assert obs["last_action_error"] == "", (action, obs["last_action_error"])
    return obs  # type: ignore[no-any-return]


def click(env: Any, obs: dict[str, Any], role: str, name: str) -> dict[str, Any]:
    el = find_element(obs["axtree"], role, name)
    assert el is not None, f"no {role} {name!r} on {obs['url']}"
    return step(env, f"click('{el.id}')")


@pytest.mark.browser
def test_shortcuts_filters_and_pages(make_env: Any) -> None:
    env = make_env("network.connect-on-page-2", action_mode="browser")
    _, info = env.reset(seed=0)
    obs = step(env, "press('/')")
    assert 'searchbox "Search people", focused' in obs["axtree"]
    step(env, "press('Escape')")
    step(env, f"goto('{app_url('network', '/')}')")
    step(env, "press('g')")
    assert step(env, "press('j')")["url"].endswith("/jobs")  # g j
    step(env, "press('g')")
    assert step(env, "press('m')")["url"].endswith("/messaging")  # g m

    company = info["params"]["company"]
    obs = step(env, f"goto('{app_url('network', '/search/people')}')")
    box = find_element(obs["axtree"], "combobox", "Company")
    assert box is not None
    step(env, f"select('{box.id}', '{company}')")
    obs = click(env, obs, "button", "Apply filters")
    assert "page 1 of 2" in obs["axtree"]
    obs = click(env, obs, "link", "Next page")
    assert "page 2 of 2" in obs["axtree"] and info["params"]["name"] in obs["axtree"]
    obs = click(env, obs, "link", "Previous page")
    assert "page 1 of 2" in obs["axtree"]


def test_an_unknown_apply_step_starts_the_form_over() -> None:
    c = client(world(0))
    for form in ({}, {"step": "bogus"}, {"step": "bogus", "go": "back"}):
        page = c.post("/jobs/1/apply", data=form)
        assert page.status_code == 400, form
        assert "Step 1 of 3" in page.text and "Start from the first step." in page.text


@pytest.mark.parametrize(
    "back", ["https://evil.example", "javascript:alert(1)", "//evil.example", "/\\evil.example"]
)
def test_the_invite_page_cancels_only_to_a_page_of_the_app(back: str) -> None:
    store = world(0)
    pid = store.scalar("SELECT id FROM people WHERE degree = 3 ORDER BY id")
    page = client(store).get(f"/in/{pid}/invite", params={"back": back}).text
    assert f'<a href="/in/{pid}">Cancel</a>' in page
    kept = client(store).get(f"/in/{pid}/invite", params={"back": "/search/people?page=2"}).text
    assert 'href="/search/people?page=2">Cancel' in kept


def test_endorse_skill_setup_leaves_one_skill_of_a_name() -> None:
    store = world(1)
    # A connection whose seeded skills include the task's skill (seed 1: "Data Analysis").
    rows = store.query(
        "SELECT p.name FROM skills s JOIN people p ON p.id = s.person_id "
        "WHERE s.name = 'Data Analysis' AND p.degree = 1 ORDER BY p.id"
    )
    name, other = rows[0]["name"], rows[1]["name"]
    task, apps = EndorseSkill(), Apps({"network": store})
    params = {"name": name, "skill": "Data Analysis", "decoy_skill": "Data Visualization"}
    task.setup(apps, {**params, "other": other})
    twice = store.query(
        "SELECT person_id, name FROM skills GROUP BY person_id, name HAVING count(*) > 1"
    )
    assert twice == []
    sid = task.skill_id(apps, name, "Data Analysis")
    assert store.scalar("SELECT endorsements FROM skills WHERE id = ?", (sid,)) == 4  # the task's
    page = client(store).get(f"/in/{find_person(store, name)}").text
    assert page.count("<strong>Data Analysis</strong>") == 1
    client(store).post(f"/skills/{sid}/endorse")
    checks = task.evaluate(apps, {**params, "other": other}, None)
    assert all(c.passed for c in checks), checks


def test_fields_are_capped_and_pages_say_so() -> None:
    store = world(0)
    c = client(store)
    c.post("/posts", data={"body": "x" * 5000})
    assert len(store.scalar("SELECT body FROM posts ORDER BY id DESC")) == FIELD_LIMITS["post"]
    assert f'maxlength="{FIELD_LIMITS["post"]}"' in c.get("/").text
    assert f'maxlength="{FIELD_LIMITS["phone"]}"' in c.get("/jobs/1/apply").text
    assert f'maxlength="{FIELD_LIMITS["title"]}"' in c.get("/profile/experience/new").text


def test_a_huge_or_undecodable_form_and_a_huge_id_are_refused() -> None:
    store = world(0)
    c = client(store)
    huge = c.post("/posts", content=b"body=" + b"x" * 1_000_001)
    assert huge.status_code == 413
    latin = c.post(
        "/posts",
        content=b"body=caf\xe9",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert latin.status_code == 400
    for path in ("/in/99999999999999999999", "/jobs/99999999999999999999"):
        assert c.get(path).status_code == 404
    assert c.post("/posts/99999999999999999999/comment", data={"body": "hi"}).status_code == 404
    assert c.get("/in/999999999").status_code == 404  # 9 digits: a route, no such person
    assert store.scalar("SELECT count(*) FROM activity") == 0


def test_one_application_a_job() -> None:
    store = world(0)
    c = client(store)
    apply_with(c, "network:1")
    for again in (c.get("/jobs/1/apply"), c.post("/jobs/1/apply", data={"step": "review"})):
        assert again.status_code == 409 and "You already applied to this job." in again.text
    assert store.scalar("SELECT count(*) FROM applications") == 1


def test_messages_and_skills_refuse_what_they_do_not_know() -> None:
    store = world(0)
    c = client(store)
    assert c.get("/messaging/new/999999").status_code == 404
    tid, pid = store.query("SELECT id, person_id FROM threads ORDER BY id")[0].values()
    before = store.scalar("SELECT count(*) FROM messages WHERE thread_id = ?", (tid,))
    c.post(f"/messaging/new/{pid}", data={"body": "Appended, not dropped."})
    bodies = [
        r["body"] for r in store.query("SELECT body FROM messages WHERE thread_id = ?", (tid,))
    ]
    assert len(bodies) == before + 1 and bodies[-1] == "Appended, not dropped."
    sid = store.scalar(
        "SELECT s.id FROM skills s JOIN people p ON p.id = s.person_id WHERE p.degree = 1"
    )
    c.post(f"/skills/{sid}/endorse")
    assert c.post(f"/skills/{sid}/whatever").status_code == 404
    assert store.scalar("SELECT endorsed FROM skills WHERE id = ?", (sid,)) == 1


def test_searches_take_percent_and_underscore_literally() -> None:
    store = world(0)
    assert search_people(store, {"q": "%"}) == [] and search_people(store, {"q": "_"}) == []
    add_person(store, "Zeno 100%", title="Chief of Staff", company="Litware")
    assert [p["name"] for p in search_people(store, {"q": "0%"})] == ["Zeno 100%"]
    assert "No jobs here." in client(store).get("/jobs", params={"q": "%"}).text


@pytest.mark.parametrize(
    ("start", "end"), [("٢٠٢٠", "2021"), ("2020", "2019"), ("20 0", ""), ("1949", "")]
)
def test_profile_years_are_ascii_and_in_order(start: str, end: str) -> None:
    store = world(0)
    form = {"title": "Analyst", "company": "Litware", "start_year": start, "end_year": end}
    page = client(store).post("/profile/experience/new", data=form)
    assert "years as 4 digits" in page.text
    assert store.scalar("SELECT count(*) FROM activity") == 0


def test_connections_page_and_feed_pages() -> None:
    store = world(0)
    c = client(store)
    for i in range(15):
        add_post(store, 2, f"Post number {i}", minutes_ago=i)
    home, older = c.get("/").text, c.get("/?page=2").text
    assert "Older posts" in home and "Newer posts" not in home
    assert "Newer posts" in older and "Post number 0" in home and "Post number 0" not in older
    assert 'href="/mynetwork/connections"' in c.get("/mynetwork").text
    friend = store.query("SELECT id, name FROM people WHERE degree = 1 ORDER BY name, id")[0]
    page = c.get("/mynetwork/connections").text
    assert f"Remove connection with {friend['name']}, " in page
    c.post(f"/connections/{friend['id']}/remove")
    assert store.scalar("SELECT degree FROM people WHERE id = ?", (friend["id"],)) == 2
    assert [(a["verb"], a["ref"]) for a in activity(store)] == [("remove", friend["id"])]


def test_search_results_offer_message_to_whoever_takes_messages() -> None:
    store = world(0)
    rid = add_person(
        store, "Zeno Quist", title="Senior Recruiter", company="Litware", recruiter=True
    )
    page = client(store).get("/search/people", params={"q": "Zeno Quist"}).text
    assert (
        f'href="/messaging/new/{rid}" aria-label="Message Zeno Quist, Senior Recruiter at Litware"'
        in page
    )
    assert "Connect with Zeno Quist, Senior Recruiter at Litware" in page


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("I can't: they only accept messages from their connections.", True),
        ("I cannot message Rowan: you are not connected.", True),
        ("I cannot find Rowan Cordova on Network.", False),
    ],
)
def test_non_connection_reasons(answer: str, ok: bool) -> None:
    assert bool(NOT_CONNECTED_REASON.search(norm(answer))) is ok


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("I cannot apply: it isn't accepting applications anymore.", True),
        ("I can't, the job has expired.", True),
        ("Unable to apply, the posting is closed.", True),
        ("I cannot find the job.", False),
    ],
)
def test_closed_job_reasons(answer: str, ok: bool) -> None:
    assert bool(CLOSED_REASON.search(norm(answer))) is ok


def test_phone_numbers_match_on_their_last_ten_digits() -> None:
    assert same_phone("(206) 555 6006", "+1 206 555 6006")
    assert not same_phone("555 6006", "+1 206 555 6006")
    assert not same_phone("(206) 555 6007", "+1 206 555 6006")
