"""Corrections keep every fact they do not change (issue 10, items 1 and 6): a grid row or a meeting form
that changes one value writes that value and nothing else, and the grid shows what the rules count."""

import datetime

import pytest
from django.forms.models import model_to_dict

from associations.models import Election, Meeting, YearlyFiling
from tests.associations.factories import AssociationFactory
from tests.grading.factories import ElectionFactory, MeetingFactory, YearlyFilingFactory

D = datetime.date
GRID = "/associations/compliance/112/"


@pytest.fixture
def recorded(zhunan):
    """An association with a year on record, minutes and notes included."""
    association = AssociationFactory(township=zhunan)
    meetings = {
        "assembly": MeetingFactory(
            association=association, held_on=D(2023, 5, 20), minutes_filed_on=D(2023, 6, 1), note="大會備註"
        ),
        "board": MeetingFactory(
            association=association,
            kind="board",
            held_on=D(2023, 3, 1),
            minutes_filed_on=D(2023, 3, 10),
            note="理事會備註",
        ),
        "supervisory": MeetingFactory(
            association=association,
            kind="supervisory",
            held_on=D(2023, 3, 1),
            minutes_filed_on=D(2023, 3, 12),
            note="監事會備註",
        ),
    }
    YearlyFilingFactory(
        association=association,
        plan_budget_filed_on=D(2022, 12, 20),
        report_accounts_filed_on=D(2024, 3, 20),
        note="年度備註",
    )
    ElectionFactory(association=association, term_ends_on=D(2026, 2, 28))
    return association, meetings


def stored(association):
    rows = {}
    for model in (Meeting, YearlyFiling, Election):
        for obj in model.objects.filter(association=association):
            rows[(model.__name__, obj.pk)] = model_to_dict(obj)
    return rows


GRID_ROW = {
    "assembly_dates": "112/05/20",
    "assembly_minutes_filed_on": "112/06/01",
    "board_dates": "112/03/01",
    "supervisory_dates": "112/03/01",
    "plan_budget_filed_on": "111/12/20",
    "report_accounts_filed_on": "113/03/20",
    "term_ends_on": "115/02/28",
    "note": "年度備註",
}


def grid_post(client, association, **changed):
    data = {"association": association.pk}
    data.update({f"a{association.pk}-{name}": value for name, value in {**GRID_ROW, **changed}.items()})
    return client.post(GRID, data, follow=True)


# (grid field, typed value, which stored row changes, which of its fields, the value stored)
GRID_CORRECTIONS = [
    ("assembly_dates", "112/05/21", "assembly", "held_on", D(2023, 5, 21)),
    ("assembly_minutes_filed_on", "112/06/02", "assembly", "minutes_filed_on", D(2023, 6, 2)),
    ("board_dates", "112/03/02", "board", "held_on", D(2023, 3, 2)),
    ("supervisory_dates", "112/03/02", "supervisory", "held_on", D(2023, 3, 2)),
    ("plan_budget_filed_on", "111/12/21", "filing", "plan_budget_filed_on", D(2022, 12, 21)),
    ("report_accounts_filed_on", "113/03/21", "filing", "report_accounts_filed_on", D(2024, 3, 21)),
    ("term_ends_on", "115/03/31", "election", "term_ends_on", D(2026, 3, 31)),
    ("note", "新的備註", "filing", "note", "新的備註"),
]


@pytest.mark.parametrize(("field", "typed", "target", "attribute", "value"), GRID_CORRECTIONS)
def test_changing_one_grid_cell_changes_only_that_stored_value(
    zhunan_client, recorded, field, typed, target, attribute, value
):
    association, meetings = recorded
    targets = {
        **{kind: ("Meeting", m.pk) for kind, m in meetings.items()},
        "filing": ("YearlyFiling", YearlyFiling.objects.get().pk),
        "election": ("Election", Election.objects.get().pk),
    }
    expected = stored(association)
    expected[targets[target]][attribute] = value
    grid_post(zhunan_client, association, **{field: typed})
    assert stored(association) == expected


def test_a_corrected_meeting_date_keeps_the_meeting_and_records_its_history(zhunan_client, recorded):
    association, meetings = recorded
    grid_post(zhunan_client, association, board_dates="112/03/02")
    board = Meeting.objects.get(kind="board")
    assert board.pk == meetings["board"].pk
    assert board.history.first().history_type == "~"
    assert board.history.first().prev_record.held_on == D(2023, 3, 1)


def test_saving_an_unchanged_row_writes_nothing(zhunan_client, recorded):
    association, meetings = recorded
    before = {kind: m.history.count() for kind, m in meetings.items()}
    grid_post(zhunan_client, association)
    assert {kind: m.history.count() for kind, m in meetings.items()} == before
    assert YearlyFiling.objects.get().history.count() == 1


