"""The registry pages as people use them: the association list, detail, create and edit forms, officers and
the home dashboard. Every page showing association data is also checked from the other side: township staff
of 頭份市 get 404 on a 竹南鎮 association and never see its rows in lists, searches or counts."""

import datetime
import re
from urllib.parse import parse_qs

import pytest

from associations.models import Association, Officer
from tests import TODAY
from tests.associations.factories import AssociationFactory, OfficerFactory, VillageFactory

#: Queries allowed for one association list page, whatever the number of rows (session, user, membership,
#: the clerk's township in the header, the township filter choices, the count and the page).
LIST_QUERY_BUDGET = 8
#: Queries allowed for one association detail page, whatever the number of officers, villages and history
#: records (session, user, the association, its officers and villages in one UNION, the award history):
#: the history has its own page (test_history_page.py).
DETAIL_QUERY_BUDGET = 5

pytestmark = pytest.mark.usefixtures("frozen_today")  # officers are current or past as of TODAY
LAST_YEAR = TODAY - datetime.timedelta(days=365)


def _names(response) -> list[str]:
    """Association names shown as rows of the list, in order."""
    return re.findall(r'<td><a href="/associations/\d+/">([^<]+)</a></td>', response.content.decode())


def _total(response) -> int:
    match = re.search(r"共 ([\d,]+) 筆", response.content.decode())
    assert match, "the list shows no 「共 N 筆」 total"
    return int(match.group(1).replace(",", ""))


def _form_data(association: Association, **changes: object) -> dict[str, object]:
    """What the edit form posts back unchanged, with `changes` applied."""
    data = {
        "name": association.name,
        "township": association.township_id,
        "villages": [v.pk for v in association.villages.all()],
        "registration_number": association.registration_number,
        "founded_on": association.founded_on.isoformat() if association.founded_on else "",
        "term_number": association.term_number or "",
        "status": association.status,
        "address": association.address,
        "phone": association.phone,
        "email": association.email,
        "member_count": association.member_count if association.member_count is not None else "",
        "local_features": association.local_features,
        "notes": association.notes,
    }
    if association.runs_care_station:
        data["runs_care_station"] = "on"
    data.update(changes)
    return data


def _officer_data(**changes: object) -> dict[str, object]:
    return {"position": Officer.Position.CHAIR, "name": "陳美玲", "term_start": "112/03/01", **changes}


@pytest.fixture
def zhunan_row(zhunan):
    return AssociationFactory(
        township=zhunan, name="竹南大埔社區發展協會", registration_number="府社字第111號"
    )


@pytest.fixture
def zhunan_officer(zhunan_row):
    return OfficerFactory(association=zhunan_row, name="林志明")


# --- List ------------------------------------------------------------------------------------------------


def test_list_shows_township_chair_term_founding_date_and_status(county_client, zhunan_row):
    OfficerFactory(association=zhunan_row, name="林志明")

    html = county_client.get("/associations/").content.decode()

    assert "竹南大埔社區發展協會" in html
    assert "林志明" in html
    assert "第 8 屆" in html
    assert "84/03/01" in html
    assert "運作中" in html


def test_list_shows_a_dash_when_the_chair_has_left_office(county_client, zhunan_row):
    OfficerFactory(association=zhunan_row, name="前任理事長", term_start=LAST_YEAR, term_end=LAST_YEAR)

    html = county_client.get("/associations/").content.decode()

    assert "前任理事長" not in html


def test_township_clerk_lists_only_their_own_townships_rows(toufen_client, zhunan, toufen):
    AssociationFactory.create_batch(3, township=zhunan)
    AssociationFactory(township=toufen, name="頭份興隆社區發展協會")

    response = toufen_client.get("/associations/")

    assert _names(response) == ["頭份興隆社區發展協會"]
    assert _total(response) == 1


def test_search_finds_associations_by_name(county_client, zhunan_row, toufen):
    AssociationFactory(township=toufen, name="頭份興隆社區發展協會")

    assert _names(county_client.get("/associations/", {"q": "大埔"})) == ["竹南大埔社區發展協會"]


