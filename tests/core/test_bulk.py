"""core.bulk.bulk_insert: what bulk_create gives (pks, auto_now stamps, foreign keys to objects saved since,
rows as written), on PostgreSQL by its own INSERT … SELECT FROM unnest."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from associations.models import Association, Officer
from core.bulk import bulk_insert


@pytest.mark.django_db
def test_bulk_insert_sets_pks_stamps_and_writes_every_value(zhunan):
    before = timezone.now()
    associations = bulk_insert(
        Association,
        [
            Association(
                name="甲社區發展協會", name_key="甲社區發展協會", township=zhunan, phone="037-000000"
            ),
            Association(
                name="乙社區發展協會",
                name_key="乙社區發展協會",
                township=zhunan,
                founded_on=datetime.date(1995, 3, 1),
                member_count=42,
                runs_care_station=True,
            ),
        ],
    )
    assert all(a.pk and not a._state.adding for a in associations)
    officers = bulk_insert(Officer, [Officer(association=associations[1], position="chair", name="王明")])

    first, second = Association.objects.filter(pk__in=[a.pk for a in associations]).order_by("pk")
    assert [first.pk, second.pk] == [a.pk for a in associations]
    assert (first.name, first.phone, first.founded_on, first.member_count) == (
        "甲社區發展協會",
        "037-000000",
        None,
        None,
    )
    assert (second.founded_on, second.member_count, second.runs_care_station) == (
        datetime.date(1995, 3, 1),
        42,
        True,
    )
    assert second.status == Association._meta.get_field("status").default
    assert first.created_at >= before and first.updated_at >= before
    officer = Officer.objects.get(pk=officers[0].pk)
    assert (officer.association_id, officer.name) == (associations[1].pk, "王明")
    # The sequence moved past the ids drawn: an ordinary save gets a fresh one.
    later = Association.objects.create(name="丙社區發展協會", name_key="丙社區發展協會", township=zhunan)
    assert later.pk > max(a.pk for a in associations)


@pytest.mark.django_db
def test_bulk_insert_refuses_an_unsaved_related_object_as_bulk_create_does(zhunan):
    unsaved = Association(name="甲社區發展協會", name_key="甲社區發展協會", township=zhunan)
    with pytest.raises(ValueError, match="unsaved related object 'association'"):
        bulk_insert(Officer, [Officer(association=unsaved, position="chair", name="王明")])


@pytest.mark.django_db
def test_bulk_insert_follows_a_related_object_whose_key_changed(zhunan, toufen):
    """A key set, then the related object given another pk: the column is kept and the stale cache
    dropped, as Django's own check does."""
    first, second = bulk_insert(
        Association,
        [
            Association(name="甲社區發展協會", name_key="甲社區發展協會", township=zhunan),
            Association(name="乙社區發展協會", name_key="乙社區發展協會", township=zhunan),
        ],
    )
    officer = Officer(association=first, position="chair", name="王明")
    kept = Officer(association=second, position="chair", name="李四")
    first.pk = second.pk
    bulk_insert(Officer, [officer, kept])
    assert not Officer._meta.get_field("association").is_cached(officer)
    assert Officer._meta.get_field("association").is_cached(kept)
    assert Officer.objects.get(pk=officer.pk).association_id == officer.association_id
