"""County and township pages of the compliance check and tier register: scoping, actions, exports."""

import csv
import datetime
import io
import re

import openpyxl
import pytest

from grading.models import Assessment, ComplianceStatus, Tier, TierChange, TierRegister, TierThresholds
from tests.associations.factories import AssociationFactory, CountyFactory
from tests.grading.factories import AssessmentFactory, TierRegisterFactory, YearlyFilingFactory, fetch

D = datetime.date


def assessed(township, name="", year=2023, **kwargs):
    association = AssociationFactory(township=township, **({"name": name} if name else {}))
    return AssessmentFactory(association=association, year=year, **kwargs)


# --- overview --------------------------------------------------------------------------------------------


def test_county_officer_sees_status_and_tier_counts_per_township(county_client, zhunan, toufen):
    assessed(zhunan, status=ComplianceStatus.ABNORMAL, suggested_tier=Tier.STAGNANT)
    assessed(toufen)
    response = county_client.get("/grading/112/")
    rows = {row["township"]: row for row in response.context["page"]}
    assert rows["竹南鎮"]["statuses"] == [0, 0, 1]
    assert rows["頭份市"]["tiers"] == [0, 1, 0]


def test_township_clerk_sees_only_their_townships_counts(toufen_client, zhunan, toufen):
    assessed(zhunan)
    assessed(toufen)
    response = toufen_client.get("/grading/112/")
    assert [row["township"] for row in response.context["page"]] == ["頭份市"]


def test_overview_totals_and_unassessed_count_cover_only_the_clerks_township(toufen_client, zhunan, toufen):
    assessed(zhunan, status=ComplianceStatus.ABNORMAL)
    assessed(zhunan, status=ComplianceStatus.ABNORMAL)
    assessed(toufen, status=ComplianceStatus.NORMAL)
    AssociationFactory(township=zhunan)
    AssociationFactory.create_batch(2, township=toufen)
    response = toufen_client.get("/grading/112/")
    assert response.context["totals"]["total"] == 1
    assert response.context["totals"]["statuses"] == [1, 0, 0]
    assert response.context["unassessed"] == 2


def test_anonymous_visitor_is_sent_to_login_from_the_overview(anonymous_client):
    assert anonymous_client.get("/grading/112/").status_code == 302


def test_judge_is_refused_the_overview(judge_client):
    assert judge_client.get("/grading/112/").status_code == 403


def test_overview_shows_the_guidance_for_each_tier(county_client, zhunan):
    AssociationFactory(township=zhunan)
    content = county_client.get("/grading/112/").content.decode()
    assert "停滯型：健全社區組織，正常開會" in content
    assert "潛力型：培養社區志工，執行長期方案" in content
    assert "發展型：社區永續經營" in content


# --- register list and detail ----------------------------------------------------------------------------


def test_township_clerk_does_not_see_other_townships_in_the_register(toufen_client, zhunan, toufen):
    assessed(zhunan, name="竹南社區發展協會")
    assessed(toufen, name="頭份社區發展協會")
    content = toufen_client.get("/grading/112/register/").content.decode()
    assert "頭份社區發展協會" in content
    assert "竹南社區發展協會" not in content


def test_register_filtered_by_another_township_shows_a_clerk_only_their_own(toufen_client, zhunan, toufen):
    assessed(zhunan, name="竹南社區發展協會")
    assessed(toufen, name="頭份社區發展協會")
    content = toufen_client.get(f"/grading/112/register/?township={zhunan.pk}").content.decode()
    assert "頭份社區發展協會" in content
    assert "竹南社區發展協會" not in content


def test_register_filters_by_tier_in_force(county_client, zhunan):
    assessed(
        zhunan,
        name="甲社區發展協會",
        suggested_tier=Tier.STAGNANT,
        override_tier=Tier.DEVELOPING,
        override_reason="獲獎",
    )
    assessed(zhunan, name="乙社區發展協會", suggested_tier=Tier.DEVELOPING)
    assessed(zhunan, name="丙社區發展協會", suggested_tier=Tier.STAGNANT)
    page = county_client.get("/grading/112/register/?tier=developing").context["page"]
    assert sorted(a.association.name for a in page) == ["乙社區發展協會", "甲社區發展協會"]


