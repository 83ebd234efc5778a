"""Sheets task templates: type into a cell, total a column with a formula, add, change and
delete rows, rename a sheet, sort, look up a price (and a price that is not there)."""

from officegym.tasks.sheets_tasks import cells, structure

__all__ = ["cells", "structure"]
