"""The roster plan's model validation (`associations.roster.planning._full_clean`) vouches for plain values
itself and leaves the rest to Django: it must report exactly what `Model.full_clean` reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from associations.models import Association, Officer
from associations.roster.cleaning import CleanRow
from associations.roster.planning import _FieldCheck, _full_clean
from core.imports.issues import Issue
from core.imports.report import ImportReport

ASSOCIATION_CASES = [
    {},
    {"registration_number": "府社字第1號", "address": "竹南鎮中正路1號", "phone": "037-123456"},
    {"founded_on": datetime.date(1990, 1, 2), "term_number": 12, "member_count": 120},
    {"email": "a@example.com"},
    {"email": "not an email"},
    {"status": Association.Status.DISSOLVED, "dissolved_on": datetime.date(2020, 1, 1)},
    {"status": "gone"},
    {"dissolved_on": datetime.date(2020, 1, 1)},
    {"term_number": 40000},
    {"term_number": -1},
    {"member_count": "12"},
    {"address": "路" * 201},
    {"phone": "1" * 51},
    {"registration_number": ""},
    {"registration_number": None},
    {"status": ""},
    {"founded_on": "1990-01-02"},
    {"founded_on": "not a date"},
]


def _report() -> ImportReport:
    return ImportReport(file_name="roster.csv", scope="苗栗縣", dry_run=True)


def _issues(report: ImportReport) -> list[tuple[str, int | None, str | None]]:
    return [(issue.message, issue.row, issue.column) for issue in report.errors]


def _django(obj, names, row, report):
    exclude = {f.name for f in obj._meta.concrete_fields} - set(names)
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:  # worded as the plan words it
        for name, messages in exc.message_dict.items():
            label = report.columns.get(name) or str(obj._meta.get_field(name).verbose_name)
            report.errors.append(Issue("；".join(messages), row.number, label))


@pytest.mark.parametrize("name", ["中港社區發展協會", "", "協" * 101])
@pytest.mark.parametrize("values", ASSOCIATION_CASES)
def test_association_checks_report_what_full_clean_reports(zhunan, name, values):
    row = CleanRow(number=7, name=name, township=zhunan, key="", values=values)
    checks = _FieldCheck(Association)
    ours, theirs = _report(), _report()
    for _run in range(2):  # the second run answers from what the first learnt
        _full_clean(Association(name=name, township=zhunan, **values), ("name", *values), checks, row, ours)
    _django(Association(name=name, township=zhunan, **values), ("name", *values), row, theirs)
    assert _issues(ours) == _issues(theirs) * 2


@pytest.mark.parametrize(
    "values",
    [
        {"name": "王大明", "note": "", "position": Officer.Position.CHAIR},
        {"name": "王大明", "note": "代理", "position": Officer.Position.EXECUTIVE_SECRETARY},
        {"name": "", "note": "", "position": Officer.Position.CHAIR},
        {"name": "王" * 51, "note": "", "position": Officer.Position.CHAIR},
        {"name": "王大明", "note": "註" * 101, "position": Officer.Position.CHAIR},
        {"name": "王大明", "note": "", "position": "king"},
    ],
)
def test_officer_checks_report_what_full_clean_reports(zhunan, values):
    association = Association(name="中港社區發展協會", township=zhunan)
    row = CleanRow(number=3, name=association.name, township=zhunan, key="", values={})
    ours, theirs = _report(), _report()
    checks = _FieldCheck(Officer)
    for _run in range(2):
        _full_clean(Officer(association=association, **values), values, checks, row, ours)
    _django(Officer(association=association, **values), values, row, theirs)
    assert _issues(ours) == _issues(theirs) * 2


def test_a_value_the_field_would_convert_is_left_to_django(zhunan):
    """clean_fields stores what a field's clean returns; a value it would convert is not vouched for."""
    checks = _FieldCheck(Association)
    obj = Association(name="中港社區發展協會", township=zhunan, member_count="12")
    assert not checks.passes(obj, ["name", "member_count"])
    assert checks.passes(
        Association(name="中港社區發展協會", township=zhunan, member_count=12), ["member_count"]
    )
