import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from associations.models import Association, Officer, StaffMembership, Township
from core.roles import Role
from tests import TODAY
from tests.associations.factories import (
    AssociationFactory,
    CountyFactory,
    OfficerFactory,
    StaffFactory,
    TownshipFactory,
)

pytestmark = pytest.mark.usefixtures("frozen_today")  # officers are current or past as of TODAY
LAST_YEAR = TODAY - datetime.timedelta(days=365)
NEXT_YEAR = TODAY + datetime.timedelta(days=365)

# --- Township.objects.lookup -----------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["竹南鎮", "竹南", " 竹南 ", "苗栗縣竹南鎮", "苗栗縣竹南"])
def test_township_is_found_as_spreadsheets_write_it(zhunan, toufen, written):
    assert Township.objects.lookup(written) == zhunan


@pytest.mark.parametrize("written", ["台西鄉", "臺西鄉", "台西", "臺西", "雲林縣台西鄉"])
def test_tai_and_tai_are_the_same_character_in_township_names(db, written):
    taixi = TownshipFactory(county=CountyFactory(name="雲林縣"), name="臺西鄉", kind="鄉")

    assert Township.objects.lookup(written) == taixi


@pytest.mark.parametrize("written", ["", "   ", None, "竹北市", "竹"])
def test_unknown_or_empty_township_matches_nothing(zhunan, written):
    assert Township.objects.lookup(written) is None


def test_name_shared_by_two_counties_matches_only_when_the_county_is_given(db):
    miaoli = TownshipFactory(county=CountyFactory(name="苗栗縣"), name="中山鄉", kind="鄉")
    yunlin = TownshipFactory(county=CountyFactory(name="雲林縣"), name="中山鄉", kind="鄉")

    assert Township.objects.lookup("中山鄉") is None
    assert Township.objects.lookup("中山", county="雲林縣") == yunlin
    assert Township.objects.lookup("苗栗縣中山鄉") == miaoli


def test_two_character_township_keeps_its_whole_name(db):
    township = TownshipFactory(name="東區", kind="區")

    assert township.short_name == "東區"
    assert Township.objects.lookup("東") is None
    assert Township.objects.lookup("東區") == township


# --- Current chairperson ---------------------------------------------------------------------------------


def _chair_of(association: Association) -> str | None:
    return Association.objects.with_current_chair().get(pk=association.pk).current_chair_name


def test_current_chair_is_the_chair_whose_term_covers_today(zhunan):
    association = AssociationFactory(township=zhunan)
    OfficerFactory(
        association=association, name="卸任者", term_start=LAST_YEAR, term_end=TODAY - datetime.timedelta(1)
    )
    OfficerFactory(association=association, name="現任者", term_start=TODAY, term_end=NEXT_YEAR)
    OfficerFactory(association=association, name="理事甲", position=Officer.Position.DIRECTOR)

    assert _chair_of(association) == "現任者"


def test_chair_with_an_open_ended_term_is_current(zhunan):
    association = AssociationFactory(township=zhunan)
    OfficerFactory(association=association, name="林主席", term_start=None, term_end=None)

    assert _chair_of(association) == "林主席"


def test_when_terms_overlap_the_later_elected_chair_is_current(zhunan):
    association = AssociationFactory(township=zhunan)
    OfficerFactory(association=association, name="前任", term_start=LAST_YEAR, term_end=NEXT_YEAR)
    OfficerFactory(association=association, name="新任", term_start=TODAY, term_end=NEXT_YEAR)

    assert _chair_of(association) == "新任"


def test_association_without_a_current_chair_shows_none(zhunan):
    association = AssociationFactory(township=zhunan)
    OfficerFactory(association=association, term_start=LAST_YEAR, term_end=LAST_YEAR)

    assert _chair_of(association) is None


# --- Constraints -----------------------------------------------------------------------------------------


def test_officer_term_cannot_end_before_it_starts_in_the_database(zhunan):
    association = AssociationFactory(township=zhunan)

    with pytest.raises(IntegrityError), transaction.atomic():
        OfficerFactory(association=association, term_start=TODAY, term_end=LAST_YEAR)
    assert association.officers.count() == 0


def test_officer_term_check_gives_a_chinese_message(zhunan):
    officer = Officer(
        association=AssociationFactory(township=zhunan),
        position=Officer.Position.CHAIR,
        name="王小明",
        term_start=TODAY,
        term_end=LAST_YEAR,
    )

    with pytest.raises(ValidationError, match="任期迄日不可早於任期起日"):
        officer.full_clean()


def test_two_associations_in_one_township_cannot_share_a_name(zhunan, toufen):
    AssociationFactory(township=zhunan, name="大埔社區發展協會")
    AssociationFactory(township=toufen, name="大埔社區發展協會")  # another township may

    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationFactory(township=zhunan, name="大埔社區發展協會")


def test_township_clerk_must_have_a_township_and_others_must_not(zhunan):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffFactory(role=Role.TOWNSHIP, township=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffFactory(role=Role.COUNTY, township=zhunan)
    assert StaffMembership.objects.count() == 0


def test_association_and_officer_link_to_the_association_page(zhunan):
    officer = OfficerFactory(association__township=zhunan)

    assert officer.association.get_absolute_url() == f"/associations/{officer.association.pk}/"
    assert officer.get_absolute_url() == officer.association.get_absolute_url()
