"""Saves side by side on PostgreSQL, in real threads (each with its own connection and client): no
IntegrityError reaches anyone as a 500, and no save silently replaces another."""

import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client

from associations.models import Association, Election, Meeting, Officer, ProgrammeProfile, YearlyFiling
from associations.services import association_history
from core.concurrency import version_of
from tests.associations.factories import AssociationFactory
from tests.associations.test_views import _form_data, _officer_data

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
TIMEOUT = 60
STALE = "請重新整理後再編輯"


def side_by_side(user, url, posts):
    """POST each of `posts` to `url` at once, each from its own thread and client; the responses, or the
    exception a request raised."""
    start = threading.Barrier(len(posts))
    results = [None] * len(posts)

    def work(i, data):
        client = Client()
        client.force_login(user)
        try:
            start.wait(TIMEOUT)
            results[i] = client.post(url, data)
        except Exception as exc:  # a 500 raises in the test client
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, data)) for i, data in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return results


def refused(response):
    return response.status_code == 200 and STALE in response.content.decode()


@pytest.fixture
def association(zhunan):
    return AssociationFactory(township=zhunan, name="竹南大埔社區發展協會")


FIRST_SAVES = {
    "filing": ({"filing-plan_budget_filed_on": "114/01/10"}, YearlyFiling),
    "programme": ({"programme-volunteer_team": "on", "programme-volunteer_count": "12"}, ProgrammeProfile),
    "election": ({"election-term_number": "9", "election-term_ends_on": "118/02/28"}, Election),
}


@pytest.mark.parametrize("action", FIRST_SAVES)
def test_three_simultaneous_first_checklist_saves_make_one_row_and_no_500(
    zhunan_clerk, association, action, frozen_today
):
    url = f"/associations/{association.pk}/compliance/114/"
    fields, model = FIRST_SAVES[action]
    version = {f"{action}-edit_version": "0"} if action != "election" else {}
    results = side_by_side(zhunan_clerk, url, [{"action": action, **fields, **version}] * 3)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r.status_code for r in results) == [200, 200, 302]
    assert model.objects.count() == 1


def test_a_double_clicked_association_create_makes_one_association(county_officer, zhunan):
    model = AssociationFactory(township=zhunan, name="竹南新設社區發展協會")
    data = _form_data(model, submission_token=str(uuid.uuid4()))
    model.delete()
    results = side_by_side(county_officer, "/associations/new/", [data] * 2)
    assert not [r for r in results if isinstance(r, Exception)]
    assert [r.status_code for r in results] == [302, 302]
    assert Association.objects.count() == 1


def test_three_simultaneous_posts_of_one_officer_form_make_one_officer(zhunan_clerk, association):
    data = _officer_data(submission_token=str(uuid.uuid4()))
    results = side_by_side(zhunan_clerk, f"/associations/{association.pk}/officers/new/", [data] * 3)
    assert [r.status_code for r in results] == [302, 302, 302]
    assert Officer.objects.count() == 1


def test_of_two_officers_editing_one_association_the_second_is_refused(county_officer, association):
    shown = version_of(*association_history(association.pk))
    posts = [_form_data(association, phone=p, edit_version=shown) for p in ("037-111111", "037-222222")]
    results = side_by_side(county_officer, f"/associations/{association.pk}/edit/", posts)
    assert sorted(r.status_code for r in results) == [200, 302]
    assert [refused(r) for r in results].count(True) == 1
    kept = Association.objects.get().phone
    assert kept == posts[[r.status_code for r in results].index(302)]["phone"]


def test_of_three_grid_saves_of_one_row_one_succeeds_and_the_others_are_refused(
    zhunan_clerk, association, frozen_today
):
    prefix = f"a{association.pk}"
    url = f"/associations/compliance/114/?township={association.township_id}"
    posts = [
        {"association": association.pk, f"{prefix}-assembly_dates": day, f"{prefix}-edit_version": "0.0.0"}
        for day in ("114/05/20", "114/06/20", "114/07/20")
    ]
    results = side_by_side(zhunan_clerk, url, posts)
    assert sorted(r.status_code for r in results) == [200, 200, 302]
    assert [refused(r) for r in results].count(True) == 2
    assert Meeting.objects.count() == 1
