"""An association's history as people read it (issue 11, item 5): its own record, officers and facts
(meetings, filings, elections, programme) with who and when, field by field, a page at a time; a change
written by an import names that import, linked for those who may open it."""

import datetime
import importlib
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.models import (
    Association,
    County,
    Election,
    Meeting,
    Officer,
    ProgrammeProfile,
    YearlyFiling,
)
from associations.roster.dataset import roster_import
from core.models import ImportRecord
from tests.associations.factories import AssociationFactory, OfficerFactory
from tests.grading.factories import (
    ElectionFactory,
    MeetingFactory,
    ProgrammeProfileFactory,
    YearlyFilingFactory,
)

D = datetime.date
pytestmark = pytest.mark.usefixtures("frozen_today")

#: Queries of one page of an association's history, whatever its length and whichever kinds of change it
#: mixes: session, user (with its membership), the association, the history's page of rows (one UNION, each
#: row with the id of its previous version), those rows and their previous versions from every historical
#: table (one UNION), and the association's villages as they were.
HISTORY_QUERY_BUDGET = 6

FACT_MODELS = [Association, Officer, Meeting, YearlyFiling, Election, ProgrammeProfile]


def _page(client, association, **params):
    return client.get(f"/associations/{association.pk}/history/", params)


def _rows(html: str) -> list[str]:
    """The history table's rows, as text."""
    table = html.split('<table class="table compact history">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*(.*?)\s*</tr>", table.split("<tbody>", 1)[1], re.S)


@pytest.fixture
def ten_years(zhunan):
    """An association with ten years of facts (2016–2025), each fact saved twice, then one more change of
    each kind so that the newest page holds every kind."""
    association = AssociationFactory(township=zhunan, name="竹南鎮大埔社區發展協會", founded_on=D(1995, 3, 1))
    for term, start in enumerate((2014, 2018, 2022), start=6):
        ElectionFactory(
            association=association,
            term_number=term,
            elected_on=D(start, 3, 1),
            term_ends_on=D(start + 4, 2, 28),
        )
        OfficerFactory.create_batch(15, association=association, term_start=D(start, 3, 1))
    programme = ProgrammeProfileFactory(association=association, volunteer_count=10)
    for year in range(2016, 2026):
        for kind, month in [("general_assembly", 5), ("board", 3), ("board", 9), ("supervisory", 3)]:
            meeting = MeetingFactory(association=association, kind=kind, held_on=D(year, month, 10))
            meeting.note = f"{year} 年度"
            meeting.save(update_fields=["note"])
        filing = YearlyFilingFactory(association=association, year=year, report_accounts_filed_on=None)
        filing.report_accounts_filed_on = D(year + 1, 2, 15)
        filing.save()
        programme.volunteer_count += 1
        programme.save()
    association.member_count = 80
    association.save()
    officer = association.officers.first()
    officer.phone = "037-000111"
    officer.save()
    meeting.minutes_filed_on = D(2025, 3, 31)
    meeting.save()
    filing.note = "補正"
    filing.save()
    election = association.elections.order_by("-term_number").first()
    election.note = "補選"
    election.save()
    programme.regular_services = "老人共餐\n課後陪讀"
    programme.save()
    return association


def test_the_history_shows_changes_to_every_kind_of_fact(zhunan_client, ten_years):
    html = _page(zhunan_client, ten_years).content.decode()

    assert "修改：協會資料" in html
    assert "聯絡電話：<del>—</del> → <ins>037-000111</ins>" in html
    assert "修改：監事會 114/03/10" in html
    assert "會議紀錄送府日期：<del>114/03/20</del> → <ins>114/03/31</ins>" in html
    assert "修改：114年度書表送府" in html
    assert "備註：<del>—</del> → <ins>補正</ins>" in html
    assert "修改：理監事改選（第 8 屆）" in html
    assert "備註：<del>—</del> → <ins>補選</ins>" in html
    assert "修改：方案資料" in html
    assert "其他經常性服務：<del>老人共餐</del> → <ins>老人共餐\n課後陪讀</ins>" in html


def test_the_history_shows_fifty_rows_a_page_newest_first_with_a_link_to_older_ones(zhunan_client, ten_years):
    first = _page(zhunan_client, ten_years).content.decode()
    second = _page(zhunan_client, ten_years, page=2).content.decode()

    assert len(_rows(first)) == 50
    assert "方案資料" in _rows(first)[0]  # the last change made
    assert 'href="?page=2" rel="next"' in first
    assert 'href="?page=1" rel="prev"' in second
    assert set(_rows(first)).isdisjoint(_rows(second))


def test_the_oldest_page_shows_the_first_records_and_no_link_to_older_ones(zhunan_client, ten_years):
    page = 1
    while 'rel="next"' in (html := _page(zhunan_client, ten_years, page=page).content.decode()):
        page += 1

    assert page == 4  # 166 history rows, 50 a page
    assert "新增：理監事改選（第 6 屆）" in html


@pytest.mark.parametrize("wanted", ["0", "-1", "x", "999"])
def test_a_history_page_that_does_not_exist_is_not_found(zhunan_client, ten_years, wanted):
    assert _page(zhunan_client, ten_years, page=wanted).status_code == 404


@pytest.mark.parametrize("page", [1, 2, 4])
def test_ten_years_of_facts_stay_within_the_history_query_budget(
    zhunan_client, ten_years, django_assert_max_num_queries, page
):
    with django_assert_max_num_queries(HISTORY_QUERY_BUDGET):
        response = _page(zhunan_client, ten_years, page=page)

    assert len(_rows(response.content.decode())) > 0


def test_the_history_names_the_person_who_changed_a_fact(zhunan_client, zhunan_clerk, zhunan):
    zhunan_clerk.first_name = "陳竹南"
    zhunan_clerk.save(update_fields=["first_name"])
    meeting = MeetingFactory(association=AssociationFactory(township=zhunan), held_on=D(2026, 3, 1))
    meeting.minutes_filed_on = D(2026, 3, 20)
    meeting._history_user = zhunan_clerk
    meeting.save()

    html = _page(zhunan_client, meeting.association).content.decode()

    assert re.search(r"<td>115/07/01 \d\d:\d\d</td><td>陳竹南</td><td>修改：會員大會 115/03/01</td>", html)


def test_the_history_shows_nothing_of_another_association(zhunan_client, zhunan):
    mine, other = AssociationFactory.create_batch(2, township=zhunan)
    MeetingFactory(association=other, kind="board", held_on=D(2026, 2, 2))
    OfficerFactory(association=other, name="林其他")

    html = _page(zhunan_client, mine).content.decode()

    assert "115/02/02" not in html
    assert "林其他" not in html


def test_a_clerk_of_another_township_does_not_get_the_history(toufen_client, ten_years):
    assert _page(toufen_client, ten_years, page=2).status_code == 404


# --- Imports ----------------------------------------------------------------------------------------------


ROSTER = "鄉鎮市,名稱,成立日期,理事長,電話,地址\n"
COMPLIANCE = (
    "鄉鎮市,協會名稱,會員大會日期,會員大會紀錄送府日期,理事會日期,監事會日期,"
    "工作計畫及預算送府日期,工作報告及決算送府日期,任期屆滿日,備註\n"
)


def _roster(tmp_path, name, *rows):
    path = tmp_path / name
    path.write_text(ROSTER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def _compliance(tmp_path, name, *rows):
    path = tmp_path / name
    path.write_text(COMPLIANCE + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def imported(tmp_path, zhunan, county_officer):
    """Every fact of 竹南鎮大埔社區發展協會 written by imports only: a roster, a changed roster (a new chair,
    the old one's term closed), a compliance sheet, and a second one that changes and removes its facts."""
    county = County.objects.get(name="苗栗縣")
    for name, row in [
        ("名冊1.csv", "竹南鎮,大埔社區發展協會,840301,王大明,037-123456,苗栗縣竹南鎮大埔里1號"),
        ("名冊2.csv", "竹南鎮,大埔社區發展協會,840301,李小華,037-654321,苗栗縣竹南鎮大埔里2號"),
    ]:
        report = roster_import(
            path=_roster(tmp_path, name, row), user=county_officer, county=county, dry_run=False
        )
        assert not report.errors
    for name, row, *flags in [
        (
            "清查1.csv",
            "竹南鎮,大埔社區發展協會,112/05/20,,112/03/01、112/08/01,112/03/01,1111220,,115/02/28,",
        ),
        (
            "清查2.csv",
            "竹南鎮,大埔社區發展協會,112/05/20,112/06/01,112/03/01,,1111220,1130331,115/05/31,",
            "--replace",
        ),
    ]:
        call_command(
            "import_compliance",
            "112",
            str(_compliance(tmp_path, name, row)),
            "--user",
            "county",
            *flags,
            stdout=StringIO(),
        )
    return Association.objects.get(name="大埔社區發展協會")


def test_every_history_row_an_import_writes_names_its_user_and_its_import(imported, county_officer):
    records = {r.file_name: r.pk for r in ImportRecord.objects.filter(outcome=ImportRecord.Outcome.IMPORTED)}
    history = [row for model in FACT_MODELS for row in model.history.all()]
    by_reason = {
        (row.history_change_reason, row.history_import_id, row.history_user_id, row.history_type)
        for row in history
    }

    assert len(records) == 4
    assert {row.history_type for row in history} == {"+", "~", "-"}  # created, changed and removed facts
    assert all(row.history_user_id == county_officer.pk for row in history), by_reason
    assert all(row.history_import_id is not None for row in history), by_reason
    assert {row.history_import_id for row in Meeting.history.filter(history_type="-")} == {
        records["清查2.csv"]
    }
    assert {row.history_import_id for row in Officer.history.filter(history_type="+")} == {
        records["名冊1.csv"],
        records["名冊2.csv"],
    }
    assert {row.history_import_id for row in Election.history.filter(history_type="~")} == {
        records["清查2.csv"]
    }


def test_an_imported_change_links_to_its_import_record_for_an_administrator(admin_client_, imported):
    record = ImportRecord.objects.get(file_name="清查2.csv")

    html = _page(admin_client_, imported).content.decode()

    assert f'<a href="/admin/core/importrecord/{record.pk}/change/">匯入紀錄 #{record.pk}</a>' in html
    assert admin_client_.get(f"/admin/core/importrecord/{record.pk}/change/").status_code == 200


@pytest.mark.parametrize("client_name", ["county_client", "zhunan_client"])
def test_staff_who_cannot_open_import_records_read_the_number_without_a_link(request, imported, client_name):
    client = request.getfixturevalue(client_name)
    record = ImportRecord.objects.get(file_name="清查2.csv")

    html = _page(client, imported).content.decode()

    assert f"<small>匯入紀錄 #{record.pk}</small>" in html
    assert "/admin/core/importrecord/" not in html
    assert (
        client.get(f"/admin/core/importrecord/{record.pk}/change/").status_code == 302
    )  # to the admin login


def test_history_written_before_imports_were_named_gets_its_import_from_the_reason(zhunan, county_officer):
    migration = importlib.import_module("associations.migrations.0009_history_names_import")
    record = ImportRecord.objects.create(
        kind="associations.roster", file_name="舊名冊.csv", outcome="imported"
    )
    association = AssociationFactory(township=zhunan)
    meeting = MeetingFactory(association=association)
    Association.history.update(history_change_reason=f"名冊匯入（匯入紀錄 #{record.pk}）")
    Meeting.history.update(history_change_reason=f"Compliance import (import record #{record.pk})")
    OfficerFactory(association=association)
    Officer.history.update(history_change_reason="名冊匯入（匯入紀錄 #999999）")  # no such record

    migration.name_imports_from_reasons(apps, connection.schema_editor())

    assert association.history.get().history_import_id == record.pk
    assert meeting.history.get().history_import_id == record.pk
    assert Officer.history.get().history_import_id is None


def test_query_count_of_ten_years_is_measured(zhunan_client, ten_years):
    """Not a budget (that is above): the exact count, printed for the record with -s."""
    with CaptureQueriesContext(connection) as queries:
        _page(zhunan_client, ten_years)
    rows = sum(model.history.count() for model in FACT_MODELS)
    print(f"\nhistory page with {rows} history rows: {len(queries)} queries")
    assert len(queries) <= HISTORY_QUERY_BUDGET


def test_a_clerk_of_another_township_does_not_get_the_first_history_page_either(toufen_client, ten_years):
    assert _page(toufen_client, ten_years).status_code == 404


def test_the_associations_page_links_to_its_history_and_no_longer_lists_it(zhunan_client, ten_years):
    html = zhunan_client.get(f"/associations/{ten_years.pk}/").content.decode()

    assert f'href="/associations/{ten_years.pk}/history/"' in html
    assert '<table class="table compact history">' not in html
