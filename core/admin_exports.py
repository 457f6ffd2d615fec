"""django-import-export in the admin, the portal's way: every list exports its rows (the admin's scoped
queryset with the changelist's filters) as .xlsx or .csv written by `core.exports` (ROC dates, formula cells
escaped, CSV with a BOM), and the reference tables import such a file back through the same columns.

Files are read by `core.spreadsheets` (.xlsx, .xls, or .csv in UTF-8, UTF-16 or Big5, apostrophes of escaped
formulas removed), so an exported file re-imports unchanged. An import runs in one transaction and writes
nothing unless every row is valid; its file waits between the preview and the confirmation on the media
storage, which every app server shares. Knows nothing of any domain: the apps declare their resources.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.admin import ExportMixin, ImportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm
from import_export.results import Result, RowResult
from import_export.tmp_storages import MediaStorage

from core import security, spreadsheets
from core.admin_dates import RocDatesMixin
from core.dates import format_roc, parse_date
from core.exports import write_csv, write_xlsx
from core.text import normalize_text
from core.uploads import purge_stale

# --- Formats: written by core.exports, read by core.spreadsheets ----------------------------------------


def read_dataset(data: bytes) -> Any:
    """The first non-blank row is the header; blank rows below it are dropped, and the file's own number of
    each kept row is remembered (`dataset.row_numbers`) so that errors name the row a clerk sees."""
    import tablib

    try:
        raw, _encoding, _kind = spreadsheets.iter_raw_rows(data=data)
        rows = list(enumerate(raw, start=1))
    except spreadsheets.SpreadsheetError as exc:
        raise ValueError(str(exc)) from exc
    dataset = tablib.Dataset()
    dataset.row_numbers = []
    content = [(number, list(cells)) for number, cells in rows if not _blank(cells)]
    if not content:
        return dataset
    (_header_number, header), body = content[0], content[1:]
    if len(body) > spreadsheets.MAX_DATA_ROWS:
        raise ValueError(
            _("資料超過 %(limit)s 列，請分檔匯入。") % {"limit": f"{spreadsheets.MAX_DATA_ROWS:,}"}
        )
    width = len(header)
    dataset.headers = [normalize_text(cell) for cell in header]
    for number, cells in body:
        cells = [_cell(value) for value in cells[:width]]
        dataset.append(cells + [None] * (width - len(cells)))
        dataset.row_numbers.append(number)
    return dataset


def _blank(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _cell(value: object) -> object:
    if isinstance(value, str):
        return spreadsheets.unescape_formula(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class SpreadsheetFormat(base_formats.XLSX):
    """The one import format: the bytes say whether they are .xlsx, .xls or .csv."""

    def get_title(self) -> str:
        return "xlsx / xls / csv"

    def create_dataset(self, in_stream: bytes, **kwargs: Any) -> Any:
        return read_dataset(in_stream)


class XLSXFormat(base_formats.XLSX):
    def export_data(self, dataset: Any, **kwargs: Any) -> bytes:
        buffer = io.BytesIO()
        write_xlsx(buffer, headers=dataset.headers, rows=dataset, title=dataset.title or "Sheet1")
        return buffer.getvalue()


class CSVFormat(base_formats.CSV):
    """UTF-8 with a byte-order mark, so that Excel on a Chinese Windows reads it right."""

    CONTENT_TYPE = "text/csv; charset=utf-8"

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: bytes, **kwargs: Any) -> Any:
        return read_dataset(in_stream)

    def export_data(self, dataset: Any, **kwargs: Any) -> bytes:
        text = io.StringIO()
        write_csv(text, headers=dataset.headers, rows=dataset)
        return ("\ufeff" + text.getvalue()).encode("utf-8")


# --- Widgets: the portal's forms of values -----------------------------------------------------------------


class RocDateWidget(widgets.Widget):
    """Dates as `112/01/03`; every form `core.dates.parse_date` reads is accepted back."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> datetime.date | None:
        return parse_date(value)  # its ROCDateError is a ValueError with a Chinese message

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return format_roc(value)


