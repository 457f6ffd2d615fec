"""The language menu: each language named in itself, and nothing switches until the button is pressed."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    yield
    translation.deactivate()


def _menu(client, url: str = "/") -> str:
    content = client.get(url).content.decode()
    return content[
        content.index('<form class="lang"') : content.index("</form>", content.index('<form class="lang"'))
    ]


def test_a_chinese_page_names_english_in_english(county_client):
    menu = _menu(county_client)
    assert '<option value="en" lang="en">English</option>' in menu
    assert "英語" not in menu


def test_an_english_page_names_chinese_in_chinese(county_client):
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    menu = _menu(county_client)
    assert '<option value="zh-hant" lang="zh-hant">繁體中文</option>' in menu
    assert "Traditional Chinese" not in menu


def test_the_menu_marks_the_language_in_use(county_client):
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<option value="en" lang="en" selected>English</option>' in _menu(county_client)


def test_the_menu_switches_only_with_its_button_not_on_change(anonymous_client):
    menu = _menu(anonymous_client, "/accounts/login/")
    assert "onchange" not in menu
    assert '<button type="submit">切換語言</button>' in menu
