import re
from datetime import date, datetime, time

import pytest

from core.dates import (
    ROCDateError,
    format_roc,
    format_roc_long,
    format_roc_year,
    gregorian_year,
    is_placeholder,
    parse_date,
    parse_date_lenient,
    parse_year,
    roc_year,
)

# --- parse_date: empty and non-string input -------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n", "\u3000"])
def test_empty_values_parse_to_none(value):
    assert parse_date(value) is None


def test_date_object_is_returned_unchanged():
    assert parse_date(date(2023, 1, 3)) == date(2023, 1, 3)


def test_datetime_from_an_excel_cell_is_reduced_to_its_date():
    result = parse_date(datetime(2023, 1, 3, 10, 30))

    assert result == date(2023, 1, 3)
    assert type(result) is date


def test_integer_cell_is_read_as_its_digit_string():
    assert parse_date(1030405) == date(2014, 4, 5)


def test_whole_number_float_cell_is_read_without_its_decimal_point():
    assert parse_date(1030405.0) == date(2014, 4, 5)


@pytest.mark.parametrize("value", [1030405.5, float("nan"), float("inf"), -1030405, True])
def test_number_that_is_not_a_plain_digit_string_is_rejected(value):
    with pytest.raises(ROCDateError, match=r"^無法辨識的日期："):
        parse_date(value)


def test_value_of_an_unsupported_type_is_rejected_as_unrecognised():
    with pytest.raises(ROCDateError, match=r"^無法辨識的日期：10:00:00$"):
        parse_date(time(10, 0))


# --- parse_date: compact digits -------------------------------------------------------------------------


def test_six_digit_compact_roc_date_is_read_as_yymmdd():
    assert parse_date("810913") == date(1992, 9, 13)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1030405", date(2014, 4, 5)),
        ("1120103", date(2023, 1, 3)),
        ("0851004", date(1996, 10, 4)),
    ],
)
def test_seven_digit_compact_roc_date_is_read_as_yyymmdd(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("10101", date(1912, 1, 1)), ("91231", date(1920, 12, 31))])
def test_five_digit_compact_roc_date_is_read_as_ymmdd(text, expected):
    assert parse_date(text) == expected


def test_eight_digit_compact_date_is_read_as_gregorian_yyyymmdd():
    assert parse_date("20230103") == date(2023, 1, 3)


@pytest.mark.parametrize("text", ["01120103", "19111231", "21010101"])
def test_eight_digit_value_without_a_plausible_gregorian_year_is_rejected(text):
    with pytest.raises(ROCDateError, match=f"^無法辨識的日期：{re.escape(text)}$"):
        parse_date(text)


@pytest.mark.parametrize("text", ["1234", "123456789"])
def test_compact_value_with_too_few_or_too_many_digits_is_rejected(text):
    with pytest.raises(ROCDateError, match=f"^無法辨識的日期：{re.escape(text)}$"):
        parse_date(text)


def test_roc_year_above_200_is_rejected_as_unrecognised():
    with pytest.raises(ROCDateError) as excinfo:
        parse_date("8201217")

    assert str(excinfo.value) == "無法辨識的日期：8201217"


@pytest.mark.parametrize("text", ["0000101", "0/01/01", "000/01/01", "民國0年1月1日"])
def test_roc_year_zero_is_rejected(text):
    with pytest.raises(ROCDateError, match=r"^無法辨識的日期："):
        parse_date(text)


# --- parse_date: separated and Chinese ROC --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("112/1/3", date(2023, 1, 3)),
        ("112/01/03", date(2023, 1, 3)),
        ("112.01.03", date(2023, 1, 3)),
        ("112-01-03", date(2023, 1, 3)),
        ("99/12/31", date(2010, 12, 31)),
        ("1/1/1", date(1912, 1, 1)),
        ("  112/01/03  ", date(2023, 1, 3)),
    ],
)
def test_separated_roc_date_is_read(text, expected):
    assert parse_date(text) == expected


def test_separated_date_with_mixed_separators_is_rejected():
    with pytest.raises(ROCDateError, match=r"^無法辨識的日期：112/01-03$"):
        parse_date("112/01-03")


def test_roc_date_with_a_time_part_is_rejected():
    with pytest.raises(ROCDateError, match=r"^無法辨識的日期：112/01/03 10:00$"):
        parse_date("112/01/03 10:00")


@pytest.mark.parametrize(
    "text",
    [
        "民國112年1月3日",
        "112年1月3日",
        "中華民國112年01月03日",
        "民國 112 年 1 月 3 日",
        "中華民國 112年 01月 03日",
    ],
)
def test_chinese_roc_date_is_read(text):
    assert parse_date(text) == date(2023, 1, 3)


def test_chinese_date_with_a_four_digit_year_is_read_as_gregorian():
    assert parse_date("2023年1月3日") == date(2023, 1, 3)


def test_chinese_date_mixing_minguo_with_a_gregorian_year_is_rejected():
    with pytest.raises(ROCDateError, match=r"^無法辨識的日期：民國2023年1月3日$"):
        parse_date("民國2023年1月3日")


