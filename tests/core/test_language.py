import pytest
from django.utils import translation

from tests.associations.factories import OfficerFactory


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """The test client leaves the last request's language active in the thread; later tests expect Chinese."""
    yield
    translation.deactivate()


def test_pages_are_in_traditional_chinese_even_for_an_english_browser(county_client):
    response = county_client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hant"
    assert '<html lang="zh-hant">' in response.content.decode()


def test_choosing_english_in_the_menu_switches_the_portal_to_english(county_client):
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = county_client.get("/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_traditional_chinese(county_client, settings):
    county_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert county_client.get("/")["Content-Language"] == "zh-hant"


# --- English pages ------------------------------------------------------------------------------------

CHINESE_NAV = ("首頁", "社區發展協會", "會務財務清查", "分級清冊", "登出")
ENGLISH_NAV = (
    "Home",
    "Community development associations",
    "Yearly compliance check",
    "Tier register",
    "Log out",
)


@pytest.fixture
def english_client(county_client):
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return county_client


@pytest.fixture
def association(zhunan):
    chair = OfficerFactory(association__township=zhunan, association__name="大埔社區發展協會", name="王大明")
    return chair.association


def _page(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    return response.content.decode()


def _header(content: str) -> str:
    """The top bar: the main menu and the log-out button."""
    return content[content.index('<header class="topbar">') : content.index("</header>")]


def _assert_english(content: str, *words: str) -> None:
    header = _header(content)
    for label in ENGLISH_NAV:
        assert f">{label}<" in header
    for label in CHINESE_NAV:
        assert label not in header
    for word in words:
        assert word in content


def test_the_home_page_is_in_english(english_client, association):
    content = _page(english_client, "/")
    _assert_english(
        content, "<h1>Home</h1>", "Your role: County officer", "Associations by township", "Log out"
    )
    assert "您的身分" not in content


def test_the_association_list_is_in_english(english_client, association):
    content = _page(english_client, "/associations/")
    _assert_english(
        content, "Add association", "Export Excel", "Clear filters", "Chairperson", "Founded on", "Active"
    )
    assert "新增協會" not in content and "運作中" not in content
    assert "Term 8" in content  # 第 {{ n }} 屆 with its placeholder
    assert "大埔社區發展協會" in content  # data stays as entered


def test_an_association_detail_is_in_english(english_client, association):
    content = _page(english_client, f"/associations/{association.pk}/")
    _assert_english(
        content, "Registration number", "Directors, supervisors and officers", "Chairperson", "History"
    )
    assert "理監事及幹部" not in content and "立案字號" not in content


def test_the_compliance_grid_is_in_english(english_client, association):
    content = _page(english_client, "/associations/compliance/")
    _assert_english(content, "compliance check", "Association name", "General assembly dates", "Save")
    assert "ROC 1" in content  # the year label, e.g. ROC 114
    assert "協會名稱" not in content and "年度" not in content


def test_the_grading_overview_is_in_english(english_client, association):
    content = _page(english_client, "/grading/112/")
    _assert_english(
        content,
        "ROC 112 compliance check and tiers",
        "Compliant",
        "Needs guidance",
        "Non-compliant",
        "Stagnant",
        "Potential",
        "Developing",
        "Guidance strategy by tier",
    )
    assert "會務財務清查與分級" not in content and "停滯型" not in content


def test_an_unauthorised_english_page_is_in_english_too(anonymous_client):
    anonymous_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    content = _page(anonymous_client, "/accounts/login/")
    assert "Log in" in content and "帳號或密碼" not in content


def test_traditional_chinese_pages_are_unchanged(county_client, association):
    home = county_client.get("/").content.decode()
    header = _header(home)
    for label in CHINESE_NAV:
        assert f">{label}<" in header
    for label in ENGLISH_NAV:
        assert label not in header
    assert "您的身分：縣府承辦人" in home
    listing = county_client.get("/associations/").content.decode()
    assert "新增協會" in listing and "第 8 屆" in listing and "運作中" in listing
    assert "Add association" not in listing
    overview = county_client.get("/grading/112/").content.decode()
    assert "112年度會務財務清查與分級" in overview and "停滯型" in overview
    assert "ROC 112" not in overview and "Stagnant" not in overview
