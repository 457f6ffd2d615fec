"""Budget execution per source and township matches the decided applications to the dollar."""

from __future__ import annotations

import pytest

from subsidies.budget import Row
from subsidies.models import ExpenseKind
from tests.associations.factories import AssociationFactory
from tests.subsidies.factories import YEAR, advance, configure, draft, to_review


@pytest.fixture
def decided(zhunan, zhunan_clerk, county_officer):
    configure(zhunan.county, recurrent=1_000_000)
    association = AssociationFactory(township=zhunan, name="竹南社區發展協會")
    paid = advance(
        to_review(draft(zhunan_clerk, association), zhunan_clerk, county_officer),
        [(county_officer, "approve"), (county_officer, "disburse")],
    )
    line = paid.funding_lines.get()
    advance(paid, [(zhunan_clerk, "submit_closeout")], amounts={line.pk: 90_000})
    partly = to_review(draft(zhunan_clerk, association, title="部分核定的案子"), zhunan_clerk, county_officer)
    from subsidies.services import application_transition

    application_transition(
        application_id=partly.pk,
        action="approve_partly",
        actor=county_officer,
        amounts={partly.funding_lines.get().pk: 60_000},
    )
    advance(
        to_review(draft(zhunan_clerk, association, title="不予補助"), zhunan_clerk, county_officer),
        [(county_officer, "reject")],
    )
    draft(zhunan_clerk, association, title="草稿不算")


def _row(response, label: str):
    return next(r for r in response.context["result"].sources if r.label == label)


def test_the_source_row_adds_up_the_decided_applications(county_client, decided):
    response = county_client.get(f"/subsidies/budget/{YEAR - 1911}/")

    row = _row(response, "縣社會福利基金（經常門）")
    assert (row.allocated, row.approved, row.disbursed, row.spent, row.returned, row.balance) == (
        1_000_000,
        155_000,
        95_000,
        90_000,
        5_000,
        845_000,
    )
    assert row.rate == 9.0


def test_the_township_rows_add_up_to_the_same_money(county_client, decided):
    response = county_client.get(f"/subsidies/budget/{YEAR - 1911}/")

    [township] = response.context["result"].townships
    assert (township.label, township.approved, township.disbursed, township.spent, township.returned) == (
        "竹南鎮",
        155_000,
        95_000,
        90_000,
        5_000,
    )


def test_the_chart_is_drawn_on_the_server_with_its_target_marks(county_client, decided):
    text = county_client.get(f"/subsidies/budget/{YEAR - 1911}/").content.decode()

    assert "<svg" in text
    assert 'stroke-dasharray="3 2"' in text
    assert "<script" not in text.split("<svg")[1].split("</svg>")[0]


def test_another_townships_clerk_sees_none_of_the_money(toufen_client, decided):
    response = toufen_client.get(f"/subsidies/budget/{YEAR - 1911}/")

    assert response.context["result"].townships == []
    assert "竹南" not in response.content.decode()


def test_a_recurrent_row_meets_its_target_at_90_percent():
    assert Row("x", ExpenseKind.RECURRENT, 100, disbursed=90).on_target is True
    assert Row("x", ExpenseKind.RECURRENT, 100, disbursed=89).on_target is False
    assert Row("x", ExpenseKind.CAPITAL, 100, disbursed=80).on_target is True
