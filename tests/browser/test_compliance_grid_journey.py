"""A clerk's journey through the township grid in a browser: type a row, press Enter, see the status."""

import datetime

import pytest

from grading.models import Assessment, ComplianceStatus
from tests.associations.factories import AssociationFactory
from tests.browser.conftest import log_in
from tests.grading.factories import MeetingFactory

pytestmark = pytest.mark.browser


def test_clerk_records_a_year_in_the_grid_with_the_keyboard(page, zhunan, zhunan_clerk):
    association = AssociationFactory(township=zhunan, name="竹南鎮中美社區發展協會")
    log_in(page, "zhunan")
    page.goto("/associations/compliance/112/")
    row = page.locator(f"#row-{association.pk}")
    row.get_by_label("會員大會日期").fill("112/05/20")
    row.get_by_label("大會紀錄送府日期").fill("1120601")
    row.get_by_label("理事會日期").fill("112/03/01、112/08/01")
    row.get_by_label("監事會日期").fill("112/03/01,112/08/01")
    row.get_by_label("工作計畫及預算送府日期").fill("111/12/20")
    row.get_by_label("工作報告及決算送府日期").fill("113/03/31")
    row.get_by_label("任期屆滿日").fill("115/02/28")
    row.get_by_label("任期屆滿日").press("Enter")
    page.wait_for_url(f"**#row-{association.pk}")
    assert page.locator(f"#row-{association.pk} .badge").inner_text() == "正常"
    assert Assessment.objects.get(association=association).status == ComplianceStatus.NORMAL


def test_clerk_corrects_a_meeting_date_in_the_grid_and_keeps_its_minutes_and_note(page, zhunan, zhunan_clerk):
    association = AssociationFactory(township=zhunan, name="竹南鎮中港社區發展協會")
    MeetingFactory(
        association=association,
        kind="board",
        held_on=datetime.date(2023, 4, 1),
        minutes_filed_on=datetime.date(2023, 4, 10),
        note="改選後第一次理事會",
    )
    log_in(page, "zhunan")
    page.goto("/associations/compliance/112/")
    row = page.locator(f"#row-{association.pk}")
    row.get_by_label("理事會日期").fill("112/04/02")
    row.get_by_label("理事會日期").press("Enter")
    page.wait_for_url(f"**#row-{association.pk}")
    assert "理事會 112/04/01 改為 112/04/02" in page.locator("body").inner_text()
    page.get_by_role("link", name="竹南鎮中港社區發展協會").click()
    checklist = page.locator("body").inner_text()
    assert "112/04/02" in checklist
    assert "112/04/10" in checklist
    assert "改選後第一次理事會" in checklist
