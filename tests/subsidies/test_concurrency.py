"""Parallel approvals on PostgreSQL: the allocation rows are locked, so an allocation with room for one
approval gives exactly one, and the balance is exact."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from core.concurrency import version_of
from subsidies import services
from subsidies.models import Allocation, FundingLine, State
from subsidies.services import SubsidyError, application_transition
from tests.associations.factories import AssociationFactory
from tests.associations.test_concurrent_saves import STALE, side_by_side
from tests.subsidies.factories import FUND, YEAR, configure, draft, source, to_review
from tests.subsidies.test_views import _form

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_approvals_against_room_for_one_give_exactly_one(
    zhunan, zhunan_clerk, county_officer
):
    configure(zhunan.county, recurrent=150_000)
    association = AssociationFactory(township=zhunan)
    applications = [
        to_review(draft(zhunan_clerk, association, requested=95_000), zhunan_clerk, county_officer)
        for _n in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(pk: int) -> None:
        try:
            barrier.wait()
            application_transition(application_id=pk, action="approve", actor=county_officer)
            result = "approved"
        except SubsidyError as error:
            result = str(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(a.pk,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    allocation = Allocation.objects.get(source=source(zhunan.county), year=YEAR)
    approved = FundingLine.objects.filter(application__state=State.APPROVED, source=allocation.source)
    held = sum(approved.values_list("approved", flat=True))
    assert outcomes.count("approved") == 1
    assert [o for o in outcomes if o != "approved"] == [
        "縣社會福利基金115年度經常門配額剩餘 55,000 元，不足核定 95,000 元。"
    ] * 19
    assert allocation.recurrent_amount - held == 55_000


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_edits_of_one_application_page_save_one_and_refuse_the_other(zhunan, zhunan_clerk):
    configure(zhunan.county)
    association = AssociationFactory(township=zhunan)
    application = draft(zhunan_clerk, association)
    version = version_of(services.application_history(application.pk))
    posts = [_form(association, title=title, edit_version=version) for title in ("甲計畫", "乙計畫")]

    results = side_by_side(zhunan_clerk, f"/subsidies/{application.pk}/edit/", posts)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.status_code for r in results) == [200, 302]
    refused = next(r for r in results if r.status_code == 200)
    assert STALE in refused.content.decode()
    saved = next(p for p, r in zip(posts, results, strict=True) if r.status_code == 302)
    application.refresh_from_db()
    assert application.title == saved["title"]
    assert application.funding_lines.count() == 1  # the refused save removed and added no lines


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_yearly_configuration_page_save_one(zhunan, county_officer):
    configure(zhunan.county)
    fund = source(zhunan.county, FUND)
    client = Client()
    client.force_login(county_officer)
    form = client.get(f"/subsidies/config/{YEAR - 1911}/").context["form"]
    data = {f.html_name: f.value() if f.value() is not None else "" for f in form}
    posts = [{**data, f"alloc_{fund.pk}_recurrent": amount} for amount in (2_000_000, 3_000_000)]

    results = side_by_side(county_officer, f"/subsidies/config/{YEAR - 1911}/", posts)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.status_code for r in results) == [200, 302]
    saved = next(p for p, r in zip(posts, results, strict=True) if r.status_code == 302)
    assert (
        Allocation.objects.get(source=fund, year=YEAR).recurrent_amount == saved[f"alloc_{fund.pk}_recurrent"]
    )
