"""Sheets, a Google-Sheets-like app: a grid with formulas, sheet tabs, row and sort menus, column
filters."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.sheets._app import app
from officegym.tasks.apps.sheets._data import ITEMS, add_book, add_note, inventory, populate
from officegym.tasks.apps.sheets._formula import (
    FORMATS,
    evaluate,
    number,
    parse_ref,
    ref_name,
    shift_formula,
    shown,
)

__all__ = [
    "APP", "FORMATS", "ITEMS", "add_book", "add_note", "evaluate", "inventory", "number",
    "parse_ref", "ref_name", "shift_formula", "shown",
]  # fmt: skip

APP = AppSpec(
    name="sheets",
    asgi=app,
    populate=populate,
    pages=("/", "/s/1", "/s/2?sheet=Notes", "/s/3?sheet=Q1&cell=B3"),
)