# --- parse_date: Gregorian ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2023-01-03", "2023/1/3", "2023.01.03", "2023/01/03"])
def test_separated_date_with_a_four_digit_year_is_read_as_gregorian(text):
    assert parse_date(text) == date(2023, 1, 3)


@pytest.mark.parametrize(
    "text",
    ["2023-01-03 00:00:00", "2023-01-03T10:00:00", "2023-01-03T10:00", "2023-01-03T23:59:59.123456+08:00"],
)
def test_iso_datetime_string_keeps_only_the_date_part(text):
    assert parse_date(text) == date(2023, 1, 3)


def test_iso_datetime_string_with_an_impossible_time_is_rejected():
    with pytest.raises(ROCDateError, match=r"^無法辨識的日期：2023-01-03 25:00$"):
        parse_date("2023-01-03 25:00")


@pytest.mark.parametrize("text", ["1911/12/31", "1911-12-31", "0112/01/03"])
def test_four_digit_year_before_1912_is_rejected(text):
    with pytest.raises(ROCDateError, match=f"^無法辨識的日期：{re.escape(text)}$"):
        parse_date(text)


# --- parse_date: normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["１１２／０１／０３", "１１２．０１．０３", "１１２０１０３", "民國１１２年１月３日"]
)
def test_full_width_input_is_normalised_before_parsing(text):
    assert parse_date(text) == date(2023, 1, 3)


def test_error_message_quotes_the_text_as_typed_not_as_normalised():
    with pytest.raises(ROCDateError) as excinfo:
        parse_date("１１２／０２／３０")

    assert str(excinfo.value) == "日期不存在：１１２／０２／３０"


# --- parse_date: invalid dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["abc", "112/01", "112年1月", "112/01/03x", "二〇二三年一月三日", "1120103?"]
)
def test_unrecognisable_text_raises_with_the_original_text_in_the_message(text):
    with pytest.raises(ROCDateError) as excinfo:
        parse_date(text)

    assert str(excinfo.value) == f"無法辨識的日期：{text}"


@pytest.mark.parametrize(
    "text",
    [
        "112/02/30",
        "112/13/01",
        "1121301",
        "112/00/10",
        "112/01/32",
        "112/02/29",
        "2023-02-29",
        "112年2月30日",
    ],
)
def test_impossible_calendar_date_raises_date_does_not_exist(text):
    with pytest.raises(ROCDateError) as excinfo:
        parse_date(text)

    assert str(excinfo.value) == f"日期不存在：{text}"


@pytest.mark.parametrize("text", ["113/02/29", "1130229", "2024-02-29", "民國113年2月29日"])
def test_leap_day_in_a_leap_year_is_valid(text):
    assert parse_date(text) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("112/12/31", date(2023, 12, 31)), ("112/1/1", date(2023, 1, 1)), ("1121231", date(2023, 12, 31))],
)
def test_first_and_last_day_of_a_year_are_valid(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["860517?", "860517？"])
def test_trailing_question_mark_is_rejected_by_the_strict_parser(text):
    with pytest.raises(ROCDateError, match=f"^無法辨識的日期：{re.escape(text)}$"):
        parse_date(text)


def test_roc_date_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_date("abc")


# --- is_placeholder -------------------------------------------------------------------------------------


def test_placeholder_0010101_parses_to_the_first_day_of_roc_year_one():
    assert parse_date("0010101") == date(1912, 1, 1)


def test_first_day_of_roc_year_one_is_a_placeholder():
    assert is_placeholder(date(1912, 1, 1)) is True


def test_first_day_of_roc_year_one_as_datetime_is_a_placeholder():
    assert is_placeholder(datetime(1912, 1, 1, 0, 0)) is True


@pytest.mark.parametrize("value", [date(1912, 1, 2), date(2023, 1, 1), date(2012, 1, 1)])
def test_ordinary_dates_are_not_placeholders(value):
    assert is_placeholder(value) is False


# --- parse_date_lenient ---------------------------------------------------------------------------------


def test_lenient_parse_returns_the_date_without_warning_for_clean_input():
    assert parse_date_lenient("112/01/03") == (date(2023, 1, 3), None)


def test_lenient_parse_returns_none_without_warning_for_empty_input():
    assert parse_date_lenient("  ") == (None, None)


@pytest.mark.parametrize("text", ["860517?", "860517？", "860517 ?"])
def test_lenient_parse_strips_a_trailing_question_mark_and_warns(text):
    assert parse_date_lenient(text) == (
        date(1997, 5, 17),
        "日期含無法辨識的字元「?」，已去除後解讀為 86/05/17",
    )


def test_lenient_parse_names_every_stripped_question_mark_in_the_warning():
    assert parse_date_lenient("860517??") == (
        date(1997, 5, 17),
        "日期含無法辨識的字元「??」，已去除後解讀為 86/05/17",
    )


def test_lenient_parse_returns_none_and_the_error_message_for_unparseable_input():
    assert parse_date_lenient("abc") == (None, "無法辨識的日期：abc")


