"""People are named by their full name wherever the pages show who did something, and the admin shows
ROC dates (issue 12, item 5)."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone

from core.models import ImportRecord, SecurityEvent
from grading.models import Tier, TierRegister
from tests.associations.factories import AssociationFactory
from tests.grading.factories import AssessmentFactory


@pytest.fixture
def named_officer(county_officer):
    county_officer.first_name = "陳美玲"
    county_officer.save(update_fields=["first_name"])
    return county_officer


def _overridden_by(user, township):
    return AssessmentFactory(
        association=AssociationFactory(township=township),
        override_tier=Tier.DEVELOPING,
        override_reason="實地訪視",
        overridden_by=user,
        overridden_at=timezone.now(),
    )


def test_an_override_names_the_officer_not_their_username(county_client, named_officer, zhunan):
    assessment = _overridden_by(named_officer, zhunan)

    html = county_client.get(assessment.get_absolute_url()).content.decode()

    assert "陳美玲 於" in html


def test_a_finalised_register_names_who_finalised_it(county_client, named_officer, zhunan):
    TierRegister.objects.create(
        county=named_officer.membership.county,
        year=2023,
        state=TierRegister.State.FINALISED,
        finalised_by=named_officer,
        finalised_at=timezone.now(),
    )

    html = county_client.get("/grading/112/").content.decode()

    assert "陳美玲 於" in html


def test_a_user_without_a_full_name_is_named_by_username(county_client, county_officer, zhunan):
    assessment = _overridden_by(county_officer, zhunan)

    assert "county 於" in county_client.get(assessment.get_absolute_url()).content.decode()


def test_the_admin_lists_dates_in_roc_form(admin_client_, administrator):
    record = ImportRecord.objects.create(kind="roster", file_name="名冊.csv", user=administrator)
    noon = timezone.make_aware(datetime.datetime(2026, 12, 2, 12, 0))
    ImportRecord.objects.filter(pk=record.pk).update(created_at=noon)

    html = admin_client_.get("/admin/core/importrecord/").content.decode()

    assert "115/12/02 12:00" in html
    assert "2026年12月2日" not in html


def test_the_admin_lists_who_imported_by_full_name(admin_client_, administrator):
    administrator.first_name = "王大明"
    administrator.save(update_fields=["first_name"])
    ImportRecord.objects.create(kind="roster", file_name="名冊.csv", user=administrator)

    assert "王大明" in admin_client_.get("/admin/core/importrecord/").content.decode()


# --- the admin's change pages, date hierarchy, history and date inputs (issue 12 item 5) ------------------

NOON = timezone.make_aware(datetime.datetime(2026, 12, 2, 12, 0))
LONG_FORMS = ["2026年12月2日", "2026年12月", "12月2日", "Dec. 2, 2026", "2026-12-02"]


def _no_gregorian(html: str) -> None:
    assert [form for form in LONG_FORMS if form in html] == []


def test_a_read_only_field_on_an_admin_change_page_shows_its_roc_time(admin_client_, administrator):
    record = ImportRecord.objects.create(kind="roster", file_name="名冊.csv", user=administrator)
    ImportRecord.objects.filter(pk=record.pk).update(created_at=NOON)

    html = admin_client_.get(f"/admin/core/importrecord/{record.pk}/change/").content.decode()

    assert '<div class="readonly">115/12/02 12:00</div>' in html
    assert "執行時間" in html  # the field keeps its label
    _no_gregorian(html)


def test_a_view_only_admin_page_shows_every_date_in_roc_form(admin_client_, county_officer):
    register = TierRegister.objects.create(
        county=county_officer.membership.county,
        year=2026,
        state=TierRegister.State.FINALISED,
        finalised_by=county_officer,
        finalised_at=NOON,
    )

    html = admin_client_.get(f"/admin/grading/tierregister/{register.pk}/change/").content.decode()

    assert '<div class="readonly">115/12/02 12:00</div>' in html
    _no_gregorian(html)


def test_the_users_page_shows_sign_in_and_joining_times_in_roc_form(admin_client_, county_officer):
    type(county_officer).objects.filter(pk=county_officer.pk).update(last_login=NOON, date_joined=NOON)

    html = admin_client_.get(f"/admin/auth/user/{county_officer.pk}/change/").content.decode()

    assert html.count('<div class="readonly">115/12/02 12:00</div>') == 2
    _no_gregorian(html)


def _security_events_at(*moments: datetime.datetime) -> None:
    for moment in moments:
        SecurityEvent.objects.create(kind=SecurityEvent.Kind.SIGN_IN, username="county", at=moment)


def test_the_date_hierarchy_names_roc_years(admin_client_):
    SecurityEvent.objects.all().delete()  # the administrator's own sign-in of today
    _security_events_at(NOON, NOON - datetime.timedelta(days=400))

    html = admin_client_.get("/admin/core/securityevent/").content.decode()

    assert 'at__year=2025">114年</a>' in html
    assert 'at__year=2026">115年</a>' in html


def test_the_date_hierarchy_names_roc_months_and_days(admin_client_):
    _security_events_at(NOON, NOON - datetime.timedelta(days=40))

    months = admin_client_.get("/admin/core/securityevent/?at__year=2026").content.decode()
    days = admin_client_.get("/admin/core/securityevent/?at__year=2026&at__month=12").content.decode()
    day = admin_client_.get(
        "/admin/core/securityevent/?at__year=2026&at__month=12&at__day=2"
    ).content.decode()

    assert ">115/10</a>" in months and ">115/12</a>" in months
    assert "&lsaquo; 115年</a>" in days and ">115/12/02</a>" in days
    assert "&lsaquo; 115/12</a>" in day and "115/12/02" in day
    for html in (months, days, day):
        _no_gregorian(html)


def test_an_associations_history_shows_roc_times_and_changed_dates(admin_client_, zhunan):
    association = AssociationFactory(township=zhunan, founded_on=datetime.date(1995, 3, 1))
    association.founded_on = datetime.date(1996, 4, 2)
    association.save()
    association.history.update(history_date=NOON)

    html = admin_client_.get(f"/admin/associations/association/{association.pk}/history/").content.decode()

    assert "<td>115/12/02 12:00</td>" in html
    assert "84/03/01" in html and "85/04/02" in html  # the change of the founding date
    _no_gregorian(html)
    assert "1995" not in html


def test_an_admin_log_history_shows_roc_times(admin_client_, administrator, zhunan_clerk):
    membership = zhunan_clerk.membership
    LogEntry.objects.log_actions(administrator.pk, [membership], CHANGE, change_message="測試")
    LogEntry.objects.update(action_time=NOON)

    html = admin_client_.get(f"/admin/associations/staffmembership/{membership.pk}/history/").content.decode()

    assert '<th scope="row">115/12/02 12:00</th>' in html
    _no_gregorian(html)


def _association_form(association, **changes) -> dict[str, object]:
    data = {
        "name": association.name,
        "township": association.township_id,
        "status": association.status,
        "board_meeting_interval_months": association.board_meeting_interval_months,
        "founded_on": "",
        "dissolved_on": "",
        "officers-TOTAL_FORMS": "0",
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": "1000",
    }
    return {**data, **changes}


def test_an_admin_date_is_typed_in_roc_form_and_shown_so(admin_client_, zhunan):
    association = AssociationFactory(township=zhunan, founded_on=datetime.date(1995, 3, 1))
    url = f"/admin/associations/association/{association.pk}/change/"

    assert 'name="founded_on" value="84/03/01"' in admin_client_.get(url).content.decode()
    response = admin_client_.post(url, _association_form(association, founded_on="85/4/2"))

    assert response.status_code == 302, response.context["errors"] if response.context else response
    association.refresh_from_db()
    assert association.founded_on == datetime.date(1996, 4, 2)


def test_an_unreadable_admin_date_is_refused_in_chinese(admin_client_, zhunan):
    association = AssociationFactory(township=zhunan)
    url = f"/admin/associations/association/{association.pk}/change/"

    response = admin_client_.post(url, _association_form(association, founded_on="85/13/40"))

    assert response.status_code == 200
    assert "日期不存在：85/13/40" in response.content.decode()


def test_an_officers_term_is_typed_in_roc_form_in_the_associations_admin(admin_client_, zhunan):
    association = AssociationFactory(township=zhunan)
    data = _association_form(
        association,
        **{
            "officers-TOTAL_FORMS": "1",
            "officers-0-association": association.pk,
            "officers-0-position": "chair",
            "officers-0-name": "林一",
            "officers-0-term_start": "113/1/1",
            "officers-0-term_end": "116.12.31",
        },
    )

    response = admin_client_.post(f"/admin/associations/association/{association.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"]
    officer = association.officers.get()
    assert (officer.term_start, officer.term_end) == (datetime.date(2024, 1, 1), datetime.date(2027, 12, 31))
