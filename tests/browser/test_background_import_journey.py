"""A large roster in a real browser (issue 15, item 5): the upload leaves the request, the page shows a
progress bar while the preview waits for the task worker, then reloads into the preview by itself; the
confirmation does the same and ends on the result. The worker's work is done by the test thread between
the steps (as `db_worker` would in its own process)."""

import csv

import pytest
from playwright.sync_api import expect

from associations.models import Association
from tests.background import run_queued_tasks
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_and_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BACKGROUND_BYTES = 10


def test_a_large_roster_shows_its_progress_then_its_preview_then_its_result(
    page, county_officer, zhunan, tmp_path
):
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["鄉鎮市", "名稱", "理事長"], ["竹南鎮", "大埔社區發展協會", "王大明"]])
    log_in(page, "county")

    page.goto("/associations/import/")
    page.get_by_label("名冊檔案").set_input_files(str(roster))
    page.get_by_role("button", name="上傳並預覽").click()
    page.wait_for_url("**/associations/import/?run=*")
    expect(page.locator("progress")).to_be_visible()
    expect(page.locator("[data-task-text]")).to_have_text("排隊中，等候背景工作執行……")

    run_queued_tasks()
    expect(page.get_by_text("預覽結果（尚未寫入）", exact=False)).to_be_visible()
    assert not Association.objects.exists()

    page.get_by_role("button", name="確認匯入").click()
    expect(page.locator("progress")).to_be_visible()
    run_queued_tasks()
    expect(page.get_by_text("已匯入「roster.csv」", exact=False)).to_be_visible()
    assert list(Association.objects.values_list("name", flat=True)) == ["大埔社區發展協會"]
