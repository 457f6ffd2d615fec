"""An application's whole route through the staff pages in a browser, with every role: the administrator
sets the allocation, the township clerk enters, submits and forwards it, the county officer reviews,
approves and disburses, the clerk submits the closeout, and the county officer closes it."""

import pytest

from subsidies.models import Application, FundingLine, State
from subsidies.services import configuration_ensure
from tests.associations.factories import AssociationFactory
from tests.browser.conftest import log_in
from tests.subsidies.factories import FUND, source

pytestmark = pytest.mark.browser
YEAR = 2026


def _act(page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def _as(browser, live_server, username: str):
    context = browser.new_context(base_url=live_server.url, locale="zh-TW")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, username)
    return context, page


def test_an_application_goes_from_entry_to_closed_through_every_role(
    browser, live_server, frozen_today, zhunan, zhunan_clerk, county_officer, administrator
):
    configure_county = zhunan.county
    configuration_ensure(county=configure_county, year=YEAR)
    association = AssociationFactory(township=zhunan, name="竹南鎮中美社區發展協會")
    fund = source(configure_county, FUND)

    admin_context, admin = _as(browser, live_server, "admin")
    admin.goto(f"/subsidies/config/{YEAR - 1911}/")
    admin.locator(f"[name=alloc_{fund.pk}_recurrent]").fill("500000")
    admin.get_by_role("button", name="儲存").click()
    admin.wait_for_load_state()
    admin_context.close()

    clerk_context, clerk = _as(browser, live_server, "zhunan")
    clerk.goto("/subsidies/new/")
    clerk.get_by_label("協會").select_option(str(association.pk))
    clerk.get_by_label("年度").select_option(str(YEAR))
    clerk.get_by_label("補助項目").select_option(label="凝聚社區意識活動")
    clerk.get_by_label("計畫名稱").fill("中美社區中秋晚會")
    clerk.get_by_label("期程開始").fill("115/09/01")
    clerk.get_by_label("期程結束").fill("115/09/30")
    clerk.get_by_label("自籌款（元）").fill("10000")
    clerk.locator("[name=cost-0-description]").fill("餐費及場地")
    clerk.locator("[name=cost-0-amount]").fill("100000")
    clerk.get_by_label("縣社會福利基金（經常門）").fill("90000")
    clerk.get_by_role("button", name="儲存").click()
    clerk.wait_for_url("**/subsidies/*/")
    _act(clerk, "送公所初審")
    _act(clerk, "層轉縣府")

    county_context, county = _as(browser, live_server, "county")
    county.goto("/subsidies/queue/")
    county.get_by_role("link", name="115-竹南-001").click()
    _act(county, "開始審查")
    assert "補助資格" in county.content()
    _act(county, "核定補助")
    _act(county, "撥款")

    clerk.reload()
    clerk.locator("form:has(input[value=submit_closeout]) input[name^=amount_]").fill("88000")
    _act(clerk, "送核銷")

    county.reload()
    _act(county, "核銷結案")
    timeline = county.locator(".timeline").inner_text()
    county_context.close()
    clerk_context.close()

    application = Application.objects.get()
    line = FundingLine.objects.get()
    assert application.state == State.CLOSED
    assert (line.approved, line.disbursed, line.spent, line.returned) == (90_000, 90_000, 88_000, 2_000)
    assert "核銷審查中 → 已結案" in timeline
