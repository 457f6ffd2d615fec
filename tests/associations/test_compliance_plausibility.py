"""Plausibility checks on the facts a clerk records (issue 10, item 5): each refusal is shown under the
field it concerns, on the grid, the checklist and the officer form alike."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from associations.compliance.services import meeting_save
from associations.compliance.values import MeetingValues
from associations.models import Association, Meeting, Officer, YearlyFiling
from grading.models import Assessment, ComplianceStatus
from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.grading.factories import compliant_year

D = datetime.date
GRID = "/associations/compliance/112/"


def grid_post(client, association, **values):
    data = {"association": association.pk}
    data.update({f"a{association.pk}-{name}": value for name, value in values.items()})
    return client.post(GRID, data)


def checklist_post(client, association, **values):
    data = {"action": "filing"} | {f"filing-{name}": value for name, value in values.items()}
    return client.post(f"/associations/{association.pk}/compliance/112/", data)


def test_a_report_filed_before_the_year_ended_is_refused_under_its_cell(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    response = grid_post(zhunan_client, association, report_accounts_filed_on="112/03/28")
    assert response.context["rows"][0]["form"].errors["report_accounts_filed_on"] == [
        "工作報告及決算應於年度結束後送府，112/03/28 在112年度結束之前，請確認年度或日期。"
    ]
    assert not YearlyFiling.objects.exists()


def test_a_report_filed_on_the_first_day_after_the_year_is_accepted(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    grid_post(zhunan_client, association, report_accounts_filed_on="113/01/01")
    assert YearlyFiling.objects.get().report_accounts_filed_on == D(2024, 1, 1)


def test_a_plan_filed_after_the_year_ended_is_refused_on_the_checklist(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    response = checklist_post(zhunan_client, association, plan_budget_filed_on="113/01/05")
    assert "工作計畫及預算應於年度開始前送府" in str(
        response.context["forms"]["filing"].errors["plan_budget_filed_on"]
    )
    assert not YearlyFiling.objects.exists()


def test_a_plan_filed_late_during_the_year_is_accepted(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    checklist_post(zhunan_client, association, plan_budget_filed_on="112/02/05")
    assert YearlyFiling.objects.get().plan_budget_filed_on == D(2023, 2, 5)


def test_a_meeting_before_the_association_was_founded_is_refused(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan, founded_on=D(2023, 6, 1))
    response = grid_post(zhunan_client, association, board_dates="112/03/01")
    assert response.context["rows"][0]["form"].errors["board_dates"] == [
        "開會日期 112/03/01 早於協會成立日期 112/06/01。"
    ]
    assert not Meeting.objects.exists()


def test_a_meeting_after_the_association_was_dissolved_is_refused(zhunan):
    association = AssociationFactory(
        township=zhunan, status=Association.Status.DISSOLVED, dissolved_on=D(2023, 6, 30)
    )
    values = MeetingValues(kind="board", held_on=D(2023, 7, 1))
    with pytest.raises(ValidationError) as refused:
        meeting_save(association=association, values=values, actor=None)
    assert refused.value.message_dict["held_on"] == ["開會日期 112/07/01 晚於協會解散日期 112/06/30。"]
    assert not Meeting.objects.exists()


def test_a_meeting_on_the_day_of_dissolution_is_accepted(zhunan):
    association = AssociationFactory(
        township=zhunan, status=Association.Status.DISSOLVED, dissolved_on=D(2023, 6, 30)
    )
    meeting_save(
        association=association, values=MeetingValues(kind="board", held_on=D(2023, 6, 30)), actor=None
    )
    assert Meeting.objects.get().held_on == D(2023, 6, 30)


def test_a_new_chair_ends_the_current_chairs_term_the_day_before(zhunan_client, zhunan):
    current = OfficerFactory(
        association__township=zhunan, name="林志明", term_start=D(2022, 3, 1), term_end=None
    )
    data = {"position": Officer.Position.CHAIR, "name": "陳美玲", "term_start": "114/03/01"}
    response = zhunan_client.post(f"/associations/{current.association_id}/officers/new/", data, follow=True)
    current.refresh_from_db()
    assert current.term_end == D(2025, 2, 28)
    assert "「理事長 林志明」的任期已於 114/02/28 結束。" in response.content.decode()


def test_a_new_secretary_starting_before_the_current_one_is_refused(zhunan_client, zhunan):
    current = OfficerFactory(
        association__township=zhunan, position=Officer.Position.EXECUTIVE_SECRETARY, term_start=D(2024, 3, 1)
    )
    data = {"position": Officer.Position.EXECUTIVE_SECRETARY, "name": "陳美玲", "term_start": "112/03/01"}
    response = zhunan_client.post(f"/associations/{current.association_id}/officers/new/", data)
    assert "新任者的任期起日須在其後" in str(response.context["form"].errors["term_start"])
    assert Officer.objects.count() == 1


def test_a_second_director_leaves_the_first_in_office(zhunan_client, zhunan):
    current = OfficerFactory(association__township=zhunan, position=Officer.Position.DIRECTOR, term_end=None)
    data = {"position": Officer.Position.DIRECTOR, "name": "陳美玲", "term_start": "114/03/01"}
    zhunan_client.post(f"/associations/{current.association_id}/officers/new/", data)
    current.refresh_from_db()
    assert current.term_end is None


def test_a_former_chair_recorded_afterwards_ends_nobody(zhunan_client, zhunan):
    current = OfficerFactory(association__township=zhunan, term_start=None, term_end=None)
    data = {
        "position": Officer.Position.CHAIR,
        "name": "陳美玲",
        "term_start": "104/03/01",
        "term_end": "108/02/28",
    }
    zhunan_client.post(f"/associations/{current.association_id}/officers/new/", data)
    current.refresh_from_db()
    assert current.term_end is None


def test_an_assembly_without_quorum_does_not_put_the_association_under_guidance(zhunan):
    association = AssociationFactory(township=zhunan)
    compliant_year(association)
    values = MeetingValues(kind="general_assembly", held_on=D(2023, 8, 1), quorum_met=False, note="流會")
    meeting_save(association=association, values=values, actor=None)
    assert Assessment.objects.get(association=association, year=2023).status == ComplianceStatus.NORMAL
