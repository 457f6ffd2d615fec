"""Loading the compliance facts of many associations for one year in a fixed number of queries, as the pure
rules in `grading.rules` expect them."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from associations.models import Association, Election, Meeting, YearlyFiling
from grading.rules import AssociationFacts, ElectionFact, MeetingFact


def load_facts(associations: QuerySet[Association], *, year: int) -> dict[int, AssociationFacts]:
    """Facts for `year` of every association in `associations` (four queries however many there are)."""
    facts = {
        pk: AssociationFacts(
            association_id=pk, year=year, association_status=status, board_interval_months=interval
        )
        for pk, status, interval in associations.order_by().values_list(
            "pk", "status", "board_meeting_interval_months"
        )
    }
    if not facts:
        return facts
    scope = associations.order_by().values("pk")
    meetings = Meeting.objects.filter(
        association__in=scope,
        held_on__gte=datetime.date(year, 1, 1),
        held_on__lte=datetime.date(year, 12, 31),
    ).values_list("association_id", "kind", "held_on", "quorum_met", "minutes_filed_on")
    for association_id, kind, held_on, quorum_met, minutes_filed_on in meetings:
        facts[association_id].meetings.append(MeetingFact(kind, held_on, quorum_met, minutes_filed_on))
    filings = YearlyFiling.objects.filter(association__in=scope, year=year).values_list(
        "association_id", "plan_budget_filed_on", "report_accounts_filed_on"
    )
    for association_id, plan_filed, report_filed in filings:
        facts[association_id].plan_budget_filed_on = plan_filed
        facts[association_id].report_accounts_filed_on = report_filed
    elections = Election.objects.filter(association__in=scope).values_list(
        "association_id", "term_ends_on", "elected_on", "term_number"
    )
    for association_id, term_ends_on, elected_on, term_number in elections:
        facts[association_id].elections.append(ElectionFact(term_ends_on, elected_on, term_number))
    return facts
