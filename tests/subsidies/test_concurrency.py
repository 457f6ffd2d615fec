"""Parallel approvals on PostgreSQL: the allocation rows are locked, so an allocation with room for one
approval gives exactly one, and the balance is exact."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from subsidies.models import Allocation, FundingLine, State
from subsidies.services import SubsidyError, application_transition
from tests.associations.factories import AssociationFactory
from tests.subsidies.factories import YEAR, configure, draft, source, to_review

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
