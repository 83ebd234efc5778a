"""Secrets and personal data in text: what they are, where they are, and how to show them masked.

Card numbers must pass the Luhn check and IBANs the ISO 7064 mod-97 check, so order numbers and
dates are not taken for them; tokens without a known shape count only when long and random
(Shannon entropy per character), so words and ids in URLs do not.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

# kind -> whether it is a secret (an error in a recording) rather than personal data (a warning)
KINDS = {
    "card_number": True,
    "iban": True,
    "api_key": True,
    "token": True,
    "email": False,
    "phone_number": False,
}

KNOWN_KEYS = re.compile(
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"  # AWS access key id
    r"|\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}"  # GitHub
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe
    r"|\bAIza[0-9A-Za-z_\-]{35}"  # Google
    r"|\bsk-[A-Za-z0-9_\-]{20,}"  # OpenAI-style
    r"|\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"  # JWT
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)
CANDIDATE_TOKEN = re.compile(r"(?<![\w+/=-])[A-Za-z0-9_+/=-]{24,}(?![\w+/=-])")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
TOKEN_ENTROPY = 4.0  # bits per character; English words and ids stay well below
CARD = re.compile(r"(?<![\d-])[2-6](?:[ -]?\d){12,18}(?![\d-])")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Groups of digits with separators, not inside a longer run of groups (a card number, an id).
PHONE = re.compile(
    r"(?<![\w+])(?<!\d[ .-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}"  # noqa: E501
    r"(?![\w-])(?![ .-]\d)"
    r"|(?<![\w+])\+\d{8,15}(?!\w)"
)


@dataclass(frozen=True)
class Match:
    """One sensitive value in a text: its kind and where it is (`text[start:end]`)."""

    kind: str
    start: int
    end: int
    value: str


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies.

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """The ISO 7064 mod-97 check of an IBAN (spaces removed).

    >>> iban_ok("DE89370400440532013000"), iban_ok("DE89370400440532013001")
    (True, False)
    """
    if not 15 <= len(iban) <= 34:
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def entropy(text: str) -> float:
    """Shannon entropy of the characters of `text`, in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def find_sensitive(text: str) -> list[Match]:
    """Every secret and piece of personal data in `text`, without overlaps, in text order.

    >>> [m.kind for m in find_sensitive("mail ann@example.com, card 4111 1111 1111 1111")]
    ['email', 'card_number']
    """
    found: list[Match] = []

    def add(kind: str, m: re.Match[str]) -> None:
        if not any(m.start() < f.end and f.start < m.end() for f in found):
            found.append(Match(kind, m.start(), m.end(), m.group()))

    for m in KNOWN_KEYS.finditer(text):
        add("api_key", m)
    # IBANs before cards: mod-97 is the stricter check, and the digit tail of a grouped IBAN
    # ("DE16 1845 2322 8380 3791 80") passes Luhn about one time in ten.
    for m in IBAN.finditer(text):
        if iban_ok(m.group().replace(" ", "")):
            add("iban", m)
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            add("card_number", m)
    for m in EMAIL.finditer(text):
        add("email", m)
    for m in CANDIDATE_TOKEN.finditer(text):
        word = m.group()
        kinds = sum(any(f(c) for c in word) for f in (str.isdigit, str.islower, str.isupper))
        if kinds >= 2 and not UUID.match(word) and entropy(word) >= TOKEN_ENTROPY:
            add("token", m)
    for m in PHONE.finditer(text):
        if sum(c.isdigit() for c in m.group()) >= 8:
            add("phone_number", m)
    return sorted(found, key=lambda f: f.start)


def masked(kind: str, value: str) -> str:
    """How a finding shows the value: enough to find it again, never the value itself.

    >>> masked("card_number", "4111 1111 1111 1111"), masked("email", "ann.lee@example.com")
    ('card ending 1111', 'a•••@example.com')
    """
    digits = re.sub(r"\D", "", value)
    if kind == "card_number":
        return f"card ending {digits[-4:]}"
    if kind == "email":
        user, _, domain = value.partition("@")
        return f"{user[:1]}•••@{domain}"
    if kind == "phone_number":
        return f"number ending {digits[-2:]}"
    if kind == "iban":
        compact = value.replace(" ", "")
        return f"{compact[:2]}•• ending {compact[-4:]}"
    return f"{value[:4]}… ({len(value)} characters)"


def surrogate(value: str) -> str:
    """A stand-in of the same shape: digits become 1, letters x or X, the rest stays.

    Same length and character classes, so a field that takes the value takes the stand-in.

    >>> surrogate("4111-1111 Ab")
    '1111-1111 Xx'
    """
    return "".join(
        "1" if c.isdigit() else ("X" if c.isupper() else "x") if c.isalpha() else c for c in value
    )
