"""Reads for other pages: the home page's award block."""

from __future__ import annotations

from django.db.models import Count, Q

from awards import permissions
from awards.models import AwardRound, Entry, ScoreSheet


def judge_summary(user: object) -> list[dict[str, object]]:
    """The rounds a judge is assigned to (newest first), each with the entries they may score and how many
    of those they have submitted (two queries)."""
    rounds = list(permissions.scope_rounds(AwardRound.objects.all(), user).order_by("-year", "code"))
    entries = permissions.scope_entries(Entry.objects.filter(round__in=rounds), user)
    to_score = dict(entries.values("round_id").annotate(n=Count("pk")).values_list("round_id", "n"))
    submitted = dict(
        ScoreSheet.objects.filter(entry__in=entries, judge_id=user.pk)  # type: ignore[attr-defined]
        .values("entry__round_id")
        .annotate(n=Count("pk", filter=Q(state=ScoreSheet.State.SUBMITTED)))
        .values_list("entry__round_id", "n")
    )
    return [
        {"round": r, "entries": to_score.get(r.pk, 0), "submitted": submitted.get(r.pk, 0)} for r in rounds
    ]
