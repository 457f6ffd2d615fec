"""One problem an import found, named by the row and the column (as the file heads it) it was found in."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass
class Issue:
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("第 %(row)d 列「%(column)s」：%(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("第 %(row)d 列：%(message)s") % {"row": self.row, "message": self.message}
        return self.message
