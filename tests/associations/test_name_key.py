"""One association per normalised name in a township (issue 10, item 7): 台/臺, spacing, full-width and
place-prefix variants of a name are one association, in the form, the admin, the roster import and the
database."""

import importlib
import re
import threading
import time

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from associations.forms import duplicate_name_error
from associations.models import Association
from core.text import association_name_key
from tests.associations.factories import AssociationFactory
from tests.associations.test_imports import run, write_roster

NAME = "臺灣測試社區發展協會"


def test_the_key_ignores_tai_spacing_width_and_place_prefixes():
    written = [
        "台灣測試社區發展協會",
        "臺灣 測試社區發展協會",
        "臺灣測試社區發展協會　",
        "苗栗縣竹南鎮臺灣測試社區發展協會",
    ]
    keys = {association_name_key(name, county="苗栗縣", township="竹南鎮") for name in written}
    assert keys == {NAME}


def test_the_key_is_kept_on_save(zhunan):
    association = AssociationFactory(township=zhunan, name="台灣 測試社區發展協會")
    assert Association.objects.get(pk=association.pk).name_key == NAME


@pytest.mark.parametrize(
    "variant", ["台灣測試社區發展協會", "臺灣 測試社區發展協會", "竹南鎮臺灣測試社區發展協會"]
)
def test_the_form_refuses_a_variant_of_an_existing_name_with_a_link(zhunan_client, zhunan, variant):
    existing = AssociationFactory(township=zhunan, name=NAME)
    data = {"name": variant, "township": zhunan.pk, "status": "active"}
    response = zhunan_client.post("/associations/new/", data)
    assert f'竹南鎮已有「<a href="/associations/{existing.pk}/">{NAME}</a>」' in response.content.decode()
    assert Association.objects.count() == 1


def test_the_same_name_in_another_township_is_accepted(county_client, zhunan, toufen):
    AssociationFactory(township=zhunan, name=NAME)
    county_client.post(
        "/associations/new/", {"name": "台灣測試社區發展協會", "township": toufen.pk, "status": "active"}
    )
    assert Association.objects.filter(township=toufen).count() == 1


def test_editing_an_association_keeps_its_own_name(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan, name=NAME)
    data = {"name": NAME, "township": zhunan.pk, "status": "active", "address": "新址"}
    assert zhunan_client.post(f"/associations/{association.pk}/edit/", data).status_code == 302


def test_the_admin_refuses_a_variant_of_an_existing_name(admin_client_, zhunan):
    existing = AssociationFactory(township=zhunan, name=NAME)
    data = {
        "name": "台灣測試社區發展協會",
        "township": zhunan.pk,
        "status": "active",
        "board_meeting_interval_months": 6,
        "officers-TOTAL_FORMS": 0,
        "officers-INITIAL_FORMS": 0,
    }
    response = admin_client_.post("/admin/associations/association/add/", data)
    assert f'<a href="/associations/{existing.pk}/">{NAME}</a>' in response.content.decode()
    assert Association.objects.count() == 1


def test_the_roster_import_keys_the_associations_it_creates(tmp_path, zhunan):
    run(write_roster(tmp_path, [["竹南鎮", "台灣 測試社區發展協會", "", "", "", ""]]))
    assert Association.objects.get().name_key == NAME


def test_the_migration_reports_a_clash_instead_of_failing(zhunan, capsys):
    first = AssociationFactory(township=zhunan, name=NAME)
    second = AssociationFactory(township=zhunan, name="另一個協會")
    Association.objects.filter(pk=second.pk).update(
        name="台灣測試社區發展協會"
    )  # as an old database holds it
    importlib.import_module("associations.migrations.0006_fill_association_name_key").fill(apps, None)
    assert Association.objects.get(pk=first.pk).name_key == NAME
    assert Association.objects.get(pk=second.pk).name_key == f"{NAME}#{second.pk}"
    assert f"(id {first.pk})" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions")
def test_a_variant_saved_concurrently_is_shown_as_a_form_error(zhunan_client, zhunan):
    """The other save's row is written but not committed when this one checks, so only the database's
    unique key can catch it."""
    responses = []

    def post() -> None:
        data = {"name": "台灣測試社區發展協會", "township": zhunan.pk, "status": "active"}
        responses.append(zhunan_client.post("/associations/new/", data))
        connection.close()

    with transaction.atomic():
        AssociationFactory(township=zhunan, name=NAME)
        other = threading.Thread(target=post)
        other.start()
        time.sleep(1.0)  # the other request has checked and is waiting on the unique key
    other.join(timeout=30)
    assert responses[0].status_code == 200
    assert "竹南鎮已有「" in responses[0].content.decode()
    assert Association.objects.count() == 1


ADMIN_ADD = {
    "name": "台灣測試社區發展協會",
    "status": "active",
    "board_meeting_interval_months": 6,
    "officers-TOTAL_FORMS": 0,
    "officers-INITIAL_FORMS": 0,
}


def test_the_admin_shows_a_name_taken_after_its_check_as_a_form_error(admin_client_, zhunan, monkeypatch):
    """The other save commits between this form's duplicate check and its write: the unique key refuses
    the write, and the page says so at 協會名稱 instead of failing."""
    existing = AssociationFactory(township=zhunan, name=NAME)
    checks = []

    def not_yet_committed(*args, **kwargs):
        checks.append(args)
        return None if len(checks) == 1 else duplicate_name_error(*args, **kwargs)

    monkeypatch.setattr("associations.forms.duplicate_name_error", not_yet_committed)

    response = admin_client_.post(
        "/admin/associations/association/add/", {**ADMIN_ADD, "township": zhunan.pk}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="/associations/{existing.pk}/">{NAME}</a>' in html
    assert re.search(r'<div class="form-row errors field-name">', html)
    assert Association.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions")
def test_a_variant_saved_concurrently_in_the_admin_is_shown_as_a_form_error(administrator, zhunan):
    """Another administrator's 臺 is written but not committed when this 台 is checked, so only the
    database's unique key can catch it."""
    responses = []

    def post() -> None:
        client = Client()
        client.force_login(administrator)
        try:
            responses.append(
                client.post("/admin/associations/association/add/", {**ADMIN_ADD, "township": zhunan.pk})
            )
        except Exception as exc:  # a 500 raises in the test client
            responses.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        existing = AssociationFactory(township=zhunan, name=NAME)
        other = threading.Thread(target=post)
        other.start()
        time.sleep(1.0)  # the other request has checked and is waiting on the unique key
    other.join(timeout=30)
    assert responses[0].status_code == 200
    assert f'<a href="/associations/{existing.pk}/">{NAME}</a>' in responses[0].content.decode()
    assert Association.objects.count() == 1
