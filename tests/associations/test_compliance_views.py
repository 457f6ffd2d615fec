"""The yearly checklist of one association and the township grid where clerks record a year."""

import datetime
import re

import pytest

from associations.compliance import services
from associations.compliance.forms import YearRowForm
from associations.models import Election, Meeting, ProgrammeProfile, YearlyFiling
from core.concurrency import version_of
from grading.models import Assessment, ComplianceStatus
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ElectionFactory, MeetingFactory, compliant_year

D = datetime.date


def checklist_url(association, year=2023):
    return f"/associations/{association.pk}/compliance/{year - 1911}/"


def grid_url(year=2023, township=None):
    return f"/associations/compliance/{year - 1911}/" + (f"?township={township.pk}" if township else "")


# --- checklist -------------------------------------------------------------------------------------------


def test_clerk_sees_the_checklist_of_an_association_of_their_township(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan, name="竹南社區發展協會")
    MeetingFactory(association=association, held_on=D(2023, 5, 20))
    response = zhunan_client.get(checklist_url(association))
    assert response.status_code == 200
    assert "112/05/20" in response.content.decode()


def test_association_page_leads_to_this_years_checklist(zhunan_client, zhunan, frozen_today):
    association = AssociationFactory(township=zhunan)
    page = zhunan_client.get(association.get_absolute_url()).content.decode()
    assert f'href="{checklist_url(association, 2026)}"' in page


def test_clerk_of_another_township_gets_404_for_the_checklist(toufen_client, zhunan):
    association = AssociationFactory(township=zhunan)
    assert toufen_client.get(checklist_url(association)).status_code == 404


def test_anonymous_visitor_is_sent_to_login_from_the_checklist(anonymous_client, zhunan):
    response = anonymous_client.get(checklist_url(AssociationFactory(township=zhunan)))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_judge_is_refused_the_checklist(judge_client, zhunan):
    assert judge_client.get(checklist_url(AssociationFactory(township=zhunan))).status_code == 403


