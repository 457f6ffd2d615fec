"""Batch forwarding: a township's applications to the county, the county's ministry applications to the
ministry in its ranked order, all or none, with an export of the batch."""

from __future__ import annotations

import csv
import io

import pytest

from subsidies.models import Application, Batch, State
from subsidies.services import SubsidyError, batch_forward
from tests.associations.factories import AssociationFactory
from tests.subsidies.factories import MINISTRY, YEAR, advance, configure, draft, to_review


@pytest.fixture
def association(zhunan):
    configure(zhunan.county)
    return AssociationFactory(township=zhunan, name="竹南社區發展協會")


def _submitted(clerk, association, title):
    return advance(draft(clerk, association, title=title), [(clerk, "submit")])


def _ministry_decided(clerk, officer, association, title):
    application = draft(
        clerk, association, title=title, source_name=MINISTRY, requested=80_000, self_funded=20_000
    )
    return advance(to_review(application, clerk, officer), [(officer, "approve")])


def test_a_clerk_forwards_the_townships_applications_together(zhunan_client, zhunan_clerk, association):
    first, second = (
        _submitted(zhunan_clerk, association, "甲案"),
        _submitted(zhunan_clerk, association, "乙案"),
    )

    data = {"year": YEAR - 1911, "application": [first.pk, second.pk]}  # the page posts the ROC year
    response = zhunan_client.post("/subsidies/batch/", data)

    assert response.status_code == 302
    assert set(Application.objects.values_list("state", flat=True)) == {State.TOWNSHIP_FORWARDED}
    assert Batch.objects.get().transitions.count() == 2


def test_a_batch_with_one_application_that_cannot_go_forwards_none(zhunan_clerk, association):
    ready = _submitted(zhunan_clerk, association, "甲案")
    not_ready = draft(zhunan_clerk, association, title="乙案")

    with pytest.raises(SubsidyError, match="115-竹南-002"):
        batch_forward(
            actor=zhunan_clerk, kind=Batch.Kind.TO_COUNTY, application_ids=[ready.pk, not_ready.pk], year=YEAR
        )

    ready.refresh_from_db()
    assert ready.state == State.SUBMITTED
    assert not Batch.objects.exists()


def test_the_county_forwards_ministry_applications_in_its_ranked_order_and_exports_them(
    county_client, county_officer, zhunan_clerk, association
):
    first = _ministry_decided(zhunan_clerk, county_officer, association, "甲案")
    second = _ministry_decided(zhunan_clerk, county_officer, association, "乙案")

    county_client.post(
        "/subsidies/batch/",
        {
            "year": YEAR - 1911,
            "application": [first.pk, second.pk],
            f"rank_{first.pk}": 2,
            f"rank_{second.pk}": 1,
        },
    )
    batch = Batch.objects.get()
    exported = county_client.get(f"/subsidies/batch/{batch.pk}/", {"format": "csv"})

    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["排序", "鄉鎮市", "協會名稱"]
    assert [(row[0], row[5]) for row in rows[1:]] == [("1", "乙案"), ("2", "甲案")]
    assert set(Application.objects.values_list("state", flat=True)) == {State.FORWARDED_TO_MINISTRY}


def test_another_townships_clerk_cannot_open_the_batch(
    zhunan_client, toufen_client, zhunan_clerk, association
):
    first = _submitted(zhunan_clerk, association, "甲案")
    zhunan_client.post("/subsidies/batch/", {"year": YEAR - 1911, "application": [first.pk]})

    assert toufen_client.get(f"/subsidies/batch/{Batch.objects.get().pk}/").status_code == 404


def test_a_clerk_cannot_forward_another_townships_application(toufen_client, zhunan_clerk, association):
    first = _submitted(zhunan_clerk, association, "甲案")

    toufen_client.post("/subsidies/batch/", {"year": YEAR - 1911, "application": [first.pk]})

    first.refresh_from_db()
    assert first.state == State.SUBMITTED
