"""The pure result computation, on plain values with expected results worked out by hand."""

from decimal import Decimal as D

import pytest

from awards.scoring import EntryInput, Level, Sheet, aggregate, compute_group, round2, z_scores

POSITIONS = [1, 2]


def sheet(judge: int, first: str, second: str) -> Sheet:
    return Sheet(judge, {1: D(first), 2: D(second)})


def group(entries, *, method="mean", levels=(), national_quota=0, threshold="10"):
    return compute_group(
        entries,
        positions=POSITIONS,
        method=method,
        spread_threshold=D(threshold),
        levels=levels,
        national_quota=national_quota,
    )


def test_mean_of_three_totals():
    assert aggregate([D(80), D(90), D(85)], "mean") == (D(85), "mean")


def test_median_of_an_odd_number_is_the_middle_total():
    assert aggregate([D(70), D(95), D(80)], "median") == (D(80), "median")


def test_median_of_an_even_number_is_the_mean_of_the_two_middle_totals():
    assert aggregate([D(70), D(95), D(80), D(81)], "median") == (D("80.5"), "median")


def test_trimmed_mean_drops_the_highest_and_the_lowest_total():
    # 60 and 99 dropped: (80 + 82 + 84) / 3 = 82
    assert aggregate([D(99), D(80), D(60), D(84), D(82)], "trimmed") == (D(82), "trimmed")


def test_trimmed_mean_with_two_judges_falls_back_to_the_mean():
    assert aggregate([D(80), D(90)], "trimmed") == (D(85), "mean")


def test_scores_are_rounded_half_up_to_two_decimals():
    assert round2(D("84.125")) == D("84.13")
    # (80 + 81 + 81) / 3 = 80.666... -> 80.67
    result = group([EntryInput(1, [sheet(1, "40", "40"), sheet(2, "40", "41"), sheet(3, "41", "40")])])
    assert result[0].score == D("80.67")


def test_judge_totals_spread_and_count_are_reported():
    [result] = group([EntryInput(1, [sheet(1, "30", "40"), sheet(2, "40", "45"), sheet(3, "35", "45")])])

    assert result.judge_totals == {1: D(70), 2: D(85), 3: D(80)}
    assert result.judges_counted == 3
    assert result.spread == D(15)
    assert result.spread_flag is True


def test_a_spread_at_the_threshold_is_not_flagged():
    [result] = group([EntryInput(1, [sheet(1, "30", "40"), sheet(2, "40", "40")])], threshold="10")

    assert result.spread == D(10)
    assert result.spread_flag is False


def test_a_conflicted_judge_is_left_out_of_the_entrys_aggregate():
    entry = EntryInput(
        1, [sheet(1, "50", "50"), sheet(2, "30", "40"), sheet(3, "35", "45")], conflicted=frozenset({1})
    )

    [result] = group([entry])

    # judge 1's 100 is not counted: (70 + 80) / 2 = 75
    assert result.score == D(75)
    assert result.judges_counted == 2
    assert 1 not in result.judge_totals


def test_ranking_is_by_score_highest_first():
    entries = [
        EntryInput(1, [sheet(1, "30", "30")]),
        EntryInput(2, [sheet(1, "45", "45")]),
        EntryInput(3, [sheet(1, "40", "40")]),
    ]

    assert [(r.key, r.rank) for r in group(entries)] == [(2, 1), (3, 2), (1, 3)]


def test_a_tie_is_broken_by_the_first_criterion_then_the_second():
    entries = [
        EntryInput(1, [sheet(1, "40", "45")]),  # 85, first criterion 40
        EntryInput(2, [sheet(1, "45", "40")]),  # 85, first criterion 45: ahead
        EntryInput(3, [sheet(1, "45", "40"), sheet(2, "44", "41")]),  # 85, first 44.5
    ]

    assert [(r.key, r.rank) for r in group(entries)] == [(2, 1), (3, 2), (1, 3)]


def test_entries_equal_on_everything_share_the_rank():
    entries = [
        EntryInput(1, [sheet(1, "40", "40")]),
        EntryInput(2, [sheet(1, "45", "45")]),
        EntryInput(3, [sheet(1, "40", "40")]),
        EntryInput(4, [sheet(1, "30", "30")]),
    ]

    assert [(r.key, r.rank) for r in group(entries)] == [(2, 1), (1, 2), (3, 2), (4, 4)]


