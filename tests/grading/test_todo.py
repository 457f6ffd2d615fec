"""The to-do list (issue 12 item 4): late filings are done, not overdue; filters by township, kind and due
window with counts; one block per association; sortable; exported as filtered; scoped to the user."""

import csv
import datetime
import io

import pytest

from associations.models import Association
from grading import duties
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ElectionFactory, YearlyFilingFactory, fetch

D = datetime.date
PLAN = "plan_budget_filed_before_year"
REPORT = "report_accounts_filed_by_march"
TERM = "term_not_expired"


def shown(response):
    return [item for group in response.context["page"] for item in group.items]


def exported(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def late_plan(township, name="竹南社區發展協會"):
    """An association that sent this year's plan on 115/02/17, after its 114/12/31 deadline."""
    association = AssociationFactory(township=township, name=name)
    YearlyFilingFactory(association=association, year=2026, plan_budget_filed_on=D(2026, 2, 17))
    return association


def test_plan_sent_late_is_not_listed_as_an_open_to_do(zhunan_client, zhunan, frozen_today):
    late_plan(zhunan)
    kinds = {item.kind for item in shown(fetch(zhunan_client, "/grading/todo/"))}
    assert PLAN not in kinds


def test_plan_sent_late_shows_as_done_late_when_asked_for(zhunan_client, zhunan, frozen_today):
    late_plan(zhunan)
    items = shown(fetch(zhunan_client, "/grading/todo/?state=late_done"))
    assert [(i.kind, i.state_label, i.overdue) for i in items] == [(PLAN, "逾期已送", False)]
    assert "逾期送府：115/02/17 送府" in items[0].message


def test_plan_never_sent_is_overdue(zhunan_client, zhunan, frozen_today):
    association = AssociationFactory(township=zhunan)
    YearlyFilingFactory(association=association, year=2026, plan_budget_filed_on=None)
    items = shown(fetch(zhunan_client, f"/grading/todo/?state=overdue&kind={PLAN}"))
    assert [(i.kind, i.overdue) for i in items] == [(PLAN, True)]


def test_kind_filter_lists_only_that_kind(county_client, zhunan, frozen_today):
    AssociationFactory(township=zhunan)
    items = shown(fetch(county_client, f"/grading/todo/?kind={REPORT}"))
    assert {i.kind for i in items} == {REPORT}


def test_due_window_separates_this_months_duties_from_later_ones(county_client, zhunan, frozen_today):
    soon = AssociationFactory(township=zhunan, name="近期社區發展協會")
    ElectionFactory(association=soon, term_ends_on=D(2026, 7, 20))
    later = AssociationFactory(township=zhunan, name="稍後社區發展協會")
    ElectionFactory(association=later, term_ends_on=D(2026, 9, 15))
    due_soon = shown(fetch(county_client, f"/grading/todo/?kind={TERM}&state=due_soon"))
    due_later = shown(fetch(county_client, f"/grading/todo/?kind={TERM}&state=later"))
    assert [i.association for i in due_soon] == ["近期社區發展協會"]
    assert [i.association for i in due_later] == ["稍後社區發展協會"]


def test_filters_show_how_many_items_each_choice_holds(zhunan_client, zhunan, frozen_today):
    late_plan(zhunan)
    form = fetch(zhunan_client, "/grading/todo/").context["form"]
    assert dict(form.fields["state"].choices)["late_done"] == "逾期已送（1）"
    assert dict(form.fields["kind"].choices)[REPORT] == "工作報告及決算於次年 3 月底前送府（1）"


def test_a_page_past_the_last_shows_the_last_page_with_the_same_counts(county_client, zhunan, frozen_today):
    late_plan(zhunan)
    AssociationFactory(township=zhunan, name="乙社區發展協會")
    first = fetch(county_client, "/grading/todo/?state=late_done")
    past = fetch(county_client, "/grading/todo/?state=late_done&page=99")
    assert [g.association for g in past.context["page"]] == [g.association for g in first.context["page"]]
    assert past.context["page"].number == 1
    assert past.context["form"].fields["state"].choices == first.context["form"].fields["state"].choices
    assert dict(past.context["form"].fields["state"].choices)["late_done"] == "逾期已送（1）"


def test_counts_read_without_a_page_are_those_read_with_it(zhunan, toufen, frozen_today):
    from grading import todo

    late_plan(zhunan)
    late_plan(toufen, "頭份社區發展協會")
    AssociationFactory(township=zhunan, name="乙社區發展協會")
    refresh_all()
    for filters in ({}, {"state": "late_done"}, {"kind": REPORT}, {"kind": TERM, "state": "later"}):
        alone = todo.todo_list(Association.objects.active(), today=frozen_today, **filters)
        paged = todo.todo_list(Association.objects.active(), today=frozen_today, **filters)
        paged.groups.prefetch(1, 20)
        assert (alone.kind_counts, alone.state_counts) == (paged.kind_counts, paged.state_counts)
        expected = {}
        for row in alone.listed.values("kind", "state"):
            expected[row["state"]] = expected.get(row["state"], 0) + (
                not filters.get("kind") or row["kind"] == filters["kind"]
            )
        assert alone.state_counts == {state: n for state, n in expected.items() if n}
        if not filters:
            assert alone.state_counts["late_done"] == 2  # the two plans sent late
        assert len(paged.groups) == alone.duties.values("association_id").distinct().count()


def test_each_association_is_one_block_with_all_its_items(county_client, zhunan, frozen_today):
    AssociationFactory(township=zhunan, name="竹南社區發展協會")
    groups = list(fetch(county_client, "/grading/todo/").context["page"])
    assert [g.association for g in groups] == ["竹南社區發展協會"]
    assert {REPORT, TERM} <= {i.kind for i in groups[0].items}


def test_blocks_sort_by_latest_due_date_first_when_asked(county_client, zhunan, frozen_today):
    for name, ends in (("甲社區發展協會", D(2026, 7, 20)), ("乙社區發展協會", D(2026, 9, 15))):
        ElectionFactory(association=AssociationFactory(township=zhunan, name=name), term_ends_on=ends)
    url = f"/grading/todo/?kind={TERM}&sort="
    assert [g.association for g in fetch(county_client, url + "due").context["page"]] == [
        "甲社區發展協會",
        "乙社區發展協會",
    ]
    assert [g.association for g in fetch(county_client, url + "-due").context["page"]] == [
        "乙社區發展協會",
        "甲社區發展協會",
    ]


def test_export_holds_exactly_the_filtered_items_of_every_page(county_client, zhunan, settings, frozen_today):
    settings.PAGE_SIZE = 1
    late_plan(zhunan, "A社區發展協會")
    late_plan(zhunan, "B社區發展協會")
    rows = exported(fetch(county_client, "/grading/todo/export/?state=late_done&format=csv"))
    assert rows[0] == ["鄉鎮市區", "協會名稱", "年度", "事項", "狀態", "期限", "說明"]
    assert [row[1:6] for row in rows[1:]] == [
        [name, "115年度", "工作計畫及預算於年度開始前送府", "逾期已送", "114/12/31"]
        for name in ("A社區發展協會", "B社區發展協會")
    ]


def test_page_links_to_the_export_with_its_filters(county_client, frozen_today):
    content = fetch(county_client, f"/grading/todo/?kind={REPORT}").content.decode()
    assert f"/grading/todo/export/?kind={REPORT}&amp;format=xlsx" in content


def test_clerk_export_filtered_by_another_township_holds_only_their_own(
    toufen_client, zhunan, toufen, frozen_today
):
    AssociationFactory(township=zhunan, name="竹南社區發展協會")
    AssociationFactory(township=toufen, name="頭份社區發展協會")
    rows = exported(fetch(toufen_client, f"/grading/todo/export/?township={zhunan.pk}&format=csv"))
    assert {row[1] for row in rows[1:]} == {"頭份社區發展協會"}


def test_another_countys_officer_sees_none_of_the_county(yunlin_client, zhunan, frozen_today):
    AssociationFactory(township=zhunan, name="竹南社區發展協會")
    assert list(fetch(yunlin_client, f"/grading/todo/?township={zhunan.pk}").context["page"]) == []
    rows = exported(fetch(yunlin_client, f"/grading/todo/export/?township={zhunan.pk}&format=csv"))
    assert rows[1:] == []


def test_judge_and_anonymous_visitor_cannot_export_the_to_do_list(judge_client, anonymous_client):
    assert judge_client.get("/grading/todo/export/?format=csv").status_code == 403
    assert anonymous_client.get("/grading/todo/export/?format=csv").status_code == 302


def test_export_in_an_unknown_format_is_not_found(county_client):
    assert fetch(county_client, "/grading/todo/export/?format=pdf").status_code == 404


def refresh_all():
    duties.refresh(associations=Association.objects.all())


@pytest.mark.parametrize("role", ["county_client", "zhunan_client"])
def test_page_runs_at_most_five_queries_at_any_size(
    role, request, zhunan, toufen, settings, frozen_today, django_assert_max_num_queries
):
    settings.PAGE_SIZE = 20
    client = request.getfixturevalue(role)
    for index in range(100):
        late_plan(toufen if index % 2 else zhunan, f"社區發展協會{index}")
    refresh_all()
    with django_assert_max_num_queries(5):  # the counts and the page's groups are one statement
        response = client.get("/grading/todo/?page=2")
    assert len(response.context["page"]) == 20
    for index in range(100, 400):
        late_plan(toufen if index % 2 else zhunan, f"社區發展協會{index}")
    refresh_all()
    with django_assert_max_num_queries(5):
        response = client.get("/grading/todo/?state=late_done&sort=township&page=3")
    assert len(response.context["page"]) == 20


def test_export_runs_a_fixed_number_of_queries_at_any_size(
    county_client, zhunan, toufen, frozen_today, django_assert_max_num_queries
):
    late_plan(zhunan)
    refresh_all()
    with django_assert_max_num_queries(8) as export:
        county_client.get("/grading/todo/export/?format=xlsx")
    few_queries = len(export.captured_queries)  # read now: the query log is a bounded deque
    for index in range(30):
        late_plan(toufen if index % 2 else zhunan, f"社區發展協會{index}")
    refresh_all()
    with django_assert_max_num_queries(few_queries):
        county_client.get("/grading/todo/export/?format=xlsx")


def test_an_english_reader_reads_the_to_do_list_in_english(county_client, zhunan, frozen_today):
    late_plan(zhunan)
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    items = shown(fetch(county_client, "/grading/todo/?state=late_done"))
    assert [(i.label, i.message) for i in items] == [
        ("Work plan and budget filed before the year starts", "Filed late: on 115/02/17, due 114/12/31.")
    ]


def test_the_export_keeps_chinese_for_an_english_reader(county_client, zhunan, frozen_today):
    late_plan(zhunan)
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    rows = exported(fetch(county_client, "/grading/todo/export/?state=late_done&format=csv"))
    assert rows == [
        ["鄉鎮市區", "協會名稱", "年度", "事項", "狀態", "期限", "說明"],
        [
            "竹南鎮",
            "竹南社區發展協會",
            "115年度",
            "工作計畫及預算於年度開始前送府",
            "逾期已送",
            "114/12/31",
            "逾期送府：115/02/17 送府，期限為 114/12/31。",
        ],
    ]


def test_an_english_reader_sees_the_filter_counts_in_half_width_brackets(county_client, zhunan, frozen_today):
    late_plan(zhunan)
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    form = fetch(county_client, "/grading/todo/").context["form"]
    assert dict(form.fields["state"].choices)["late_done"] == "Sent late (1)"
