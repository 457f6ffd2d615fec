"""The tier thresholds' import and export for the admin (core.admin_exports): one row per county and year,
keyed by the county's name and the year (ROC 115 or Gregorian 2026 read, ROC written), with the three
threshold columns.

An import never saves a row itself: each changed row goes through `grading.services.thresholds_update`, as
the staff thresholds page does, so it locks the year's register, is refused unless the importing
administrator may edit that county's thresholds while its register is open (`grading.permissions`), records
the change in the tier history and recomputes the year's suggestions. A refusal is the row's error, and as
with every admin import one bad row writes nothing; the preview runs the same calls and is rolled back. A row
whose numbers are unchanged is skipped without calling the service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from import_export import fields, widgets

from associations.resources import COUNTY, CountyWidget
from core.admin_exports import PortalResource
from core.dates import parse_year, roc_year
from grading.models import TierThresholds

YEAR = "年度"


class RocYearWidget(widgets.Widget):
    """A year written as 112, read as 112, 112年度 or 2023."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parse_year(value)  # its ROCDateError is a ValueError with a Chinese message

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else roc_year(value)


class TierThresholdsResource(PortalResource):
    county = fields.Field(attribute="county", column_name=COUNTY, widget=CountyWidget())
    year = fields.Field(attribute="year", column_name=YEAR, widget=RocYearWidget())

    class Meta(PortalResource.Meta):
        model = TierThresholds
        fields = [
            "county",
            "year",
            "potential_min_activities",
            "developing_min_activities",
            "volunteer_team_min_size",
            "updated_by",
            "updated_at",
        ]
        import_id_fields = ["county", "year"]

    @classmethod
    def field_from_django_field(cls, field_name: str, django_field: Any, readonly: bool) -> Any:
        # Who changed the numbers last, and when, is written by the service: exported, never read back.
        readonly = readonly or field_name in ("updated_by", "updated_at")
        return super().field_from_django_field(field_name, django_field, readonly)

    def get_import_fields(self) -> list[Any]:
        # Those two columns need not be in an imported file, nor are they compared with the stored row.
        return [field for field in super().get_import_fields() if not field.readonly]

    def validate_instance(
        self, instance: Any, import_validation_errors: dict | None = None, validate_unique: bool = True
    ) -> None:
        """The model's rule that developing needs at least potential's count is the developing column's."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            errors = exc.message_dict
            rule = next(
                c
                for c in TierThresholds._meta.constraints
                if c.name == "thresholds_developing_not_below_potential"
            )
            message = str(rule.get_violation_error_message())
            general = errors.get(NON_FIELD_ERRORS, [])
            if message in general:
                general.remove(message)
                if not general:
                    del errors[NON_FIELD_ERRORS]
                column = self.fields["developing_min_activities"].column_name
                errors.setdefault(column, []).append(message)
            raise ValidationError(errors) from exc

    def save_instance(self, instance: TierThresholds, is_create: bool, row: Any, **kwargs: Any) -> None:
        """Through the grading workflow, as the importing user (the admin passes it as `user`); a refusal
        (a finalised register, another county than the administrator's working one) is the row's error."""
        from grading.services import GradingError, thresholds_update

        try:
            thresholds_update(
                year=instance.year,
                county=instance.county,
                actor=kwargs["user"],
                potential_min_activities=instance.potential_min_activities,
                developing_min_activities=instance.developing_min_activities,
                volunteer_team_min_size=instance.volunteer_team_min_size,
            )
        except (GradingError, PermissionDenied) as exc:
            raise ValidationError({NON_FIELD_ERRORS: [str(exc)]}) from exc
        # The row's diff shows what the service stored.
        stored = TierThresholds.objects.get(county=instance.county, year=instance.year)
        instance.pk = stored.pk
        instance.refresh_from_db()
