"""A read of grading's judgment for apps above it (subsidies' review, awards' entries): an association's
compliance status and tier for a year, and whether a general assembly was held. Reads the stored judgment;
never recomputes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grading.models import Assessment, ComplianceStatus
from grading.rules import FAIL


@dataclass(frozen=True)
class Standing:
    association_id: int
    year: int
    #: None when the year has not been judged yet.
    status: str | None
    status_label: str
    tier_label: str
    assembly_failed: bool

    @property
    def judged(self) -> bool:
        return self.status is not None

    @property
    def blocks_grant(self) -> bool:
        """Counties refuse grants to abnormal associations and to those that held no general assembly."""
        return self.status == ComplianceStatus.ABNORMAL or self.assembly_failed

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.status == ComplianceStatus.ABNORMAL:
            out.append(str(_("會務財務狀態異常")))
        if self.assembly_failed:
            out.append(str(_("未召開會員大會")))
        return out


def standings(*, association_ids: Iterable[int], year: int) -> dict[int, Standing]:
    """Every listed association's standing for the year, in one query; the unjudged get `status=None`."""
    ids = list(association_ids)
    found = {
        a.association_id: a for a in Assessment.objects.filter(association_id__in=ids, year=year).order_by()
    }
    return {pk: standing_of(pk, year, found.get(pk)) for pk in ids}


def standing_of(association_id: int, year: int, assessment: Assessment | None) -> Standing:
    """The standing an association's `assessment` of `year` gives (None: not judged), for a page that loaded
    the assessment with its own rows."""
    if assessment is None:
        return Standing(association_id, year, None, str(_("尚未清查")), str(_("尚未分級")), False)
    a = assessment
    assembly_failed = any(r.get("code") == "assembly_held" and r.get("outcome") == FAIL for r in a.rules)
    return Standing(
        association_id, year, a.status, a.get_status_display(), a.get_tier_display(), assembly_failed
    )


def standing(*, association_id: int, year: int) -> Standing:
    return standings(association_ids=[association_id], year=year)[association_id]
