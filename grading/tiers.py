"""The tier rule (docs/domain.md, "Tiering"): a pure function from a compliance status and countable programme
facts to a suggested tier, against the county's thresholds for the year.

No county publishes exact criteria, so the rule is deliberately simple and explainable: count the
programme activities every provider reports (care station, volunteer team, regular services, and later
closed-out grants and awards), then

* 停滯型 if compliance is abnormal or the count is below the potential threshold (no programme activity);
* 發展型 if compliance is normal and the count reaches the developing threshold;
* 潛力型 otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from grading.messages import Message, message
from grading.models import ComplianceStatus, Tier


@dataclass(frozen=True)
class ProgrammeCount:
    """One countable programme fact a provider reports for an association and year. Its label is stored as
    the untranslated sentence (marked with `gettext_noop`: the catalogue's msgid) with its parameters, and
    rendered in the reader's language when shown (`grading.messages.count_label`): the stored trail reads as
    Chinese, an English reader reads English."""

    code: str
    label: str
    count: int
    #: The label's `%(name)s` parameters: numbers, or a list of names (joined in the reader's language).
    params: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"code": self.code, "label": self.label, "count": self.count}
        if self.params:
            data["params"] = dict(self.params)
        return data


@dataclass(frozen=True)
class TierSuggestion:
    tier: Tier
    activities: int
    #: Why, as a message code with parameters (`grading.messages`), rendered when shown.
    reason: Message

    def trail(self, counts: Sequence[ProgrammeCount], thresholds: Mapping[str, int]) -> dict[str, object]:
        return {
            "tier": str(self.tier),
            "activities": self.activities,
            "counts": [count.to_json() for count in counts],
            "thresholds": dict(thresholds),
            "reason": self.reason,
        }


def suggest_tier(
    *, status: str, counts: Sequence[ProgrammeCount], thresholds: Mapping[str, int]
) -> TierSuggestion:
    total = sum(max(0, count.count) for count in counts)
    potential_min = thresholds["potential_min_activities"]
    developing_min = thresholds["developing_min_activities"]
    if status == ComplianceStatus.ABNORMAL:
        return TierSuggestion(Tier.STAGNANT, total, message("tier_abnormal"))
    if total < potential_min:
        return TierSuggestion(
            Tier.STAGNANT, total, message("tier_no_programme", total=total, min=potential_min)
        )
    if status == ComplianceStatus.NORMAL and total >= developing_min:
        return TierSuggestion(
            Tier.DEVELOPING, total, message("tier_developing", total=total, min=developing_min)
        )
    if status != ComplianceStatus.NORMAL:
        return TierSuggestion(Tier.POTENTIAL, total, message("tier_guidance", total=total))
    return TierSuggestion(Tier.POTENTIAL, total, message("tier_potential", total=total, min=developing_min))
