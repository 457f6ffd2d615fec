"""The compliance import writes in bulk (issue 15, item 3): a fixed number of queries however many rows, every
history row still naming the user and the import's record, nothing written for rows the sheet leaves as
they are, only the fields a correction changes, and the year judged again once for all the rows."""

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.compliance import hooks
from associations.compliance.imports import ComplianceImport
from associations.models import Election, Meeting, YearlyFiling
from core.imports.pipeline import run_import
from grading.models import Assessment
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ElectionFactory, MeetingFactory, YearlyFilingFactory

D = datetime.date
HEADER = (
    "鄉鎮市,協會名稱,會員大會日期,會員大會紀錄送府日期,理事會日期,監事會日期,"
    "工作計畫及預算送府日期,工作報告及決算送府日期,任期屆滿日,備註\n"
)
FULL_ROW = "竹南鎮,{name},112/05/20,112/06/10,112/03/05,112/03/05,1111201,1130301,115/02/28,{note}"
HISTORY = (Meeting, YearlyFiling, Election)


def sheet(tmp_path, *rows: str) -> Path:
    path = tmp_path / "清查.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def run(path, county, user, *, dry_run=False):
    report = run_import(
        ComplianceImport(year=2023, county=county, user=user), path=path, user=user, dry_run=dry_run
    )
    assert report.exit_code == 0, [str(e) for e in report.errors]
    return report


def history_rows():
    return {model: list(model.history.order_by("history_id")) for model in HISTORY}


def stored_year(association):
    """An association with a year on record that a full row corrects: a board meeting the sheet no longer
    lists (removed), an assembly without minutes (given them), a filing and an election (updated)."""
    MeetingFactory(association=association, kind="board", held_on=D(2023, 3, 1), minutes_filed_on=None)
    MeetingFactory(association=association, held_on=D(2023, 5, 20), minutes_filed_on=None)
    YearlyFilingFactory(association=association, report_accounts_filed_on=D(2024, 2, 15))
    ElectionFactory(association=association, term_ends_on=D(2026, 1, 31))


@pytest.mark.parametrize("rows", [5, 50])
def test_an_import_takes_as_many_queries_for_50_rows_as_for_5(
    tmp_path, zhunan, administrator, rows, django_assert_max_num_queries
):
    lines = []
    for n in range(rows):
        association = AssociationFactory(township=zhunan, name=f"第{n}社區發展協會")
        if n % 2:  # half the rows correct a year on record, half record a new one
            stored_year(association)
        lines.append(FULL_ROW.format(name=association.name, note=f"備註{n}"))
    path = sheet(tmp_path, *lines)

    # About 60 on PostgreSQL: reads, locks, a statement or two per kind of write, the recompute and the
    # rewrite of the year's duties. A query per row would add 5 or 50 (the per-row writer took 16 a row).
    with django_assert_max_num_queries(70):
        report = run(path, zhunan.county, administrator)

    assert (report.created, report.updated) == (rows - rows // 2, rows // 2)
    assert Meeting.objects.count() == rows * 3
    assert Assessment.objects.filter(year=2023).count() == rows


def test_every_history_row_of_an_import_names_the_user_and_the_import_record(tmp_path, zhunan, administrator):
    corrected = AssociationFactory(township=zhunan, name="中港社區發展協會")
    stored_year(corrected)
    new = AssociationFactory(township=zhunan, name="大埔社區發展協會")
    before = {model: model.history.count() for model in HISTORY}
    path = sheet(
        tmp_path, FULL_ROW.format(name=corrected.name, note=""), FULL_ROW.format(name=new.name, note="新")
    )

    report = run(path, zhunan.county, administrator)

    written = {model: list(model.history.order_by("history_id"))[before[model] :] for model in HISTORY}
    assert sorted((m.id, m.history_type) for m in written[Meeting]) == sorted(
        [
            *[(m.pk, "+") for m in Meeting.objects.filter(association=new)],
            (Meeting.objects.get(association=corrected, kind="board").pk, "+"),
            (Meeting.objects.get(association=corrected, kind="supervisory").pk, "+"),
            (Meeting.objects.get(association=corrected, kind="general_assembly").pk, "~"),
            (Meeting.history.get(history_type="-").id, "-"),
        ]
    )
    assert sorted(row.history_type for row in written[YearlyFiling]) == ["+", "~"]
    assert sorted(row.history_type for row in written[Election]) == ["+", "~"]
    reasons = {(row.history_user_id, row.history_change_reason) for rows in written.values() for row in rows}
    assert reasons == {(administrator.pk, f"清查表匯入（匯入紀錄 #{report.record_id}）")}


def test_a_history_row_holds_the_row_as_the_import_left_it(tmp_path, zhunan, administrator):
    association = AssociationFactory(township=zhunan, name="中港社區發展協會")
    MeetingFactory(association=association, held_on=D(2023, 5, 20), minutes_filed_on=None)

    run(sheet(tmp_path, FULL_ROW.format(name=association.name, note="")), zhunan.county, administrator)

    assembly = Meeting.history.filter(kind="general_assembly").latest("history_id")
    assert (assembly.history_type, assembly.minutes_filed_on) == ("~", D(2023, 6, 10))
    filing = YearlyFiling.history.latest("history_id")
    assert (filing.history_type, filing.report_accounts_filed_on) == ("+", D(2024, 3, 1))


def test_a_new_assembly_is_created_with_its_minutes_in_one_history_row(tmp_path, zhunan, administrator):
    association = AssociationFactory(township=zhunan, name="中港社區發展協會")

    run(sheet(tmp_path, FULL_ROW.format(name=association.name, note="")), zhunan.county, administrator)

    rows = Meeting.history.filter(kind="general_assembly")
    assert [(r.history_type, r.minutes_filed_on) for r in rows] == [("+", D(2023, 6, 10))]


def test_importing_the_same_sheet_again_writes_nothing(tmp_path, zhunan, administrator):
    associations = [AssociationFactory(township=zhunan, name=f"第{n}社區發展協會") for n in range(3)]
    stored_year(associations[0])
    path = sheet(tmp_path, *(FULL_ROW.format(name=a.name, note="備註") for a in associations))
    run(path, zhunan.county, administrator)
    history = history_rows()

    with CaptureQueriesContext(connection) as queries:
        report = run(path, zhunan.county, administrator)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert history_rows() == history
    facts = ("meeting", "yearlyfiling", "election", "assessment")
    assert not [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) and any(f in q["sql"] for f in facts)
    ]


