"""Sheets task templates: type into a cell, total a column with a formula, add, change and
delete rows, rename a sheet, sort, look up a price (and a price that is not there), VLOOKUP a
price and flag low stock with IF; longer work (fill an expense sheet, correct a price list)
and a sort by a column that is not there."""

from officegym.tasks.sheets_tasks import attacks, cells, formulas, long_work, structure

__all__ = ["attacks", "cells", "formulas", "long_work", "structure"]