def test_lenient_parse_returns_the_error_message_for_a_non_string_it_cannot_read():
    assert parse_date_lenient(1030405.5) == (None, "無法辨識的日期：1030405.5")


def test_lenient_parse_reports_what_is_still_wrong_after_stripping_the_question_mark():
    assert parse_date_lenient("112/02/30?") == (None, "日期不存在：112/02/30")


def test_lenient_parse_of_only_question_marks_is_an_error():
    assert parse_date_lenient("?") == (None, "無法辨識的日期：?")


def test_lenient_parse_does_not_strip_a_question_mark_in_the_middle():
    assert parse_date_lenient("86?0517") == (None, "無法辨識的日期：86?0517")


# --- format_roc / format_roc_long -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2023, 1, 3), "112/01/03"),
        (date(1996, 10, 4), "85/10/04"),
        (date(2010, 12, 31), "99/12/31"),
        (date(1912, 1, 1), "1/01/01"),
        (datetime(2023, 1, 3, 10, 30), "112/01/03"),
    ],
)
def test_format_roc_writes_unpadded_roc_year_and_two_digit_month_and_day(value, expected):
    assert format_roc(value) == expected


@pytest.mark.parametrize(("sep", "expected"), [(".", "112.01.03"), ("-", "112-01-03"), ("", "1120103")])
def test_format_roc_uses_the_given_separator(sep, expected):
    assert format_roc(date(2023, 1, 3), sep=sep) == expected


def test_format_roc_of_none_is_an_empty_string():
    assert format_roc(None) == ""


def test_format_roc_rejects_dates_before_1912():
    with pytest.raises(ValueError):
        format_roc(date(1911, 12, 31))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(date(2023, 1, 3), "民國112年1月3日"), (date(2024, 12, 31), "民國113年12月31日")],
)
def test_format_roc_long_writes_minguo_with_unpadded_numbers(value, expected):
    assert format_roc_long(value) == expected


def test_format_roc_long_of_none_is_an_empty_string():
    assert format_roc_long(None) == ""


def test_format_roc_long_rejects_dates_before_1912():
    with pytest.raises(ValueError):
        format_roc_long(date(1911, 12, 31))


# --- round trips ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("112/1/3", "112/01/03"),
        ("1120103", "112/01/03"),
        ("民國112年1月3日", "112/01/03"),
        ("2023-01-03T10:00:00", "112/01/03"),
        ("0851004", "85/10/04"),
        ("１１２／０１／０３", "112/01/03"),
        ("113/02/29", "113/02/29"),
    ],
)
def test_formatting_a_parsed_value_gives_the_canonical_roc_form(text, expected):
    assert format_roc(parse_date(text)) == expected


@pytest.mark.parametrize(
    "value",
    [date(1912, 1, 1), date(1996, 10, 4), date(2010, 12, 31), date(2023, 1, 3), date(2024, 2, 29)],
)
def test_parsing_a_formatted_date_gives_the_same_date(value):
    assert parse_date(format_roc(value)) == value


@pytest.mark.parametrize("value", [date(1996, 10, 4), date(2023, 1, 3), date(2024, 2, 29)])
def test_parsing_a_long_formatted_date_gives_the_same_date(value):
    assert parse_date(format_roc_long(value)) == value


@pytest.mark.parametrize("value", [date(1912, 1, 1), date(1996, 10, 4), date(2023, 1, 3)])
def test_parsing_a_compact_formatted_date_gives_the_same_date(value):
    assert parse_date(format_roc(value, sep="")) == value


# --- years ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "expected"), [(2023, 112), (1912, 1), (2011, 100)])
def test_roc_year_converts_a_gregorian_year(year, expected):
    assert roc_year(year) == expected


@pytest.mark.parametrize(("roc", "expected"), [(112, 2023), (1, 1912), (100, 2011)])
def test_gregorian_year_converts_a_roc_year(roc, expected):
    assert gregorian_year(roc) == expected


def test_roc_year_rejects_years_before_1912():
    with pytest.raises(ValueError):
        roc_year(1911)


def test_gregorian_year_rejects_roc_years_below_one():
    with pytest.raises(ValueError):
        gregorian_year(0)


def test_format_roc_year_labels_a_gregorian_year_as_a_roc_fiscal_year():
    assert format_roc_year(2023) == "112年度"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("112", 2023),
        ("112年", 2023),
        ("112年度", 2023),
        ("民國112年", 2023),
        ("中華民國112年度", 2023),
        (" 民國 112 年 ", 2023),
        ("１１２年度", 2023),
        ("2023", 2023),
        ("2023年", 2023),
        ("1", 1912),
        (112, 2023),
        (2023, 2023),
    ],
)
def test_parse_year_returns_the_gregorian_year(value, expected):
    assert parse_year(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", None, "abc", "0", "201", "1911", "0112", "2101", "民國2023年", "112/01", "112年1月", True, -5],
)
def test_parse_year_rejects_values_that_are_not_a_plausible_year(value):
    with pytest.raises(ROCDateError, match=r"^無法辨識的年度："):
        parse_year(value)
