"""Forms for the yearly compliance facts: one fact at a time on an association's checklist, and one
association's whole year on a row of the township grid (the same row form checks each row of a
compliance spreadsheet import, so a clerk gets the same messages either way)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.compliance.services import counted_assembly
from associations.compliance.values import (
    YEAR_ROW_MEETING_KINDS,
    ElectionValues,
    FilingValues,
    MeetingValues,
    ProgrammeValues,
    YearRow,
)
from associations.models import Association, Election, Meeting, ProgrammeProfile, YearlyFiling
from core import dates
from core.dates import format_roc, format_roc_year
from core.forms import GuardedForm, ROCDateField
from core.text import normalize_text

DATE_SEPARATORS = re.compile(r"[、,，;；\n]+")


def _in_year(day: datetime.date, year: int) -> bool:
    return day.year == year


class MultiDateField(forms.Field):
    """Several dates in one box, separated by 、 or a comma: 112/03/05、112/09/01."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("日期格式無法辨識，請輸入如 112/03/05、112/09/01 的民國日期。")}

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", "112/03/05、112/09/01")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value: object) -> list[datetime.date]:
        if value in self.empty_values:
            return []
        if isinstance(value, datetime.datetime):
            return [value.date()]
        if isinstance(value, datetime.date):
            return [value]
        if isinstance(value, list | tuple):
            parts = list(value)
        else:
            parts = [p for p in DATE_SEPARATORS.split(normalize_text(value)) if p.strip()]
        days: set[datetime.date] = set()
        for part in parts:
            try:
                day = dates.parse_date(part.strip() if isinstance(part, str) else part)
            except dates.ROCDateError as exc:
                raise forms.ValidationError(str(exc), code="invalid") from exc
            if day is not None:
                days.add(day)
        return sorted(days)

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list | tuple):
            return "、".join(format_roc(day) if isinstance(day, datetime.date) else str(day) for day in value)
        return value


class YearBoundForm:
    """Mixin: dates that must fall inside the form's fiscal year."""

    year: int

    def _check_in_year(self, name: str, days: list[datetime.date]) -> None:
        outside = [day for day in days if not _in_year(day, self.year)]
        if outside:
            self.add_error(  # type: ignore[attr-defined]
                name,
                _("%(dates)s 不在%(year)s內。")
                % {"dates": "、".join(format_roc(d) for d in outside), "year": format_roc_year(self.year)},
            )