def test_recording_a_meeting_updates_the_status_at_once(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    compliant_year(association)
    Meeting.objects.filter(kind=Meeting.Kind.GENERAL_ASSEMBLY).delete()
    data = {
        "action": "meeting",
        "meeting-kind": "general_assembly",
        "meeting-held_on": "112/06/01",
        "meeting-quorum_met": "on",
        "meeting-minutes_filed_on": "112/06/10",
    }
    response = zhunan_client.post(checklist_url(association), data, follow=True)
    assert Assessment.objects.get(association=association, year=2023).status == ComplianceStatus.NORMAL
    assert "正常" in response.content.decode()


def test_meeting_outside_the_year_is_refused_with_a_message(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    data = {
        "action": "meeting",
        "meeting-kind": "board",
        "meeting-held_on": "113/01/05",
        "meeting-quorum_met": "on",
    }
    response = zhunan_client.post(checklist_url(association), data)
    assert "113/01/05 不在112年度內。" in response.content.decode()
    assert not Meeting.objects.exists()


def test_minutes_filed_before_the_meeting_are_refused(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    data = {
        "action": "meeting",
        "meeting-kind": "board",
        "meeting-held_on": "112/03/05",
        "meeting-minutes_filed_on": "112/03/01",
    }
    response = zhunan_client.post(checklist_url(association), data)
    assert "會議紀錄送府日期不可早於開會日期。" in response.content.decode()
    assert not Meeting.objects.exists()


def test_clerk_records_the_years_filings(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    data = {
        "action": "filing",
        "filing-plan_budget_filed_on": "111/12/31",
        "filing-report_accounts_filed_on": "1130331",
    }
    zhunan_client.post(checklist_url(association), data)
    filing = YearlyFiling.objects.get(association=association, year=2023)
    assert (filing.plan_budget_filed_on, filing.report_accounts_filed_on) == (D(2022, 12, 31), D(2024, 3, 31))


def test_a_term_number_recorded_twice_is_refused(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    ElectionFactory(association=association, term_number=8)
    data = {"action": "election", "election-term_number": "8", "election-term_ends_on": "115/02/28"}
    response = zhunan_client.post(checklist_url(association), data)
    assert "第 8 屆的改選已登錄過。" in response.content.decode()
    assert Election.objects.count() == 1


def test_programme_facts_set_the_associations_care_station(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan, runs_care_station=False)
    data = {
        "action": "programme",
        "programme-runs_care_station": "on",
        "programme-care_station_since": "105/03/01",
        "programme-regular_services": "老人共餐",
    }
    zhunan_client.post(checklist_url(association), data)
    association.refresh_from_db()
    assert association.runs_care_station
    assert association.programme.service_list() == ["老人共餐"]


def test_board_meeting_interval_can_be_set_per_association(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    zhunan_client.post(
        checklist_url(association), {"action": "interval", "interval-board_meeting_interval_months": "3"}
    )
    association.refresh_from_db()
    assert association.board_meeting_interval_months == 3


def test_clerk_of_another_township_cannot_post_to_the_checklist(toufen_client, zhunan):
    association = AssociationFactory(township=zhunan)
    data = {"action": "interval", "interval-board_meeting_interval_months": "3"}
    assert toufen_client.post(checklist_url(association), data).status_code == 404


#: A valid post for each checklist action: each saves when the association's own clerk sends it.
CHECKLIST_POSTS = {
    "meeting": {"meeting-kind": "board", "meeting-held_on": "112/03/05", "meeting-quorum_met": "on"},
    "filing": {"filing-plan_budget_filed_on": "111/12/31", "filing-report_accounts_filed_on": "113/03/31"},
    "election": {"election-term_number": "9", "election-term_ends_on": "115/02/28"},
    "programme": {
        "programme-runs_care_station": "on",
        "programme-care_station_since": "105/03/01",
        "programme-regular_services": "老人共餐",
    },
    "interval": {"interval-board_meeting_interval_months": "3"},
}


def checklist_facts(association):
    association.refresh_from_db()
    return (
        Meeting.objects.count(),
        YearlyFiling.objects.count(),
        Election.objects.count(),
        ProgrammeProfile.objects.count(),
        Assessment.objects.count(),
        association.runs_care_station,
        association.board_meeting_interval_months,
    )


@pytest.mark.parametrize("action", list(CHECKLIST_POSTS))
def test_clerk_of_another_township_posting_a_checklist_action_gets_404_and_nothing_is_saved(
    toufen_client, zhunan_client, zhunan, action
):
    association = AssociationFactory(township=zhunan)
    data = {"action": action, **CHECKLIST_POSTS[action]}
    before = checklist_facts(association)
    assert toufen_client.post(checklist_url(association), data).status_code == 404
    assert checklist_facts(association) == before
    # The same post from 竹南 itself does save: the refusal above is the township scoping, not a bad form.
    assert zhunan_client.post(checklist_url(association), data).status_code == 302
    assert checklist_facts(association) != before


def test_clerk_of_another_township_gets_404_editing_or_deleting_a_meeting(toufen_client, zhunan):
    meeting = MeetingFactory(association__township=zhunan)
    assert toufen_client.get(f"/associations/meetings/{meeting.pk}/edit/").status_code == 404
    assert toufen_client.post(f"/associations/meetings/{meeting.pk}/delete/").status_code == 404
    assert Meeting.objects.count() == 1


def test_clerk_of_another_township_posting_a_meeting_edit_gets_404_and_the_meeting_stays(
    toufen_client, zhunan
):
    meeting = MeetingFactory(association__township=zhunan, kind="board", held_on=D(2023, 3, 5))
    before = Meeting.objects.values().get(pk=meeting.pk)
    data = {"kind": "supervisory", "held_on": "112/04/05", "quorum_met": "", "minutes_filed_on": "112/04/20"}
    assert toufen_client.post(f"/associations/meetings/{meeting.pk}/edit/", data).status_code == 404
    assert Meeting.objects.values().get(pk=meeting.pk) == before
    assert not Assessment.objects.exists()


def test_clerk_edits_a_meetings_minutes_date(zhunan_client, zhunan):
    meeting = MeetingFactory(association__township=zhunan, kind="board", held_on=D(2023, 3, 5))
    data = {"kind": "board", "held_on": "112/03/05", "quorum_met": "on", "minutes_filed_on": "112/03/20"}
    response = zhunan_client.post(f"/associations/meetings/{meeting.pk}/edit/", data)
    meeting.refresh_from_db()
    assert response.status_code == 302
    assert meeting.minutes_filed_on == D(2023, 3, 20)


def test_clerk_deletes_an_election_of_their_township(zhunan_client, zhunan):
    election = ElectionFactory(association__township=zhunan)
    zhunan_client.post(f"/associations/elections/{election.pk}/delete/", {"year": "112"})
    assert not Election.objects.exists()


def test_checklist_of_an_impossible_year_is_not_found(zhunan_client, zhunan):
    assert zhunan_client.get(checklist_url(AssociationFactory(township=zhunan), year=3000)).status_code == 404


# --- the township grid -----------------------------------------------------------------------------------


def test_clerk_sees_only_their_townships_associations_in_the_grid(zhunan_client, zhunan, toufen):
    AssociationFactory(township=zhunan, name="竹南社區發展協會")
    AssociationFactory(township=toufen, name="頭份社區發展協會")
    content = zhunan_client.get(grid_url()).content.decode()
    assert "竹南社區發展協會" in content
    assert "頭份社區發展協會" not in content


def test_clerk_asking_for_another_townships_grid_gets_404(toufen_client, zhunan, toufen):
    AssociationFactory(township=zhunan)
    assert toufen_client.get(grid_url(township=zhunan)).status_code == 404


def test_county_officer_chooses_the_township_of_the_grid(county_client, zhunan, toufen):
    AssociationFactory(township=toufen, name="頭份社區發展協會")
    assert "頭份社區發展協會" in county_client.get(grid_url(township=toufen)).content.decode()


def test_grids_township_selector_offers_a_clerk_only_their_township(zhunan_client, zhunan, toufen):
    AssociationFactory(township=zhunan)
    response = zhunan_client.get(grid_url())
    assert response.context["townships"] == [zhunan]
    content = response.content.decode()
    assert '<select name="township">' not in content
    assert "頭份市" not in content


def test_anonymous_visitor_is_sent_to_login_from_the_grid(anonymous_client):
    assert anonymous_client.get(grid_url()).status_code == 302


def row(association, **values):
    data = {"association": association.pk}
    data.update({f"a{association.pk}-{name}": value for name, value in values.items()})
    return data


def test_saving_a_grid_row_records_the_year_and_shows_the_status(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    data = row(
        association,
        assembly_dates="112/05/20",
        assembly_minutes_filed_on="112/06/01",
        board_dates="112/03/01、112/08/01",
        supervisory_dates="112/03/01,112/08/01",
        plan_budget_filed_on="111/12/20",
        report_accounts_filed_on="113/03/31",
        term_ends_on="115/02/28",
    )
    response = zhunan_client.post(grid_url(), data, follow=True)
    assert Meeting.objects.filter(association=association).count() == 5
    assert Assessment.objects.get(association=association).status == ComplianceStatus.NORMAL
    assert "已儲存" in response.content.decode()


def test_a_bad_date_in_a_grid_row_is_shown_on_that_row_and_nothing_is_saved(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    data = row(association, assembly_dates="112/05/20", board_dates="112/13/01")
    response = zhunan_client.post(grid_url(), data)
    assert "日期不存在：112/13/01" in response.content.decode()
    assert not Meeting.objects.exists()


def test_clerk_cannot_save_a_grid_row_of_another_township(toufen_client, zhunan):
    association = AssociationFactory(township=zhunan)
    response = toufen_client.post(grid_url(), row(association, assembly_dates="112/05/20"))
    assert response.status_code == 404
    assert not Meeting.objects.exists()


def test_grid_runs_the_same_number_of_queries_however_many_associations(
    zhunan_client, zhunan, django_assert_max_num_queries
):
    for _ in range(2):
        compliant_year(AssociationFactory(township=zhunan))
    with django_assert_max_num_queries(6) as few:
        zhunan_client.get(grid_url())
    for _ in range(20):
        compliant_year(AssociationFactory(township=zhunan))
    with django_assert_max_num_queries(len(few.captured_queries)):
        zhunan_client.get(grid_url())


def test_a_grid_row_writes_the_inputs_its_form_would_and_the_version_a_save_is_checked_against(
    zhunan_client, zhunan
):
    association = AssociationFactory(township=zhunan, name="竹南<測試>社區發展協會")
    compliant_year(association)
    MeetingFactory(association=association, kind="joint", held_on=D(2023, 10, 5))
    response = zhunan_client.get(grid_url())
    row = next(r for r in response.context["rows"] if r["association"] == association)
    html = response.content.decode()
    shown = re.search(rf'<tr id="row-{association.pk}">(.*?)</tr>', html, re.S).group(1)

    form = YearRowForm(
        initial=row["initial"],
        year=2023,
        prefix=f"a{association.pk}",
        html_form=f"row-form-{association.pk}",
        joint_days=[D(2023, 10, 5)],
        version=row["version"],
    )
    written = "".join(str(field) for field in [*form.hidden_fields(), *form.visible_fields()])
    # What the grid leaves out on purpose: references to help texts it never showed, the hidden input's label.
    written = re.sub(r' aria-describedby="[^"]*"| aria-label="None"', "", written)

    assert re.findall(r"<input [^>]*>", shown.split("</form>", 1)[1]) == re.findall(r"<input [^>]*>", written)
    assert row["initial"]["assembly_dates"] and "聯席 112/10/05" in shown
    assert row["version"] == version_of(*services.year_row_history(association.pk, 2023))


def test_checklist_runs_the_same_number_of_queries_however_many_facts(
    zhunan_client, zhunan, django_assert_max_num_queries
):
    association = AssociationFactory(township=zhunan)
    compliant_year(association)
    with django_assert_max_num_queries(20) as few:
        zhunan_client.get(checklist_url(association))
    for month in range(1, 12):
        MeetingFactory(association=association, kind="board", held_on=D(2023, month, 3))
        ElectionFactory(
            association=association,
            term_number=100 + month,
            term_ends_on=D(2010 + month, 1, 1),
            elected_on=None,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        zhunan_client.get(checklist_url(association))


def test_clerk_of_another_township_gets_404_editing_or_deleting_an_election(toufen_client, zhunan):
    election = ElectionFactory(association__township=zhunan)
    assert toufen_client.get(f"/associations/elections/{election.pk}/edit/").status_code == 404
    assert toufen_client.post(f"/associations/elections/{election.pk}/delete/").status_code == 404
    assert Election.objects.count() == 1


def test_clerk_of_another_township_posting_an_election_edit_gets_404_and_the_election_stays(
    toufen_client, zhunan
):
    election = ElectionFactory(association__township=zhunan, term_number=8)
    before = Election.objects.values().get(pk=election.pk)
    data = {"term_number": "9", "elected_on": "113/03/01", "term_ends_on": "117/02/28"}
    assert toufen_client.post(f"/associations/elections/{election.pk}/edit/", data).status_code == 404
    assert Election.objects.values().get(pk=election.pk) == before
    assert not Assessment.objects.exists()
