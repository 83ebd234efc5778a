"""The Content-Security-Policy the app server puts on every response.

An office app's page runs one script of its own, inlined by `Site` (see `_web.py`). The server
makes a fresh nonce for every request, the page's `<script>` carries it and the policy allows only
scripts with that nonce: markup that reaches a page from request data or stored state cannot run
script (no injected `<script>`, no `onerror=` or other handler attribute, no `javascript:` URL),
even where escaping were ever missed. The rest closes what the apps never use: plugins, `<base>`,
framing by another page, loads and connections to any other origin.

MiniWoB++ pages (`AppSpec.inline_script`) are served as the `miniwob` package ships them: their
inline scripts and `onclick=` handlers are the task, a nonce cannot be added without rewriting 130
files, and some helpers (d3, jscolor) build functions from strings. Nothing of a request is echoed
there (static files only), so there is nothing to inject into; they get a policy that allows their
own kind of script, from their own origin only, and closes the same other channels.
"""

from __future__ import annotations

import secrets

NONCE_KEY = "officegym.nonce"  # where the request's nonce is in the ASGI scope, for `Site`

# What every policy closes: plugins, a <base> that would move relative URLs, being framed,
# forms posting elsewhere. Images may be data: URLs (a page helper may draw with them).
_COMMON = (
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'"
)
# Styles stay inline: the pages inline their CSS, and templates set label colours with `style=`;
# a stylesheet cannot run script.
_OFFICE = "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
_PACKAGE_PAGES = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
)
# The server's own refusals (no app, no world) have no script and load nothing.
REFUSAL = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def new_nonce() -> str:
    """A nonce no page can guess: 128 random bits, base64url (valid in a CSP source)."""
    return secrets.token_urlsafe(16)


def policy(nonce: str, inline_script: bool = False) -> str:
    """The policy of one response: scripts with `nonce` only, or (`inline_script`) the page's
    own inline script and handlers, for pages served as shipped."""
    return (_PACKAGE_PAGES if inline_script else _OFFICE.format(nonce=nonce)) + _COMMON


def security_headers(csp: str) -> list[tuple[bytes, bytes]]:
    """The headers added to a response: the policy, and no MIME sniffing (a JSON or text answer
    that echoes input is never read as HTML)."""
    return [
        (b"content-security-policy", csp.encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
    ]
