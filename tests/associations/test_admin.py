"""The Django admin is for administrators only; county officers and township staff work in the staff pages.
Its association pages are scoped like the staff pages as a second line of defence."""

from urllib.parse import urlsplit

import pytest
from django.contrib.admin.sites import site
from django.http import Http404
from django.test import RequestFactory

from associations.models import Association, Officer
from grading.models import Assessment, TierChange
from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.grading.factories import AssessmentFactory

#: Queries allowed for an admin changelist page, whatever the number of rows.
ADMIN_LIST_QUERY_BUDGET = 12

CHANGELIST = "/admin/associations/association/"


@pytest.fixture
def zhunan_row(zhunan):
    return AssociationFactory(township=zhunan, name="竹南大埔社區發展協會")


@pytest.fixture
def toufen_row(toufen):
    return AssociationFactory(township=toufen, name="頭份興隆社區發展協會")


@pytest.fixture
def careless_toufen_client(toufen_clerk, toufen_client):
    """A 頭份 clerk someone wrongly gave the admin flags to."""
    toufen_clerk.is_staff = toufen_clerk.is_superuser = True
    toufen_clerk.save(update_fields=["is_staff", "is_superuser"])
    return toufen_client


def _sent_to_admin_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == "/admin/login/"


def _admin_request(user):
    request = RequestFactory().get(CHANGELIST)
    request.user = user
    return request


def test_administrator_sees_every_association_in_the_changelist(admin_client_, zhunan_row, toufen_row):
    html = admin_client_.get(CHANGELIST).content.decode()

    assert "竹南大埔社區發展協會" in html
    assert "頭份興隆社區發展協會" in html


def test_administrator_opens_any_association_change_page(admin_client_, zhunan_row):
    response = admin_client_.get(f"{CHANGELIST}{zhunan_row.pk}/change/")

    assert response.status_code == 200
    assert "竹南大埔社區發展協會" in response.content.decode()


def test_administrator_reads_an_associations_change_history(admin_client_, zhunan_row):
    zhunan_row.status = Association.Status.REORGANISING
    zhunan_row.save(update_fields=["status"])

    response = admin_client_.get(f"{CHANGELIST}{zhunan_row.pk}/history/")

    assert response.status_code == 200
    for record in zhunan_row.history.all():
        assert f"{CHANGELIST}{zhunan_row.pk}/history/{record.history_id}/" in response.content.decode()


@pytest.mark.parametrize("cast", ["county_client", "zhunan_client", "judge_client"])
def test_other_roles_are_sent_to_the_admin_login(request, zhunan_row, cast):
    client = request.getfixturevalue(cast)

    assert _sent_to_admin_login(client.get("/admin/"))
    assert _sent_to_admin_login(client.get(CHANGELIST))


def test_township_clerk_given_admin_flags_by_mistake_is_still_refused_the_admin(careless_toufen_client):
    assert _sent_to_admin_login(careless_toufen_client.get("/admin/"))


def test_township_clerk_given_admin_flags_never_sees_another_townships_rows(
    careless_toufen_client, zhunan_row
):
    pages = [
        CHANGELIST,
        f"{CHANGELIST}?q=竹南",
        f"{CHANGELIST}{zhunan_row.pk}/change/",
        f"{CHANGELIST}{zhunan_row.pk}/history/",
        f"/admin/associations/officer/?q={zhunan_row.name}",
    ]
    for page in pages:
        response = careless_toufen_client.get(page)
        assert response.status_code != 200, page
        assert "竹南大埔社區發展協會" not in response.content.decode(), page


def test_township_clerk_given_admin_flags_cannot_change_another_townships_row(
    careless_toufen_client, zhunan_row
):
    careless_toufen_client.post(
        f"{CHANGELIST}{zhunan_row.pk}/change/",
        {"name": "被改掉", "township": zhunan_row.township_id, "status": "dissolved"},
    )

    zhunan_row.refresh_from_db()
    assert (zhunan_row.name, zhunan_row.status) == ("竹南大埔社區發展協會", "active")


def test_admin_association_queryset_is_scoped_like_the_staff_pages(toufen_clerk, zhunan_row, toufen_row):
    assert list(site._registry[Association].get_queryset(_admin_request(toufen_clerk))) == [toufen_row]


def test_admin_officer_queryset_is_scoped_like_the_staff_pages(toufen_clerk, zhunan_row, toufen_row):
    OfficerFactory(association=zhunan_row)
    toufen_officer = OfficerFactory(association=toufen_row)
    assert list(site._registry[Officer].get_queryset(_admin_request(toufen_clerk))) == [toufen_officer]


def test_admin_history_pages_of_another_townships_row_are_404_even_past_the_gate(toufen_clerk, zhunan_row):
    association_admin = site._registry[Association]
    version = zhunan_row.history.get().history_id

    with pytest.raises(Http404):
        association_admin.history_view(_admin_request(toufen_clerk), str(zhunan_row.pk))
    with pytest.raises(Http404):
        association_admin.history_form_view(_admin_request(toufen_clerk), str(zhunan_row.pk), str(version))


def test_admin_history_of_another_townships_officer_is_404_even_past_the_gate(toufen_clerk, zhunan_row):
    officer = OfficerFactory(association=zhunan_row)

    with pytest.raises(Http404):
        site._registry[Officer].history_view(_admin_request(toufen_clerk), str(officer.pk))


def test_administrator_opens_an_officers_history_version(admin_client_, zhunan_row):
    officer = OfficerFactory(association=zhunan_row, name="林志明")
    version = officer.history.get().history_id

    response = admin_client_.get(f"/admin/associations/officer/{officer.pk}/history/{version}/")

    assert response.status_code == 200
    assert "林志明" in response.content.decode()


@pytest.mark.parametrize("rows", [5, 60])
def test_admin_changelist_stays_within_a_fixed_query_budget(
    admin_client_, zhunan, django_assert_max_num_queries, rows
):
    for association in AssociationFactory.create_batch(rows, township=zhunan):
        OfficerFactory(association=association)

    for page in (CHANGELIST, "/admin/associations/officer/"):
        with django_assert_max_num_queries(ADMIN_LIST_QUERY_BUDGET):
            response = admin_client_.get(page)
        assert response.status_code == 200


# --- the grading admin -----------------------------------------------------------------------------------

GRADING_CHANGELISTS = ["/admin/grading/assessment/", "/admin/grading/tierchange/"]


def _graded(row):
    """An assessment and a history entry for `row`, so that each grading changelist has a line for it."""
    TierChange.objects.create(
        county=row.township.county,
        year=2023,
        association=row,
        kind=TierChange.Kind.SUGGESTED,
        to_tier="potential",
    )
    return AssessmentFactory(association=row)


@pytest.mark.parametrize("cast", ["county_client", "zhunan_client", "careless_toufen_client"])
def test_other_roles_are_sent_to_the_admin_login_from_the_grading_admin(
    request, zhunan_row, toufen_row, cast
):
    _graded(zhunan_row)
    _graded(toufen_row)
    client = request.getfixturevalue(cast)

    for page in GRADING_CHANGELISTS:
        response = client.get(page)
        assert _sent_to_admin_login(response), page
        assert "社區發展協會" not in response.content.decode(), page


def test_administrator_sees_both_townships_in_the_grading_admin(admin_client_, zhunan_row, toufen_row):
    _graded(zhunan_row)
    _graded(toufen_row)

    for page in GRADING_CHANGELISTS:
        html = admin_client_.get(page).content.decode()
        assert "竹南大埔社區發展協會" in html, page
        assert "頭份興隆社區發展協會" in html, page


def test_grading_admin_querysets_are_scoped_like_the_staff_pages(toufen_clerk, zhunan_row, toufen_row):
    _graded(zhunan_row)
    toufen_assessment = _graded(toufen_row)
    register_wide = TierChange.objects.create(county=toufen_row.township.county, year=2023, kind="finalised")
    request = _admin_request(toufen_clerk)

    assert list(site._registry[Assessment].get_queryset(request)) == [toufen_assessment]
    changes = site._registry[TierChange].get_queryset(request)
    assert {change.association_id for change in changes} == {toufen_row.pk, None}
    assert register_wide in changes
