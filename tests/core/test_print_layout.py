"""What a page carries for paper: the county, the day printed and, on the tier register, a sign-off block."""

import datetime

import pytest

from tests.associations.factories import AssociationFactory


def _print_header(content: str) -> str:
    start = content.index('<div class="print-only print-header">')
    return content[start : content.index("</div>", start)]


@pytest.fixture
def printed_on_5_march_2027(monkeypatch):
    monkeypatch.setattr("core.context_processors.timezone.localdate", lambda: datetime.date(2027, 3, 5))


def test_a_page_carries_the_print_date_in_roc_form(county_client, printed_on_5_march_2027):
    header = _print_header(county_client.get("/").content.decode())
    assert "列印日期：116/03/05" in header


def test_the_print_header_names_the_county_the_officer_serves(county_client, settings):
    settings.PORTAL_COUNTY = "雲林縣"
    header = _print_header(county_client.get("/grading/112/register/").content.decode())
    assert "苗栗縣" in header
    assert "雲林縣" not in header


def test_a_printed_checklist_names_the_association_county(zhunan_client, zhunan, settings):
    settings.PORTAL_COUNTY = "雲林縣"
    association = AssociationFactory(township=zhunan)
    content = zhunan_client.get(f"/associations/{association.pk}/compliance/112/").content.decode()
    assert "苗栗縣" in _print_header(content)


def test_the_tier_register_has_a_sign_off_block_for_paper(county_client, zhunan):
    AssociationFactory(township=zhunan)  # the county's data reach back to 2023
    content = county_client.get("/grading/112/register/").content.decode()
    block = content[content.index('<section class="print-only signoff"') : content.index("</section>")]
    assert all(f"<span>{role}</span>" in block for role in ("承辦人", "科長", "處長"))


def test_a_checklist_an_editor_prints_still_shows_the_filing_dates(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    content = zhunan_client.get(f"/associations/{association.pk}/compliance/112/").content.decode()
    assert '<dl class="facts print-only"><dt>工作計畫及預算送府日期</dt>' in content
