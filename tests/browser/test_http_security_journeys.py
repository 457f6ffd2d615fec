"""The Content-Security-Policy in a real browser: pages and the admin raise no violation, and the scripts
moved out of the templates (delete confirmations, the language menu) still work."""

import pytest

from associations.models import Officer
from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page) -> list[str]:
    """Every CSP violation the browser reports on the pages the test opens."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return found


def test_clerk_confirms_an_officer_deletion_without_any_policy_violation(
    page, violations, zhunan_clerk, zhunan
):
    association = AssociationFactory(township=zhunan)
    OfficerFactory(association=association, name="林志明")
    log_in(page, "zhunan")
    page.goto(f"/associations/{association.pk}/")
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="刪除").click()
    page.wait_for_url(f"**/associations/{association.pk}/")
    assert questions == ["確定要刪除這位幹部嗎？"]
    assert not Officer.objects.filter(name="林志明").exists()
    assert violations == []


def test_declining_the_confirmation_keeps_the_officer(page, zhunan_clerk, zhunan):
    association = AssociationFactory(township=zhunan)
    OfficerFactory(association=association, name="林志明")
    log_in(page, "zhunan")
    page.goto(f"/associations/{association.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="刪除").click()
    page.wait_for_timeout(500)
    assert Officer.objects.filter(name="林志明").exists()


def test_picking_english_in_the_menu_switches_the_page(page, violations, zhunan_clerk):
    log_in(page, "zhunan")
    page.get_by_label("Language / 語言").select_option("en")
    page.get_by_role("button", name="切換語言").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert violations == []


def test_admin_pages_raise_no_policy_violation(page, violations, administrator, zhunan):
    association = AssociationFactory(township=zhunan)
    log_in(page, "admin")
    violations.clear()
    for url in (
        "/admin/",
        "/admin/associations/association/",
        "/admin/associations/association/add/",
        f"/admin/associations/association/{association.pk}/change/",
        "/admin/auth/user/",
    ):
        assert page.goto(url).status == 200
        page.wait_for_load_state("load")
    assert violations == []
