"""The programme facts a tier counted keep their label as the untranslated sentence with its parameters
(issue 12 item 5): the stored trail reads as Chinese, each reader sees it in their language, and counts
stored before with the numbers written into the Chinese text are read back by the data migration."""

import datetime
import importlib

from django.apps import apps
from django.utils import translation

from grading.messages import count_label
from grading.models import Assessment
from grading.services import assessments_recompute
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ProgrammeProfileFactory

TEAM = "志工隊（%(n)d 人，至少 %(min)d 人才計入）"
migration = importlib.import_module("grading.migrations.0008_programme_count_labels")


def _recomputed(county_officer, zhunan) -> Assessment:
    ProgrammeProfileFactory(association=AssociationFactory(township=zhunan), volunteer_count=12)
    assessments_recompute(year=2023, actor=county_officer, as_of=datetime.date(2024, 6, 30))
    return Assessment.objects.get()


def test_a_count_is_stored_as_its_untranslated_label_with_its_numbers(county_officer, zhunan):
    with translation.override("en"):  # whoever triggers it, the record is the same
        assessment = _recomputed(county_officer, zhunan)

    team = next(c for c in assessment.tier_trail["counts"] if c["code"] == "volunteer_team")
    assert team["label"] == TEAM
    assert team["params"]["n"] == 12
    assert isinstance(team["params"]["min"], int)


def test_the_counts_read_in_the_readers_language(county_officer, zhunan):
    assessment = _recomputed(county_officer, zhunan)
    minimum = next(c for c in assessment.tier_trail["counts"] if c["code"] == "volunteer_team")["params"][
        "min"
    ]

    chinese = dict(assessment.programme_counts())
    with translation.override("en"):
        english = dict(assessment.programme_counts())

    assert f"志工隊（12 人，至少 {minimum} 人才計入）" in chinese
    assert "社區照顧關懷據點" in chinese
    assert f"Volunteer team (members: 12; counts from {minimum})" in english
    assert "Community care station" in english


def test_the_assessment_page_shows_the_counts_in_english_to_an_english_reader(
    county_client, county_officer, zhunan
):
    assessment = _recomputed(county_officer, zhunan)
    county_client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = county_client.get(assessment.get_absolute_url()).content.decode()

    assert "Volunteer team (members: 12;" in html
    assert "志工隊（12 人" not in html


def test_a_list_of_names_is_joined_in_the_readers_language():
    grants = {"label": "結案的補助計畫：%(grants)s", "count": 2, "params": {"grants": ["A 案", "B 案"]}}

    assert count_label(grants) == "結案的補助計畫：A 案、B 案"
    with translation.override("en"):
        assert count_label(grants) == "Grants closed out: A 案, B 案"


def test_a_label_stored_before_parameters_reads_as_stored():
    with translation.override("en"):
        assert (
            count_label({"label": "志工隊（7 人，至少 10 人才計入）", "count": 0})
            == "志工隊（7 人，至少 10 人才計入）"
        )


def test_the_migration_reads_stored_chinese_counts_back_and_writes_them_again(county_officer, zhunan):
    assessment = _recomputed(county_officer, zhunan)
    legacy = [
        {"code": "volunteer_team", "label": "志工隊（7 人，至少 10 人才計入）", "count": 0},
        {"code": "closed_grants", "label": "結案的補助計畫：112-001 共餐、112-002 健走", "count": 2},
        {"code": "care_station", "label": "社區照顧關懷據點", "count": 1},
    ]
    Assessment.objects.filter(pk=assessment.pk).update(tier_trail={**assessment.tier_trail, "counts": legacy})

    migration.forwards(apps, None)
    counts = Assessment.objects.get(pk=assessment.pk).tier_trail["counts"]
    assert counts == [
        {"code": "volunteer_team", "label": TEAM, "count": 0, "params": {"n": 7, "min": 10}},
        {
            "code": "closed_grants",
            "label": "結案的補助計畫：%(grants)s",
            "count": 2,
            "params": {"grants": ["112-001 共餐、112-002 健走"]},
        },
        {"code": "care_station", "label": "社區照顧關懷據點", "count": 1},
    ]
    with translation.override("en"):
        assert "Volunteer team (members: 7; counts from 10)" in dict(
            Assessment.objects.get(pk=assessment.pk).programme_counts()
        )

    migration.backwards(apps, None)
    assert Assessment.objects.get(pk=assessment.pk).tier_trail["counts"] == legacy
