"""The staff pages of the subsidy desk: entering, listing, the queue, the detail with its timeline and
eligibility panel, transition buttons and attachments, each for the right people only."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grading.models import ComplianceStatus
from subsidies import services
from subsidies.models import Application, Attachment, FundingLine, FundingSource, State
from subsidies.services import CostInput, FundingInput
from tests.associations.factories import AssociationFactory
from tests.grading.factories import AssessmentFactory
from tests.subsidies.factories import FUND, YEAR, advance, configure, draft, item, source, to_review


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def association(zhunan):
    configure(zhunan.county)
    return AssociationFactory(township=zhunan, name="竹南社區發展協會")


@pytest.fixture
def application(association, zhunan_clerk):
    return draft(zhunan_clerk, association)


def _form(association, **extra) -> dict[str, object]:
    county = association.township.county
    data = {
        "association": association.pk,
        "year": YEAR,
        "item": item(county).pk,
        "title": "社區重陽敬老活動",
        "starts_on": "115/09/01",
        "ends_on": "115/10/31",
        "self_funded": 10_000,
        "cost-TOTAL_FORMS": 4,
        "cost-INITIAL_FORMS": 0,
        "cost-0-kind": "recurrent",
        "cost-0-description": "餐費",
        "cost-0-amount": 100_000,
        f"req_{source(county, FUND).pk}_recurrent": 90_000,
    }
    for n in range(1, 4):
        data[f"cost-{n}-kind"] = "recurrent"
    return {**data, **extra}


def test_a_township_clerk_enters_an_application_for_an_association(zhunan_client, association):
    response = zhunan_client.post("/subsidies/new/", _form(association))

    application = Application.objects.get()
    assert response.status_code == 302
    assert (application.case_number, application.state, application.self_funded) == (
        "115-竹南-001",
        "draft",
        10_000,
    )
    assert list(application.funding_lines.values_list("requested", flat=True)) == [90_000]
    assert list(application.cost_lines.values_list("amount", flat=True)) == [100_000]


def test_a_period_that_runs_into_next_year_is_shown_as_a_form_error(zhunan_client, association):
    response = zhunan_client.post("/subsidies/new/", _form(association, ends_on="116/01/10"))

    assert response.status_code == 200
    assert "12月31日前結束" in response.content.decode()
    assert not Application.objects.exists()


def test_a_county_officer_does_not_enter_applications(county_client, association):
    assert county_client.get("/subsidies/new/").status_code == 403


def test_a_clerk_lists_only_their_townships_applications(toufen_client, toufen, toufen_clerk, application):
    draft(toufen_clerk, AssociationFactory(township=toufen, name="頭份社區發展協會"), title="頭份的案子")

    text = toufen_client.get("/subsidies/").content.decode()

    assert "頭份的案子" in text
    assert application.title not in text


def test_the_list_filters_by_state(county_client, zhunan_clerk, association, application):
    draft(zhunan_clerk, association, title="已送出的案子")
    advance(Application.objects.get(title="已送出的案子"), [(zhunan_clerk, "submit")])

    text = county_client.get("/subsidies/", {"state": "submitted"}).content.decode()

    assert "已送出的案子" in text
    assert application.title not in text


def test_the_list_sorts_by_the_requested_total_and_shows_each_rows_totals_and_state(
    county_client, zhunan_clerk, association
):
    draft(zhunan_clerk, association, title="小案", requested=30_000)
    draft(zhunan_clerk, association, title="大案", requested=120_000)
    draft(zhunan_clerk, association, title="中案", requested=60_000)

    text = county_client.get("/subsidies/", {"sort": "-requested"}).content.decode()

    assert text.index("大案") < text.index("中案") < text.index("小案")
    assert all(re.search(rf">{amount},?000<", text) for amount in ("120", "60", "30"))
    assert "草稿" in text and "竹南鎮" in text and "凝聚社區意識活動" in text
    for application in Application.objects.all():
        assert f'<a href="{application.get_absolute_url()}">{application.case_number}</a>' in text


def test_the_list_pages_on_keys_and_a_page_past_the_last_is_not_found(
    county_client, zhunan_clerk, association, settings
):
    settings.PAGE_SIZE = 2
    for n in range(3):
        draft(zhunan_clerk, association, title=f"第{n}案")

    first = county_client.get("/subsidies/").content.decode()
    second = county_client.get("/subsidies/", {"page": 2}).content.decode()

    assert "第0案" in first and "第1案" in first and "第2案" not in first
    assert "第2案" in second and "第0案" not in second
    assert "共 3 筆" in second
    assert county_client.get("/subsidies/", {"page": 3}).status_code == 404


def test_the_county_queue_holds_forwarded_applications_not_drafts(
    county_client, county_officer, zhunan_clerk, association
):
    waiting = advance(
        draft(zhunan_clerk, association, title="等縣府審查"),
        [(zhunan_clerk, "submit"), (zhunan_clerk, "forward")],
    )
    draft(zhunan_clerk, association, title="還在草稿")

    text = county_client.get("/subsidies/queue/").content.decode()

    assert waiting.title in text
    assert "還在草稿" not in text


def test_the_detail_shows_the_timeline_and_the_eligibility_panel(
    county_client, county_officer, zhunan_clerk, association, application
):
    AssessmentFactory(association=association, year=YEAR, status=ComplianceStatus.ABNORMAL)
    to_review(application, zhunan_clerk, county_officer)

    text = county_client.get(f"/subsidies/{application.pk}/").content.decode()

    assert "公所初審中 → 公所已層轉" in text
    assert "會務財務狀態異常" in text
    assert "登錄資格例外" in text


def test_the_detail_shows_the_cost_lines_in_order_with_their_totals(county_client, zhunan_clerk, association):
    county = association.township.county
    application = services.application_save(
        actor=zhunan_clerk,
        association=association,
        year=YEAR,
        item=item(county),
        title="社區共餐",
        starts_on=datetime.date(YEAR, 3, 1),
        ends_on=datetime.date(YEAR, 10, 31),
        self_funded=10_000,
        costs=[
            CostInput("recurrent", "講師鐘點費「甲」", 40_000),
            CostInput("capital", "冷凍櫃", 30_000),
            CostInput("recurrent", "食材費", 20_000),
        ],
        funding=[FundingInput(source(county, FUND).pk, "recurrent", 80_000)],
    )

    text = county_client.get(f"/subsidies/{application.pk}/").content.decode()

    assert text.index("講師鐘點費「甲」") < text.index("冷凍櫃") < text.index("食材費")
    assert re.search(r"經常門合計</th><td class=\"num\">60,?000<", text)
    assert re.search(r"資本門合計</th><td class=\"num\">30,?000<", text)


def test_the_detail_shows_the_funding_lines_in_their_sources_order(county_client, zhunan_clerk, association):
    county = association.township.county
    first, second = FundingSource.objects.filter(county=county).order_by("pk")[:2]
    FundingSource.objects.filter(pk=first.pk).update(sort_order=9)  # listed after the second
    FundingSource.objects.filter(pk=second.pk).update(sort_order=1)
    application = services.application_save(
        actor=zhunan_clerk,
        association=association,
        year=YEAR,
        item=item(county),
        title="社區共餐",
        starts_on=datetime.date(YEAR, 3, 1),
        ends_on=datetime.date(YEAR, 10, 31),
        self_funded=4_000,
        costs=[CostInput("recurrent", "食材費", 58_000), CostInput("capital", "冷凍櫃", 12_000)],
        funding=[
            FundingInput(first.pk, "recurrent", 41_000),
            FundingInput(second.pk, "recurrent", 13_000),
            FundingInput(second.pk, "capital", 12_000),
        ],
    )
    expected = list(FundingLine.objects.filter(application=application).select_related("source"))

    text = county_client.get(f"/subsidies/{application.pk}/").content.decode()

    row = r'<tr><td>([^<]*)</td><td>[^<]*</td><td class="num">([\d,]+)</td><td class="num">—'
    shown = re.findall(row, text)
    assert [(name, int(amount.replace(",", ""))) for name, amount in shown] == [
        (line.source.name, line.requested) for line in expected
    ]
    assert expected[0].source == second and expected[-1].source == first


def test_a_clerk_submits_through_the_button(zhunan_client, application):
    response = zhunan_client.post(f"/subsidies/{application.pk}/act/", {"action": "submit"})

    application.refresh_from_db()
    assert response.status_code == 302
    assert application.state == State.SUBMITTED


def test_an_illegal_transition_through_the_page_says_why_and_changes_nothing(zhunan_client, application):
    response = zhunan_client.post(f"/subsidies/{application.pk}/act/", {"action": "forward"}, follow=True)

    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert "申請案目前為「草稿」，不能層轉縣府" in response.content.decode()


def test_a_clerk_is_refused_the_county_decision_through_the_page(
    zhunan_client, county_officer, zhunan_clerk, application
):
    to_review(application, zhunan_clerk, county_officer)

    response = zhunan_client.post(f"/subsidies/{application.pk}/act/", {"action": "approve"})

    assert response.status_code == 403
    assert FundingLine.objects.get().approved is None


def test_a_partial_approval_takes_the_amounts_typed(county_client, county_officer, zhunan_clerk, application):
    to_review(application, zhunan_clerk, county_officer)
    line = application.funding_lines.get()

    county_client.post(
        f"/subsidies/{application.pk}/act/", {"action": "approve_partly", f"amount_{line.pk}": "50,000"}
    )

    line.refresh_from_db()
    assert line.approved == 50_000


# --- attachments -----------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _upload(client, application, name: str, content: bytes):
    return client.post(
        f"/subsidies/{application.pk}/attachments/",
        {"kind": "plan", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_a_pdf_is_kept_and_downloaded_by_the_county(zhunan_client, county_client, application):
    _upload(zhunan_client, application, "計畫書.pdf", PDF)
    attachment = Attachment.objects.get()

    response = county_client.get(f"/subsidies/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"


def test_a_word_document_is_recognised_by_its_content(zhunan_client, application):
    _upload(zhunan_client, application, "經費表.docx", _docx())

    assert Attachment.objects.get().content_type.endswith("wordprocessingml.document")


def test_a_program_renamed_to_pdf_is_refused(zhunan_client, application):
    response = _upload(zhunan_client, application, "計畫書.pdf", b"MZ\x90\x00" + b"\x00" * 100)

    assert "只接受 PDF、Office 文件及 PNG、JPEG 圖片" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_zip_that_is_not_an_office_document_is_refused(zhunan_client, application):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.txt", "x")

    _upload(zhunan_client, application, "報告.docx", buffer.getvalue())

    assert not Attachment.objects.exists()


def test_a_file_over_20_mb_is_refused(zhunan_client, application):
    response = _upload(zhunan_client, application, "大檔.pdf", PDF + b"0" * (20 * 1024 * 1024))

    assert "檔案超過 20 MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_another_townships_clerk_cannot_download_the_attachment(zhunan_client, toufen_client, application):
    _upload(zhunan_client, application, "計畫書.pdf", PDF)

    assert toufen_client.get(f"/subsidies/attachments/{Attachment.objects.get().pk}/").status_code == 404


def test_attachments_are_stored_outside_the_web_roots(settings, zhunan_client, application):
    _upload(zhunan_client, application, "計畫書.pdf", PDF)
    path = Attachment.objects.get().file.path

    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))


# --- query budgets ---------------------------------------------------------------------------------------


def _many(association, n: int) -> None:
    county = association.township.county
    chosen, fund = item(county), source(county, FUND)
    rows = Application.objects.bulk_create(
        Application(
            county=county,
            association=association,
            year=YEAR,
            number=n_ + 1,
            case_number=f"115-竹南-{n_ + 1:03d}",
            item=chosen,
            title=f"活動{n_}",
            starts_on=datetime.date(YEAR, 2, 1),
            ends_on=datetime.date(YEAR, 6, 1),
            state=State.TOWNSHIP_FORWARDED,
        )
        for n_ in range(n)
    )
    FundingLine.objects.bulk_create(
        FundingLine(application=a, source=fund, kind="recurrent", requested=1000) for a in rows
    )


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("path", ["/subsidies/", "/subsidies/queue/", f"/subsidies/budget/{YEAR - 1911}/"])
def test_the_lists_stay_within_their_query_budget(
    county_client, association, django_assert_max_num_queries, size, path
):
    _many(association, size)

    with django_assert_max_num_queries(9):
        response = county_client.get(path, {"sort": "-requested"})

    assert response.status_code == 200


def test_the_home_dashboard_counts_what_waits_for_the_clerk(frozen_today, zhunan_client, application):
    text = zhunan_client.get("/").content.decode()

    assert '<span class="num">1</span><span>待我處理</span>' in text


def test_the_home_dashboard_shows_no_subsidy_block_to_a_clerk_with_no_applications(
    frozen_today, toufen_client, application
):
    assert "待我處理</span>" not in toufen_client.get("/").content.decode()


# --- Editing keeps the lines it does not remove ----------------------------------------------------------


def _posted_back(client, url: str) -> dict[str, object]:
    """Everything the edit page's form and its cost lines post back unchanged (version and line ids too)."""
    response = client.get(url)
    data: dict[str, object] = {}
    for form in [
        response.context["form"],
        response.context["costs"].management_form,
        *response.context["costs"],
    ]:
        for field in form:
            value = field.value()
            data[field.html_name] = "" if value is None else value
    return data


