"""Search, a web search engine over a generated company web: the intranet (policies with owners,
teams, people), news, help center (how-tos, release notes), wiki and careers sites, each served
at its own host. Ranked results (FTS5 bm25) with highlighted snippets, filters by time, type and
site, pagination, "did you mean" and a knowledge panel. When Code or Network is in the episode's
world, their public parts (repositories' READMEs, profiles, open job posts) are listed under the
results too, linked to their own pages.

For templates: `add_page` plants a page (indexed at once), `find_page` finds one, `page_url`
gives its address; `search` ranks as the results page does.
"""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.search._app import app
from officegym.tasks.apps.search._corpus import (
    COMPANY,
    person_path,
    policy_body,
    populate,
    release_pages,
    team_of,
)
from officegym.tasks.apps.search._data import (
    KINDS,
    SITES,
    Entity,
    Page,
    add_entity,
    add_page,
    add_pages,
    ages,
    day,
    find_page,
    page_url,
)
from officegym.tasks.apps.search._index import (
    PER_PAGE,
    Filters,
    Results,
    panel,
    search,
    suggestion,
)
from officegym.tasks.apps.search._text import (
    OFFICES,
    POLICIES,
    PRODUCTS,
    TASK_POLICIES,
    TASK_PRODUCTS,
    Fact,
    slug,
)

__all__ = [
    "APP",
    "COMPANY",
    "KINDS",
    "OFFICES",
    "PER_PAGE",
    "POLICIES",
    "PRODUCTS",
    "SITES",
    "TASK_POLICIES",
    "TASK_PRODUCTS",
    "Entity",
    "Fact",
    "Filters",
    "Page",
    "Results",
    "add_entity",
    "add_page",
    "add_pages",
    "ages",
    "day",
    "find_page",
    "page_url",
    "panel",
    "person_path",
    "policy_body",
    "release_pages",
    "search",
    "slug",
    "suggestion",
    "team_of",
]

APP = AppSpec(
    name="search",
    asgi=app,
    populate=populate,
    pages=(
        "/",
        "/search?q=travel+policy",
        "/search?q=atlas",
        "/search?q=travle+polcy",
        "/search?q=atlas&type=news&time=year&sort=date",
        "/search?q=release+notes&page=2",
    ),
)
