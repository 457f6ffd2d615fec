"""The to-do list for township staff: what is overdue or due soon, derived from the same rules as the
status, evaluated today (not as of the last recompute), so a due date passing shows up at once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from associations.models import Association, YearlyFiling
from grading import rules
from grading.facts import load_facts
from grading.rules import AssociationFacts, RuleResult

#: A pending duty shows once its due date is this close.
DUE_SOON_DAYS = 60


@dataclass(frozen=True)
class TodoItem:
    association_id: int
    association: str
    township: str
    year: int
    label: str
    message: str
    due_on: datetime.date | None
    overdue: bool


def _wanted(result: RuleResult, today: datetime.date) -> bool:
    if result.outcome == rules.FAIL:
        return True
    if result.outcome != rules.PENDING:
        return False
    if result.code == "term_not_expired":
        return True  # the rule itself only warns within its own window
    return result.due_on is not None and result.due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS)


def todo_items(associations: QuerySet[Association], *, today: datetime.date) -> list[TodoItem]:
    """Overdue and soon-due duties of `associations`, earliest due first (six queries in all)."""
    year = today.year
    names = {
        pk: (name, township)
        for pk, name, township in associations.order_by().values_list("pk", "name", "township__name")
    }
    current = load_facts(associations, year=year)
    filings = {
        (association_id, filing_year): (plan, report)
        for association_id, filing_year, plan, report in YearlyFiling.objects.filter(
            association__in=associations.order_by().values("pk"), year__in=[year - 1, year + 1]
        ).values_list("association_id", "year", "plan_budget_filed_on", "report_accounts_filed_on")
    }
    items: list[TodoItem] = []
    for association_id, facts in current.items():
        results = [(year, rule(facts, today)) for rule in rules.RULES if rule is not rules.no_open_order]
        last_year = AssociationFacts(association_id=association_id, year=year - 1)
        last_year.report_accounts_filed_on = filings.get((association_id, year - 1), (None, None))[1]
        results.append((year - 1, rules.report_accounts_filed_by_march(last_year, today)))
        next_year = AssociationFacts(association_id=association_id, year=year + 1)
        next_year.plan_budget_filed_on = filings.get((association_id, year + 1), (None, None))[0]
        results.append((year + 1, rules.plan_budget_filed_before_year(next_year, today)))
        name, township = names[association_id]
        items.extend(
            TodoItem(
                association_id=association_id,
                association=name,
                township=township,
                year=result_year,
                label=result.label,
                message=result.message,
                due_on=result.due_on,
                overdue=result.outcome == rules.FAIL,
            )
            for result_year, result in results
            if _wanted(result, today)
        )
    items.sort(key=lambda i: (i.due_on or datetime.date.min, i.township, i.association, i.label))
    return items
