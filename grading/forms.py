from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from associations import access
from associations.models import Township
from core import dates
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
    from_year = YearField(
        label=_("比較年度"), widget=forms.TextInput(attrs={"size": 5, "inputmode": "numeric"})
    )
    to_year = YearField(label=_("本年度"), widget=forms.TextInput(attrs={"size": 5, "inputmode": "numeric"}))


class TownshipFilterForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("鄉鎮市區"), queryset=Township.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = access.scope_townships(Township.objects.all(), user)
