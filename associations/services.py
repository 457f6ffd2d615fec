"""Writes with side effects. Views call these; no request objects here."""

from django.db import transaction
from django.utils import timezone

from associations.compliance import hooks
from associations.forms import AssociationForm, OfficerForm
from associations.models import Association, Officer

#: Fields of the association itself that the yearly judgment reads (an order to reorganise, a care station).
JUDGED_FIELDS = {"status", "runs_care_station"}


@transaction.atomic
def association_save(*, form: AssociationForm, actor: object = None) -> Association:
    """Save a validated association form, villages included, in one transaction (history records both).
    A change to a judged field re-judges this year at once, as a change to a meeting or a filing does."""
    association = form.save()
    if form.instance.pk and JUDGED_FIELDS & set(form.changed_data):
        hooks.facts_changed(association_ids=[association.pk], year=timezone.localdate().year, actor=actor)
    return association


@transaction.atomic
def officer_save(*, form: OfficerForm) -> Officer:
    return form.save()


@transaction.atomic
def officer_delete(*, officer: Officer) -> None:
    officer.delete()
