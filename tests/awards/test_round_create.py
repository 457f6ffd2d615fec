"""A county officer sets up an award round from its workbook on the staff page /awards/new/ (issue 14):
upload, a preview of what the workbook would create and of every problem, then confirm; the same dataset
import as `create_award_round`. Township clerks, judges and other counties' officers are refused."""

import pytest

from awards.models import AwardRound, Criterion, Entry, JudgeAssignment
from core.models import ImportRecord
from tests.awards import test_commands
from tests.awards.test_commands import SHEETS, workbook

pytestmark = pytest.mark.django_db
CREATE = "/awards/new/"
#: The command tests' two associations (with their 2025 assessments) and judges judge1 and judge2.
associations, judges = test_commands.associations, test_commands.judges


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _preview(client, path, county, **data):
    with path.open("rb") as upload:
        fields = {"year": "115", "code": "GE115", "name": "115年度金卓越社區選拔", "method": "trimmed"}
        return client.post(CREATE, {"file": upload, "county": county.pk, **fields, **data})


def _confirm(client):
    record = ImportRecord.objects.get(dry_run=True)
    return client.post(CREATE, {"confirm": "1", "record": record.pk, "sha256": record.sha256})


@pytest.fixture
def book(tmp_path):
    return workbook(tmp_path / "round.xlsx", SHEETS)


def test_preview_lists_what_the_workbook_would_create_and_writes_nothing(
    county_client, county_officer, associations, judges, book
):
    html = _preview(county_client, book, county_officer.membership.county).content.decode()

    assert "預覽結果（尚未寫入）" in html
    assert "組別「績效組」：評分項目 會務與財務 40、社區活動 60；等第 優等、甲等；參選者 2。" in html
    assert "評審：judge1、judge2。" in html
    assert not AwardRound.objects.exists()


def test_preview_lists_every_problem_by_sheet_and_row(
    county_client, county_officer, associations, judges, tmp_path
):
    sheets = {**SHEETS, "評審": [["帳號", "迴避"], ["nobody", ""]]}
    path = workbook(tmp_path / "bad.xlsx", sheets)

    html = _preview(county_client, path, county_officer.membership.county).content.decode()

    assert "評審／帳號" in html and "沒有這個評審委員帳號。" in html
    assert "確認匯入" not in html


def test_county_officer_creates_a_round_and_lands_on_its_page(
    county_client, county_officer, associations, judges, book
):
    _preview(county_client, book, county_officer.membership.county)

    response = _confirm(county_client)

    award_round = AwardRound.objects.get(code="GE115")
    assert response["Location"] == f"/awards/{award_round.pk}/"
    assert (award_round.county, award_round.year, award_round.method) == (
        county_officer.membership.county,
        2026,
        "trimmed",
    )
    assert award_round.name == "115年度金卓越社區選拔"
    assert Criterion.objects.filter(group__round=award_round).count() == 2
    assert Entry.objects.filter(round=award_round).count() == 2
    assert JudgeAssignment.objects.filter(round=award_round).count() == 2


@pytest.mark.parametrize("client_name", ["zhunan_client", "judge_client"])
def test_clerks_and_judges_are_refused(request, client_name):
    client = request.getfixturevalue(client_name)

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE).status_code == 403


def test_another_countys_officer_cannot_create_for_this_county(
    yunlin_client, county_officer, associations, judges, book
):
    response = _preview(yunlin_client, book, county_officer.membership.county)

    assert response.status_code == 200 and "預覽結果" not in response.content.decode()
    assert not ImportRecord.objects.exists()


def test_awards_index_links_the_page_for_those_who_may_create(county_client, zhunan_client):
    assert CREATE in county_client.get("/awards/").content.decode()
    assert CREATE not in zhunan_client.get("/awards/").content.decode()
