"""Stale edits refused: a form carries the version of the rows it shows, and the service, once it holds its
lock, compares it with the version now stored. The version is read from the rows' change history
(django-simple-history), so every write that keeps history (forms, imports, bulk writes) moves it, and the
refusal can say who made the change that came in between and when."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import IntegerField, Max, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import format_roc


class StaleEdit(ValidationError):
    """The rows changed after the form was shown; nothing was written."""

    def __init__(self, latest: object | None) -> None:
        who, when = _("其他使用者"), ""
        if latest is not None:
            user = latest.history_user
            who = (user.get_full_name() or user.username) if user else _("系統")
            moment = timezone.localtime(latest.history_date)
            when = f"{format_roc(moment.date())} {moment:%H:%M}"
        message = _("此資料已由 %(who)s 於 %(when)s 修改，請重新整理後再編輯。") % {"who": who, "when": when}
        super().__init__({NON_FIELD_ERRORS: [message]}, code="stale")


def version_of(*histories: QuerySet) -> str:
    """The version of the rows whose history `histories` hold: the newest history id of each, joined. Several
    histories are read in one query (a UNION ALL of their maxima, each tagged with its position)."""
    if len(histories) == 1:
        return str(histories[0].aggregate(v=Max("history_id"))["v"] or 0)
    parts = [
        h.order_by()
        .annotate(part=Value(n, output_field=IntegerField()))
        .values("part")
        .annotate(v=Max("history_id"))
        for n, h in enumerate(histories)
    ]
    newest = {part: v for part, v in parts[0].union(*parts[1:], all=True).values_list("part", "v")}
    return ".".join(str(newest.get(n) or 0) for n in range(len(histories)))


def check_version(version: str | None, *histories: QuerySet) -> None:
    """Raise StaleEdit when `version` (from the form) is not the rows' version now. Call it while holding
    the lock that serialises writes to those rows. None (no version posted: an import, a script) skips it."""
    if version is None or version == version_of(*histories):
        return
    latest = [h.select_related("history_user").order_by("-history_id").first() for h in histories]
    raise StaleEdit(max((r for r in latest if r is not None), key=lambda r: r.history_date, default=None))
