"""Writes of the compliance facts at their edges: the year an edit judges, a field of the association the
judgment reads, a double submit, and hostile numbers that must not become a server error."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from associations.compliance.services import meeting_save
from associations.compliance.values import MeetingValues
from associations.models import Election, Meeting
from associations.roster.cleaning import parse_count
from grading.models import Assessment, ComplianceStatus, TierRegister
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ElectionFactory, MeetingFactory, compliant_year

D = datetime.date
pytestmark = pytest.mark.django_db


def test_editing_an_election_from_a_checklist_judges_that_checklists_year(
    zhunan_client, zhunan, frozen_today
):
    association = AssociationFactory(township=zhunan)
    compliant_year(association)
    election = Election.objects.get(association=association)
    zhunan_client.post(
        f"/associations/{association.pk}/compliance/112/",
        {"action": "interval", "interval-board_meeting_interval_months": "6"},
    )
    assert Assessment.objects.get(association=association, year=2023).status == ComplianceStatus.NORMAL

    url = f"/associations/elections/{election.pk}/edit/?year=112"
    data = {"term_number": election.term_number or "", "elected_on": "", "term_ends_on": "112/06/30"}
    response = zhunan_client.post(url, data)

    assert response["Location"] == f"/associations/{association.pk}/compliance/112/"
    assert Assessment.objects.get(association=association, year=2023).status == ComplianceStatus.ABNORMAL
    assert not TierRegister.objects.filter(year__gt=2026).exists()  # nothing judged past this year


def test_the_checklist_links_elections_to_their_edit_form_for_its_year(zhunan_client, zhunan):
    election = ElectionFactory(association__township=zhunan)
    page = zhunan_client.get(f"/associations/{election.association_id}/compliance/112/").content.decode()
    assert f"/associations/elections/{election.pk}/edit/?year=112" in page


def test_an_order_to_reorganise_set_on_the_association_re_judges_this_year(
    county_client, zhunan, frozen_today
):
    association = AssociationFactory(township=zhunan)
    this_year = 2026
    compliant_year(association, year=this_year)
    county_client.post(f"/grading/{this_year - 1911}/recompute/")
    assert Assessment.objects.get(association=association, year=this_year).status != ComplianceStatus.ABNORMAL

    data = {"name": association.name, "township": zhunan.pk, "status": "reorganising"}
    county_client.post(f"/associations/{association.pk}/edit/", data)

    assert Assessment.objects.get(association=association, year=this_year).status == ComplianceStatus.ABNORMAL


def test_a_meeting_recorded_meanwhile_refuses_the_second_save_and_writes_nothing(zhunan):
    association = AssociationFactory(township=zhunan)
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 5))  # the first click

    values = MeetingValues(kind="board", held_on=D(2023, 3, 5))
    with pytest.raises(ValidationError, match="同一天已登錄過同種類的會議。"):
        meeting_save(association=association, values=values, actor=None)
    assert Meeting.objects.filter(association=association).count() == 1


def test_a_digit_python_reads_but_int_refuses_is_not_a_server_error(zhunan_client, zhunan, admin_client_):
    election = ElectionFactory(association__township=zhunan)
    response = zhunan_client.post(f"/associations/elections/{election.pk}/delete/", {"year": "²"})
    assert response.status_code == 302
    for url in ("/admin/grading/assessment/import/", "/admin/associations/association/import/"):
        assert admin_client_.post(url, {"confirm": "1", "record": "²", "sha256": "x"}).status_code == 302
    assert parse_count("፩") is None  # Ethiopic one: a digit to isdigit(), not to int()
