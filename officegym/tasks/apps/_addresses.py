"""Addresses typed in full: Calendar's guests and Docs' sharing reach people outside the
directory too, as Google Calendar and Google Docs do. Their people autocomplete offers an address
typed in full when no one in the directory matches, so it is picked like a colleague."""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import JSONResponse

from officegym.tasks.apps._web import people_route

ADDRESS = re.compile(r"[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[A-Za-z]{2,}")


def is_address(text: str) -> bool:
    """Whether `text` is a whole e-mail address.

    >>> is_address("audit@contoso-audit.net"), is_address("Grace Liu"), is_address("a@b")
    (True, False, False)
    """
    return ADDRESS.fullmatch(text) is not None


async def people_or_address_route(request: Request) -> JSONResponse:
    """The people autocomplete (`people_route`); when no one matches and `q` is a whole address,
    that address as the one suggestion."""
    found = await people_route(request)
    q = request.query_params.get("q", "").strip()
    if json.loads(bytes(found.body)) or not is_address(q):
        return found
    return JSONResponse([{"name": q, "email": q.lower()}])