def test_an_edit_changes_its_lines_in_place_and_adds_and_removes_only_what_it_says(
    zhunan_client, zhunan_clerk, association
):
    county = association.township.county
    fund = source(county, FUND)
    application = services.application_save(
        actor=zhunan_clerk,
        association=association,
        year=YEAR,
        item=item(county),
        title="社區共餐",
        starts_on=datetime.date(YEAR, 3, 1),
        ends_on=datetime.date(YEAR, 10, 31),
        self_funded=10_000,
        costs=[CostInput("recurrent", "食材費", 60_000), CostInput("recurrent", "場地費", 30_000)],
        funding=[FundingInput(fund.pk, "recurrent", 80_000)],
    )
    food, venue = application.cost_lines.order_by("pk")
    funding = application.funding_lines.get()
    url = f"/subsidies/{application.pk}/edit/"
    data = _posted_back(zhunan_client, url)
    assert (data["cost-0-id"], data["cost-1-id"]) == (food.pk, venue.pk)
    data.update(
        {
            "cost-0-amount": 70_000,  # corrected
            "cost-1-amount": "",  # removed
            "cost-2-kind": "recurrent",  # added
            "cost-2-description": "講師費",
            "cost-2-amount": 20_000,
            f"req_{fund.pk}_recurrent": 80_000,
        }
    )

    response = zhunan_client.post(url, data)

    assert response.status_code == 302
    lines = list(application.cost_lines.order_by("pk").values_list("pk", "description", "amount"))
    assert lines[0] == (food.pk, "食材費", 70_000)
    assert [line[1:] for line in lines[1:]] == [("講師費", 20_000)]
    assert not application.cost_lines.filter(pk=venue.pk).exists()
    assert list(application.funding_lines.values_list("pk", "requested")) == [(funding.pk, 80_000)]


