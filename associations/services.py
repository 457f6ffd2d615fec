"""Writes with side effects. Views call these with values (`associations.values`), never forms or
requests."""

from django.db import transaction
from django.utils import timezone

from associations.compliance import hooks
from associations.models import Association, Officer
from associations.values import AssociationValues, OfficerValues

#: Fields of the association itself that the yearly judgment reads (an order to reorganise, a care station).
JUDGED_FIELDS = ("status", "runs_care_station")


@transaction.atomic
def association_save(
    *, values: AssociationValues, actor: object = None, association: Association | None = None
) -> Association:
    """Create an association, or change `association`, to `values`, villages included, in one transaction
    (history records both). A change to a judged field re-judges this year at once, as a change to a meeting
    or a filing does."""
    if association is None:
        association, judged_changed = Association(), False
    else:
        association = Association.objects.select_for_update().get(pk=association.pk)
        judged_changed = any(getattr(association, name) != getattr(values, name) for name in JUDGED_FIELDS)
    fields = dict(vars(values))
    villages = fields.pop("villages")
    for name, value in fields.items():
        setattr(association, name, value)
    association.full_clean()
    association.save()
    association.villages.set(villages)
    if judged_changed:
        hooks.facts_changed(association_ids=[association.pk], year=timezone.localdate().year, actor=actor)
    return association


@transaction.atomic
def officer_save(
    *, association: Association, values: OfficerValues, officer: Officer | None = None
) -> Officer:
    """Add an officer to `association`, or correct `officer` (one of its officers) to `values`."""
    if officer is None:
        officer = Officer(association=association)
    else:
        officer = Officer.objects.get(pk=officer.pk, association=association)
    for name, value in dict(vars(values)).items():
        setattr(officer, name, value)
    officer.full_clean()
    officer.save()
    return officer


@transaction.atomic
def officer_delete(*, officer: Officer) -> None:
    officer.delete()
