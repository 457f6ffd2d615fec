"""core.bulk.bulk_insert: what bulk_create gives (pks, auto_now stamps, foreign keys to objects saved since,
rows as written), on PostgreSQL by its own INSERT … SELECT FROM unnest."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from associations.models import Association, Election, Meeting, Officer, YearlyFiling
from core.bulk import builder, bulk_insert


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


def _as_built(obj):
    state = obj._state
    cache = {name: (type(v), getattr(v, "pk", None)) for name, v in state.fields_cache.items()}
    return ({k: v for k, v in vars(obj).items() if k != "_state"}, state.adding, state.db, cache)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, values",
    [
        (Association, {"name": "甲社區發展協會", "name_key": "甲社區發展協會", "phone": "037-000000"}),
        (Association, {"name": "乙", "status": "dissolved", "dissolved_on": datetime.date(2020, 1, 1)}),
        (Association, {"name": "丙", "township": None}),
        (Officer, {"position": "chair", "name": "王明", "note": "代理"}),
        (Meeting, {"kind": "board", "held_on": datetime.date(2023, 3, 5)}),
        (YearlyFiling, {"year": 2023}),
        (Election, {"term_number": 3}),
    ],
)
@pytest.mark.parametrize("saved", [False, True])
def test_builder_builds_what_the_model_builds(zhunan, model, values, saved):
    def related():  # a fresh related object each time: the build may set its database
        if model is Association:
            return {} if "township" in values else {"township": zhunan}
        association = Association(name="甲社區發展協會", township=zhunan)
        if saved:
            association.pk, association._state.db = 5, "default"
        return {"association": association}

    first, second = related(), related()
    built = builder(model)(**first, **values)
    expected = model(**second, **values)
    assert _as_built(built) == _as_built(expected)
    for name in first:  # the related object is cached (no query) and marked as the model marks it
        assert getattr(built, name) is first[name]
        assert first[name]._state.db == second[name]._state.db


@pytest.mark.django_db
def test_builder_takes_a_key_by_its_column_and_refuses_what_the_model_refuses(zhunan):
    build = builder(Association)
    assert _as_built(build(name="甲", township_id=zhunan.pk)) == _as_built(
        Association(name="甲", township_id=zhunan.pk)
    )
    with pytest.raises(TypeError):
        build(name="甲", colour="red")
    both = {"name": "甲", "township": zhunan, "township_id": zhunan.pk}  # given twice: as the model takes it
    assert _as_built(build(**both)) == _as_built(Association(**both))
    with pytest.raises(ValueError):
        builder(Officer)(association=zhunan, name="王明")