def test_search_finds_associations_by_registration_number(county_client, zhunan_row, toufen):
    AssociationFactory(township=toufen, registration_number="府社字第222號")

    assert _names(county_client.get("/associations/", {"q": "111"})) == ["竹南大埔社區發展協會"]


def test_search_reads_tai_and_tai_as_the_same_character(county_client, toufen):
    AssociationFactory(township=toufen, name="臺興社區發展協會")

    assert _names(county_client.get("/associations/", {"q": "台興"})) == ["臺興社區發展協會"]


def test_township_clerk_search_never_finds_another_townships_rows(toufen_client, zhunan_row, toufen):
    AssociationFactory(township=toufen, name="頭份大埔社區發展協會")

    response = toufen_client.get("/associations/", {"q": "大埔"})

    assert _names(response) == ["頭份大埔社區發展協會"]
    assert _total(response) == 1


def test_township_filter_narrows_the_list(county_client, zhunan, toufen, zhunan_row):
    AssociationFactory(township=toufen, name="頭份興隆社區發展協會")

    response = county_client.get("/associations/", {"township": zhunan.pk})

    assert _names(response) == ["竹南大埔社區發展協會"]


def test_township_clerk_filtering_by_another_townships_id_sees_none_of_its_rows(
    toufen_client, zhunan, toufen, zhunan_row
):
    AssociationFactory(township=toufen, name="頭份興隆社區發展協會")

    response = toufen_client.get("/associations/", {"township": zhunan.pk})

    assert "竹南大埔社區發展協會" not in response.content.decode()
    assert _names(response) == ["頭份興隆社區發展協會"]
    assert _total(response) == 1


def test_status_filter_shows_only_that_status(county_client, zhunan):
    AssociationFactory(township=zhunan, name="甲社區發展協會")
    AssociationFactory(township=zhunan, name="乙社區發展協會", status=Association.Status.DISSOLVED)

    assert _names(county_client.get("/associations/", {"status": "dissolved"})) == ["乙社區發展協會"]


def test_township_clerk_status_filter_leaves_out_another_townships_rows(toufen_client, zhunan, toufen):
    AssociationFactory(township=zhunan, status=Association.Status.DISSOLVED)
    AssociationFactory(township=toufen, name="頭份已解散社區發展協會", status=Association.Status.DISSOLVED)

    response = toufen_client.get("/associations/", {"status": "dissolved"})

    assert _names(response) == ["頭份已解散社區發展協會"]
    assert _total(response) == 1


def test_list_sorts_by_member_count_largest_first(county_client, zhunan):
    AssociationFactory(township=zhunan, name="小社區發展協會", member_count=20)
    AssociationFactory(township=zhunan, name="大社區發展協會", member_count=300)
    AssociationFactory(township=zhunan, name="中社區發展協會", member_count=80)

    response = county_client.get("/associations/", {"sort": "-members"})

    assert _names(response) == ["大社區發展協會", "中社區發展協會", "小社區發展協會"]


def test_list_sorts_by_township_by_default(county_client, zhunan, toufen):
    zhunan.sort_order, toufen.sort_order = 2, 1
    zhunan.save(update_fields=["sort_order"])
    toufen.save(update_fields=["sort_order"])
    AssociationFactory(township=zhunan, name="甲社區發展協會")
    AssociationFactory(township=toufen, name="乙社區發展協會")

    assert _names(county_client.get("/associations/")) == ["乙社區發展協會", "甲社區發展協會"]


def test_township_clerk_sorted_list_leaves_out_another_townships_rows(toufen_client, zhunan, toufen):
    AssociationFactory.create_batch(2, township=zhunan)
    AssociationFactory(township=toufen, name="頭份興隆社區發展協會", member_count=5)

    response = toufen_client.get("/associations/", {"sort": "-members"})

    assert _names(response) == ["頭份興隆社區發展協會"]


def test_list_shows_fifty_rows_a_page_and_the_total(county_client, zhunan):
    AssociationFactory.create_batch(60, township=zhunan)

    first, second = county_client.get("/associations/"), county_client.get("/associations/", {"page": 2})

    assert len(_names(first)) == 50
    assert "共 60 筆，第 1 / 2 頁" in first.content.decode()
    assert len(_names(second)) == 10