class RocDateTimeWidget(widgets.Widget):
    """Export only: the local time as `112/01/03 14:05`."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        local = timezone.localtime(value)
        return f"{format_roc(local.date())} {local:%H:%M}"


class BooleanWidget(widgets.Widget):
    TRUE, FALSE = "是", "否"

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool | None:
        text = normalize_text(value).casefold()
        if text in ("", "none"):
            return None
        if text in (self.TRUE, "1", "true", "y", "yes", "v"):
            return True
        if text in (self.FALSE, "0", "false", "n", "no"):
            return False
        raise ValueError(_("「%(value)s」無法辨識，請填「是」或「否」。") % {"value": value})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else (self.TRUE if value else self.FALSE)


class ChoiceWidget(widgets.Widget):
    """A choice shown by its label; either the label or the stored value is accepted back."""

    def __init__(self, choices: Sequence[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.labels = {value: str(label) for value, label in choices}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = normalize_text(value)
        if not text:
            return ""
        for stored, label in self.labels.items():
            if text in (str(stored), label):
                return stored
        allowed = "、".join(self.labels.values())
        raise ValueError(
            _("「%(value)s」不是可用的選項（%(allowed)s）。") % {"value": text, "allowed": allowed}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value in (None, "") else self.labels.get(value, str(value))


class LabelWidget(widgets.Widget):
    """Export only: a related row as its name (`str()`), or several joined with 、."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, models.Manager):
            return "、".join(str(item) for item in value.all())
        return str(value)


