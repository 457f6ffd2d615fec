import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from associations.models import Association
from grading.models import Assessment, ComplianceStatus, Tier, TierChange, TierRegister, TierThresholds
from grading.services import (
    GradingError,
    assessment_override,
    assessment_override_clear,
    assessments_recompute,
    register_finalise,
    register_reopen,
    thresholds_update,
)
from tests.associations.factories import AssociationFactory, CountyFactory
from tests.grading.factories import AssessmentFactory, ProgrammeProfileFactory, compliant_year

D = datetime.date
AS_OF = D(2024, 6, 30)


def recompute(actor, **kwargs):
    return assessments_recompute(year=2023, actor=actor, as_of=AS_OF, **kwargs)


def test_recompute_stores_a_status_and_tier_for_each_active_association(county_officer, zhunan):
    compliant = AssociationFactory(township=zhunan)
    compliant_year(compliant)
    ProgrammeProfileFactory(association=compliant, regular_services="共餐\n課輔")
    AssociationFactory(township=zhunan, status=Association.Status.DISSOLVED)
    recompute(county_officer)
    assessment = Assessment.objects.get()
    assert (assessment.association, assessment.status) == (compliant, ComplianceStatus.NORMAL)
    assert assessment.suggested_tier == Tier.DEVELOPING


def test_recompute_stores_the_failed_rules_in_plain_chinese(county_officer, zhunan):
    AssociationFactory(township=zhunan)
    recompute(county_officer)
    assessment = Assessment.objects.get()
    assert assessment.status == ComplianceStatus.ABNORMAL
    assert "112年度未召開會員大會（期限 112/12/31）。" in [r["message"] for r in assessment.failed_rules()]


def test_recompute_stores_rule_explanations_as_codes_in_no_language(county_officer, zhunan):
    AssociationFactory(township=zhunan)
    with translation.override("en"):
        recompute(county_officer)
    assessment = Assessment.objects.get()
    assembly = next(rule for rule in assessment.rules if rule["code"] == "assembly_held")
    assert assembly["message"] == {"code": "assembly_missed", "params": {"year": 2023, "due": "2023-12-31"}}
    assert "label" not in assembly
    assert assessment.tier_trail["reason"] == {"code": "tier_abnormal", "params": {}}


def test_recompute_keeps_the_history_reason_in_chinese_whatever_language_the_officer_chose(
    county_officer, zhunan
):
    AssociationFactory(township=zhunan)
    with translation.override("en"):
        recompute(county_officer)
    change = TierChange.objects.get(association__isnull=False)
    assert change.reason == "會務財務狀態異常。"
    assert change.reason_message == {"code": "tier_abnormal", "params": {}}


def test_an_english_reader_reads_the_stored_judgment_in_english(county_officer, zhunan):
    AssociationFactory(township=zhunan)
    recompute(county_officer)
    assessment = Assessment.objects.get()
    change = TierChange.objects.get(association__isnull=False)
    with translation.override("en"):
        messages = [rule["message"] for rule in assessment.failed_rules()]
        assert "No general assembly held in ROC 112 (due 112/12/31)." in messages
        assert assessment.tier_reason() == "Compliance status is non-compliant."
        assert change.reason_text() == "Compliance status is non-compliant."


def test_recompute_runs_the_same_number_of_queries_for_many_associations(
    county_officer, zhunan, django_assert_max_num_queries
):
    recompute(county_officer)  # creates the year's register and thresholds
    for _ in range(3):
        compliant_year(AssociationFactory(township=zhunan))
    # 16 for the judgment, 8 for rewriting the county's to-do duties (grading.duties.refresh).
    with django_assert_max_num_queries(24) as few:
        recompute(county_officer)
    for _ in range(30):
        compliant_year(AssociationFactory(township=zhunan))
    with django_assert_max_num_queries(len(few.captured_queries)):
        recompute(county_officer)
    assert Assessment.objects.count() == 33