def test_register_row_shows_the_failed_rules_and_marks_an_override_with_its_reason(county_client, zhunan):
    assessment = assessed(
        zhunan,
        name="甲<社區>發展協會",
        status=ComplianceStatus.ABNORMAL,
        suggested_tier=Tier.STAGNANT,
        override_tier=Tier.DEVELOPING,
        override_reason='獲獎 "特優"',
        rules=[
            {"code": "assembly_held", "outcome": "fail", "message": None},
            {"code": "board_meetings_at_interval", "outcome": "pass", "message": None},
        ],
    )
    html = re.sub(r">\s+<", "><", county_client.get("/grading/112/register/").content.decode())
    link = f'<a href="/grading/112/associations/{assessment.association_id}/">'
    assert f"<td>{link}甲&lt;社區&gt;發展協會</a></td>" in html
    assert '<span class="badge status-abnormal">異常</span>' in html
    assert "<td><div>召開會員大會</div></td><td>停滯型</td>" in html
    assert (
        '<span class="badge tier-developing">發展型</span>'
        '<small title="獲獎 &quot;特優&quot;">（人工調整）</small>' in html
    )
    assert "定期召開理事會" not in html.split("<tbody>")[1]  # a passed rule is not listed


def test_register_runs_the_same_number_of_queries_however_many_rows(
    county_client, zhunan, django_assert_max_num_queries
):
    assessed(zhunan)
    with django_assert_max_num_queries(12) as few:
        county_client.get("/grading/112/register/")
    for _ in range(30):
        assessed(zhunan)
    with django_assert_max_num_queries(len(few.captured_queries)):
        county_client.get("/grading/112/register/")


def test_clerk_of_another_township_gets_404_for_an_assessment(toufen_client, zhunan):
    assessment = assessed(zhunan)
    assert toufen_client.get(assessment.get_absolute_url()).status_code == 404


def test_assessment_page_explains_each_rule_in_plain_chinese(zhunan_client, zhunan):
    rule = {
        "code": "assembly_held",
        "label": "召開會員大會",
        "outcome": "fail",
        "severity": "abnormal",
        "message": "112年度未召開會員大會（期限 112/12/31）。",
        "due_on": "2023-12-31",
    }
    assessment = assessed(zhunan, status=ComplianceStatus.ABNORMAL, rules=[rule])
    content = zhunan_client.get(assessment.get_absolute_url()).content.decode()
    assert "112年度未召開會員大會（期限 112/12/31）。" in content


def test_only_the_county_officer_is_offered_the_override_form(county_client, zhunan_client, zhunan):
    assessment = assessed(zhunan)
    assert "調整理由" in county_client.get(assessment.get_absolute_url()).content.decode()
    assert "調整理由" not in zhunan_client.get(assessment.get_absolute_url()).content.decode()


# --- actions ---------------------------------------------------------------------------------------------


def override_url(assessment):
    return f"/grading/{assessment.year - 1911}/associations/{assessment.association_id}/override/"


def test_county_officer_overrides_a_tier_with_a_reason(county_client, zhunan):
    assessment = assessed(zhunan, suggested_tier=Tier.STAGNANT)
    county_client.post(override_url(assessment), {"tier": "potential", "reason": "已完成改選，會務恢復"})
    assessment.refresh_from_db()
    assert (assessment.tier, assessment.override_reason) == (Tier.POTENTIAL, "已完成改選，會務恢復")


def test_override_without_a_reason_shows_a_message_and_changes_nothing(county_client, zhunan):
    assessment = assessed(zhunan, suggested_tier=Tier.STAGNANT)
    response = county_client.post(override_url(assessment), {"tier": "potential", "reason": ""}, follow=True)
    assert "請填寫理由。" in response.content.decode()
    assert Assessment.objects.get().override_tier is None


