"""People are named by their full name wherever the pages show who did something, and the admin shows
ROC dates (issue 12, item 5)."""

import datetime

import pytest
from django.utils import timezone

from core.models import ImportRecord
from grading.models import Tier, TierRegister
from tests.associations.factories import AssociationFactory
from tests.grading.factories import AssessmentFactory


@pytest.fixture
def named_officer(county_officer):
    county_officer.first_name = "陳美玲"
    county_officer.save(update_fields=["first_name"])
    return county_officer


def _overridden_by(user, township):
    return AssessmentFactory(
        association=AssociationFactory(township=township),
        override_tier=Tier.DEVELOPING,
        override_reason="實地訪視",
        overridden_by=user,
        overridden_at=timezone.now(),
    )


def test_an_override_names_the_officer_not_their_username(county_client, named_officer, zhunan):
    assessment = _overridden_by(named_officer, zhunan)

    html = county_client.get(assessment.get_absolute_url()).content.decode()

    assert "陳美玲 於" in html


def test_a_finalised_register_names_who_finalised_it(county_client, named_officer, zhunan):
    TierRegister.objects.create(
        county=named_officer.membership.county,
        year=2023,
        state=TierRegister.State.FINALISED,
        finalised_by=named_officer,
        finalised_at=timezone.now(),
    )

    html = county_client.get("/grading/112/").content.decode()

    assert "陳美玲 於" in html


def test_a_user_without_a_full_name_is_named_by_username(county_client, county_officer, zhunan):
    assessment = _overridden_by(county_officer, zhunan)

    assert "county 於" in county_client.get(assessment.get_absolute_url()).content.decode()


def test_the_admin_lists_dates_in_roc_form(admin_client_, administrator):
    record = ImportRecord.objects.create(kind="roster", file_name="名冊.csv", user=administrator)
    noon = timezone.make_aware(datetime.datetime(2026, 12, 2, 12, 0))
    ImportRecord.objects.filter(pk=record.pk).update(created_at=noon)

    html = admin_client_.get("/admin/core/importrecord/").content.decode()

    assert "115/12/02 12:00" in html
    assert "2026年12月2日" not in html


def test_the_admin_lists_who_imported_by_full_name(admin_client_, administrator):
    administrator.first_name = "王大明"
    administrator.save(update_fields=["first_name"])
    ImportRecord.objects.create(kind="roster", file_name="名冊.csv", user=administrator)

    assert "王大明" in admin_client_.get("/admin/core/importrecord/").content.decode()