def test_an_entry_without_a_counted_sheet_is_listed_last_unranked():
    entries = [
        EntryInput(1, [sheet(1, "40", "40")], conflicted=frozenset({1})),
        EntryInput(2, [sheet(1, "1", "1")]),
    ]

    results = group(entries)

    assert [(r.key, r.rank, r.score) for r in results] == [(2, 1, D(2)), (1, None, None)]


LEVELS = [Level("優等", min_score=D(85), quota=2), Level("甲等", min_score=D(75))]


def test_levels_follow_the_minimum_score():
    entries = [
        EntryInput(1, [sheet(1, "45", "45")]),
        EntryInput(2, [sheet(1, "40", "38")]),
        EntryInput(3, [sheet(1, "35", "35")]),
    ]

    assert {r.key: r.level for r in group(entries, levels=LEVELS)} == {1: "優等", 2: "甲等", 3: ""}


def test_an_entry_beyond_a_levels_quota_gets_the_next_level():
    entries = [EntryInput(key, [sheet(1, "45", str(48 - key))]) for key in (1, 2, 3)]  # 92, 91, 90

    assert {r.key: r.level for r in group(entries, levels=LEVELS)} == {1: "優等", 2: "優等", 3: "甲等"}


def test_a_tie_that_would_overfill_a_quota_moves_down_together():
    entries = [
        EntryInput(1, [sheet(1, "50", "45")]),  # 95
        EntryInput(2, [sheet(1, "45", "45")]),  # 90, tied with 3
        EntryInput(3, [sheet(1, "45", "45")]),
    ]

    assert {r.key: r.level for r in group(entries, levels=LEVELS)} == {1: "優等", 2: "甲等", 3: "甲等"}


def test_a_quota_only_level_takes_the_top_entries():
    levels = [Level("金質", quota=1), Level("銀質", quota=1)]
    entries = [EntryInput(key, [sheet(1, "40", str(key))]) for key in (1, 2, 3)]

    assert {r.key: r.level for r in group(entries, levels=levels)} == {3: "金質", 2: "銀質", 1: ""}


def test_an_entry_gets_only_levels_it_is_eligible_for():
    levels = [Level("金質", min_score=D(90)), Level("銀質", min_score=D(80))]
    entry = EntryInput(1, [sheet(1, "50", "45")], eligible_levels=frozenset({"銀質"}))

    assert group([entry], levels=levels)[0].level == "銀質"


def test_the_top_entries_with_a_level_are_nominated_nationally():
    entries = [EntryInput(key, [sheet(1, "45", str(48 - key))]) for key in (1, 2, 3)]

    results = group(entries, levels=LEVELS, national_quota=2)

    assert {r.key: r.national for r in results} == {1: True, 2: True, 3: False}


def test_z_scores_of_one_judge():
    # mean 80, population deviation sqrt(((70-80)^2 + 0 + (90-80)^2) / 3) = sqrt(200/3) = 8.1650
    z = z_scores({1: D(70), 2: D(80), 3: D(90)})

    assert round2(z[1]) == D("-1.22")
    assert z[2] == 0
    assert round2(z[3]) == D("1.22")


def test_z_scores_of_a_judge_giving_equal_totals_are_zero():
    assert z_scores({1: D(80), 2: D(80)}) == {1: D(0), 2: D(0)}


def test_normalisation_evens_out_a_harsh_and_a_lenient_judge():
    # judge 1 gives 60 and 70, judge 2 gives 90 and 100: each judge's z is -1 and +1
    entries = [
        EntryInput(1, [sheet(1, "30", "30"), sheet(2, "45", "45")]),
        EntryInput(2, [sheet(1, "35", "35"), sheet(2, "50", "50")]),
    ]

    results = {r.key: r for r in group(entries)}

    assert (results[1].score, results[1].normalised) == (D(75), D(-1))
    assert (results[2].score, results[2].normalised) == (D(85), D(1))


@pytest.mark.parametrize("method", ["mean", "median", "trimmed"])
def test_a_single_judge_gives_their_own_total_by_every_method(method):
    assert group([EntryInput(1, [sheet(1, "41.5", "40")])], method=method)[0].score == D("81.50")