def test_township_clerk_override_is_forbidden(zhunan_client, zhunan):
    assessment = assessed(zhunan)
    assert (
        zhunan_client.post(override_url(assessment), {"tier": "developing", "reason": "理由"}).status_code
        == 403
    )
    assert not TierChange.objects.exists()


def test_clerk_of_another_township_override_gets_404(toufen_client, zhunan):
    assessment = assessed(zhunan)
    assert (
        toufen_client.post(override_url(assessment), {"tier": "developing", "reason": "理由"}).status_code
        == 404
    )


def test_clerk_of_another_township_clearing_an_override_gets_404_and_the_override_stays(
    toufen_client, zhunan
):
    assessment = assessed(
        zhunan, suggested_tier=Tier.STAGNANT, override_tier=Tier.POTENTIAL, override_reason="已完成改選"
    )
    url = f"/grading/112/associations/{assessment.association_id}/clear-override/"
    assert toufen_client.post(url, {"reason": "理由"}).status_code == 404
    assessment.refresh_from_db()
    assert (assessment.override_tier, assessment.override_reason) == (Tier.POTENTIAL, "已完成改選")
    assert not TierChange.objects.exists()


def test_finalised_register_refuses_an_override_with_a_message(county_client, zhunan):
    assessment = assessed(zhunan)
    county_client.post("/grading/112/finalise/")
    response = county_client.post(
        override_url(assessment), {"tier": "developing", "reason": "理由"}, follow=True
    )
    assert "112年度的分級清冊已定案，不可修改。" in response.content.decode()
    assert TierRegister.objects.get(year=2023).is_finalised


def test_history_of_a_finalised_tier_names_the_tier_without_a_change_arrow(county_client, zhunan):
    assessment = assessed(zhunan)
    county_client.post("/grading/112/finalise/")
    page = county_client.get(assessment.get_absolute_url()).content.decode()
    finalised = page[page.index(f"<td>{TierChange.Kind.FINALISED.label}</td>") :].split("</tr>")[0]
    assert "<del>" not in finalised
    assert f"<ins>{assessment.get_tier_display()}</ins>" in finalised


def test_county_officer_recomputes_a_year_from_the_overview(county_client, zhunan):
    AssociationFactory(township=zhunan)
    response = county_client.post("/grading/112/recompute/", follow=True)
    assert Assessment.objects.filter(year=2023).count() == 1
    assert "已重新計算112年度的會務財務狀態與分級。" in response.content.decode()


def test_township_clerk_cannot_recompute_or_finalise(zhunan_client, zhunan):
    assessed(zhunan)
    assert zhunan_client.post("/grading/112/recompute/").status_code == 403
    assert zhunan_client.post("/grading/112/finalise/").status_code == 403
    assert not TierRegister.objects.filter(state=TierRegister.State.FINALISED).exists()


def test_county_officer_edits_the_years_thresholds(county_client, zhunan):
    AssociationFactory(township=zhunan)
    response = county_client.post(
        "/grading/112/thresholds/",
        {"potential_min_activities": "2", "developing_min_activities": "4", "volunteer_team_min_size": "8"},
    )
    assert response.status_code == 302
    assert TierChange.objects.get(kind=TierChange.Kind.THRESHOLDS).reason.startswith(
        "潛力型至少應有的方案數：1 → 2"
    )


def test_administrator_edits_the_thresholds_of_their_working_county(admin_client_, administrator, zhunan):
    AssociationFactory(township=zhunan)
    response = admin_client_.post(
        "/grading/112/thresholds/",
        {"potential_min_activities": "2", "developing_min_activities": "4", "volunteer_team_min_size": "8"},
    )
    assert response.status_code == 302
    assert TierThresholds.objects.get(year=2023).county == zhunan.county
    assert TierChange.objects.get(kind=TierChange.Kind.THRESHOLDS).changed_by == administrator