def test_next_page_link_keeps_the_filters(county_client, zhunan):
    AssociationFactory.create_batch(55, township=zhunan, status=Association.Status.REORGANISING)

    html = county_client.get("/associations/", {"status": "reorganising", "q": "社區"}).content.decode()

    link = re.search(r'href="\?([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert parse_qs(link) == {"status": ["reorganising"], "q": ["社區"], "page": ["2"]}


def test_township_clerk_total_counts_only_their_own_rows(toufen_client, zhunan, toufen):
    AssociationFactory.create_batch(52, township=toufen)
    AssociationFactory.create_batch(5, township=zhunan)

    response = toufen_client.get("/associations/", {"page": 2})

    assert _total(response) == 52
    assert len(_names(response)) == 2


def test_list_with_nothing_to_show_says_so(county_client, zhunan_row):
    response = county_client.get("/associations/", {"q": "沒有這個協會"})

    assert "沒有符合條件的協會。" in response.content.decode()
    assert _total(response) == 0


@pytest.mark.parametrize("rows", [5, 60])
def test_list_stays_within_a_fixed_query_budget(zhunan_client, zhunan, django_assert_max_num_queries, rows):
    for association in AssociationFactory.create_batch(rows, township=zhunan):
        OfficerFactory(association=association)

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = zhunan_client.get("/associations/", {"sort": "name"})

    assert len(_names(response)) == min(rows, 50)


def test_judge_is_refused_the_list(judge_client, zhunan_row):
    response = judge_client.get("/associations/")

    assert response.status_code == 403
    assert "竹南大埔社區發展協會" not in response.content.decode()


# --- Detail ----------------------------------------------------------------------------------------------


def test_detail_shows_the_record_its_villages_and_officers(zhunan_client, zhunan, zhunan_row):
    zhunan_row.villages.add(VillageFactory(township=zhunan, name="大埔里", kind="里"))
    OfficerFactory(association=zhunan_row, name="林志明", term_start=datetime.date(2023, 3, 1))

    html = zhunan_client.get(f"/associations/{zhunan_row.pk}/").content.decode()

    assert "竹南大埔社區發展協會" in html
    assert "府社字第111號" in html
    assert "大埔里" in html
    assert "林志明" in html
    assert "112/03/01" in html


def test_detail_lists_current_officers_first_and_marks_former_ones(zhunan_client, zhunan_row):
    OfficerFactory(association=zhunan_row, name="前任者", term_start=LAST_YEAR, term_end=LAST_YEAR)
    OfficerFactory(association=zhunan_row, name="現任者", position=Officer.Position.DIRECTOR)

    html = zhunan_client.get(f"/associations/{zhunan_row.pk}/").content.decode()

    assert html.index("現任者") < html.index("前任者")
    assert re.search(r"理事長 <small>（已卸任）</small></td>\s*<td>前任者", html)


def test_township_clerk_gets_404_on_another_townships_association(toufen_client, zhunan_row):
    response = toufen_client.get(f"/associations/{zhunan_row.pk}/")

    assert response.status_code == 404
    assert "竹南大埔社區發展協會" not in response.content.decode()


def test_missing_association_is_404(county_client, db):
    assert county_client.get("/associations/999999/").status_code == 404


def test_judge_is_refused_the_detail_page(judge_client, zhunan_row):
    assert judge_client.get(f"/associations/{zhunan_row.pk}/").status_code == 403


def test_detail_offers_editing_to_those_who_may_change_it(zhunan_client, county_client, zhunan_row):
    edit_link = f'href="/associations/{zhunan_row.pk}/edit/"'

    assert edit_link in zhunan_client.get(f"/associations/{zhunan_row.pk}/").content.decode()
    assert edit_link in county_client.get(f"/associations/{zhunan_row.pk}/").content.decode()


def test_history_shows_who_changed_what_with_roc_dates(zhunan_client, zhunan_clerk, zhunan_row):
    zhunan_clerk.first_name = "陳竹南"
    zhunan_clerk.save(update_fields=["first_name"])
    data = _form_data(zhunan_row, founded_on="112/01/03", member_count=75)
    zhunan_client.post(f"/associations/{zhunan_row.pk}/edit/", data)

    html = zhunan_client.get(f"/associations/{zhunan_row.pk}/history/").content.decode()

    assert re.search(r"<td>115/07/01 \d\d:\d\d</td><td>陳竹南</td><td>修改：協會資料</td>", html)
    assert "成立日期：<del>84/03/01</del> → <ins>112/01/03</ins>" in html
    assert "會員人數：<del>60</del> → <ins>75</ins>" in html


def test_history_shows_villages_added_to_the_community(zhunan_client, zhunan, zhunan_row):
    village = VillageFactory(township=zhunan, name="大埔里", kind="里")
    zhunan_client.post(f"/associations/{zhunan_row.pk}/edit/", _form_data(zhunan_row, villages=[village.pk]))

    html = zhunan_client.get(f"/associations/{zhunan_row.pk}/history/").content.decode()

    assert "涵蓋村里：<del>—</del> → <ins>大埔里</ins>" in html


def test_history_shows_officers_added_and_removed(zhunan_client, zhunan_row):
    zhunan_client.post(f"/associations/{zhunan_row.pk}/officers/new/", _officer_data(name="陳美玲"))
    officer = zhunan_row.officers.get()
    zhunan_client.post(f"/associations/officers/{officer.pk}/delete/")

    html = zhunan_client.get(f"/associations/{zhunan_row.pk}/history/").content.decode()

    assert "新增：理事長 陳美玲" in html
    assert "刪除：理事長 陳美玲" in html


def test_history_shows_an_officers_new_term_end_in_roc_dates(zhunan_client, zhunan_officer):
    data = _officer_data(name="林志明", term_start="111/03/01", term_end="115/02/28")
    zhunan_client.post(f"/associations/officers/{zhunan_officer.pk}/edit/", data)

    html = zhunan_client.get(f"/associations/{zhunan_officer.association_id}/history/").content.decode()

    assert "修改：理事長 林志明" in html
    assert "任期迄日：<del>188/02/28</del> → <ins>115/02/28</ins>" in html


@pytest.mark.parametrize("officers", [2, 20])
def test_detail_stays_within_a_fixed_query_budget(
    zhunan_client, zhunan_clerk, zhunan, zhunan_row, django_assert_max_num_queries, officers
):
    zhunan_row.villages.add(*VillageFactory.create_batch(3, township=zhunan))
    for officer in OfficerFactory.create_batch(officers, association=zhunan_row):
        officer.phone = "037-123456"
        officer.save(update_fields=["phone"])
    Officer.history.update(history_user=zhunan_clerk)

    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        response = zhunan_client.get(f"/associations/{zhunan_row.pk}/")

    html = response.content.decode()
    assert html.count("037-123456") == officers
    assert all(v.name in html for v in zhunan_row.villages.all())
    assert f'href="/associations/{zhunan_row.pk}/history/"' in html
    history = zhunan_client.get(f"/associations/{zhunan_row.pk}/history/").content.decode()
    assert history.count("聯絡電話：<del>—</del> → <ins>037-123456</ins>") == officers


def test_detail_lists_the_villages_by_name_and_officers_current_first(zhunan_client, zhunan, zhunan_row):
    zhunan_row.villages.add(
        VillageFactory(township=zhunan, name="竹南里"), VillageFactory(township=zhunan, name="大埔里")
    )
    OfficerFactory(association=zhunan_row, position="director", name="甲理事")
    OfficerFactory(
        association=zhunan_row, position="chair", name="前理事長", term_start=None, term_end=LAST_YEAR
    )
    OfficerFactory(association=zhunan_row, position="chair", name="現任理事長")

    html = zhunan_client.get(f"/associations/{zhunan_row.pk}/").content.decode()

    villages = [v.name for v in zhunan_row.villages.all()]  # in the villages' own order
    assert "、".join(villages) in html
    shown = [n for n in re.findall(r"<td>([^<]+)</td>", html) if n in ("甲理事", "前理事長", "現任理事長")]
    assert shown == ["現任理事長", "甲理事", "前理事長"]


# --- Create ----------------------------------------------------------------------------------------------


def test_township_clerk_creates_an_association_in_their_township(zhunan_client, zhunan):
    response = zhunan_client.post(
        "/associations/new/",
        {"name": "竹南新社區發展協會", "township": zhunan.pk, "status": "active", "founded_on": "112/01/03"},
        follow=True,
    )

    association = Association.objects.get(name="竹南新社區發展協會")
    assert association.founded_on == datetime.date(2023, 1, 3)
    assert response.redirect_chain[-1][0] == f"/associations/{association.pk}/"
    assert "已新增「竹南新社區發展協會」。" in response.content.decode()


def test_create_form_offers_a_clerk_only_their_own_township(zhunan_client, zhunan, toufen):
    html = zhunan_client.get("/associations/new/").content.decode()

    assert f'<option value="{zhunan.pk}" selected>竹南鎮</option>' in html
    assert "頭份市" not in html


def test_township_clerk_cannot_create_an_association_in_another_township(toufen_client, zhunan):
    response = toufen_client.post(
        "/associations/new/", {"name": "越界社區發展協會", "township": zhunan.pk, "status": "active"}
    )

    assert "所選的鄉鎮市區不在您可管理的範圍內。" in response.content.decode()
    assert not Association.objects.exists()


def test_create_without_a_name_asks_for_one(zhunan_client, zhunan):
    response = zhunan_client.post(
        "/associations/new/", {"name": " ", "township": zhunan.pk, "status": "active"}
    )

    assert "請填寫協會名稱。" in response.content.decode()
    assert not Association.objects.exists()


def test_create_with_an_unreadable_date_says_how_to_write_it(zhunan_client, zhunan):
    data = {"name": "新社區發展協會", "township": zhunan.pk, "status": "active", "founded_on": "去年"}

    response = zhunan_client.post("/associations/new/", data)

    assert "無法辨識的日期：去年" in response.content.decode()
    assert not Association.objects.exists()


def test_create_with_bad_email_and_member_count_names_both_fields(zhunan_client, zhunan):
    data = {"name": "新社區", "township": zhunan.pk, "status": "active", "email": "abc", "member_count": "-3"}

    html = zhunan_client.post("/associations/new/", data).content.decode()

    assert "電子郵件格式不正確。" in html
    assert "會員人數不可為負數。" in html
    assert not Association.objects.exists()


def test_create_refuses_a_name_already_used_in_the_township(zhunan_client, zhunan, zhunan_row):
    data = {"name": "竹南大埔社區發展協會", "township": zhunan.pk, "status": "active"}

    response = zhunan_client.post("/associations/new/", data)

    assert (
        f'竹南鎮已有「<a href="/associations/{zhunan_row.pk}/">竹南大埔社區發展協會</a>」'
        in response.content.decode()
    )
    assert Association.objects.count() == 1


def test_create_refuses_a_village_of_another_township(county_client, zhunan, toufen):
    village = VillageFactory(township=toufen, name="興隆里", kind="里")
    data = {"name": "新社區發展協會", "township": zhunan.pk, "status": "active", "villages": [village.pk]}

    response = county_client.post("/associations/new/", data)

    assert "村里「興隆里」不屬於所選的鄉鎮市區。" in response.content.decode()
    assert not Association.objects.exists()


def test_judge_is_refused_the_create_form(judge_client, zhunan):
    assert judge_client.get("/associations/new/").status_code == 403
    data = {"name": "評審社區發展協會", "township": zhunan.pk, "status": "active"}
    assert judge_client.post("/associations/new/", data).status_code == 403
    assert not Association.objects.exists()


# --- Edit ------------------------------------------------------------------------------------------------


def test_township_clerk_edits_their_own_association(zhunan_client, zhunan_row):
    data = _form_data(zhunan_row, phone="037-111222", status="reorganising")

    response = zhunan_client.post(f"/associations/{zhunan_row.pk}/edit/", data, follow=True)

    zhunan_row.refresh_from_db()
    assert (zhunan_row.phone, zhunan_row.status) == ("037-111222", "reorganising")
    assert "已儲存「竹南大埔社區發展協會」的變更。" in response.content.decode()


def test_edit_form_shows_dates_in_roc_form(zhunan_client, zhunan_row):
    html = zhunan_client.get(f"/associations/{zhunan_row.pk}/edit/").content.decode()

    assert 'value="84/03/01"' in html


def test_county_officer_edits_any_townships_association(county_client, zhunan_row):
    county_client.post(f"/associations/{zhunan_row.pk}/edit/", _form_data(zhunan_row, term_number=9))

    zhunan_row.refresh_from_db()
    assert zhunan_row.term_number == 9


def test_township_clerk_gets_404_on_another_townships_edit_form(toufen_client, zhunan_row):
    response = toufen_client.get(f"/associations/{zhunan_row.pk}/edit/")

    assert response.status_code == 404
    assert "竹南大埔社區發展協會" not in response.content.decode()


def test_township_clerk_cannot_save_another_townships_association(toufen_client, toufen, zhunan_row):
    data = _form_data(zhunan_row, name="被改掉的名稱", township=toufen.pk)

    response = toufen_client.post(f"/associations/{zhunan_row.pk}/edit/", data)

    assert response.status_code == 404
    zhunan_row.refresh_from_db()
    assert (zhunan_row.name, zhunan_row.township.name) == ("竹南大埔社區發展協會", "竹南鎮")
    assert zhunan_row.history.count() == 1


def test_township_clerk_cannot_move_their_association_to_another_township(zhunan_client, toufen, zhunan_row):
    response = zhunan_client.post(
        f"/associations/{zhunan_row.pk}/edit/", _form_data(zhunan_row, township=toufen.pk)
    )

    assert "所選的鄉鎮市區不在您可管理的範圍內。" in response.content.decode()
    zhunan_row.refresh_from_db()
    assert zhunan_row.township.name == "竹南鎮"


def test_judge_is_refused_the_edit_form(judge_client, zhunan_row):
    url = f"/associations/{zhunan_row.pk}/edit/"

    assert judge_client.get(url).status_code == 403
    assert judge_client.post(url, _form_data(zhunan_row, name="評審改的")).status_code == 403
    zhunan_row.refresh_from_db()
    assert zhunan_row.name == "竹南大埔社區發展協會"


# --- Officers --------------------------------------------------------------------------------------------


def test_township_clerk_adds_an_officer_with_roc_dates(zhunan_client, zhunan_row):
    data = _officer_data(term_start="112/03/01", term_end="116.02.28")

    response = zhunan_client.post(f"/associations/{zhunan_row.pk}/officers/new/", data, follow=True)

    officer = zhunan_row.officers.get()
    assert (officer.name, officer.term_end) == ("陳美玲", datetime.date(2027, 2, 28))
    assert "已新增幹部「理事長 陳美玲」。" in response.content.decode()
    assert "112/03/01 – 116/02/28" in response.content.decode()


def test_officer_term_ending_before_it_starts_is_refused_with_a_chinese_message(zhunan_client, zhunan_row):
    data = _officer_data(term_start="113/01/01", term_end="112/12/31")

    response = zhunan_client.post(f"/associations/{zhunan_row.pk}/officers/new/", data)

    assert "任期迄日不可早於任期起日。" in response.content.decode()
    assert not zhunan_row.officers.exists()


def test_officer_without_name_or_position_is_refused(zhunan_client, zhunan_row):
    response = zhunan_client.post(
        f"/associations/{zhunan_row.pk}/officers/new/", {"name": "", "position": ""}
    )

    assert "請填寫姓名。" in response.content.decode()
    assert "請選擇職稱。" in response.content.decode()
    assert not zhunan_row.officers.exists()


def test_township_clerk_edits_an_officer(zhunan_client, zhunan_officer):
    data = _officer_data(name="林志明", phone="0912-345678")

    zhunan_client.post(f"/associations/officers/{zhunan_officer.pk}/edit/", data)

    zhunan_officer.refresh_from_db()
    assert zhunan_officer.phone == "0912-345678"


def test_township_clerk_deletes_an_officer(zhunan_client, zhunan_officer):
    response = zhunan_client.post(f"/associations/officers/{zhunan_officer.pk}/delete/", follow=True)

    assert not Officer.objects.filter(pk=zhunan_officer.pk).exists()
    assert "已刪除幹部「理事長 林志明」。" in response.content.decode()


def test_officer_cannot_be_deleted_by_a_get_request(zhunan_client, zhunan_officer):
    assert zhunan_client.get(f"/associations/officers/{zhunan_officer.pk}/delete/").status_code == 405
    assert Officer.objects.filter(pk=zhunan_officer.pk).exists()


def test_township_clerk_gets_404_adding_an_officer_to_another_townships_association(
    toufen_client, zhunan_row
):
    url = f"/associations/{zhunan_row.pk}/officers/new/"

    assert toufen_client.get(url).status_code == 404
    assert toufen_client.post(url, _officer_data()).status_code == 404
    assert not zhunan_row.officers.exists()


def test_township_clerk_gets_404_editing_another_townships_officer(toufen_client, zhunan_officer):
    url = f"/associations/officers/{zhunan_officer.pk}/edit/"

    assert toufen_client.get(url).status_code == 404
    assert toufen_client.post(url, _officer_data(name="被改掉")).status_code == 404
    zhunan_officer.refresh_from_db()
    assert zhunan_officer.name == "林志明"


def test_township_clerk_gets_404_deleting_another_townships_officer(toufen_client, zhunan_officer):
    response = toufen_client.post(f"/associations/officers/{zhunan_officer.pk}/delete/")

    assert response.status_code == 404
    assert Officer.objects.filter(pk=zhunan_officer.pk).exists()


def test_judge_is_refused_the_officer_pages(judge_client, zhunan_row, zhunan_officer):
    assert judge_client.get(f"/associations/{zhunan_row.pk}/officers/new/").status_code == 403
    assert (
        judge_client.post(f"/associations/officers/{zhunan_officer.pk}/edit/", _officer_data()).status_code
        == 403
    )
    assert judge_client.post(f"/associations/officers/{zhunan_officer.pk}/delete/").status_code == 403
    assert Officer.objects.get().name == "林志明"


# --- Home dashboard --------------------------------------------------------------------------------------


def _cards(response) -> dict[str, int]:
    """The dashboard's figure cards: label -> number."""
    pairs = re.findall(r'<span class="num">([\d,]+)</span><span>([^<]+)</span>', response.content.decode())
    return {label: int(number.replace(",", "")) for number, label in pairs}


def test_township_clerk_dashboard_counts_only_their_own_township(toufen_client, zhunan, toufen):
    AssociationFactory.create_batch(2, township=toufen)
    AssociationFactory.create_batch(3, township=zhunan, status=Association.Status.DISSOLVED)

    response = toufen_client.get("/")

    assert _cards(response) == {"協會總數": 2, "運作中": 2, "限期整理中": 0, "已解散": 0}
    assert "竹南鎮" not in response.content.decode()


def test_county_officer_dashboard_counts_every_township(county_client, zhunan, toufen):
    AssociationFactory.create_batch(2, township=toufen)
    AssociationFactory.create_batch(3, township=zhunan, status=Association.Status.DISSOLVED)

    response = county_client.get("/")

    assert _cards(response) == {"協會總數": 5, "運作中": 2, "限期整理中": 0, "已解散": 3}
    assert re.search(r">竹南鎮</a></td><td class=\"num\">3</td>", response.content.decode())


def test_user_without_a_role_is_told_so_and_refused_the_registry(django_user_model, client, zhunan_row):
    client.force_login(django_user_model.objects.create_user(username="nobody"))

    assert "您的帳號尚未設定角色，請聯絡系統管理者。" in client.get("/").content.decode()
    assert client.get("/associations/").status_code == 403
    assert client.get(f"/associations/{zhunan_row.pk}/").status_code == 403


def test_judge_dashboard_shows_no_association_figures(judge_client, zhunan_row):
    response = judge_client.get("/")

    assert response.status_code == 200
    assert _cards(response) == {}
    assert "竹南" not in response.content.decode()