def test_recompute_records_a_history_entry_when_the_suggested_tier_changes(county_officer, zhunan):
    association = AssociationFactory(township=zhunan)
    recompute(county_officer)
    compliant_year(association)
    ProgrammeProfileFactory(association=association)
    recompute(county_officer)
    change = TierChange.objects.filter(kind=TierChange.Kind.SUGGESTED).first()
    assert (change.from_tier, change.to_tier, change.changed_by) == (
        Tier.STAGNANT,
        Tier.POTENTIAL,
        county_officer,
    )


def test_recompute_without_changes_writes_no_history(county_officer, zhunan):
    AssociationFactory(township=zhunan)
    recompute(county_officer)
    result = recompute(county_officer)
    assert (result.unchanged, result.updated) == (1, 0)
    assert TierChange.objects.count() == 1


def test_recompute_keeps_an_officers_override(county_officer, zhunan):
    assessment = AssessmentFactory(association__township=zhunan, suggested_tier=Tier.POTENTIAL)
    assessment_override(
        assessment=assessment, tier=Tier.DEVELOPING, reason="獲金卓越獎", actor=county_officer
    )
    recompute(county_officer)
    assessment.refresh_from_db()
    assert (assessment.suggested_tier, assessment.tier) == (Tier.STAGNANT, Tier.DEVELOPING)


def test_township_staff_may_not_recompute_the_county(zhunan_clerk):
    with pytest.raises(PermissionDenied):
        recompute(zhunan_clerk)


def test_recompute_is_refused_once_the_register_is_finalised(county_officer, zhunan):
    AssociationFactory(township=zhunan)
    recompute(county_officer)
    register_finalise(year=2023, actor=county_officer)
    with pytest.raises(GradingError, match="已定案"):
        recompute(county_officer)


# --- overrides -------------------------------------------------------------------------------------------


def test_override_sets_the_tier_in_force_and_records_who_and_why(county_officer, zhunan):
    assessment = AssessmentFactory(association__township=zhunan, suggested_tier=Tier.STAGNANT)
    assessment_override(assessment=assessment, tier=Tier.POTENTIAL, reason="已完成改選", actor=county_officer)
    change = TierChange.objects.get(kind=TierChange.Kind.OVERRIDDEN)
    assert Assessment.objects.with_tier().get().tier_in_force == Tier.POTENTIAL
    assert (change.from_tier, change.to_tier, change.reason) == (Tier.STAGNANT, Tier.POTENTIAL, "已完成改選")
    assert change.changed_by == county_officer


def test_override_without_a_reason_is_refused(county_officer, zhunan):
    assessment = AssessmentFactory(association__township=zhunan)
    with pytest.raises(GradingError, match="請填寫理由"):
        assessment_override(assessment=assessment, tier=Tier.DEVELOPING, reason="  ", actor=county_officer)
    assert Assessment.objects.get().override_tier is None


def test_township_staff_may_not_override_a_tier(zhunan_clerk, zhunan):
    assessment = AssessmentFactory(association__township=zhunan)
    with pytest.raises(PermissionDenied):
        assessment_override(assessment=assessment, tier=Tier.DEVELOPING, reason="理由", actor=zhunan_clerk)


def test_override_to_the_tier_already_in_force_is_refused(county_officer, zhunan):
    assessment = AssessmentFactory(association__township=zhunan, suggested_tier=Tier.POTENTIAL)
    with pytest.raises(GradingError, match="不需調整"):
        assessment_override(assessment=assessment, tier=Tier.POTENTIAL, reason="理由", actor=county_officer)


def test_clearing_an_override_restores_the_suggested_tier_with_history(county_officer, zhunan):
    assessment = AssessmentFactory(association__township=zhunan, suggested_tier=Tier.STAGNANT)
    assessment = assessment_override(
        assessment=assessment, tier=Tier.POTENTIAL, reason="甲", actor=county_officer
    )
    assessment_override_clear(assessment=assessment, reason="誤植", actor=county_officer)
    assert Assessment.objects.get().tier == Tier.STAGNANT
    assert TierChange.objects.get(kind=TierChange.Kind.OVERRIDE_CLEARED).to_tier == Tier.STAGNANT