class IntegerWidget(widgets.IntegerWidget):
    """Numbers stay numbers in the .xlsx (the library would write them as formatted text)."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else value


# --- Resources --------------------------------------------------------------------------------------------


class PortalResource(resources.ModelResource):
    """A ModelResource with Chinese headers (the fields' verbose names), values as the portal shows them,
    errors named by column and by the file's own row numbers, and all-or-nothing imports."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._row_numbers: list[int] = []

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = False

    @classmethod
    def field_from_django_field(cls, field_name: str, django_field: Any, readonly: bool) -> Any:
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = str(django_field.verbose_name)
        if django_field.is_relation:
            field.attribute = field_name
            field.widget = LabelWidget()
            field.readonly = True  # a generic resource only exports; imports declare their lookups
        elif django_field.choices:
            field.widget = ChoiceWidget(django_field.flatchoices)
        elif isinstance(django_field, models.DateTimeField):
            field.widget = RocDateTimeWidget()
        elif isinstance(django_field, models.DateField):
            field.widget = RocDateWidget()
        elif isinstance(django_field, models.BooleanField):
            field.widget = BooleanWidget()
        elif isinstance(field.widget, widgets.IntegerWidget):
            field.widget = IntegerWidget()
        elif isinstance(django_field, models.JSONField):
            field.widget = widgets.JSONWidget()
        return field

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        self._row_numbers = list(getattr(dataset, "row_numbers", []))
        headers = set(dataset.headers or [])
        missing = [
            field.column_name for field in self.get_import_fields() if field.column_name not in headers
        ]
        if missing:
            raise ValueError(_("找不到欄位「%(columns)s」。") % {"columns": "」、「".join(missing)})

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        """A key column that names nothing (an unknown county or township) is the row's error, by column."""
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as exc:
                    errors[field.column_name] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        return super().get_instance(instance_loader, row)

    def validate_instance(
        self, instance: Any, import_validation_errors: dict | None = None, validate_unique: bool = True
    ) -> None:
        """Errors keyed by the column a clerk sees, not by the model's field name."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            columns = {field.attribute: field.column_name for field in self.get_import_fields()}
            errors: dict[str, list[str]] = {}
            for key, messages in exc.message_dict.items():
                column = columns.get(key, NON_FIELD_ERRORS if key == NON_FIELD_ERRORS else key)
                errors.setdefault(column, []).extend(messages)
            raise ValidationError(errors) from exc

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Result:
        """Errors name the file's own row numbers (header and blank rows counted), not the data's index."""
        kwargs.setdefault("rollback_on_validation_errors", True)
        result = super().import_data(dataset, *args, **kwargs)
        numbers = getattr(dataset, "row_numbers", [])
        for row in [*result.invalid_rows, *result.error_rows]:
            if 0 < row.number <= len(numbers):
                row.number = numbers[row.number - 1]
        return result


def export_resource_for(model: type[models.Model], exclude: Sequence[str] = ()) -> type[PortalResource]:
    """A PortalResource of every concrete field of `model`, for lists that only export."""
    return resources.modelresource_factory(
        model, resource_class=PortalResource, meta_options={"exclude": tuple(exclude)}
    )


# --- Temporary storage ------------------------------------------------------------------------------------


class SharedMediaStorage(MediaStorage):
    """An uploaded import waits for its confirmation on the media storage (one root for every app server),
    named by a random UUID; waiting files older than IMPORT_UPLOAD_MAX_AGE are removed the next time a file
    is kept (`core.uploads.purge_stale`, which the portal's own imports and `purge_uploads` share)."""

    def save(self, data: bytes) -> None:
        purge_stale()
        super().save(data)


# --- Admin mixins -----------------------------------------------------------------------------------------


class PortalExportMixin(RocDatesMixin, ExportMixin):
    """Export on an admin list: .xlsx or .csv of the rows the list selects (its `get_queryset`, which is
    scoped, with the changelist's filters and search), for whoever may view the list. Its date columns show
    ROC dates (`core.admin_dates`)."""

    export_form_class = ExportForm
    #: Fields a list's generic export leaves out (bulky or secret ones).
    export_exclude: Sequence[str] = ()

    @property
    def export_formats(self) -> list[type]:
        return [XLSXFormat, CSVFormat]

    @property
    def import_formats(self) -> list[type]:
        return [SpreadsheetFormat]

    def get_export_resource_classes(self, request: HttpRequest) -> list[type]:
        if self.resource_classes:
            return list(self.resource_classes)
        return [export_resource_for(self.model, self.export_exclude)]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_export_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_export_queryset(request)
        opts = self.model._meta
        related = [f.name for f in opts.fields if f.is_relation and (f.many_to_one or f.one_to_one)]
        many = [f.name for f in opts.many_to_many]
        return queryset.select_related(*related).prefetch_related(*many)

    def get_data_for_export(self, request: HttpRequest, queryset: Any, **kwargs: Any) -> Any:
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        request.portal_exported_rows = len(dataset)  # type: ignore[attr-defined]  # for get_export_data
        return dataset

    def get_export_data(self, file_format: Any, request: HttpRequest, queryset: Any, **kwargs: Any) -> Any:
        """The file, written to the security log as the staff pages' exports are (`core.security`): who, which
        list with which filters and search (the changelist's query), the format and how many rows."""
        from core.auth import client_address

        data = super().get_export_data(file_format, request, queryset, **kwargs)
        security.record(
            security.Kind.EXPORT,
            user=request.user,
            address=client_address(request),
            name=self.get_export_filename(request, queryset, file_format),
            format=file_format.get_extension(),
            list=self.model._meta.label_lower,
            query=request.GET.urlencode(),
            rows=getattr(request, "portal_exported_rows", None),
        )
        return data

    def get_export_filename(self, request: HttpRequest, queryset: Any, file_format: Any) -> str:
        today = timezone.localdate()
        return f"{self.model.__name__}-{format_roc(today, sep='')}.{file_format.get_extension()}"


class PortalImportExportMixin(ImportMixin, PortalExportMixin):
    """Import and export of a reference table through its Resource (`resource_classes`): upload, preview,
    confirm; nothing is written unless every row is valid. Whoever may add and change the table imports."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_error_display = ("message",)

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        """A file the portal's reader refuses says why, in Chinese (the library names only the exception)."""
        if isinstance(e, ValueError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_import_resource_classes(self, request: HttpRequest) -> list[type]:
        return list(self.resource_classes)

    def process_result(self, result: Result, request: HttpRequest) -> Any:
        """The confirmation found errors the preview did not (the table changed in between): the import
        was rolled back whole, and is refused with the reason instead of the library's success message."""
        from django.contrib import messages

        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request, _("未匯入：資料在預覽後有變動，檢查出錯誤，沒有寫入任何資料。請重新上傳並預覽。")
            )
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        return super().process_result(result, request)

    def add_success_message(self, result: Result, request: HttpRequest) -> None:
        from django.contrib import messages

        totals = result.totals
        messages.success(
            request,
            _("已匯入%(table)s：新增 %(new)d 筆、更新 %(updated)d 筆、未變動 %(skipped)d 筆。")
            % {
                "table": self.model._meta.verbose_name_plural,
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )
