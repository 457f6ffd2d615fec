"""The access rules in associations/access.py, tested as functions: who holds which role, which rows each
role sees, and the fetch-and-authorise helpers' 404 (cannot see) versus 403 (can see, cannot change)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from associations import access
from associations.models import Association, Township
from core.roles import Role
from tests.associations.factories import AssociationFactory, OfficerFactory


@pytest.fixture
def both(zhunan, toufen):
    """One association in each township."""
    return AssociationFactory(township=zhunan), AssociationFactory(township=toufen)


def _visible(user) -> set[int]:
    return set(access.scope_associations(Association.objects.all(), user).values_list("pk", flat=True))


# --- role_of / township_id_of ----------------------------------------------------------------------------


def test_anonymous_visitor_has_no_role():
    assert access.role_of(AnonymousUser()) is None
    assert access.role_of(None) is None


def test_each_cast_member_has_the_role_of_their_membership(
    county_officer, zhunan_clerk, judge, administrator
):
    assert access.role_of(county_officer) == Role.COUNTY
    assert access.role_of(zhunan_clerk) == Role.TOWNSHIP
    assert access.role_of(judge) == Role.JUDGE
    assert access.role_of(administrator) == Role.ADMIN


def test_deactivated_user_loses_their_role(zhunan_clerk):
    zhunan_clerk.is_active = False

    assert access.role_of(zhunan_clerk) is None
    assert access.can_use_registry(zhunan_clerk) is False


def test_user_without_membership_has_no_role(django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="x")

    assert access.role_of(user) is None


def test_superuser_without_membership_counts_as_administrator(django_user_model):
    user = django_user_model.objects.create_superuser(username="root", password="x")

    assert access.role_of(user) == Role.ADMIN


def test_superuser_flag_does_not_widen_a_township_clerk(toufen_clerk):
    toufen_clerk.is_superuser = True

    assert access.role_of(toufen_clerk) == Role.TOWNSHIP


def test_only_township_clerks_have_a_township(zhunan, zhunan_clerk, county_officer, administrator):
    assert access.township_id_of(zhunan_clerk) == zhunan.pk
    assert access.township_id_of(county_officer) is None
    assert access.township_id_of(administrator) is None


def test_only_administrators_may_use_the_django_admin(administrator, county_officer, toufen_clerk):
    toufen_clerk.is_staff = toufen_clerk.is_superuser = True
    county_officer.is_staff = True

    assert access.can_use_admin(administrator)
    assert not access.can_use_admin(toufen_clerk)
    assert not access.can_use_admin(county_officer)
    assert not access.can_use_admin(AnonymousUser())


# --- scoping ---------------------------------------------------------------------------------------------


def test_county_officer_and_administrator_see_every_township(both, county_officer, administrator):
    assert _visible(county_officer) == {a.pk for a in both}
    assert _visible(administrator) == {a.pk for a in both}


def test_township_clerk_sees_only_their_own_township(both, toufen_clerk):
    _, toufen_row = both

    assert _visible(toufen_clerk) == {toufen_row.pk}


@pytest.mark.parametrize("user", ["judge", "anonymous", "no_role"])
def test_judge_anonymous_and_roleless_users_see_nothing(both, request, django_user_model, user):
    users = {
        "judge": lambda: request.getfixturevalue("judge"),
        "anonymous": AnonymousUser,
        "no_role": lambda: django_user_model.objects.create_user(username="nobody"),
    }

    assert _visible(users[user]()) == set()


def test_visible_to_is_the_same_scope_as_access(both, toufen_clerk):
    assert set(Association.objects.visible_to(toufen_clerk).values_list("pk", flat=True)) == _visible(
        toufen_clerk
    )


def test_township_choices_follow_the_same_scope(zhunan, toufen, toufen_clerk, county_officer, judge):
    scope = access.scope_townships

    assert list(scope(Township.objects.all(), toufen_clerk)) == [toufen]
    assert set(scope(Township.objects.all(), county_officer)) == {zhunan, toufen}
    assert list(scope(Township.objects.all(), judge)) == []


def test_only_registry_roles_may_create_associations(county_officer, zhunan_clerk, judge, administrator):
    assert access.can_create_association(county_officer)
    assert access.can_create_association(zhunan_clerk)
    assert access.can_create_association(administrator)
    assert not access.can_create_association(judge)
    assert not access.can_create_association(AnonymousUser())


def test_clerk_may_change_only_their_own_townships_associations(both, zhunan_clerk, county_officer):
    zhunan_row, toufen_row = both

    assert access.can_change_association(zhunan_clerk, zhunan_row)
    assert not access.can_change_association(zhunan_clerk, toufen_row)
    assert access.can_change_association(county_officer, toufen_row)


# --- fetch and authorise ---------------------------------------------------------------------------------


def test_fetching_another_townships_association_is_404_as_if_missing(both, toufen_clerk):
    zhunan_row, _ = both

    with pytest.raises(Http404):
        access.get_association_for_user(toufen_clerk, zhunan_row.pk)
    with pytest.raises(Http404):
        access.get_association_for_user(toufen_clerk, zhunan_row.pk, for_change=True)


def test_fetching_own_association_returns_it(both, zhunan_clerk):
    zhunan_row, _ = both

    assert access.get_association_for_user(zhunan_clerk, zhunan_row.pk, for_change=True) == zhunan_row


def test_judge_is_refused_before_any_row_is_looked_up(both, judge):
    with pytest.raises(PermissionDenied):
        access.get_association_for_user(judge, both[0].pk)
    with pytest.raises(PermissionDenied):
        access.get_association_for_user(judge, 999_999)


def test_fetching_another_townships_officer_is_404(zhunan, toufen_clerk):
    officer = OfficerFactory(association__township=zhunan)

    with pytest.raises(Http404):
        access.get_officer_for_user(toufen_clerk, officer.pk, for_change=True)


def test_fetching_own_officer_returns_it(zhunan, zhunan_clerk, judge):
    officer = OfficerFactory(association__township=zhunan)

    assert access.get_officer_for_user(zhunan_clerk, officer.pk, for_change=True) == officer
    with pytest.raises(PermissionDenied):
        access.get_officer_for_user(judge, officer.pk)


def test_a_new_role_nobody_planned_for_sees_nothing(both, toufen_clerk, monkeypatch):
    monkeypatch.setattr(access, "role_of", lambda user: "auditor")

    assert _visible(toufen_clerk) == set()
    assert not access.can_use_registry(toufen_clerk)
    assert list(access.scope_townships(Township.objects.all(), toufen_clerk)) == []


@pytest.mark.parametrize(
    "user", ["toufen_clerk", "county_officer", "administrator", "yunlin_officer", "judge", "anonymous"]
)
def test_rows_scoped_through_their_association_follow_the_association_scope(both, douliu, request, user):
    """`scope_through_association` filters through the join, not the visible associations: it must keep out
    exactly what `scope_associations` keeps out (another township's rows, another county's rows)."""
    from associations.models import Officer

    viewer = AnonymousUser() if user == "anonymous" else request.getfixturevalue(user)
    for association in (*both, AssociationFactory(township=douliu)):
        OfficerFactory(association=association)
    scoped = access.scope_through_association(Officer.objects.all(), viewer)

    assert {o.association_id for o in scoped} == _visible(viewer)


def test_another_township_and_county_stay_out_of_rows_scoped_through_their_association(
    both, douliu, toufen_clerk, county_officer, yunlin_officer
):
    from associations.models import Officer

    zhunan_row, toufen_row = both
    douliu_row = AssociationFactory(township=douliu)
    for association in (zhunan_row, toufen_row, douliu_row):
        OfficerFactory(association=association)

    def seen(user):
        scoped = access.scope_through_association(Officer.objects.all(), user)
        return {o.association_id for o in scoped}

    assert seen(toufen_clerk) == {toufen_row.pk}
    assert seen(county_officer) == {zhunan_row.pk, toufen_row.pk}
    assert seen(yunlin_officer) == {douliu_row.pk}