# --- thresholds ------------------------------------------------------------------------------------------


def test_changing_thresholds_recomputes_suggestions_and_records_the_change(county_officer, zhunan):
    association = AssociationFactory(township=zhunan)
    compliant_year(association)
    ProgrammeProfileFactory(association=association, volunteer_team=False, volunteer_count=None)
    assessments_recompute(year=2023, actor=county_officer, as_of=AS_OF)
    assert Assessment.objects.get().suggested_tier == Tier.POTENTIAL
    thresholds_update(
        year=2023,
        actor=county_officer,
        potential_min_activities=2,
        developing_min_activities=3,
        volunteer_team_min_size=10,
    )
    assert Assessment.objects.get().suggested_tier == Tier.STAGNANT
    assert "潛力型至少應有的方案數：1 → 2" in TierChange.objects.get(kind=TierChange.Kind.THRESHOLDS).reason


def test_a_new_years_thresholds_start_from_the_previous_years(county_officer):
    TierThresholds.objects.create(
        county=CountyFactory(), year=2022, potential_min_activities=2, developing_min_activities=4
    )
    thresholds_update(
        year=2023,
        actor=county_officer,
        potential_min_activities=2,
        developing_min_activities=4,
        volunteer_team_min_size=10,
    )
    assert TierChange.objects.filter(kind=TierChange.Kind.THRESHOLDS).count() == 0


def test_developing_threshold_below_potential_is_refused(county_officer):
    with pytest.raises(GradingError, match="不可低於潛力型"):
        thresholds_update(
            year=2023,
            actor=county_officer,
            potential_min_activities=3,
            developing_min_activities=2,
            volunteer_team_min_size=10,
        )
    assert not TierThresholds.objects.filter(potential_min_activities=3).exists()


# --- finalising ------------------------------------------------------------------------------------------


def test_finalising_makes_the_register_read_only(county_officer, zhunan):
    assessment = AssessmentFactory(association__township=zhunan)
    register_finalise(year=2023, actor=county_officer)
    assert TierRegister.objects.get(year=2023).is_finalised
    with pytest.raises(GradingError, match="已定案"):
        assessment_override(assessment=assessment, tier=Tier.DEVELOPING, reason="理由", actor=county_officer)


def test_finalising_records_each_associations_tier_in_the_history(county_officer, zhunan):
    AssessmentFactory(association__township=zhunan, suggested_tier=Tier.DEVELOPING)
    register_finalise(year=2023, actor=county_officer)
    entry = TierChange.objects.get(kind=TierChange.Kind.FINALISED, association__isnull=False)
    assert (entry.to_tier, entry.changed_by) == (Tier.DEVELOPING, county_officer)


def test_finalising_is_refused_while_an_association_has_no_tier(county_officer, zhunan):
    AssessmentFactory(association__township=zhunan)
    AssociationFactory(township=zhunan)
    with pytest.raises(GradingError, match="尚有 1 個協會未計算"):
        register_finalise(year=2023, actor=county_officer)
    assert not TierRegister.objects.filter(state=TierRegister.State.FINALISED).exists()


def test_township_staff_may_not_finalise(zhunan_clerk, zhunan):
    AssessmentFactory(association__township=zhunan)
    with pytest.raises(PermissionDenied):
        register_finalise(year=2023, actor=zhunan_clerk)


def test_only_an_administrator_may_reopen_a_finalised_register_with_a_reason(
    county_officer, administrator, zhunan
):
    AssessmentFactory(association__township=zhunan)
    register_finalise(year=2023, actor=county_officer)
    with pytest.raises(PermissionDenied):
        register_reopen(year=2023, reason="更正", actor=county_officer)
    register_reopen(year=2023, reason="更正誤植資料", actor=administrator)
    assert TierRegister.objects.get(year=2023).state == TierRegister.State.OPEN
    assert TierChange.objects.get(kind=TierChange.Kind.REOPENED).reason == "更正誤植資料"
