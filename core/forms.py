"""Form fields shared by every app: dates are typed in ROC form (or Gregorian) and shown in ROC form."""

import datetime
import uuid

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core import dates


def _attributes(attrs: dict) -> str:
    """Attributes as Django's `attrs.html` writes them: in order, True bare, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", k) if v is True else format_html(' {}="{}"', k, v),)
            for k, v in attrs.items()
            if v is not False
        ),
    )


class ListSelect(forms.Select):
    """A filter's select, rendered in Python: the same HTML as `forms.Select`, without one template include
    per option (a list page's filter of a county's townships spent more time in those includes than in
    its query). For single choices without option attributes, which is what list filters have."""

    def render(self, name: str, value: object, attrs: dict | None = None, renderer: object = None) -> str:
        # The options are read from the choices directly, as `Select.optgroups` reads them, without building
        # its per-option context dictionaries (most of what was left of a select's cost).
        values = self.format_value(value)
        has_selected = False

        def option(option_value: object, label: object) -> str:
            nonlocal has_selected
            selected = (not has_selected or self.allow_multiple_selected) and str(option_value) in values
            has_selected |= selected
            return format_html(
                '<option value="{}"{}>{}</option>',
                option_value,
                mark_safe(" selected") if selected else "",
                label,
            )

        options = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                group = "".join(option(sub_value, sub_label) for sub_value, sub_label in label)
                options.append(
                    format_html('<optgroup label="{}">{}</optgroup>', option_value, mark_safe(group))
                    if option_value
                    else group  # as `select.html`: a group without a name is not wrapped
                )
            else:
                options.append(option("" if option_value is None else option_value, label))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            _attributes(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),
        )


class ROCDateInput(forms.TextInput):
    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        # No inputmode="numeric": phone number pads have no 「/」 or 「.」, which ROC dates are typed with.
        defaults = {"placeholder": "112/01/03", "autocomplete": "off"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: object) -> str | None:
        if isinstance(value, datetime.date):
            return dates.format_roc(value)
        return super().format_value(value)


class ROCDateField(forms.DateField):
    """Accepts 112/01/03, 112.1.3, 1120103, 民國112年1月3日 and 2023-01-03 alike."""

    widget = ROCDateInput
    default_error_messages = {"invalid": _("日期格式無法辨識，請輸入如 112/01/03 的民國日期。")}

    def to_python(self, value: object) -> datetime.date | None:
        if value in self.empty_values:
            return None
        try:
            return dates.parse_date(value)  # type: ignore[arg-type]
        except dates.ROCDateError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    def strptime(self, value: str, format: str) -> datetime.date:  # pragma: no cover - to_python bypasses it
        raise NotImplementedError


class GuardedForm:
    """Mixin for the staff pages' edit and create forms. `version=` (from `core.concurrency.version_of`)
    adds a hidden field carrying the version the page showed, so a stale save is refused; `once=True` adds
    a hidden one-time token, so a repeated post of one page creates nothing (`core.submissions`). Both are
    taken out of `cleaned_data` (the forms' `to_values()` read it whole) into `posted_version` and
    `submission_token`."""

    posted_version: str | None = None
    submission_token: uuid.UUID | None = None

    def __init__(self, *args: object, version: str | None = None, once: bool = False, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        if version is not None or self.is_bound:  # type: ignore[attr-defined]
            self.fields["edit_version"] = forms.CharField(  # type: ignore[attr-defined]
                widget=forms.HiddenInput, required=False, initial=version
            )
        if once:
            self.fields["submission_token"] = forms.UUIDField(  # type: ignore[attr-defined]
                widget=forms.HiddenInput, required=False, initial=uuid.uuid4
            )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()  # type: ignore[misc]
        self.posted_version = cleaned.pop("edit_version", "") or None
        self.submission_token = cleaned.pop("submission_token", None)
        return cleaned
