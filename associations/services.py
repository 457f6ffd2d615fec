"""Writes with side effects. Views call these with values (`associations.values`), never forms or
requests."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.compliance import hooks
from associations.models import Association, Officer
from associations.values import AssociationValues, OfficerValues
from core.concurrency import check_version
from core.dates import format_roc


def association_history(pk: int) -> tuple[QuerySet, ...]:
    """The history rows whose newest gives an association form's version (`core.concurrency`)."""
    return (Association.history.filter(id=pk),)


def officer_history(pk: int) -> tuple[QuerySet, ...]:
    return (Officer.history.filter(id=pk),)


#: Fields of the association itself that the yearly judgment reads (an order to reorganise, a care station).
JUDGED_FIELDS = ("status", "runs_care_station")


@transaction.atomic
def association_save(
    *,
    values: AssociationValues,
    actor: object = None,
    association: Association | None = None,
    version: str | None = None,
) -> Association:
    """Create an association, or change `association`, to `values`, villages included, in one transaction
    (history records both). A change to a judged field re-judges this year at once, as a change to a meeting
    or a filing does. `version` is the one the form showed (`association_version`): raises StaleEdit,
    writing nothing, when someone saved the association since."""
    if association is None:
        association, judged_changed = Association(), False
    else:
        association = Association.objects.select_for_update().get(pk=association.pk)
        check_version(version, *association_history(association.pk))
        judged_changed = any(getattr(association, name) != getattr(values, name) for name in JUDGED_FIELDS)
    fields = dict(vars(values))
    villages = fields.pop("villages")
    for name, value in fields.items():
        setattr(association, name, value)
    association.full_clean()
    try:
        with transaction.atomic():
            association.save()
    except IntegrityError as exc:
        # Another save of the same name got in between our check and our write.
        raise ValidationError(
            {"name": _("這個鄉鎮市區剛有人登錄了同名的協會。")}, code="duplicate_name"
        ) from exc
    association.villages.set(villages)
    hooks.associations_changed(association_ids=[association.pk])
    if judged_changed:
        hooks.facts_changed(association_ids=[association.pk], year=timezone.localdate().year, actor=actor)
    return association


#: Positions one person holds at a time: a new holder ends the current one's term, as the roster import does.
SINGLE_HOLDER_POSITIONS = (Officer.Position.CHAIR, Officer.Position.EXECUTIVE_SECRETARY)


@transaction.atomic
def officer_save(
    *,
    association: Association,
    values: OfficerValues,
    officer: Officer | None = None,
    version: str | None = None,
) -> tuple[Officer, list[Officer]]:
    """Add an officer to `association`, or correct `officer` (one of its officers) to `values`. A current
    or future 理事長 or 總幹事 ends the term of whoever holds that position on the day before the new term
    starts (today when no start is given); returns the officer and the predecessors whose term it ended.
    Raises ValidationError on `term_start` (nothing written) when a holder's own term starts on or after
    that day, since their term cannot end before it began. Raises StaleEdit (nothing written) when
    `version` is not the officer's (`officer_history`)."""
    Association.objects.select_for_update().filter(pk=association.pk).exists()
    if officer is None:
        officer = Officer(association=association)
    else:
        check_version(version, *officer_history(officer.pk))
        officer = Officer.objects.get(pk=officer.pk, association=association)
    for name, value in dict(vars(values)).items():
        setattr(officer, name, value)
    officer.full_clean()
    ended = _end_predecessors(association, officer)
    officer.save()
    return officer, ended


def _end_predecessors(association: Association, officer: Officer) -> list[Officer]:
    today = timezone.localdate()
    if officer.position not in SINGLE_HOLDER_POSITIONS or (officer.term_end and officer.term_end < today):
        return []
    start = officer.term_start or today
    holders = (
        Officer.objects.filter(association=association, position=officer.position)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=start))
        .exclude(pk=officer.pk)
        .order_by("pk")
    )
    ended = []
    for holder in holders:
        if holder.term_start and holder.term_start >= start:
            if officer.term_end and officer.term_end < holder.term_start:
                continue  # the new term ends before this holder's begins
            raise ValidationError(
                {
                    "term_start": _(
                        "%(position)s「%(name)s」的任期自 %(since)s 起，新任者的任期起日須在其後。"
                    )
                    % {
                        "position": holder.get_position_display(),
                        "name": holder.name,
                        "since": format_roc(holder.term_start),
                    }
                }
            )
        holder.term_end = start - datetime.timedelta(days=1)
        holder.save(update_fields=["term_end"])
        ended.append(holder)
    return ended


@transaction.atomic
def officer_delete(*, officer: Officer) -> None:
    officer.delete()
