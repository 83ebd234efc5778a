"""Drive task templates: organise (rename, star, trash, restore, move by drag and by menu, new
folder, upload), share (with a role, by link, change or remove access, with an outsider),
answer from Drive (where a file is, who owns it, its size, a value in a PDF), and two long ones."""

from officegym.tasks.drive_tasks import answers, bulk, organize, sharing

__all__ = ["answers", "bulk", "organize", "sharing"]