class MeetingForm(GuardedForm, YearBoundForm, forms.ModelForm):
    held_on = ROCDateField(label=_("開會日期"))
    minutes_filed_on = ROCDateField(label=_("會議紀錄送府日期"), required=False)

    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "quorum_met", "minutes_filed_on", "note"]
        error_messages = {"kind": {"required": _("請選擇會議種類。")}}

    def __init__(self, *args: object, year: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.year = year  # type: ignore[assignment]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        held_on, kind = cleaned.get("held_on"), cleaned.get("kind")
        if self.year and held_on:
            self._check_in_year("held_on", [held_on])
        if held_on and kind:
            duplicate = Meeting.objects.filter(
                association_id=self.instance.association_id, kind=kind, held_on=held_on
            ).exclude(pk=self.instance.pk)
            if duplicate.exists():
                self.add_error("held_on", _("這一天已登錄過同種類的會議。"))
        return cleaned

    def to_values(self) -> MeetingValues:
        return MeetingValues(**self.cleaned_data)


class YearlyFilingForm(GuardedForm, forms.ModelForm):
    plan_budget_filed_on = ROCDateField(label=_("工作計畫及預算送府日期"), required=False)
    report_accounts_filed_on = ROCDateField(label=_("工作報告及決算送府日期"), required=False)

    class Meta:
        model = YearlyFiling
        fields = ["plan_budget_filed_on", "report_accounts_filed_on", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def to_values(self) -> FilingValues:
        return FilingValues(**self.cleaned_data)


class ElectionForm(GuardedForm, forms.ModelForm):
    elected_on = ROCDateField(label=_("改選日期"), required=False)
    term_ends_on = ROCDateField(label=_("任期屆滿日"))

    class Meta:
        model = Election
        fields = ["term_number", "elected_on", "term_ends_on", "note"]
        error_messages = {"term_number": {"invalid": _("屆次請填整數，例如 10。")}}

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        term_number = cleaned.get("term_number")
        if term_number is not None:
            duplicate = Election.objects.filter(
                association_id=self.instance.association_id, term_number=term_number
            ).exclude(pk=self.instance.pk)
            if duplicate.exists():
                self.add_error("term_number", _("第 %(n)d 屆的改選已登錄過。") % {"n": term_number})
        return cleaned

    def to_values(self) -> ElectionValues:
        return ElectionValues(**self.cleaned_data)


class ProgrammeForm(GuardedForm, forms.ModelForm):
    runs_care_station = forms.BooleanField(label=_("設有社區照顧關懷據點"), required=False)
    care_station_since = ROCDateField(label=_("關懷據點設立日期"), required=False)

    class Meta:
        model = ProgrammeProfile
        fields = [
            "runs_care_station",
            "care_station_since",
            "volunteer_team",
            "volunteer_count",
            "regular_services",
        ]
        widgets = {"regular_services": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"volunteer_count": {"invalid": _("志工人數請填整數。")}}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["runs_care_station"].initial = self.instance.association.runs_care_station

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if cleaned.get("care_station_since") and not cleaned.get("runs_care_station"):
            self.add_error(
                "runs_care_station", _("填寫了關懷據點設立日期，請一併勾選「設有社區照顧關懷據點」。")
            )
        return cleaned

    def to_values(self) -> ProgrammeValues:
        return ProgrammeValues(**self.cleaned_data)


class IntervalForm(forms.ModelForm):
    class Meta:
        model = Association
        fields = ["board_meeting_interval_months"]
        error_messages = {
            "board_meeting_interval_months": {
                "invalid": _("間隔請填 1 到 12 的整數。"),
                "min_value": _("間隔請填 1 到 12 的整數。"),
                "max_value": _("間隔請填 1 到 12 的整數。"),
            }
        }


class YearRowForm(GuardedForm, YearBoundForm, forms.Form):
    assembly_dates = MultiDateField(label=_("會員大會日期"))
    assembly_minutes_filed_on = ROCDateField(
        label=_("大會紀錄送府日期"),
        required=False,
        help_text=_("一年開兩次大會時，指最後一次達法定人數的大會。"),
    )
    board_dates = MultiDateField(label=_("理事會日期"), help_text=_("理監事聯席會議請至協會的清查頁登錄。"))
    supervisory_dates = MultiDateField(label=_("監事會日期"))
    plan_budget_filed_on = ROCDateField(label=_("工作計畫及預算送府日期"), required=False)
    report_accounts_filed_on = ROCDateField(label=_("工作報告及決算送府日期"), required=False)
    term_ends_on = ROCDateField(label=_("任期屆滿日"), required=False, help_text=_("留空表示不變更。"))
    note = forms.CharField(label=_("備註"), required=False, max_length=2000)

    #: The row's meeting cells and the kind each lists (`values.YEAR_ROW_MEETING_KINDS`).
    MEETING_FIELDS = YEAR_ROW_MEETING_KINDS

    #: The cells that also show the year's joint board and supervisors meetings, read-only and marked 聯席:
    #: the rules count a joint meeting as both, and it is corrected on the checklist, never doubled here.
    JOINT_FIELDS = ("board_dates", "supervisory_dates")

    def __init__(
        self,
        *args: object,
        year: int,
        html_form: str | None = None,
        joint_days: list[datetime.date] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        for name in self.JOINT_FIELDS:
            self.fields[name].joint_days = sorted(joint_days or [])  # type: ignore[attr-defined]
        for field in self.fields.values():
            if isinstance(field, MultiDateField):
                field.widget.attrs["class"] = "dates"
            if html_form:
                # Each grid row is its own <form>; the inputs sit in table cells and name it, and carry
                # their column's name since no <label> sits beside them.
                field.widget.attrs["form"] = html_form
                field.widget.attrs["aria-label"] = str(field.label)
                # A sample date in every cell of a long grid reads as data already entered; the page's
                # instructions give the format once.
                field.widget.attrs.pop("placeholder", None)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        for name in self.MEETING_FIELDS:
            if cleaned.get(name):
                self._check_in_year(name, cleaned[name])
        minutes, assemblies = cleaned.get("assembly_minutes_filed_on"), cleaned.get("assembly_dates")
        # Which assembly the minutes belong to (the one held with a quorum) is the service's to decide; it
        # refuses minutes dated before that meeting under this field.
        if minutes and not assemblies:
            self.add_error("assembly_minutes_filed_on", _("請先填寫會員大會日期。"))
        today = timezone.localdate()
        for name in ("plan_budget_filed_on", "report_accounts_filed_on", "assembly_minutes_filed_on"):
            if cleaned.get(name) and cleaned[name] > today:
                self.add_error(name, _("日期不可晚於今天。"))
        for name in self.MEETING_FIELDS:
            if any(day > today for day in cleaned.get(name) or []):
                self.add_error(name, _("開會日期不可晚於今天。"))
        return cleaned

    def to_row(self) -> YearRow:
        data = self.cleaned_data
        return YearRow(
            assembly_dates=data["assembly_dates"] or None,
            assembly_minutes_filed_on=data["assembly_minutes_filed_on"],
            board_dates=data["board_dates"] or None,
            supervisory_dates=data["supervisory_dates"] or None,
            plan_budget_filed_on=data["plan_budget_filed_on"],
            report_accounts_filed_on=data["report_accounts_filed_on"],
            term_ends_on=data["term_ends_on"],
            note=normalize_text(data["note"]) or None,
        )

    @staticmethod
    def initial_for(
        *,
        meetings: list[Meeting],
        filing: YearlyFiling | None,
        term_ends_on: datetime.date | None,
    ) -> dict[str, object]:
        """The grid row's values from facts already loaded for the page. The minutes date is that of the
        assembly the rules count (`services.counted_assembly`)."""
        by_kind: dict[str, list[Meeting]] = {}
        for meeting in sorted(meetings, key=lambda m: m.held_on):
            by_kind.setdefault(meeting.kind, []).append(meeting)
        assemblies = by_kind.get(Meeting.Kind.GENERAL_ASSEMBLY, [])
        counted = counted_assembly(assemblies)
        return {
            "assembly_dates": [m.held_on for m in assemblies],
            "assembly_minutes_filed_on": counted.minutes_filed_on if counted else None,
            "board_dates": [m.held_on for m in by_kind.get(Meeting.Kind.BOARD, [])],
            "supervisory_dates": [m.held_on for m in by_kind.get(Meeting.Kind.SUPERVISORY, [])],
            "plan_budget_filed_on": filing.plan_budget_filed_on if filing else None,
            "report_accounts_filed_on": filing.report_accounts_filed_on if filing else None,
            "term_ends_on": term_ends_on,
            "note": filing.note if filing else "",
        }
