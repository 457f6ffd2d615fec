"""Loading the compliance facts of many associations for one year, or for several, in a fixed number of
queries, as the pure rules in `grading.rules` expect them. No query here is ordered: the facts are gathered
into dictionaries, and the models' default orderings (by association name) would only add a join and a sort.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from associations.models import Association, Election, Meeting, YearlyFiling
from grading.rules import AssociationFacts, ElectionFact, MeetingFact

#: From how many ids `associations_of` sends them to PostgreSQL as one array.
MANY_IDS = 500


def associations_of(ids: Iterable[int]) -> QuerySet[Association]:
    """The associations of `ids`. Many (a compliance import's 10,000) go to PostgreSQL as one array literal
    (`id IN (SELECT unnest(…))`) rather than an IN list of as many parameters, which every one of the ten
    queries reading their facts, counts and judgments spent ~60 ms planning (the array: ~5 ms)."""
    ids = list(ids)
    if connection.vendor == "postgresql" and len(ids) >= MANY_IDS:
        literal = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
        return Association.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [literal]))
    return Association.objects.filter(pk__in=ids)


def load_facts(associations: QuerySet[Association], *, year: int) -> dict[int, AssociationFacts]:
    """Facts for `year` of every association in `associations` (four queries however many there are)."""
    return {pk: facts for (pk, _year), facts in load_facts_of_years(associations, years=[year]).items()}


def load_facts_of_years(
    associations: QuerySet[Association], *, years: Iterable[int]
) -> dict[tuple[int, int], AssociationFacts]:
    """Facts of every association in `associations` for each of `years`, keyed by (association id, year)
    (four queries however many associations and years there are)."""
    years = sorted(set(years))
    rows = list(associations.order_by().values_list("pk", "status", "board_meeting_interval_months"))
    facts = {
        (pk, year): AssociationFacts(
            association_id=pk, year=year, association_status=status, board_interval_months=interval
        )
        for pk, status, interval in rows
        for year in years
    }
    if not facts:
        return facts
    scope = associations.order_by().values("pk")
    meetings = (
        Meeting.objects.filter(
            association__in=scope,
            held_on__gte=datetime.date(years[0], 1, 1),
            held_on__lte=datetime.date(years[-1], 12, 31),
        )
        .order_by()
        .values_list("association_id", "kind", "held_on", "quorum_met", "minutes_filed_on")
    )
    for association_id, kind, held_on, quorum_met, minutes_filed_on in meetings:
        if (found := facts.get((association_id, held_on.year))) is not None:
            found.meetings.append(MeetingFact(kind, held_on, quorum_met, minutes_filed_on))
    filings = (
        YearlyFiling.objects.filter(association__in=scope, year__in=years)
        .order_by()
        .values_list("association_id", "year", "plan_budget_filed_on", "report_accounts_filed_on")
    )
    for association_id, year, plan_filed, report_filed in filings:
        found = facts[(association_id, year)]
        found.plan_budget_filed_on = plan_filed
        found.report_accounts_filed_on = report_filed
    elections = (
        Election.objects.filter(association__in=scope)
        .order_by()
        .values_list("association_id", "term_ends_on", "elected_on", "term_number")
    )
    by_association: dict[int, list[ElectionFact]] = {}
    for association_id, term_ends_on, elected_on, term_number in elections:
        by_association.setdefault(association_id, []).append(
            ElectionFact(term_ends_on, elected_on, term_number)
        )
    for (association_id, _year), found in facts.items():
        found.elections = by_association.get(association_id, [])
    return facts
