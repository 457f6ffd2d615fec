"""Links to many rows of a page, reversed once: `reverse` for each row of a 50-row page cost more than
the rest of the row. The URL is reversed for placeholder arguments, and each row's URL is that URL with
the placeholders' path segments replaced by the row's own."""

from __future__ import annotations

from django.urls import reverse

from core import dates

#: A primary key no row has (as its path segment).
PK = 987654321
#: The latest year the ROC-year converter writes (民國 999): no page shows it.
YEAR = dates.gregorian_year(999)


class Links:
    """`Links("grading:assessment", "year", "pk").url(2025, 7)` == `reverse("grading:assessment", args=[2025,
    7])`, for arguments that are each a primary key ("pk") or a year in the ROC-year converter ("year")."""

    def __init__(self, name: str, *kinds: str) -> None:
        placeholders = [YEAR if kind == "year" else PK for kind in kinds]
        self.kinds = kinds
        self.pattern = reverse(name, args=placeholders)

    def url(self, *args: int) -> str:
        url = self.pattern
        # Years first: a real primary key could be written like a year's placeholder, never the reverse.
        for kind, value in zip(self.kinds, args, strict=True):
            if kind == "year":
                url = url.replace(f"/{dates.roc_year(YEAR)}/", f"/{dates.roc_year(int(value))}/", 1)
        for kind, value in zip(self.kinds, args, strict=True):
            if kind == "pk":
                url = url.replace(f"/{PK}/", f"/{int(value)}/", 1)
        return url
