"""The role cast every test draws on: a county officer of 苗栗縣, township staff of 竹南鎮 and of 頭份市, a
judge, an administrator and an anonymous visitor (docs/architecture.md, Tests); and for the county level,
斗六市 of 雲林縣 with a county officer of its own."""

import pytest
from django.test import Client

from core.roles import Role
from tests import TODAY, clock_at
from tests.associations.factories import CountyFactory, StaffFactory, TownshipFactory


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests run without `collectstatic`, so the manifest storage used in production has nothing to read."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs about half a second per user; the role cast would dominate the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen_today():
    """Today is `tests.TODAY` for the test (10:00 in Taipei, the clock ticking on): for every test whose
    outcome depends on the date, so that it gives the same answer on any day it is run."""
    with clock_at(TODAY):
        yield TODAY


@pytest.fixture
def zhunan(db):
    return TownshipFactory(name="竹南鎮", kind="鎮")


@pytest.fixture
def toufen(db):
    return TownshipFactory(name="頭份市", kind="市")


@pytest.fixture
def county_officer(db):
    return StaffFactory(username="county", role=Role.COUNTY)


@pytest.fixture
def zhunan_clerk(zhunan):
    return StaffFactory(username="zhunan", role=Role.TOWNSHIP, township=zhunan)


@pytest.fixture
def toufen_clerk(toufen):
    return StaffFactory(username="toufen", role=Role.TOWNSHIP, township=toufen)


@pytest.fixture
def judge(db):
    return StaffFactory(username="judge", role=Role.JUDGE)


@pytest.fixture
def administrator(db):
    return StaffFactory(username="admin", role=Role.ADMIN)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def county_client(county_officer) -> Client:
    return _client_for(county_officer)


@pytest.fixture
def zhunan_client(zhunan_clerk) -> Client:
    return _client_for(zhunan_clerk)


@pytest.fixture
def toufen_client(toufen_clerk) -> Client:
    return _client_for(toufen_clerk)


@pytest.fixture
def judge_client(judge) -> Client:
    return _client_for(judge)


@pytest.fixture
def admin_client_(administrator) -> Client:
    return _client_for(administrator)


@pytest.fixture
def anonymous_client() -> Client:
    return Client()


# --- a second county: scoping by county is probed with it -----------------------------------------------


@pytest.fixture
def douliu(db):
    """斗六市 of 雲林縣: another county's township."""
    return TownshipFactory(county=CountyFactory(name="雲林縣"), name="斗六市", kind="市")


@pytest.fixture
def yunlin_officer(douliu):
    return StaffFactory(username="yunlin", role=Role.COUNTY, county=douliu.county)


@pytest.fixture
def yunlin_client(yunlin_officer) -> Client:
    return _client_for(yunlin_officer)
