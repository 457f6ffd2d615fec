from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from associations import access
from associations.models import Association, Officer, Township, Village
from associations.values import AssociationValues, OfficerValues
from core.forms import GuardedForm, ROCDateField
from core.text import normalize_text


class AssociationForm(GuardedForm, forms.ModelForm):
    founded_on = ROCDateField(label=_("成立日期"), required=False)
    dissolved_on = ROCDateField(label=_("解散日期"), required=False)

    class Meta:
        model = Association
        fields = [
            "name",
            "township",
            "villages",
            "registration_number",
            "founded_on",
            "term_number",
            "status",
            "dissolved_on",
            "address",
            "phone",
            "email",
            "member_count",
            "runs_care_station",
            "local_features",
            "notes",
        ]
        widgets = {
            "villages": forms.CheckboxSelectMultiple,
            "local_features": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "name": {"required": _("請填寫協會名稱。")},
            "township": {
                "required": _("請選擇鄉鎮市區。"),
                "invalid_choice": _("所選的鄉鎮市區不在您可管理的範圍內。"),
            },
            "email": {"invalid": _("電子郵件格式不正確。")},
            "member_count": {"invalid": _("會員人數請填整數。"), "min_value": _("會員人數不可為負數。")},
            "term_number": {"invalid": _("屆期請填整數，例如 10。"), "min_value": _("屆期不可為負數。")},
        }

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        townships = access.scope_townships(Township.objects.select_related("county"), user)
        self.fields["township"].queryset = townships
        self.fields["villages"].queryset = Village.objects.filter(township__in=townships).select_related(
            "township"
        )
        if townships.count() == 1 and not self.instance.pk:
            self.fields["township"].initial = townships.first()

    def clean_name(self) -> str:
        return normalize_text(self.cleaned_data["name"])

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        township = cleaned.get("township")
        villages = cleaned.get("villages")
        if township and villages:
            foreign = [v.name for v in villages if v.township_id != township.pk]
            if foreign:
                self.add_error(
                    "villages", _("村里「%(names)s」不屬於所選的鄉鎮市區。") % {"names": "、".join(foreign)}
                )
        name = cleaned.get("name")
        if township and name and (error := duplicate_name_error(township, name, exclude_pk=self.instance.pk)):
            self.add_error("name", error)
        return cleaned

    def to_values(self) -> AssociationValues:
        return AssociationValues(**{**self.cleaned_data, "villages": tuple(self.cleaned_data["villages"])})


def duplicate_name_error(township: Township, name: str, *, exclude_pk: int | None) -> str | None:
    """The error for a name that another association of `township` already has once normalised (台/臺,
    spaces, full-width letters, a place prefix), with a link to that association; None when there is none."""
    key = Association.key_for(name, township)
    duplicate = (
        Association.objects.filter(township=township, name_key=key)
        .exclude(pk=exclude_pk)
        .order_by("pk")
        .first()
    )
    if duplicate is None:
        return None
    return format_html(
        str(
            _('{township}已有「<a href="{url}">{name}</a>」，名稱只差台/臺、空白或全形半形，視為同一個協會。')
        ),
        township=township.name,
        url=duplicate.get_absolute_url(),
        name=duplicate.name,
    )


class AssociationAdminForm(forms.ModelForm):
    """The admin's association form: the registry's duplicate-name check, with its link."""

    class Meta:
        model = Association
        fields = "__all__"  # noqa: DJ007 - the admin lays out every field, as it did with its default form

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        township, name = cleaned.get("township"), normalize_text(cleaned.get("name") or "")
        if township and name and (error := duplicate_name_error(township, name, exclude_pk=self.instance.pk)):
            self.add_error("name", error)
        return cleaned


class OfficerForm(GuardedForm, forms.ModelForm):
    term_start = ROCDateField(label=_("任期起日"), required=False)
    term_end = ROCDateField(label=_("任期迄日"), required=False)

    class Meta:
        model = Officer
        fields = ["position", "name", "phone", "term_start", "term_end", "note"]
        error_messages = {
            "position": {"required": _("請選擇職稱。")},
            "name": {"required": _("請填寫姓名。")},
        }

    def clean_name(self) -> str:
        return normalize_text(self.cleaned_data["name"])

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("任期迄日不可早於任期起日。"))
        return cleaned

    def to_values(self) -> OfficerValues:
        return OfficerValues(**self.cleaned_data)
