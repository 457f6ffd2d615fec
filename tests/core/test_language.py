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