def test_township_clerk_cannot_edit_thresholds(zhunan_client, zhunan):
    AssociationFactory(township=zhunan)
    assert zhunan_client.get("/grading/112/thresholds/").status_code == 403


def test_a_role_that_may_never_act_is_refused_whatever_the_registers_state(zhunan_client, county_client):
    TierRegisterFactory(year=2023, state=TierRegister.State.FINALISED)
    TierRegisterFactory(year=2024)
    assert zhunan_client.get("/grading/112/thresholds/").status_code == 403
    assert zhunan_client.post("/grading/112/recompute/").status_code == 403
    assert zhunan_client.post("/grading/113/reopen/", {"reason": "理由"}).status_code == 403
    assert county_client.post("/grading/113/reopen/", {"reason": "理由"}).status_code == 403
    assert TierThresholds.objects.count() == 0


def test_showing_the_thresholds_page_writes_nothing(county_client, zhunan):
    AssociationFactory(township=zhunan)
    TierThresholds.objects.create(county=CountyFactory(), year=2022, developing_min_activities=5)
    response = county_client.get("/grading/112/thresholds/")
    assert response.status_code == 200
    assert response.context["form"]["developing_min_activities"].value() == 5
    assert list(TierThresholds.objects.values_list("year", flat=True)) == [2022]


# --- export ----------------------------------------------------------------------------------------------


def test_register_exports_as_xlsx_with_the_required_columns(county_client, zhunan):
    assessed(
        zhunan,
        name="竹南社區發展協會",
        suggested_tier=Tier.STAGNANT,
        override_tier=Tier.POTENTIAL,
        override_reason="已改選",
    )
    response = county_client.get("/grading/112/register/export/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "鄉鎮市",
        "協會名稱",
        "理事長",
        "會務財務狀態",
        "未符規定事項",
        "建議分級",
        "核定分級",
        "調整理由",
    )
    assert rows[1][:2] == ("竹南鎮", "竹南社區發展協會")
    assert rows[1][5:] == ("停滯型", "潛力型", "已改選")


def test_register_export_escapes_text_that_would_run_as_a_formula(county_client, zhunan):
    assessed(zhunan, name='=HYPERLINK("http://x")社區發展協會')
    response = county_client.get("/grading/112/register/export/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x")社區發展協會'


def test_register_export_holds_only_the_clerks_township(toufen_client, zhunan, toufen):
    assessed(zhunan, name="竹南社區發展協會")
    assessed(toufen, name="頭份社區發展協會")
    content = toufen_client.get("/grading/112/register/export/?format=csv").content.decode("utf-8-sig")
    assert "頭份社區發展協會" in content
    assert "竹南社區發展協會" not in content