def test_an_edit_of_a_requested_amount_keeps_the_funding_line(zhunan_client, application):
    funding = application.funding_lines.get()
    url = f"/subsidies/{application.pk}/edit/"
    data = _posted_back(zhunan_client, url)
    data.update({"cost-0-amount": 90_000, f"req_{funding.source_id}_{funding.kind}": 85_000})

    assert zhunan_client.post(url, data).status_code == 302

    assert list(application.funding_lines.values_list("pk", "requested")) == [(funding.pk, 85_000)]
    assert list(application.cost_lines.values_list("amount", flat=True)) == [90_000]


def test_a_line_id_of_another_application_is_a_new_line_and_leaves_the_other_alone(
    zhunan_clerk, association, application
):
    other = draft(zhunan_clerk, association, title="另一案")
    others_line = other.cost_lines.get()
    county = association.township.county

    services.application_save(
        actor=zhunan_clerk,
        association=association,
        year=YEAR,
        item=item(county),
        title=application.title,
        starts_on=application.starts_on,
        ends_on=application.ends_on,
        self_funded=5_000,
        costs=[CostInput("recurrent", "改過的活動費", 100_000, id=others_line.pk)],
        funding=[FundingInput(source(county, FUND).pk, "recurrent", 95_000)],
        application=application,
        version=None,
    )

    assert list(other.cost_lines.values_list("pk", "description", "amount")) == [
        (others_line.pk, others_line.description, others_line.amount)
    ]
    assert list(application.cost_lines.values_list("description", "amount")) == [("改過的活動費", 100_000)]
    assert application.cost_lines.get().pk != others_line.pk
