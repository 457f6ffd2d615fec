"""`grading` as the judge `associations` asks (see `associations.compliance.hooks`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.compliance.hooks import Judgement, RuleLine
from core.dates import format_roc_year
from grading import duties
from grading.messages import render, rule_label
from grading.models import Assessment, ComplianceStatus, Tier, TierRegister
from grading.services import assessments_refresh


class GradingJudge:
    def facts_changed(self, *, association_ids: Sequence[int], year: int, actor: object) -> list[str]:
        # The to-do list follows the facts whatever the register's state (a finalised year's register is
        # frozen; what is still to do is not). The year's facts make only the year's duties (and the term):
        # written with the judgment, from the facts it read.
        if year > timezone.localdate().year + 1:
            duties.refresh(associations=association_ids, years=[year])
            return []  # no register for a year past next year (a mistyped year judges nothing)
        result = assessments_refresh(
            association_ids=association_ids, year=year, actor=actor, with_duties=True
        )
        if result.skipped_finalised:
            return [_("%(year)s的分級清冊已定案，未重新計算狀態與分級。") % {"year": format_roc_year(year)}]
        return []

    def associations_changed(self, *, association_ids: Sequence[int]) -> None:
        # A roster import of thousands of new associations would spend most of its transaction writing
        # their duties (a dozen each): so many are written by the task worker once the import is committed
        # (queued in its transaction: a rolled-back import queues nothing).
        if len(association_ids) >= settings.RECOMPUTE_BACKGROUND_ASSOCIATIONS:
            from grading.tasks import refresh_duties

            refresh_duties.enqueue(list(association_ids))
            return
        duties.refresh(associations=association_ids)

    def judgements(
        self, *, association_ids: Sequence[int], year: int, with_rules: bool = True
    ) -> dict[int, Judgement]:
        # Whether the county's register of the year is final, as a column of the same query.
        finalised = TierRegister.objects.filter(
            year=year,
            state=TierRegister.State.FINALISED,
            county_id=OuterRef("association__township__county_id"),
        )
        assessments = (
            Assessment.objects.filter(association_id__in=list(association_ids), year=year)
            .with_tier()
            .annotate(register_finalised=Exists(finalised))
        )
        # The rules (a JSON list a row) are read and worded only when asked for.
        rules_column = "rules" if with_rules else "register_finalised"
        rows = assessments.values_list(
            "association_id", "status", "tier_in_force", rules_column, "register_finalised"
        )
        return {
            association_id: Judgement(
                status=status,
                status_label=str(ComplianceStatus(status).label),
                tier_label=str(Tier(tier).label),
                url=reverse("grading:assessment", args=[year, association_id]),
                rules=[
                    RuleLine(
                        outcome=rule["outcome"],
                        label=rule_label(rule["code"]),
                        message=render(rule.get("message")),
                    )
                    for rule in rules
                ]
                if with_rules
                else [],
                finalised=register_finalised,
            )
            for association_id, status, tier, rules, register_finalised in rows
        }