def test_a_cell_listing_fewer_dates_deletes_the_one_left_out_and_says_so(zhunan_client, recorded):
    association, _meetings = recorded
    MeetingFactory(association=association, kind="board", held_on=D(2023, 8, 1))
    response = grid_post(zhunan_client, association, board_dates="112/08/01")
    assert list(Meeting.objects.filter(kind="board").values_list("held_on", flat=True)) == [D(2023, 8, 1)]
    assert "已刪除會議：理事會 112/03/01" in response.content.decode()


def test_a_moved_date_is_named_in_the_saved_message(zhunan_client, recorded):
    association, _meetings = recorded
    response = grid_post(zhunan_client, association, board_dates="112/03/02")
    assert "理事會 112/03/01 改為 112/03/02" in response.content.decode()


def test_of_several_dates_only_the_changed_one_moves(zhunan_client, recorded):
    association, meetings = recorded
    later = MeetingFactory(association=association, kind="board", held_on=D(2023, 8, 1), note="八月")
    grid_post(zhunan_client, association, board_dates="112/03/01、112/08/03")
    assert Meeting.objects.get(pk=meetings["board"].pk).held_on == D(2023, 3, 1)
    assert Meeting.objects.get(pk=later.pk).held_on == D(2023, 8, 3)
    assert Meeting.objects.get(pk=later.pk).note == "八月"


# --- the checklist's meeting form -----------------------------------------------------------------------

MEETING_FORM = {
    "kind": "board",
    "held_on": "112/03/01",
    "quorum_met": "on",
    "minutes_filed_on": "112/03/10",
    "note": "理事會備註",
}
MEETING_CORRECTIONS = [
    ("kind", "joint", "joint"),
    ("held_on", "112/03/02", D(2023, 3, 2)),
    ("quorum_met", "", False),
    ("minutes_filed_on", "112/03/11", D(2023, 3, 11)),
    ("note", "改過的備註", "改過的備註"),
]


@pytest.mark.parametrize(("field", "typed", "value"), MEETING_CORRECTIONS)
def test_changing_one_field_of_a_meeting_changes_only_that_field(
    zhunan_client, recorded, field, typed, value
):
    association, meetings = recorded
    board = meetings["board"]
    expected = stored(association)
    expected[("Meeting", board.pk)][field] = value
    response = zhunan_client.post(f"/associations/meetings/{board.pk}/edit/", {**MEETING_FORM, field: typed})
    assert response.status_code == 302
    assert stored(association) == expected


def test_saving_an_unchanged_meeting_form_writes_no_history(zhunan_client, recorded):
    _association, meetings = recorded
    board = meetings["board"]
    zhunan_client.post(f"/associations/meetings/{board.pk}/edit/", MEETING_FORM)
    assert board.history.count() == 1


# --- what the grid shows (item 6) -----------------------------------------------------------------------


def test_a_joint_meeting_shows_in_both_the_board_and_supervisors_cells(zhunan_client, zhunan):
    association = AssociationFactory(township=zhunan)
    MeetingFactory(association=association, kind="joint", held_on=D(2023, 10, 5))
    content = zhunan_client.get(GRID).content.decode()
    assert content.count("聯席 112/10/05") == 2


def test_saving_a_row_leaves_its_joint_meeting_single_and_unchanged(zhunan_client, recorded):
    association, _meetings = recorded
    joint = MeetingFactory(association=association, kind="joint", held_on=D(2023, 10, 5), note="聯席")
    grid_post(zhunan_client, association, board_dates="112/03/02")
    assert list(Meeting.objects.filter(held_on=D(2023, 10, 5)).values_list("pk", flat=True)) == [joint.pk]


def test_typing_a_joint_meetings_date_into_the_board_cell_is_refused(zhunan_client, recorded):
    association, _meetings = recorded
    MeetingFactory(association=association, kind="joint", held_on=D(2023, 10, 5))
    response = grid_post(zhunan_client, association, board_dates="112/03/01、112/10/05")
    assert "已登錄為理監事聯席會議" in response.content.decode()
    assert not Meeting.objects.filter(kind="board", held_on=D(2023, 10, 5)).exists()


def test_the_minutes_cell_shows_the_assembly_held_with_a_quorum(zhunan_client, recorded):
    association, _meetings = recorded
    MeetingFactory(association=association, held_on=D(2023, 8, 1), quorum_met=False, minutes_filed_on=None)
    response = zhunan_client.get(GRID)
    row = next(r for r in response.context["rows"] if r["association"] == association)
    assert row["initial"]["assembly_minutes_filed_on"] == D(2023, 6, 1)


def test_saving_a_row_with_an_assembly_without_quorum_keeps_the_counted_minutes(zhunan_client, recorded):
    association, meetings = recorded
    MeetingFactory(association=association, held_on=D(2023, 8, 1), quorum_met=False, minutes_filed_on=None)
    grid_post(zhunan_client, association, assembly_dates="112/05/20、112/08/01")
    assert Meeting.objects.get(pk=meetings["assembly"].pk).minutes_filed_on == D(2023, 6, 1)
    assert Meeting.objects.get(held_on=D(2023, 8, 1)).minutes_filed_on is None
