"""Imports side by side on PostgreSQL, in real threads (each with its own connection): one import of a
county at a time, refused at once while another runs; real lock conflicts retried once."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from associations.compliance.imports import ComplianceImport
from associations.models import Association, Meeting
from associations.roster.dataset import RosterImport, roster_import
from core.imports.pipeline import run_import
from core.models import ImportRecord
from tests.associations.factories import AssociationFactory, TownshipFactory
from tests.associations.test_imports import write_roster

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
HEADER = ["鄉鎮市", "名稱", "理事長"]
TIMEOUT = 60


def in_thread(target, results, key):
    def work():
        try:
            results[key] = target()
        except Exception as exc:
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def holding(dataset_class, stage, entered, release):
    """Make `dataset_class.<stage>` signal `entered` and wait for `release`: the run then holds its
    county's lock for as long as the test wants."""
    original = getattr(dataset_class, stage)

    def held(self, *args, **kwargs):
        entered.set()
        assert release.wait(TIMEOUT)
        return original(self, *args, **kwargs)

    return original, held


@pytest.fixture
def county():
    township = TownshipFactory(name="竹南鎮", kind="鎮")
    return township.county


def roster_run(path, county):
    return lambda: roster_import(path=path, user=None, county=county, dry_run=False)


def compliance_sheet(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text(
        "鄉鎮市,協會名稱,會員大會日期\n" + "".join(f"竹南鎮,{r},112/05/20\n" for r in rows), "utf-8"
    )
    return path


def compliance_run(path, county):
    return lambda: run_import(
        ComplianceImport(year=2023, county=county, user=None), path=path, user=None, dry_run=False
    )


def test_two_roster_imports_of_one_county_at_once_import_once_and_refuse_the_other(
    tmp_path, county, monkeypatch
):
    first = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明"]], header=HEADER, name="a.csv")
    second = write_roster(tmp_path, [["竹南鎮", "中美社區發展協會", "李小華"]], header=HEADER, name="b.csv")
    entered, release, results = threading.Event(), threading.Event(), {}
    _original, held = holding(RosterImport, "plan", entered, release)
    monkeypatch.setattr(RosterImport, "plan", held)

    a = in_thread(roster_run(first, county), results, "a")
    assert entered.wait(TIMEOUT)
    monkeypatch.setattr(RosterImport, "plan", _original)
    b = in_thread(roster_run(second, county), results, "b")
    b.join(TIMEOUT)
    release.set()
    a.join(TIMEOUT)

    assert (results["a"].exit_code, results["b"].exit_code) == (0, 2)
    assert "另一個匯入正在進行（開始於" in str(results["b"].errors[0])
    assert list(Association.objects.values_list("name", flat=True)) == ["大埔社區發展協會"]


def test_a_roster_import_and_a_compliance_import_of_one_county_do_not_run_together(
    tmp_path, county, monkeypatch
):
    AssociationFactory(township=county.townships.get(), name="大埔社區發展協會")
    roster = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明"]], header=HEADER)
    sheet = compliance_sheet(tmp_path, "c.csv", ["大埔社區發展協會"])
    entered, release, results = threading.Event(), threading.Event(), {}
    _original, held = holding(RosterImport, "plan", entered, release)
    monkeypatch.setattr(RosterImport, "plan", held)

    a = in_thread(roster_run(roster, county), results, "roster")
    assert entered.wait(TIMEOUT)
    b = in_thread(compliance_run(sheet, county), results, "compliance")
    b.join(TIMEOUT)
    release.set()
    a.join(TIMEOUT)

    assert (results["roster"].exit_code, results["compliance"].exit_code) == (0, 2)
    assert Meeting.objects.count() == 0


def test_two_compliance_imports_with_rows_in_opposite_order_both_finish_without_a_deadlock(tmp_path, county):
    township = county.townships.get()
    names = [f"第{n}社區發展協會" for n in range(30)]
    for name in names:
        AssociationFactory(township=township, name=name)
    forward = compliance_sheet(tmp_path, "f.csv", names)
    backward = compliance_sheet(tmp_path, "b.csv", names[::-1])
    results, start = {}, threading.Barrier(2)

    def until_done(path):
        def work():
            start.wait(TIMEOUT)
            for _attempt in range(200):  # a busy county is refused at once: try again, as a clerk would
                report = compliance_run(path, county)()
                if report.outcome != ImportRecord.Outcome.FAILED or "另一個匯入" not in str(report.errors[0]):
                    return report
            return report

        return work

    threads = [in_thread(until_done(p), results, key) for key, p in (("f", forward), ("b", backward))]
    for thread in threads:
        thread.join(TIMEOUT)

    assert (results["f"].exit_code, results["b"].exit_code) == (0, 0)
    assert Meeting.objects.count() == 30
    assert not ImportRecord.objects.filter(report__errors__0__message__contains="死結").exists()


def test_two_admin_previews_at_once_both_answer_200(tmp_path, county, administrator):
    paths = [
        write_roster(tmp_path, [["竹南鎮", f"第{n}社區發展協會", "王大明"]], header=HEADER, name=f"{n}.csv")
        for n in range(2)
    ]
    results, start = {}, threading.Barrier(2)

    def preview(path):
        def work():
            client = Client()
            client.force_login(administrator)
            start.wait(TIMEOUT)
            with path.open("rb") as stream:
                return client.post(
                    reverse("admin:associations_association_import"), {"file": stream, "county": county.pk}
                )

        return work

    threads = [in_thread(preview(p), results, n) for n, p in enumerate(paths)]
    for thread in threads:
        thread.join(TIMEOUT)

    assert [results[n].status_code for n in range(2)] == [200, 200]
    assert Association.objects.count() == 0


def _raise_sqlstate(code):
    with connection.cursor() as cursor:
        cursor.execute(f"DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '{code}'; END $$")


@pytest.mark.parametrize("code", ["40P01", "55P03"])
def test_a_real_deadlock_or_lock_timeout_is_retried_once(tmp_path, county, monkeypatch, code):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明"]], header=HEADER)
    original, calls = RosterImport.plan, []

    def plan(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            _raise_sqlstate(code)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RosterImport, "plan", plan)

    report = roster_import(path=path, user=None, county=county, dry_run=False)

    assert (report.exit_code, len(calls), Association.objects.count()) == (0, 2, 1)


def test_a_real_deadlock_twice_is_recorded_and_ends_with_exit_2(tmp_path, county, monkeypatch):
    path = write_roster(tmp_path, [["竹南鎮", "大埔社區發展協會", "王大明"]], header=HEADER)
    monkeypatch.setattr(RosterImport, "plan", lambda self, *a, **k: _raise_sqlstate("40P01"))

    report = roster_import(path=path, user=None, county=county, dry_run=False)

    record = ImportRecord.objects.get(pk=report.record_id)
    assert (report.exit_code, record.outcome, Association.objects.count()) == (2, "failed", 0)