def test_register_export_filtered_by_another_township_holds_only_the_clerks_own(
    toufen_client, zhunan, toufen
):
    assessed(zhunan, name="竹南社區發展協會")
    assessed(toufen, name="頭份社區發展協會")
    response = toufen_client.get(f"/grading/112/register/export/?township={zhunan.pk}&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[:2] for row in rows[1:]] == [["頭份市", "頭份社區發展協會"]]


def test_anonymous_visitor_cannot_export_the_register(anonymous_client):
    assert anonymous_client.get("/grading/112/register/export/?format=csv").status_code == 302


# --- movement and to-do ----------------------------------------------------------------------------------


def test_movement_counts_stagnant_associations_that_became_potential_by_township(county_client, zhunan):
    for _ in range(2):
        before = assessed(zhunan, year=2022, suggested_tier=Tier.STAGNANT)
        AssessmentFactory(association=before.association, year=2023, suggested_tier=Tier.POTENTIAL)
    response = county_client.get("/grading/movement/?from_year=111&to_year=112")
    zhunan_row = response.context["page"][0]
    assert zhunan_row.matrix[0][1] == 2
    assert zhunan_row.up() == 2


def test_movement_shows_a_clerk_only_their_township(toufen_client, zhunan, toufen):
    assessed(zhunan, year=2023)
    assessed(toufen, year=2023)
    response = toufen_client.get("/grading/movement/?from_year=111&to_year=112")
    assert [m.township for m in response.context["page"]] == ["頭份市"]


def test_todo_lists_an_overdue_report_with_its_due_date(zhunan_client, zhunan, frozen_today):
    association = AssociationFactory(township=zhunan, name="竹南社區發展協會")
    YearlyFilingFactory(association=association, year=2025, report_accounts_filed_on=None)
    groups = fetch(zhunan_client, "/grading/todo/").context["page"]  # on 2026-07-01
    report = [i for group in groups for i in group.items if i.label == "工作報告及決算於次年 3 月底前送府"]
    assert report and report[0].due_on == D(2026, 3, 31) and report[0].overdue


def test_todo_shows_a_clerk_nothing_of_another_township(toufen_client, zhunan):
    AssociationFactory(township=zhunan, name="竹南社區發展協會")
    assert "竹南社區發展協會" not in fetch(toufen_client, "/grading/todo/").content.decode()


def test_todo_filtered_by_another_township_shows_a_clerk_only_their_own(
    toufen_client, county_client, zhunan, toufen
):
    # Neither association has a term on record, which is always a to-do item.
    AssociationFactory(township=zhunan, name="竹南社區發展協會")
    AssociationFactory(township=toufen, name="頭份社區發展協會")
    url = f"/grading/todo/?township={zhunan.pk}"
    assert "竹南社區發展協會" in fetch(county_client, url).content.decode()
    response = fetch(toufen_client, url)
    assert {group.association for group in response.context["page"]} == {"頭份社區發展協會"}
    assert "竹南社區發展協會" not in response.content.decode()
    assert list(response.context["form"].fields["township"].queryset) == [toufen]


def test_todo_runs_the_same_number_of_queries_however_many_associations(
    county_client, zhunan, django_assert_max_num_queries
):
    AssociationFactory(township=zhunan)
    fetch(county_client, "/grading/todo/")  # writes the duties
    with django_assert_max_num_queries(6) as few:
        county_client.get("/grading/todo/")
    few_queries = len(few.captured_queries)  # read now: the query log is a bounded deque
    for _ in range(20):
        AssociationFactory(township=zhunan)
    fetch(county_client, "/grading/todo/")
    with django_assert_max_num_queries(few_queries):
        county_client.get("/grading/todo/")


def test_finalised_year_shows_as_read_only(county_client, zhunan):
    TierRegisterFactory(year=2023, state=TierRegister.State.FINALISED)
    content = county_client.get("/grading/112/").content.decode()
    assert "已定案" in content
    assert "重新計算狀態與分級" not in content


GRADING_PAGES = [
    "/grading/",
    "/grading/112/",
    "/grading/112/register/",
    "/grading/112/register/export/?format=csv",
    "/grading/112/thresholds/",
    "/grading/movement/",
    "/grading/todo/",
]
GRADING_POSTS = ["/grading/112/recompute/", "/grading/112/finalise/", "/grading/112/reopen/"]


def test_judge_is_refused_every_grading_page(judge_client, zhunan):
    assessment = assessed(zhunan)
    pages = [*GRADING_PAGES, assessment.get_absolute_url()]
    assert {judge_client.get(path).status_code for path in pages} == {403}
    posts = [*GRADING_POSTS, override_url(assessment)]
    assert {judge_client.post(path, {"reason": "x", "tier": "developing"}).status_code for path in posts} == {
        403
    }


def test_anonymous_visitor_is_sent_to_login_from_every_grading_page(anonymous_client):
    for path in [*GRADING_PAGES, *GRADING_POSTS]:
        response = anonymous_client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), path


def test_home_page_summarises_the_latest_register_in_the_users_scope(toufen_client, zhunan, toufen):
    TierRegisterFactory(year=2023)
    assessed(zhunan, status=ComplianceStatus.ABNORMAL)
    assessed(toufen, status=ComplianceStatus.NORMAL)
    summary = toufen_client.get("/").context["grading"]
    assert summary["year"] == 2023
    assert [count for _value, _label, count in summary["statuses"]] == [1, 0, 0]


