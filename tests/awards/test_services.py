"""The award's writes: role and state checks, conflicts, score sheets, criteria versions, publication."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from awards import services
from awards.models import AwardEvent, AwardResult, AwardRound, Conflict, Criterion, Entry, ScoreSheet
from core.roles import Role
from grading.models import ComplianceStatus
from tests.associations.factories import AssociationFactory, OfficerFactory, StaffFactory
from tests.awards.factories import GroupFactory, LevelFactory, points
from tests.grading.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup_round(award_round):
    award_round.state = AwardRound.State.SETUP
    award_round.save()
    return award_round


def test_a_judge_saves_a_draft_then_submits(assigned_judge, zhunan_entry, criteria):
    services.sheet_save(actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, ""))
    sheet = services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 31, 50), submit=True
    )

    assert sheet.state == ScoreSheet.State.SUBMITTED
    assert sorted(sheet.scores.values_list("points", flat=True)) == [Decimal(31), Decimal(50)]


def test_a_sheet_cannot_be_submitted_with_a_criterion_unscored(assigned_judge, zhunan_entry, criteria):
    with pytest.raises(services.AwardError, match="活動"):
        services.sheet_save(
            actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, ""), submit=True
        )

    assert not ScoreSheet.objects.filter(state=ScoreSheet.State.SUBMITTED).exists()


def test_a_score_over_the_maximum_is_refused(assigned_judge, zhunan_entry, criteria):
    with pytest.raises(services.AwardError, match="0 到 40"):
        services.sheet_save(actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 41, 10))


def test_a_submitted_sheet_is_locked_for_the_judge(assigned_judge, zhunan_entry, criteria):
    services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )

    with pytest.raises(services.AwardError, match="已送出"):
        services.sheet_save(actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 35, 50))


def test_a_judge_not_assigned_cannot_score(judge, zhunan_entry, criteria):
    with pytest.raises(PermissionDenied):
        services.sheet_save(actor=judge, entry=zhunan_entry, points=points(criteria, 30, 50))


def test_a_conflicted_judge_cannot_score_the_entry(assigned_judge, zhunan_entry, criteria):
    services.conflict_declare(actor=assigned_judge, entry=zhunan_entry, judge=assigned_judge, detail="親屬")

    with pytest.raises(PermissionDenied):
        services.sheet_save(actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50))


def test_a_county_change_of_a_submitted_score_needs_a_reason_and_is_kept(
    county_officer, assigned_judge, zhunan_entry, criteria
):
    sheet = services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )
    with pytest.raises(services.AwardError):
        services.score_change(actor=county_officer, sheet=sheet, points=points(criteria, 32, 50), reason=" ")

    services.score_change(
        actor=county_officer, sheet=sheet, points=points(criteria, 32, 50), reason="筆誤更正"
    )

    event = AwardEvent.objects.get(kind=AwardEvent.Kind.SCORE_CHANGED)
    assert (event.reason, event.detail["changes"]) == ("筆誤更正", {str(criteria[0].pk): ["30.0", "32"]})
    assert sheet.scores.get(criterion=criteria[0]).points == Decimal(32)


def test_a_judge_cannot_change_a_submitted_score_as_the_county_does(assigned_judge, zhunan_entry, criteria):
    sheet = services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )

    with pytest.raises(PermissionDenied):
        services.score_change(actor=assigned_judge, sheet=sheet, points=points(criteria, 40, 50), reason="改")


def test_a_criterion_changed_after_scoring_started_gets_a_new_version_and_keeps_scores(
    county_officer, assigned_judge, zhunan_entry, criteria
):
    sheet = services.sheet_save(
        actor=assigned_judge, entry=zhunan_entry, points=points(criteria, 30, 50), submit=True
    )

    revised = services.criterion_revise(
        actor=county_officer, criterion=criteria[0], name="會務與財務", max_points=Decimal(45)
    )

    assert (revised.version, revised.position, revised.max_points) == (2, 1, Decimal(45))
    assert Criterion.objects.get(pk=criteria[0].pk).superseded_at is not None
    assert sheet.scores.get(criterion=criteria[0]).points == Decimal(30)


def test_a_criterion_is_edited_in_place_before_scoring(county_officer, setup_round, criteria):
    revised = services.criterion_revise(
        actor=county_officer, criterion=criteria[0], name="會務", max_points=Decimal(30)
    )

    assert (revised.pk, revised.version, revised.max_points) == (criteria[0].pk, 1, Decimal(30))


def test_starting_scoring_freezes_the_round(county_officer, setup_round):
    services.round_start_scoring(actor=county_officer, award_round=setup_round)

    setup_round.refresh_from_db()
    assert setup_round.state == AwardRound.State.SCORING
    assert setup_round.criteria_frozen


def test_a_judge_whose_name_is_an_officers_is_found_conflicted(county_officer, award_round, zhunan_entry):
    judge = StaffFactory(username="lin", role=Role.JUDGE, last_name="林", first_name="美玲")
    OfficerFactory(association=zhunan_entry.association, name="林美玲")

    services.judge_assign(actor=county_officer, award_round=award_round, judge=judge)

    assert Conflict.objects.get(judge=judge).source == Conflict.Source.OFFICER


def test_a_judge_who_is_staff_of_the_entrys_township_is_found_conflicted(
    county_officer, award_round, zhunan, zhunan_entry
):
    StaffFactory(
        username="clerk-chen", role=Role.TOWNSHIP, township=zhunan, last_name="陳", first_name="志明"
    )
    judge = StaffFactory(username="chen", role=Role.JUDGE, last_name="陳", first_name="志明")

    services.judge_assign(actor=county_officer, award_round=award_round, judge=judge)

    assert list(Conflict.objects.values_list("entry_id", "source")) == [
        (zhunan_entry.pk, Conflict.Source.STAFF)
    ]


def test_only_a_county_officer_clears_a_conflict_with_a_reason(county_officer, assigned_judge, zhunan_entry):
    conflict = services.conflict_declare(actor=assigned_judge, entry=zhunan_entry, judge=assigned_judge)
    with pytest.raises(PermissionDenied):
        services.conflict_clear(actor=assigned_judge, conflict=conflict, reason="沒有關係")
    with pytest.raises(services.AwardError):
        services.conflict_clear(actor=county_officer, conflict=conflict, reason="")

    services.conflict_clear(actor=county_officer, conflict=conflict, reason="已卸任十年")

    conflict.refresh_from_db()
    assert (conflict.cleared_by, conflict.clear_reason) == (county_officer, "已卸任十年")


def test_a_township_nominates_an_eligible_association_of_its_own(zhunan_clerk, setup_round, group, zhunan):
    association = AssociationFactory(township=zhunan)
    AssessmentFactory(association=association, year=2025, status=ComplianceStatus.NORMAL)

    entry = services.entry_nominate(actor=zhunan_clerk, group=group, association=association)

    assert entry.state == Entry.State.NOMINATED


def test_an_association_with_an_abnormal_status_is_not_eligible(zhunan_clerk, setup_round, group, zhunan):
    association = AssociationFactory(township=zhunan)
    AssessmentFactory(association=association, year=2025, status=ComplianceStatus.ABNORMAL)

    with pytest.raises(services.AwardError, match="異常"):
        services.entry_nominate(actor=zhunan_clerk, group=group, association=association)


def test_a_township_cannot_nominate_another_townships_association(zhunan_clerk, setup_round, group, toufen):
    association = AssociationFactory(township=toufen)
    AssessmentFactory(association=association, year=2025)

    with pytest.raises(PermissionDenied):
        services.entry_nominate(actor=zhunan_clerk, group=group, association=association)


def test_the_excellence_group_needs_an_earlier_first_or_second_level(zhunan_clerk, setup_round, zhunan):
    excellence = GroupFactory(
        round=setup_round, name="卓越組", kind="excellence", requires_levels="優等、甲等"
    )
    association = AssociationFactory(township=zhunan)
    AssessmentFactory(association=association, year=2025)

    with pytest.raises(services.AwardError, match="優等、甲等"):
        services.entry_nominate(actor=zhunan_clerk, group=excellence, association=association)


def test_a_township_office_enters_itself_in_the_township_evaluation(zhunan_clerk, setup_round, zhunan):
    offices = GroupFactory(round=setup_round, name="公所評鑑", kind="township")

    entry = services.entry_nominate(actor=zhunan_clerk, group=offices)

    assert (entry.township, entry.association, entry.display_name) == (zhunan, None, "竹南鎮公所")


def test_publishing_writes_the_award_history(
    county_officer, assigned_judge, second_judge, zhunan_entry, toufen_entry, criteria
):
    LevelFactory(group=zhunan_entry.group, name="優等", rank=1, min_score=Decimal(80))
    for judge, zhunan_points, toufen_points in (
        (assigned_judge, (35, 55), (30, 40)),
        (second_judge, (33, 51), (28, 44)),
    ):
        services.sheet_save(
            actor=judge, entry=zhunan_entry, points=points(criteria, *zhunan_points), submit=True
        )
        services.sheet_save(
            actor=judge, entry=toufen_entry, points=points(criteria, *toufen_points), submit=True
        )

    services.round_publish(actor=county_officer, award_round=zhunan_entry.round)

    # 竹南: (90 + 84) / 2 = 87 -> 優等; 頭份: (70 + 72) / 2 = 71
    rows = list(
        AwardResult.objects.order_by("rank").values_list("association__name", "rank", "score", "level")
    )
    assert rows == [
        ("竹南社區發展協會", 1, Decimal("87.00"), "優等"),
        ("頭份社區發展協會", 2, Decimal("71.00"), ""),
    ]
    assert AwardRound.objects.get().state == AwardRound.State.PUBLISHED
