"""Sign-in that holds against guessing (issue 9, item 5): a username and an address are each locked after
repeated failures until a cool-off has passed, usernames are matched without regard to case, and every
outcome is logged."""

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from tests.associations.factories import StaffFactory

PASSWORD = "pw-for-tests-only"
START = datetime.datetime(2026, 3, 5, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))


@pytest.fixture(autouse=True)
def _lockout_rules(settings):
    """The limits these tests count against, whatever the environment says."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
    settings.AXES_RESET_ON_SUCCESS = True
    settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _sign_in(username: str, password: str = PASSWORD, address: str = "192.0.2.1", **headers):
    return Client().post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def _fail(times: int, username: str = "zhunan", address: str = "192.0.2.1", **headers) -> None:
    """Wrong passwords; the one that reaches the limit already answers with the lockout page."""
    for _ in range(times):
        assert _sign_in(username, "wrong-password", address, **headers).status_code in {200, 429}


def _signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_correct_password_signs_in(zhunan_clerk):
    assert _signed_in(_sign_in("zhunan"))


def test_failures_up_to_the_limit_lock_the_username_even_from_another_address(zhunan_clerk):
    _fail(3, address="192.0.2.1")

    response = _sign_in("zhunan", address="198.51.100.2")

    assert response.status_code == 429
    assert "_auth_user_id" not in response.wsgi_request.session


def test_failures_up_to_the_limit_lock_the_address_even_for_another_username(toufen_clerk):
    _fail(3, username="nobody", address="192.0.2.1")

    assert _sign_in("toufen", address="192.0.2.1").status_code == 429


def test_failures_below_the_limit_do_not_lock(zhunan_clerk):
    _fail(2)

    assert _signed_in(_sign_in("zhunan"))


def test_lockout_page_says_in_chinese_when_to_try_again(zhunan_clerk, clock):
    _fail(2)

    response = _sign_in("zhunan", "wrong-password")

    assert response.status_code == 429
    assert "登入失敗次數過多" in response.content.decode()
    assert "請於 115/03/05 10:15 之後再試" in response.content.decode()


def test_locked_out_user_is_still_refused_just_before_the_cool_off_ends(zhunan_clerk, clock):
    _fail(3)
    clock.shift(datetime.timedelta(minutes=14))

    assert _sign_in("zhunan").status_code == 429


def test_locked_out_user_signs_in_again_after_the_cool_off(zhunan_clerk, clock):
    _fail(3)
    clock.shift(datetime.timedelta(minutes=16))

    assert _signed_in(_sign_in("zhunan"))


def test_tries_during_a_lockout_do_not_prolong_it(zhunan_clerk, clock):
    _fail(3)
    clock.shift(datetime.timedelta(minutes=10))
    assert _sign_in("zhunan", "wrong-password").status_code == 429
    clock.shift(datetime.timedelta(minutes=6))

    assert _signed_in(_sign_in("zhunan"))


def test_a_successful_sign_in_resets_the_failure_count(zhunan_clerk):
    _fail(2)
    assert _signed_in(_sign_in("zhunan"))
    _fail(2)

    assert _signed_in(_sign_in("zhunan"))


def test_another_accounts_sign_in_does_not_clear_guesses_from_the_same_address(zhunan_clerk, toufen_clerk):
    _fail(2, username="zhunan")
    assert _signed_in(_sign_in("toufen"))
    _fail(1, username="zhunan")

    assert _sign_in("zhunan", address="198.51.100.2").status_code == 429


def test_administrator_releases_a_lockout_with_axes_reset_username(zhunan_clerk):
    _fail(3)

    call_command("axes_reset_username", "zhunan")

    assert _signed_in(_sign_in("zhunan"))


def test_username_in_another_case_signs_in_to_the_same_account(zhunan_clerk):
    response = _sign_in("Zhunan")

    assert _signed_in(response)
    assert response.wsgi_request.user == zhunan_clerk


def test_failures_in_any_case_count_against_one_username(zhunan_clerk):
    _fail(1, username="ZHUNAN", address="192.0.2.1")
    _fail(1, username="Zhunan", address="192.0.2.2")
    _fail(1, username="zhunan", address="192.0.2.3")

    assert _sign_in("zhunan", address="192.0.2.4").status_code == 429


def test_usernames_differing_only_by_case_are_both_refused(db):
    StaffFactory(username="chen")
    StaffFactory(username="Chen")

    assert _sign_in("chen").status_code == 200
    assert _sign_in("Chen").status_code == 200


def test_add_staff_in_another_case_updates_the_existing_account(zhunan_clerk, monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", "a-new-password-2026")

    call_command("add_staff", "ZhuNan", "--role", "county", stdout=None)

    zhunan_clerk.refresh_from_db()
    assert zhunan_clerk.check_password("a-new-password-2026")
    assert zhunan_clerk.membership.role == "county"


def test_visitors_behind_one_proxy_are_counted_by_their_forwarded_address(settings, toufen_clerk):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail(3, username="nobody", address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")

    response = _sign_in("toufen", address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert _signed_in(response)


def test_a_forged_forwarded_address_does_not_escape_the_lockout(settings, toufen_clerk):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail(3, username="nobody", address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")

    response = _sign_in("toufen", address="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")

    assert response.status_code == 429


def _security_records(caplog, outcome: str) -> list[tuple[str, str]]:
    return [
        (record.username, record.address)
        for record in caplog.records
        if record.name == "portal.security" and record.outcome == outcome
    ]


def test_failed_sign_in_is_logged_with_username_and_address(zhunan_clerk, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        _fail(1, username="Zhunan", address="192.0.2.7")

    assert _security_records(caplog, "failed") == [("Zhunan", "192.0.2.7")]


def test_successful_sign_in_is_logged_with_username_and_address(zhunan_clerk, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        _sign_in("zhunan", address="192.0.2.7")

    assert _security_records(caplog, "succeeded") == [("zhunan", "192.0.2.7")]


def test_lockout_is_logged_with_username_and_address(zhunan_clerk, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        _fail(2, address="192.0.2.7")
        _sign_in("zhunan", "wrong-password", address="192.0.2.7")

    assert _security_records(caplog, "locked out") == [("zhunan", "192.0.2.7")]
