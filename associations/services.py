"""Writes with side effects. Views call these; no request objects here."""

from django.db import transaction

from associations.forms import AssociationForm, OfficerForm
from associations.models import Association, Officer


@transaction.atomic
def association_save(*, form: AssociationForm) -> Association:
    """Save a validated association form, villages included, in one transaction (history records both)."""
    return form.save()


@transaction.atomic
def officer_save(*, form: OfficerForm) -> Officer:
    return form.save()


@transaction.atomic
def officer_delete(*, officer: Officer) -> None:
    officer.delete()
