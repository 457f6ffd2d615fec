"""Administrators configure subsidies through django-import-export in the admin."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from subsidies.models import Allocation
from tests.associations.factories import AssociationFactory
from tests.subsidies.factories import FUND, YEAR, advance, configure, draft, source, to_review

XLSX = "0"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("allocations.xlsx", buffer.getvalue())


def _import(client, upload):
    preview = client.post(
        "/admin/subsidies/allocation/import/", {"import_file": upload, "format": XLSX, "resource": "0"}
    )
    confirm = preview.context.get("confirm_form")
    if confirm is None:
        return preview
    return client.post("/admin/subsidies/allocation/process_import/", confirm.initial)


def test_an_administrator_imports_allocations_naming_a_source_by_its_alias(admin_client_, zhunan):
    configure(zhunan.county, recurrent=0, capital=0)

    _import(
        admin_client_,
        _xlsx(
            [
                ["縣市", "經費來源", "年度", "經常門配額", "資本門配額"],
                ["苗栗縣", "社會福利基金", "115", 3_000_000, 500_000],
            ]
        ),
    )

    allocation = Allocation.objects.get(source=source(zhunan.county, FUND), year=YEAR)
    assert (allocation.recurrent_amount, allocation.capital_amount) == (3_000_000, 500_000)


def test_an_allocation_import_below_what_is_approved_writes_nothing(
    admin_client_, zhunan, zhunan_clerk, county_officer
):
    configure(zhunan.county, recurrent=200_000)
    advance(
        to_review(draft(zhunan_clerk, AssociationFactory(township=zhunan)), zhunan_clerk, county_officer),
        [(county_officer, "approve")],
    )

    response = _import(
        admin_client_,
        _xlsx([["縣市", "經費來源", "年度", "經常門配額", "資本門配額"], ["苗栗縣", FUND, "115", 10_000, 0]]),
    )

    assert "已核定 95,000 元" in response.content.decode()
    assert Allocation.objects.get(source=source(zhunan.county, FUND), year=YEAR).recurrent_amount == 200_000


def test_county_officers_do_not_reach_the_admin(county_client):
    assert county_client.get("/admin/subsidies/allocation/").status_code == 302
