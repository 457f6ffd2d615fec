"""The in-database history copy writes what simple-history itself would write."""

import datetime

import pytest
from django.utils import timezone

from associations.models import Association, Officer
from core.history import CHANGED, CREATED, copy_to_history
from tests.associations.factories import AssociationFactory, OfficerFactory

pytestmark = pytest.mark.django_db

TRACKED = ["id", "name", "township_id", "founded_on", "phone", "status", "runs_care_station", "updated_at"]


def _latest(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").first()


def test_a_copied_history_row_matches_simple_historys_own(administrator):
    association = AssociationFactory(founded_on=datetime.date(1992, 9, 13), phone="037-123456")
    stamp = timezone.now().replace(microsecond=0)

    Association.history.bulk_history_create(
        [association], default_user=administrator, default_change_reason="匯入", default_date=stamp
    )
    theirs = _latest(Association, association.pk)
    copy_to_history(
        Association, [association.pk], history_type=CREATED, user=administrator, reason="匯入", stamp=stamp
    )
    ours = _latest(Association, association.pk)

    assert ours.history_id != theirs.history_id
    for name in [*TRACKED, "history_date", "history_change_reason", "history_type", "history_user_id"]:
        assert getattr(ours, name) == getattr(theirs, name), name


def test_the_copy_is_of_the_row_as_it_stands_and_marks_a_change(administrator):
    officer = OfficerFactory(name="陳大文")
    Officer.objects.filter(pk=officer.pk).update(name="陳小文")

    copy_to_history(Officer, [officer.pk], history_type=CHANGED, user=None, reason="", stamp=timezone.now())

    latest = _latest(Officer, officer.pk)
    assert (latest.name, latest.history_type, latest.history_user_id) == ("陳小文", "~", None)


def test_many_rows_beyond_one_sqlite_batch_each_get_exactly_one_row(settings):
    township = AssociationFactory().township
    created = Association.objects.bulk_create(
        [Association(name=f"第{n}社區發展協會", name_key=f"第{n}", township=township) for n in range(1000)]
    )

    copy_to_history(Association, [a.pk for a in created], history_type=CREATED, stamp=timezone.now())

    assert Association.history.filter(id__in=[a.pk for a in created], history_type="+").count() == 1000


def test_no_ids_writes_nothing():
    copy_to_history(Association, [], history_type=CREATED, stamp=timezone.now())

    assert Association.history.count() == 0
