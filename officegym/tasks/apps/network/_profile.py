"""Network's settings and the user's own profile: notification settings, and the forms adding
a position, a school or a skill."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from officegym.tasks.apps._web import first, form_of, see_other, store_of
from officegym.tasks.apps.network._common import SITE, capped, int_param, log, page
from officegym.tasks.apps.network._data import ME_ID, NOTIFICATION_SETTINGS, PROFILE_FORMS

YEARS = range(1950, 2031)


async def settings(request: Request) -> Response:
    store = store_of(request)
    values = {r["key"]: r["value"] for r in store.query("SELECT * FROM settings")}
    if request.method == "POST":
        form = await form_of(request)
        for key, (_, choices, _) in NOTIFICATION_SETTINGS.items():
            new = (
                (first(form, key) if first(form, key) in choices else values[key])
                if choices
                else ("on" if first(form, key) else "off")
            )
            if new != values[key]:
                store.execute("UPDATE settings SET value = ? WHERE key = ?", (new, key))
                log(store, "setting", "settings", 0, f"{key}={new}")
        return see_other("/settings?saved=1")
    rows = [
        {"key": k, "label": label, "choices": choices, "value": values[k]}
        for k, (label, choices, _) in NOTIFICATION_SETTINGS.items()
    ]
    notice = "Settings saved." if request.query_params.get("saved") else ""
    return page(
        request, "settings.html", "Notification settings", "settings", rows=rows, notice=notice
    )


async def profile_add(request: Request) -> Response:
    """GET: a form adding a position, a school or a skill to the user's profile; POST: add it."""
    store, what = store_of(request), request.path_params["what"]
    if what not in PROFILE_FORMS:
        return SITE.not_found(request, "There is no such profile section.")
    title, fields = PROFILE_FORMS[what]
    if request.method == "GET":
        return page(
            request, "profile_add.html", title, "profile", what=what, fields=fields, values={}
        )
    form = await form_of(request)
    values = {name: capped(form, name) for name, _, _ in fields}
    if not complete(fields, values):
        return page(
            request,
            "profile_add.html",
            title,
            "profile",
            what=what,
            fields=fields,
            values=values,
            error="Fill in the required fields (years as 4 digits, the end not before the start).",
        )
    if "end_year" in values:
        values["end_year"] = int_param(values["end_year"]) or None  # type: ignore[assignment]
    names = ", ".join(values)
    rid = store.execute(
        f"INSERT INTO {what}(person_id, {names}) VALUES (?, {','.join('?' * len(values))})",
        (ME_ID, *values.values()),
    )
    log(store, f"add-{what}", "profile", rid, " | ".join(str(v) for v in values.values()))
    return see_other(f"/in/{ME_ID}")


def complete(fields: tuple[tuple[str, str, bool], ...], values: dict[str, str]) -> bool:
    """Whether every required field is filled in and the years are years (ASCII digits, within
    `YEARS`), the end not before the start."""
    if any(not values[n] for n, _, required in fields if required):
        return False
    years = [values[k] for k in ("start_year", "end_year") if values.get(k)]
    if not all(y.isascii() and y.isdigit() and int(y) in YEARS for y in years):
        return False
    return len(years) < 2 or int(years[1]) >= int(years[0])
