"""The pages fit a phone and a laptop without the page scrolling sideways, and print on A4."""

import re

import pytest

from grading.services import assessments_recompute_system
from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.browser.conftest import log_in
from tests.grading.factories import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE_PAGES = ["/associations/", "/grading/112/register/", "/associations/compliance/112/", "/grading/todo/"]
A4_POINTS = (595, 842)


@pytest.fixture
def wide_rows(zhunan, zhunan_clerk):
    """Long names, several failed rules and filled date cells: the rows that made the tables too wide."""
    for n in range(4):
        association = AssociationFactory(
            township=zhunan, name=f"苗栗縣竹南鎮大埔里暨中美里第{n}聯合社區發展協會"
        )
        OfficerFactory(association=association, name="歐陽諸葛慕容理事長")
        MeetingFactory(association=association)
    assessments_recompute_system(county=zhunan.county, year=2023)


def _open(page, viewport: dict[str, int], url: str) -> None:
    page.set_viewport_size(viewport)
    log_in(page, "zhunan")
    page.goto(url)


def _page_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [390, 1280])
def test_no_wide_page_scrolls_sideways(page, wide_rows, width):
    _open(page, {"width": width, "height": 844}, "/")
    for url in WIDE_PAGES:
        page.goto(url)
        assert page.locator("table").first.is_visible()
        assert _page_overflow(page) <= 0, url


def test_the_grid_keeps_the_name_and_the_save_button_in_view_at_1280(page, wide_rows):
    _open(page, {"width": 1280, "height": 800}, "/associations/compliance/112/")
    row = page.locator("table.grid tbody tr").first
    save = row.get_by_role("button", name="儲存").bounding_box()
    assert save["x"] + save["width"] <= 1280
    scroll_to_the_end = "box => { box.scrollLeft = box.scrollWidth; return box.scrollLeft; }"
    assert page.locator(".grid-wrap").evaluate(scroll_to_the_end) > 0
    name = row.locator("th[scope=row]").bounding_box()
    wrap = page.locator(".grid-wrap").bounding_box()
    assert abs(name["x"] - wrap["x"]) <= 1


def test_the_printed_register_has_the_print_header_and_sign_off_but_no_menu(page, wide_rows):
    _open(page, {"width": 1280, "height": 800}, "/grading/112/register/")
    assert not page.locator(".signoff").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.get_by_role("button", name="查詢").is_visible()
    assert page.get_by_text("列印日期：").is_visible()
    for role in ("承辦人", "科長", "處長"):
        assert page.locator(".signoff").get_by_text(role).is_visible()


def test_the_register_prints_on_a4_pages(page, wide_rows):
    _open(page, {"width": 1280, "height": 800}, "/grading/112/register/")
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert 1 <= len(boxes) <= 2
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {A4_POINTS}


def test_arrow_down_in_the_language_menu_does_not_switch_until_the_button_is_pressed(page, wide_rows):
    _open(page, {"width": 1280, "height": 800}, "/associations/")
    menu = page.get_by_label("Language / 語言")
    menu.focus()
    menu.press("ArrowDown")
    page.wait_for_timeout(300)
    assert menu.input_value() == "en"
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    page.get_by_role("button", name="切換語言").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_role("link", name="Home").is_visible()
