"""Values found on some frames, looked for again on every frame: the redaction's second pass.

OCR reads a value on one frame and misreads it on the next (a pointer over a digit, a shifted
line): the detectors then find nothing there, and the value would stay readable in a redacted
copy. So the raw values found anywhere in a recording are kept (in memory only, never written)
and every word OCR read on any frame is compared with their distinctive fragments: a group of 4
or more digits of a card, IBAN or phone number, or 8 characters in a row of a key, token or
e-mail address. A word holding one is painted, with the digit groups beside it on its line
(the misread group between two matched ones).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from officegym.replayer._ocr import Line, Word

Box = tuple[int, int, int, int]

# Kinds whose values are groups of digits; the others are read as runs of characters.
DIGIT_KINDS = {"card_number", "iban", "phone_number"}
MIN_DIGIT_GROUP = 4  # "2026" alone is common; a group that long beside a matched one is not
MIN_RUN = 8  # characters of a key or an address in a row: "example." but not "mail"
DIGITS = re.compile(r"\d+")
# A word that can be a misread group of digits: mostly digits ("14B8", "0343,").
DIGIT_LIKE = re.compile(r"^(?=.*\d)\W*[\dOoIlBS]{3,6}\W*$")


def keeps(word: str) -> bool:
    """Whether a word can hold a fragment (worth keeping for the second pass).

    >>> keeps("4539"), keeps("Card"), keeps("dana.fox@example.org"), keeps("14B8"), keeps("Sool")
    (True, False, True, True, False)
    """
    return len(word) >= MIN_RUN or bool(DIGIT_LIKE.match(word))


class ValueFragments:
    """The distinctive fragments of the values found in one recording."""

    def __init__(self) -> None:
        self.digit_groups: dict[str, str] = {}  # fragment -> kind of the value it is from
        self.runs: dict[str, str] = {}

    def add(self, kind: str, value: str) -> None:
        """Remember a value of `kind` (a key of `KINDS`), as found on some frame."""
        if kind in DIGIT_KINDS:
            for group in DIGITS.findall(value):
                if len(group) >= MIN_DIGIT_GROUP:
                    self.digit_groups[group] = kind
                    self.runs.update(dict.fromkeys(_runs(group), kind))  # written without spaces
        else:
            self.runs.update(dict.fromkeys(_runs(value), kind))

    def __bool__(self) -> bool:
        return bool(self.digit_groups or self.runs)

    def holds(self, word: str) -> str | None:
        """The kind of the remembered value `word` holds a fragment of, if any.

        >>> fragments = ValueFragments()
        >>> fragments.add("card_number", "4539 1488 0343 6467")
        >>> fragments.add("email", "dana.fox@example.org")
        >>> [fragments.holds(w) for w in ("6467,", "1498", "dana.fox@examp1e.org", "2026")]
        ['card_number', None, 'email', None]
        """
        for group in DIGITS.findall(word):
            if group in self.digit_groups:
                return self.digit_groups[group]
        return next((self.runs[run] for run in _runs(word) if run in self.runs), None)

    def boxes(self, lines: Iterable[Line]) -> list[tuple[Box, str]]:
        """The boxes (and kinds) of the words on `lines` that hold a fragment, and of the digit
        groups next to them on their line: the parts of a value OCR misread there."""
        found: list[tuple[Box, str]] = []
        for line in lines:
            words = line.words
            hit = [self.holds(w.text) for w in words]
            for i, word in enumerate(words):
                kind = hit[i] or (_beside_hit(words, hit, i) if _digit_like(word) else None)
                if kind is not None:
                    found.append((word.box, kind))
        return found


def _runs(text: str) -> set[str]:
    return {text[i : i + MIN_RUN] for i in range(len(text) - MIN_RUN + 1)}


def _digit_like(word: Word) -> bool:
    return bool(DIGIT_LIKE.match(word.text))


def _beside_hit(words: tuple[Word, ...], hit: list[str | None], i: int) -> str | None:
    """The kind of the fragment a run of digit-like words joins word i to, if any."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(words):
            if hit[j] is not None:
                return hit[j]
            if not _digit_like(words[j]):
                break
            j += step
    return None
