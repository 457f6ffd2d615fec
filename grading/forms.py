from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from associations import access
from associations.models import Township
from associations.years import always_open
from core import dates
from core.forms import ListSelect
from grading import todo
from grading.models import Tier, TierThresholds

REASON_ERRORS = {"required": _("請填寫理由。")}


class OverrideForm(forms.Form):
    tier = forms.ChoiceField(
        label=_("核定分級"), choices=Tier.choices, error_messages={"required": _("請選擇分級。")}
    )
    reason = forms.CharField(
        label=_("調整理由"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=REASON_ERRORS
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), error_messages=REASON_ERRORS
    )


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = TierThresholds
        fields = ["potential_min_activities", "developing_min_activities", "volunteer_team_min_size"]

    def clean(self) -> dict[str, object]:
        # The model's check constraint says the same, but the ModelForm would report it above the form
        # (a constraint names no field) after a database round trip; here it sits on the field it is about.
        cleaned = super().clean()
        potential, developing = (
            cleaned.get("potential_min_activities"),
            cleaned.get("developing_min_activities"),
        )
        if potential is not None and developing is not None and developing < potential:
            self.add_error("developing_min_activities", _("發展型的方案數門檻不可低於潛力型。"))
        return cleaned


class YearField(forms.CharField):
    """A year typed as 112, 112年度 or 2023; cleaned to the Gregorian year."""

    def to_python(self, value: object) -> int | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return dates.parse_year(text)
        except dates.ROCDateError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def prepare_value(self, value: object) -> object:
        return dates.roc_year(value) if isinstance(value, int) else value


class MovementForm(forms.Form):
    """Two registers to compare, typed as ROC years (112 or 2023 read alike): an earlier one and a later
    one, both within the county's years: `years` gives them, called only for a year before last year (last,
    this and next year are always open, `associations.years.always_open`), as it reads the county's
    earliest facts."""

    from_year = YearField(
        label=_("比較年度"), widget=forms.TextInput(attrs={"size": 5, "inputmode": "numeric"})
    )
    to_year = YearField(label=_("本年度"), widget=forms.TextInput(attrs={"size": 5, "inputmode": "numeric"}))

    def __init__(self, *args: object, years: Callable[[], range], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._years = years

    @cached_property
    def years(self) -> range:
        return self._years()

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        for name in ("from_year", "to_year"):
            year = cleaned.get(name)
            if year is not None and not always_open(year) and year not in self.years:
                self.add_error(
                    name,
                    _("沒有民國 %(year)d 年的資料：可比較的年度為民國 %(first)d 年至 %(last)d 年。")
                    % {
                        "year": dates.roc_year(year),
                        "first": dates.roc_year(self.years[0]),
                        "last": dates.roc_year(self.years[-1]),
                    },
                )
        earlier, later = cleaned.get("from_year"), cleaned.get("to_year")
        if earlier is not None and later is not None and earlier >= later:
            self.add_error(
                "from_year",
                _("比較年度（民國 %(from)d 年）須早於本年度（民國 %(to)d 年）。")
                % {"from": dates.roc_year(earlier), "to": dates.roc_year(later)},
            )
        return cleaned


class TownshipFilterForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("鄉鎮市區"),
        queryset=Township.objects.none(),
        required=False,
        empty_label=_("全部"),
        widget=ListSelect,
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = access.scope_townships(Township.objects.all(), user)


class TodoFilterForm(TownshipFilterForm):
    """The to-do list's filters: township (the user's only), kind of duty, due window and order; an
    invalid value is ignored, never widening what the user sees."""

    kind = forms.ChoiceField(label=_("事項"), required=False, widget=ListSelect)
    state = forms.ChoiceField(label=_("期限"), required=False, widget=ListSelect)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=todo.SORTS, widget=ListSelect)

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["kind"].choices = [("", _("全部")), *todo.kinds()]
        self.fields["state"].choices = [("", _("全部待辦")), *todo.STATES]

    def value(self, name: str) -> object:
        if not self.is_bound:
            return ""
        self.is_valid()
        return self.cleaned_data.get(name) or ""

    def show_counts(self, listed: todo.TodoList) -> None:
        """Each kind and state choice followed by how many items it would show with the other filters."""
        open_items = sum(n for state, n in listed.state_counts.items() if state in todo.OPEN_STATES)
        totals = {"kind": sum(listed.kind_counts.values()), "state": open_items}
        for name, counts in (("kind", listed.kind_counts), ("state", listed.state_counts)):
            field = self.fields[name]
            field.choices = [
                (
                    value,
                    gettext("%(label)s（%(n)d）")
                    % {"label": label, "n": counts.get(value, 0) if value else totals[name]},
                )
                for value, label in field.choices
            ]
