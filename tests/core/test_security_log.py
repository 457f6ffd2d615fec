"""The security log (issue 11, item 5): sign-ins and their failures, lockouts, staff role and township
changes and exports are written as rows that administrators browse in the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from associations.staff import staff_add
from core.models import SecurityEvent
from core.roles import Role
from tests.associations.factories import AssociationFactory

PASSWORD = "pw-for-tests-only"
Kind = SecurityEvent.Kind


@pytest.fixture(autouse=True)
def _lockout_rules(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
    settings.TRUSTED_PROXY_COUNT = 0


def _sign_in(password: str):
    data = {"username": "zhunan", "password": password}
    return Client().post("/accounts/login/", data, REMOTE_ADDR="192.0.2.7")


def test_a_sign_in_is_logged_with_user_and_address(zhunan_clerk):
    _sign_in(PASSWORD)
    event = SecurityEvent.objects.get(kind=Kind.SIGN_IN)
    assert (event.user, event.username, event.address) == (zhunan_clerk, "zhunan", "192.0.2.7")


def test_a_failed_sign_in_is_logged_with_the_name_typed(zhunan_clerk):
    _sign_in("wrong-password")
    event = SecurityEvent.objects.get(kind=Kind.SIGN_IN_FAILED)
    assert (event.user, event.username, event.address) == (None, "zhunan", "192.0.2.7")


def test_a_lockout_is_logged_once(zhunan_clerk):
    for _ in range(3):
        _sign_in("wrong-password")
    assert SecurityEvent.objects.filter(kind=Kind.LOCKOUT, username="zhunan").count() == 1


def test_moving_a_clerk_to_another_township_logs_old_and_new(zhunan_clerk, toufen):
    staff_add(username="zhunan", role=Role.TOWNSHIP, password=PASSWORD, township=toufen.name, validate=False)
    event = SecurityEvent.objects.get(kind=Kind.MEMBERSHIP)
    assert event.username == "zhunan"
    assert (event.details["old"]["township"], event.details["new"]["township"]) == ("竹南鎮", toufen.name)


def test_an_association_export_logs_the_filter_and_the_row_count(county_client, county_officer, zhunan):
    AssociationFactory.create_batch(2, township=zhunan)
    county_client.get(reverse("associations:export"), {"township": zhunan.pk, "format": "csv"})
    event = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert event.user == county_officer
    assert event.details["query"] == f"township={zhunan.pk}&format=csv"
    assert event.details["rows"] == 2


def test_an_administrator_browses_the_log_in_the_admin(admin_client_, zhunan_clerk):
    _sign_in("wrong-password")
    response = admin_client_.get(reverse("admin:core_securityevent_changelist"), {"q": "zhunan"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_a_county_officer_cannot_open_the_log(county_client):
    response = county_client.get(reverse("admin:core_securityevent_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_admin_list_export_logs_who_which_filter_and_how_many_rows(
    admin_client_, administrator, zhunan, toufen
):
    AssociationFactory.create_batch(2, township=zhunan)
    AssociationFactory(township=toufen)
    query = f"?township__id__exact={zhunan.pk}"

    response = admin_client_.post(
        f"/admin/associations/association/export/{query}", {"format": "1", "resource": "0"}
    )

    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert (event.user, event.username) == (administrator, "admin")
    assert event.details["list"] == "associations.association"
    assert event.details["query"] == f"township__id__exact={zhunan.pk}"
    assert (event.details["format"], event.details["rows"]) == ("csv", 2)


def test_opening_an_admin_export_form_logs_nothing(admin_client_, zhunan):
    AssociationFactory(township=zhunan)

    admin_client_.get("/admin/associations/association/export/")

    assert not SecurityEvent.objects.filter(kind=Kind.EXPORT).exists()


def test_an_administrators_county_switch_logs_the_county_left_and_the_one_chosen(
    admin_client_, administrator, zhunan, douliu
):
    admin_client_.post("/county/", {"county": douliu.county_id}, REMOTE_ADDR="192.0.2.9")

    event = SecurityEvent.objects.get(kind=Kind.COUNTY_SWITCH)
    assert (event.user, event.address) == (administrator, "192.0.2.9")
    assert (event.details["previous"], event.details["county"]) == ("苗栗縣", "雲林縣")


def test_a_refused_county_switch_logs_nothing(county_client, douliu):
    county_client.post("/county/", {"county": douliu.county_id})

    assert not SecurityEvent.objects.filter(kind=Kind.COUNTY_SWITCH).exists()
