"""Journeys a township clerk takes through the registry, in a real browser."""

import datetime

import pytest

from associations.models import Officer
from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_finds_own_association_and_records_a_new_executive_secretary(page, zhunan_clerk, zhunan):
    association = AssociationFactory(township=zhunan, name="大埔社區發展協會")
    OfficerFactory(association=association, name="林志明")
    log_in(page, "zhunan")
    page.get_by_role("link", name="社區發展協會").first.click()
    page.get_by_label("搜尋").fill("大埔")
    page.get_by_role("button", name="查詢").click()
    page.get_by_role("link", name="大埔社區發展協會").click()
    page.get_by_role("link", name="新增幹部").click()
    page.get_by_label("職稱").select_option(label="總幹事")
    page.get_by_label("姓名").fill("陳美華")
    page.get_by_label("任期起日").fill("113/3/1")
    page.get_by_role("button", name="儲存").click()
    page.get_by_text("已新增幹部").wait_for()
    officer = Officer.objects.get(name="陳美華")
    assert officer.position == Officer.Position.EXECUTIVE_SECRETARY
    assert officer.term_start == datetime.date(2024, 3, 1)
    assert page.get_by_role("cell", name="113/03/01 – …").is_visible()


def test_clerk_sees_a_chinese_message_for_a_date_that_does_not_exist(page, zhunan_clerk, zhunan):
    association = AssociationFactory(township=zhunan)
    log_in(page, "zhunan")
    page.goto(f"/associations/{association.pk}/edit/")
    page.get_by_label("成立日期").fill("112/02/30")
    page.get_by_role("button", name="儲存").click()
    assert page.get_by_text("日期不存在").is_visible()
    association.refresh_from_db()
    assert association.founded_on == datetime.date(1995, 3, 1)


def test_clerk_of_another_township_is_shown_not_found(page, toufen_clerk, zhunan):
    association = AssociationFactory(township=zhunan, name="大埔社區發展協會")
    log_in(page, "toufen")
    response = page.goto(f"/associations/{association.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="找不到頁面").is_visible()
    assert "大埔社區發展協會" not in page.content()