def test_a_correction_writes_only_the_fields_it_changes(tmp_path, zhunan, administrator):
    association = AssociationFactory(township=zhunan, name="中港社區發展協會")
    YearlyFilingFactory(association=association, note="延後送府，已核准")
    path = tmp_path / "清查.csv"
    path.write_text(
        "鄉鎮市,協會名稱,工作報告及決算送府日期\n竹南鎮,中港社區發展協會,1130320\n", encoding="utf-8"
    )

    with CaptureQueriesContext(connection) as queries:
        run(path, zhunan.county, administrator)

    filing = YearlyFiling.objects.get()
    assert (filing.plan_budget_filed_on, filing.report_accounts_filed_on, filing.note) == (
        D(2022, 12, 1),
        D(2024, 3, 20),
        "延後送府，已核准",
    )
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "associations_yearlyfiling"')]
    assert len(updates) == 1
    assert 'SET "report_accounts_filed_on"' in updates[0]
    assert "plan_budget_filed_on" not in updates[0] and '"note"' not in updates[0]


def test_the_year_is_judged_again_once_for_every_association_the_sheet_changes(
    tmp_path, zhunan, administrator, monkeypatch
):
    changed = [AssociationFactory(township=zhunan, name=f"第{n}社區發展協會") for n in range(3)]
    unchanged = AssociationFactory(township=zhunan, name="大埔社區發展協會")
    run(sheet(tmp_path, FULL_ROW.format(name=unchanged.name, note="")), zhunan.county, administrator)
    calls = []
    judge = hooks.facts_changed

    def counted(**kwargs):
        calls.append(sorted(kwargs["association_ids"]))
        return judge(**kwargs)

    monkeypatch.setattr(hooks, "facts_changed", counted)

    path = sheet(tmp_path, *(FULL_ROW.format(name=a.name, note="") for a in [*changed, unchanged]))
    run(path, zhunan.county, administrator)

    assert calls == [sorted(a.pk for a in changed)]
    assert Assessment.objects.filter(year=2023).count() == 4


def test_rows_with_the_same_values_each_get_their_own_meetings_and_errors(tmp_path, zhunan, administrator):
    """The row form's verdict is worked out once per distinct set of values: rows alike still each create
    their own meetings, and rows alike in a mistake each get the error under their own row number."""
    county = zhunan.county
    alike = [AssociationFactory(township=zhunan, name=f"同樣第{n}社區發展協會") for n in range(3)]
    good = [FULL_ROW.format(name=a.name, note="") for a in alike]
    run(sheet(tmp_path, *good), county, administrator)
    for association in alike:
        assert sorted(m.held_on for m in Meeting.objects.filter(association=association, kind="board")) == [
            D(2023, 3, 5)
        ]
    wrong = [f"竹南鎮,{a.name},111/05/20,,,,,,," for a in alike]  # an assembly of another year
    report = run_import(
        ComplianceImport(year=2023, county=county, user=administrator),
        path=sheet(tmp_path, *wrong),
        user=administrator,
        dry_run=True,
    )
    assert [issue.row for issue in report.errors] == [2, 3, 4]
    assert len({issue.message for issue in report.errors}) == 1
