"""The demo's year of applications reaches every state of the route, through the services."""

from __future__ import annotations

import pytest

from subsidies.demo import subsidies_demo
from subsidies.models import Application, State
from tests import TODAY
from tests.associations.factories import AssociationFactory


@pytest.fixture
def demo(zhunan, toufen, zhunan_clerk, toufen_clerk, county_officer, frozen_today):
    for township in (zhunan, toufen):
        for n in range(8):
            AssociationFactory(township=township, name=f"{township.name}第{n}社區發展協會")
    return subsidies_demo(today=TODAY, county_user=county_officer)


def test_the_demo_has_an_application_in_every_state(demo):
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)


def test_every_demo_application_has_a_history_from_its_creation(demo):
    assert all(a.transitions.filter(action="create").exists() for a in Application.objects.all())


def test_the_demo_clerks_each_get_applications_of_their_own_township(demo, zhunan, toufen):
    assert set(Application.objects.values_list("association__township__name", flat=True)) == {
        "竹南鎮",
        "頭份市",
    }
