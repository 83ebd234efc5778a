"""The values `frame_privacy.py` plants, and the pages it plants them on.

Values of each kind in the forms people write them (grouped card numbers, printed IBANs, keys of
the shapes providers issue, national and international phone numbers), each one the event
audit's detectors call exactly its kind. Each surface writes a batch of them into an app's
seeded state after a reset, through the app's own data functions or its tables, and says which
page shows them.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass

from _frame_truth import Planted

from officegym.replayer._pii import find_sensitive
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.chat import add_message
from officegym.tasks.apps.mail import add_thread
from officegym.tasks.apps.people import NAMES, colleagues
from officegym.tasks.apps.sheets import add_book


# ---- planted values ------------------------------------------------------------------------
def card_number(rng: random.Random) -> str:
    """A Visa, Mastercard or Amex number with a valid Luhn digit, grouped as people write it."""
    prefix, length, groups = rng.choice(
        [("4", 16, (4, 4, 4, 4)), ("5" + rng.choice("12345"), 16, (4, 4, 4, 4)),
         ("3" + rng.choice("47"), 15, (4, 6, 5))]
    )  # fmt: skip
    body = prefix + "".join(rng.choices(string.digits, k=length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):  # the check digit will be at position 0
        d = int(ch) * (1 if i % 2 else 2)
        total += d - 9 if d > 9 else d
    digits = body + str(-total % 10)
    sep = rng.choice((" ", " ", "-", ""))
    out, at = [], 0
    for g in groups:
        out.append(digits[at : at + g])
        at += g
    return sep.join(out)


def iban(rng: random.Random) -> str:
    """A German or British IBAN with valid check digits, in the grouped print form."""
    country, bban = rng.choice(
        [("DE", "".join(rng.choices(string.digits, k=18))),
         ("GB", "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=4))
          + "".join(rng.choices(string.digits, k=14)))]
    )  # fmt: skip
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    compact = f"{country}{check:02d}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


ALNUM = string.ascii_letters + string.digits


def api_key(rng: random.Random, shape: str | None = None) -> str:
    """A key of a shape providers issue: OpenAI-style, AWS access key id, GitHub token, Stripe."""
    shape = shape or rng.choice(("sk", "akia", "ghp", "stripe"))
    if shape == "sk":
        return "sk-" + "".join(rng.choices(ALNUM, k=rng.choice((32, 40, 48))))
    if shape == "akia":
        return "AKIA" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=16))
    if shape == "ghp":
        return "ghp_" + "".join(rng.choices(ALNUM, k=36))
    return "sk_live_" + "".join(rng.choices(ALNUM, k=24))


FIRST = ("maria", "jon", "li", "ahmed", "sara", "pieter", "chloe", "raj", "ana", "kofi")
LAST = ("oliveira", "smith", "wang", "khan", "berg", "de.vries", "martin", "patel", "costa")
DOMAINS = ("gmail.com", "outlook.com", "acme-corp.com", "example.org", "mail.co.uk", "web.de")


def email(rng: random.Random) -> str:
    user = f"{rng.choice(FIRST)}{rng.choice(('.', '_', ''))}{rng.choice(LAST)}"
    if rng.random() < 0.3:
        user += str(rng.randint(1, 99))
    return f"{user}@{rng.choice(DOMAINS)}"


def phone_number(rng: random.Random) -> str:
    """A phone number in one of the national and international forms people type."""

    def d(k: int) -> str:
        return "".join(rng.choices(string.digits, k=k))

    return rng.choice(
        [f"+1 {rng.randint(201, 989)}-555-{d(4)}", f"({rng.randint(201, 989)}) 555-{d(4)}",
         f"+44 20 {d(4)} {d(4)}", f"+49 30 {d(4)} {d(4)}", f"{rng.randint(201, 989)}.555.{d(4)}",
         f"+1 {rng.randint(201, 989)} 555 {d(4)}"]
    )  # fmt: skip


MAKERS: dict[str, Callable[[random.Random], str]] = {
    "card_number": card_number, "iban": iban, "api_key": api_key, "email": email,
    "phone_number": phone_number,
}  # fmt: skip


def plant(kind: str, rng: random.Random) -> Planted:
    """A fresh value of `kind`, which the event audit's detectors call exactly that kind.

    Values the detectors misread even as typed text are drawn again: the benchmark measures
    reading the screen. (One grouped German IBAN in ten holds a run of digits that passes Luhn
    and is taken for a card number, since cards are looked for first.)
    """
    for _ in range(50):
        value = MAKERS[kind](rng)
        if [(m.kind, m.value) for m in find_sensitive(value)] == [(kind, value)]:
            return Planted(kind, value)
    raise AssertionError(f"the detectors do not read {kind} values such as {value!r} as {kind}")


# ---- where the values go ---------------------------------------------------------------------
Batch = tuple[str, list[Planted]]  # the path that shows them, and the values


@dataclass(frozen=True)
class Surface:
    """A page that shows planted values: the task whose apps it needs, and how to plant them
    (`plant(stores, rng, batch)` writes a batch and returns the path to open and the values)."""

    name: str
    task: str
    app: str
    plant: Callable[[dict[str, StateStore], random.Random, int], Batch]


def mail_body(stores: dict[str, StateStore], rng: random.Random, batch: int) -> Batch:
    values = [plant(k, rng) for k in ("card_number", "iban", "phone_number", "email", "api_key")]
    card, account, phone, mail, key = (v.value for v in values)
    sender = rng.choice(colleagues(stores["mail"]))
    body = (
        f"Hi Alex,\n\nHere are the details for the supplier payment.\nCard: {card}\n"
        f"Bank account: {account}\nIf anything bounces, call me on {phone} or write to "
        f"{mail}.\nThe staging API key is {key}\n\nThanks,\n{sender['name'].split()[0]}"
    )
    tid = add_thread(stores["mail"], f"Payment details ({batch + 1})", sender["email"], body,
                     minutes_ago=5 + batch)  # fmt: skip
    return f"/thread/{tid}", values


def mail_settings(stores: dict[str, StateStore], rng: random.Random, batch: int) -> Batch:
    values = [plant("phone_number", rng), plant("email", rng)]
    signature = f"Alex Morgan\nOperations Lead, Northwind\n{values[0].value} · {values[1].value}"
    stores["mail"].execute(
        "INSERT OR REPLACE INTO settings(key, value) VALUES ('signature', ?)", (signature,)
    )
    return "/settings", values


def chat_messages(stores: dict[str, StateStore], rng: random.Random, batch: int) -> Batch:
    store = stores["chat"]
    channel = store.query("SELECT name FROM channels WHERE joined = 1 ORDER BY id")[batch % 5]
    handles = [p["handle"] for p in colleagues(store)]
    values = [plant(k, rng) for k in ("card_number", "phone_number", "email", "api_key")]
    lines = (
        "Use the team card {} for the booking, it has the budget.",
        "New number from today: {}",
        "Send the contract to {} please",
        "staging key is {} (rotate it after the demo)",
    )
    for i, (line, value) in enumerate(zip(lines, values, strict=True)):
        add_message(store, rng.choice(handles), line.format(value.value), minutes_ago=4 - i,
                    channel=channel["name"])  # fmt: skip
    return f"/c/{channel['name']}", values


def sheet_cells(stores: dict[str, StateStore], rng: random.Random, batch: int) -> Batch:
    rows: list[list[str]] = [["Customer", "E-mail", "Phone", "Card"]]
    values = []
    for name in rng.sample(NAMES, 4):  # Sheets keeps no people of its own
        row = [plant("email", rng), plant("phone_number", rng), plant("card_number", rng)]
        values += row
        rows.append([name, *(v.value for v in row)])
    bid = add_book(stores["sheets"], f"Customer payments {batch + 1}", {"Customers": rows})
    return f"/s/{bid}", values


def code_settings_file(stores: dict[str, StateStore], rng: random.Random, batch: int) -> Batch:
    keys = [Planted("api_key", api_key(rng, shape)) for shape in ("sk", "akia", "ghp")]
    values = [*keys, plant("email", rng)]
    content = (
        "# Settings for the production deployment\n\n[openai]\n"
        f'api_key = "{keys[0].value}"\n\n[aws]\nregion = "eu-west-1"\n'
        f'access_key_id = "{keys[1].value}"\n\n[github]\ntoken = "{keys[2].value}"\n\n'
        f'[alerts]\nemail = "{values[3].value}"\n'
    )
    path = f"config/production-{batch + 1}.toml"
    stores["code"].execute(
        "INSERT INTO files VALUES ((SELECT id FROM repos WHERE name = 'billing-service'), ?, ?)",
        (path, content),
    )
    return f"/northwind/billing-service/blob/{path}", values


SURFACES = (
    Surface("mail body", "mail.apply-label", "mail", mail_body),
    Surface("chat messages", "chat.post-in-channel", "chat", chat_messages),
    Surface("sheet cells", "sheets.enter-value", "sheets", sheet_cells),
    Surface("mail settings", "mail.apply-label", "mail", mail_settings),
    Surface("code settings file", "code.star-repository", "code", code_settings_file),
)