def test_overview_runs_the_same_number_of_queries_however_many_associations(
    county_client, zhunan, toufen, django_assert_max_num_queries
):
    assessed(zhunan)
    # Session, user, the county's years (two: 2023 is before last year), the register with its thresholds
    # (no register yet: the county's row carries them, one more), the county's latest background recompute,
    # and the township figures, unassessed count and charts in one (`selectors.year_summary`).
    with django_assert_max_num_queries(8) as few:
        county_client.get("/grading/112/")
    for _ in range(10):
        assessed(zhunan)
        assessed(toufen)
    with django_assert_max_num_queries(len(few.captured_queries)):
        county_client.get("/grading/112/")


def test_movement_runs_the_same_number_of_queries_however_many_associations(
    county_client, zhunan, django_assert_max_num_queries
):
    assessed(zhunan, year=2023)
    # Session, user, the county's years (two: these years are before last year), the movement in one.
    with django_assert_max_num_queries(5) as few:
        county_client.get("/grading/movement/?from_year=111&to_year=112")
    for _ in range(10):
        before = assessed(zhunan, year=2022)
        AssessmentFactory(association=before.association, year=2023)
    with django_assert_max_num_queries(len(few.captured_queries)):
        county_client.get("/grading/movement/?from_year=111&to_year=112")


def test_assessment_page_runs_the_same_number_of_queries_however_long_the_history(
    county_client, county_officer, zhunan, django_assert_max_num_queries
):
    assessment = assessed(zhunan, suggested_tier=Tier.STAGNANT)
    with django_assert_max_num_queries(14) as few:
        county_client.get(assessment.get_absolute_url())
    for n in range(10):
        TierChange.objects.create(
            county=assessment.association.township.county,
            year=2023,
            association=assessment.association,
            kind="overridden",
            to_tier="potential",
            reason=f"理由{n}",
            changed_by=county_officer,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        county_client.get(assessment.get_absolute_url())


# --- the reader's language (issue 12 item 5) ----------------------------------------------------------------


def judged(county_officer, zhunan):
    from grading.services import assessments_recompute

    association = AssociationFactory(township=zhunan, name="竹南社區發展協會")
    assessments_recompute(year=2023, actor=county_officer, as_of=datetime.date(2024, 6, 30))
    return Assessment.objects.get(association=association)


def test_assessment_page_explains_the_rules_and_tier_in_english_for_an_english_reader(
    county_client, county_officer, zhunan
):
    assessment = judged(county_officer, zhunan)
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    content = county_client.get(assessment.get_absolute_url()).content.decode()
    assert "General assembly held</td>" in content
    assert "No general assembly held in ROC 112 (due 112/12/31)." in content
    assert "Stagnant: Compliance status is non-compliant." in content
    assert "未召開會員大會" not in content and "：" not in content


def test_assessment_page_explains_the_rules_in_chinese_by_default(county_client, county_officer, zhunan):
    assessment = judged(county_officer, zhunan)
    content = county_client.get(assessment.get_absolute_url()).content.decode()
    assert "112年度未召開會員大會（期限 112/12/31）。" in content
    assert "停滯型：會務財務狀態異常。" in content


def test_register_export_keeps_chinese_for_an_english_reader(county_client, county_officer, zhunan):
    judged(county_officer, zhunan)
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = county_client.get("/grading/112/register/export/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["鄉鎮市", "協會名稱"]
    assert "召開會員大會：112年度未召開會員大會（期限 112/12/31）。" in rows[1][4].split("\n")


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_overview_figures_are_grouped_as_intcomma_groups_them(language):
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from grading.views import _grouped

    with translation.override(language):
        for n in (0, 7, 999, 1000, 12345, 1234567, -1000, -5):
            assert _grouped(n) == intcomma(n)
