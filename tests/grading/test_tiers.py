from grading.messages import render
from grading.models import ComplianceStatus, Tier
from grading.tiers import ProgrammeCount, suggest_tier

THRESHOLDS = {"potential_min_activities": 1, "developing_min_activities": 3, "volunteer_team_min_size": 10}


def counts(n: int) -> list[ProgrammeCount]:
    return [ProgrammeCount("regular_services", "其他經常性服務", n)]


def test_abnormal_compliance_is_stagnant_whatever_the_programmes():
    suggestion = suggest_tier(status=ComplianceStatus.ABNORMAL, counts=counts(9), thresholds=THRESHOLDS)
    assert suggestion.tier == Tier.STAGNANT
    assert render(suggestion.reason) == "會務財務狀態異常。"


def test_normal_compliance_without_programmes_is_stagnant():
    suggestion = suggest_tier(status=ComplianceStatus.NORMAL, counts=counts(0), thresholds=THRESHOLDS)
    assert suggestion.tier == Tier.STAGNANT


def test_normal_compliance_with_a_few_programmes_is_potential():
    suggestion = suggest_tier(status=ComplianceStatus.NORMAL, counts=counts(2), thresholds=THRESHOLDS)
    assert suggestion.tier == Tier.POTENTIAL
    assert "未達發展型門檻 3" in render(suggestion.reason)


def test_normal_compliance_reaching_the_developing_threshold_is_developing():
    suggestion = suggest_tier(status=ComplianceStatus.NORMAL, counts=counts(3), thresholds=THRESHOLDS)
    assert suggestion.tier == Tier.DEVELOPING


def test_compliance_needing_guidance_is_at_most_potential():
    suggestion = suggest_tier(status=ComplianceStatus.GUIDANCE, counts=counts(9), thresholds=THRESHOLDS)
    assert suggestion.tier == Tier.POTENTIAL


def test_counts_from_every_provider_are_added_up():
    both = [*counts(1), ProgrammeCount("awards", "獲獎", 2)]
    assert (
        suggest_tier(status=ComplianceStatus.NORMAL, counts=both, thresholds=THRESHOLDS).tier
        == Tier.DEVELOPING
    )


def test_the_years_thresholds_decide_the_tier():
    stricter = {**THRESHOLDS, "developing_min_activities": 5}
    suggestion = suggest_tier(status=ComplianceStatus.NORMAL, counts=counts(4), thresholds=stricter)
    assert suggestion.tier == Tier.POTENTIAL


def test_the_trail_keeps_the_counts_and_thresholds_used():
    suggestion = suggest_tier(status=ComplianceStatus.NORMAL, counts=counts(2), thresholds=THRESHOLDS)
    trail = suggestion.trail(counts(2), THRESHOLDS)
    assert trail["thresholds"] == THRESHOLDS
    assert trail["counts"] == [{"code": "regular_services", "label": "其他經常性服務", "count": 2}]
