"""HTTP and sessions (issue 11, item 6): the security headers, no caching of personal data, the idle
timeout inside the absolute session limit, and the refusal to start on the development key."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

from core.middleware import IdleTimeoutMiddleware
from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.grading.factories import AssessmentFactory, ElectionFactory, MeetingFactory

D = datetime.date
PROJECT = Path(__file__).resolve().parents[2]
STRONG_KEY = "a-strong-production-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF"

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def directives(header: str) -> dict[str, list[str]]:
    """'a x y; b z' -> {'a': ['x', 'y'], 'b': ['z']}"""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


# --- Content-Security-Policy ------------------------------------------------------------------------------


def test_staff_page_carries_the_content_security_policy(county_client):
    response = county_client.get("/")
    assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_login_page_carries_the_content_security_policy(anonymous_client):
    response = anonymous_client.get("/accounts/login/")
    assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_admin_carries_the_same_content_security_policy(admin_client_):
    response = admin_client_.get("/admin/associations/association/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_a_csp_report_address_is_added_when_configured(county_client, settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**EXPECTED_CSP, "report-uri": ["https://reports.example.gov.tw/csp"]}
    }
    response = county_client.get("/")
    assert directives(response["Content-Security-Policy"])["report-uri"] == [
        "https://reports.example.gov.tw/csp"
    ]


# --- no inline script or style in the rendered pages ---------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|action|src)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


@pytest.fixture
def staff_pages(county_client, zhunan_client, anonymous_client, zhunan):
    """The main pages, each with the rows that make its forms (and their confirmations) appear."""
    association = AssociationFactory(township=zhunan)
    OfficerFactory(association=association)
    MeetingFactory(association=association, held_on=D(2023, 5, 20))
    ElectionFactory(association=association, elected_on=D(2022, 3, 1), term_ends_on=D(2026, 2, 28))
    AssessmentFactory(association=association, year=2023)
    county_urls = [
        "/",
        "/associations/",
        "/associations/new/",
        f"/associations/{association.pk}/",
        f"/associations/{association.pk}/edit/",
        "/associations/compliance/112/",
        "/grading/112/",
        "/grading/112/register/",
        "/grading/movement/",
        "/grading/todo/",
        "/grading/112/thresholds/",
        f"/grading/112/associations/{association.pk}/",
    ]
    zhunan_urls = [f"/associations/{association.pk}/", f"/associations/{association.pk}/compliance/112/"]
    return (
        [(county_client, url) for url in county_urls]
        + [(zhunan_client, url) for url in zhunan_urls]
        + [(anonymous_client, "/accounts/login/")]
    )


def _rendered(staff_pages) -> dict[str, str]:
    pages = {}
    for client, url in staff_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_staff_pages_have_no_inline_script_handler_or_javascript_url(staff_pages):
    pages = _rendered(staff_pages)
    offenders = {
        url: [
            m.group(0)
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JAVASCRIPT_URL)
            for m in pattern.finditer(page)
        ]
        for url, page in pages.items()
    }
    assert {url: found for url, found in offenders.items() if found} == {}


def test_staff_pages_have_no_inline_style(staff_pages):
    pages = _rendered(staff_pages)
    offenders = {url: INLINE_STYLE.findall(page) for url, page in pages.items()}
    assert {url: found for url, found in offenders.items() if found} == {}


def test_confirmations_are_asked_by_the_static_script(staff_pages):
    pages = _rendered(staff_pages)
    confirmations = sum(page.count("data-confirm=") for page in pages.values())
    assert confirmations >= 3  # officer, meeting and election deletions
    assert all('src="/static/js/confirm.js"' in page for page in pages.values())


# --- Permissions-Policy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("feature", ["camera", "microphone", "geolocation", "payment", "usb"])
def test_staff_page_switches_off_an_unused_browser_feature(county_client, feature):
    policy = dict(
        part.strip().split("=", 1) for part in county_client.get("/")["Permissions-Policy"].split(",")
    )
    assert policy[feature] == "()"


def test_login_page_carries_the_permissions_policy(anonymous_client):
    response = anonymous_client.get("/accounts/login/")
    assert "camera=()" in response["Permissions-Policy"]


# --- Cache-Control: no-store ------------------------------------------------------------------------------


def test_staff_page_is_not_stored_by_browsers_or_proxies(county_client, zhunan):
    association = AssociationFactory(township=zhunan)
    assert "no-store" in cache_control(county_client.get(f"/associations/{association.pk}/"))


def test_association_export_is_not_stored(county_client, zhunan):
    AssociationFactory(township=zhunan)
    response = county_client.get("/associations/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in cache_control(response)


def test_tier_register_export_is_not_stored(county_client, zhunan):
    AssessmentFactory(association=AssociationFactory(township=zhunan), year=2023)
    response = county_client.get("/grading/112/register/export/?format=xlsx")
    assert response.status_code == 200
    assert "no-store" in cache_control(response)


def test_login_page_is_not_stored(anonymous_client):
    assert "no-store" in cache_control(anonymous_client.get("/accounts/login/"))


def test_admin_page_is_not_stored(admin_client_):
    assert "no-store" in cache_control(admin_client_.get("/admin/associations/association/"))


def test_static_files_keep_their_caching(settings, anonymous_client):
    settings.WHITENOISE_USE_FINDERS = True
    response = anonymous_client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
    assert "Content-Security-Policy" not in response


# --- idle timeout inside the absolute limit ---------------------------------------------------------------

START = datetime.datetime(2024, 3, 4, 9, 0, tzinfo=datetime.UTC)
IDLE = django_settings.SESSION_IDLE_TIMEOUT


def test_idle_timeout_is_thirty_minutes_by_default():
    assert IDLE == 30 * 60


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(clock, county_officer) -> Client:
    """The county officer, logged in at START."""
    client = Client()
    client.force_login(county_officer)
    return client


def test_idle_user_is_logged_out_with_a_message(officer, clock):
    clock.shift(IDLE + IdleTimeoutMiddleware.STAMP_INTERVAL + 1)
    response = officer.get("/associations/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/associations/"
    assert "閒置超過 30 分鐘，請重新登入。" in officer.get(response["Location"]).content.decode()
    assert "_auth_user_id" not in officer.session


def test_user_is_not_logged_out_before_the_idle_timeout(officer, clock):
    clock.shift(IdleTimeoutMiddleware.STAMP_INTERVAL - 1)
    officer.get("/")  # the last request, too soon to be recorded: its time must still count
    clock.shift(IDLE)
    assert officer.get("/associations/").status_code == 200


def test_steady_activity_keeps_the_login_alive(officer, clock):
    for _ in range(12):  # two hours, a request every ten minutes
        clock.shift(10 * 60)
        assert officer.get("/").status_code == 200


def test_last_request_is_recorded_at_most_once_a_minute(officer, clock):
    clock.shift(30)
    officer.get("/")
    assert officer.session[IdleTimeoutMiddleware.LAST_ACTIVITY] == int(START.timestamp())


def test_idle_timeout_and_its_message_follow_the_setting(officer, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 10 * 60
    clock.shift(10 * 60 + IdleTimeoutMiddleware.STAMP_INTERVAL + 1)
    response = officer.get("/", follow=True)
    assert "閒置超過 10 分鐘，請重新登入。" in response.content.decode()


def test_login_through_the_form_is_timed_out_too(clock, county_officer):
    client = Client()
    client.post("/accounts/login/", {"username": "county", "password": "pw-for-tests-only"})
    assert client.get("/").status_code == 200
    clock.shift(IDLE + IdleTimeoutMiddleware.STAMP_INTERVAL + 1)
    assert client.get("/").status_code == 302


def test_login_ends_at_the_absolute_limit_despite_activity(clock, county_officer, settings):
    settings.SESSION_COOKIE_AGE = 60 * 60
    client = Client()
    client.force_login(county_officer)
    for _ in range(3):
        clock.shift(20 * 60 - 1)
        assert client.get("/").status_code == 200
    clock.shift(10)
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_login_from_before_the_timeout_gets_its_clock_at_its_next_request(officer, clock):
    session = officer.session
    del session[IdleTimeoutMiddleware.LAST_ACTIVITY]
    session.save()
    clock.shift(5 * 60 * 60)
    assert officer.get("/").status_code == 200
    clock.shift(IDLE + IdleTimeoutMiddleware.STAMP_INTERVAL + 1)
    assert officer.get("/").status_code == 302


# --- refusal to start on the development key --------------------------------------------------------------


def _manage_check(**env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_portal_refuses_to_start_with_debug_off_and_no_secret_key():
    result = _manage_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak while DEBUG is off" in result.stderr


def test_portal_refuses_the_development_key_with_debug_off():
    development_key = "django-insecure-dev-only-key-change-me-in-production-0123456789"
    result = _manage_check(DEBUG="0", SECRET_KEY=development_key)
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak while DEBUG is off" in result.stderr


def test_portal_refuses_a_placeholder_key_with_debug_off():
    result = _manage_check(DEBUG="0", SECRET_KEY="GENERATE_ME")
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak while DEBUG is off" in result.stderr


def test_portal_starts_with_debug_off_and_a_strong_key():
    result = _manage_check(DEBUG="0", SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr


def test_development_machine_starts_on_the_development_key_with_debug_on():
    result = _manage_check(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_idle_timeout_under_a_minute_is_refused():
    result = _manage_check(DEBUG="1", SESSION_IDLE_TIMEOUT="0")
    assert result.returncode != 0
    assert "SESSION_IDLE_TIMEOUT must be at least 60 seconds." in result.stderr
