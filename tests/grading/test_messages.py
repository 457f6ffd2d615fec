"""Judgment texts stored as codes with parameters (issue 12 item 5): rendered in the reader's language, kept
in Chinese in exports and the history, and stored rows converted by the data migration."""

import datetime
import importlib

from django.apps import apps
from django.utils import translation

from grading import rules
from grading.messages import from_legacy_text, message, render
from grading.models import Assessment
from grading.rules import AssociationFacts, ElectionFact, MeetingFact
from tests.associations.factories import AssociationFactory

D = datetime.date


def in_english(value):
    with translation.override("en"):
        return render(value)


def test_a_message_renders_in_chinese_by_default():
    pending = message("assembly_pending", year=2026, due=D(2026, 12, 31))
    assert render(pending) == "115年度尚未召開會員大會，請於 115/12/31 前召開。"


def test_a_message_renders_in_english_for_an_english_reader():
    pending = message("assembly_pending", year=2026, due=D(2026, 12, 31))
    assert in_english(pending) == "No general assembly yet in ROC 115; hold one by 115/12/31."


def test_lists_use_half_width_separators_in_english():
    held = message("assembly_held_on", dates=[D(2026, 3, 1), D(2026, 5, 20)])
    assert render(held) == "已於 115/03/01、115/05/20 召開會員大會。"
    assert in_english(held) == "General assembly held on 115/03/01, 115/05/20."


def test_a_note_follows_its_sentence_in_the_readers_language():
    missed = message(
        "assembly_missed",
        year=2026,
        due=D(2026, 12, 31),
        note=message("no_quorum_note", dates=[D(2026, 5, 1)]),
    )
    assert render(missed).endswith("（115/05/01 的會議未達法定人數，不予計入）")
    assert in_english(missed).endswith("(meetings on 115/05/01 lacked a quorum and do not count)")


def test_a_message_stores_plain_json_without_any_text():
    assert message("not_filed", due=D(2026, 3, 31)) == {"code": "not_filed", "params": {"due": "2026-03-31"}}


def test_a_persons_words_and_an_unknown_code_render_as_they_are():
    assert render("協會自行說明") == "協會自行說明"
    assert render({"code": "no_such_code", "params": {"text": "舊文字"}}) == "舊文字"


# --- reading stored Chinese back into codes (the data migration) -----------------------------------------


def facts_variants():
    """Facts that make every rule say each of its sentences somewhere across the as-of dates used."""
    year = 2023
    ga = rules.GENERAL_ASSEMBLY
    yield AssociationFacts(association_id=1, year=year)
    yield AssociationFacts(
        association_id=2,
        year=year,
        meetings=[
            MeetingFact(ga, D(year, 5, 20), minutes_filed_on=D(year, 7, 30)),
            MeetingFact(ga, D(year, 4, 1), quorum_met=False),
            MeetingFact(rules.BOARD, D(year, 3, 1)),
            MeetingFact(rules.BOARD, D(year, 10, 2)),
            MeetingFact(rules.SUPERVISORY, D(year, 3, 1)),
        ],
        plan_budget_filed_on=D(year, 1, 15),
        report_accounts_filed_on=D(year + 1, 3, 1),
        elections=[ElectionFact(D(year, 10, 31), D(year - 4, 11, 1))],
        association_status=rules.REORGANISING,
    )
    yield AssociationFacts(
        association_id=3,
        year=year,
        meetings=[
            MeetingFact(ga, D(year, 5, 20), minutes_filed_on=D(year, 6, 1)),
            MeetingFact(ga, D(year, 11, 20)),
            MeetingFact(rules.JOINT, D(year, 1, 15)),
            MeetingFact(rules.JOINT, D(year, 7, 1)),
        ],
        plan_budget_filed_on=D(year - 1, 12, 1),
        elections=[ElectionFact(D(year + 3, 2, 28), D(year - 1, 3, 1))],
    )


AS_OF = [D(2023, 6, 1), D(2023, 12, 10), D(2024, 6, 30)]


def test_every_sentence_a_rule_stores_is_read_back_from_its_chinese_text():
    seen = set()
    for facts in facts_variants():
        for as_of in AS_OF:
            for result in rules.evaluate(facts, as_of):
                assert from_legacy_text(render(result.text)) == result.text, render(result.text)
                seen.add(result.text["code"])
    # the sentences with nested parts (a note, a "since", a list of clauses) among them
    assert {"assembly_missed", "interval_gap", "interval_none_since", "minutes_problems"} <= seen


def test_a_text_matching_no_sentence_is_kept_verbatim():
    assert from_legacy_text("協會已於會後補正") == {"code": "text", "params": {"text": "協會已於會後補正"}}


def test_the_data_migration_turns_stored_texts_into_codes_and_back(zhunan):
    migration = importlib.import_module("grading.migrations.0006_judgment_texts_to_codes")
    association = AssociationFactory(township=zhunan)
    legacy_rules = [
        {
            "code": "assembly_held",
            "label": "召開會員大會",
            "outcome": "fail",
            "severity": "abnormal",
            "message": "112年度未召開會員大會（期限 112/12/31）。",
            "due_on": "2023-12-31",
        },
        {
            "code": "no_open_order",
            "label": "無限期改選或整理命令",
            "outcome": "pass",
            "severity": "abnormal",
            "message": "某段人工補記的文字",
            "due_on": None,
        },
    ]
    assessment = Assessment.objects.create(
        association=association,
        year=2023,
        status="abnormal",
        rules=legacy_rules,
        as_of=D(2024, 6, 30),
        suggested_tier="stagnant",
        tier_trail={"reason": "會務財務狀態異常。", "counts": []},
    )
    migration._to_codes(apps, None)
    assessment.refresh_from_db()
    assert assessment.rules[0]["message"] == {
        "code": "assembly_missed",
        "params": {"year": 2023, "due": "2023-12-31"},
    }
    assert assessment.rules[1]["message"] == {"code": "text", "params": {"text": "某段人工補記的文字"}}
    assert "label" not in assessment.rules[0]
    assert assessment.tier_trail["reason"] == {"code": "tier_abnormal", "params": {}}
    with translation.override("en"):
        assert (
            assessment.failed_rules()[0]["message"] == "No general assembly held in ROC 112 (due 112/12/31)."
        )
    migration._to_texts(apps, None)
    assessment.refresh_from_db()
    assert assessment.rules == legacy_rules
    assert assessment.tier_trail["reason"] == "會務財務狀態異常。"
