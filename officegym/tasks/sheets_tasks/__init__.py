"""Sheets task templates: type into a cell, total a column with a formula, add, change and
delete rows, rename a sheet, sort, look up a price (and a price that is not there), VLOOKUP a
price and flag low stock with IF."""

from officegym.tasks.sheets_tasks import attacks, cells, formulas, structure

__all__ = ["attacks", "cells", "formulas", "structure"]
